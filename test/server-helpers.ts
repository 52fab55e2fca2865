import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "../src/db.ts";
import { watchPools } from "../src/http/metrics.ts";
import { type HttpOptions, type HttpServer, startHttpServer } from "../src/http/server.ts";
import { IMPORT_PATH } from "../src/import/route.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { type ApiOptions, createApi } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";

export interface TestServer {
  url: string;
  db: Database;
  http: HttpServer;
  /** The server's own shutdown: stop accepting, drain, close the database. */
  close(): Promise<void>;
}

/** The real HTTP server on a free port of 127.0.0.1, over a database of its own. */
export async function startTestServer({
  seed = true,
  api = {},
  http = {},
}: {
  seed?: boolean;
  api?: ApiOptions;
  http?: Partial<HttpOptions>;
} = {}): Promise<TestServer> {
  const { db, drop } = await openTestDatabase({ seed });
  watchPools(db.pools);
  let stopping = false;
  const yoga = createApi({ rateLimitStore: memoryStore(), isStopping: () => stopping, ...api });
  const server = await startHttpServer(yoga, {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: 100_000,
    streamedPaths: [IMPORT_PATH],
    requestTimeoutMs: 2000,
    trustProxy: false,
    drainTimeoutMs: 3000,
    ...http,
  });
  return {
    url: server.url,
    db,
    http: server,
    async close() {
      stopping = true;
      await server.stop();
      await yoga.dispose();
      await drop();
    },
  };
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM (or `signal`), then waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start`'s server in a process of its own on 127.0.0.1, once /readyz answers. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  // A first start creates the database: seconds alone, a minute on a machine busy with other work.
  for (let i = 0; i < 900; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was ready`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error("the server was not ready after 90 s");
}

/** Calls `check` every 20 ms until it is true (at most `ms`); returns how many calls were false. */
export async function falseUntilTrue(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const until = Date.now() + ms;
  for (let misses = 0; ; misses++) {
    if (await check()) return misses;
    if (Date.now() > until) throw new Error(`${what} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RedisProcess {
  url: string;
  /** The folder of its saved data (dump.rdb). */
  dir: string;
  /** SIGSTOP: connections stay open and nothing is answered. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** SIGKILL, then waits for the process to exit: nothing is saved. */
  kill(): Promise<void>;
  /** Starts it again on the same port from what it saved in `dir`. */
  restart(): Promise<void>;
  /** Kills it and removes its folder. */
  stop(): Promise<void>;
}

/** A redis-server of its own on a free port of 127.0.0.1; it saves only on SAVE. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "redis-"));
  let child: ChildProcess;
  let exited: Promise<unknown>;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    exited = new Promise((resolve) => child.once("exit", resolve));
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      const up = await new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
        socket.on("error", () => resolve(false));
      });
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("redis-server did not start within 5 s");
  };
  await start();
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
    }
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    dir,
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    kill,
    restart: start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
