import { auditServer } from "graphql-http";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { startHttpServer } from "../src/http/server.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { startTestServer, type TestServer } from "./server-helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
});
afterAll(() => server?.close());

const graphql = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify(body),
  });

test("graphql-http's GraphQL-over-HTTP audits: no errors", async () => {
  const results = await auditServer({ url: `${server.url}/graphql` });
  const count = (status: string) => results.filter((r) => r.status === status).length;
  console.log(
    `graphql-http serverAudits: ${results.length} audits, ${count("ok")} ok, ${count("notice")} notice, ${count("warn")} warn, ${count("error")} error`,
  );
  for (const r of results) if (r.status !== "ok") console.log(`  ${r.status}: ${r.name}: ${r.reason}`);
  expect(results.length).toBeGreaterThan(30);
  expect(results.filter((r) => r.status === "error").map((r) => `${r.name}: ${"reason" in r ? r.reason : ""}`)).toEqual([]);
});

describe("operations", () => {
  test("/healthz and /readyz", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready" });
    expect(ready.status).toBe(200);
  });

  test("a request id on every response: the client's own when it is plain, a new one otherwise", async () => {
    const own = await graphql({ query: "{ __typename }" }, { "x-request-id": "newsroom-42" });
    expect(own.headers.get("x-request-id")).toBe("newsroom-42");
    const odd = await graphql({ query: "{ __typename }" }, { "x-request-id": "<script>" });
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${server.url}/healthz`)).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("CORS: any site may read; no credentials, and no Authorization header from another site", async () => {
    const preflight = await fetch(`${server.url}/graphql`, {
      method: "OPTIONS",
      headers: { origin: "https://example.org", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(["*", "https://example.org"]).toContain(preflight.headers.get("access-control-allow-origin"));
    expect(preflight.headers.get("access-control-allow-credentials")).not.toBe("true");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).not.toContain("authorization");
    const read = await graphql({ query: "{ __typename }" }, { origin: "https://example.org" });
    expect(["*", "https://example.org"]).toContain(read.headers.get("access-control-allow-origin"));
  });

  test("CORS: a browser on another site can read every header the README names", async () => {
    const exposed = [
      "ratelimit-policy",
      "ratelimit-limit",
      "ratelimit-remaining",
      "ratelimit-reset",
      "x-ratelimit-limit",
      "x-ratelimit-remaining",
      "x-ratelimit-reset",
      "retry-after",
      "x-cache",
      "x-request-id",
      "etag",
      "x-data-version",
      "link",
      "content-disposition",
    ];
    const origin = { origin: "https://example.org" };
    const responses = {
      preflight: await fetch(`${server.url}/graphql`, {
        method: "OPTIONS",
        headers: { ...origin, "access-control-request-method": "GET" },
      }),
      query: await fetch(`${server.url}/graphql?query=%7B__typename%7D`, { headers: origin }),
      export: await fetch(`${server.url}/export/fundings.csv`, { headers: origin }),
      dataset: await fetch(`${server.url}/export/dataset.zip`, { headers: origin }),
    };
    for (const [name, response] of Object.entries(responses)) {
      await response.arrayBuffer();
      const header = response.headers.get("access-control-expose-headers") ?? "";
      expect(header.toLowerCase().split(/,\s*/).sort(), name).toEqual([...exposed].sort());
    }
  });

  test("a mutation over GET is refused", async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent("mutation { x }")}`, {
      headers: { accept: "application/graphql-response+json" },
    });
    expect(response.status).toBe(405);
  });

  test("/metrics: requests, durations by operation, errors by code, rate-limit rejections, pool use", async () => {
    await graphql({ query: "query JournalistQuestion { institutes(first: 2) { totalCount } }", operationName: "JournalistQuestion" });
    await graphql({ query: "{ nothing }" });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/http_requests_total\{route="graphql",status="200"\} \d+/);
    expect(text).toMatch(/graphql_request_duration_seconds_count\{operation="JournalistQuestion"\} 1/);
    expect(text).toMatch(/graphql_errors_total\{code="GRAPHQL_VALIDATION_FAILED"\} [1-9]/);
    expect(text).toMatch(/rate_limit_rejections_total \d+/);
    expect(text).toMatch(/db_pool_connections\{pool="primary",state="total"\} [1-9]/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });
});

