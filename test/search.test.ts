import { afterAll, beforeAll, expect, test } from "vitest";
import { SEARCH_SETTINGS, searchStatement } from "../src/schema/search/sql.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const SEARCH = `query ($query: String!, $types: [SearchableType!], $first: Int, $after: String) {
  search(query: $query, types: $types, first: $first, after: $after) {
    totalCount
    totalCountIsExact
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
  expect(result.totalCountIsExact).toBe(true);
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

test("tolerates a typo in each word of a query of several words", async () => {
  const result = await search({ query: "Bekturv Instiute of Chemcal", types: ["ORGANIZATION"] });
  expect(result.edges[0].node.slug).toBe("bekturov-institute");
  expect(result.edges[0].score).toBeLessThan(1);
  // Every word must match: a query whose other words are nowhere in the name finds nothing.
  expect((await search({ query: "Bekturov zzxxqqvv", types: ["ORGANIZATION"] })).totalCount).toBe(0);
});

test("beyond 1,000 matches the count is a lower bound, and the best match still comes first", async () => {
  const prisma = api.db.prisma;
  // Synthetic records of this test's own database, removed at the end.
  const names = Array.from({ length: 1100 }, (_, i) => `Capped count test programme ${i + 1}`);
  await prisma.programme.createMany({
    data: names.map((name, i) => ({ slug: `capped-count-test-${i + 1}`, name, kind: "OTHER" as const })),
  });
  try {
    const many = await search({ query: "capped count test programme", types: ["PROGRAMME"], first: 3 });
    expect(many.totalCountIsExact).toBe(false);
    expect(many.totalCount).toBeGreaterThanOrEqual(1000);
    expect(many.totalCount).toBeLessThanOrEqual(1100);
    expect(many.pageInfo.hasNextPage).toBe(true);
    // Pages of a long list neither overlap nor skip a record.
    const snippets = (page: any) => page.edges.map((e: any) => e.snippet);
    const all = await search({ query: "capped count test programme", types: ["PROGRAMME"], first: 90 });
    const pages: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 3; i++) {
      const page: any = await search({ query: "capped count test programme", types: ["PROGRAMME"], first: 30, after });
      pages.push(...snippets(page));
      after = page.pageInfo.endCursor;
    }
    expect(new Set(pages).size).toBe(90);
    expect(pages).toEqual(snippets(all));
    const one = await search({ query: "Capped count test programme 1077", types: ["PROGRAMME"], first: 3 });
    expect(one.edges[0].snippet).toBe("<mark>Capped count test programme 1077</mark>");
    expect(one.edges[0].score).toBe(2);
  } finally {
    await prisma.programme.deleteMany({ where: { slug: { startsWith: "capped-count-test-" } } });
  }
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

test("the search statement reads every searched field through its trigram index, exact and fuzzy", async () => {
  const prisma = api.db.prisma;
  const [statement, ...params] = searchStatement("Kyzylord", ["PARTNERSHIP"], 21, 0);
  const [, plan] = await prisma.$transaction([
    prisma.$queryRawUnsafe(SEARCH_SETTINGS),
    prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${statement}`, ...params),
  ]);
  const text = plan.map((row) => row["QUERY PLAN"]).join("\n");
  for (const field of ["title", "summary", "city"]) expect(text).toContain(`Partnership_${field}_trgm_idx`);
  expect(text).not.toContain("Seq Scan");
});
