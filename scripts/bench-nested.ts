// `npx tsx scripts/bench-nested.ts [--url postgresql://.../synth_10k] [--duration 8] [--connections 1,4] [--rounds 1]`
// The uncached nested list of `npm run bench` alone (response cache off): this API, the
// hand-written baseline (bench/servers/) and PostGraphile 4 (bench/postgraphile/, installed by
// `npm run bench`) on the same synthetic database, measured in turn with autocannon, and the SQL
// statements the API sends for `first: 1 / 20 / 100`. The figures are the ratios taken in one run:
// the machine is shared, so absolute requests/s move from run to run.
import autocannon from "autocannon";
import { fork, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { NESTED_QUERY, PAGE, POSTGRAPHILE_NESTED_QUERY } from "../bench/queries.ts";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    url: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/synth_10k" },
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "1,4" },
    rounds: { type: "string", default: "1" },
    port: { type: "string", default: "4581" },
  },
});
const port = Number(values.port);

function start(script: string, port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = fork(`${root}${script}`, [], {
    cwd: root,
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: values.url, PORT: String(port), NODE_ENV: "production", LOG_LEVEL: "warn", POOL_SIZE: "10", RESPONSE_CACHE: "off", REDIS_URL: "", ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`${script} exited with code ${code} before listening`)));
  });
}

async function stop(child: ChildProcess) {
  child.kill("SIGTERM");
  await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
}

const body = (n: number, query = NESTED_QUERY) => JSON.stringify({ query, variables: { n } });

async function post(port: number, path: string, n: number) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: body(n) });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function sqlPerRequest(port: number, n: number) {
  const counters = async () => (await (await fetch(`http://127.0.0.1:${port}/__statements`)).json()) as { statements: number; rows: number };
  await post(port, "/graphql", n);
  const before = await counters();
  await post(port, "/graphql", n);
  const after = await counters();
  return { statements: after.statements - before.statements, rows: after.rows - before.rows };
}

async function load(port: number, path: string, connections: number, seconds: number, query = NESTED_QUERY) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(PAGE, query),
    connections,
    duration: seconds,
    timeout: 60,
  });
  if (r.errors + r.timeouts + r.non2xx > 0) throw new Error(`${path}: ${r.errors + r.timeouts + r.non2xx} failed requests`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

// Statement counts for page sizes up to 100 need the cost limit lifted (100 x 100 x 100 items).
const counting = await start("bench/servers/api.ts", port + 2, { MAX_QUERY_COST: "1000000000", RATE_LIMIT_PER_MINUTE: "1000000000" });
try {
  const sizes = [1, 20, 100];
  const counts = [];
  for (const n of sizes) counts.push(await sqlPerRequest(port + 2, n));
  console.log(`API SQL per request for first = ${sizes.join(" / ")}: statements ${counts.map((c) => c.statements).join(" / ")}, rows ${counts.map((c) => c.rows).join(" / ")}`);
} finally {
  await stop(counting);
}

const api = await start("bench/servers/api.ts", port);
const baseline = await start("bench/servers/baseline.ts", port + 1);
const postgraphile = await start("bench/postgraphile/server.ts", port + 3);
try {
  const answer = await post(port, "/graphql", PAGE);
  if (!answer.startsWith((await post(port + 1, "/nested", PAGE)).slice(0, -1))) throw new Error("the API's nested list differs from the baseline's");
  console.log(`answers agree (${answer.length} bytes); ${values.duration} s per measurement after a 2 s warm-up`);
  await load(port, "/graphql", 1, 2);
  await load(port + 1, "/nested", 1, 2);
  await load(port + 3, "/graphql", 1, 2, POSTGRAPHILE_NESTED_QUERY);
  const duration = Number(values.duration);
  const cell = (m: { rps: number; p50: number; p99: number }) => `${m.rps.toFixed(0)} | ${m.p50} / ${m.p99}`;
  console.log("| Round | Connections | API req/s | p50 / p99 ms | Baseline req/s | p50 / p99 ms | PostGraphile req/s | p50 / p99 ms | API / baseline | API / PostGraphile |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const c of values.connections!.split(",").map(Number)) {
      const a = await load(port, "/graphql", c, duration);
      const b = await load(port + 1, "/nested", c, duration);
      const p = await load(port + 3, "/graphql", c, duration, POSTGRAPHILE_NESTED_QUERY);
      console.log(`| ${round} | ${c} | ${cell(a)} | ${cell(b)} | ${cell(p)} | ${(a.rps / b.rps).toFixed(2)}x | ${(a.rps / p.rps).toFixed(2)}x |`);
    }
  }
} finally {
  for (const server of [api, baseline, postgraphile]) await stop(server);
}
