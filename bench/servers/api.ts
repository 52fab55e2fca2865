// This API as the benchmark runs it: what `npm start` serves (createApi() behind the HTTP server of
// src/http/server.ts, with the configured options), with statement counting.
import pg from "pg";
import { openDatabase } from "../../src/db.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { configuredHttpOptions, createApi } from "../../src/yoga.ts";
import { countStatements } from "./count-statements.ts";

const counter = countStatements(pg);
await openDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: Number(process.env.POOL_SIZE ?? 10) });
// The benchmark measures throughput, so the per-client rate limit (one client here: autocannon) is lifted;
// every other limit (cost, depth, timeouts) stays as in production.
const api = createApi({
  limits: { perMinute: Number.MAX_SAFE_INTEGER, keyPerMinute: Number.MAX_SAFE_INTEGER },
  routes: { [counter.path]: () => Response.json(counter.counters) },
});
await startHttpServer(api, { ...configuredHttpOptions(), host: "127.0.0.1" });
// Exits on the benchmark's SIGTERM, so that a --cpu-prof profile is written.
process.on("SIGTERM", () => process.exit(0));
process.send?.("ready");
