// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR.
import { openCliDatabase } from "./database.ts";

const db = await openCliDatabase();
await db.close();
console.log("The database schema is up to date.");
