import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import * as bench from "../bench/queries.ts";
import { compiledReadAnswers } from "../src/http/metrics.ts";
import { createApi } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";

// Compiled reads must answer exactly as GraphQL execution does: every query here runs on two APIs over
// the same database, one with compiled reads and one without, and the response bodies must be the same
// bytes. `compiled` says whether the planner is expected to answer it (else normal execution does).

let database: Awaited<ReturnType<typeof openTestDatabase>>;
const statements: string[] = [];
const compiledApi = createApi({ compiledReads: true, responseCacheStore: null });
const executedApi = createApi({ compiledReads: false, responseCacheStore: null });

// Answers are compared in a time zone other than UTC, where a timestamp or date read as local time would show.
const zone = process.env.TZ;
beforeAll(async () => {
  process.env.TZ = "Asia/Almaty";
  database = await openTestDatabase({ seed: true, onQuery: (sql) => statements.push(sql) });
});
afterAll(async () => {
  await database?.drop();
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const compiledCount = async () => (await compiledReadAnswers.get()).values.find((v) => v.labels.result === "compiled")?.value ?? 0;

async function post(api: ReturnType<typeof createApi>, query: string, variables: object, headers: Record<string, string>) {
  const response = await api.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  // What is left of the caller's rate-limit budget refills with time: the one part of a body the two APIs may differ in.
  return { status: response.status, body: (await response.text()).replace(/"remaining":\d+/, '"remaining":0') };
}

/** Runs `query` both ways; returns the compiled API's answer, the statements it sent and whether the planner answered. */
async function both(query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const executed = await post(executedApi, query, variables, headers);
  const before = await compiledCount();
  statements.length = 0;
  const compiled = await post(compiledApi, query, variables, headers);
  const sent = [...statements];
  expect(compiled.body).toBe(executed.body);
  expect(compiled.status).toBe(executed.status);
  return { ...compiled, json: JSON.parse(compiled.body), statements: sent, planned: (await compiledCount()) > before };
}

async function ids() {
  const { json } = await both(`{
    organizations(first: 100, orderBy: { field: CREATED_AT }) { edges { node { id slug kind } } }
    fundings(first: 100) { edges { node { id funder { id } } } }
    partnerships(first: 5) { edges { node { id } } }
  }`);
  const orgs = json.data.organizations.edges.map((e: any) => e.node);
  const funder = json.data.fundings.edges.find((e: any) => e.node.funder)?.node.funder.id;
  return { orgs, funder, partnership: json.data.partnerships.edges[0].node.id };
}

test("the benchmark's queries answer the same, the lists without GraphQL execution", async () => {
  const { funder, partnership } = await ids();
  const nested = await both(bench.NESTED_QUERY, { n: bench.PAGE });
  expect(nested.planned).toBe(true);
  expect(nested.json.data.organizations.edges.length).toBeGreaterThan(0);
  expect(
    nested.json.data.organizations.edges.some((e: any) => e.node.methods.edges.some((m: any) => m.node.partnerships.edges.length)),
  ).toBe(true);
  // The root list, then both nested levels in one statement, whatever the page size.
  expect(nested.statements.length).toBe(2);
  expect((await both(bench.NESTED_QUERY, { n: 1 })).statements.length).toBe(2);
  expect((await both(bench.FILTERED_QUERY, { n: 20 })).planned).toBe(true);
  expect((await both(bench.FUNDINGS_BY_FUNDER_QUERY, { funder, n: 20 })).planned).toBe(true);
  expect((await both(bench.PAGE_QUERY, {})).planned).toBe(true);
  // Abstract types (node, search) and summaries run through normal execution.
  expect((await both(bench.NODE_QUERY, { id: partnership })).planned).toBe(false);
  expect((await both(bench.SEARCH_QUERY, { q: "method", n: 20 })).planned).toBe(false);
  expect((await both(bench.FUNDING_SUMMARY_QUERY, {})).planned).toBe(false);
});

test("the README's example queries answer the same", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const queries = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]).filter((q) => !/^\s*mutation\b/.test(q));
  expect(queries.length).toBeGreaterThan(5);
  for (const query of queries) await both(query);
});

test("languages and their fallbacks, by argument and by Accept-Language", async () => {
  const query = `{ organizations(first: 30) { edges { node { name en: name(lang: EN) ru: name(lang: RU) kk: name(lang: KK)
    localizedName { lang text } localizedRu: localizedName(lang: RU) { text lang } names { lang text } } } }
    methods(first: 10) { edges { node { title titleRu: title(lang: RU) localizedTitle(lang: KK) { lang text } } } } }`;
  for (const language of [undefined, "ru", "kk, ru;q=0.5", "de"]) {
    const answer = await both(query, {}, language ? { "accept-language": language } : {});
    expect(answer.planned).toBe(true);
  }
});

