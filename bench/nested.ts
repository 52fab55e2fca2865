// `npx tsx bench/nested.ts [--url postgresql://.../synth_10k] [--duration 8] [--connections 1,4] [--rounds 1]
//   [--api-flags="--max-semi-space-size=16" ...]`
// The uncached nested list of `npm run bench` alone (response cache off): this API, the
// hand-written baseline (bench/servers/) and PostGraphile 4 (bench/postgraphile/, installed on
// first use) on the same synthetic database, measured in turn with autocannon, and the SQL
// statements the API sends for `first: 1 / 20 / 100`. Each --api-flags adds the API run with those
// Node.js flags instead of npm start's ("" for none), measured in the same rounds. The figures are
// the ratios taken in one run: the machine is shared, so absolute requests/s move from run to run.
import { parseArgs } from "node:util";
import { graphql, installPostgraphile, load, type Measurement, type Server, send, sqlPerRequest, start, stop } from "./harness.ts";
import { NESTED_QUERY, PAGE, POSTGRAPHILE_NESTED_QUERY } from "./queries.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/synth_10k" },
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "1,4" },
    rounds: { type: "string", default: "1" },
    port: { type: "string", default: "4581" },
    "api-flags": { type: "string", multiple: true, default: [] },
  },
});
const port = Number(values.port);
const nested = (server: Server, n = PAGE) => ({ server, method: "POST" as const, path: "/graphql", body: graphql(NESTED_QUERY, { n }) });

async function measure(request: ReturnType<typeof nested>, connections: number, seconds: number): Promise<Measurement> {
  const m = await load({ ...request, name: request.server.name, color: "" }, connections, seconds);
  if (m.failures > 0) throw new Error(`${request.server.name}: ${m.failures} failed requests`);
  return m;
}

// Statement counts for page sizes up to 100 need the cost limit lifted (100 x 100 x 100 items).
const uncached = { RESPONSE_CACHE: "off" };
const counting = await start("this API", "bench/servers/api.ts", port + 2, values.url!, {
  ...uncached,
  MAX_QUERY_COST: "1000000000",
  RATE_LIMIT_PER_MINUTE: "1000000000",
});
try {
  const sizes = [1, 20, 100];
  const counts = [];
  for (const n of sizes) counts.push(await sqlPerRequest(nested(counting, n)));
  console.log(
    `API SQL per request for first = ${sizes.join(" / ")}: statements ${counts.map((c) => c.statements).join(" / ")}, rows ${counts.map((c) => c.rows).join(" / ")}`,
  );
} finally {
  await stop(counting);
}

installPostgraphile();
const api = await start("this API", "bench/servers/api.ts", port, values.url!, uncached);
const baseline = await start("baseline", "bench/servers/baseline.ts", port + 1, values.url!);
const postgraphile = await start("PostGraphile 4", "bench/postgraphile/server.ts", port + 3, values.url!);
const variants: Server[] = [];
try {
  for (const [i, flags] of values["api-flags"]!.entries())
    variants.push(
      await start(
        `API with ${flags || "no flags"}`,
        "bench/servers/api.ts",
        port + 4 + i,
        values.url!,
        uncached,
        flags.split(" ").filter(Boolean),
      ),
    );
  const requests = [
    nested(api),
    { ...nested(baseline), path: "/nested" },
    { ...nested(postgraphile), body: graphql(POSTGRAPHILE_NESTED_QUERY, { n: PAGE }) },
  ];
  const [answer, baselineAnswer] = await Promise.all(requests.slice(0, 2).map(send));
  if (JSON.stringify({ data: JSON.parse(answer).data }) !== baselineAnswer)
    throw new Error("the API's nested list differs from the baseline's");
  console.log(`answers agree (${answer.length} bytes); ${values.duration} s per measurement after a 2 s warm-up`);
  for (const request of [...requests, ...variants.map((variant) => nested(variant))]) await measure(request, 1, 2);
  const duration = Number(values.duration);
  const cell = (m: { rps: number; p50: number; p99: number }) => `${m.rps.toFixed(0)} | ${m.p50} / ${m.p99}`;
  const variantColumns = variants.map((variant) => ` ${variant.name} req/s | p50 / p99 ms | vs API |`).join("");
  console.log(
    `| Round | Connections | API req/s | p50 / p99 ms | Baseline req/s | p50 / p99 ms | PostGraphile req/s | p50 / p99 ms | API / baseline | API / PostGraphile |${variantColumns}`,
  );
  console.log(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${"---:|---:|---:|".repeat(variants.length)}`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const c of values.connections!.split(",").map(Number)) {
      const [a, b, p] = [
        await measure(requests[0], c, duration),
        await measure(requests[1], c, duration),
        await measure(requests[2], c, duration),
      ];
      let line = `| ${round} | ${c} | ${cell(a)} | ${cell(b)} | ${cell(p)} | ${(a.rps / b.rps).toFixed(2)}x | ${(a.rps / p.rps).toFixed(2)}x |`;
      for (const variant of variants) {
        const v = await measure(nested(variant), c, duration);
        line += ` ${cell(v)} | ${(v.rps / a.rps).toFixed(2)}x |`;
      }
      console.log(line);
    }
  }
} finally {
  for (const server of [api, baseline, postgraphile, ...variants]) await stop(server);
}
