import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { startEmbedded } from "./database/embedded.ts";
import { migrate } from "./database/migrate.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

export interface Database {
  prisma: PrismaClient;
  /** The connection pool under Prisma, for pool metrics. */
  pool: pg.Pool;
  embedded: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL server; without it the embedded PGlite database is used. */
  databaseUrl?: string;
  /** Embedded database folder; null keeps it in memory. */
  dataDir?: string | null;
  /** Called once for every SQL statement sent (used to count statements per request). */
  onQuery?: (sql: string) => void;
  poolSize?: number;
  /**
   * PostgreSQL's statement_timeout for every connection. The embedded PGlite accepts the setting
   * but cannot enforce it (WebAssembly has no timer interrupt), so there only the API's own
   * execution timeout applies.
   */
  statementTimeoutMs?: number;
}

let current: PrismaClient | undefined;

/** The application's PrismaClient, set by openDatabase. */
export function prisma(): PrismaClient {
  if (!current) throw new Error("The database is not open: call openDatabase() first");
  return current;
}

/** Opens the server or embedded database, applies pending migrations and returns its client. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const poolSize = options.poolSize ?? 10;
  const embedded = options.databaseUrl ? undefined : await startEmbedded(options.dataDir ?? null, poolSize + 2);
  const url = options.databaseUrl ?? embedded!.url;
  try {
    await migrate(url);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: options.statementTimeoutMs ? `-c statement_timeout=${options.statementTimeoutMs}` : undefined,
  });
  const client = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    log: options.onQuery ? [{ emit: "event", level: "query" }] : [],
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    (client as unknown as { $on(e: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) =>
      onQuery(e.query),
    );
  }
  current = client;
  return {
    prisma: client,
    pool,
    embedded: Boolean(embedded),
    async close() {
      // Prisma ends the pool; one already ended (the database was lost) must not stop a shutdown.
      if (!pool.ended) await client.$disconnect();
      await embedded?.stop();
      if (current === client) current = undefined;
    },
  };
}
