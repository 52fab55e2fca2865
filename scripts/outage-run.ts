// Reads against a real server while its PostgreSQL is cut and restored, several times; prints what
// the clients got.
//
//   npx tsx scripts/outage-run.ts [--app DIR] [--cycles 3] [--down 4] [--up 3] [--mode cut|hang] [--workers 4]
//
// The server is `src/server.ts` of DIR (default: this checkout; `--app /work/main` runs another
// checkout's code), started with DATABASE_URL through a TCP proxy in front of a new seeded database
// on TEST_DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/test), with its
// response cache off so that every read reaches the database. `--mode cut` refuses connections and
// resets the open ones (a server gone down); `hang` resets them and takes new ones, answering nothing.
// Each read is compared with the server's answer to it before the first cut; a key-checked read
// goes through the API-key check. Seconds to recover: from each restore until a right answer.
import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadSeed } from "../seeds/load.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { createScratchDatabase } from "../src/database/scratch.ts";
import { openDatabase } from "../src/db.ts";
import { startTcpProxy } from "../test/tcp-proxy.ts";

const { values: args } = parseArgs({
  options: {
    app: { type: "string", default: path.resolve(import.meta.dirname, "..") },
    cycles: { type: "string", default: "3" },
    down: { type: "string", default: "4" },
    up: { type: "string", default: "3" },
    mode: { type: "string", default: "cut" },
    workers: { type: "string", default: "4" },
  },
});
if (args.mode !== "cut" && args.mode !== "hang") throw new Error("--mode must be cut or hang");
const [cycles, downSeconds, upSeconds, workers] = [args.cycles, args.down, args.up, args.workers].map(Number);

const QUERIES = [
  `{ organization(slug: "bekturov-institute") { name(lang: RU) foundedYear methods { totalCount } } }`,
  `{ fundings(filter: { amountDisclosed: true }, orderBy: { field: AMOUNT, direction: DESC }) { edges { node { slug amount { amount currency } } } } }`,
  `{ impacts(first: 20) { totalCount edges { node { slug status } } } }`,
  `{ institutes(first: 10) { totalCount edges { node { slug city } } } }`,
];
const LEAK = /\bat \S+ \(|\.ts:\d|node_modules|127\.0\.0\.1|localhost|invocation/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const counts = { requests: 0, checked: 0, wrong: 0, serverErrors: 0, unavailable: 0, otherRefusals: 0, noAnswer: 0, leaks: 0 };
const recoveries: number[] = [];

const blank = await createScratchDatabase(process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test", "outage");
const seeded = await openDatabase({ databaseUrl: blank.url });
await loadSeed(seeded.prisma);
const key = await createApiKey(seeded.prisma, "outage-run", "READ");
await seeded.close();
const proxy = await startTcpProxy(Number(new URL(blank.url).port || 5432));

const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
  cwd: args.app,
  env: {
    ...process.env,
    DATABASE_URL: proxy.through(blank.url),
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    REDIS_URL: "",
    RESPONSE_CACHE: "off",
    RATE_LIMIT_PER_MINUTE: "100000000",
  },
  stdio: ["ignore", "ignore", "pipe"],
});
let port: number | undefined;
let errorLines = 0;
let partial = "";
child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
  const lines = (partial + chunk).split("\n");
  partial = lines.pop()!;
  for (const line of lines) {
    const entry = line.startsWith("{") ? JSON.parse(line) : { level: "error" };
    port ??= entry.port;
    if (entry.level === "error" || entry.level === "fatal") errorLines++;
  }
});

async function read(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

/** The request, the right answer to it, and what the client got; false unless the answer is right. */
async function check(query: string, right: string, headers?: Record<string, string>): Promise<boolean> {
  counts.requests++;
  let answer: Awaited<ReturnType<typeof read>>;
  try {
    answer = await read(query, headers);
  } catch {
    counts.noAnswer++;
    return false;
  }
  if (LEAK.test(answer.text)) counts.leaks++;
  if ((answer.status >= 500 && answer.status !== 503) || answer.text.includes("Unexpected error")) counts.serverErrors++;
  else if (answer.status === 503) counts.unavailable++;
  else {
    const body = answer.text.startsWith("{") ? JSON.parse(answer.text) : {};
    if (!body.data || body.errors) counts.otherRefusals++;
    else {
      counts.checked++;
      if (JSON.stringify(body.data) === right) return true;
      counts.wrong++;
    }
  }
  return false;
}

try {
  for (let i = 0; !port; i++) {
    if (child.exitCode !== null || i > 600) throw new Error("the server did not start");
    await sleep(100);
  }
  const requests: Array<[string, string, Record<string, string>?]> = [];
  for (const query of QUERIES) {
    const { status, text } = await read(query);
    const body = JSON.parse(text);
    if (status !== 200 || body.errors) throw new Error(`the baseline answer to ${query} has errors: ${text}`);
    requests.push([query, JSON.stringify(body.data)], [query, JSON.stringify(body.data), { authorization: `Bearer ${key}` }]);
  }

  let running = true;
  const load = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i++) {
      await check(...requests[i % requests.length]);
      await sleep(10);
    }
  });
  for (let cycle = 1; cycle <= cycles; cycle++) {
    await sleep(upSeconds * 1000);
    if (args.mode === "cut") await proxy.cut();
    else proxy.hang();
    await sleep(downSeconds * 1000);
    await proxy.restore();
    const restored = performance.now();
    while (!(await check(...requests[0]))) await sleep(50);
    recoveries.push((performance.now() - restored) / 1000);
  }
  await sleep(upSeconds * 1000);
  running = false;
  await Promise.all(load);

  console.log(
    `Outage run: ${path.resolve(args.app)}, ${cycles} ${args.mode}s of ${downSeconds} s, ${upSeconds} s up between, ${workers} readers (response cache off)`,
  );
  console.log(`  requests                          ${counts.requests}`);
  console.log(`  answers checked                   ${counts.checked}`);
  console.log(`  wrong answers                     ${counts.wrong}`);
  console.log(`  server errors (5xx but 503, "Unexpected error")  ${counts.serverErrors}`);
  console.log(`  503s                              ${counts.unavailable}`);
  console.log(`  other refusals (200 with errors)  ${counts.otherRefusals}`);
  console.log(`  no answer within 30 s             ${counts.noAnswer}`);
  console.log(`  answers with a stack, path or address  ${counts.leaks}`);
  console.log(`  error lines in the server's log   ${errorLines}`);
  console.log(`  seconds to recover after each restore  ${recoveries.map((s) => s.toFixed(2)).join(", ")}`);
} finally {
  child.kill("SIGTERM");
  await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
  await proxy.close();
  await blank.drop();
}
