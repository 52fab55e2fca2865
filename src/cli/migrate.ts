// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR.
import { openDatabase } from "../db.ts";
import { env } from "../env.ts";

try {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, useRunningServer: true });
  await db.close();
  console.log("The database schema is up to date.");
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
