// Measures the memory an export takes as the number of rows grows, to show it stays flat.
//
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
//     node --expose-gc --import tsx scripts/export-memory.ts [1000,10000,50000]
//
// Writes SYNTHETIC funding records (labelled so) into a throwaway database: a new database on
// TEST_DATABASE_URL's server, or an in-memory PGlite without it. For each size it downloads
// /export/fundings.csv over HTTP from an in-process server, sampling the live JS heap, and, as the
// baseline of the same run, loads the same rows the naive way (one findMany, then the text in memory).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openDatabase } from "../src/db.ts";
import { createApi } from "../src/yoga.ts";
import { createBlankDatabase } from "../test/helpers.ts";
import { createSyntheticFundings } from "../test/synthetic.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("Run with node --expose-gc --import tsx scripts/export-memory.ts");
const sizes = (process.argv[2] ?? "1000,10000,50000").split(",").map(Number);
if (process.env.TEST_DATABASE_URL) process.env.TEST_DB = "postgres";

/**
 * Largest live JS heap above the starting point while `work` runs, in MiB: `sample` collects
 * garbage and reads the heap, so what is measured is what the work holds, not garbage not yet
 * collected.
 */
async function liveHeap(work: (sample: () => void) => Promise<unknown>): Promise<number> {
  gc!();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const sample = () => {
    gc!();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  await work(sample);
  return (peak - start) / 2 ** 20;
}

const blank = await createBlankDatabase();
const db = await openDatabase({ databaseUrl: blank.url });
const server = createServer(createApi());
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/export/fundings.csv`;

const report: string[] = [];
let written = 0;
try {
  // Warm-up, so that the first size does not carry one-off allocations (compiled queries, pools).
  await createSyntheticFundings(db.prisma, 100);
  written = 100;
  await (await fetch(url)).arrayBuffer();
  for (const size of sizes) {
    await createSyntheticFundings(db.prisma, size - written, written);
    written = size;
    let bytes = 0;
    const started = performance.now();
    const streamed = await liveHeap(async (sample) => {
      const response = await fetch(url);
      let chunks = 0;
      for await (const chunk of response.body!) {
        bytes += (chunk as Uint8Array).length;
        if (++chunks % 10 === 0) sample();
      }
      sample();
    });
    const seconds = (performance.now() - started) / 1000;
    const naive = await liveHeap(async (sample) => {
      const rows = await db.prisma.funding.findMany({ include: { citations: { include: { source: true } } }, orderBy: { id: "asc" } });
      const text = rows.map((r) => JSON.stringify(r)).join("\n");
      sample();
      return text.length;
    });
    report.push(
      [
        String(size).padStart(8),
        `${(bytes / 2 ** 20).toFixed(1).padStart(8)} MiB`,
        `${seconds.toFixed(1).padStart(6)} s`,
        `${streamed.toFixed(1).padStart(10)} MiB`,
        `${naive.toFixed(1).padStart(10)} MiB`,
        `${(streamed / naive).toFixed(3).padStart(8)}`,
      ].join("  "),
    );
  }
} finally {
  await new Promise((resolve) => server.close(resolve));
  await db.close();
  await blank.drop();
}

console.log(
  `Export memory (${process.env.TEST_DATABASE_URL ? "PostgreSQL server" : "embedded PGlite"}; synthetic funding records, one citation each)`,
);
console.log("    rows      size      time   live heap: streamed export   naive findMany   ratio");
for (const line of report) console.log(line);
