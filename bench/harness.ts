// Starting the benchmark's servers as processes of their own and measuring them: shared by
// bench/run.ts (the full benchmark) and bench/nested.ts (the uncached nested list alone).

import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import autocannon from "autocannon";

const root = new URL("..", import.meta.url).pathname;
/** The Node.js flags `npm start` runs the API with (package.json), given to every contender alike. */
export const startFlags: string[] = JSON.parse(readFileSync(`${root}package.json`, "utf8"))
  .scripts.start.split(" ")
  .filter((word: string) => word.startsWith("--"));

export interface Server {
  name: string;
  port: number;
  process: ChildProcess;
}

/** PostGraphile 4 needs graphql 15, so it has a folder of its own, installed on first use and when its packages change. */
export function installPostgraphile() {
  const folder = `${root}bench/postgraphile`;
  const wanted = Object.keys(JSON.parse(readFileSync(`${folder}/package.json`, "utf8")).dependencies);
  if (wanted.every((name) => existsSync(`${folder}/node_modules/${name}/package.json`))) return;
  console.log("installing PostGraphile 4 into bench/postgraphile (its own graphql 15)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: folder, stdio: "inherit" });
}

export async function start(
  name: string,
  script: string,
  port: number,
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeFlags = startFlags,
): Promise<Server> {
  const child = fork(`${root}${script}`, [], {
    cwd: root,
    execArgv: [...nodeFlags, "--import", "tsx"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      POOL_SIZE: "10",
      REDIS_URL: "",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // A benchmark that fails halfway must not leave its servers running (they also hold its output open).
  process.once("exit", () => child.kill());
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code} before listening`)));
  });
  return { name, port, process: child };
}

/** Peak resident memory of the process so far (Linux: VmHWM), in MB. */
export function peakRssMb(server: Server): number | null {
  try {
    const status = readFileSync(`/proc/${server.process.pid}/status`, "utf8");
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
  } catch {
    return null;
  }
}

export async function stop(server: Server) {
  server.process.kill("SIGTERM");
  await new Promise((resolve) => (server.process.exitCode !== null ? resolve(null) : server.process.once("exit", resolve)));
}

export interface Scenario {
  name: string;
  server: Server;
  method: "GET" | "POST";
  path: string;
  body?: string;
  color: string;
}

export const graphql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

export async function send(s: Pick<Scenario, "server" | "method" | "path" | "body">): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${s.server.port}${s.path}`, {
    method: s.method,
    headers: { "content-type": "application/json" },
    body: s.body,
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"'))
    throw new Error(`${s.path} on ${s.server.name} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/** SQL statements sent, and rows read, for one request (after a warm-up request). */
export async function sqlPerRequest(s: Pick<Scenario, "server" | "method" | "path" | "body">) {
  const counters = async () =>
    (await (await fetch(`http://127.0.0.1:${s.server.port}/__statements`)).json()) as { statements: number; rows: number };
  await send(s);
  const before = await counters();
  await send(s);
  const after = await counters();
  return { statements: after.statements - before.statements, rows: after.rows - before.rows };
}

export interface Measurement {
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

export async function load(s: Scenario, connections: number, seconds: number): Promise<Measurement> {
  const result = await autocannon({
    url: `http://127.0.0.1:${s.server.port}${s.path}`,
    method: s.method,
    headers: { "content-type": "application/json" },
    body: s.body,
    connections,
    duration: seconds,
    timeout: 60, // a slow answer is a latency to report, not an error
  });
  return {
    connections,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
