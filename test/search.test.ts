import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const SEARCH = `query ($query: String!, $types: [SearchableType!], $first: Int, $after: String) {
  search(query: $query, types: $types, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { score matchedField snippet node { __typename ... on Organization { slug name } ... on Method { slug } ... on Person { slug } ... on Source { url } ... on Funding { slug } } }
  }
}`;

async function search(variables: Record<string, unknown>) {
  const { status, body } = await api.query(SEARCH, variables);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data.search;
}

test("finds Latin text regardless of case, best match first, with a highlighted snippet", async () => {
  const result = await search({ query: "bekturov" });
  const first = result.edges[0];
  expect(first.node).toMatchObject({ __typename: "Organization", slug: "bekturov-institute" });
  expect(first.score).toBeGreaterThan(1);
  expect(first.snippet).toMatch(/<mark>Bekturov<\/mark>/);
  expect(result.totalCount).toBeGreaterThan(1);
});

test("finds Cyrillic text in any case, in Russian names", async () => {
  const result = await search({ query: "БЕКТУРОВА", types: ["ORGANIZATION"] });
  expect(result.edges[0].node.slug).toBe("bekturov-institute");
  expect(result.edges[0].matchedField).toBe("name");
  expect(result.edges[0].snippet).toContain("<mark>Бектурова</mark>");
});

test("tolerates small typos in names, in both scripts", async () => {
  const latin = await search({ query: "Kazkhmys", types: ["ORGANIZATION"] });
  expect(latin.edges.map((e: any) => e.node.slug)).toContain("kazakhmys");
  expect(latin.edges[0].score).toBeLessThan(1);
  expect(latin.edges[0].snippet).toMatch(/<mark>Kazakhmys<\/mark>/);
  const cyrillic = await search({ query: "бектурва", types: ["ORGANIZATION"] });
  expect(cyrillic.edges[0].node.slug).toBe("bekturov-institute");
});

test("finds nothing for unrelated text, and filters by type", async () => {
  expect((await search({ query: "zzxxqqvv" })).totalCount).toBe(0);
  const sources = await search({ query: "primeminister", types: ["SOURCE"] });
  expect(sources.totalCount).toBeGreaterThan(0);
  expect(sources.edges.every((e: any) => e.node.__typename === "Source")).toBe(true);
});

test("pages forward without overlap, and counts the whole list", async () => {
  const all = await search({ query: "kazakhstan", first: 100 });
  expect(all.totalCount).toBeGreaterThan(3);
  const pages: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = await search({ query: "kazakhstan", first: 2, after });
    expect(page.totalCount).toBe(all.totalCount);
    pages.push(...page.edges.map((e: any) => JSON.stringify(e.node)));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(pages).toEqual(all.edges.map((e: any) => JSON.stringify(e.node)));
});

test("an empty or 1-character query is a clear error, not a full scan", async () => {
  for (const query of ["", " ", "a", " ә "]) {
    const { body } = await api.query(SEARCH, { query });
    expect(body.errors?.[0].message).toMatch(/at least 2 characters/);
    expect(body.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  }
  const { body } = await api.query(SEARCH, { query: "kazakh", after: "bm9wZQ==" });
  expect(body.errors?.[0].message).toMatch(/not a cursor of a search result/);
});

test("special LIKE characters are searched as text", async () => {
  expect((await search({ query: "%%" })).totalCount).toBe(0);
  expect((await search({ query: "__" })).totalCount).toBe(0);
});

test("the trigram indexes can serve the search conditions, exact and fuzzy", async () => {
  const prisma = api.db.prisma;
  const [, plan] = await prisma.$transaction([
    prisma.$executeRawUnsafe("SET LOCAL enable_seqscan = off"),
    prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
      `EXPLAIN SELECT id FROM "Partnership" t WHERE t."title" ILIKE $1 OR $2 <% t."title" OR t."city" ILIKE $1 OR $2 <% t."city"`,
      "%kyzyl%",
      "Kyzylord",
    ),
  ]);
  const text = plan.map((row) => row["QUERY PLAN"]).join("\n");
  expect(text).toContain("Partnership_title_trgm_idx");
  expect(text).toContain("Partnership_city_trgm_idx");
  expect(text).not.toContain("Seq Scan");
});
