// The server's PostgreSQL made unreachable by a TCP proxy the test controls: cut (connections
// refused and reset, as a server that went down) and hung (connections taken, nothing answered).
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { startHttpServer } from "../src/http/server.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

const onPostgres = process.env.TEST_DB === "postgres";
const QUERY = `{ organization(slug: "bekturov-institute") { slug foundedYear } }`;
const RIGHT = { organization: { slug: "bekturov-institute", foundedYear: 1945 } };

interface Server {
  child: ChildProcess;
  /** Its log, one parsed JSON line each (anything else as `{ text }`). */
  lines: any[];
  exited: Promise<number | null>;
  url(): string;
}

/** `npm start`'s server in a process of its own, its log kept for the test to read. */
function startServer(env: Record<string, string>): Server {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", REDIS_URL: "", RESPONSE_CACHE: "off", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const lines: any[] = [];
  let partial = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts) lines.push(line.startsWith("{") ? JSON.parse(line) : { text: line });
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, lines, exited, url: () => `http://127.0.0.1:${lines.find((l) => l.port).port}` };
}

async function until<T>(check: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function graphql(server: Server, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url()}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
}

let proxy: TcpProxy;
let databaseUrl: string;
let readKey: string;
let adminKey: string;
let drop: () => Promise<void>;
const servers: Server[] = [];

beforeAll(async () => {
  if (!onPostgres) return;
  const seeded = await openTestDatabase({ seed: true });
  drop = seeded.drop;
  readKey = await createApiKey(seeded.db.prisma, "outage-read", "READ");
  adminKey = await createApiKey(seeded.db.prisma, "outage-admin", "ADMIN");
  await seeded.db.close();
  proxy = await startTcpProxy(Number(new URL(seeded.url).port || 5432));
  databaseUrl = proxy.through(seeded.url);
});

afterAll(async () => {
  for (const server of servers) {
    server.child.kill("SIGKILL");
    await server.exited;
  }
  await proxy?.close();
  await drop?.();
});

