import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { organizationHeader, syntheticOrganizationRow, syntheticSource, writeSyntheticOrganizations } from "../scripts/synthetic.ts";
import { readRecords } from "../src/import/export.ts";
import { type ImportFile, ImportValidationError, importFiles } from "../src/import/index.ts";
import { openTestDatabase } from "./helpers.ts";

let target: Awaited<ReturnType<typeof openTestDatabase>>;
const dir = mkdtempSync(join(tmpdir(), "import-test-"));
const author = { actor: "import", reason: "test" };

beforeAll(async () => {
  target = await openTestDatabase();
  writeFileSync(join(dir, "sources.json"), JSON.stringify([syntheticSource]));
  await importFiles(target.db.prisma, [{ entity: "sources", path: join(dir, "sources.json") }], { author });
});
afterAll(() => target?.drop());
beforeEach(async () => {
  await target.db.prisma.organization.deleteMany();
  await target.db.prisma.change.deleteMany();
});

const prisma = () => target.db.prisma;
const orgs = (file: string): ImportFile[] => [{ entity: "organizations", path: file }];
const state = async () => ({ organizations: await prisma().organization.count(), changes: await prisma().change.count() });

function csv(name: string, rows: string[], { header = organizationHeader, bytes }: { header?: string; bytes?: Buffer } = {}) {
  const file = join(dir, name);
  writeFileSync(file, bytes ?? `${[header, ...rows].join("\n")}\n`);
  return file;
}

async function refused(files: ImportFile[]): Promise<ImportValidationError> {
  const before = await state();
  const error = await importFiles(prisma(), files, { author }).catch((e) => e);
  expect(error).toBeInstanceOf(ImportValidationError);
  expect(await state()).toEqual(before);
  return error;
}

test("a file with one bad row among thousands writes nothing and reports that row", async () => {
  const file = join(dir, "one-bad-organizations.csv");
  await writeSyntheticOrganizations(file, 3000, (i): Record<string, string> => (i === 1234 ? { country: "Kazakhstan" } : {}));
  const error = await refused(orgs(file));
  expect(error.problems).toEqual([
    {
      file: "one-bad-organizations.csv",
      row: 1235,
      key: "synthetic-org-1234",
      field: "country",
      found: "Kazakhstan",
      expected: expect.stringMatching(/ISO 3166-1/),
    },
  ]);
  expect(error.message).toContain('one-bad-organizations.csv row 1235 (synthetic-org-1234) country: found "Kazakhstan"');
});

test("the same file twice: everything is created, then nothing changes", async () => {
  const file = join(dir, "twice-organizations.csv");
  await writeSyntheticOrganizations(file, 1000);
  const first = await importFiles(prisma(), orgs(file), { author });
  expect(first.report.organizations).toEqual({ created: 1000, updated: 0, unchanged: 0 });
  const after = await state();
  expect(after.changes).toBe(1000);
  const second = await importFiles(prisma(), orgs(file), { author });
  expect(second.report.organizations).toEqual({ created: 0, updated: 0, unchanged: 1000 });
  expect(await state()).toEqual(after);
});

test("a file written in small batches stores and logs what one record at a time does, and a second import changes nothing", async () => {
  // Parents before and after their children, across batch boundaries, and identifiers.
  const rows = Array.from({ length: 40 }, (_, k) => {
    const i = k + 1;
    const parent = i % 5 === 0 ? `synthetic-org-${i - 3}` : i % 7 === 0 && i + 4 <= 40 ? `synthetic-org-${i + 4}` : "";
    const identifiers = i % 3 === 0 ? JSON.stringify([{ scheme: "OTHER", schemeName: "Synthetic register", value: `S-${i}` }]) : "";
    return syntheticOrganizationRow(i, { parent, identifiers });
  });
  const file = csv("batches-organizations.csv", rows);
  const slugs = rows.map((_, k) => `synthetic-org-${k + 1}`);
  const snapshot = async () => {
    const slugOf = new Map((await prisma().organization.findMany({ select: { id: true, slug: true } })).map((o) => [o.id, o.slug]));
    const changes = await prisma().change.findMany({ orderBy: { id: "asc" } });
    return {
      records: await readRecords(prisma(), "organizations", slugs).then((stored) => slugs.map((slug) => stored.get(slug))),
      changes: changes.map(({ action, recordId, fields, before, after, actor, reason }) => [
        action,
        slugOf.get(recordId),
        fields,
        before,
        after,
        actor,
        reason,
      ]),
    };
  };

  const oneByOne = await importFiles(prisma(), orgs(file), { author, batchSize: 1 });
  const expected = await snapshot();
  await prisma().organization.deleteMany();
  await prisma().change.deleteMany();
  const batched = await importFiles(prisma(), orgs(file), { author, batchSize: 7 });
  expect(batched.report).toEqual(oneByOne.report);
  expect(await snapshot()).toEqual(expected);

  expect(batched.report.organizations).toEqual({ created: 40, updated: 0, unchanged: 0 });
  expect(batched.report.identifiers).toEqual({ created: 13, updated: 0, unchanged: 0 });
  const child = await prisma().organization.findUniqueOrThrow({ where: { slug: "synthetic-org-35" }, include: { parent: true } });
  expect(child.parent?.slug).toBe("synthetic-org-32");
  // A parent later in the file is linked at the end, as a change of its own; one earlier is part of the CREATE.
  const parentChanges = expected.changes.filter(([action]) => action === "UPDATE");
  expect(parentChanges.map(([, slug]) => slug)).toEqual(["synthetic-org-7", "synthetic-org-14", "synthetic-org-21", "synthetic-org-28"]);
  expect(expected.changes.filter(([action]) => action === "CREATE")).toHaveLength(40);

  const after = await state();
  const again = await importFiles(prisma(), orgs(file), { author, batchSize: 7 });
  expect(again.report.organizations).toEqual({ created: 0, updated: 0, unchanged: 40 });
  expect(again.report.identifiers).toEqual({ created: 0, updated: 0, unchanged: 13 });
  expect(await state()).toEqual(after);
});

