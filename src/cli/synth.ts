// `npm run synth -- --scale N [--url postgresql://...] [--database synth_name]`: writes a
// deterministic synthetic dataset of N partnerships into a database of its own (synth_10k for
// --scale 10000) on the PostgreSQL server of --url or SYNTH_DATABASE_URL, never the real one.
import "../runtime.ts";
import { parseArgs } from "node:util";
import { countRows, synthDatabaseName, synthesize } from "../synth/generate.ts";

const { values } = parseArgs({
  options: {
    scale: { type: "string" },
    url: { type: "string", default: process.env.SYNTH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
    database: { type: "string" },
  },
});
const scale = Number(values.scale);
if (!values.scale || !Number.isInteger(scale)) {
  console.error("Usage: npm run synth -- --scale N [--url postgresql://user@host:5432/postgres] [--database synth_name]");
  process.exit(2);
}
try {
  const started = Date.now();
  const url = await synthesize(values.url!, scale, values.database ?? synthDatabaseName(scale), (line) => console.log(line));
  console.table(await countRows(url));
  console.log(`synthetic database ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${url}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
