// `npx tsx scripts/embedded-stress.ts [--seconds 20] [--writers 4] [--readers 8]`: writers and
// readers at once against the real HTTP server over an in-memory embedded (PGlite) database;
// prints how many answers were checked, how many were wrong and how many were errors.
import { parseArgs } from "node:util";
import { runConcurrentLoad } from "../test/concurrent-load.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    writers: { type: "string", default: "4" },
    readers: { type: "string", default: "8" },
  },
});
const [seconds, writers, readers] = [values.seconds, values.writers, values.readers].map(Number);
if (![seconds, writers, readers].every((n) => Number.isInteger(n) && n >= 0) || seconds === 0) {
  console.error("usage: npx tsx scripts/embedded-stress.ts [--seconds N] [--writers N] [--readers N] (whole numbers, seconds at least 1)");
  process.exit(2);
}
const counts = await runConcurrentLoad({ seconds, writers, readers });
console.log(`embedded database, ${seconds} s, ${writers} writers, ${readers} readers`);
console.log(`answers checked: ${counts.checked}`);
console.log(`wrong answers:   ${counts.wrong}`);
console.log(`server errors:   ${counts.errors}`);
for (const sample of counts.samples) console.log(`- ${sample}`);
process.exit(counts.wrong + counts.errors ? 1 : 0);
