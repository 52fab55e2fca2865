import { randomBytes } from "node:crypto";
import { openAsBlob } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbedded } from "./embedded.ts";

export interface ScratchDatabase {
  url: string;
  /**
   * Keeps what the database holds now as an image that `createScratchDatabase` can start other
   * databases from. Nothing may be connected to the database meanwhile.
   */
  saveImage(): Promise<ScratchImage>;
  drop(): Promise<void>;
}

export interface ScratchImage {
  /** A template database's name on the server, or the path of a PGlite data folder tarball. */
  id: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * An empty database for a test or a benchmark: a new database named `<prefix>_<random>` on the
 * PostgreSQL server at `serverUrl`, or an in-memory PGlite when no server is given; a copy of
 * `image` (see `saveImage`) when one is given.
 */
export async function createScratchDatabase(serverUrl: string | undefined, prefix: string, image?: string): Promise<ScratchDatabase> {
  if (!serverUrl) {
    const embedded = await startEmbedded(null, { loadDataDir: image ? await openAsBlob(image) : undefined });
    return {
      url: embedded.url,
      async saveImage() {
        // Written out of the data files, so each copy starts without replaying the log.
        await onServer(embedded.url, "CHECKPOINT");
        const dir = await mkdtemp(join(tmpdir(), "pglite-image-"));
        const file = join(dir, "pgdata.tar");
        await writeFile(file, Buffer.from(await (await embedded.dumpDataDir!()).arrayBuffer()));
        return { id: file, drop: () => rm(dir, { recursive: true, force: true }) };
      },
      drop: () => embedded.stop(),
    };
  }
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}${image ? ` TEMPLATE ${image}` : ""}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = (database: string) => onServer(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  return {
    url: url.toString(),
    async saveImage() {
      const copy = `${name}_image_${randomBytes(3).toString("hex")}`;
      await onServer(serverUrl, `CREATE DATABASE ${copy} TEMPLATE ${name}`);
      return { id: copy, drop: () => drop(copy) };
    },
    drop: () => drop(name),
  };
}
