// Several API processes on one PostgreSQL server (and one Redis): a write through any of them, or
// through `npm run import`, is never answered stale from another one's response cache.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { readWhileWriting } from "./concurrent-load.ts";
import { openTestDatabase } from "./helpers.ts";
import { falseUntilTrue, type ServerProcess, spawnServer, startRedis } from "./server-helpers.ts";

const REDIS_URL = process.env.TEST_REDIS_URL;
const onServer = process.env.TEST_DB === "postgres";
const root = path.resolve(import.meta.dirname, "..");
/** Long enough for a NOTIFY to reach every listener on this machine's PostgreSQL. */
const NOTIFY_DELIVERED_MS = 300;

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let writeKey: string;
const instances: ServerProcess[] = [];

async function startInstance(env: Record<string, string>): Promise<string> {
  const instance = await spawnServer({ DATABASE_URL: db.url, MAX_QUERY_COST: "1000", RATE_LIMIT_PER_MINUTE: "1000", ...env });
  instances.push(instance);
  return instance.url;
}

beforeAll(async () => {
  if (!onServer) return;
  db = await openTestDatabase({ seed: true });
  writeKey = await createApiKey(db.db.prisma, "scale-out-test", "WRITE");
}, 60_000);
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await db?.drop();
}, 30_000);

const CITY = `{ organization(slug: "bekturov-institute") { city } }`;

async function query(url: string, query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  expect(body.errors).toBeUndefined();
  return { body, cache: response.headers.get("x-cache"), remaining: Number(response.headers.get("ratelimit-remaining")) };
}

async function setCity(url: string, city: string) {
  const source = (await db.db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
  const { body } = await query(
    url,
    `mutation ($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { userErrors { field message } } }`,
    {
      input: {
        slug: "bekturov-institute",
        record: { city, citations: [{ source, quote: "scale-out test", confidence: "HIGH" }] },
        reason: "scale-out test",
      },
    },
    // Node.js fetch sends Sec-Fetch-Mode like a browser, so a write needs the CSRF header too.
    { authorization: `Bearer ${writeKey}`, "x-graphql-yoga-csrf": "1" },
  );
  expect(body.data.organizationUpdate.userErrors).toEqual([]);
}

/** How many stale answers `url` gives before it answers `city` (at most `ms`). */
const staleAnswersUntil = (url: string, city: string, ms: number) =>
  falseUntilTrue(async () => (await query(url, CITY)).body.data.organization.city === city, ms, `${url} still answers a stale city`);

test.runIf(onServer && REDIS_URL)(
  "with Redis: a write on one instance is never answered stale by the other, and rate limits are shared",
  async () => {
    const env = { REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: `kzgraph-test:${process.pid}:${Date.now()}:` };
    const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    await query(b, CITY);
    const cachedOnB = await query(b, CITY);
    expect(cachedOnB.cache).toBe("HIT");
    const cachedOnA = await query(a, CITY);
    expect(cachedOnA.cache).toBe("HIT");
    expect(cachedOnA.remaining).toBeLessThan(cachedOnB.remaining);

    await setCity(a, "Almaty (first write)");
    const afterWrite = await query(b, CITY);
    expect(afterWrite.body.data.organization.city).toBe("Almaty (first write)");
    expect(afterWrite.cache).toBe("MISS");
    expect((await query(b, CITY)).cache).toBe("HIT");
    // The write's NOTIFY reaches both instances; the Redis cache it names was invalidated already.
    await new Promise((resolve) => setTimeout(resolve, NOTIFY_DELIVERED_MS));
    expect([(await query(a, CITY)).cache, (await query(b, CITY)).cache]).toEqual(["HIT", "HIT"]);
  },
  120_000,
);

test.runIf(onServer && REDIS_URL)(
  "with Redis: readers on one instance asking the same bytes while writers write through the other: no answer older than an acknowledged write",
  async () => {
    const env = { REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: `kzgraph-test:${process.pid}:${Date.now()}:`, RATE_LIMIT_PER_MINUTE: "1000000" };
    const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    const source = (await db.db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
    const organizations = ["kazakhmys", "erg"];
    const { problems, reads, hits } = await readWhileWriting({
      readUrl: b,
      writeUrl: a,
      writeKey,
      source,
      organizations,
      writes: 8,
      readers: 4,
    });
    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(8);
    expect(hits).toBeGreaterThan(0);
  },
  120_000,
);

test.runIf(onServer)(
  "Redis restarted from data saved before a write made while it was down: no instance serves the answer cached before the write",
  async () => {
    const redis = await startRedis();
    try {
      const [a, b] = await Promise.all([startInstance({ REDIS_URL: redis.url }), startInstance({ REDIS_URL: redis.url })]);
      await query(b, CITY);
      expect((await query(b, CITY)).cache).toBe("HIT");
      const client = new Redis(redis.url);
      await client.save();
      client.disconnect();
      await redis.kill();
      await setCity(a, "Almaty (written while Redis was down)");
      await redis.restart();
      // B is back on Redis once an answer it caches there is served from it.
      const asked = `{ __typename }`;
      await falseUntilTrue(async () => (await query(b, asked)).cache === "HIT", 10_000, "B does not use Redis again");
      expect(await query(b, CITY)).toMatchObject({
        body: { data: { organization: { city: "Almaty (written while Redis was down)" } } },
        cache: "MISS",
      });
      expect((await query(b, CITY)).cache).toBe("HIT");
    } finally {
      await redis.stop();
    }
  },
  120_000,
);

test.runIf(onServer)(
  "without Redis: each instance's own cache hears other processes' writes through PostgreSQL NOTIFY, npm run import included",
  async () => {
    const env = { REDIS_URL: "" };
    const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    await query(b, CITY);
    expect((await query(b, CITY)).cache).toBe("HIT");
    await setCity(a, "Almaty (second write)");
    expect(await query(a, CITY)).toMatchObject({ body: { data: { organization: { city: "Almaty (second write)" } } }, cache: "MISS" });
    // Delivered asynchronously, after the commit: the answer turns fresh within moments.
    expect(await staleAnswersUntil(b, "Almaty (second write)", 2000)).toBeLessThan(10);
    // The writer hears its own NOTIFY too, but its cache was invalidated at the commit already.
    await new Promise((resolve) => setTimeout(resolve, NOTIFY_DELIVERED_MS));
    expect((await query(a, CITY)).cache).toBe("HIT");

    const folder = await mkdtemp(path.join(tmpdir(), "scale-out-"));
    try {
      const seeded = JSON.parse(await readFile(path.join(root, "seeds/data/organizations.json"), "utf8"));
      const bekturov = (Array.isArray(seeded) ? seeded : (Object.values(seeded)[0] as unknown[])).find(
        (o: any) => o.slug === "bekturov-institute",
      ) as object;
      const file = path.join(folder, "organizations.ndjson");
      await writeFile(file, `${JSON.stringify({ ...bekturov, city: "Almaty (imported)" })}\n`);
      const importer = spawn(process.execPath, ["--import", "tsx", "src/cli/import.ts", file, "--reason", "scale-out test"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "inherit"],
      });
      expect(await new Promise((resolve) => importer.once("exit", resolve))).toBe(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(await staleAnswersUntil(a, "Almaty (imported)", 2000)).toBeLessThan(10);
    expect(await staleAnswersUntil(b, "Almaty (imported)", 2000)).toBeLessThan(10);
  },
  120_000,
);
