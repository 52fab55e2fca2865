import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
    await expectError(`query($id: ID!) { fundings(filter: { funder: $id }) { totalCount } }`, { id: sourceId }, 200, "BAD_USER_INPUT", /is not of type: Organization/);
  });

  test("unknown enum value", () =>
    expectError(`{ organizations(filter: { kinds: [CASTLE] }) { totalCount } }`, undefined, 400, "GRAPHQL_VALIDATION_FAILED", /"CASTLE" does not exist in "OrganizationKind"/));

  test("first over 100", () =>
    expectError(`{ partnerships(first: 101) { totalCount } }`, undefined, 200, "BAD_USER_INPUT", /"first" must be between 0 and 100; got 101/));

  test("negative last", () =>
    expectError(`{ methods(last: -5) { totalCount } }`, undefined, 200, "BAD_USER_INPUT", /"last" must be a non-negative integer/));

  test("first over 100 on a nested connection", () =>
    expectError(`{ institutes(first: 1) { edges { node { methods(first: 500) { totalCount } } } } }`, undefined, 200, "BAD_USER_INPUT", /"first" must be between 0 and 100; got 500/));

  test("wrong-type variable", () =>
    expectError(`query($n: Int) { organizations(first: $n) { totalCount } }`, { n: "ten" }, 400, "BAD_USER_INPUT", /Int cannot represent non-integer value/));

  test("malformed cursor", () =>
    expectError(`{ organizations(after: "%%%") { totalCount } }`, undefined, 200, "BAD_USER_INPUT", /cursor/i));

  test("malformed decimal", () =>
    expectError(`{ fundings(filter: { amount: { min: "1e9" } }) { totalCount } }`, undefined, 400, "BAD_USER_INPUT", /Decimal must be a string of digits/));

  test("invalid country code", () =>
    expectError(`{ organizations(filter: { country: "XX" }) { totalCount } }`, undefined, 400, "GRAPHQL_VALIDATION_FAILED", /country code/));

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
    expect(body).toEqual({ data: { node: null }, extensions: expect.anything() });
  });

  test("a request that is not JSON", async () => {
    const response = await createRawRequest("{ not json");
    expect(response.status).toBe(400);
  });
});

async function createRawRequest(body: string) {
  const { createApi } = await import("../src/yoga.ts");
  return createApi().fetch("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json" }, body });
}
