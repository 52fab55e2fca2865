// Several API processes on one PostgreSQL server (and one Redis): a write through any of them, or
// through `npm run import`, is never answered stale from another one's response cache.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadSeed } from "../seeds/load.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { openTestDatabase } from "./helpers.ts";

const REDIS_URL = process.env.TEST_REDIS_URL;
const onServer = process.env.TEST_DB === "postgres";
const root = path.resolve(import.meta.dirname, "..");

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let writeKey: string;
const processes: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start`'s server in a process of its own; resolves with its base URL once /readyz answers. */
async function startInstance(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", MAX_QUERY_COST: "1000", RATE_LIMIT_PER_MINUTE: "1000", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  processes.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`instance exited with ${child.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("instance did not become ready");
}

beforeAll(async () => {
  if (!onServer) return;
  db = await openTestDatabase();
  await loadSeed(db.db.prisma);
  writeKey = await createApiKey(db.db.prisma, "scale-out-test", "WRITE");
}, 60_000);
afterAll(async () => {
  await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once("exit", resolve), child.kill("SIGTERM"))))));
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
    { input: { slug: "bekturov-institute", record: { city, citations: [{ source, quote: "scale-out test", confidence: "HIGH" }] }, reason: "scale-out test" } },
    // Node.js fetch sends Sec-Fetch-Mode like a browser, so a write needs the CSRF header too.
    { authorization: `Bearer ${writeKey}`, "x-graphql-yoga-csrf": "1" },
  );
  expect(body.data.organizationUpdate.userErrors).toEqual([]);
}

/** Asks `url` until it answers `city` (at most `ms`); returns how many answers were stale. */
async function staleAnswersUntil(url: string, city: string, ms: number): Promise<number> {
  const until = Date.now() + ms;
  for (let stale = 0; ; stale++) {
    if ((await query(url, CITY)).body.data.organization.city === city) return stale;
    if (Date.now() > until) throw new Error(`${url} still answers a stale city after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.runIf(onServer && REDIS_URL)("with Redis: a write on one instance is never answered stale by the other, and rate limits are shared", async () => {
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
}, 120_000);

test.runIf(onServer)("without Redis: each instance's own cache hears other processes' writes through PostgreSQL NOTIFY, npm run import included", async () => {
  const env = { REDIS_URL: "" };
  const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  await query(b, CITY);
  expect((await query(b, CITY)).cache).toBe("HIT");
  await setCity(a, "Almaty (second write)");
  // Delivered asynchronously, after the commit: the answer turns fresh within moments.
  expect(await staleAnswersUntil(b, "Almaty (second write)", 2000)).toBeLessThan(10);

  const folder = await mkdtemp(path.join(tmpdir(), "scale-out-"));
  try {
    const seeded = JSON.parse(await readFile(path.join(root, "seeds/data/organizations.json"), "utf8"));
    const bekturov = (Array.isArray(seeded) ? seeded : Object.values(seeded)[0] as unknown[]).find((o: any) => o.slug === "bekturov-institute") as object;
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
}, 120_000);
