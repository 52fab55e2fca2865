import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { Prisma } from "../src/generated/prisma/client.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

// A seeded database with one record of each type retracted through the API; every expected figure
// is counted from the database's records in good standing.

let api: TestApi;
let bearer: Record<string, string>;
/** Global IDs of the retracted records, by type. */
const retracted: Record<string, string> = {};

type Model = "organization" | "person" | "method" | "partnership" | "programme" | "funding" | "impact" | "source";
const RETRACT: { type: string; model: Model; key: "slug" | "url"; value: string }[] = [
  { type: "Organization", model: "organization", key: "slug", value: "kazchrome" },
  { type: "Person", model: "person", key: "slug", value: "sayasat-nurbek" },
  { type: "Method", model: "method", key: "slug", value: "bekturov-precious-metals-method-1" },
  { type: "Partnership", model: "partnership", key: "slug", value: "kazakhmys-science-industry-visit-2024-06" },
  { type: "Programme", model: "programme", key: "slug", value: "science-fund-commercialisation-grants" },
  { type: "Funding", model: "funding", key: "slug", value: "kspsteel-ferrosilicon-aluminium-investment" },
  { type: "Impact", model: "impact", key: "slug", value: "kspsteel-ferrosilicon-aluminium-capacity" },
  { type: "Source", model: "source", key: "url", value: "" },
];

const delegate = (model: Model) =>
  api.db.prisma[model] as unknown as { count(args: object): Promise<number>; findUniqueOrThrow(args: object): Promise<{ id: number }> };
const idOf = async (model: Model, where: object) => (await delegate(model).findUniqueOrThrow({ where })).id;
const gid = (type: string, id: number) => encodeGlobalID(type, id);

beforeAll(async () => {
  api = await startTestApi();
  bearer = { authorization: `Bearer ${await createApiKey(api.db.prisma, "retraction-test", "WRITE")}` };
  // A source cited only by records that stay in good standing.
  RETRACT.find((r) => r.model === "source")!.value = (await api.db.prisma.source.findFirstOrThrow({ orderBy: { id: "desc" } })).url;
  for (const { type, model, key, value } of RETRACT) {
    const field = `${model}Retract`;
    const { body } = await api.query(
      `mutation ($input: ${type}RetractInput!) { ${field}(input: $input) { userErrors { field message } } }`,
      { input: { [key]: value, reason: "Retracted in a test" } },
      bearer,
    );
    expect(body.data?.[field].userErrors, `${field} ${value}`).toEqual([]);
    retracted[type] = gid(type, await idOf(model, { [key]: value }));
  }
});
afterAll(() => api?.close());

const goodStanding = { retractedAt: null };

const ROOT_LISTS: { field: string; type: string; model: Model; where?: object; facets?: string[] }[] = [
  { field: "organizations", type: "Organization", model: "organization", facets: ["kind", "country", "city"] },
  { field: "enterprises", type: "Organization", model: "organization", where: { kind: "ENTERPRISE" }, facets: ["kind"] },
  { field: "institutes", type: "Organization", model: "organization", where: { kind: { in: ["RESEARCH_INSTITUTE", "UNIVERSITY"] } } },
  { field: "people", type: "Person", model: "person" },
  { field: "methods", type: "Method", model: "method", facets: ["category", "technologyReadinessLevel"] },
  { field: "partnerships", type: "Partnership", model: "partnership", facets: ["kind", "status", "city", "year"] },
  { field: "programmes", type: "Programme", model: "programme", facets: ["kind"] },
  { field: "fundings", type: "Funding", model: "funding", facets: ["amountKind", "currency", "year"] },
  { field: "impacts", type: "Impact", model: "impact", facets: ["metric", "status", "unit", "year"] },
  { field: "sources", type: "Source", model: "source", facets: ["language", "year"] },
];

async function rootList(field: string, retraction?: string, facets: string[] = []) {
  const facetSelection = facets.length ? `facets { ${facets.map((f) => `${f} { count }`).join(" ")} }` : "";
  const args = retraction ? `, retraction: ${retraction}` : "";
  const { body } = await api.query(`{ ${field}(first: 100${args}) { totalCount edges { node { id } } ${facetSelection} } }`);
  expect(body.errors, field).toBeUndefined();
  const list = body.data[field];
  return { ...list, ids: list.edges.map((e: { node: { id: string } }) => e.node.id) as string[] };
}

