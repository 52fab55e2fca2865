// Latency of `search` on a database, in-process and without the response cache, and the plan of
// its SQL statement (EXPLAIN ANALYZE):
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/synth_1m npx tsx scripts/search-latency.ts \
//     ["Synthetic method 777" "method 777" ...]
//
// For each query: 5 warm-up requests, then 50 timed ones one after another (p50, p99), then
// EXPLAIN (ANALYZE, BUFFERS) of the search statement with the same parameters.
import { openDatabase } from "../src/db.ts";
import { env } from "../src/env.ts";
import { searchTypes } from "../src/schema/search/searchable.ts";
import { SEARCH_SETTINGS, searchStatement } from "../src/schema/search/sql.ts";
import { createApi } from "../src/yoga.ts";

const queries = process.argv.length > 2 ? process.argv.slice(2) : ["Synthetic method 777", "method 777", "Synthtic instute"];
const FIRST = 20;
const WARM_UP = 5;
const RUNS = 50;
const QUERY = `query ($q: String!, $n: Int) { search(query: $q, first: $n) { totalCount totalCountIsExact edges { score matchedField node { __typename } } } }`;

const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: null });
const api = createApi({ responseCacheStore: null, limits: { perMinute: 1e9 } });

async function request(q: string) {
  const response = await api.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: QUERY, variables: { q, n: FIRST } }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data.search;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

console.log(`database: ${env.DATABASE_URL ?? "embedded"}; first: ${FIRST}; ${RUNS} requests after ${WARM_UP} warm-up`);
for (const q of queries) {
  for (let i = 0; i < WARM_UP; i++) await request(q);
  const times: number[] = [];
  let result: Awaited<ReturnType<typeof request>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    result = await request(q);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const prisma = db.prisma;
  const [sql, ...params] = searchStatement(q, searchTypes, FIRST + 1, 0);
  const [, plan] = await prisma.$transaction([
    prisma.$queryRawUnsafe(SEARCH_SETTINGS),
    prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, ...params),
  ]);
  const execution = plan.map((row) => row["QUERY PLAN"]).find((line) => line.startsWith("Execution Time"));
  const top = result.edges.slice(0, 3).map((e: { score: number; node: { __typename: string } }) => `${e.node.__typename} ${e.score}`);
  console.log(
    `${JSON.stringify(q)}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms; ` +
      `statement ${execution}; totalCount ${result.totalCount} (exact: ${result.totalCountIsExact}); top: ${top.join(", ")}`,
  );
}
await db.close();
