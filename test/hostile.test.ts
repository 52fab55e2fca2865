import { request } from "node:http";
import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./server-helpers.ts";

// Deliberately bad requests against the real HTTP server. Each must be refused with a 4xx and a
// message saying what was wrong, while normal queries keep being answered, and the server's
// memory must come back to where it was. Every loop is bounded in count and every request in time.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: false, http: { requestTimeoutMs: 1000, maxBodyBytes: 100_000 } });
});
afterAll(() => server?.close());

interface Answer {
  status: number;
  text: string;
}

/** One HTTP request with node:http, so oversized bodies can be sent and cut off like a real client's. */
function send(method: string, path: string, headers: Record<string, string | number>, body?: string | Buffer | string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers, signal: AbortSignal.timeout(10_000) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    // The server may answer and close before a too-large body is sent whole.
    req.on("error", (error: NodeJS.ErrnoException) => (["EPIPE", "ECONNRESET"].includes(error.code!) ? undefined : reject(error)));
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body) req.write(body);
    req.end();
  });
}

/** Writes `head` on a raw socket, then stalls like a slowloris client; returns what the server sends before closing. */
function stall(head: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(head));
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("the server kept a stalled connection open for 10 s"));
    }, 10_000);
    socket.setEncoding("utf8");
    socket.on("data", (c) => (text += c));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.on("error", () => {});
  });
}

const JSON_HEADERS = { "content-type": "application/json", accept: "application/graphql-response+json" };
const post = (body: unknown) => send("POST", "/graphql", JSON_HEADERS, JSON.stringify(body));

const hop = "methods(first: 1) { edges { node { developers(first: 1) { edges { node { ";
const fragmentBomb = (levels: number, base: string) => {
  const fragments = [`fragment F0 on Query { ${base} }`];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
  return `{ ...F${levels} } ${fragments.join(" ")}`;
};
const megabyte = "x".repeat(1_000_000);

const HOSTILE: Array<[name: string, send: () => Promise<Answer>, status: number, message: RegExp]> = [
  [
    "deep nesting of real fields",
    () => post({ query: `{ organizations { edges { node { ${hop.repeat(10)} slug ${"} } } } } } ".repeat(10)} } } } }` }),
    400,
    /64 fields deep; the limit is 15/,
  ],
  ["deep nesting, 1100 levels", () => post({ query: "{ a ".repeat(1100) + "}".repeat(1100) }), 400, /more than 2000 tokens/],
  [
    "alias bomb",
    () => post({ query: `{ ${Array.from({ length: 150 }, (_, i) => `a${i}: institutes(first: 100) { totalCount }`).join(" ")} }` }),
    400,
    /uses 150 aliases/,
  ],
  ["fragment bomb of aliases (2^40 spreads)", () => post({ query: fragmentBomb(40, "a: __typename") }), 400, /uses 1099511627776 aliases/],
  [
    "fragment bomb of connections (2^40 spreads)",
    () => post({ query: fragmentBomb(40, "institutes(first: 100) { totalCount }") }),
    400,
    /cost is \d+; the limit is 25000/,
  ],
  [
    "circular fragments",
    () => post({ query: "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }" }),
    400,
    /Cannot spread fragment "A" within itself/,
  ],
  ["too many directives", () => post({ query: `{ ${"__typename @skip(if: false) ".repeat(60)} }` }), 400, /uses 60 directives/],
  ["1 MB document", () => post({ query: `{ __typename } # ${megabyte}` }), 413, /larger than 100000 bytes/],
  [
    "1 MB document sent in chunks without a length",
    () => send("POST", "/graphql", { ...JSON_HEADERS, "transfer-encoding": "chunked" }, Array(20).fill(megabyte.slice(0, 50_000))),
    413,
    /larger than 100000 bytes/,
  ],
  [
    "1 MB document over GET",
    () => send("GET", `/graphql?query=${megabyte}`, { accept: "application/graphql-response+json" }),
    431,
    /headers.*larger than/,
  ],
  [
    "huge variables",
    () =>
      post({ query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids: Array(60_000).fill("T3JnYW5pemF0aW9uOjE=") } }),
    413,
    /larger than 100000 bytes/,
  ],
  [
    "many ids within the size limit",
    () => post({ query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids: Array(26_000).fill("") } }),
    400,
    /cost is 26000; the limit is 25000/,
  ],
  [
    "first: 1000000",
    () => post({ query: "{ institutes(first: 1000000) { totalCount } }" }),
    400,
    /"first" must be between 0 and 100; got 1000000/,
  ],
  ["invalid JSON", () => send("POST", "/graphql", JSON_HEADERS, '{"query": "{ __typename }'), 400, /JSON/i],
  ["JSON that is not an object", () => send("POST", "/graphql", JSON_HEADERS, '"{ __typename }"'), 400, /object/i],
  ["query that is not a string", () => post({ query: 42 }), 400, /query.*string/i],
  ["variables that are not an object", () => post({ query: "{ __typename }", variables: [1, 2] }), 400, /variables/i],
  [
    "wrong content type",
    () => send("POST", "/graphql", { "content-type": "application/xml", accept: "application/graphql-response+json" }, "<query/>"),
    415,
    /Content-Type: application\/json/,
  ],
  ["empty body", () => send("POST", "/graphql", JSON_HEADERS, ""), 400, /body/i],
  ["batch of 3000 operations", () => post(Array(3000).fill({ query: "{ __typename }" })), 400, /batch/i],
  [
    "unknown operation name",
    () => post({ query: "query A { __typename }", operationName: "B" }),
    400,
    /Could not determine what operation to execute/,
  ],
  [
    "mutation over GET",
    () => send("GET", `/graphql?query=${encodeURIComponent("mutation { a }")}`, { accept: "application/graphql-response+json" }),
    405,
    /mutation/i,
  ],
  [
    "slowloris: headers, then part of the body, then nothing",
    () => stall(`POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`),
    408,
    /request took longer than 1000 ms/,
  ],
  [
    "slowloris: headers never finished",
    () => stall("POST /graphql HTTP/1.1\r\nHost: a\r\nContent-"),
    408,
    /request took longer than 1000 ms/,
  ],
  ["garbage instead of HTTP", () => stall("\x16\x03\x01 not http\r\n\r\n"), 400, /not valid HTTP/],
];