test("a constraint failing in a later batch leaves nothing written, the earlier batches included", async () => {
  const file = join(dir, "late-failure-organizations.csv");
  await writeSyntheticOrganizations(file, 500);
  const before = { ...(await state()), citations: await prisma().citation.count() };
  // A rule the importer does not check, so that the failure comes from the database in the 10th batch.
  await prisma().$executeRawUnsafe(`ALTER TABLE "Organization" ADD CONSTRAINT "late_failure" CHECK (slug <> 'synthetic-org-460')`);
  let written = 0;
  try {
    const error = await importFiles(prisma(), orgs(file), {
      author,
      batchSize: 50,
      onProgress: (p) => {
        if (p.phase === "writing") written = p.rows;
      },
    }).catch((e) => e);
    expect(String(error)).toMatch(/late_failure/);
  } finally {
    await prisma().$executeRawUnsafe(`ALTER TABLE "Organization" DROP CONSTRAINT "late_failure"`);
  }
  expect(written).toBe(450);
  expect({ ...(await state()), citations: await prisma().citation.count() }).toEqual(before);
});

test("a dry run reports what would change and writes nothing", async () => {
  const file = csv("dry-organizations.csv", [syntheticOrganizationRow(1), syntheticOrganizationRow(2)]);
  const result = await importFiles(prisma(), orgs(file), { author, dryRun: true });
  expect(result).toMatchObject({ dryRun: true, rows: 2, report: { organizations: { created: 2 } } });
  expect(await state()).toEqual({ organizations: 0, changes: 0 });
});

test("hostile files are refused with a clear message and write nothing", async () => {
  const good = `${[organizationHeader, syntheticOrganizationRow(1)].join("\n")}\n`;
  const cases: [string, Buffer | string[], RegExp][] = [
    ["utf16-organizations.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, "utf16le")]), /UTF-16/],
    // "Алматы" in Windows-1251, the usual encoding of Russian spreadsheets saved on Windows
    [
      "cp1251-organizations.csv",
      Buffer.concat(
        good
          .split("Almaty")
          .flatMap((part, i) => (i ? [Buffer.from([0xc0, 0xeb, 0xec, 0xe0, 0xf2, 0xfb]), Buffer.from(part)] : [Buffer.from(part)])),
      ),
      /not valid UTF-8/,
    ],
    ["semicolon-organizations.csv", Buffer.from(good.replaceAll(",", ";")), /not by ";"/],
    ["truncated-organizations.csv", Buffer.from(good.slice(0, good.indexOf('synthetic"') + 5)), /never closed.*truncated/],
    [
      "huge-organizations.csv",
      [syntheticOrganizationRow(1, { description: "x".repeat(20_000) })],
      /description: found .*20000 characters.*at most 10000/,
    ],
    ["duplicate-organizations.csv", [syntheticOrganizationRow(1), syntheticOrganizationRow(1)], /synthetic-org-1.*expected each slug once/],
    [
      "short-row-organizations.csv",
      [syntheticOrganizationRow(1), "synthetic-org-2,RESEARCH_INSTITUTE"],
      /line 3: found 2 cells; expected 14/,
    ],
    ["no-header-organizations.csv", Buffer.from(`${syntheticOrganizationRow(1)}\n`), /header has missing slug/],
  ];
  for (const [name, content, message] of cases) {
    const file = Buffer.isBuffer(content) ? csv(name, [], { bytes: content }) : csv(name, content);
    const error = await refused(orgs(file)).catch((e) => {
      throw new Error(`${name}: ${e.message}`);
    });
    expect(error.message, name).toMatch(message);
  }
});

test("a BOM is skipped, and cells that look like spreadsheet formulas are stored as plain text", async () => {
  const formulas = {
    nameEn: '=HYPERLINK("http://evil.example","click")',
    description: "+1+1",
    city: "@SUM(A1)",
    alternateNames: '["-2+3"]',
  };
  const file = csv("bom-organizations.csv", [], {
    bytes: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([organizationHeader, syntheticOrganizationRow(1, formulas)].join("\r\n")),
    ]),
  });
  await importFiles(prisma(), orgs(file), { author });
  const stored = await prisma().organization.findUniqueOrThrow({ where: { slug: "synthetic-org-1" } });
  expect(stored).toMatchObject({ nameEn: formulas.nameEn, description: "+1+1", city: "@SUM(A1)", alternateNames: ["-2+3"] });
});

