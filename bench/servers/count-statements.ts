// Counts the SQL statements a server sends and the rows it gets back, by wrapping the query
// method of node-postgres's Client (every contender of the benchmark talks to PostgreSQL through
// it), and serves the counters on GET /__statements so the benchmark can read them between requests.
import type { IncomingMessage, ServerResponse } from "node:http";

type Pg = { Client: { prototype: { query: (...args: any[]) => any } } };

export function countStatements(pg: Pg) {
  const counters = { statements: 0, rows: 0 };
  const query = pg.Client.prototype.query;
  const addRows = (result: any) => {
    for (const r of Array.isArray(result) ? result : [result]) counters.rows += r?.rows?.length ?? 0;
  };
  pg.Client.prototype.query = function (this: unknown, ...args: any[]) {
    counters.statements++;
    const callback = args.findIndex((a) => typeof a === "function");
    if (callback >= 0) {
      const done = args[callback];
      args[callback] = (error: unknown, result: unknown) => {
        if (!error) addRows(result);
        done(error, result);
      };
      return query.apply(this, args);
    }
    const pending = query.apply(this, args);
    pending?.then?.(addRows, () => {});
    return pending;
  };
  const path = "/__statements";
  return {
    path,
    counters,
    /** Answers GET /__statements; returns whether it did. */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      if (req.url !== path) return false;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counters));
      return true;
    },
  };
}
