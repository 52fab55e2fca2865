// `npx tsx bench/cached.ts [--url postgresql://.../synth_10k] [--duration 3] [--connections 16] [--rounds 5] [--cpu-prof DIR]`
// The cached nested list of `npm run bench` (the API with its response cache on, as `npm start`
// serves it) against the baseline's pre-serialised static answer (node:http alone), measured in
// alternation, round after round: on a shared machine the load of other work moves both alike
// within a round, so each round's ratio is the figure, and the median of the rounds the summary.
// Each server's CPU time per request (user + system, from /proc) is printed beside: unlike
// requests/s, it does not depend on how much of the machine other work leaves to the server.
// --cpu-prof writes a V8 CPU profile of the cached API's process into DIR.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { graphql, load, type Measurement, type Scenario, type Server, send, start, startFlags, stop } from "./harness.ts";
import { NESTED_QUERY, PAGE } from "./queries.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/synth_10k" },
    duration: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
    port: { type: "string", default: "4591" },
    "cpu-prof": { type: "string" },
  },
});
const [seconds, connections, rounds, port] = [values.duration, values.connections, values.rounds, values.port].map(Number);

/** CPU seconds (user + system) the server's process has used so far (Linux). */
function cpuSeconds(server: Server): number {
  const fields = readFileSync(`/proc/${server.process.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in clock ticks of 1/100 s
}

/** A measurement, with the server's CPU microseconds per request during it. */
async function measure(scenario: Scenario, connections: number, seconds: number): Promise<Measurement & { cpuUs: number }> {
  const before = cpuSeconds(scenario.server);
  const m = await load(scenario, connections, seconds);
  if (m.failures) throw new Error(`${scenario.name}: ${m.failures} failed requests`);
  return { ...m, cpuUs: ((cpuSeconds(scenario.server) - before) * 1e6) / (m.rps * seconds) };
}

const profile = values["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${values["cpu-prof"]}`] : [];
const cachedApi = await start("this API, cached", "bench/servers/api.ts", port, values.url!, { RESPONSE_CACHE: "on" }, [
  ...startFlags,
  ...profile,
]);
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
  const cpuRatios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const [c, s] = [await measure(cached, connections, seconds), await measure(staticAnswer, connections, seconds)];
    ratios.push(c.rps / s.rps);
    cpuRatios.push(s.cpuUs / c.cpuUs);
    console.log(
      `round ${round}: cached ${Math.round(c.rps)} req/s (p99 ${c.p99} ms, ${Math.round(c.cpuUs)} µs CPU a request), ` +
        `static ${Math.round(s.rps)} req/s (p99 ${s.p99} ms, ${Math.round(s.cpuUs)} µs CPU a request): ` +
        `${ratios.at(-1)!.toFixed(2)}x the requests/s, ${cpuRatios.at(-1)!.toFixed(2)}x the requests per CPU second`,
    );
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(2);
  console.log(
    `median of ${rounds} rounds at ${connections} connections: ${median(ratios)}x the static answer's requests/s, ${median(cpuRatios)}x its requests per CPU second`,
  );
} finally {
  await stop(cachedApi);
  await stop(baseline);
}