test("writes from browsers: the CSRF header is needed for every mutation, and only JSON bodies are read", async () => {
  const org = await server.db.prisma.organization.create({
    data: { slug: "synthetic-csrf-org", kind: "RESEARCH_INSTITUTE", nameEn: "Synthetic organization (test data)" },
  });
  const query = `mutation { correctionSubmit(input: { recordId: "${Buffer.from(`Organization:${org.id}`).toString("base64")}", message: "The founding year is wrong (test report)" }) { received } }`;
  const corrections = () => server.db.prisma.correction.count();
  const before = await corrections();
  const crossSite = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };

  const noHeader = await graphql({ query }, crossSite);
  expect(noHeader.status).toBe(403);
  expect((await noHeader.json()).errors).toEqual([
    { message: expect.stringMatching(/must send the header x-graphql-yoga-csrf: 1/), extensions: { code: "CSRF_HEADER_MISSING" } },
  ]);

  // What a cross-site HTML form can send, with no preflight: never read as GraphQL.
  for (const [type, body] of [
    ["application/x-www-form-urlencoded", `query=${encodeURIComponent(query)}`],
    [
      "multipart/form-data; boundary=x",
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query })}\r\n--x--\r\n`,
    ],
    ["text/plain", JSON.stringify({ query })],
  ]) {
    const form = await fetch(`${server.url}/graphql`, { method: "POST", headers: { ...crossSite, "content-type": type }, body });
    expect(form.status, type).toBe(415);
    expect(await form.json(), type).toEqual({
      errors: [{ message: expect.stringMatching(/Content-Type: application\/json/), extensions: { code: "UNSUPPORTED_MEDIA_TYPE" } }],
    });
  }
  expect(await corrections()).toBe(before);

  const withHeader = await graphql({ query }, { ...crossSite, "x-graphql-yoga-csrf": "1" });
  expect(await withHeader.json()).toMatchObject({ data: { correctionSubmit: { received: true } } });
  expect(await corrections()).toBe(before + 1);
});

test("client address: X-Forwarded-For counts only behind a trusted proxy", async () => {
  const budgetOf2 = () => createApi({ rateLimitStore: memoryStore(), limits: { perMinute: 2 } });
  const options = { port: 0, host: "127.0.0.1", maxBodyBytes: 100_000, requestTimeoutMs: 2000, drainTimeoutMs: 1000 };
  const [trusting, direct] = await Promise.all([
    startHttpServer(budgetOf2(), { ...options, trustProxy: true }),
    startHttpServer(budgetOf2(), { ...options, trustProxy: false }),
  ]);
  try {
    const ask = async (base: string, forwardedFor: string) =>
      (await fetch(`${base}/graphql?query=%7B__typename%7D`, { headers: { "x-forwarded-for": forwardedFor } })).status;
    // Behind a proxy: the entry the proxy appended (the last) is the client; earlier entries are the client's own claims.
    expect([
      await ask(trusting.url, "5.5.5.5, 1.1.1.1"),
      await ask(trusting.url, "6.6.6.6, 1.1.1.1"),
      await ask(trusting.url, "7.7.7.7, 1.1.1.1"),
    ]).toEqual([200, 200, 429]);
    expect(await ask(trusting.url, "2.2.2.2")).toBe(200);
    // Direct: the header is the client's own claim and is ignored.
    expect([await ask(direct.url, "1.1.1.1"), await ask(direct.url, "2.2.2.2"), await ask(direct.url, "3.3.3.3")]).toEqual([200, 200, 429]);
  } finally {
    await Promise.all([trusting.stop(), direct.stop()]);
  }
});

// Last: this one breaks the database under the running server on purpose.
test("an unexpected error: masked for the client with a request id, logged with its stack under that id", async () => {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await server.db.pools.primary.end();
    const response = await graphql({ query: "{ institutes { totalCount } }" });
    const body = await response.json();
    const requestId = response.headers.get("x-request-id");
    expect(body.errors[0]).toMatchObject({
      message: `Unexpected error. (request id ${requestId})`,
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
    });
    expect(JSON.stringify(body)).not.toMatch(/pool|SELECT|\.ts|at /);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "unexpected error");
    expect(logged).toMatchObject({ level: "error", requestId, error: expect.stringMatching(/pool/) });
    expect(logged.stack).toMatch(/\n\s+at /);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "database unreachable", database: "primary" });
  } finally {
    spy.mockRestore();
  }
});
