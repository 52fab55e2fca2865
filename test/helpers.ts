import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadSeed } from "../seeds/load.ts";
import { openDatabase, type Database } from "../src/db.ts";
import { createApi } from "../src/yoga.ts";

export interface TestApi {
  db: Database;
  /** SQL statements sent since the last `query` call began. */
  statements: string[];
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  close(): Promise<void>;
}

/** A database of its own for one test file: in-memory PGlite, or a new database on TEST_DATABASE_URL's server. */
export async function openTestDatabase(onQuery?: (sql: string) => void): Promise<{ db: Database; url?: string; drop(): Promise<void> }> {
  if (process.env.TEST_DB !== "postgres") {
    const db = await openDatabase({ dataDir: null, onQuery });
    return { db, drop: () => db.close() };
  }
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const name = `test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), onQuery });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startTestApi({ seed = true } = {}): Promise<TestApi> {
  const statements: string[] = [];
  const { db, drop } = await openTestDatabase((sql) => statements.push(sql));
  if (seed) await loadSeed(db.prisma);
  const api = createApi();
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
