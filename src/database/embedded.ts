import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabase {
  /** Connection string of the socket server in front of PGlite. */
  url: string;
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

const openInThisProcess = new Set<string>();

// Two PGlite instances can open one folder without any error and silently diverge: refuse that,
// within this process and across processes. A lock left by a dead process, or by an earlier run
// that had this same pid (pid 1 in a container), is stale.
function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, "server.lock");
  if (openInThisProcess.has(dir)) {
    throw new Error(`The data folder ${dir} is already open in this process`);
  }
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8"));
    if (pid && pid !== process.pid && isRunning(pid)) {
      throw new Error(`The data folder ${dir} is in use by process ${pid}: stop that server or set DATA_DIR to another folder`);
    }
  }
  writeFileSync(lockFile, String(process.pid));
  openInThisProcess.add(dir);
  return () => {
    rmSync(lockFile, { force: true });
    openInThisProcess.delete(dir);
  };
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) on a data folder, or in memory when
 * `dataDir` is null, and serves it on 127.0.0.1 so Prisma and pg connect as to any server.
 */
export async function startEmbedded(dataDir: string | null, maxConnections = 20): Promise<EmbeddedDatabase> {
  let unlock = () => {};
  let db: PGlite;
  // pg_trgm serves search; the migrations create it, as on a PostgreSQL server.
  const options = { extensions: { pg_trgm } };
  if (dataDir === null) {
    db = await PGlite.create(options);
  } else {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
    db = await PGlite.create(join(dir, "pgdata"), options);
  }
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
      unlock();
    },
  };
}
