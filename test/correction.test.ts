import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { redisStore } from "../src/limits/rate-limit.ts";
import { CORRECTION_LIMIT } from "../src/schema/correction.ts";
import { createApi } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let curator: string;
let recordId: string;

beforeAll(async () => {
  api = await startTestApi();
  curator = await createApiKey(api.db.prisma, "curator", "WRITE");
  recordId = (await api.query(`{ organizations(first: 1) { edges { node { id } } } }`)).body.data.organizations.edges[0].node.id;
});
afterAll(() => api?.close());

const SUBMIT = `mutation ($input: CorrectionSubmitInput!) { correctionSubmit(input: $input) { received userErrors { field message code } } }`;
const LIST = `query { corrections(first: 10, status: OPEN) { totalCount edges { node { id recordId message sourceUrl contact status } } } }`;
const report = (message: string) => ({
  input: { recordId, message, sourceUrl: "https://example.org/annual-report", contact: "reader@example.org" },
});

test("anyone may report an error; it is stored for curators and never shown to the public", async () => {
  const { body } = await api.query(SUBMIT, report("The founding year is 1958, not 1956, per the annual report"));
  expect(body.data.correctionSubmit).toEqual({ received: true, userErrors: [] });

  const anonymous = await api.query(LIST);
  expect(anonymous.body.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  expect(JSON.stringify(anonymous.body)).not.toContain("1958");

  const listed = await api.query(LIST, {}, { authorization: `Bearer ${curator}` });
  expect(listed.body.data.corrections.edges.map((e: any) => e.node)).toEqual([
    expect.objectContaining({
      recordId,
      message: "The founding year is 1958, not 1956, per the annual report",
      contact: "reader@example.org",
      status: "OPEN",
    }),
  ]);
});

test("over-long, empty or unknown-record reports are refused and not stored", async () => {
  const before = await api.db.prisma.correction.count();
  const long = await api.query(SUBMIT, report("x".repeat(5000)));
  expect(long.body.data.correctionSubmit).toEqual({
    received: false,
    userErrors: [{ field: "message", message: "expected at most 4000 characters", code: "INVALID" }],
  });
  const unknown = await api.query(SUBMIT, {
    input: { recordId: Buffer.from("Organization:999999").toString("base64"), message: "This organization does not exist at all" },
  });
  expect(unknown.body.data.correctionSubmit.userErrors[0].code).toBe("NOT_FOUND");
  expect(await api.db.prisma.correction.count()).toBe(before);
});

test("reports from one client are rate limited", async () => {
  await api.db.prisma.correction.deleteMany();
  const results = [];
  for (let i = 0; i < CORRECTION_LIMIT.count + 1; i++)
    results.push((await api.query(SUBMIT, report(`Report number ${i} about this record`))).body.data.correctionSubmit);
  // The first test already used one report of this client's window.
  expect(results.filter((r) => r.received)).toHaveLength(CORRECTION_LIMIT.count - 1);
  expect(results.at(-1).userErrors[0].code).toBe("RATE_LIMITED");
  expect(await api.db.prisma.correction.count()).toBe(CORRECTION_LIMIT.count - 1);
});

test.runIf(process.env.TEST_REDIS_URL)("instances sharing Redis share the limit on reports", async () => {
  const prefix = `kzgraph-test:${randomUUID()}:`;
  const instances = [1, 2].map(() => createApi({ rateLimitStore: redisStore(process.env.TEST_REDIS_URL!, prefix) }));
  const submit = async (i: number, message: string) => {
    const response = await instances[i].fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: SUBMIT, variables: report(message) }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    return body.data.correctionSubmit;
  };
  try {
    for (let i = 0; i < CORRECTION_LIMIT.count; i++) expect((await submit(i % 2, `Shared limit report number ${i}`)).received).toBe(true);
    const refused = await submit(1, "One report too many for this address");
    expect(refused.userErrors).toEqual([
      { field: "input", message: expect.stringMatching(/^too many reports from this address; try again in \d+ s$/), code: "RATE_LIMITED" },
    ]);
  } finally {
    await Promise.all(instances.map((instance) => instance.dispose()));
  }
});

test("a curator resolves a correction", async () => {
  const auth = { authorization: `Bearer ${curator}` };
  const [first] = (await api.query(LIST, {}, auth)).body.data.corrections.edges;
  const resolve = `mutation ($input: CorrectionResolveInput!) { correctionResolve(input: $input) { correction { status resolution resolvedBy } userErrors { code } } }`;
  const anonymous = await api.query(resolve, { input: { id: first.node.id, status: "ACCEPTED", resolution: "Fixed" } });
  expect(anonymous.body.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  const { body } = await api.query(resolve, { input: { id: first.node.id, status: "ACCEPTED", resolution: "Fixed the year" } }, auth);
  expect(body.data.correctionResolve).toEqual({
    correction: { status: "ACCEPTED", resolution: "Fixed the year", resolvedBy: "curator" },
    userErrors: [],
  });
});
