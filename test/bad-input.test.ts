import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApi } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ seed: false });
});
afterAll(() => api?.close());

async function expectError(query: string, variables: Record<string, unknown> | undefined, status: number, code: string, message: RegExp) {
  const { status: actual, body } = await api.query(query, variables);
  expect(actual).toBe(status);
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0].extensions.code).toBe(code);
  expect(body.errors![0].message).toMatch(message);
}

describe("bad input gets a clear error with a code, never a 500", () => {
  test("malformed global ID", () =>
    expectError(`{ node(id: "not-an-id") { id } }`, undefined, 200, "BAD_USER_INPUT", /"not-an-id" is not a valid ID/));

  test("global ID of the wrong type in a filter", async () => {
    const sourceId = Buffer.from("Source:1").toString("base64");
    await expectError(
      `query($id: ID!) { fundings(filter: { funder: $id }) { totalCount } }`,
      { id: sourceId },
      200,
      "BAD_USER_INPUT",
      /is not of type: Organization/,
    );
  });

  test("unknown enum value", () =>
    expectError(
      `{ organizations(filter: { kinds: [CASTLE] }) { totalCount } }`,
      undefined,
      400,
      "GRAPHQL_VALIDATION_FAILED",
      /"CASTLE" does not exist in "OrganizationKind"/,
    ));

  test("first over 100", () =>
    expectError(
      `{ partnerships(first: 101) { totalCount } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /"first" must be between 0 and 100; got 101/,
    ));

  test("negative last", () =>
    expectError(`{ methods(last: -5) { totalCount } }`, undefined, 400, "BAD_USER_INPUT", /"last" must be between 0 and 100; got -5/));

  test("first over 100 on a nested connection", () =>
    expectError(
      `{ institutes(first: 1) { edges { node { methods(first: 500) { totalCount } } } } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /"first" must be between 0 and 100; got 500/,
    ));

  test("wrong-type variable", () =>
    expectError(
      `query($n: Int) { organizations(first: $n) { totalCount } }`,
      { n: "ten" },
      400,
      "BAD_USER_INPUT",
      /Int cannot represent non-integer value/,
    ));

  test("malformed cursor", () =>
    expectError(`{ organizations(after: "%%%") { totalCount } }`, undefined, 200, "BAD_USER_INPUT", /cursor/i));

  test("malformed decimal", () =>
    expectError(
      `{ fundings(filter: { amount: { min: "1e9" } }) { totalCount } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /Decimal must be a string of digits/,
    ));

  test("invalid country code", () =>
    expectError(
      `{ organizations(filter: { country: "XX" }) { totalCount } }`,
      undefined,
      400,
      "GRAPHQL_VALIDATION_FAILED",
      /country code/,
    ));

  test("unknown field", () =>
    expectError(`{ organizations { nodes { id } } }`, undefined, 400, "GRAPHQL_VALIDATION_FAILED", /Cannot query field "nodes"/));

  test("unknown slug is null, not an error", async () => {
    const { status, body } = await api.query(`{ organization(slug: "no-such-org") { id } method(slug: "nope") { id } }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ organization: null, method: null });
  });

  test("well-formed ID of no record is null, not an error", async () => {
    const id = Buffer.from("Organization:999999").toString("base64");
    const { body } = await api.query(`query($id: ID!) { node(id: $id) { id } }`, { id });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ node: null });
  });

  test("a request that is not JSON", async () => {
    const response = await createRawRequest("{ not json");
    expect(response.status).toBe(400);
  });
});