test("global IDs, cursors and pages both ways, enums, decimals, dates and timestamps", async () => {
  const page = `query Page($first: Int, $after: String, $last: Int, $before: String) {
    partnerships(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id slug kind status start { text precision start end } end { text } createdAt updatedAt } }
    } }`;
  const first = await both(page, { first: 3 });
  expect(first.planned).toBe(true);
  const { endCursor, startCursor } = first.json.data.partnerships.pageInfo;
  const second = await both(page, { first: 3, after: endCursor });
  expect(second.planned).toBe(true);
  expect((await both(page, { last: 2, before: second.json.data.partnerships.pageInfo.startCursor })).planned).toBe(true);
  expect((await both(page, { last: 4 })).planned).toBe(true);
  await both(page, { first: 0 });
  await both(page, { first: 2, last: 2 });
  await both(page, { last: 0 });
  await both(page, { first: 3, after: startCursor });
  const fundings = `{ fundings(first: 50, orderBy: { field: AMOUNT, direction: DESC }) { totalCount edges { cursor node { id slug
    amount { amount currency } amountDisclosed amountKind amountBound date { text precision } fiscalYearStart fiscalYearEnd } } } }`;
  expect((await both(fundings)).planned).toBe(true);
  const orgs = `{ organizations(first: 100) { edges { node { id kind country city foundedYear website alternateNames description
    methods(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id slug category stage technologyReadinessLevel createdAt updatedAt } } }
    fundingsProvided(last: 2) { totalCount edges { node { slug amount { amount currency } amountDisclosed amountKind amountBound date { text precision } fiscalYearStart createdAt } } }
    children { edges { node { slug } } } } } } }`;
  expect((await both(orgs)).planned).toBe(true);
});

test("nested pages after and before a cursor, retraction arguments and empty pages", async () => {
  const { json } = await both(`{ methods(first: 50) { edges { node { partnerships(first: 1) { pageInfo { endCursor } } } } } }`);
  const cursor = json.data.methods.edges.map((e: any) => e.node.partnerships.pageInfo.endCursor).find(Boolean);
  const nested = `query N($after: String, $before: String, $r: RetractionFilter!) { methods(first: 50, retraction: $r) {
    edges { node { slug a: partnerships(first: 2, after: $after) { edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage } }
      b: partnerships(last: 2, before: $before, retraction: $r) { totalCount edges { node { slug } } pageInfo { hasNextPage hasPreviousPage } } } } } }`;
  for (const r of ["EXCLUDE", "INCLUDE", "ONLY"]) {
    expect((await both(nested, { after: cursor, before: cursor, r })).planned).toBe(true);
  }
  // Three levels in one statement, backward in the middle, records reached along several paths.
  const chain = `query C($r: RetractionFilter!) { organizations(first: 60, orderBy: { field: CREATED_AT }) { edges { node { slug
    methods(last: 2, retraction: $r) { totalCount pageInfo { hasPreviousPage startCursor } edges { cursor node { slug
      developers(first: 3) { totalCount edges { node { slug methods(first: 2) { pageInfo { hasNextPage } edges { node { slug } } } } } } } } } } } } }`;
  for (const r of ["EXCLUDE", "INCLUDE"]) {
    const answer = await both(chain, { r });
    expect(answer.planned).toBe(true);
    expect(answer.statements.filter((sql) => sql.includes("LATERAL")).length).toBe(1);
  }
  const empty = await both(`{ organizations(first: 5, filter: { name: "no such organization anywhere" }) {
    totalCount edges { node { slug } } pageInfo { hasNextPage startCursor endCursor } } }`);
  expect(empty.planned).toBe(true);
  expect(empty.json.data.organizations.edges).toEqual([]);
});

test("@skip and @include, aliases, fragments and variables", async () => {
  const query = `query Q($withMethods: Boolean!, $skipSlug: Boolean = false, $n: Int = 2) {
    institutes(first: 10) { ...List }
    again: institutes(first: $n) @include(if: $withMethods) { edges { node { __typename slug @skip(if: $skipSlug) } } }
  }
  fragment List on OrganizationConnection { __typename totalCount edges { ... on OrganizationEdge { node { ...Org } } } }
  fragment Org on Organization { slug @skip(if: $skipSlug) label: name(lang: RU) ... on Organization { slug city }
    methods(first: $n) @include(if: $withMethods) { edges { node { __typename ... on Method { title } } } } }`;
  for (const variables of [{ withMethods: true }, { withMethods: false, skipSlug: true }, { withMethods: true, skipSlug: true, n: 1 }]) {
    expect((await both(query, variables)).planned).toBe(true);
  }
});

test("bad page arguments, cursors and IDs get the errors normal execution gives", async () => {
  for (const query of [
    `{ partnerships(first: 101) { edges { node { slug } } } }`,
    `{ partnerships(first: -1) { edges { node { slug } } } }`,
    `{ partnerships(after: "nonsense") { edges { node { slug } } } }`,
    `{ partnerships(first: 2, before: "R1BDOk46MQ==", after: "R1BDOk46MQ==") { edges { node { slug } } } }`,
    `{ methods(first: 2) { edges { node { partnerships(first: 500) { edges { node { slug } } } } } } }`,
    `{ organizations(first: 2, filter: { parent: "not an id" }) { edges { node { slug } } } }`,
    `query Q($n: Int!) { partnerships(first: $n) { edges { node { slug } } } }`,
  ]) {
    const answer = await both(query);
    expect({ query, errors: answer.json.errors?.length > 0, planned: answer.planned }).toEqual({ query, errors: true, planned: false });
  }
});

test("a document the planner does not compile runs through normal execution", async () => {
  const answer = await both(`{ organizations(first: 5) { facets { kinds { value count } } edges { node { slug parent { slug } } } } }`);
  expect(answer.planned).toBe(false);
  expect((await both(`{ partnerships(first: 3) { edges { node { slug participants { role } } } } }`)).planned).toBe(false);
  expect((await both(`mutation { __typename }`)).planned).toBe(false);
});
