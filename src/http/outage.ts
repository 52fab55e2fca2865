import { databaseClients } from "../db.ts";
import { log } from "../log.ts";

/** Seconds a client is told to wait (`Retry-After`) while the database cannot be reached. */
export const RETRY_AFTER_SECONDS = 5;
export const UNAVAILABLE_MESSAGE = `The database is unavailable; try again in ${RETRY_AFTER_SECONDS} seconds`;
export const RETRY_AFTER = { "retry-after": String(RETRY_AFTER_SECONDS) };

// Prisma: database not reachable, timed out, connection closed (P1xxx); its pool timeout (P2024).
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// @prisma/adapter-pg's kinds of socket errors (in meta.driverAdapterError.cause).
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// PostgreSQL: connection exceptions (08xxx), shutting down or starting up (57P01-57P03), too many connections.
const SQLSTATES = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
// node-postgres and pg-pool report a lost connection and a connection timeout without a code.
const MESSAGES =
  /Can't reach database server|Connection terminated|timeout exceeded when trying to connect|Server has closed the connection|Client has encountered a connection error/i;

/**
 * Whether an error means the database cannot be reached (down, restarting, refusing or not
 * answering) rather than a bug: looks through what Prisma, its adapter and node-postgres wrap.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as Record<string, any>;
  for (const code of [e.code, e.originalCode]) {
    if (typeof code === "string" && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATES.test(code))) return true;
  }
  if (ADAPTER_KINDS.has(e.kind) || (typeof e.message === "string" && MESSAGES.test(e.message))) return true;
  const inner = [e.originalError, e.cause, e.meta?.driverAdapterError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((i) => isDatabaseUnavailable(i, depth + 1));
}

/** Rejects when `promise` has not settled within `ms`, so a database that hangs cannot hold a caller. */
export function bounded<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The last line of an error's message: what went wrong, without Prisma's excerpt of the calling code. */
export const lastLineOf = (error: unknown) =>
  String((error as Error)?.message ?? error)
    .trim()
    .split("\n")
    .pop();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

let outage: { since: number } | undefined;

/**
 * Notes a request that failed because the database cannot be reached. The first one of an outage
 * is logged, then the databases are probed every second until they all answer, which is logged
 * too: two lines an outage, however many requests fail in it.
 */
export function noteDatabaseUnavailable(error: unknown) {
  if (outage) return;
  const current = (outage = { since: Date.now() });
  log.error("database unreachable: answering 503 until it is back", { error: lastLineOf(error) });
  void (async () => {
    while (outage === current) {
      await sleep(1000);
      let clients: ReturnType<typeof databaseClients>[string][];
      try {
        clients = Object.values(databaseClients());
      } catch {
        outage = undefined; // closed: nothing left to watch
        return;
      }
      const reachable = await Promise.all(clients.map((c) => bounded(c.$queryRaw`SELECT 1`, 1000))).then(
        () => true,
        () => false,
      );
      if (reachable && outage === current) {
        outage = undefined;
        log.info("database reachable again", { unreachableSeconds: Math.round((Date.now() - current.since) / 1000) });
      }
    }
  })();
}