test("NDJSON: a truncated last line is reported; a bundle with a manifest imports parents declared after children", async () => {
  const record = (slug: string, parent: string | null) => ({
    slug,
    kind: "UNIVERSITY",
    nameEn: `Synthetic ${slug}`,
    nameRu: null,
    nameKk: null,
    alternateNames: [],
    description: null,
    country: "KZ",
    city: null,
    foundedYear: null,
    website: null,
    parent,
    identifiers: [],
    citations: [{ source: syntheticSource.url, quote: null, confidence: "LOW", note: "synthetic" }],
  });
  const lines = [JSON.stringify(record("synthetic-child", "synthetic-parent")), JSON.stringify(record("synthetic-parent", null))];
  const truncated = join(dir, "truncated-organizations.ndjson");
  writeFileSync(truncated, `${lines[0]}\n${lines[1].slice(0, 40)}`);
  const error = await refused(orgs(truncated));
  expect(error.problems).toEqual([
    expect.objectContaining({ row: 1, field: "parent", found: "synthetic-parent" }),
    expect.objectContaining({ row: 2, field: "(line)", expected: expect.stringMatching(/truncated/) }),
  ]);

  writeFileSync(join(dir, "bundle-organizations.ndjson"), `${lines.join("\n")}\n`);
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({
      files: [
        { entity: "organizations", path: "bundle-organizations.ndjson" },
        { entity: "sources", path: "sources.json" },
      ],
    }),
  );
  const { filesToImport } = await import("../src/import/index.ts");
  const result = await importFiles(prisma(), await filesToImport(join(dir, "manifest.json")), { author });
  expect(result.report.organizations.created).toBe(2);
  expect(result.report.sources.unchanged).toBe(1);
  const child = await prisma().organization.findUniqueOrThrow({ where: { slug: "synthetic-child" }, include: { parent: true } });
  expect(child.parent?.slug).toBe("synthetic-parent");
});

test("an import killed mid-file leaves the database as it was", async () => {
  await writeSyntheticOrganizations(join(dir, "kept-organizations.csv"), 10);
  await importFiles(prisma(), orgs(join(dir, "kept-organizations.csv")), { author });
  const before = await state();
  const file = join(dir, "killed-organizations.csv");
  await writeSyntheticOrganizations(file, 20_000);

  // One process (no tsx launcher in between), so that SIGKILL hits the process holding the transaction.
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/import.ts", file], {
    env: { ...process.env, DATABASE_URL: target.url, LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const written = await new Promise<number>((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const match = /writing killed-organizations\.csv: \d+% \((\d+) rows\)/.exec(stderr);
      if (match && Number(match[1]) > 0) {
        child.kill("SIGKILL");
        resolve(Number(match[1]));
      }
    });
    child.on("exit", () => reject(new Error(`the import ended before it was killed:\n${stderr}`)));
  });
  await new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.on("exit", resolve) : resolve(null)));
  expect(written).toBeGreaterThan(0);
  expect(child.signalCode).toBe("SIGKILL");
  // The killed connection's transaction is rolled back by the server; wait until it has let go.
  await expect.poll(() => state(), { timeout: 30_000 }).toEqual(before);
  expect(readFileSync(file, "utf8").split("\n").length).toBe(20_002);
});

test("a missing file is reported, not thrown", async () => {
  const error = await refused(orgs(join(dir, "no-such-organizations.csv")));
  expect(error.message).toMatch(/no-such-organizations\.csv: cannot be read \(ENOENT\)/);
});
