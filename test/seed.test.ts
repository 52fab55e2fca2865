import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadSeed } from "../seeds/load.ts";
import { ImportValidationError } from "../src/import/index.ts";
import { openTestDatabase } from "./helpers.ts";

const DATA_DIR = new URL("../seeds/data/", import.meta.url).pathname;
let target: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  target = await openTestDatabase();
});
afterAll(() => target?.drop());

/** Every row of every table, as text, to compare whole database states. */
async function snapshot(): Promise<string> {
  const tables = [
    "Organization",
    "OrganizationIdentifier",
    "Person",
    "Role",
    "Method",
    "Partnership",
    "Participant",
    "Programme",
    "Funding",
    "Impact",
    "Source",
    "Citation",
    "_MethodDevelopers",
    "_PartnershipMethods",
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await target.db.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table}" t ORDER BY 1`);
    parts.push(`${table}:\n${rows.map((r) => r.row).join("\n")}`);
  }
  return parts.join("\n");
}

test("the seed loads every record, and a second run changes nothing", async () => {
  const first = await loadSeed(target.db.prisma);
  const organizations = JSON.parse(readFileSync(join(DATA_DIR, "organizations.json"), "utf8"));
  expect(first.organizations.created).toBe(organizations.length);
  const afterFirst = await snapshot();

  const second = await loadSeed(target.db.prisma);
  for (const counts of Object.values(second)) expect(counts).toMatchObject({ created: 0, updated: 0 });
  expect(await snapshot()).toBe(afterFirst);
});

test("invalid seed data is refused whole, listing every problem, and writes nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "seed-"));
  cpSync(DATA_DIR, dir, { recursive: true });
  const methods = JSON.parse(readFileSync(join(dir, "methods.json"), "utf8"));
  methods[0].citations = [];
  methods[1].developers = ["no-such-organization"];
  methods.push({ ...methods[2], slug: "a-new-method-that-must-not-be-written" });
  writeFileSync(join(dir, "methods.json"), JSON.stringify(methods));
  const before = await snapshot();

  const error = await loadSeed(target.db.prisma, { dataDir: dir }).catch((e) => e);
  expect(error).toBeInstanceOf(ImportValidationError);
  expect(error.message).toMatch(/citation/);
  expect(error.message).toMatch(/no-such-organization/);
  expect(await snapshot()).toBe(before);
});
