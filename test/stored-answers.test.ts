// Repeated anonymous queries answered by the HTTP server from stored bytes, before Yoga
// (src/cache/stored-answers.ts): the same bytes and headers as Yoga's answer, charged as Yoga
// charges, never stale after a write, and never used for what Yoga must answer itself.
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { memoryCacheStore } from "../src/cache/store.ts";
import { type HttpServer, startHttpServer } from "../src/http/server.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { type ApiOptions, createApi } from "../src/yoga.ts";
import { readWhileWriting } from "./concurrent-load.ts";
import { openTestDatabase } from "./helpers.ts";

type Api = ReturnType<typeof createApi>;
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let writeKey: string;
let source: string;
const running: { api: Api; http: HttpServer }[] = [];

beforeAll(async () => {
  db = await openTestDatabase({ seed: true });
  writeKey = await createApiKey(db.db.prisma, "stored-answers-test", "WRITE");
  source = (await db.db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
});
afterAll(async () => {
  for (const { api, http } of running) {
    await http.stop();
    await api.dispose();
  }
  await db?.drop();
});

/** The real HTTP server over createApi, with a count of the requests answered from stored bytes. */
async function serve(options: ApiOptions = {}) {
  const api = createApi({ rateLimitStore: memoryStore(), responseCacheStore: memoryCacheStore(10 * 1024 * 1024, 3600), ...options });
  const http = await startHttpServer(api, {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: 100_000,
    requestTimeoutMs: 10_000,
    trustProxy: false,
    drainTimeoutMs: 3000,
  });
  running.push({ api, http });
  const answers = api.storedAnswers!;
  const counts = { stored: 0 };
  const reply = answers.reply.bind(answers);
  answers.reply = async (...args) => {
    const stored = await reply(...args);
    if (stored) counts.stored++;
    return stored;
  };
  return { url: http.url, counts };
}

interface Exchange {
  status: number;
  headers: Record<string, string>;
  /** The body as sent: still compressed when it was. */
  body: Buffer;
}

/** One request over HTTP, the answer as sent (node:http: no decompression, every header as it came). */
function exchange(url: string, method: "GET" | "POST", path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Exchange>((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const textOf = ({ headers, body }: Exchange) => (headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString();
const remainingIn = (text: string) => Number(/"remaining":(\d+)/.exec(text)![1]);
/** Headers that differ from one answer to the next by design: the request's id, its date, what is left of the budget. */
const PER_REQUEST = [
  "date",
  "x-request-id",
  "x-cache",
  "ratelimit-remaining",
  "ratelimit-reset",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];
const lasting = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_REQUEST.includes(name)));

const LIST = `{ organizations(first: 20) { edges { node { slug name city } } } }`;
const post = (query: string, variables: object = {}) => JSON.stringify({ query, variables });

test("a stored answer is the miss's bytes and headers, with the client's own remaining points, for POST, GET with CORS and gzip, and 304", async () => {
  const { url, counts } = await serve();
  const variants: [string, "GET" | "POST", string, Record<string, string>, string?][] = [
    ["POST", "POST", "/graphql", { "content-type": "application/json", accept: "application/graphql-response+json" }, post(LIST)],
    [
      "GET, CORS, gzip",
      "GET",
      `/graphql?${new URLSearchParams({ query: LIST })}`,
      { origin: "https://news.example", "accept-encoding": "gzip" },
    ],
    ["GET, Russian", "GET", `/graphql?${new URLSearchParams({ query: LIST })}`, { "accept-language": "ru" }],
  ];
  for (const [what, method, path, headers, body] of variants) {
    // The first time, Yoga answers (a GET after the POST of the same query from the response cache already).
    const before = counts.stored;
    const miss = await exchange(url, method, path, headers, body);
    expect(miss.status, what).toBe(200);
    expect(counts.stored, what).toBe(before);
    const hit = await exchange(url, method, path, headers, body);
    expect(counts.stored, `${what}: answered from stored bytes`).toBe(before + 1);
    expect(hit.headers["x-cache"]).toBe("HIT");
    expect(hit.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(lasting(hit.headers), what).toEqual(lasting(miss.headers));
    const [missText, hitText] = [textOf(miss), textOf(hit)];
    const remaining = remainingIn(hitText);
    expect(hit.headers["ratelimit-remaining"]).toBe(String(remaining));
    expect(hitText, what).toBe(missText.replace(`"remaining":${remainingIn(missText)}`, `"remaining":${remaining}`));
    expect(JSON.parse(hitText).errors).toBeUndefined();
  }

  // The same question written differently is another request: Yoga answers it from the response cache, as the same bytes.
  const respaced = await exchange(
    url,
    "POST",
    "/graphql",
    { "content-type": "application/json" },
    post(`{organizations(first:20){edges{node{slug name city}}}}`),
  );
  const stored = await exchange(url, "POST", "/graphql", { "content-type": "application/json" }, post(LIST));
  expect(respaced.headers["x-cache"]).toBe("HIT");
  expect(textOf(respaced)).toBe(textOf(stored).replace(/"remaining":\d+/, `"remaining":${remainingIn(textOf(respaced))}`));

  // Conditional GET: 304 with the headers Yoga's 304 has, from stored bytes too.
  const path = `/graphql?${new URLSearchParams({ query: LIST })}`;
  const { headers } = await exchange(url, "GET", path, {});
  const byYoga = await exchange(url, "GET", `/graphql?${new URLSearchParams({ query: `${LIST} ` })}`, { "if-none-match": headers.etag });
  const before = counts.stored;
  const notModified = await exchange(url, "GET", path, { "if-none-match": headers.etag });
  expect(counts.stored).toBe(before + 1);
  expect([byYoga.status, notModified.status]).toEqual([304, 304]);
  expect(notModified.body.length).toBe(0);
  expect(lasting(notModified.headers)).toEqual(lasting(byYoga.headers));
});

test("a stored answer is charged its cost and the request's point, and a client past its budget gets 429", async () => {
  const QUERY = `{ organizations(first: 9) { edges { node { slug } } } }`;
  const { url, counts } = await serve({ limits: { perMinute: 100 } });
  const ask = () => exchange(url, "POST", "/graphql", { "content-type": "application/json" }, post(QUERY));
  const miss = JSON.parse(textOf(await ask()));
  const cost = miss.extensions.cost.requested;
  expect(cost).toBe(19);
  let remaining = miss.extensions.cost.remaining;
  expect(remaining).toBe(100 - cost - 1);
  const before = counts.stored;
  while (remaining >= cost + 1) {
    const hit = await ask();
    expect(hit.headers["x-cache"]).toBe("HIT");
    const now = Number(hit.headers["ratelimit-remaining"]);
    // The bucket refills 100 points a minute: a point may come back between two requests.
    expect(remaining - now).toBeGreaterThanOrEqual(cost);
    expect(remaining - now).toBeLessThanOrEqual(cost + 1);
    remaining = now;
  }
  expect(counts.stored - before).toBe(4);
  const refused = await ask();
  expect(refused.status).toBe(429);
  expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
  expect(JSON.parse(textOf(refused)).errors[0].extensions.code).toBe("RATE_LIMITED");
});

test("requests with Authorization, mutations and answers with errors are answered by Yoga every time", async () => {
  const { url, counts } = await serve();
  const json = { "content-type": "application/json", accept: "application/graphql-response+json" };
  const withKey = { ...json, authorization: `Bearer ${writeKey}` };
  for (let i = 0; i < 3; i++) {
    const answer = await exchange(url, "POST", "/graphql", withKey, post(LIST));
    expect(answer.status).toBe(200);
    expect(answer.headers["x-cache"]).toBeUndefined();
  }
  const failing = `{ partnership(slug: 1) { title } }`;
  for (let i = 0; i < 3; i++) expect((await exchange(url, "POST", "/graphql", json, post(failing))).status).toBe(400);
  const update = `mutation ($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { organization { city } userErrors { message } } }`;
  for (const city of ["Almaty (first)", "Almaty (second)", "Almaty (first)"]) {
    const input = {
      slug: "kazakhmys",
      record: { city, citations: [{ source, quote: "Stored answers test", confidence: "HIGH" }] },
      reason: "test",
    };
    const answer = JSON.parse(textOf(await exchange(url, "POST", "/graphql", withKey, post(update, { input })))).data.organizationUpdate;
    expect(answer).toEqual({ organization: { city }, userErrors: [] });
  }
  expect(counts.stored).toBe(0);
});

test("readers asking the same bytes while curators write: every answer is at least as new as the last write acknowledged before it was asked", async () => {
  const { url, counts } = await serve({ limits: { perMinute: 1e9, keyPerMinute: 1e9 } });
  const organizations = ["bekturov-institute", "kazakhmys"];
  const { problems, reads } = await readWhileWriting({
    readUrl: url,
    writeUrl: url,
    writeKey,
    source,
    organizations,
    writes: 10,
    readers: 4,
  });
  expect(problems).toEqual([]);
  expect(reads).toBeGreaterThan(10);
  expect(counts.stored).toBeGreaterThan(0);
});
