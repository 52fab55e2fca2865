import "../runtime.ts";
import { type Database, openDatabase } from "../db.ts";
import { env } from "../env.ts";

/**
 * The command-line tools' database: DATABASE_URL, or the embedded one in DATA_DIR, through the
 * running server's socket when a server holds the folder. A failure to open it is reported in one
 * line, without a stack.
 */
export async function openCliDatabase(): Promise<Database> {
  try {
    return await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, useRunningServer: true });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
