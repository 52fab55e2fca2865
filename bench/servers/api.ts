// This API as the benchmark runs it: the real createApi() on node:http, with statement counting.
import { createServer } from "node:http";
import pg from "pg";
import { openDatabase } from "../../src/db.ts";
import { createApi } from "../../src/yoga.ts";
import { countStatements } from "./count-statements.ts";

const counter = countStatements(pg);
await openDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: Number(process.env.POOL_SIZE ?? 10) });
// The benchmark measures throughput, so the per-client rate limit (one client here: autocannon) is lifted;
// every other limit (cost, depth, timeouts) stays as in production.
const api = createApi({ limits: { perMinute: Number.MAX_SAFE_INTEGER, keyPerMinute: Number.MAX_SAFE_INTEGER } });
createServer((req, res) => counter.handle(req, res) || api(req, res)).listen(Number(process.env.PORT), "127.0.0.1", () =>
  process.send?.("ready"),
);
