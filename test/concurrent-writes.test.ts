// Concurrent writes to one record, through the real GraphQL handler and a real database: no
// acknowledged update is lost, the history is a chain that replays to the stored record, a slug is
// created once, and identical list updates do not collide.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { readRecord } from "../src/import/export.ts";
import { importFiles } from "../src/import/index.ts";
import { replayHistory } from "../src/import/replay.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let source: string;
const curators = ["curator-a", "curator-b", "curator-c", "curator-d", "curator-e"];
const keys: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  for (const name of curators) keys[name] = await createApiKey(api.db.prisma, name, "WRITE");
  source = (await api.db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
});
afterAll(() => api?.close());

const as = (curator: string) => ({ authorization: `Bearer ${keys[curator]}` });
const citations = () => [{ source, quote: "Test quote", confidence: "HIGH" }];
/** A research institute as an import file holds it, every optional column empty. */
const importedInstitute = (slug: string, nameEn: string) => ({
  slug,
  kind: "RESEARCH_INSTITUTE",
  nameEn,
  nameRu: null,
  nameKk: null,
  alternateNames: [],
  description: null,
  country: null,
  city: null,
  foundedYear: null,
  website: null,
  parent: null,
  identifiers: [],
  citations: citations(),
});

const CREATE = `mutation ($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) { organization { slug city } userErrors { field message code } }
}`;
const UPDATE = `mutation ($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) { organization { slug } userErrors { field message code } }
}`;

async function createOrganization(slug: string) {
  const record = { slug, kind: "RESEARCH_INSTITUTE", nameEn: `Institute ${slug}`, citations: citations() };
  const { body } = await api.query(CREATE, { input: { record, reason: "test" } }, as(curators[0]));
  expect(body.data.organizationCreate.userErrors).toEqual([]);
}

/** The change log of one organization, oldest first, as stored. */
async function historyOf(slug: string) {
  const { id } = await api.db.prisma.organization.findUniqueOrThrow({ where: { slug }, select: { id: true } });
  return api.db.prisma.change.findMany({ where: { recordType: "Organization", recordId: id }, orderBy: { id: "asc" } });
}

test("curators updating different fields of one record at once: every update kept, history a chain that replays to the record", async () => {
  const slug = "concurrent-fields-institute";
  await createOrganization(slug);
  const fields = ["city", "description", "nameRu", "nameKk", "website"] as const;
  const value = (field: string, round: number) => (field === "website" ? `https://example.org/${round}` : `${field} ${round}`);
  for (let round = 1; round <= 6; round++) {
    const answers = await Promise.all(
      fields.map((field, i) =>
        api.query(
          UPDATE,
          { input: { slug, record: { [field]: value(field, round), citations: citations() }, reason: `round ${round}` } },
          as(curators[i]),
        ),
      ),
    );
    for (const { body } of answers) expect(body.data.organizationUpdate.userErrors).toEqual([]);
    const stored = await api.db.prisma.organization.findUniqueOrThrow({ where: { slug } });
    expect(Object.fromEntries(fields.map((f) => [f, stored[f]])), `round ${round}`).toEqual(
      Object.fromEntries(fields.map((f) => [f, value(f, round)])),
    );
  }

  const history = await historyOf(slug);
  expect(history[0].action).toBe("CREATE");
  expect(history).toHaveLength(1 + 6 * fields.length);
  const { record: replayed, chain } = replayHistory(history);
  expect(chain).toBe(true);
  const stored = await readRecord(api.db.prisma, "organizations", slug);
  expect(replayed).toEqual(JSON.parse(JSON.stringify(stored)));
});

test("concurrent creates of one slug: exactly one succeeds, the others get TAKEN naming the slug, and the record is the winner's", async () => {
  for (let round = 1; round <= 10; round++) {
    const slug = `contested-institute-${round}`;
    const answers = await Promise.all(
      curators.map((curator) => {
        const record = { slug, kind: "RESEARCH_INSTITUTE", nameEn: `Institute of ${curator}`, city: curator, citations: citations() };
        return api.query(CREATE, { input: { record, reason: "race" } }, as(curator));
      }),
    );
    const payloads = answers.map(({ body }) => body.data.organizationCreate);
    const winners = payloads.filter((p) => p.userErrors.length === 0);
    expect(winners, `round ${round}`).toHaveLength(1);
    for (const p of payloads.filter((p) => p.userErrors.length))
      expect(p).toEqual({
        organization: null,
        userErrors: [{ field: "record.slug", code: "TAKEN", message: expect.stringContaining(`slug "${slug}"`) }],
      });
    const stored = await api.db.prisma.organization.findUniqueOrThrow({ where: { slug } });
    expect(stored.city).toBe(winners[0].organization.city);
    expect((await historyOf(slug)).map((c) => c.action)).toEqual(["CREATE"]);
  }
});

