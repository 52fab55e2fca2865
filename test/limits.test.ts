import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiKey, revokeApiKey } from "../src/auth/keys.ts";
import { DOCUMENT_LIMITS } from "../src/limits/document.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi, EXAMPLE_QUERY } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  // Limits and costs depend on the query, not on the data: an empty database is enough.
  api = await startTestApi({ seed: false });
});
afterAll(() => api?.close());

/** A refused query: 400, one error with the code and message, and not one SQL statement sent. */
async function expectRefused(query: string, code: string, message: RegExp, variables?: Record<string, unknown>) {
  const { status, body } = await api.query(query, variables);
  expect(body.errors, JSON.stringify(body)).toHaveLength(1);
  expect(body.errors![0].extensions.code).toBe(code);
  expect(body.errors![0].message).toMatch(message);
  expect(status).toBe(400);
  expect(body.data).toBeUndefined();
  expect(api.statements).toEqual([]);
}

describe("queries the public needs pass every limit", () => {
  test("the example query in GraphiQL, with its cost reported", async () => {
    const { status, body } = await api.query(EXAMPLE_QUERY);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.institutes).toEqual({ totalCount: 0, edges: [] });
    // 10 institutes x (10 methods x (5 partnerships x 10 participants)) and 10 citations each.
    expect((body as any).extensions.cost).toEqual({ requested: 11531, limit: 25_000, remaining: expect.any(Number), budget: 100_000 });
  });

  test("GraphiQL's introspection query (Docs panel)", async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const { status, body } = await api.query(query);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect((body as any).extensions.cost.requested).toBeLessThan(25_000);
  });

  test("field suggestions stay on", async () => {
    const { body } = await api.query(`{ institutes { totalCont } }`);
    expect(body.errors![0].message).toMatch(/Did you mean "totalCount"/);
  });
});

