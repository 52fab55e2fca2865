import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CSRF_HEADER } from "../src/auth/guard.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { migrate } from "../src/database/migrate.ts";
import { createScratchDatabase, type ScratchDatabase } from "../src/database/scratch.ts";
import { type Database, databaseClients, openDatabase } from "../src/db.ts";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { watchPools } from "../src/http/metrics.ts";
import { type HttpServer, startHttpServer } from "../src/http/server.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";

// The server has one PostgreSQL server: a second database, never written by the API, stands in for
// a replica. A record put only there shows where reads go; one absent there shows where writes go.
describe.runIf(process.env.TEST_DB === "postgres")("with DATABASE_REPLICA_URLS", () => {
  let primaryDb: ScratchDatabase;
  let replicaDb: ScratchDatabase;
  let db: Database;
  let primary: PrismaClient;
  let replica: PrismaClient;
  let http: HttpServer;
  let api: ReturnType<typeof createApi>;
  let key: string;

  beforeAll(async () => {
    primaryDb = await createScratchDatabase(process.env.TEST_DATABASE_URL, "test");
    replicaDb = await createScratchDatabase(process.env.TEST_DATABASE_URL, "test");
    await migrate(replicaDb.url);
    db = await openDatabase({ databaseUrl: primaryDb.url, replicaUrls: [replicaDb.url] });
    ({ primary, replica1: replica } = databaseClients());
    watchPools(db.pools);
    key = await createApiKey(db.prisma, "newsroom", "WRITE");
    for (const client of [primary, replica])
      await client.source.create({ data: { url: "https://example.org/report", title: "A report", language: "en" } });
    const developer = await replica.organization.create({
      data: { slug: "replica-institute", kind: "RESEARCH_INSTITUTE", nameEn: "Replica Institute" },
    });
    await replica.method.create({
      data: {
        slug: "replica-leaching",
        title: "Replica heap leaching",
        category: "WASTE_PROCESSING",
        developers: { connect: { id: developer.id } },
      },
    });
    // No response cache: every answer here must come from a database.
    api = createApi({ rateLimitStore: memoryStore(), responseCacheStore: null });
    http = await startHttpServer(api, {
      port: 0,
      host: "127.0.0.1",
      maxBodyBytes: 100_000,
      requestTimeoutMs: 2000,
      trustProxy: false,
      drainTimeoutMs: 3000,
    });
  });
  afterAll(async () => {
    await http?.stop();
    await api?.dispose();
    await db?.close();
    await primaryDb?.drop();
    await replicaDb?.drop();
  });

  async function graphql(query: string, variables?: object, headers: Record<string, string> = {}) {
    const response = await fetch(`${http.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  test("reads go to the replica: records, nested pages (raw SQL) and search", async () => {
    const data = await graphql(`{
      organization(slug: "replica-institute") { name methods(first: 5) { totalCount edges { node { title } } } }
      search(query: "Replica Institute", types: [ORGANIZATION]) { totalCount edges { node { ... on Organization { slug } } } }
    }`);
    expect(data).toEqual({
      organization: { name: "Replica Institute", methods: { totalCount: 1, edges: [{ node: { title: "Replica heap leaching" } }] } },
      search: { totalCount: 1, edges: [{ node: { slug: "replica-institute" } }] },
    });
    expect(await primary.organization.count()).toBe(0);
  });

  test("a mutation writes to the primary and reads its payload, history included, from there", async () => {
    const data = await graphql(
      `mutation ($input: OrganizationCreateInput!) {
        organizationCreate(input: $input) { organization { slug history(first: 5) { totalCount } } userErrors { code } }
      }`,
      {
        input: {
          record: {
            slug: "primary-institute",
            kind: "RESEARCH_INSTITUTE",
            nameEn: "Primary Institute",
            citations: [{ source: "https://example.org/report", quote: "Primary Institute", confidence: "HIGH" }],
          },
          reason: "added in a test",
        },
      },
      { authorization: `Bearer ${key}`, [CSRF_HEADER]: "1" }, // Node's fetch sends sec-fetch-mode, as a browser does
    );
    expect(data.organizationCreate).toEqual({ organization: { slug: "primary-institute", history: { totalCount: 1 } }, userErrors: [] });
    expect(await primary.organization.findUnique({ where: { slug: "primary-institute" } })).not.toBeNull();
    expect(await replica.organization.findUnique({ where: { slug: "primary-institute" } })).toBeNull();
    // This stand-in never catches up, as a lagging replica has not yet: a query does not see the write.
    expect(await graphql(`{ organization(slug: "primary-institute") { slug } }`)).toEqual({ organization: null });
  });

  test("/readyz checks the replica's migrations, and /metrics reports its pool", async () => {
    expect(await (await fetch(`${http.url}/readyz`)).json()).toEqual({ status: "ready" });
    expect(await (await fetch(`${http.url}/metrics`)).text()).toMatch(/db_pool_connections\{pool="replica1",state="total"\} [1-9]/);
    const [last] = await replica.$queryRaw<{ migration_name: string }[]>`
      DELETE FROM "_prisma_migrations" WHERE id = (SELECT id FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1) RETURNING migration_name`;
    const ready = await fetch(`${http.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "migrations pending", database: "replica1", pending: [last.migration_name] });
  });
});

test("DATABASE_REPLICA_URLS is refused with the bad entry named (password hidden), and without DATABASE_URL", async () => {
  const configure = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "src/env.ts"], { env: { ...process.env, DATABASE_URL: "", ...env } }).then(
      () => "",
      (error: { code: number; stderr: string }) => `${error.code}: ${error.stderr}`,
    );
  const badEntry = await configure({
    DATABASE_URL: "postgresql://db/main",
    DATABASE_REPLICA_URLS: "postgresql://r1/main, mysql://reader:s3cret@r2/main",
  });
  expect(badEntry).toContain(
    '1: Invalid configuration:\n  DATABASE_REPLICA_URLS: entry 2 ("mysql://reader:***@r2/main") must be a postgres:// or postgresql:// connection string',
  );
  expect(badEntry).not.toContain("s3cret");
  expect(await configure({ DATABASE_REPLICA_URLS: "postgresql://r1/main" })).toContain(
    "DATABASE_REPLICA_URLS: needs DATABASE_URL, the primary: the embedded database has no replicas",
  );
  expect(
    await configure({ DATABASE_URL: "postgresql://db/main", DATABASE_REPLICA_URLS: "postgresql://r1/main,postgresql://r2/main" }),
  ).toBe("");
});