test("default root lists, their totalCount and every facet leave retracted records out", async () => {
  for (const { field, type, model, where = {}, facets = [] } of ROOT_LISTS) {
    const expected = await delegate(model).count({ where: { ...where, ...goodStanding } });
    // Every list but institutes holds one of the retracted records.
    if (field !== "institutes") expect(await delegate(model).count({ where: { ...where, retractedAt: { not: null } } }), field).toBe(1);
    const list = await rootList(field, undefined, facets);
    expect(list.totalCount, field).toBe(expected);
    expect(list.ids, field).toHaveLength(expected);
    expect(list.ids, field).not.toContain(retracted[type]);
    for (const facet of facets) {
      const total = list.facets[facet].reduce((sum: number, b: { count: number }) => sum + b.count, 0);
      expect(total, `${field} facets.${facet}`).toBe(expected);
    }
  }
});

test("a retracted record is still found by id and by slug, and in lists that ask for retracted records", async () => {
  for (const { type, model, key, value } of RETRACT) {
    const { body } = await api.query(`query ($id: ID!) { node(id: $id) { id ... on ${type} { retraction { reason } } } }`, {
      id: retracted[type],
    });
    expect(body.data.node, type).toEqual({ id: retracted[type], retraction: { reason: "Retracted in a test" } });
    if (key === "slug" && ["organization", "person", "method", "partnership"].includes(model)) {
      const bySlug = await api.query(`query ($slug: String!) { ${model}(slug: $slug) { id retraction { reason } } }`, { slug: value });
      expect(bySlug.body.data[model], type).toEqual({ id: retracted[type], retraction: { reason: "Retracted in a test" } });
    }
  }
  for (const { field, type, model, where = {}, facets = [] } of ROOT_LISTS) {
    const all = await delegate(model).count({ where });
    const included = await rootList(field, "INCLUDE", facets);
    expect(included.totalCount, field).toBe(all);
    const only = await rootList(field, "ONLY", facets);
    const retractedCount = await delegate(model).count({ where: { ...where, retractedAt: { not: null } } });
    expect(only.totalCount, field).toBe(retractedCount);
    if (retractedCount > 0) {
      expect(included.ids, field).toContain(retracted[type]);
      expect(only.ids, field).toEqual([retracted[type]]);
    }
    for (const facet of facets) {
      expect(
        only.facets[facet].reduce((sum: number, b: { count: number }) => sum + b.count, 0),
        `${field} facets.${facet}`,
      ).toBe(retractedCount);
    }
  }
});

test("nested lists leave retracted records out of their items and totalCount unless asked", async () => {
  const p = api.db.prisma;
  const erg = await idOf("organization", { slug: "erg" });
  const bekturov = await idOf("organization", { slug: "bekturov-institute" });
  const kazakhmys = await idOf("organization", { slug: "kazakhmys" });
  const kspsteel = await idOf("organization", { slug: "kspsteel" });
  const scienceFund = await idOf("organization", { slug: "science-fund" });
  const cases = [
    { parent: gid("Organization", erg), on: "Organization", field: "children", type: "Organization", children: { parentId: erg } },
    {
      parent: gid("Organization", bekturov),
      on: "Organization",
      field: "methods",
      type: "Method",
      children: { developers: { some: { id: bekturov } } },
      model: "method",
    },
    {
      parent: gid("Organization", kazakhmys),
      on: "Organization",
      field: "partnerships",
      type: "Partnership",
      children: { participants: { some: { organizationId: kazakhmys } } },
      model: "partnership",
    },
    {
      parent: gid("Organization", kspsteel),
      on: "Organization",
      field: "fundingsProvided",
      type: "Funding",
      children: { funderId: kspsteel },
      model: "funding",
    },
    {
      parent: gid("Organization", kspsteel),
      on: "Organization",
      field: "impacts",
      type: "Impact",
      children: { organizationId: kspsteel },
      model: "impact",
    },
  ] as const;
  for (const c of cases) {
    const model: Model = "model" in c ? c.model : "organization";
    const query = (retraction: string) =>
      api.query(
        `query ($id: ID!) { node(id: $id) { ... on ${c.on} { ${c.field}(first: 100, retraction: ${retraction}) { totalCount edges { node { id } } } } } }`,
        { id: c.parent },
      );
    for (const [retraction, where] of [
      ["EXCLUDE", goodStanding],
      ["INCLUDE", {}],
      ["ONLY", { retractedAt: { not: null } }],
    ] as const) {
      const { body } = await query(retraction);
      expect(body.errors, `${c.field} ${retraction}`).toBeUndefined();
      const list = body.data.node[c.field];
      const expected = await delegate(model).count({ where: { ...c.children, ...where } });
      expect(list.totalCount, `${c.field} ${retraction}`).toBe(expected);
      expect(list.edges.map((e: { node: { id: string } }) => e.node.id).includes(retracted[c.type]), `${c.field} ${retraction}`).toBe(
        retraction !== "EXCLUDE",
      );
    }
    // Without the argument, a nested list is the default one.
    const { body } = await api.query(`query ($id: ID!) { node(id: $id) { ... on ${c.on} { ${c.field} { totalCount } } } }`, {
      id: c.parent,
    });
    expect(body.data.node[c.field].totalCount, c.field).toBe(await delegate(model).count({ where: { ...c.children, ...goodStanding } }));
  }
  const operated = async (retraction: string) =>
    (
      await api.query(
        `query ($id: ID!) { node(id: $id) { ... on Organization { programmesOperated(retraction: ${retraction}) { id } } } }`,
        { id: gid("Organization", scienceFund) },
      )
    ).body.data.node.programmesOperated;
  expect(await operated("EXCLUDE")).toHaveLength(await p.programme.count({ where: { operatorId: scienceFund, ...goodStanding } }));
  expect(await operated("INCLUDE")).toContainEqual({ id: retracted.Programme });
});

