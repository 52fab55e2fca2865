// This API as the benchmark runs it: the real createApi() on node:http, with statement counting.
import { createServer } from "node:http";
import pg from "pg";
import { openDatabase } from "../../src/db.ts";
import { createApi } from "../../src/yoga.ts";
import { countStatements } from "./count-statements.ts";

const counter = countStatements(pg);
await openDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: Number(process.env.POOL_SIZE ?? 10) });
const api = createApi();
createServer((req, res) => counter.handle(req, res) || api(req, res)).listen(Number(process.env.PORT), "127.0.0.1", () =>
  process.send?.("ready"),
);
