import { createServer } from "node:http";
import { loadSeed } from "../seeds/load.ts";
import { openDatabase } from "./db.ts";
import { env } from "./env.ts";
import { log } from "./log.ts";
import { createApi } from "./yoga.ts";

const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
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

const api = createApi();
const server = createServer(api);
server.listen(env.PORT, env.HOST, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  log.info(`GraphQL API and GraphiQL at http://localhost:${port}/graphql`, {
    database: db.embedded ? `embedded PGlite in ${env.DATA_DIR}` : "PostgreSQL server (DATABASE_URL)",
  });
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  server.close();
  server.closeIdleConnections();
  await db.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
