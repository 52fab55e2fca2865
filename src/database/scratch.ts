import { randomBytes } from "node:crypto";
import pg from "pg";
import { startEmbedded } from "./embedded.ts";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database for a test or a benchmark: a new database named `<prefix>_<random>` on the
 * PostgreSQL server at `serverUrl`, or an in-memory PGlite when no server is given.
 */
export async function createScratchDatabase(serverUrl: string | undefined, prefix: string): Promise<ScratchDatabase> {
  if (!serverUrl) {
    const embedded = await startEmbedded(null);
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