/** The first error message of a JSON answer. */
function messageOf({ text }: Answer): string {
  try {
    return JSON.parse(text).errors[0].message;
  } catch {
    return `(not a JSON error) ${text.slice(0, 200)}`;
  }
}

const NORMAL = "{ institutes(first: 3) { totalCount edges { node { name } } } }";
async function normalQueryAnswered(): Promise<void> {
  const { status, text } = await post({ query: NORMAL });
  expect(status).toBe(200);
  expect(JSON.parse(text).data.institutes).toEqual({ totalCount: 0, edges: [] });
}

function heapAfterGc(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

test("hostile requests are refused with a 4xx and a clear message; normal queries keep working; memory returns", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 5; i++) await normalQueryAnswered();
  const baseline = heapAfterGc(gc);

  const ROUNDS = 2;
  let sent = 0;
  let refused = 0;
  let serverErrors = 0;
  let slowest = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, attack, status, message] of HOSTILE) {
      const started = performance.now();
      const answer = await attack();
      const ms = performance.now() - started;
      sent++;
      if (answer.status >= 500) serverErrors++;
      if (answer.status >= 400 && answer.status < 500) refused++;
      slowest = Math.max(slowest, name.startsWith("slowloris") ? 0 : ms);
      expect.soft(answer.status, `${name}: ${answer.text.slice(0, 300)}`).toBe(status);
      expect.soft(messageOf(answer), name).toMatch(message);
      // Refusals are quick; a generous bound, only to catch a refusal that does the work first.
      if (!name.startsWith("slowloris")) expect(ms, name).toBeLessThan(3000);
      await normalQueryAnswered();
    }
  }
  const after = heapAfterGc(gc);
  console.log(
    `hostile suite: ${sent} requests sent (${HOSTILE.length} kinds x ${ROUNDS} rounds), ${refused} refused with a 4xx, ` +
      `${serverErrors} server errors, slowest refusal ${Math.round(slowest)} ms (slowloris excluded), ` +
      `${sent} normal queries answered in between; heap ${(baseline / 1e6).toFixed(1)} MB before, ${(after / 1e6).toFixed(1)} MB after`,
  );
  expect(serverErrors).toBe(0);
  expect(refused).toBe(sent);
  expect(after - baseline).toBeLessThan(30e6);
});
