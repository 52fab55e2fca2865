import { loadSeed } from "../seeds/load.ts";
import type { Database } from "../src/db.ts";
import { watchPools } from "../src/http/metrics.ts";
import { startHttpServer, type HttpOptions, type HttpServer } from "../src/http/server.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi, type ApiOptions } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";

export interface TestServer {
  url: string;
  db: Database;
  http: HttpServer;
  /** The server's own shutdown: stop accepting, drain, close the database. */
  close(): Promise<void>;
}

/** The real HTTP server on a free port of 127.0.0.1, over a database of its own. */
export async function startTestServer({ seed = true, api = {}, http = {} }: { seed?: boolean; api?: ApiOptions; http?: Partial<HttpOptions> } = {}): Promise<TestServer> {
  const { db, drop } = await openTestDatabase();
  if (seed) await loadSeed(db.prisma);
  watchPools(db.pools);
  let stopping = false;
  const yoga = createApi({ rateLimitStore: memoryStore(), isStopping: () => stopping, ...api });
  const server = await startHttpServer(yoga, {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: 100_000,
    requestTimeoutMs: 2000,
    trustProxy: false,
    drainTimeoutMs: 3000,
    ...http,
  });
  return {
    url: server.url,
    db,
    http: server,
    async close() {
      stopping = true;
      await server.stop();
      await yoga.dispose();
      await drop();
    },
  };
}
