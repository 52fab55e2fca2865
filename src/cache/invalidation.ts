// How a committed write reaches every response cache: in this process directly (dataChanged,
// called by the writer's caller once the transaction has committed), and in other processes on
// the same PostgreSQL server through NOTIFY, which the write transaction sends and PostgreSQL
// delivers only if it commits (listenForChanges). The notification names the caches the writer
// invalidates itself (its own memory cache, or a Redis cache shared with other instances), so a
// listener does not invalidate them a second time: a second invalidation arriving after a fresh
// answer was cached would throw that answer away for nothing.
//
// A write also raises the data versions of the record types it changed, in its transaction, and
// its notification carries them. An answer cached in Redis is served only at the versions this
// process learned from the database (its own writes, the notifications it heard, a read): Redis
// can lose an invalidation or come back from data saved before a write, the database cannot.
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { log } from "../log.ts";
import { changedTypes, isRecordType, RECORD_TYPES, type RecordType } from "./tags.ts";

export const CHANGES_CHANNEL = "kzgraph_data_changed";

type Listener = (types: RecordType[]) => Promise<void>;
/** Each listener with the cache it invalidates: this process's memory, or a shared store. */
const listeners = new Map<Listener, string>();
const THIS_PROCESS: string = randomUUID();

/** The name in change notifications of a cache shared by every process that reaches `location`. */
export const sharedCacheScope = (location: string) => createHash("sha256").update(location).digest("base64url").slice(0, 22);

/**
 * Calls `listener` with the invalidated types after every write; `scope` names the cache it
 * invalidates when that cache is shared with other processes. Returns the unsubscribe function.
 */
export function onDataChanged(listener: Listener, scope = THIS_PROCESS): () => void {
  listeners.set(listener, scope);
  return () => listeners.delete(listener);
}

/**
 * Tells this process's caches that records of these types changed (call after the commit), except
 * the caches in `alreadyInvalidated`.
 */
export async function dataChanged(recordTypes: Iterable<string>, alreadyInvalidated: string[] = []): Promise<void> {
  const types = changedTypes(recordTypes);
  if (!types.length) return;
  const targets = [...listeners].filter(([, scope]) => !alreadyInvalidated.includes(scope));
  await Promise.all(targets.map(([listener]) => listener(types)));
}

/** The data version of each record type a write changed, once it commits. */
export type DataVersions = Record<string, number>;

interface ChangeNotification {
  types: string[];
  /** The caches the writing process invalidates itself once the transaction commits. */
  invalidatedBy: string[];
  versions: DataVersions;
}

/**
 * In a write's transaction, once its records are written: raises the data versions of what it
 * changed (in one order, so concurrent writes cannot deadlock) and sends the NOTIFY that
 * PostgreSQL delivers if, and when, the transaction commits. Returns the new versions.
 */
export async function announceChange(tx: Prisma.TransactionClient, recordTypes: Iterable<string>): Promise<DataVersions> {
  const rows = await tx.$queryRaw<{ recordType: string; version: number }[]>`
    INSERT INTO "DataVersion" ("recordType", version) SELECT unnest(${changedTypes(recordTypes).sort()}::text[]), 1
    ON CONFLICT ("recordType") DO UPDATE SET version = "DataVersion".version + 1
    RETURNING "recordType", version`;
  const versions = Object.fromEntries(rows.map((row) => [row.recordType, row.version]));
  const notification: ChangeNotification = { types: [...recordTypes], invalidatedBy: [...new Set(listeners.values())], versions };
  await tx.$executeRaw`SELECT pg_notify(${CHANGES_CHANNEL}, ${JSON.stringify(notification)})`;
  return versions;
}

/**
 * Reads a NOTIFY payload. Anything else, such as an earlier release's "Type,Type" or a record type
 * this release does not know, invalidates every cache, and leaves the data versions unknown.
 */