describe("limits on the document, checked before anything runs", () => {
  test("depth", () => {
    const hop = "methods(first: 1) { edges { node { developers(first: 1) { edges { node { ";
    const query = `{ organizations(first: 1) { edges { node { ${hop.repeat(2)} slug ${"} } } } } } ".repeat(2)} } } } }`;
    return expectRefused(query, "QUERY_TOO_DEEP", new RegExp(`The query is 16 fields deep; the limit is ${DOCUMENT_LIMITS.maxDepth}`));
  });

  test("depth counts fragments where they are spread", () =>
    expectRefused(
      `query Deep { organizations { edges { node { ...M } } } }
       fragment M on Organization { methods { edges { node { developers { edges { node { methods { edges { node { developers { edges { node { slug } } } } } } } } } } } } }`,
      "QUERY_TOO_DEEP",
      /Operation "Deep" is 16 fields deep; the limit is 15/,
    ));

  test("aliases", () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(" ");
    return expectRefused(`{ ${aliases} }`, "TOO_MANY_ALIASES", /uses 31 aliases .*; the limit is 30/);
  });

  test("aliases spread through fragments count each time: a fragment bomb is measured, not expanded", () => {
    const fragments = ["fragment F0 on Query { a: __typename b: __typename }"];
    for (let i = 1; i <= 40; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    return expectRefused(`{ ...F40 } ${fragments.join(" ")}`, "TOO_MANY_ALIASES", /uses 2199023255552 aliases/);
  });

  test("directives", () => {
    const fields = Array.from({ length: 26 }, () => `__typename @include(if: true) @skip(if: false)`).join(" ");
    return expectRefused(`{ ${fields} }`, "TOO_MANY_DIRECTIVES", /uses 52 directives; the limit is 50/);
  });

  test("tokens", () => {
    const fields = Array.from({ length: 700 }, () => "__typename").join(" ");
    return expectRefused(`{ ${fields} ${fields} ${fields} }`, "QUERY_TOO_LARGE", /more than 2000 tokens/);
  });

  test("circular fragments", () =>
    expectRefused(
      `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
      "GRAPHQL_VALIDATION_FAILED",
      /Cannot spread fragment "A" within itself via "B"/,
    ));
});

describe("cost, computed from connection sizes before execution", () => {
  test("nested pages multiply", () =>
    expectRefused(
      `{ institutes(first: 100) { edges { node { methods(first: 100) { edges { node { partnerships(first: 10) { totalCount } } } } } } } }`,
      "QUERY_TOO_COSTLY",
      // 1 + 100 x (2 + 1 + 100 x (2 + 1)) connections, edges and nodes
      /The query's cost is 30301; the limit is 25000/,
    ));

  test("sizes given in variables count", async () => {
    const query = `query($n: Int!) { institutes(first: $n) { edges { node { methods(first: $n) { edges { node { partnerships(first: $n) { totalCount } } } } } } } }`;
    await expectRefused(query, "QUERY_TOO_COSTLY", /cost is 30301/, { n: 100 } as never);
    const { body } = await api.query(query, { n: 2 });
    expect(body.errors).toBeUndefined();
    expect((body as any).extensions.cost.requested).toBe(1 + 2 * (2 + 1 + 2 * (2 + 1)));
  });

  test("a page over 100 is refused before any SQL", () =>
    expectRefused(`{ institutes(first: 1000000) { totalCount } }`, "BAD_USER_INPUT", /"first" must be between 0 and 100; got 1000000/));

  test("nodes(ids:) counts its ids", async () => {
    const { body } = await api.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: Array(30).fill(Buffer.from("Organization:1").toString("base64")),
    });
    expect(body.errors).toBeUndefined();
    expect((body as any).extensions.cost.requested).toBe(30);
  });

  test("an error response reports the cost too", async () => {
    const { body } = await api.query(`{ nothing }`);
    expect((body as any).extensions.cost).toEqual({ requested: 0, limit: 25_000, remaining: expect.any(Number), budget: 100_000 });
  });
});

describe("rate limits and timeouts", () => {
  const post = (yoga: ReturnType<typeof createApi>, query: string) =>
    yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query }),
    });

  test("a client's budget of points a minute: 429 with Retry-After and RateLimit headers", async () => {
    const yoga = createApi({ limits: { perMinute: 60, maxCost: 30 }, rateLimitStore: memoryStore() });
    const query = `{ institutes(first: 10) { edges { node { slug } } } }`; // 1 + 10 x 2 = 21 points, plus 1 a request
    const first = await post(yoga, query);
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("60");
    expect(Number(first.headers.get("ratelimit-remaining"))).toBe(38);
    expect((await first.json()).extensions.cost).toMatchObject({ requested: 21, remaining: 38, budget: 60 });
    expect((await post(yoga, query)).status).toBe(200);
    api.statements.length = 0;
    const refused = await post(yoga, query);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("15");
    const body = await refused.json();
    expect(body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(body.errors[0].message).toMatch(/this query costs 21 points and 15 of your 60 points a minute are left/);
    expect(api.statements).toEqual([]);
    await yoga.dispose();
  });

  test("a valid API key gets a budget of its own, five times as large; a made-up or revoked one does not", async () => {
    const yoga = createApi({ limits: { perMinute: 60, keyPerMinute: 300, maxCost: 30 }, rateLimitStore: memoryStore() });
    const token = await createApiKey(api.db.prisma, "rate-limit-tier-test", "READ");
    const send = (authorization?: string) =>
      yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: "{ institutes(first: 1) { totalCount } }" }),
      });
    expect((await send(`Bearer ${token}`)).headers.get("ratelimit-limit")).toBe("300");
    expect((await send("Bearer kzg_made-up-token")).headers.get("ratelimit-limit")).toBe("60");
    await revokeApiKey(api.db.prisma, "rate-limit-tier-test");
    expect((await send(`Bearer ${token}`)).headers.get("ratelimit-limit")).toBe("60");
    await yoga.dispose();
  });

  test("execution timeout: TIMEOUT, 504", async () => {
    const yoga = createApi({ limits: { timeoutMs: 1 }, rateLimitStore: memoryStore() });
    const response = await post(yoga, `{ institutes(first: 100) { totalCount edges { node { methods { totalCount } } } } }`);
    expect(response.status).toBe(504);
    const body = await response.json();
    expect(body.errors[0].extensions.code).toBe("TIMEOUT");
    expect(body.errors[0].message).toMatch(/ran longer than 0.001 s and was stopped/);
    await yoga.dispose();
  });
});
