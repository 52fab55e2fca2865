import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { parseCsv } from "./csv.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

// Pages of 5 items, so the seed's lists take several pages.
const yoga = createApi({ downloadPageSize: 5, rateLimitStore: memoryStore() });

function download(format: "csv" | "ndjson", body: Record<string, unknown>, app = yoga) {
  return app.fetch(`http://localhost/download.${format}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function csvRows(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  const [header, ...rows] = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
  return { header, rows: rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]]))) };
}

const FUNDINGS = `{
  fundings(first: 2, orderBy: { field: AMOUNT, direction: DESC }) {
    totalCount
    edges { node { description funder { name } amount { amount currency } fiscalYearStart citations { quote source { url } } } }
  }
}`;

test("a root list downloads as CSV, every page of it, each row an item with dotted and numbered columns", async () => {
  const answer = await api.query(FUNDINGS.replace("first: 2", "first: 100"));
  const nodes = answer.body.data.fundings.edges.map((e: any) => e.node);
  expect(nodes.length).toBe(answer.body.data.fundings.totalCount);
  expect(nodes.length).toBeGreaterThan(10);
  const { header, rows } = await csvRows(await download("csv", { query: FUNDINGS }));
  const widest = Math.max(...nodes.map((n: any) => n.citations.length));
  expect(header.slice(0, 5)).toEqual(["description", "funder.name", "amount.amount", "amount.currency", "fiscalYearStart"]);
  expect(header.slice(5)).toEqual(Array.from({ length: widest }, (_, i) => [`citations.${i}.quote`, `citations.${i}.source.url`]).flat());
  expect(rows.length).toBe(nodes.length);
  rows.forEach((row, i) => {
    const node = nodes[i];
    expect(row.description).toBe(node.description);
    expect(row["funder.name"]).toBe(node.funder?.name ?? "");
    expect(row["amount.amount"]).toBe(node.amount?.amount ?? "");
    expect(row.fiscalYearStart).toBe(node.fiscalYearStart === null ? "" : String(node.fiscalYearStart));
    for (let c = 0; c < widest; c++) {
      expect(row[`citations.${c}.source.url`]).toBe(node.citations[c]?.source.url ?? "");
      expect(row[`citations.${c}.quote`]).toBe(node.citations[c]?.quote ?? "");
    }
  });
});

test("one record's connection downloads as NDJSON, with edge fields beside the node's and lists of scalars joined", async () => {
  const query = `query Partners($slug: String!) {
    organization(slug: $slug) { partnerships { edges { role node { title kind status methods { edges { node { title } } } } } } }
  }`;
  const variables = { slug: "kazatomprom" };
  const answer = await api.query(query.replace("partnerships {", "partnerships(first: 100) {"), variables);
  const edges = answer.body.data.organization.partnerships.edges;
  expect(edges.length).toBeGreaterThan(0);
  const response = await download(
    "ndjson",
    { query, variables, operationName: "Partners" },
    createApi({ downloadPageSize: 1, rateLimitStore: memoryStore() }),
  );
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
  const lines = (await response.text())
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines).toEqual(
    edges.map((e: any) => ({
      role: e.role,
      title: e.node.title,
      kind: e.node.kind,
      status: e.node.status,
      ...Object.fromEntries(e.node.methods.edges.map((m: any, i: number) => [`methods.${i}.title`, m.node.title])),
    })),
  );

  // More than 100 changes: pages of the API's own size, 100.
  const changes: any[] = [];
  let after: string | null = null;
  do {
    const page: any = (
      await api.query(
        "query ($after: String) { changes(first: 100, after: $after) { edges { node { recordType fields } } pageInfo { hasNextPage endCursor } } }",
        { after },
      )
    ).body.data.changes;
    changes.push(...page.edges);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  expect(changes.length).toBeGreaterThan(200);
  const { rows } = await csvRows(
    await download("csv", { query: "{ changes { edges { node { recordType fields } } } }" }, createApi({ rateLimitStore: memoryStore() })),
  );
  expect(rows).toEqual(changes.map((e: any) => ({ recordType: e.node.recordType, fields: e.node.fields.join("; ") })));
});

test("GET takes the same parameters in the URL", async () => {
  const params = new URLSearchParams({
    query: "query ($n: String!) { organization(slug: $n) { methods { edges { node { title } } } } }",
    variables: JSON.stringify({ n: "bekturov-institute" }),
  });
  const response = await yoga.fetch(`http://localhost/download.csv?${params}`);
  const { header, rows } = await csvRows(response);
  expect(header).toEqual(["title"]);
  expect(rows.length).toBe(4);
  expect(response.headers.get("content-disposition")).toBe('attachment; filename="download.csv"');
});

