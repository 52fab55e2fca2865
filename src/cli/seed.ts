// `npm run seed`: loads the curated dataset in seeds/data into DATABASE_URL, or into the embedded
// database in DATA_DIR. Safe to run again: unchanged records are left alone.
import { loadSeed } from "../../seeds/load.ts";
import { openCliDatabase } from "./database.ts";

const db = await openCliDatabase();
try {
  const report = await loadSeed(db.prisma);
  console.table(report);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
