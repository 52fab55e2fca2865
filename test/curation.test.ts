import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey, revokeApiKey } from "../src/auth/keys.ts";
import { createApi } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
const keys: Record<string, string> = {};
let source: string;

beforeAll(async () => {
  api = await startTestApi();
  for (const [name, scope] of [
    ["newsroom", "WRITE"],
    ["reader", "READ"],
    ["revoked", "WRITE"],
  ] as const)
    keys[name] = await createApiKey(api.db.prisma, name, scope);
  await revokeApiKey(api.db.prisma, "revoked");
  source = (await api.db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
});
afterAll(() => api?.close());

const bearer = (name: string) => ({ authorization: `Bearer ${keys[name]}` });

const CREATE = `mutation ($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) { organization { slug city retraction { reason } } userErrors { field message code } }
}`;
const UPDATE = `mutation ($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) { organization { slug city citations { quote } } userErrors { field message code } }
}`;
const RETRACT = `mutation ($input: OrganizationRetractInput!) {
  organizationRetract(input: $input) { organization { slug } userErrors { field message code } }
}`;
const HISTORY = `query ($slug: String!) {
  organization(slug: $slug) { slug city retraction { at reason } history(first: 10) { totalCount edges { node { action actor reason fields before after } } } }
}`;

const citation = () => ({ source, quote: "Test quote", confidence: "HIGH" });
const newOrg = (slug: string, extra: object = {}) => ({
  record: { slug, kind: "RESEARCH_INSTITUTE", nameEn: `Test institute ${slug}`, city: "Almaty", citations: [citation()], ...extra },
  reason: "added in a test",
});

async function counts() {
  const [organizations, changes] = await Promise.all([api.db.prisma.organization.count(), api.db.prisma.change.count()]);
  return { organizations, changes };
}

test("the dataset says whether curators changed the data since the seed files were loaded, and when", async () => {
  const DATASET = `{ dataset { version curatedChanges lastCuratedAt } }`;
  const before = (await api.query(DATASET)).body.data.dataset;
  expect(before).toMatchObject({ curatedChanges: 0, lastCuratedAt: null });
  const { body } = await api.query(CREATE, { input: newOrg("dataset-version-institute") }, bearer("newsroom"));
  expect(body.data.organizationCreate.userErrors).toEqual([]);
  const after = (await api.query(DATASET)).body.data.dataset;
  expect(after.version).toBe(before.version);
  expect(after.curatedChanges).toBeGreaterThan(before.curatedChanges);
  expect(Date.parse(after.lastCuratedAt)).toBeGreaterThan(Date.now() - 60_000);
  await expect(createApiKey(api.db.prisma, "seed", "WRITE")).rejects.toThrow(/names a command-line tool/);
});

test("writes without a key, with a revoked key or with a read-only key are refused and write nothing", async () => {
  const before = await counts();
  const cases = [
    [{}, "UNAUTHENTICATED"],
    [bearer("revoked"), "UNAUTHENTICATED"],
    [{ authorization: "Bearer kzg_not-a-real-key" }, "UNAUTHENTICATED"],
    [bearer("reader"), "FORBIDDEN"],
  ] as const;
  for (const [headers, code] of cases) {
    const { body } = await api.query(CREATE, { input: newOrg("refused-institute") }, headers);
    expect(body.errors?.[0].extensions.code).toBe(code);
    expect(body.data).toBeNull();
    for (const token of Object.values(keys)) expect(JSON.stringify(body)).not.toContain(token);
  }
  expect(await counts()).toEqual(before);
});

test("a write without a citation is refused with a user error and writes nothing", async () => {
  const before = await counts();
  const { body } = await api.query(CREATE, { input: newOrg("uncited-institute", { citations: [] }) }, bearer("newsroom"));
  expect(body.data.organizationCreate).toEqual({
    organization: null,
    userErrors: [{ field: "record.citations", message: expect.stringMatching(/citation/), code: "CITATION_REQUIRED" }],
  });
  expect(await counts()).toEqual(before);
});

test("invalid fields and unknown references are all reported as user errors", async () => {
  const before = await counts();
  const input = newOrg("Bad Slug", { country: "Kazakhstan", parent: "no-such-organization" });
  const { body } = await api.query(CREATE, { input }, bearer("newsroom"));
  const errors = body.data.organizationCreate.userErrors;
  expect(errors.map((e: any) => [e.field, e.code])).toEqual(
    expect.arrayContaining([
      ["record.slug", "INVALID"],
      ["record.country", "INVALID"],
      ["record.parent", "NOT_FOUND"],
    ]),
  );
  expect(await counts()).toEqual(before);
});

test("create, update and retract: the record stays visible as retracted, and history shows every version", async () => {
  const created = await api.query(CREATE, { input: newOrg("history-institute") }, bearer("newsroom"));
  expect(created.body.data.organizationCreate).toEqual({
    organization: { slug: "history-institute", city: "Almaty", retraction: null },
    userErrors: [],
  });

  const taken = await api.query(CREATE, { input: newOrg("history-institute") }, bearer("newsroom"));
  expect(taken.body.data.organizationCreate.userErrors[0].code).toBe("TAKEN");

  const updated = await api.query(
    UPDATE,
    {
      input: {
        slug: "history-institute",
        record: { city: "Astana", citations: [{ ...citation(), quote: "Moved to Astana" }] },
        reason: "moved",
      },
    },
    bearer("newsroom"),
  );
  expect(updated.body.data.organizationUpdate.organization).toEqual({
    slug: "history-institute",
    city: "Astana",
    citations: [{ quote: "Test quote" }, { quote: "Moved to Astana" }],
  });

  const retracted = await api.query(
    RETRACT,
    { input: { slug: "history-institute", reason: "The institute does not exist" } },
    bearer("newsroom"),
  );
  expect(retracted.body.data.organizationRetract.userErrors).toEqual([]);
  const again = await api.query(RETRACT, { input: { slug: "history-institute", reason: "twice" } }, bearer("newsroom"));
  expect(again.body.data.organizationRetract.userErrors[0].code).toBe("ALREADY_RETRACTED");

  // Anonymous readers still see the record, marked retracted, with its whole history.
  const { body } = await api.query(HISTORY, { slug: "history-institute" });
  const org = body.data.organization;
  expect(org.city).toBe("Astana");
  expect(org.retraction.reason).toBe("The institute does not exist");
  expect(Date.parse(org.retraction.at)).toBeGreaterThan(Date.now() - 60_000);
  const history = org.history.edges.map((e: any) => e.node);
  expect(org.history.totalCount).toBe(3);
  expect(history.map((c: any) => [c.action, c.actor, c.reason])).toEqual([
    ["RETRACT", "newsroom", "The institute does not exist"],
    ["UPDATE", "newsroom", "moved"],
    ["CREATE", "newsroom", "added in a test"],
  ]);
  expect(history[1]).toMatchObject({
    fields: ["city", "citations"],
    before: { city: "Almaty", citations: [] },
    after: { city: "Astana", citations: [{ quote: "Moved to Astana" }] },
  });
  expect(history[2].after).toMatchObject({ slug: "history-institute", city: "Almaty" });
});

test("the public changes feed lists changes since a time, oldest first", async () => {
  const since = new Date().toISOString();
  await api.query(CREATE, { input: newOrg("feed-institute") }, bearer("newsroom"));
  const { body } = await api.query(
    `query ($since: DateTime) { changes(since: $since, first: 10) { totalCount edges { node { action actor recordType recordId } } } }`,
    { since },
  );
  expect(body.data.changes.totalCount).toBe(1);
  const [change] = body.data.changes.edges.map((e: any) => e.node);
  expect(change).toMatchObject({ action: "CREATE", actor: "newsroom", recordType: "Organization" });
  const node = await api.query(`query ($id: ID!) { node(id: $id) { ... on Organization { slug } } }`, { id: change.recordId });
  expect(node.body.data.node.slug).toBe("feed-institute");
});

test("a slug change keeps the record and records the old slug", async () => {
  await api.query(CREATE, { input: newOrg("old-slug-institute") }, bearer("newsroom"));
  const { body } = await api.query(
    UPDATE,
    { input: { slug: "old-slug-institute", record: { slug: "new-slug-institute", citations: [citation()] }, reason: "renamed" } },
    bearer("newsroom"),
  );
  expect(body.data.organizationUpdate.organization.slug).toBe("new-slug-institute");
  const history = (await api.query(HISTORY, { slug: "new-slug-institute" })).body.data.organization.history.edges.map((e: any) => e.node);
  expect(history[0]).toMatchObject({ fields: ["slug"], before: { slug: "old-slug-institute" }, after: { slug: "new-slug-institute" } });
});

test("mutations over GET are refused, and a browser write needs the CSRF header", async () => {
  const yoga = createApi();
  const query = encodeURIComponent(`mutation { organizationRetract(input: { slug: "x", reason: "y" }) { userErrors { code } } }`);
  const get = await yoga.fetch(`http://localhost/graphql?query=${query}`, { headers: bearer("newsroom") });
  expect(get.status).toBe(405);

  const before = await counts();
  const browser = { ...bearer("newsroom"), origin: "https://evil.example" };
  const refused = await api.query(CREATE, { input: newOrg("csrf-institute") }, browser);
  expect(refused.body.errors?.[0].extensions.code).toBe("CSRF_HEADER_MISSING");
  expect(await counts()).toEqual(before);
  const allowed = await api.query(CREATE, { input: newOrg("csrf-institute") }, { ...browser, "x-graphql-yoga-csrf": "1" });
  expect(allowed.body.data.organizationCreate.userErrors).toEqual([]);
});

test("every entity has create, update and retract mutations named object-first", async () => {
  const { body } = await api.query(`{ __schema { mutationType { fields { name } } } }`);
  const names = body.data.__schema.mutationType.fields.map((f: any) => f.name);
  for (const type of ["source", "organization", "person", "method", "partnership", "programme", "funding", "impact"])
    for (const verb of ["Create", "Update", "Retract"]) expect(names).toContain(`${type}${verb}`);
});

test("a funding with an amount is created through its mutation and its history records the decimal exactly", async () => {
  const programme = await api.db.prisma.programme.findFirstOrThrow({ select: { slug: true } });
  const { body } = await api.query(
    `mutation ($input: FundingCreateInput!) { fundingCreate(input: $input) { funding { amount { amount currency } } userErrors { field code message } } }`,
    {
      input: {
        record: {
          slug: "test-funding",
          programme: programme.slug,
          amount: "1234567.89",
          amountBound: "EXACT",
          currency: "KZT",
          amountKind: "AWARDED",
          date: "2024-06",
          citations: [citation()],
        },
        reason: "test",
      },
    },
    bearer("newsroom"),
  );
  expect(body.data.fundingCreate).toEqual({ funding: { amount: { amount: "1234567.89", currency: "KZT" } }, userErrors: [] });
});

test("the README's sample files import cleanly: the real records they hold are already in the seeded database", async () => {
  const { filesToImport, importFiles } = await import("../src/import/index.ts");
  const files = await filesToImport(new URL("../docs/import-samples/manifest.json", import.meta.url).pathname);
  expect(files).toHaveLength(8);
  const result = await importFiles(api.db.prisma, files, { author: { actor: "import", reason: "test" }, dryRun: true });
  for (const [entity, counts] of Object.entries(result.report)) expect(counts, entity).toMatchObject({ created: 0, updated: 0 });
  expect(result.rows).toBe(8);
});

test("the HTTP import endpoint needs an ADMIN key, and reports problems without writing", async () => {
  const admin = await createApiKey(api.db.prisma, "admin", "ADMIN");
  const yoga = createApi();
  const post = (body: string, headers: Record<string, string>, query = "entity=organizations&format=csv") =>
    yoga.fetch(`http://localhost/admin/import?${query}`, { method: "POST", body, headers });
  const sample = (await import("node:fs")).readFileSync(new URL("../docs/import-samples/organizations.csv", import.meta.url), "utf8");
  expect((await post(sample, {})).status).toBe(401);
  expect((await post(sample, bearer("newsroom"))).status).toBe(403);

  const before = await counts();
  const bad = sample.replace(",KZ,", ",Kazakhstan,");
  const refused = await post(bad, { authorization: `Bearer ${admin}` });
  expect(refused.status).toBe(422);
  expect((await refused.json()).errors[0].extensions.problems).toEqual([
    expect.objectContaining({ row: 2, field: "country", found: "Kazakhstan" }),
  ]);
  expect(await counts()).toEqual(before);

  const ok = await post(sample, { authorization: `Bearer ${admin}` });
  expect(ok.status).toBe(200);
  expect((await ok.json()).report.organizations).toEqual({ created: 0, updated: 0, unchanged: 1 });
});

test("nested inputs may leave out optional fields: a role without dates is stored with unknown dates", async () => {
  const { body } = await api.query(
    `mutation ($input: PersonUpdateInput!) { personUpdate(input: $input) { person { roles { title start { text } end { text } } } userErrors { field message } } }`,
    {
      input: {
        slug: "khaidar-tassibekov",
        record: { roles: [{ organization: "bekturov-institute", title: "CEO", citations: [citation()] }], citations: [citation()] },
        reason: "role without dates",
      },
    },
    bearer("newsroom"),
  );
  expect(body.data.personUpdate.userErrors).toEqual([]);
  expect(body.data.personUpdate.person.roles).toContainEqual({ title: "CEO", start: null, end: null });
});

test("a create listing an existing record's slug among its former slugs is refused with TAKEN and changes nothing", async () => {
  await api.query(CREATE, { input: newOrg("former-slug-institute") }, bearer("newsroom"));
  const before = await counts();
  const { body } = await api.query(
    CREATE,
    { input: newOrg("renamed-by-create-institute", { formerSlugs: ["former-slug-institute"] }) },
    bearer("newsroom"),
  );
  expect(body.data.organizationCreate).toEqual({
    organization: null,
    userErrors: [
      { field: "record.formerSlugs", message: expect.stringContaining('slug "former-slug-institute" already exists'), code: "TAKEN" },
    ],
  });
  expect(await counts()).toEqual(before);
  expect((await api.query(HISTORY, { slug: "former-slug-institute" })).body.data.organization.slug).toBe("former-slug-institute");
});