test("a query that is not one list, has errors or writes is refused with a GraphQL error saying why", async () => {
  const refused = async (body: Record<string, unknown>, status: number, code: string, message: RegExp) => {
    const response = await download("csv", body);
    expect(response.status).toBe(status);
    const json = await response.json();
    expect(json.errors[0].extensions.code).toBe(code);
    expect(json.errors[0].message).toMatch(message);
    expect(JSON.stringify(json)).not.toMatch(/\bat .*\.ts:|Unexpected error/);
  };
  await refused(
    { query: "{ fundings { edges { node { description } } } impacts { edges { node { description } } } }" },
    400,
    "NOT_ONE_LIST",
    /2 fields \(fundings, impacts\)/,
  );
  await refused(
    { query: '{ organization(slug: "kazatomprom") { name partnerships { edges { node { title } } } } }' },
    400,
    "NOT_ONE_LIST",
    /`organization` asks for 2 fields/,
  );
  await refused({ query: "{ dataset { version } }" }, 400, "NOT_ONE_LIST", /`dataset.version` is not a list/);
  await refused({ query: "{ fundings { edges { node { nope } } } }" }, 400, "GRAPHQL_VALIDATION_FAILED", /Cannot query field "nope"/);
  await refused({ query: "{ fundings { edges " }, 400, "GRAPHQL_PARSE_FAILED", /Syntax Error/);
  await refused({ query: "mutation { __typename }" }, 400, "BAD_USER_INPUT", /mutations are refused/);
  await refused(
    { query: '{ organization(slug: "no-such-place") { methods { edges { node { title } } } } }' },
    404,
    "NOT_FOUND",
    /`organization` is null/,
  );
  await refused(
    {
      query: "query ($d: Boolean) { fundings(filter: { amountDisclosed: $d }) { edges { node { description } } } }",
      variables: { d: "yes" },
    },
    400,
    "BAD_USER_INPUT",
    /Boolean/,
  );
  await refused({}, 400, "BAD_USER_INPUT", /Give the GraphQL query/);
  const text = await yoga.fetch("http://localhost/download.csv", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
  expect(text.status).toBe(415);
});

test("every page is charged to the client's budget: one the budget cannot pay is a 429", async () => {
  const query = "{ fundings { edges { node { description } } } }";
  // A page: 5 items and the paging the download asks for.
  const page = await createApi().fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ fundings(first: 5) { edges { node { description } } pageInfo { hasNextPage endCursor } } }" }),
  });
  const cost: number = (await page.json()).extensions.cost.requested;
  const count = (await api.query("{ fundings(first: 0) { totalCount } }")).body.data.fundings.totalCount;
  const pages = Math.ceil(count / 5);
  expect(pages).toBeGreaterThan(2);
  // Enough for the request and two pages, not for the rest.
  const perMinute = 1 + 2 * cost + 1;
  const small = createApi({ downloadPageSize: 5, rateLimitStore: memoryStore(), limits: { perMinute } });
  const response = await download("csv", { query }, small);
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(response.headers.get("ratelimit-limit")).toBe(String(perMinute));
  const json = await response.json();
  expect(json.errors[0].extensions.code).toBe("RATE_LIMITED");
  expect(json.errors[0].message).toMatch(new RegExp(`each page of this download costs ${cost} points`));

  const enough = createApi({ downloadPageSize: 5, rateLimitStore: memoryStore(), limits: { perMinute: 1 + pages * cost } });
  const paid = await download("ndjson", { query }, enough);
  expect(paid.status).toBe(200);
  expect((await paid.text()).trimEnd().split("\n").length).toBe(count);
  // The budget is spent: the next download is refused before its first page.
  expect((await download("ndjson", { query }, enough)).status).toBe(429);
});

test("GET /schema.graphql is the committed schema, with an ETag and 304; /schema.json the introspection; / leads to GraphiQL", async () => {
  const response = await yoga.fetch("http://localhost/schema.graphql");
  expect(response.status).toBe(200);
  expect(await response.text()).toBe(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));
  const etag = response.headers.get("etag")!;
  expect(etag).toMatch(/^W\/"[\w-]+"$/);
  const again = await yoga.fetch("http://localhost/schema.graphql", { headers: { "if-none-match": etag } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe("");

  const json = await yoga.fetch("http://localhost/schema.json");
  expect(json.headers.get("etag")).toMatch(/^W\/"[\w-]+"$/);
  const introspection = await json.json();
  expect(introspection.data.__schema.queryType.name).toBe("Query");
  expect(introspection.data.__schema.types.find((t: any) => t.name === "Funding").description).toBeTruthy();

  const root = await yoga.fetch("http://localhost/", { redirect: "manual" });
  expect(root.status).toBe(302);
  expect(root.headers.get("location")).toBe("/graphql");
  // Other paths are still answered by their own routes, not taken for the root.
  expect((await yoga.fetch("http://localhost/nothing-here")).status).toBe(404);
});

test("a cell that a spreadsheet would run as a formula is written as text, as in the exports", async () => {
  const key = await createApiKey(api.db.prisma, "download-test", "WRITE");
  const write = await api.query(
    `mutation { organizationUpdate(input: {
      slug: "bekturov-institute", reason: "download test",
      record: { city: "=HYPERLINK(\\"http://example.org\\")", citations: [{ source: "https://exclusive.kz/strasti-po-kbtu-jeffektnyj-zhest-dlja-pressy-no-juridicheskaja-lovushka-dlja-nauki", quote: "Институт химических наук им. Бектурова был основан 80 лет назад, в 1945 году", confidence: HIGH }] }
    }) { userErrors { message } } }`,
    {},
    { authorization: `Bearer ${key}` },
  );
  expect(write.body.data.organizationUpdate.userErrors).toEqual([]);
  const query = '{ organizations(filter: { name: "Bekturov" }) { edges { node { city } } } }';
  const { rows } = await csvRows(await download("csv", { query }));
  expect(rows).toEqual([{ city: `'=HYPERLINK("http://example.org")` }]);
  const ndjson = await (await download("ndjson", { query })).text();
  expect(JSON.parse(ndjson)).toEqual({ city: '=HYPERLINK("http://example.org")' });
});
