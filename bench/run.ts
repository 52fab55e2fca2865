// `npm run bench [-- --scale 10000 --scale 1000000 --duration 8 --connections 1,4,16]`
// Measures this API, a hand-written node:http + pg baseline and PostGraphile 4 on the same
// synthetic database(s) of the same PostgreSQL server, and writes bench/results/report.md,
// results.json and throughput.png. A script with a report, not a timed test: figures are ratios
// taken in one run on one machine.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { countRows, synthDatabaseName, synthesize } from "../src/synth/generate.ts";
import { renderChart } from "./chart.ts";
import {
  graphql,
  installPostgraphile,
  load,
  type Measurement,
  peakRssMb,
  type Scenario,
  send,
  sqlPerRequest,
  start,
  stop,
} from "./harness.ts";
import {
  FILTERED_QUERY,
  FUNDING_SUMMARY_QUERY,
  FUNDINGS_BY_FUNDER_QUERY,
  NESTED_QUERY,
  NODE_QUERY,
  PAGE,
  PAGE_QUERY,
  POSTGRAPHILE_FILTERED_QUERY,
  POSTGRAPHILE_FUNDING_SUMMARY_QUERY,
  POSTGRAPHILE_FUNDINGS_BY_FUNDER_QUERY,
  POSTGRAPHILE_NESTED_QUERY,
  POSTGRAPHILE_NODE_QUERY,
  SEARCH_QUERY,
} from "./queries.ts";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    scale: { type: "string", multiple: true, default: ["10000"] },
    url: { type: "string", default: process.env.SYNTH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "1,4,16" },
    port: { type: "string", default: process.env.BENCH_PORT ?? "4561" },
    out: { type: "string", default: `${root}bench/results` },
  },
});
const scales = values.scale!.map(Number);
const duration = Number(values.duration);
const levels = values.connections!.split(",").map(Number);
const basePort = Number(values.port);

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString("base64");
const cursor = (id: number) => Buffer.from(`GPC:N:${id}`).toString("base64");
/** Page sizes of the statement count, up to the benchmark's own (20 + 400 + 8,000 items; 25 at each level is over the cost limit). */
const PAGE_SIZES = [1, 5, PAGE];
/** The cheapest query there is: what serving any answer costs each server. */
const FLOOR = "{ __typename }";
/** What the search scenario looks for: a record that exists at every scale, among many similar names. */
const SEARCH_TERMS = "Synthetic method 777";
/** The colour of `hex` moved halfway towards `toward` (0 or 255 in each channel). */
const blend = (hex: string, toward: number) =>
  `#${[1, 3, 5]
    .map((i) =>
      Math.round((parseInt(hex.slice(i, i + 2), 16) + toward) / 2)
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
/** A cached contender's colour: its uncached one's, halfway to white; PostGraphile's equivalent: halfway to black. */
const lighter = (hex: string) => blend(hex, 255);
const darker = (hex: string) => blend(hex, 0);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

// ---- one dataset ----

async function ensureDataset(scale: number) {
  const name = synthDatabaseName(scale);
  const url = new URL(values.url!);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: values.url });
  await admin.connect();
  const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  await admin.end();
  if (rows.length === 0) {
    log(`generating ${name} (npm run synth -- --scale ${scale})`);
    await synthesize(values.url!, scale, name, (line) => log(`  ${line}`));
  }
  const counts = await countRows(url.toString());
  if (counts.Partnership !== scale) {
    throw new Error(`database ${name} does not hold ${scale} partnerships: regenerate it with npm run synth -- --scale ${scale}`);
  }
  return { databaseUrl: url.toString(), counts };
}

function postgraphileToApiShape(text: string): string {
  type P = {
    slug: string;
    nameEn: string | null;
    nameRu: string | null;
    nameKk: string | null;
    _methodDevelopersByB: {
      nodes: { methodByA: { slug: string; title: string; _partnershipMethodsByA: { nodes: { partnershipByB: unknown }[] } } }[];
    };
  };
  const organizations = (JSON.parse(text).data.allOrganizations.nodes as P[]).map((o) => ({
    node: {
      slug: o.slug,
      name: o.nameEn ?? o.nameRu ?? o.nameKk,
      methods: {
        edges: o._methodDevelopersByB.nodes.map(({ methodByA: m }) => ({
          node: {
            slug: m.slug,
            title: m.title,
            partnerships: { edges: m._partnershipMethodsByA.nodes.map((x) => ({ node: x.partnershipByB })) },
          },
        })),
      },
    },
  }));
  return JSON.stringify({ data: { organizations: { edges: organizations } } });
}

/** Every `slug` of an answer, in document order: two answers that list the same records in the same order agree. */
const slugsOf = (text: string) => [...text.matchAll(/"slug":"([^"]*)"/g)].map((m) => m[1]).join(" ");

/**
 * A funding summary as sorted lines: disclosed count and sum per kind and currency, undisclosed count per kind, the total.
 * Sums are compared as doubles: PostGraphile's pg-aggregates sends them as JSON numbers, which lose the cents of sums
 * past 15 digits (the API's are exact decimal strings).
 */
function summaryLines(text: string, peer: boolean): string {
  const data = JSON.parse(text).data;
  const lines: string[] = [];
  if (peer) {
    lines.push(`total ${data.all.totalCount}`);
    for (const g of data.disclosed.groupedAggregates) lines.push(`${g.keys[0]} ${g.keys[1]} ${g.distinctCount.id} ${Number(g.sum.amount)}`);
    for (const g of data.undisclosed.groupedAggregates) lines.push(`${g.keys[0]} undisclosed ${g.distinctCount.id}`);
  } else {
    const summary = data.fundingSummary;
    lines.push(`total ${summary.count}`);
    for (const b of summary.buckets) {
      if (b.count > b.undisclosedCount)
        lines.push(`${b.amountKind} ${b.currency} ${b.count - b.undisclosedCount} ${Number(b.sums[0]?.amount)}`);
      if (b.undisclosedCount > 0) lines.push(`${b.amountKind} undisclosed ${b.undisclosedCount}`);
    }
  }
  return lines.sort().join("\n");
}

async function benchScale(scale: number) {
  const { databaseUrl, counts } = await ensureDataset(scale);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const one = async (sql: string) => Number((await db.query(sql)).rows[0].v);
  const funder = await one(
    `SELECT "funderId" AS v FROM "Funding" WHERE "funderId" IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
  );
  const fundingsOfFunder = await one(`SELECT count(*) AS v FROM "Funding" WHERE "funderId" = ${funder}`);
  const middle = await one(`SELECT id AS v FROM "Partnership" ORDER BY id OFFSET ${Math.floor(scale / 2)} LIMIT 1`);
  const lastPage = Math.floor(scale / PAGE);
  const pageCursors = new Map<number, number | null>([[1, null]]);
  for (const page of [1000, lastPage]) {
    if (page > 1 && page <= lastPage)
      pageCursors.set(page, await one(`SELECT id AS v FROM "Partnership" ORDER BY id OFFSET ${(page - 1) * PAGE - 1} LIMIT 1`));
  }
  await db.end();

  const servers = {
    api: await start("this API", "bench/servers/api.ts", basePort, databaseUrl, { RESPONSE_CACHE: "off" }),
    cached: await start("this API, cached", "bench/servers/api.ts", basePort + 3, databaseUrl, { RESPONSE_CACHE: "on" }),
    baseline: await start("baseline", "bench/servers/baseline.ts", basePort + 1, databaseUrl),
    postgraphile: await start("PostGraphile 4", "bench/postgraphile/server.ts", basePort + 2, databaseUrl),
    yoga: await start("graphql-yoga alone", "bench/servers/yoga.ts", basePort + 4, databaseUrl),
  };
  try {
    const nested = graphql(NESTED_QUERY, { n: PAGE });
    /** What, the API's request, its colour, and PostGraphile's equivalent with what both answers must agree on. */
    type PeerQuery = { body: string; agree: (text: string, peer: boolean) => string };
    const apiQueries: [string, string, string, PeerQuery?][] = [
      [
        "node lookup",
        graphql(NODE_QUERY, { id: gid("Partnership", middle) }),
        "#ff7f0e",
        { body: graphql(POSTGRAPHILE_NODE_QUERY, { id: middle }), agree: slugsOf },
      ],
      [
        "filtered list",
        graphql(FILTERED_QUERY, { n: PAGE }),
        "#9467bd",
        { body: graphql(POSTGRAPHILE_FILTERED_QUERY, { n: PAGE }), agree: slugsOf },
      ],
      [
        "fundings of one funder",
        graphql(FUNDINGS_BY_FUNDER_QUERY, { funder: gid("Organization", funder), n: PAGE }),
        "#8c564b",
        {
          body: graphql(POSTGRAPHILE_FUNDINGS_BY_FUNDER_QUERY, { funder, n: PAGE }),
          agree: (text, peer) => {
            const list = peer ? JSON.parse(text).data.allFundings : JSON.parse(text).data.fundings;
            return `${list.totalCount} ${slugsOf(text)}`;
          },
        },
      ],
      ["search", graphql(SEARCH_QUERY, { q: SEARCH_TERMS, n: PAGE }), "#e377c2"],
      [
        "funding summary",
        graphql(FUNDING_SUMMARY_QUERY, {}),
        "#17becf",
        { body: graphql(POSTGRAPHILE_FUNDING_SUMMARY_QUERY, {}), agree: summaryLines },
      ],
      [
        FLOOR,
        graphql(`{ __typename }`, {}),
        "#bcbd22",
        { body: graphql(`{ __typename }`, {}), agree: (text) => JSON.stringify(JSON.parse(text).data) },
      ],
    ];
    const scenarios: Scenario[] = [
      {
        name: "API, cached: nested list",
        server: servers.cached,
        method: "POST",
        path: "/graphql",
        body: nested,
        color: lighter("#d62728"),
      },
      { name: "API: nested list", server: servers.api, method: "POST", path: "/graphql", body: nested, color: "#d62728" },
      {
        name: "baseline: nested list (node:http + pg)",
        server: servers.baseline,
        method: "POST",
        path: "/nested",
        body: nested,
        color: "#2ca02c",
      },
      {
        name: "PostGraphile 4: nested list",
        server: servers.postgraphile,
        method: "POST",
        path: "/graphql",
        body: graphql(POSTGRAPHILE_NESTED_QUERY, { n: PAGE }),
        color: "#1f77b4",
      },
      { name: "baseline: static answer", server: servers.baseline, method: "GET", path: "/static", color: "#7f7f7f" },
      {
        name: `Yoga alone: ${FLOOR}`,
        server: servers.yoga,
        method: "POST",
        path: "/graphql",
        body: graphql(`{ __typename }`, {}),
        color: "#7f7f7f",
      },
      ...apiQueries.flatMap(([what, body, color, peer]) => [
        { name: `API: ${what}`, server: servers.api, method: "POST" as const, path: "/graphql", body, color },
        { name: `API, cached: ${what}`, server: servers.cached, method: "POST" as const, path: "/graphql", body, color: lighter(color) },
        ...(peer
          ? [
              {
                name: `PostGraphile 4: ${what}`,
                server: servers.postgraphile,
                method: "POST" as const,
                path: "/graphql",
                body: peer.body,
                color: darker(color),
              },
            ]
          : []),
      ]),
    ];

    // The same answer from all three before any figure is taken.
    const answers = await Promise.all(scenarios.slice(0, 5).map(send));
    // The API's answers also carry `extensions` (cost, licence, data version); the data must be the same bytes.
    const [cachedAnswer, api, baseline, , staticAnswer] = answers.map((text) => JSON.stringify({ data: JSON.parse(text).data }));
    if (cachedAnswer !== api) throw new Error("the cached API's nested list differs from the uncached one's");
    if (api !== baseline) throw new Error("the baseline's nested list differs from the API's: fix the baseline before measuring");
    if (postgraphileToApiShape(answers[3]) !== api) throw new Error("PostGraphile's nested list holds different data than the API's");
    if (staticAnswer !== api) throw new Error("the static answer differs from the API's nested list");
    const parsed = JSON.parse(api).data.organizations.edges as {
      node: { methods: { edges: { node: { partnerships: { edges: unknown[] } } }[] } };
    }[];
    const methods = parsed.flatMap((o) => o.node.methods.edges);
    const items = parsed.length + methods.length + methods.reduce((n, m) => n + m.node.partnerships.edges.length, 0);
    log(`scale ${scale}: the three nested lists agree (${items} items, ${api.length} bytes)`);
    for (const [what, body, , peer] of apiQueries) {
      if (!peer) continue;
      const [ours, theirs] = await Promise.all([
        send({ server: servers.api, method: "POST", path: "/graphql", body }),
        send({ server: servers.postgraphile, method: "POST", path: "/graphql", body: peer.body }),
      ]);
      const [a, b] = [peer.agree(ours, false), peer.agree(theirs, true)];
      if (!a || a !== b) throw new Error(`PostGraphile's ${what} holds different data than the API's:\n${a}\n---\n${b}`);
    }

    const sql = new Map<string, { statements: number; rows: number }>();
    for (const s of scenarios.filter((s) => s.path !== "/static")) sql.set(s.name, await sqlPerRequest(s));
    const byPageSize: Record<string, Record<number, number>> = { "this API": {}, "PostGraphile 4": {} };
    for (const n of PAGE_SIZES) {
      byPageSize["this API"][n] = (
        await sqlPerRequest({ server: servers.api, method: "POST", path: "/graphql", body: graphql(NESTED_QUERY, { n }) })
      ).statements;
      byPageSize["PostGraphile 4"][n] = (
        await sqlPerRequest({
          server: servers.postgraphile,
          method: "POST",
          path: "/graphql",
          body: graphql(POSTGRAPHILE_NESTED_QUERY, { n }),
        })
      ).statements;
    }

    const results: Record<string, Measurement[]> = {};
    for (const s of scenarios) {
      await load(s, 1, 2); // warm-up: JIT, connection pool, PostgreSQL's caches
      results[s.name] = [];
      for (const c of levels) {
        await send(s); // queued behind any request of the previous run still in the server
        const m = await load(s, c, duration);
        results[s.name].push(m);
        log(`${s.name} @${c}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.failures ? `, ${m.failures} failures` : ""}`);
      }
    }

    // Pages are requested in turn, one at a time, so that noise on the machine hits them alike.
    const pageRequests = [...pageCursors].map(([page, after]) => ({
      page,
      request: {
        server: servers.api,
        method: "POST" as const,
        path: "/graphql",
        body: graphql(PAGE_QUERY, { after: after === null ? null : cursor(after) }),
      },
      times: [] as number[],
    }));
    for (let round = 0; round < 10 + 40 * duration; round++) {
      for (const p of pageRequests) {
        const t = performance.now();
        await send(p.request);
        if (round >= 10) p.times.push(performance.now() - t);
      }
    }
    const percentile = (times: number[], q: number) =>
      [...times].sort((a, b) => a - b)[Math.min(times.length - 1, Math.floor(q * times.length))];
    const pages = pageRequests.map(({ page, times }) => ({
      page,
      p50: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      requests: times.length,
    }));
    for (const p of pages) log(`partnerships page ${p.page}: p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms`);

    const rss = Object.fromEntries(Object.values(servers).map((s) => [s.name, peakRssMb(s)]));
    return {
      scale,
      counts,
      items,
      bytes: api.length,
      fundingsOfFunder,
      scenarios: scenarios.map(({ name, server, color }) => ({ name, server: server.name, color })),
      sql: Object.fromEntries(sql),
      byPageSize,
      results,
      pages,
      rss,
    };
  } finally {
    for (const s of Object.values(servers)) await stop(s);
  }
}

