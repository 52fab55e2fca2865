// `node --max-semi-space-size=64 --import tsx bench/prisma-reads.ts [--url postgresql://.../synth_10k] [--requests 300] [--rounds 3]`
// What reading through Prisma's client costs in garbage collection. A request here is the benchmark's
// nested list as the baseline reads it (one statement through node-postgres, its rows, JSON.stringify),
// after the root list of research institutes read one of three ways: through node-postgres, through
// Prisma's $queryRawUnsafe (the same SQL) or through Prisma's findMany. Requests run one after another
// in this process, the three ways in alternating rounds, with the flags `npm start` uses; the report is
// CPU time and young-generation (scavenge) GC time per request.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { openDatabase, prisma, selectRows } from "../src/db.ts";
import { NESTED_SQL, PAGE } from "./queries.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/synth_10k" },
    requests: { type: "string", default: "300" },
    rounds: { type: "string", default: "3" },
  },
});
const database = await openDatabase({ databaseUrl: values.url!, poolSize: 10 });
const SQL = `SELECT id, slug, "nameEn", "nameRu", "nameKk" FROM "Organization"
  WHERE kind = 'RESEARCH_INSTITUTE' AND "retractedAt" IS NULL ORDER BY id LIMIT 21`;

const rootReaders: Record<string, () => Promise<number>> = {
  "node-postgres": async () => (await selectRows(SQL, [])).rows.length,
  "Prisma $queryRawUnsafe": async () => (await prisma().$queryRawUnsafe<unknown[]>(SQL)).length,
  "Prisma findMany": async () =>
    (
      await prisma().organization.findMany({
        where: { kind: "RESEARCH_INSTITUTE", retractedAt: null },
        orderBy: { id: "asc" },
        take: 21,
        select: { id: true, slug: true, nameEn: true, nameRu: true, nameKk: true },
      })
    ).length,
};
const readers = Object.fromEntries(
  Object.entries(rootReaders).map(([name, root]) => [
    `root list: ${name}`,
    async () => {
      const count = await root();
      const { columns, rows } = await selectRows(NESTED_SQL, [PAGE]);
      // Objects from the rows, as the API builds its answer.
      const records = rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
      return count + JSON.stringify(records).length;
    },
  ]),
);

let minorGcMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { detail } = entry as unknown as { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcMs += entry.duration;
  }
});
observer.observe({ entryTypes: ["gc"] });

const requests = Number(values.requests);
const results = new Map<string, { cpu: number[]; gc: number[] }>(Object.keys(readers).map((name) => [name, { cpu: [], gc: [] }]));
for (const read of Object.values(readers)) for (let i = 0; i < 100; i++) await read();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, read] of Object.entries(readers)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const gcBefore = minorGcMs;
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < requests; i++) await read();
    const cpu = process.cpuUsage(cpuBefore);
    // Entries of the last collections arrive after the loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    results.get(name)!.cpu.push((cpu.user + cpu.system) / 1000 / requests);
    results.get(name)!.gc.push((minorGcMs - gcBefore) / requests);
  }
}
observer.disconnect();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${requests} requests a round, ${values.rounds} rounds; medians (all rounds)`);
console.log("| Reader | CPU ms / request | scavenge ms / request |");
console.log("|---|---:|---:|");
for (const [name, { cpu, gc }] of results) {
  const all = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  console.log(`| ${name} | ${median(cpu).toFixed(2)} (${all(cpu)}) | ${median(gc).toFixed(2)} (${all(gc)}) |`);
}
await database.close();