/** An answer of the outage: 503, Retry-After, the plain message, and nothing of the server's insides. */
function expectUnavailable(answer: { status: number; retryAfter: string | null; type: string | null; text: string }) {
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toBe("5");
  expect(answer.type).toMatch(/^application\/(graphql-response\+)?json/);
  const body = JSON.parse(answer.text);
  expect(body.errors[0]).toMatchObject({
    message: "The database is unavailable; try again in 5 seconds",
    extensions: { code: "SERVICE_UNAVAILABLE" },
  });
  expect(answer.text).not.toMatch(/Unexpected error|\bat \S+ \(|\.ts:\d|node_modules|127\.0\.0\.1|localhost|Prisma|invocation/);
  expect(answer.text).not.toContain(String(proxy.port));
}

test.runIf(onPostgres)(
  "database down: every route answers 503 SERVICE_UNAVAILABLE with Retry-After and no stack, /readyz within 2 s, one log line per state change, right answers once it is back",
  async () => {
    const server = startServer({ DATABASE_URL: databaseUrl });
    servers.push(server);
    await until(() => server.lines.some((l) => l.port), 60_000, "the server to listen");
    expect(JSON.parse((await graphql(server)).text).data).toEqual(RIGHT);

    await proxy.cut();
    const logged = server.lines.length;
    for (let i = 0; i < 5; i++) expectUnavailable(await graphql(server));
    // The key is checked against the database before the query runs.
    expectUnavailable(await graphql(server, { authorization: `Bearer ${readKey}` }));
    for (const route of ["/export/fundings.csv", "/export/dataset.zip"]) {
      const response = await fetch(`${server.url()}${route}`);
      expectUnavailable({
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        type: response.headers.get("content-type"),
        text: await response.text(),
      });
    }
    const imported = await fetch(`${server.url()}/admin/import?entity=organizations&format=csv&dryRun=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "text/csv" },
      body: "slug\n",
    });
    expectUnavailable({
      status: imported.status,
      retryAfter: imported.headers.get("retry-after"),
      type: imported.headers.get("content-type"),
      text: await imported.text(),
    });

    let started = Date.now();
    const ready = await fetch(`${server.url()}/readyz`);
    expect(ready.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);

    // Nine failed requests, one line: no stack, no error line for each request.
    await until(() => server.lines.filter((l) => l.msg === "request").length >= logged + 9, 5000, "the access log");
    const during = server.lines.slice(logged);
    expect(during.filter((l) => l.level === "error").map((l) => l.msg)).toEqual(["database unreachable: answering 503 until it is back"]);
    expect(during.filter((l) => l.stack)).toEqual([]);

    await proxy.restore();
    started = Date.now();
    await until(async () => JSON.parse((await graphql(server)).text).data?.organization, 10_000, "right answers after the restore");
    console.log(`answers right again ${((Date.now() - started) / 1000).toFixed(2)} s after the database came back`);
    expect(JSON.parse((await graphql(server)).text).data).toEqual(RIGHT);
    await until(() => server.lines.some((l) => l.msg === "database reachable again"), 5000, "the recovery to be logged");

    // A database that takes connections and answers nothing: /readyz still answers within 2 s,
    // and a query fails when no connection opens within the pool's timeout, not later.
    proxy.hang();
    started = Date.now();
    expect((await fetch(`${server.url()}/readyz`)).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    started = Date.now();
    expectUnavailable(await graphql(server));
    expect(Date.now() - started).toBeLessThan(8000);
    await proxy.restore();
    await until(async () => JSON.parse((await graphql(server)).text).data?.organization, 10_000, "right answers after the hang");
    expect((await fetch(`${server.url()}/readyz`)).status).toBe(200);
    expect(server.lines.filter((l) => l.msg === "database unreachable: answering 503 until it is back")).toHaveLength(2);
  },
  60_000,
);

test.runIf(onPostgres)("a server started while the database is down waits for it, says so, and serves once it comes up", async () => {
  await proxy.cut();
  const server = startServer({ DATABASE_URL: databaseUrl, DATABASE_WAIT_SECONDS: "30" });
  servers.push(server);
  await until(
    () => {
      if (server.child.exitCode !== null)
        throw new Error(`the server exited with code ${server.child.exitCode} instead of waiting for the database`);
      return server.lines.some((l) => /cannot be reached; trying again/.test(l.msg));
    },
    30_000,
    "the wait to be logged",
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(server.child.exitCode).toBeNull();
  await proxy.restore();
  await until(() => server.lines.some((l) => l.port), 30_000, "the server to listen");
  expect(server.lines.some((l) => l.msg === "database reachable")).toBe(true);
  expect(JSON.parse((await graphql(server)).text).data).toEqual(RIGHT);
});

test.runIf(onPostgres)("a database that never comes: the server exits with one clear line after DATABASE_WAIT_SECONDS", async () => {
  await proxy.cut();
  const server = startServer({ DATABASE_URL: databaseUrl, DATABASE_WAIT_SECONDS: "2" });
  servers.push(server);
  expect(await server.exited).toBe(1);
  expect(server.lines.map((l) => l.level)).toEqual(["warn", "error"]);
  expect(server.lines.at(-1).msg).toBe("the database (DATABASE_URL) could not be reached in 2 s (DATABASE_WAIT_SECONDS); not starting");
  await proxy.restore();
});

test("an error thrown under a plugin's hook (here the key check) is the API's JSON 500 with a request id, never Yoga's page with the stack", async () => {
  const api = createApi({
    rateLimitStore: memoryStore(),
    verifyApiKey: () => {
      throw new Error("key store broke at /srv/app/src/keys.ts:12 talking to 10.1.2.3:5432");
    },
  });
  const server = await startHttpServer(api, {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: 100_000,
    requestTimeoutMs: 2000,
    trustProxy: false,
    drainTimeoutMs: 1000,
  });
  const logged: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    logged.push(String(chunk));
    return true;
  });
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer kzg_whatever" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    const text = await response.text();
    const requestId = response.headers.get("x-request-id");
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(text).errors[0]).toEqual({
      message: `Unexpected error. (request id ${requestId})`,
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
    });
    expect(text).not.toMatch(/broke|keys\.ts|10\.1\.2\.3|\bat /);
    expect(logged.map((l) => JSON.parse(l)).find((l) => l.msg === "unexpected error")).toMatchObject({
      requestId,
      error: expect.stringMatching(/^key store broke/),
      stack: expect.stringMatching(/\n\s+at /),
    });
  } finally {
    spy.mockRestore();
    await server.stop();
    await api.dispose();
  }
});
