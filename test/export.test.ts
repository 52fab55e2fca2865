import { unzipSync } from "fflate";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { currentRelease } from "../src/dataset/metadata.ts";
import { createApi } from "../src/yoga.ts";
import { parseCsv } from "./csv.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
const yoga = createApi();
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const get = (path: string) => yoga.fetch(`http://localhost${path}`);

async function csv(path: string) {
  const response = await get(path);
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // Starts with the UTF-8 byte order mark, which spreadsheet programs need to read Cyrillic.
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(new TextDecoder().decode(bytes));
  return { response, header, rows: rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]]))) };
}

async function ndjson(path: string) {
  const response = await get(path);
  expect(response.status).toBe(200);
  const text = await response.text();
  return text ? text.trimEnd().split("\n").map((line) => JSON.parse(line)) : [];
}

const FUNDINGS = `query ($filter: FundingFilter, $orderBy: FundingOrder) {
  fundings(first: 100, filter: $filter, orderBy: $orderBy) { edges { node {
    id slug description funder { slug } recipient { slug } programme { slug } partnership { slug } method { slug }
    amount { amount currency } amountDisclosed amountBound amountKind date { text } fiscalYearStart fiscalYearEnd
    createdAt updatedAt citations { quote confidence source { url } }
  } } }
}`;

test("a funding export matches the GraphQL answer to the same filter and order, field by field", async () => {
  const filter = { amountDisclosed: true, currency: "KZT" };
  const orderBy = { field: "AMOUNT", direction: "DESC" };
  const { body } = await api.query(FUNDINGS, { filter, orderBy });
  const nodes = body.data.fundings.edges.map((e: any) => e.node);
  expect(nodes.length).toBe(4);

  const query = "?amountDisclosed=true&currency=KZT&orderBy=AMOUNT&direction=DESC";
  const { rows } = await csv(`/export/fundings.csv${query}`);
  const json = await ndjson(`/export/fundings.ndjson${query}`);
  expect(rows.length).toBe(nodes.length);
  expect(json.length).toBe(nodes.length);
  nodes.forEach((n: any, i: number) => {
    const expected = {
      id: n.id,
      slug: n.slug,
      description: n.description,
      funder_slug: n.funder?.slug ?? null,
      recipient_slug: n.recipient?.slug ?? null,
      programme_slug: n.programme?.slug ?? null,
      partnership_slug: n.partnership?.slug ?? null,
      method_slug: n.method?.slug ?? null,
      amount: n.amount.amount,
      currency: n.amount.currency,
      amount_disclosed: n.amountDisclosed,
      amount_bound: n.amountBound,
      amount_kind: n.amountKind,
      date: n.date?.text ?? null,
      fiscal_year_start: n.fiscalYearStart,
      fiscal_year_end: n.fiscalYearEnd,
      created_at: n.createdAt,
      updated_at: n.updatedAt,
      citation_source_urls: n.citations.map((c: any) => c.source.url),
      citation_quotes: n.citations.map((c: any) => c.quote),
      citation_confidences: n.citations.map((c: any) => c.confidence),
    };
    expect(json[i]).toEqual(expected);
    expect(Object.keys(json[i])).toEqual(Object.keys(expected));
    // CSV: the same values as text, lists one item a line, null as an empty cell.
    const asCsv = Object.fromEntries(
      Object.entries(expected).map(([k, v]) => [k, v === null ? "" : Array.isArray(v) ? v.join("\n") : String(v)]),
    );
    expect(rows[i]).toEqual(asCsv);
  });
  expect(json.map((r: any) => r.amount)).toEqual(["643000000000", "252500000000", "20600000000", "8000000000"]);
});

test("organization exports carry every name and citation, in Cyrillic, with a stable column order", async () => {
  const { header, rows, response } = await csv("/export/organizations.csv");
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("link")).toBe('<https://creativecommons.org/licenses/by/4.0/>; rel="license"');
  expect(response.headers.get("content-disposition")).toBe('attachment; filename="organizations.csv"');
  expect(header.slice(0, 6)).toEqual(["id", "slug", "kind", "name_en", "name_ru", "name_kk"]);
  expect(header.slice(-3)).toEqual(["citation_source_urls", "citation_quotes", "citation_confidences"]);
  const { body } = await api.query(`{ organizations(first: 100) { totalCount edges { node { slug } } } }`);
  expect(rows.map((r) => r.slug)).toEqual(body.data.organizations.edges.map((e: any) => e.node.slug));
  expect(rows.find((r) => r.slug === "bekturov-institute")!.name_ru).toBe("Институт химических наук им. А. Б. Бектурова");
  for (const r of rows) expect(r.citation_source_urls.split("\n").length).toBe(r.citation_quotes.split("\n").length);
});

test("every root list can be exported, in both formats, and an export of nothing is a header-only file", async () => {
  const index = await (await get("/export")).json();
  for (const [name, entry] of Object.entries<any>(index.exports)) {
    const { rows, header } = await csv(entry.csv);
    expect(header).toEqual(entry.columns);
    const { body } = await api.query(`{ ${name}(first: 100) { totalCount } }`);
    expect(rows.length).toBe(body.data[name].totalCount);
    expect((await ndjson(entry.ndjson)).length).toBe(rows.length);
  }
  const empty = await get("/export/fundings.csv?year=1900");
  expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(await empty.arrayBuffer())).toBe(`\uFEFF${index.exports.fundings.columns.join(",")}\r\n`);
  expect(await (await get("/export/fundings.ndjson?year=1900")).text()).toBe("");
});

