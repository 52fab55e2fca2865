// A real primary and a streaming standby, made for this test with PostgreSQL's own tools (initdb,
// pg_basebackup), behind one API process with DATABASE_REPLICA_URLS and its response cache on.
// Replay on the standby is paused to make it lag on purpose.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadSeed } from "../seeds/load.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { openDatabase } from "../src/db.ts";
import { falseUntilTrue, freePort, type ServerProcess, spawnServer } from "./server-helpers.ts";

const run = promisify(execFile);
const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(`${dir}/initdb`));
// PostgreSQL refuses to run as root: as root, its tools run as the postgres user.
const asRoot = process.getuid?.() === 0;
const pgTool = (tool: string, args: string[]) =>
  asRoot ? run("runuser", ["-u", "postgres", "--", `${bin}/${tool}`, ...args]) : run(`${bin}/${tool}`, args);

let folder: string;
const clusters: string[] = [];
let server: ServerProcess | undefined;
let standby: pg.Client;
let writeKey: string;

async function startCluster(dataDir: string, port: number) {
  await pgTool("pg_ctl", [
    "-D",
    dataDir,
    "-l",
    `${dataDir}.log`,
    "-w",
    "-o",
    `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`,
    "start",
  ]);
  clusters.push(dataDir);
}

beforeAll(async () => {
  if (!bin || process.env.TEST_DB !== "postgres") return;
  folder = await mkdtemp(path.join(tmpdir(), "streaming-replica-"));
  if (asRoot)
    await chown(folder, Number((await run("id", ["-u", "postgres"])).stdout), Number((await run("id", ["-g", "postgres"])).stdout));
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  await pgTool("initdb", ["-D", `${folder}/primary`, "-A", "trust", "-U", "postgres"]);
  await appendFile(`${folder}/primary/pg_hba.conf`, "host replication all 127.0.0.1/32 trust\n");
  await startCluster(`${folder}/primary`, primaryPort);
  await pgTool("pg_basebackup", [
    "-h",
    "127.0.0.1",
    "-p",
    String(primaryPort),
    "-U",
    "postgres",
    "-D",
    `${folder}/standby`,
    "-R",
    "-X",
    "stream",
  ]);
  await startCluster(`${folder}/standby`, standbyPort);
  const [primaryUrl, standbyUrl] = [primaryPort, standbyPort].map((port) => `postgresql://postgres@127.0.0.1:${port}/postgres`);
  const db = await openDatabase({ databaseUrl: primaryUrl });
  await loadSeed(db.prisma);
  writeKey = await createApiKey(db.prisma, "replica-test", "WRITE");
  await db.close();
  standby = new pg.Client({ connectionString: standbyUrl });
  await standby.connect();
  server = await spawnServer({ DATABASE_URL: primaryUrl, DATABASE_REPLICA_URLS: standbyUrl, REDIS_URL: "", RESPONSE_CACHE: "on" });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await standby?.end();
  for (const dataDir of clusters.reverse()) await pgTool("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => {});
  if (folder) await rm(folder, { recursive: true, force: true });
}, 60_000);

const CITY = `{ organization(slug: "bekturov-institute") { city } }`;

async function graphql(query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${server!.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  expect(body.errors).toBeUndefined();
  return { data: body.data, cache: response.headers.get("x-cache") };
}

test.runIf(bin && process.env.TEST_DB === "postgres")(
  "a lagging replica cannot leave a stale answer in the cache: it is invalidated again once the replica has replayed the write",
  async () => {
    const city = async () => (await graphql(CITY)).data.organization.city;
    const before = await city();
    expect((await graphql(CITY)).cache).toBe("HIT");

    await standby.query("SELECT pg_wal_replay_pause()");
    const source = (await graphql(`{ sources(first: 1) { edges { node { url } } } }`)).data.sources.edges[0].node.url;
    const { data } = await graphql(
      `mutation ($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { organization { city } userErrors { message } } }`,
      {
        input: {
          slug: "bekturov-institute",
          record: { city: "Almaty (replicated)", citations: [{ source, quote: "replica test", confidence: "HIGH" }] },
          reason: "replica test",
        },
      },
      { authorization: `Bearer ${writeKey}`, "x-graphql-yoga-csrf": "1" },
    );
    // The mutation's payload is read from the primary; queries read the paused replica.
    expect(data.organizationUpdate).toEqual({ organization: { city: "Almaty (replicated)" }, userErrors: [] });
    const lagging = await graphql(CITY);
    expect(lagging).toEqual({ data: { organization: { city: before } }, cache: "MISS" });
    expect((await graphql(CITY)).cache).toBe("HIT");

    await standby.query("SELECT pg_wal_replay_resume()");
    await falseUntilTrue(async () => (await city()) === "Almaty (replicated)", 5000, "the cache still holds the replica's stale answer");
  },
  60_000,
);
