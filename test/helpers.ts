import { openAsBlob } from "node:fs";
import { inject } from "vitest";
import { loadSeed } from "../seeds/load.ts";
import { startEmbedded } from "../src/database/embedded.ts";
import { createScratchDatabase, type ScratchDatabase } from "../src/database/scratch.ts";
import { type Database, openDatabase } from "../src/db.ts";
import { type ApiOptions, createApi } from "../src/yoga.ts";
import type { DatabaseContent } from "./global-setup.ts";

export interface TestApi {
  db: Database;
  /** Connection string of the test database, for a command-line tool run against it. */
  url: string;
  /** SQL statements sent since the last `query` call began. */
  statements: string[];
  query<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  close(): Promise<void>;
}

const serverUrl = () => (process.env.TEST_DB === "postgres" ? process.env.TEST_DATABASE_URL : undefined);

/** The image test/global-setup.ts made of a database with this content, when it ran. */
const imageOf = (content: DatabaseContent): string | undefined => inject("databaseImages")?.[process.env.TEST_DB ?? "pglite"]?.[content];

/** An empty database of its own: in-memory PGlite, or a new database on TEST_DATABASE_URL's server. */
export function createBlankDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase(serverUrl(), "test", imageOf("empty"));
}

/** The embedded database's image with this content, for `startEmbedded`'s `loadDataDir`, when this run made it. */
export async function pgliteImage(content: DatabaseContent): Promise<Blob | undefined> {
  const image = inject("databaseImages")?.pglite?.[content];
  return image ? openAsBlob(image) : undefined;
}

/**
 * Fills a new embedded data folder (DATA_DIR) with the seeded image, so that a server started on it
 * skips the first start's initdb and seed. Without the image (not made this run), it stays empty.
 */
export async function fillSeededDataFolder(dir: string): Promise<void> {
  const loadDataDir = await pgliteImage("seeded");
  if (loadDataDir) await (await startEmbedded(dir, { loadDataDir })).stop();
}

/** A migrated database of its own for one test file, holding the seed dataset with `seed`. */
export async function openTestDatabase({
  seed = false,
  onQuery,
}: {
  seed?: boolean;
  onQuery?: (sql: string) => void;
} = {}): Promise<{ db: Database; url: string; drop(): Promise<void> }> {
  const image = imageOf(seed ? "seeded" : "migrated");
  const scratch = await createScratchDatabase(serverUrl(), "test", image);
  const db = await openDatabase({ databaseUrl: scratch.url, onQuery });
  if (seed && !image) await loadSeed(db.prisma);
  return {
    db,
    url: scratch.url,
    async drop() {
      await db.close();
      await scratch.drop();
    },
  };
}

export async function startTestApi({ seed = true, options = {} }: { seed?: boolean; options?: ApiOptions } = {}): Promise<TestApi> {
  const statements: string[] = [];
  const { db, url, drop } = await openTestDatabase({ seed, onQuery: (sql) => statements.push(sql) });
  const api = createApi(options);
  return {
    db,
    url,
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
    // Disposed too: its cache's change listener would otherwise outlive the file in a shared worker.
    async close() {
      await api.dispose();
      await drop();
    },
  };
}
