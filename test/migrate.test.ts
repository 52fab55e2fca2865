import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MIGRATIONS_DIR, migrate } from "../src/database/migrate.ts";
import { createBlankDatabase } from "./helpers.ts";

let database: Awaited<ReturnType<typeof createBlankDatabase>>;
beforeAll(async () => {
  database = await createBlankDatabase();
});
afterAll(() => database?.drop());

// Every migration folder of the project, in the order they apply.
const allMigrations = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

async function appliedMigrations(): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
    return rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

test("migrations are applied once and recorded in Prisma's table", async () => {
  expect(allMigrations[0]).toBe("20261127000000_init");
  expect(await migrate(database.url)).toEqual(allMigrations);
  expect(await migrate(database.url)).toEqual([]);
  expect(await appliedMigrations()).toEqual(allMigrations);
});

test("a failing migration is rolled back whole and named in the error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  mkdirSync(join(dir, "29990101000000_broken"));
  writeFileSync(
    join(dir, "29990101000000_broken", "migration.sql"),
    `CREATE TABLE "ShouldNotExist" (id int);\nALTER TABLE "NoSuchTable" ADD COLUMN x int;`,
  );

  await expect(migrate(database.url, dir)).rejects.toThrow(/Migration 29990101000000_broken failed and was rolled back: .*"NoSuchTable"/);

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query(`SELECT to_regclass('"ShouldNotExist"') AS t`);
  await client.end();
  expect(rows[0].t).toBeNull();
  expect(await appliedMigrations()).toEqual(allMigrations);
});

test("an applied migration that was edited afterwards is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  writeFileSync(join(dir, "20261127000000_init", "migration.sql"), "-- edited\n", { flag: "a" });
  await expect(migrate(database.url, dir)).rejects.toThrow(/20261127000000_init was changed after it was applied/);
});
