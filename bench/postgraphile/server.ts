// PostGraphile 4, the peer of the benchmark, on node:http over the same database, read-only,
// with statement counting, and the two plugins its users add for filters with `in` and for grouped
// sums. Installed apart (bench/postgraphile/package.json): it needs graphql 15.
import { createServer } from "node:http";
import PgAggregatesPlugin from "@graphile/pg-aggregates";
import pg from "pg";
import { postgraphile } from "postgraphile";
import ConnectionFilterPlugin from "postgraphile-plugin-connection-filter";
import { countStatements } from "../servers/count-statements.ts";

const counter = countStatements(pg);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const middleware = postgraphile(pool, "public", {
  disableDefaultMutations: true,
  graphiql: false,
  disableQueryLog: true,
  ignoreRBAC: false,
  retryOnInitFail: false,
  appendPlugins: [ConnectionFilterPlugin, PgAggregatesPlugin],
});
createServer((req, res) => counter.handle(req, res) || middleware(req, res)).listen(Number(process.env.PORT), "127.0.0.1", () =>
  process.send?.("ready"),
);