test("funding and impact summaries leave retracted records out of every count and sum", async () => {
  const sums = (rows: { amount: Prisma.Decimal | null; currency: string | null }[]) => {
    const byCurrency = new Map<string, { amount: Prisma.Decimal; count: number }>();
    for (const r of rows) {
      if (r.amount === null) continue;
      const s = byCurrency.get(r.currency!) ?? { amount: new Prisma.Decimal(0), count: 0 };
      byCurrency.set(r.currency!, { amount: s.amount.add(r.amount), count: s.count + 1 });
    }
    return [...byCurrency]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, s]) => ({ currency, amount: s.amount.toString(), count: s.count }));
  };
  const fundings = await api.db.prisma.funding.findMany({ where: goodStanding });
  const funding = (await api.query(`{ fundingSummary(groupBy: []) { count undisclosedCount sums { currency amount count } } }`)).body.data
    .fundingSummary;
  expect(funding).toEqual({
    count: fundings.length,
    undisclosedCount: fundings.filter((f) => f.amount === null).length,
    sums: sums(fundings),
  });
  const all = await api.db.prisma.funding.findMany();
  const included = (await api.query(`{ fundingSummary(groupBy: [], retraction: INCLUDE) { count sums { currency amount count } } }`)).body
    .data.fundingSummary;
  expect(included).toEqual({ count: all.length, sums: sums(all) });

  const impacts = await api.db.prisma.impact.findMany({ where: goodStanding });
  const impact = (await api.query(`{ impactSummary(groupBy: []) { count withoutValueCount totals { count } } }`)).body.data.impactSummary;
  expect(impact.count).toBe(impacts.length);
  expect(impact.withoutValueCount).toBe(impacts.filter((i) => i.value === null).length);
  expect(impact.totals.reduce((n: number, t: { count: number }) => n + t.count, 0)).toBe(impacts.filter((i) => i.value !== null).length);
});

test("search leaves retracted records out of its hits and totalCount unless asked", async () => {
  const name = (await api.db.prisma.organization.findUniqueOrThrow({ where: { slug: "kazchrome" } })).nameEn!;
  const search = async (retraction?: string) => {
    const { body } = await api.query(
      `query ($q: String!) { search(query: $q, types: [ORGANIZATION]${retraction ? `, retraction: ${retraction}` : ""}) { totalCount edges { node { ... on Organization { id } } } } }`,
      { q: name },
    );
    expect(body.errors).toBeUndefined();
    return {
      totalCount: body.data.search.totalCount as number,
      ids: body.data.search.edges.map((e: { node: { id: string } }) => e.node.id) as string[],
    };
  };
  const [excluded, included, only] = [await search(), await search("INCLUDE"), await search("ONLY")];
  expect(excluded.ids).not.toContain(retracted.Organization);
  expect(included.ids).toContain(retracted.Organization);
  expect(only.ids).toEqual([retracted.Organization]);
  expect(included.totalCount).toBe(excluded.totalCount + 1);
});
