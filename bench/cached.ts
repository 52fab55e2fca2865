// `npx tsx bench/cached.ts [--url postgresql://.../synth_10k] [--duration 3] [--connections 16] [--rounds 5]`
// The cached nested list of `npm run bench` (the API with its response cache on, as `npm start`
// serves it) against the baseline's pre-serialised static answer (node:http alone), measured in
// alternation, round after round: on a shared machine the load of other work moves both alike
// within a round, so each round's ratio is the figure, and the median of the rounds the summary.
import { parseArgs } from "node:util";
import { graphql, load, type Scenario, send, start, stop } from "./harness.ts";
import { NESTED_QUERY, PAGE } from "./queries.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/synth_10k" },
    duration: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
    port: { type: "string", default: "4591" },
  },
});
const [seconds, connections, rounds, port] = [values.duration, values.connections, values.rounds, values.port].map(Number);

const cachedApi = await start("this API, cached", "bench/servers/api.ts", port, values.url!, { RESPONSE_CACHE: "on" });
const baseline = await start("baseline", "bench/servers/baseline.ts", port + 1, values.url!);
try {
  const cached: Scenario = {
    name: "API, cached: nested list",
    server: cachedApi,
    method: "POST",
    path: "/graphql",
    body: graphql(NESTED_QUERY, { n: PAGE }),
    color: "",
  };
  const staticAnswer: Scenario = { name: "baseline: static answer", server: baseline, method: "GET", path: "/static", color: "" };
  if (JSON.parse(await send(cached)).data === undefined) throw new Error("the cached API did not answer the nested list");
  // Warm-up: the first answer is computed and stored, and both servers' code is compiled.
  for (const scenario of [cached, staticAnswer]) await load(scenario, connections, 2);
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const [c, s] = [await load(cached, connections, seconds), await load(staticAnswer, connections, seconds)];
    if (c.failures || s.failures) throw new Error(`failed requests: cached ${c.failures}, static ${s.failures}`);
    ratios.push(c.rps / s.rps);
    console.log(
      `round ${round}: cached ${Math.round(c.rps)} req/s (p99 ${c.p99} ms), static ${Math.round(s.rps)} req/s (p99 ${s.p99} ms): ${ratios.at(-1)!.toFixed(2)}x`,
    );
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `median of ${rounds} rounds at ${connections} connections: ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}x the static answer`,
  );
} finally {
  await stop(cachedApi);
  await stop(baseline);
}
