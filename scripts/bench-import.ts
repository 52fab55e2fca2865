// Benchmark of the importer on SYNTHETIC data (generated here, never in seeds/data): imports a
// 10,000-row baseline file and a 100,000-row file of invented organizations, each in a fresh child
// process, and prints time and peak memory
// (max RSS of the importing process) with ratios against the baseline.
//
//   npx tsx scripts/bench-import.ts                 embedded PGlite (in memory)
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-import.ts
//                                                   a fresh database on that PostgreSQL server
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "../src/database/scratch.ts";
import { openDatabase } from "../src/db.ts";
import { importFiles } from "../src/import/index.ts";
import { syntheticSource, writeSyntheticOrganizations } from "./synthetic.ts";

interface Measure {
  rows: number;
  seconds: number;
  maxRssMb: number;
  changed: number;
}

if (process.argv[2] === "--child") {
  // Child: one import, then its time and the process's peak memory as JSON on stdout.
  const [, , , url, file] = process.argv;
  const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
  const started = performance.now();
  const result = await importFiles(db.prisma, [{ entity: "organizations", path: file }], {
    author: { actor: "import", reason: "benchmark (synthetic data)" },
  });
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  const changed = result.report.organizations.created + result.report.organizations.updated;
  const measure: Measure = { rows: result.rows, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, changed };
  console.log(JSON.stringify(measure));
  process.exit(0);
}

function runChild(url: string, file: string): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench-import.ts", "--child", url, file], {
      env: { ...process.env, LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`import exited with ${code}`)),
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), "bench-import-"));
const { url, drop: cleanup } = await createScratchDatabase(process.env.BENCH_DATABASE_URL, "bench_import");

try {
  const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
  writeFileSync(join(dir, "sources.json"), JSON.stringify([syntheticSource]));
  await importFiles(db.prisma, [{ entity: "sources", path: join(dir, "sources.json") }], {
    author: { actor: "import", reason: "benchmark" },
  });
  await db.close();

  const small = join(dir, "synthetic-baseline-organizations.csv");
  const large = join(dir, "synthetic-large-organizations.csv");
  await writeSyntheticOrganizations(small, 10_000, (i) => ({ slug: `synthetic-baseline-${i}` }));
  await writeSyntheticOrganizations(large, 100_000);

  const baseline = await runChild(url, small);
  const first = await runChild(url, large);
  const row = (label: string, m: Measure) => ({
    run: label,
    rows: m.rows,
    "records changed": m.changed,
    seconds: Number(m.seconds.toFixed(1)),
    "rows/s": Math.round(m.rows / m.seconds),
    "peak RSS MB": Math.round(m.maxRssMb),
    "time vs baseline": Number((m.seconds / baseline.seconds).toFixed(2)),
    "memory vs baseline": Number((m.maxRssMb / baseline.maxRssMb).toFixed(2)),
  });
  console.log(
    `Importer benchmark on SYNTHETIC organizations (${process.env.BENCH_DATABASE_URL ? "PostgreSQL server" : "embedded PGlite"}), Node ${process.version}`,
  );
  console.table([row("baseline: 10,000 new rows", baseline), row("100,000 new rows", first)]);
} finally {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
}
