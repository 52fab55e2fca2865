import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabase {
  /** Connection string of the socket server in front of PGlite. */
  url: string;
  /** True when this start created the database (initdb ran). */
  fresh: boolean;
  stop(): Promise<void>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Two processes can open one PGlite folder without any error and silently diverge: refuse that.
function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, "server.lock");
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8"));
    if (pid && pid !== process.pid && isRunning(pid)) {
      throw new Error(`The data folder ${dir} is in use by process ${pid}; stop it or set DATA_DIR to another folder`);
    }
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) on a data folder, or in memory when
 * `dataDir` is null, and serves it on 127.0.0.1 so Prisma and pg connect as to any server.
 */
export async function startEmbedded(dataDir: string | null, maxConnections = 20): Promise<EmbeddedDatabase> {
  let unlock = () => {};
  let fresh = true;
  let db: PGlite;
  // pg_trgm serves search; the migrations create it, as on a PostgreSQL server.
  const options = { extensions: { pg_trgm } };
  if (dataDir === null) {
    db = await PGlite.create(options);
  } else {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
    const pgdata = join(dir, "pgdata");
    fresh = !existsSync(join(pgdata, "PG_VERSION"));
    db = await PGlite.create(pgdata, options);
  }
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    fresh,
    async stop() {
      await server.stop();
      await db.close();
      unlock();
    },
  };
}
