import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadSeed } from "../seeds/load.ts";
import { startEmbedded } from "../src/database/embedded.ts";
import { openDatabase, type Database } from "../src/db.ts";
import { createApi, type ApiOptions } from "../src/yoga.ts";

export interface TestApi {
  db: Database;
  /** SQL statements sent since the last `query` call began. */
  statements: string[];
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  close(): Promise<void>;
}

/** An empty database of its own: in-memory PGlite, or a new database on TEST_DATABASE_URL's server. */
export async function createBlankDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (process.env.TEST_DB !== "postgres") {
    const embedded = await startEmbedded(null);
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const name = `test_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A migrated database of its own for one test file. */
export async function openTestDatabase(onQuery?: (sql: string) => void): Promise<{ db: Database; url: string; drop(): Promise<void> }> {
  const blank = await createBlankDatabase();
  const db = await openDatabase({ databaseUrl: blank.url, onQuery });
  return {
    db,
    url: blank.url,
    async drop() {
      await db.close();
      await blank.drop();
    },
  };
}

export async function startTestApi({ seed = true, options = {} }: { seed?: boolean; options?: ApiOptions } = {}): Promise<TestApi> {
  const statements: string[] = [];
  const { db, drop } = await openTestDatabase((sql) => statements.push(sql));
  if (seed) await loadSeed(db.prisma);
  const api = createApi(options);
  return {
    db,
    statements,
    async query(query, variables, headers = {}) {
      statements.length = 0;
      const response = await api.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json() };
    },
    close: drop,
  };
}