test("records renamed at once to one new slug: one rename succeeds, the others get TAKEN naming the slug", async () => {
  for (let round = 1; round <= 5; round++) {
    const slugs = curators.map((curator) => `rename-${round}-${curator}`);
    for (const slug of slugs) await createOrganization(slug);
    const wanted = `renamed-institute-${round}`;
    const answers = await Promise.all(
      slugs.map((slug, i) =>
        api.query(UPDATE, { input: { slug, record: { slug: wanted, citations: citations() }, reason: "rename" } }, as(curators[i])),
      ),
    );
    const payloads = answers.map(({ body }) => body.data.organizationUpdate);
    expect(
      payloads.filter((p) => p.userErrors.length === 0),
      `round ${round}`,
    ).toHaveLength(1);
    for (const p of payloads.filter((p) => p.userErrors.length))
      expect(p).toEqual({
        organization: null,
        userErrors: [{ field: "record.slug", code: "TAKEN", message: expect.stringContaining(`slug "${wanted}"`) }],
      });
  }
});

test("identical concurrent updates of a partnership's participants all succeed, and the change is recorded once", async () => {
  const organizations = await api.db.prisma.organization.findMany({ select: { slug: true }, orderBy: { id: "asc" }, take: 3 });
  const PARTNERSHIP = `mutation ($input: PartnershipCreateInput!) { partnershipCreate(input: $input) { userErrors { field message code } } }`;
  const UPDATE_PARTNERSHIP = `mutation ($input: PartnershipUpdateInput!) {
    partnershipUpdate(input: $input) { partnership { participants { role organization { slug } } } userErrors { field message code } }
  }`;
  for (let round = 1; round <= 5; round++) {
    const slug = `concurrent-participants-${round}`;
    const created = await api.query(
      PARTNERSHIP,
      { input: { record: { slug, title: "Joint work", kind: "COLLABORATION", status: "ACTIVE", citations: citations() }, reason: "test" } },
      as(curators[0]),
    );
    expect(created.body.data.partnershipCreate.userErrors).toEqual([]);
    const participants = organizations.map((o, i) => ({ organization: o.slug, role: i === 0 ? "LEAD" : "INDUSTRY_PARTNER" }));
    const answers = await Promise.all(
      curators.map((curator) =>
        api.query(
          UPDATE_PARTNERSHIP,
          { input: { slug, record: { participants, citations: citations() }, reason: "same change" } },
          as(curator),
        ),
      ),
    );
    for (const { body } of answers) {
      expect(body.data.partnershipUpdate.userErrors).toEqual([]);
      expect(body.data.partnershipUpdate.partnership.participants).toHaveLength(participants.length);
    }
    const { id } = await api.db.prisma.partnership.findUniqueOrThrow({ where: { slug } });
    const changes = await api.db.prisma.change.findMany({ where: { recordType: "Partnership", recordId: id }, orderBy: { id: "asc" } });
    expect(changes.map((c) => [c.action, c.fields])).toEqual([
      ["CREATE", expect.anything()],
      ["UPDATE", ["participants"]],
    ]);
  }
});

test("identical concurrent updates of a person's roles and of a method's developers all succeed, and each change is recorded once", async () => {
  const organizations = (await api.db.prisma.organization.findMany({ select: { slug: true }, orderBy: { id: "asc" }, take: 2 })).map(
    (o) => o.slug,
  );
  const cases = [
    [
      "Person",
      "person",
      { nameEn: "Test Person" },
      { roles: organizations.map((organization) => ({ organization, title: "Researcher", citations: citations() })) },
    ],
    ["Method", "method", { title: "Test method", category: "WASTE_PROCESSING" }, { developers: organizations }],
  ] as const;
  for (const [type, field, fields, lists] of cases) {
    for (let round = 1; round <= 3; round++) {
      const slug = `concurrent-${field}-${round}`;
      const create = `mutation ($input: ${type}CreateInput!) { ${field}Create(input: $input) { userErrors { field message code } } }`;
      const update = `mutation ($input: ${type}UpdateInput!) { ${field}Update(input: $input) { userErrors { field message code } } }`;
      const created = await api.query(
        create,
        { input: { record: { slug, ...fields, citations: citations() }, reason: "test" } },
        as(curators[0]),
      );
      expect(created.body.data[`${field}Create`].userErrors).toEqual([]);
      const answers = await Promise.all(
        curators.map((curator) =>
          api.query(update, { input: { slug, record: { ...lists, citations: citations() }, reason: "same change" } }, as(curator)),
        ),
      );
      for (const { body } of answers) expect(body.data[`${field}Update`].userErrors, `${type} round ${round}`).toEqual([]);
      const { id } = await (api.db.prisma[field] as any).findUniqueOrThrow({ where: { slug } });
      const changes = await api.db.prisma.change.findMany({ where: { recordType: type, recordId: id }, orderBy: { id: "asc" } });
      expect(changes.map((c) => [c.action, c.fields])).toEqual([
        ["CREATE", expect.anything()],
        ["UPDATE", [Object.keys(lists)[0]]],
      ]);
    }
  }
});