// ---- report ----

type ScaleResult = Awaited<ReturnType<typeof benchScale>>;

const fmt = (v: number, digits = 0) => v.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}x` : "–");

function report(runs: ScaleResult[], machine: Record<string, string>): string {
  const lines = [
    "# Benchmark: this API, a hand-written baseline and PostGraphile 4",
    "",
    `Written by \`npm run bench\` on ${machine.date}. ${machine.summary}`,
    "",
    "Every contender runs as its own Node.js process on 127.0.0.1 against the same PostgreSQL server and the same synthetic database",
    "(`npm run synth`), with a pool of 10 connections; autocannon drives the load from the benchmark's process on the same machine.",
    "This API runs twice: with the response cache off (`RESPONSE_CACHE=off`: every request reaches PostgreSQL) and on",
    "(`API, cached`: the default in-memory cache; the load repeats one query, so after the first request every answer comes from",
    "the cache, as for a popular query between two curator writes).",
    "",
    "- **nested list**: research institutes → their methods → partnerships applying each method, `first: 20` at each level",
    "  (up to 20 + 400 + 8,000 items). The baseline answers it with one hand-written SQL statement (LATERAL joins, a LIMIT per parent)",
    "  and `JSON.stringify`; its `data` is checked byte for byte against the API's (which adds about 200 bytes of `extensions`),",
    "  and PostGraphile's answer is checked to hold the same data.",
    "- **static answer**: the same bytes, pre-serialised: node:http alone, the ceiling of any server on this machine.",
    "- **node lookup**: `node(id:)` of a partnership with its participants; **filtered list**: 20 partnerships of two kinds and one status;",
    "  **fundings of one funder**: the 20 first fundings of the agency that gives most, with `totalCount`;",
    `  **search**: \`search(query: "${SEARCH_TERMS}", first: 20)\` over every record type, with \`totalCount\`;`,
    "  **funding summary**: every funding summed per kind of amount and currency (`fundingSummary(groupBy: [AMOUNT_KIND, CURRENCY])`).",
    "- PostGraphile 4 (with postgraphile-plugin-connection-filter for `in` and @graphile/pg-aggregates for grouped sums, as its users",
    "  would set it up) answers the node lookup, the filtered list, the fundings of one funder and the funding summary too; before any",
    "  figure is taken its answers are checked to hold the same records as the API's (the same slugs in the same order; the same counts",
    "  and sums). Search has no PostGraphile equivalent: it has no search across record types without a hand-written SQL function.",
    "- **{ __typename }**: the cheapest query, so what serving any answer costs: on the API, on PostGraphile, and on graphql-yoga",
    "  alone (`Yoga alone`: the API's schema without any of the API's plugins, bench/servers/yoga.ts). It is not one of the targets.",
    "- SQL statements and rows read per request are counted by wrapping node-postgres's `Client#query` in each server process;",
    "  rows read are those node-postgres returns (PostGraphile builds the whole answer as JSON inside PostgreSQL: one row).",
    "  Peak memory is the process's peak resident set size (VmHWM) at the end of its run.",
    "",
  ];
  const peak = (ms: Measurement[]) => ms.reduce((a, b) => (b.rps > a.rps ? b : a));
  lines.push("## Summary: the nested list at its peak throughput", "");
  lines.push(
    "| Partnerships | Contender | Peak requests/s (connections) | p50 / p99 ms there | vs baseline | vs PostGraphile | SQL statements / request | SQL rows read / request | Peak RSS MB |",
  );
  lines.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const run of runs) {
    const base = peak(run.results["baseline: nested list (node:http + pg)"]);
    const peer = peak(run.results["PostGraphile 4: nested list"]);
    for (const s of run.scenarios.filter((s) => s.name.includes("nested list") || s.name.includes("static"))) {
      const m = peak(run.results[s.name]);
      const sql = run.sql[s.name];
      lines.push(
        `| ${fmt(run.scale)} | ${s.name} | ${fmt(m.rps)} (${m.connections}) | ${m.p50} / ${m.p99} | ${ratio(m.rps, base.rps)} | ${ratio(m.rps, peer.rps)} | ` +
          `${sql ? sql.statements : 0} | ${sql ? fmt(sql.rows) : 0} | ${run.rss[s.server] ?? "n/a"} |`,
      );
    }
  }
  lines.push("");
  for (const run of runs) {
    const base = run.results["baseline: nested list (node:http + pg)"];
    const peer = run.results["PostGraphile 4: nested list"];
    lines.push(`## ${fmt(run.scale)} partnerships`, "");
    lines.push(
      `Rows: ${Object.entries(run.counts)
        .map(([t, n]) => `${t} ${fmt(n)}`)
        .join(", ")}.`,
      "",
    );
    lines.push(
      `Nested list answer: ${fmt(run.items)} items, ${fmt(run.bytes)} bytes. The funder's list has ${fmt(run.fundingsOfFunder)} fundings in all.`,
      "",
    );
    lines.push(
      "| Contender | Connections | Requests/s | p50 ms | p99 ms | vs baseline | vs PostGraphile | SQL statements / request | SQL rows read / request | Peak RSS MB |",
    );
    lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    /** PostGraphile's measurements of the same query as a contender, if it has an equivalent. */
    const peerOf = (name: string): Measurement[] | undefined =>
      run.results[`PostGraphile 4: ${name.replace(/^[^:]+: /, "").replace(/ \(node:http \+ pg\)$/, "")}`];
    for (const s of run.scenarios) {
      const theirs = peerOf(s.name);
      run.results[s.name].forEach((m, i) => {
        const sql = run.sql[s.name];
        lines.push(
          `| ${s.name} | ${m.connections} | ${fmt(m.rps)}${m.failures ? ` (${m.failures} failed)` : ""} | ${m.p50} | ${m.p99} | ` +
            `${s.name.includes("nested list") || s.name.includes("static") ? ratio(m.rps, base[i].rps) : ""} | ${theirs ? ratio(m.rps, theirs[i].rps) : ""} | ` +
            `${sql ? sql.statements : 0} | ${sql ? fmt(sql.rows) : 0} | ${run.rss[s.server] ?? "n/a"} |`,
        );
      });
    }
    const api = run.results["API: nested list"];
    const cachedNested = run.results["API, cached: nested list"];
    const staticAnswer = run.results["baseline: static answer"];
    const sustainable = api.filter((m) => m.p99 < 50 && m.failures === 0);
    const page1000 = run.pages.find((p) => p.page === 1000);
    const sizes = run.byPageSize["this API"];
    /** `met`: null when the target cannot be measured at this scale. */
    const target = (what: string, measured: string, met: boolean | null) =>
      lines.push(`| ${what} | ${measured} | ${met === null ? "–" : met ? "yes" : "no"} |`);
    lines.push(
      "",
      "Targets (issue 13, and issue 6's that still hold), each at peak throughput:",
      "",
      "| Target | Measured | Met |",
      "|---|---|---|",
    );
    target("Nested list ≥ 0.7x the baseline", ratio(peak(api).rps, peak(base).rps), peak(api).rps >= 0.7 * peak(base).rps);
    target("Nested list ≥ 1.2x PostGraphile 4", ratio(peak(api).rps, peak(peer).rps), peak(api).rps >= 1.2 * peak(peer).rps);
    for (const s of run.scenarios.filter((s) => s.name.startsWith("API: ") && !s.name.includes("nested list") && !s.name.includes(FLOOR))) {
      const theirs = peerOf(s.name);
      if (!theirs) continue;
      const ours = peak(run.results[s.name]);
      target(`${s.name.slice("API: ".length)} ahead of PostGraphile 4`, ratio(ours.rps, peak(theirs).rps), ours.rps > peak(theirs).rps);
    }
    target(
      "Cached nested list ≥ 0.5x the static answer",
      ratio(peak(cachedNested).rps, peak(staticAnswer).rps),
      peak(cachedNested).rps >= 0.5 * peak(staticAnswer).rps,
    );
    target(
      "Nested list p99 < 50 ms at the highest sustainable rate",
      sustainable.length
        ? `${fmt(peak(sustainable).rps)} req/s at ${peak(sustainable).connections} connection(s), p99 ${peak(sustainable).p99} ms`
        : `p99 ≥ 50 ms at every level (lowest ${Math.min(...api.map((m) => m.p99))} ms)`,
      sustainable.length > 0,
    );
    target(
      "SQL statements independent of page size",
      `${PAGE_SIZES.map((n) => sizes[n]).join(" / ")} for n = ${PAGE_SIZES.join(" / ")}`,
      new Set(PAGE_SIZES.map((n) => sizes[n])).size === 1,
    );
    target(
      "Page 1,000 within 1.5x of page 1 (p50)",
      page1000 ? ratio(page1000.p50, run.pages[0].p50) : "n/a (fewer than 1,000 pages)",
      page1000 ? page1000.p50 <= 1.5 * run.pages[0].p50 : null,
    );
    target("Cached nested list ≥ 10x uncached", ratio(peak(cachedNested).rps, peak(api).rps), peak(cachedNested).rps >= 10 * peak(api).rps);
    lines.push("", "Cached against uncached, each at its peak throughput:", "");
    lines.push(
      "| Query | Uncached requests/s (p50 / p99 ms) | Cached requests/s (p50 / p99 ms) | Cached vs uncached |",
      "|---|---:|---:|---:|",
    );
    for (const s of run.scenarios.filter((s) => s.name.startsWith("API: "))) {
      const what = s.name.slice("API: ".length);
      const [u, c] = [peak(run.results[s.name]), peak(run.results[`API, cached: ${what}`])];
      lines.push(`| ${what} | ${fmt(u.rps)} (${u.p50} / ${u.p99}) | ${fmt(c.rps)} (${c.p50} / ${c.p99}) | ${ratio(c.rps, u.rps)} |`);
    }
    lines.push("", "SQL statements for the nested list by page size (`first: n` at every level):", "");
    lines.push(`| Server | ${PAGE_SIZES.map((n) => `n = ${n}`).join(" | ")} |`, `|---|${PAGE_SIZES.map(() => "---:").join("|")}|`);
    for (const [server, counts] of Object.entries(run.byPageSize))
      lines.push(`| ${server} | ${PAGE_SIZES.map((n) => counts[n]).join(" | ")} |`);
    lines.push(
      "",
      "Cursor pagination of `partnerships(first: 20, after:)` in the default order, one request at a time, pages in turn:",
      "",
    );
    lines.push("| Page | Requests | p50 ms | p99 ms | p50 vs page 1 |", "|---:|---:|---:|---:|---:|");
    for (const p of run.pages)
      lines.push(`| ${fmt(p.page)} | ${p.requests} | ${fmt(p.p50, 2)} | ${fmt(p.p99, 2)} | ${ratio(p.p50, run.pages[0].p50)} |`);
    lines.push("");
  }
  return lines.join("\n");
}

