// Redis is an accelerator, never a dependency: with the API's Redis frozen or down, requests are
// answered from the database at the speed they had with Redis, and rate limits still hold, in
// each process's memory. (Redis restarted from old saved data: test/scale-out.test.ts.)
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { redisPersistedQueries } from "../src/cache/persisted-queries.ts";
import { redisCacheStore } from "../src/cache/store.ts";
import { type HttpServer, startHttpServer } from "../src/http/server.ts";
import { redisStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";
import { type RedisProcess, startRedis } from "./server-helpers.ts";

const BUDGET = 60;
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let redis: RedisProcess;
let api: ReturnType<typeof createApi>;
let server: HttpServer;

beforeAll(async () => {
  db = await openTestDatabase({ seed: true });
});
afterAll(() => db.drop());

// Each test has a Redis of its own, and a server whose every store is in it.
beforeEach(async () => {
  redis = await startRedis();
  api = createApi({
    rateLimitStore: redisStore(redis.url, "ratelimit:"),
    responseCacheStore: redisCacheStore(redis.url, "cache:", 60),
    persistedQueryStore: redisPersistedQueries(redis.url, "apq:", 60),
    limits: { perMinute: BUDGET, maxCost: BUDGET },
  });
  server = await startHttpServer(api, {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: 100_000,
    requestTimeoutMs: 2000,
    trustProxy: false,
    drainTimeoutMs: 3000,
  });
});
afterEach(async () => {
  await server.stop();
  await api.dispose();
  await redis.stop();
});

let asked = 0;

/** A question no request asked before, so the database answers it; fails after 5 s without an answer. */
async function askUncached() {
  const alias = `q${asked++}`;
  const start = performance.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `{ ${alias}: organization(slug: "bekturov-institute") { slug } }` }),
    signal: AbortSignal.timeout(5000),
  });
  expect(await response.json()).toEqual({ data: { [alias]: { slug: "bekturov-institute" } }, extensions: expect.anything() });
  return performance.now() - start;
}

/** The slowest of five uncached requests. */
async function slowestOfFive() {
  const times = [];
  for (let i = 0; i < 5; i++) times.push(await askUncached());
  return Math.max(...times);
}

/** Requests until one is refused (at most 2 × BUDGET); the number of requests let through. */
async function letThroughUntilRefused() {
  for (let i = 0; i < 2 * BUDGET; i++) {
    const response = await fetch(`${server.url}/graphql?query=%7B__typename%7D`, { signal: AbortSignal.timeout(5000) });
    if (response.status === 429) return i;
    expect(response.status).toBe(200);
  }
  return Infinity;
}

test("Redis down: a query answered from stored bytes before is answered again from the database, uncached", async () => {
  const ask = async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ organization(slug: "kazakhmys") { slug } }` }),
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).data).toEqual({ organization: { slug: "kazakhmys" } });
    return response.headers.get("x-cache");
  };
  expect([await ask(), await ask(), await ask()]).toEqual(["MISS", "HIT", "HIT"]);
  await redis.kill();
  expect([await ask(), await ask()]).toEqual(["MISS", "MISS"]);
});

// The largest extra time a request may take: one command timeout of the first request that meets
// the fault, and room for a busy machine.
const SLACK_MS = 500;

test("Redis down: answers come from the database as fast as with Redis, and rate limits hold in this process", async () => {
  await askUncached();
  const withRedis = await slowestOfFive();
  await redis.kill();
  expect(await slowestOfFive()).toBeLessThan(withRedis + SLACK_MS);
  expect(await letThroughUntilRefused()).toBeLessThan(BUDGET);
});

test("Redis frozen (SIGSTOP): requests are still answered promptly, and rate limits hold in this process", async () => {
  await askUncached();
  const withRedis = await slowestOfFive();
  redis.freeze();
  expect(await slowestOfFive()).toBeLessThan(withRedis + SLACK_MS);
  expect(await letThroughUntilRefused()).toBeLessThan(BUDGET);
});