test("concurrent retractions of one record: one retracts it, the others get ALREADY_RETRACTED", async () => {
  const RETRACT = `mutation ($input: OrganizationRetractInput!) { organizationRetract(input: $input) { userErrors { field message code } } }`;
  for (let round = 1; round <= 5; round++) {
    const slug = `retracted-at-once-${round}`;
    await createOrganization(slug);
    const answers = await Promise.all(
      curators.map((curator) => api.query(RETRACT, { input: { slug, reason: `retracted by ${curator}` } }, as(curator))),
    );
    const codes = answers.map(({ body }) => body.data.organizationRetract.userErrors.map((e: any) => e.code).join()).sort();
    expect(codes, `round ${round}`).toEqual(["", ...curators.slice(1).map(() => "ALREADY_RETRACTED")]);
    expect((await historyOf(slug)).map((c) => c.action)).toEqual(["CREATE", "RETRACT"]);
  }
});

test("concurrent imports of one new record create it once; the others find it and leave it unchanged", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "concurrent-import-"));
  try {
    for (let round = 1; round <= 5; round++) {
      const slug = `imported-twice-${round}`;
      const file = path.join(dir, `${round}-organizations.json`);
      const record = importedInstitute(slug, "Imported institute");
      writeFileSync(file, JSON.stringify([record]));
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          importFiles(api.db.prisma, [{ entity: "organizations", path: file }], { author: { actor: "import", reason: "race" } }),
        ),
      );
      expect(results.map((r) => r.report.organizations).sort((a, b) => b.created - a.created)).toEqual([
        { created: 1, updated: 0, unchanged: 0 },
        { created: 0, updated: 0, unchanged: 1 },
        { created: 0, updated: 0, unchanged: 1 },
      ]);
      expect((await historyOf(slug)).map((c) => c.action)).toEqual(["CREATE"]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// In opposite orders the two imports wait for each other; PostgreSQL cancels one (deadlock detected), which runs again.
test.each([
  ["in the same order", false],
  ["in opposite orders", true],
])(
  "the same new records imported twice at once, in batches, %s: each record created once, the other import finds it stored",
  async (_order, reversed) => {
    const dir = mkdtempSync(path.join(tmpdir(), "concurrent-batches-"));
    const prefix = `imported-in-batches-${reversed ? "reversed" : "same"}-`;
    try {
      const record = (i: number) => importedInstitute(`${prefix}${i}`, `Imported institute ${i}`);
      // Batches of 1,000, large enough for the two imports' inserts to overlap.
      const records = Array.from({ length: 2000 }, (_, i) => record(i + 1));
      const files = [records, reversed ? [...records].reverse() : records].map((list, i) => {
        const file = path.join(dir, `${i}-organizations.json`);
        writeFileSync(file, JSON.stringify(list));
        return file;
      });
      const results = await Promise.all(
        files.map((file) =>
          importFiles(api.db.prisma, [{ entity: "organizations", path: file }], {
            author: { actor: "import", reason: "race" },
            batchSize: 1000,
          }),
        ),
      );
      const reports = results.map((r) => r.report.organizations);
      expect(reports.map((r) => r.created + r.unchanged)).toEqual([2000, 2000]);
      expect(reports[0].created + reports[1].created).toBe(2000);
      const stored = await api.db.prisma.organization.findMany({
        where: { slug: { startsWith: prefix } },
        select: { id: true },
      });
      expect(stored).toHaveLength(2000);
      const changes = await api.db.prisma.change.findMany({
        where: { recordType: "Organization", recordId: { in: stored.map((o) => o.id) } },
        select: { action: true },
      });
      expect(changes.map((c) => c.action)).toEqual(Array(2000).fill("CREATE"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
