// `npx tsx bench/large-strings.ts [--url postgresql://.../synth_10k] [--rounds 3]`
// What writing the nested list's answer (133 KB at 10k) costs in this process: JSON.stringify alone,
// its first read (V8 flattens the string into one allocation of the answer's size, in its large-object
// space), the bytes Yoga would send (Buffer.from of that string) and encodeJson's bytes
// (src/http/json-body.ts), in alternating rounds; microseconds per answer, medians of the rounds.
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db.ts";
import { encodeJson } from "../src/http/json-body.ts";
import { createApi } from "../src/yoga.ts";
import { NESTED_QUERY, PAGE } from "./queries.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/synth_10k" },
    rounds: { type: "string", default: "3" },
  },
});
const database = await openDatabase({ databaseUrl: values.url! });
const response = await createApi({ responseCacheStore: null }).fetch("http://localhost/graphql", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ query: NESTED_QUERY, variables: { n: PAGE } }),
});
const text = await response.text();
const answer = JSON.parse(text) as object;
await database.close();

const ways: Record<string, () => number> = {
  "JSON.stringify": () => JSON.stringify(answer).length,
  "JSON.stringify, then its first character read": () => JSON.stringify(answer).charCodeAt(0),
  "Buffer.from(JSON.stringify)": () => Buffer.from(JSON.stringify(answer)).length,
  encodeJson: () => encodeJson(answer).length,
};
const times = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
const n = 1000;
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, way] of Object.entries(ways)) {
    for (let i = 0; i < 100; i++) way();
    const start = performance.now();
    for (let i = 0; i < n; i++) way();
    times.get(name)!.push(((performance.now() - start) / n) * 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`answer of ${text.length.toLocaleString("en-US")} bytes; ${n} times a round, ${values.rounds} rounds`);
console.log("| Way | µs per answer, median (rounds) |");
console.log("|---|---:|");
for (const [name, xs] of times) console.log(`| ${name} | ${median(xs).toFixed(0)} (${xs.map((x) => x.toFixed(0)).join(", ")}) |`);
