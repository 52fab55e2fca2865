import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "./helpers.ts";

const seed = (file: string): any[] => JSON.parse(readFileSync(new URL(`../seeds/data/${file}.json`, import.meta.url), "utf8"));
const organizations = seed("organizations");

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const { status, body } = await api.query<T>(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return body.data as T;
}

const ROOTS: Array<[field: string, file: string, typename: string, filter?: (r: any) => boolean]> = [
  ["organizations", "organizations", "Organization"],
  ["institutes", "organizations", "Organization", (o) => ["RESEARCH_INSTITUTE", "UNIVERSITY"].includes(o.kind)],
  ["enterprises", "organizations", "Organization", (o) => o.kind === "ENTERPRISE"],
  ["people", "people", "Person"],
  ["methods", "methods", "Method"],
  ["partnerships", "partnerships", "Partnership"],
  ["programmes", "programmes", "Programme"],
  ["fundings", "fundings", "Funding"],
  ["impacts", "impacts", "Impact"],
  ["sources", "sources", "Source"],
];

describe("root connections answer with the seeded data", () => {
  test.each(ROOTS)("%s", async (field, file, typename, filter = () => true) => {
    const expected = seed(file).filter(filter).length;
    expect(expected).toBeGreaterThan(0);
    const result = await data(
      `{ ${field}(first: 100) { totalCount edges { cursor node { __typename id } } pageInfo { hasNextPage hasPreviousPage } } }`,
    );
    const connection = result[field];
    expect(connection.totalCount).toBe(expected);
    expect(connection.edges).toHaveLength(expected);
    expect(new Set(connection.edges.map((e: any) => e.node.__typename))).toEqual(new Set([typename]));
    expect(connection.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });
});

describe("every record carries its sources", () => {
  test.each(ROOTS.filter(([field]) => !["institutes", "enterprises", "sources"].includes(field)))("%s", async (field) => {
    const result = await data(`{ ${field}(first: 100) { edges { node { id citations { quote confidence source { url } } } } } }`);
    for (const { node } of result[field].edges) {
      expect(node.citations.length, `${field} ${node.id} has no citation`).toBeGreaterThan(0);
      for (const c of node.citations) expect(c.source.url).toMatch(/^https?:\/\//);
    }
  });

  test("a source lists every quote taken from it", async () => {
    const result = await data(`{ sources(first: 100) { edges { node { url citations { quote } } } } }`);
    const cited = result.sources.edges.filter((e: any) => e.node.citations.length > 0);
    expect(cited.length).toBe(result.sources.edges.length);
  });
});

describe("node round-trips", () => {
  test.each(ROOTS.filter(([field]) => !["institutes", "enterprises"].includes(field)))("%s", async (field, _file, typename) => {
    const list = await data(`{ ${field}(first: 3) { edges { node { id } } } }`);
    const ids: string[] = list[field].edges.map((e: any) => e.node.id);
    for (const id of ids) {
      const { node } = await data(`query($id: ID!) { node(id: $id) { __typename id } }`, { id });
      expect(node).toEqual({ __typename: typename, id });
    }
    const missing = Buffer.from(`${typename}:987654`).toString("base64");
    const { nodes } = await data(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [ids[0], missing, ids.at(-1)] });
    expect(nodes).toEqual([{ id: ids[0] }, null, { id: ids.at(-1) }]);
  });
});

describe("lookups", () => {
  test("organization by slug, with names in every language it has", async () => {
    const bekturov = organizations.find((o) => o.slug === "bekturov-institute");
    const { organization } = await data(`{ organization(slug: "bekturov-institute") {
      kind city country foundedYear website en: name(lang: EN) ru: name(lang: RU) kk: name(lang: KK) names { lang text }
      methods { totalCount } } }`);
    expect(organization).toMatchObject({
      kind: bekturov.kind,
      city: bekturov.city,
      country: bekturov.country,
      foundedYear: bekturov.foundedYear,
    });
    expect(organization.en).toBe(bekturov.nameEn);
    expect(organization.ru).toBe(bekturov.nameRu);
    // No Kazakh name is known: the English one is returned, and `names` shows which languages exist.
    expect(bekturov.nameKk).toBeNull();
    expect(organization.kk).toBe(bekturov.nameEn);
    expect(organization.names.map((n: any) => n.lang)).toEqual(["EN", "RU"]);
    expect(organization.methods.totalCount).toBe(4);
  });

  test("method, partnership and person by slug", async () => {
    const result = await data(`{
      method(slug: "bekturov-precious-metals-method-1") { category technologyReadinessLevel developers { edges { node { slug } } } }
      partnership(slug: "bekturov-institute-mining-metallurgy-collaboration") { status methods { totalCount } participants { role organization { slug } } }
      person(slug: "sayasat-nurbek") { name roles { title organization { slug } } }
    }`);
    expect(result.method).toEqual({
      category: "PRECIOUS_METAL_EXTRACTION",
      technologyReadinessLevel: null,
      developers: { edges: [{ node: { slug: "bekturov-institute" } }] },
    });
    expect(result.partnership.methods.totalCount).toBe(4);
    expect(result.partnership.participants).toContainEqual({ role: "LEAD", organization: { slug: "bekturov-institute" } });
    expect(result.person.roles[0].organization.slug).toBe("ministry-of-science-and-higher-education");
  });

  test("organization by external identifier", async () => {
    const { hit, miss } = await data(`{
      hit: organizationByIdentifier(scheme: OTHER, schemeName: "KASE ticker", value: "KZAP") { slug identifiers { scheme schemeName value } }
      miss: organizationByIdentifier(scheme: ROR, value: "00000000") { slug }
    }`);
    expect(hit).toEqual({
      slug: "kazatomprom",
      identifiers: [
        { scheme: "OTHER", schemeName: "KASE ticker", value: "KZAP" },
        { scheme: "OTHER", schemeName: "AIX ticker", value: "KAP" },
        { scheme: "OTHER", schemeName: "AIX GDR ticker", value: "KAP.Y" },
      ],
    });
    expect(miss).toBeNull();
  });
});

describe("filters", () => {
  test("four Bekturov methods: two for precious metals, two for waste", async () => {
    const { bekturov } = await data(`{ bekturov: organization(slug: "bekturov-institute") { id } }`);
    const result = await data(
      `query($id: ID!) {
      precious: methods(filter: { developer: $id, categories: [PRECIOUS_METAL_EXTRACTION] }) { totalCount }
      waste: methods(filter: { developer: $id, categories: [WASTE_PROCESSING] }) { totalCount }
    }`,
      { id: bekturov.id },
    );
    expect(result).toEqual({ precious: { totalCount: 2 }, waste: { totalCount: 2 } });
  });

  test("Cyrillic name match is case-insensitive", async () => {
    const { organizations: found } = await data(`{ organizations(filter: { name: "ИНСТИТУТ ХИМИЧЕСКИХ" }) { edges { node { slug } } } }`);
    expect(found.edges).toEqual([{ node: { slug: "bekturov-institute" } }]);
  });

  test("undisclosed amounts are null, never 0", async () => {
    const expected = seed("fundings")
      .filter((f) => f.amount === null)
      .map((f) => f.slug);
    const { fundings } = await data(
      `{ fundings(filter: { amountDisclosed: false }) { edges { node { slug amount { amount } amountDisclosed } } } }`,
    );
    expect(fundings.edges.map((e: any) => e.node.slug).sort()).toEqual(expected.sort());
    for (const { node } of fundings.edges) expect(node).toMatchObject({ amount: null, amountDisclosed: false });
  });

  test("amounts are exact decimal strings with their currency", async () => {
    const { fundings } = await data(
      `{ fundings(filter: { currency: "KZT", amount: { min: "100000000000" } }) { edges { node { slug amount { amount currency } } } } }`,
    );
    const expected = seed("fundings").filter((f) => f.currency === "KZT" && f.amount !== null && Number(f.amount) >= 1e11);
    expect(fundings.edges.map((e: any) => e.node.amount)).toEqual(expected.map((f) => ({ amount: f.amount, currency: "KZT" })));
  });

  test("a year matches dated funding and fiscal years covering it", async () => {
    const { fundings } = await data(`{ fundings(filter: { year: 2024 }) { edges { node { slug } } } }`);
    const slugs = fundings.edges.map((e: any) => e.node.slug);
    expect(slugs).toContain("commission-allocation-2024-11-20");
    expect(slugs).toContain("science-budget-2023-2025");
    expect(slugs).not.toContain("science-budget-252-5-billion-year-unknown");
  });

  test("partnerships by kind, participant and start date", async () => {
    const { erg } = await data(`{ erg: organization(slug: "erg") { id } }`);
    const result = await data(
      `query($erg: ID!) {
      hackathons: partnerships(filter: { kinds: [HACKATHON] }) { totalCount }
      withErg: partnerships(filter: { participant: $erg }) { edges { role: cursor node { slug } } }
      since2024: partnerships(filter: { started: { from: "2024-01-01" } }) { edges { node { start { text } } } }
    }`,
      { erg: erg.id },
    );
    expect(result.hackathons.totalCount).toBe(seed("partnerships").filter((p) => p.kind === "HACKATHON").length);
    expect(result.withErg.edges.map((e: any) => e.node.slug)).toContain("erg-aluminium-hackathon-pavlodar");
    for (const { node } of result.since2024.edges) expect(node.start.text >= "2024").toBe(true);
  });

  test("a goal is a PLANNED impact, not a result", async () => {
    const { impacts } = await data(
      `{ impacts(filter: { metrics: [CO2_EMISSIONS_AVOIDED] }) { edges { node { status value claimant { slug } } } } }`,
    );
    expect(impacts.edges).toEqual([{ node: { status: "PLANNED", value: null, claimant: { slug: "bekturov-institute" } } }]);
  });

  test("an organization's partnerships carry its role", async () => {
    const { organization } = await data(
      `{ organization(slug: "bekturov-institute") { partnerships { totalCount edges { role node { slug } } } } }`,
    );
    expect(organization.partnerships.totalCount).toBe(1);
    expect(organization.partnerships.edges[0]).toEqual({
      role: "LEAD",
      node: { slug: "bekturov-institute-mining-metallurgy-collaboration" },
    });
  });
});

describe("ordering and pagination", () => {
  test("founded year, newest first, unknown years last", async () => {
    const { organizations: list } = await data(
      `{ organizations(first: 100, orderBy: { field: FOUNDED_YEAR, direction: DESC }) { edges { node { foundedYear } } } }`,
    );
    const years = list.edges.map((e: any) => e.node.foundedYear);
    const known = organizations
      .map((o) => o.foundedYear)
      .filter((y) => y !== null)
      .sort((a, b) => b - a);
    expect(years).toEqual([...known, ...Array(organizations.length - known.length).fill(null)]);
  });

  test.each(["NAME", "FOUNDED_YEAR", "CREATED_AT"])("forward and backward pages by %s cover the list exactly once", async (field) => {
    const orderBy = { field, direction: "ASC" };
    const all = (
      await data(`query($o: OrganizationOrder) { organizations(first: 100, orderBy: $o) { edges { node { slug } } } }`, { o: orderBy })
    ).organizations.edges.map((e: any) => e.node.slug);
    expect(all).toHaveLength(organizations.length);

    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { organizations: page }: any = await data(
        `query($o: OrganizationOrder, $after: String) { organizations(first: 4, after: $after, orderBy: $o) { edges { node { slug } } pageInfo { hasNextPage endCursor } } }`,
        { o: orderBy, after },
      );
      forward.push(...page.edges.map((e: any) => e.node.slug));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(all);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const { organizations: page }: any = await data(
        `query($o: OrganizationOrder, $before: String) { organizations(last: 4, before: $before, orderBy: $o) { edges { node { slug } } pageInfo { hasPreviousPage startCursor } } }`,
        { o: orderBy, before },
      );
      backward.unshift(...page.edges.map((e: any) => e.node.slug));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(all);
  });
});