// ---- main ----

installPostgraphile();
const before = loadavg();
const started = new Date();
const runs: ScaleResult[] = [];
for (const scale of scales) runs.push(await benchScale(scale));
const after = loadavg();
const pgVersion = await (async () => {
  const c = new pg.Client({ connectionString: values.url });
  await c.connect();
  const v = (await c.query("SHOW server_version")).rows[0].server_version as string;
  await c.end();
  return v;
})();
const machine = {
  date: `${started.toISOString().slice(0, 16).replace("T", " ")} UTC`,
  summary:
    `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GB, Node.js ${process.version}, PostgreSQL ${pgVersion}. ` +
    `Load average (1/5/15 min) ${before.map((v) => v.toFixed(2)).join(" / ")} before and ${after.map((v) => v.toFixed(2)).join(" / ")} after; ` +
    `${duration} s per measurement after a 2 s warm-up, run took ${Math.round((Date.now() - started.getTime()) / 60000)} min.`,
};
mkdirSync(values.out!, { recursive: true });
writeFileSync(`${values.out}/results.json`, `${JSON.stringify({ machine, runs }, null, 2)}\n`);
writeFileSync(`${values.out}/report.md`, `${report(runs, machine)}\n![Throughput by concurrency](throughput.png)\n`);
writeFileSync(
  `${values.out}/throughput.png`,
  renderChart(
    runs.map((run) => ({
      title: `${fmt(run.scale)} partnerships`,
      series: run.scenarios.map((s) => ({
        name: s.name,
        color: s.color,
        points: run.results[s.name].map(({ connections, rps }) => ({ connections, rps })),
      })),
    })),
  ),
);
log(`report written to ${values.out}/report.md`);