function readNotification(payload: string): { types: RecordType[]; invalidatedBy: string[]; versions?: DataVersions } {
  try {
    const { types, invalidatedBy, versions } = JSON.parse(payload) as ChangeNotification;
    if (Array.isArray(types) && types.every(isRecordType) && Array.isArray(invalidatedBy) && isDataVersions(versions))
      return { types, invalidatedBy: invalidatedBy.map(String), versions };
  } catch {}
  return { types: [...RECORD_TYPES], invalidatedBy: [] };
}

const isDataVersions = (versions: unknown): versions is DataVersions =>
  typeof versions === "object" &&
  versions !== null &&
  Object.entries(versions).every(([type, version]) => isRecordType(type) && Number.isInteger(version));

const dataVersions = new Map<string, number>();
let dataVersionsRead: Promise<void> | undefined;

/**
 * Takes in the data versions of a committed write. Versions only go up, as a notification can
 * arrive before or after a read that saw its write already. Without versions, what this process
 * knew may be behind: they are read from the database again before they are next used.
 */
export function learnDataVersions(versions?: DataVersions): void {
  if (!versions) {
    dataVersions.clear();
    dataVersionsRead = undefined;
    return;
  }
  for (const [type, version] of Object.entries(versions)) dataVersions.set(type, Math.max(version, dataVersions.get(type) ?? 0));
}

/** The data versions of these record types as this process last learned them (read from the primary the first time). */
export async function currentDataVersions(types: readonly string[]): Promise<number[]> {
  const read = (dataVersionsRead ??= prisma()
    .$primary()
    .dataVersion.findMany()
    .then((rows) => learnDataVersions(Object.fromEntries(rows.map((row) => [row.recordType, row.version])))));
  try {
    await read;
  } catch (error) {
    if (dataVersionsRead === read) dataVersionsRead = undefined;
    throw error;
  }
  return types.map((type) => dataVersions.get(type) ?? 0);
}

const REPLICA_WAIT_MS = 30_000;

/**
 * Waits until every replica has replayed the primary's WAL up to `lsn` (at most REPLICA_WAIT_MS).
 * A database that is not a standby (pg_last_wal_replay_lsn() is null) has nothing to replay.
 */
async function replicasReached(replicas: pg.Pool[], lsn: string): Promise<void> {
  const until = Date.now() + REPLICA_WAIT_MS;
  for (const replica of replicas) {
    while (Date.now() < until) {
      const { rows } = await replica.query("SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS reached", [lsn]);
      if (rows[0].reached) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Listens for writes committed on the PostgreSQL server at `url` (by this process, other API
 * instances or `npm run import`), reconnecting when the connection drops. With read replicas, an
 * answer computed on a replica that had not yet replayed the write could be cached again after
 * the first invalidation, so the types are invalidated a second time once every replica has
 * caught up. Returns the stop function.
 */
export async function listenForChanges(url: string, replicas: pg.Pool[] = []): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const reconnectSoon = () => {
    if (!stopped) retry = setTimeout(() => void connect(true), 1000);
  };
  const connect = async (reconnecting: boolean) => {
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      const { types, invalidatedBy, versions } = readNotification(message.payload);
      learnDataVersions(versions);
      void dataChanged(types, invalidatedBy);
      if (replicas.length)
        next
          .query("SELECT pg_current_wal_lsn()::text AS lsn")
          .then(({ rows }) => replicasReached(replicas, rows[0].lsn))
          .then(() => dataChanged(types))
          .catch((error: Error) => log.warn("could not follow the replicas after a write", { error: error.message }));
    });
    next.on("error", (error) => {
      log.warn("change listener lost its connection; reconnecting", { error: error.message });
      next.end().catch(() => {});
      reconnectSoon();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANGES_CHANNEL}`);
      client = next;
      // Writes committed while the listener was away were not heard: forget every cached answer.
      if (reconnecting) {
        learnDataVersions();
        await dataChanged(RECORD_TYPES);
      }
    } catch (error) {
      if (!reconnecting) throw error;
      next.end().catch(() => {});
      reconnectSoon();
    }
  };
  await connect(false);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end();
  };
}
