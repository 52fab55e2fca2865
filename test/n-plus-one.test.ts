import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestApi, type TestApi } from "./helpers.ts";

// Synthetic data, generated here and kept in this test's own database: 100 institutes, each
// with 2 methods, each method applied in 2 partnerships of 3 participants.
const SYNTHETIC_DATA = [
  `INSERT INTO "Organization" (slug, kind, "nameEn") SELECT 'synthetic-institute-' || i, 'RESEARCH_INSTITUTE', 'Synthetic institute ' || i FROM generate_series(1, 100) i`,
  `INSERT INTO "Organization" (slug, kind, "nameEn") SELECT 'synthetic-enterprise-' || i, 'ENTERPRISE', 'Synthetic enterprise ' || i FROM generate_series(1, 200) i`,
  `INSERT INTO "Method" (slug, title, category) SELECT 'synthetic-method-' || i, 'Synthetic method ' || i, 'WASTE_PROCESSING' FROM generate_series(1, 200) i`,
  `INSERT INTO "_MethodDevelopers" ("A", "B") SELECT m.id, o.id FROM generate_series(1, 200) i
     JOIN "Method" m ON m.slug = 'synthetic-method-' || i
     JOIN "Organization" o ON o.slug = 'synthetic-institute-' || ((i + 1) / 2)`,
  `INSERT INTO "Partnership" (slug, title, kind) SELECT 'synthetic-partnership-' || i, 'Synthetic partnership ' || i, 'PILOT_DEPLOYMENT' FROM generate_series(1, 400) i`,
  `INSERT INTO "_PartnershipMethods" ("A", "B") SELECT m.id, p.id FROM generate_series(1, 400) i
     JOIN "Method" m ON m.slug = 'synthetic-method-' || ((i + 1) / 2)
     JOIN "Partnership" p ON p.slug = 'synthetic-partnership-' || i`,
  `INSERT INTO "Participant" ("partnershipId", "organizationId", role)
     SELECT p.id, o.id, 'LEAD'::"ParticipantRole" FROM generate_series(1, 400) i
     JOIN "Partnership" p ON p.slug = 'synthetic-partnership-' || i
     JOIN "Organization" o ON o.slug = 'synthetic-institute-' || ((i + 3) / 4)
     UNION ALL
     SELECT p.id, o.id, 'INDUSTRY_PARTNER'::"ParticipantRole" FROM generate_series(1, 400) i CROSS JOIN generate_series(0, 1) k
     JOIN "Partnership" p ON p.slug = 'synthetic-partnership-' || i
     JOIN "Organization" o ON o.slug = 'synthetic-enterprise-' || (((i + k) % 200) + 1)`,
];

const NESTED = `query Nested($n: Int!) {
  institutes(first: $n) {
    totalCount
    edges { node { name methods(first: $n) {
      totalCount
      edges { node { title partnerships(first: $n) {
        totalCount
        edges { node { title participants { role organization { name kind } } } }
      } } }
    } } }
  }
}`;

let api: TestApi;
beforeAll(async () => {
  // 100 x 100 x 100 items is far over the public cost limit: this test measures SQL, not limits.
  api = await startTestApi({ seed: false, options: { limits: { maxCost: 1e9, perMinute: 1e9 } } });
  for (const sql of SYNTHETIC_DATA) await api.db.prisma.$executeRawUnsafe(sql);
});
afterAll(() => api?.close());

test("a nested list issues the same number of SQL statements for 1, 20 and 100 items", async () => {
  const counts: Record<number, number> = {};
  for (const n of [1, 20, 100]) {
    const { body } = await api.query(NESTED, { n });
    expect(body.errors).toBeUndefined();
    const institutes = body.data.institutes;
    expect(institutes.totalCount).toBe(100);
    expect(institutes.edges).toHaveLength(n);
    const method = institutes.edges[0].node.methods.edges[0].node;
    expect(method.partnerships.edges[0].node.participants).toHaveLength(3);
    counts[n] = api.statements.length;
  }
  console.log(`SQL statements per request (institutes -> methods -> partnerships -> participants): ${JSON.stringify(counts)}`);
  expect(counts[20]).toBe(counts[1]);
  expect(counts[100]).toBe(counts[1]);
});

test("an organization's partnerships page forwards and backwards, with its role on each edge, in statements independent of page size", async () => {
  // Institute 1 leads partnerships 1 to 4; here it also funds partnership 5.
  await api.db.prisma.$executeRawUnsafe(
    `INSERT INTO "Participant" ("partnershipId", "organizationId", role)
     SELECT p.id, o.id, 'FUNDER' FROM "Partnership" p, "Organization" o WHERE p.slug = 'synthetic-partnership-5' AND o.slug = 'synthetic-institute-1'`,
  );
  const page = async (args: string) => {
    const { body } = await api.query(`{ organization(slug: "synthetic-institute-1") { id partnerships(${args}) {
      totalCount edges { role cursor node { slug } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`);
    expect(body.errors).toBeUndefined();
    return body.data.organization;
  };
  const edges = (p: { edges: { role: string; node: { slug: string } }[] }) => p.edges.map((e) => `${e.node.slug} ${e.role}`);

  const first = (await page("first: 2")).partnerships;
  expect(first.totalCount).toBe(5);
  expect(edges(first)).toEqual(["synthetic-partnership-1 LEAD", "synthetic-partnership-2 LEAD"]);
  expect(first.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  const second = (await page(`first: 3, after: "${first.pageInfo.endCursor}"`)).partnerships;
  expect(edges(second)).toEqual(["synthetic-partnership-3 LEAD", "synthetic-partnership-4 LEAD", "synthetic-partnership-5 FUNDER"]);
  expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  const back = (await page(`last: 2, before: "${second.pageInfo.endCursor}"`)).partnerships;
  expect(edges(back)).toEqual(["synthetic-partnership-3 LEAD", "synthetic-partnership-4 LEAD"]);
  expect(back.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  const last = (await page("last: 1")).partnerships;
  expect(edges(last)).toEqual(["synthetic-partnership-5 FUNDER"]);

  // The same partnerships as the root list's participant filter, a separate path to the same rows.
  const { id } = await page("first: 1");
  const { body } = await api.query(
    `query($id: ID!) { partnerships(first: 100, filter: { participant: $id }) { edges { node { slug } } } }`,
    { id },
  );
  const all = (await page("first: 100")).partnerships;
  expect(all.edges.map((e: { node: { slug: string } }) => e.node.slug)).toEqual(
    body.data.partnerships.edges.map((e: { node: { slug: string } }) => e.node.slug),
  );

  const counts: Record<number, number> = {};
  for (const n of [1, 20, 100]) {
    const { body } = await api.query(
      `query($n: Int!) { institutes(first: $n) { edges { node { partnerships(first: $n) { totalCount edges { role node { title } } } } } } }`,
      { n },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.institutes.edges[0].node.partnerships.edges[0].role).toBe("LEAD");
    counts[n] = api.statements.length;
  }
  expect(counts[20]).toBe(counts[1]);
  expect(counts[100]).toBe(counts[1]);
});
