import "./runtime.ts";
import { loadSeed } from "../seeds/load.ts";
import { listenForChanges } from "./cache/invalidation.ts";
import { openDatabase } from "./db.ts";
import { env } from "./env.ts";
import { watchPools } from "./http/metrics.ts";
import { isDatabaseUnavailable, lastLineOf } from "./http/outage.ts";
import { startHttpServer } from "./http/server.ts";
import { log } from "./log.ts";
import { configuredHttpOptions, createApi, GRAPHQL_ENDPOINT } from "./yoga.ts";

// Logs are JSON lines: Node's own warnings (such as pg's deprecation notices) are logged as such
// instead of as plain text on stderr, which would break every reader of the log.
process.removeAllListeners("warning");
process.on("warning", (warning) => log.warn("Node.js warning", { name: warning.name, warning: warning.message }));

/**
 * Opens the database; a PostgreSQL server that cannot be reached yet (still starting, restarting,
 * or its network not up) is tried again every second for DATABASE_WAIT_SECONDS.
 */
async function openWhenReachable() {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const db = await openDatabase({
        databaseUrl: env.DATABASE_URL,
        replicaUrls: env.DATABASE_REPLICA_URLS,
        dataDir: env.DATA_DIR,
        statementTimeoutMs: env.QUERY_TIMEOUT_MS,
      });
      if (attempt > 1) log.info("database reachable", { waitedSeconds: Math.round((Date.now() - started) / 1000) });
      return db;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const reason = lastLineOf(error);
      if (Date.now() - started + 1000 > env.DATABASE_WAIT_SECONDS * 1000) {
        log.error(
          `the database (DATABASE_URL) could not be reached in ${env.DATABASE_WAIT_SECONDS} s (DATABASE_WAIT_SECONDS); not starting`,
          { error: reason },
        );
        process.exit(1);
      }
      if (attempt === 1)
        log.warn(
          `the database (DATABASE_URL) cannot be reached; trying again every second for up to ${env.DATABASE_WAIT_SECONDS} s (DATABASE_WAIT_SECONDS)`,
          { error: reason },
        );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

const db = await openWhenReachable();
// A new (or never successfully seeded) embedded database gets the curated dataset.
if (db.embedded && (await db.prisma.source.count()) === 0) {
  log.info("empty embedded database: loading the seed dataset");
  try {
    await loadSeed(db.prisma);
  } catch (error) {
    await db.close();
    throw error;
  }
}
watchPools(db.pools);
// Other processes (API instances, `npm run import`) can write to a PostgreSQL server, and the
// command-line tools to the embedded database through this server's socket.
const { primary: _, ...replicaPools } = db.pools;
const stopListening = await listenForChanges(db.url, Object.values(replicaPools));

let stopping = false;
const api = createApi({ isStopping: () => stopping });
const http = await startHttpServer(api, configuredHttpOptions());
const { port } = new URL(http.url);
log.info(`GraphQL API and GraphiQL at http://localhost:${port}${GRAPHQL_ENDPOINT}`, {
  port: Number(port),
  database: db.embedded ? `embedded PGlite in ${env.DATA_DIR}` : "PostgreSQL server (DATABASE_URL)",
  readReplicas: env.DATABASE_REPLICA_URLS?.length ?? 0,
  rateLimits: env.REDIS_URL ? "shared through Redis" : "in this process's memory",
  responseCache: !env.RESPONSE_CACHE ? "off" : env.REDIS_URL ? "shared through Redis" : "in this process's memory",
});

/** Stop accepting, let in-flight requests finish, then close Redis, the database and PGlite. */
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  try {
    await http.stop();
    await api.dispose();
    await stopListening?.();
    await db.close();
    log.info("stopped");
    process.exit(0);
  } catch (error) {
    log.error("unclean shutdown", { error: (error as Error).message, stack: (error as Error).stack });
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