describe("values PostgreSQL would refuse are refused first, naming the argument, and nothing is written", () => {
  const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
  const SUBMIT = `mutation ($input: CorrectionSubmitInput!) { correctionSubmit(input: $input) { received userErrors { field } } }`;
  let recordId: string;
  beforeAll(async () => {
    const org = await api.db.prisma.organization.create({
      data: { slug: "synthetic-bad-input-org", kind: "RESEARCH_INSTITUTE", nameEn: "Synthetic organization (test data)" },
    });
    recordId = globalId("Organization", String(org.id));
  });
  const corrections = () => api.db.prisma.correction.count();
  /** A POST whose body is sent as given: the nested values below are deeper than JSON.stringify's stack allows here. */
  const raw = (body: string) =>
    createApi().fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body,
    });

  test("a NUL character in an argument", () =>
    expectError(
      `{ organization(slug: "bekturov\\u0000") { id } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /^Argument "slug" of "organization" contains a NUL character/,
    ));

  test("a NUL character in an input field of a literal", () =>
    expectError(
      `{ fundings(filter: { text: "gold\\u0000" }) { totalCount } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /^Argument "filter.text" of "fundings" contains a NUL character/,
    ));

  test("a NUL character in a variable: nothing written", async () => {
    const before = await corrections();
    await expectError(
      SUBMIT,
      { input: { recordId, message: "The founding year\u0000 is wrong" } },
      400,
      "BAD_USER_INPUT",
      /^Variable "\$input.message" contains a NUL character/,
    );
    expect(await corrections()).toBe(before);
  });

  test("a global ID whose number overflows PostgreSQL's integer, in a literal and in variables: nothing written", async () => {
    const big = globalId("Organization", "99999999999");
    await expectError(
      `{ node(id: "${big}") { id } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /^Argument "id" of "node" is not an ID of this API \(its number 99999999999 is beyond PostgreSQL's integer\)/,
    );
    await expectError(
      `query($f: FundingFilter) { fundings(filter: $f) { totalCount } }`,
      { f: { funder: big } },
      400,
      "BAD_USER_INPUT",
      /^Variable "\$f.funder" is not an ID of this API/,
    );
    await expectError(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: [recordId, big] },
      400,
      "BAD_USER_INPUT",
      /^Variable "\$ids\[1\]" is not an ID/,
    );
    const before = await corrections();
    await expectError(
      SUBMIT,
      { input: { recordId: big, message: "This record does not exist at all" } },
      400,
      "BAD_USER_INPUT",
      /^Variable "\$input.recordId" is not an ID/,
    );
    await expectError(
      SUBMIT,
      { input: { recordId: globalId("Organization", "-99999999999"), message: "This record does not exist at all" } },
      400,
      "BAD_USER_INPUT",
      /^Variable "\$input.recordId" is not an ID/,
    );
    expect(await corrections()).toBe(before);
  });

  test("the largest integer is still an ID: a record that does not exist is null", async () => {
    const { body } = await api.query(`query($id: ID!) { node(id: $id) { id } }`, { id: globalId("Organization", "2147483647") });
    expect(body).toMatchObject({ data: { node: null } });
    expect(body.errors).toBeUndefined();
  });

  test("a cursor whose id overflows PostgreSQL's integer, or of a kind this API never returns", async () => {
    const cursor = (text: string) => Buffer.from(text).toString("base64");
    await expectError(
      `{ organizations(after: "${cursor("GPC:N:99999999999")}") { totalCount } }`,
      undefined,
      400,
      "BAD_USER_INPUT",
      /^Argument "after" of "organizations" is not a cursor of this API/,
    );
    await expectError(
      `query($c: String) { methods(before: $c) { totalCount } }`,
      { c: cursor("GPC:S:abc") },
      400,
      "BAD_USER_INPUT",
      /^Variable "\$c" is not a cursor of this API/,
    );
    const { body } = await api.query(`query($c: String) { organizations(after: $c) { totalCount } }`, { c: cursor("GPC:N:2147483647") });
    expect(body).toMatchObject({ data: { organizations: { totalCount: 1 } } });
  });

  test("a year no date can have", () =>
    expectError(
      `{ fundings(filter: { year: 2000000000 }) { totalCount } }`,
      undefined,
      200,
      "BAD_USER_INPUT",
      /^Argument "filter.year" must be a year from 1 to 9999; got 2000000000$/,
    ));

  test("variables nested 5,000 deep", async () => {
    const response = await raw(
      `{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":${"[".repeat(5000)}${"]".repeat(5000)}}}`,
    );
    const body = await response.json();
    expect(response.status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: expect.stringMatching(/^Variable "\$ids\[0\]\[0\].*" is nested more than 20 levels deep/),
        extensions: { code: "BAD_USER_INPUT" },
      },
    ]);
  });

  test("variables nested 20 deep are within the limit", async () => {
    const response = await raw(
      `{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":${"[".repeat(20)}${"]".repeat(20)}}}`,
    );
    expect((await response.json()).errors[0].message).toMatch(/^Variable "\$ids" got invalid value/);
  });

  test("a list literal nested 3,000 deep", async () => {
    const response = await raw(JSON.stringify({ query: `{ nodes(ids: ${"[".repeat(3000)}${"]".repeat(3000)}) { id } }` }));
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([
      {
        message: 'Argument "ids" is nested more than 20 levels deep (lists and objects inside each other); the limit is 20',
        extensions: { code: "BAD_USER_INPUT" },
      },
    ]);
  });

  test("malformed JSON in GET variables and extensions", async () => {
    for (const [param, status, accept] of [
      ["variables", 400, "application/graphql-response+json"],
      ["extensions", 200, "application/json"],
    ] as const) {
      const response = await createApi().fetch(`http://localhost/graphql?query=%7B__typename%7D&${param}=%7B`, { headers: { accept } });
      expect(response.status).toBe(status);
      expect((await response.json()).errors).toEqual([
        {
          message: expect.stringMatching(new RegExp(`^Parameter "${param}" is not valid JSON \\(`)),
          extensions: { code: "BAD_USER_INPUT" },
        },
      ]);
    }
  });
});

async function createRawRequest(body: string) {
  const { createApi } = await import("../src/yoga.ts");
  return createApi().fetch("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json" }, body });
}