test("unknown parameters and values are a 400 that lists what is allowed, and unknown exports a 404", async () => {
  const cases: [string, number, RegExp][] = [
    ["/export/fundings.csv?colour=red", 400, /Unknown parameter "colour"; allowed: amount\.max, amount\.min, amountDisclosed, amountKinds, .*funder, .*year, orderBy, direction$/],
    ["/export/fundings.csv?amountKinds=GIFT", 400, /"GIFT" is not allowed; use one of ALLOCATED, AWARDED, BUDGET, DISBURSED, INVESTED$/],
    ["/export/fundings.csv?orderBy=COLOUR", 400, /use one of AMOUNT, CREATED_AT, DATE$/],
    ["/export/fundings.csv?year=soon", 400, /"soon" is not a whole number/],
    ["/export/fundings.csv?year=2024&year=2025", 400, /given 2 times/],
    ["/export/fundings.csv?amountDisclosed=yes", 400, /use true or false/],
    ["/export/fundings.csv?funder=nope", 400, /not a valid ID/],
    ["/export/fundings.csv?date.from=2024-13-45", 400, /Date/],
    ["/export/fundings.csv?amount.min=lots", 400, /Decimal must be a string of digits/],
    ["/export/dataset.zip?x=1", 400, /takes no parameters/],
    ["/export/grants.csv", 404, /No export at \/export\/grants\.csv; available: \/export\/dataset\.zip and .*fundings\.csv/],
    ["/export/fundings.xlsx", 404, /No export/],
  ];
  for (const [path, status, message] of cases) {
    const response = await get(path);
    expect(response.status, path).toBe(status);
    const body = await response.json();
    expect(body.errors[0].message, path).toMatch(message);
  }
  const post = await yoga.fetch("http://localhost/export/fundings.csv", { method: "POST" });
  expect(post.status).toBe(405);
});

test("filters by global ID and by list, as in the API", async () => {
  const { body } = await api.query(`{ organization(slug: "kazchrome") { id } }`);
  const rows = await ndjson(`/export/fundings.ndjson?funder=${encodeURIComponent(body.data.organization.id)}`);
  expect(rows.map((r: any) => r.slug)).toEqual(["kazchrome-flotation-unit-investment"]);
  const institutes = await ndjson("/export/organizations.ndjson?kinds=RESEARCH_INSTITUTE,UNIVERSITY");
  const list = await api.query(`{ institutes(first: 100) { totalCount } }`);
  expect(institutes.length).toBe(list.body.data.institutes.totalCount);
});

test("the dataset dump holds one NDJSON per entity and a manifest with version, licence and checksums", async () => {
  const response = await get("/export/dataset.zip");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/zip");
  expect(response.headers.get("link")).toContain("creativecommons.org/licenses/by/4.0");
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  const manifest = JSON.parse(new TextDecoder().decode(files["manifest.json"]));
  expect(manifest).toMatchObject({ dataVersion: currentRelease.version, license: { name: "CC BY 4.0", url: "https://creativecommons.org/licenses/by/4.0/" } });
  expect(manifest.files.map((f: any) => f.name)).toEqual(
    ["organizations", "people", "methods", "partnerships", "programmes", "fundings", "impacts", "sources"].map((n) => `${n}.ndjson`),
  );
  const counts: Record<string, number> = {
    organizations: await api.db.prisma.organization.count(),
    fundings: await api.db.prisma.funding.count(),
    sources: await api.db.prisma.source.count(),
  };
  for (const file of manifest.files) {
    const bytes = files[file.name];
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
    const lines = new TextDecoder().decode(bytes).trimEnd().split("\n");
    expect(lines.length).toBe(file.rows);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(file.columns);
    const entity = file.name.replace(".ndjson", "");
    if (entity in counts) expect(file.rows).toBe(counts[entity]);
  }
  // The same data gives the same bytes.
  const again = new Uint8Array(await (await get("/export/dataset.zip")).arrayBuffer());
  expect(createHash("sha256").update(again).digest("hex")).toBe(createHash("sha256").update(new Uint8Array(await (await get("/export/dataset.zip")).arrayBuffer())).digest("hex"));
});

test("an export spends a point a row from the client's budget (at most the whole budget) and is refused with 429 when it is short", async () => {
  const { memoryStore } = await import("../src/limits/rate-limit.ts");
  const small = createApi({ rateLimitStore: memoryStore(), limits: { perMinute: 40 } });
  const remaining = (response: Response) => Number(response.headers.get("ratelimit-remaining"));
  try {
    const fundings = await small.fetch("http://localhost/export/fundings.csv");
    expect(fundings.status).toBe(200);
    await fundings.arrayBuffer();
    expect(remaining(fundings)).toBe(40 - 1 - 5);
    const organizations = await small.fetch("http://localhost/export/organizations.csv");
    expect(organizations.status).toBe(200);
    await organizations.arrayBuffer();
    expect(remaining(organizations)).toBe(34 - 1 - 19);
    const refused = await small.fetch("http://localhost/export/organizations.csv");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).errors[0]).toMatchObject({ message: expect.stringContaining("this export has 19 rows and costs 19 points"), extensions: { code: "RATE_LIMITED" } });
  } finally {
    await small.dispose();
  }
  // The whole dataset holds more rows than this budget: it costs the whole budget, once a minute.
  const fresh = createApi({ rateLimitStore: memoryStore(), limits: { perMinute: 40 } });
  try {
    const zip = await fresh.fetch("http://localhost/export/dataset.zip");
    expect(zip.status).toBe(200);
    await zip.arrayBuffer();
    expect(remaining(zip)).toBe(0);
    expect((await fresh.fetch("http://localhost/export/dataset.zip")).status).toBe(429);
  } finally {
    await fresh.dispose();
  }
});
