import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { memoryStore, type RateLimitStore, redisStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";

// Redis runs at 127.0.0.1:6379 on the project's machines and in CI; elsewhere these tests say so and skip.
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const redisUp = await new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(REDIS_URL);
  const socket = connect(Number(port || 6379), hostname, () => (socket.end(), resolve(true)));
  socket.on("error", () => resolve(false));
  socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
});
if (!redisUp) console.warn(`Redis not reachable at ${REDIS_URL}: the shared rate-limit tests are skipped`);

const prefix = `test:${randomUUID()}:`;
afterAll(async () => {
  if (!redisUp) return;
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const stores: Array<[string, () => RateLimitStore]> = [
  ["memory", () => memoryStore()],
  ...(redisUp ? [["redis", () => redisStore(REDIS_URL, prefix)] as [string, () => RateLimitStore]] : []),
];

describe.each(stores)("token bucket in %s", (name, make) => {
  test("spends, refuses with the wait, and refills at the budget's rate", async () => {
    const store = make();
    const key = `${name}-${randomUUID()}`;
    expect(await store.take(key, 550, 600)).toEqual({ allowed: true, remaining: 50, retryAfter: 0, reset: 55 });
    const refused = await store.take(key, 100, 600);
    expect(refused).toMatchObject({ allowed: false, retryAfter: 5 });
    expect(refused.remaining).toBeGreaterThanOrEqual(50);
    await new Promise((r) => setTimeout(r, 300)); // 600 a minute: 10 points a second
    const later = await store.take(key, 50, 600);
    expect(later.allowed).toBe(true);
    expect(later.remaining).toBeGreaterThanOrEqual(2);
    expect(later.remaining).toBeLessThan(50);
    await store.close();
  });

  test("a bucket with a longer period refills over that period", async () => {
    const store = make();
    const key = `${name}-${randomUUID()}`;
    const tenMinutes = 10 * 60_000;
    for (let i = 0; i < 5; i++) expect((await store.take(key, 1, 5, tenMinutes)).allowed).toBe(true);
    // 5 points in ten minutes: one every two minutes.
    expect(await store.take(key, 1, 5, tenMinutes)).toMatchObject({ allowed: false, remaining: 0, retryAfter: 120, reset: 600 });
    await store.close();
  });
});

test.runIf(redisUp)("two server instances sharing Redis spend one budget", async () => {
  const instances = [1, 2].map(() => createApi({ rateLimitStore: redisStore(REDIS_URL, prefix), limits: { perMinute: 5 } }));
  const ask = (i: number) => instances[i].fetch("http://localhost/graphql?query=%7B__typename%7D");
  const statuses: number[] = [];
  for (const i of [0, 1, 0, 1, 0, 1, 0]) statuses.push((await ask(i)).status);
  // One request costs 1 point: the fifth request overall spends the shared budget of 5, on either instance.
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  const refused = await ask(0);
  expect(refused.headers.get("ratelimit-remaining")).toBe("0");
  expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  await Promise.all(instances.map((api) => api.dispose()));
});

test("Redis unreachable: budgets are spent in this process's memory", async () => {
  const store = redisStore("redis://127.0.0.1:1", prefix);
  expect(await store.take("anyone", 60, 100)).toMatchObject({ allowed: true, remaining: 40 });
  expect(await store.take("anyone", 60, 100)).toMatchObject({ allowed: false, remaining: 40 });
  await store.close();
});
