import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { readReplicas } from "@prisma/extension-read-replicas";
import pg from "pg";
import { startEmbedded } from "./database/embedded.ts";
import { CONNECT_TIMEOUT_MS, migrate } from "./database/migrate.ts";
import { Prisma, PrismaClient } from "./generated/prisma/client.ts";

/**
 * The application's client with the read-replica extension's routing: `$primary()` for reads that
 * must see the latest writes, `$replica()` for read-only raw SQL (Prisma sends raw SQL to the
 * primary, as it cannot tell a read from a write). Without replicas both are the primary.
 */
export type Client = PrismaClient & { $primary(): PrismaClient; $replica(): PrismaClient };

export interface Database {
  prisma: Client;
  /** Connection string of the primary database (for the embedded one, its Unix socket). */
  url: string;
  /** The connection pools under Prisma by name (`primary`, `replica1`, ...), for pool metrics. */
  pools: Record<string, pg.Pool>;
  embedded: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL server; without it the embedded PGlite database is used. */
  databaseUrl?: string;
  /**
   * Read replicas of `databaseUrl`: Prisma's reads outside transactions go to one of them, writes,
   * transactions and raw SQL to the primary. Their migrations arrive by replication.
   */
  replicaUrls?: string[];
  /** Embedded database folder; null keeps it in memory. */
  dataDir?: string | null;
  /** A folder another process (a running server) holds is used through its socket instead of refused. */
  useRunningServer?: boolean;
  /** Called once for every SQL statement sent (used to count statements per request). */
  onQuery?: (sql: string) => void;
  poolSize?: number;
  /**
   * PostgreSQL's statement_timeout for every connection. The embedded PGlite cannot enforce it
   * (WebAssembly has no timer interrupt) and ignores connections' startup settings, so there only
   * the API's own execution timeout applies.
   */
  statementTimeoutMs?: number;
}

interface Clients {
  /** Reads to the replicas (when there are any), everything else to the primary. */
  routed: Client;
  /** Everything to the primary. */
  pinned: Client;
  byName: Record<string, PrismaClient>;
  /** The pools of `$replica()`'s raw SQL, as routed: the replicas', or the primary's when there are none. */
  readPools: pg.Pool[];
  primaryPool: pg.Pool;
  onQuery?: (sql: string) => void;
}

let current: Clients | undefined;
const onPrimaryScope = new AsyncLocalStorage<true>();

/** The application's client, set by openDatabase; on the primary alone inside `onPrimary`. */
export function prisma(): Client {
  if (!current) throw new Error("The database is not open: call openDatabase() first");
  return onPrimaryScope.getStore() ? current.pinned : current.routed;
}

/** node-postgres's parsers, with the values Prisma's raw queries give: timestamps and dates in UTC, Decimal, BigInt. */
const PRISMA_VALUES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.TIMESTAMP) return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    if (oid === pg.types.builtins.DATE) return (value: string) => new Date(`${value}T00:00:00Z`);
    if (oid === pg.types.builtins.NUMERIC) return (value: string) => new Prisma.Decimal(value);
    if (oid === pg.types.builtins.INT8) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Read-only SQL through node-postgres itself, where `$replica().$queryRawUnsafe` would send it, with
 * the same values, and rows as arrays: for the compiled reads' statement of nested pages, whose
 * thousand rows cost Prisma's raw query three times the CPU node-postgres needs (README, Performance).
 */
export async function selectRows(sql: string, params: unknown[]): Promise<{ columns: string[]; rows: unknown[][] }> {
  if (!current) throw new Error("The database is not open: call openDatabase() first");
  const pools = onPrimaryScope.getStore() ? [current.primaryPool] : current.readPools;
  current.onQuery?.(sql);
  const result = await pools[Math.floor(Math.random() * pools.length)].query<unknown[]>({
    text: sql,
    values: params,
    rowMode: "array",
    types: PRISMA_VALUES,
  });
  return { columns: result.fields.map((f) => f.name), rows: result.rows };
}

/** Every database of the application by name (`primary`, `replica1`, ...), for readiness checks. */
export function databaseClients(): Record<string, PrismaClient> {
  if (!current) throw new Error("The database is not open: call openDatabase() first");
  return current.byName;
}

/**
 * Runs `fn` with every `prisma()` inside it (and in what it awaits) on the primary, so a
 * mutation's payload shows its own write rather than a replica that has not caught up.
 */
export function onPrimary<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => onPrimaryScope.run(true, () => fn(...args));
}

/** Opens the server or embedded database, applies pending migrations and returns its client. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const poolSize = options.poolSize ?? 10;
  const replicaUrls = options.replicaUrls ?? [];
  if (replicaUrls.length && !options.databaseUrl)
    throw new Error("Read replicas need a PostgreSQL server (databaseUrl): the embedded database has none");
  const embedded = options.databaseUrl
    ? undefined
    : await startEmbedded(options.dataDir ?? null, { useRunningServer: options.useRunningServer });
  const url = options.databaseUrl ?? embedded!.url;
  try {
    await migrate(url);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const pools: Record<string, pg.Pool> = {};
  const byName: Record<string, PrismaClient> = {};
  for (const [name, connectionString] of [["primary", url], ...replicaUrls.map((u, i) => [`replica${i + 1}`, u])]) {
    pools[name] = new pg.Pool({
      connectionString,
      max: poolSize,
      // Also the longest wait for a connection of a full pool. A database that does not answer
      // fails the request (503) instead of holding it until the query timeout.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      options: options.statementTimeoutMs ? `-c statement_timeout=${options.statementTimeoutMs}` : undefined,
    });
    byName[name] = new PrismaClient({
      adapter: new PrismaPg(pools[name], { disposeExternalPool: true }),
      log: options.onQuery ? [{ emit: "event", level: "query" }] : [],
    });
    if (options.onQuery) {
      const onQuery = options.onQuery;
      (byName[name] as unknown as { $on(e: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => onQuery(e.query));
    }
  }
  const { primary, ...replicas } = byName;
  const pinned = primary.$extends({ client: { $primary: () => primary, $replica: () => primary } }) as unknown as Client;
  const routed = replicaUrls.length ? (primary.$extends(readReplicas({ replicas: Object.values(replicas) })) as unknown as Client) : pinned;
  const replicaPools = Object.entries(pools)
    .filter(([name]) => name !== "primary")
    .map(([, pool]) => pool);
  const clients: Clients = {
    routed,
    pinned,
    byName,
    readPools: replicaPools.length ? replicaPools : [pools.primary],
    primaryPool: pools.primary,
    onQuery: options.onQuery,
  };
  current = clients;
  return {
    prisma: routed,
    url,
    pools,
    embedded: Boolean(embedded),
    async close() {
      // Prisma ends the pools; one already ended (the database was lost) must not stop a shutdown.
      await Promise.all(Object.entries(byName).map(([name, client]) => (pools[name].ended ? undefined : client.$disconnect())));
      await embedded?.stop();
      if (current === clients) current = undefined;
    },
  };
}
