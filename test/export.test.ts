import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
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
  return text
    ? text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line))
    : [];
}

const FUNDINGS = `query ($filter: FundingFilter, $orderBy: FundingOrder) {
  fundings(first: 100, filter: $filter, orderBy: $orderBy) { edges { node {
    id slug description funder { slug } recipient { slug } programme { slug } partnership { slug } method { slug }
    amount { amount currency } amountBound amountKind date { text } fiscalYearStart fiscalYearEnd
    createdAt updatedAt retraction { at reason } citations { quote confidence note source { url } }
  } } }
}`;

test("a funding export matches the GraphQL answer to the same filter and order, field by field, under the API's names", async () => {
  const filter = { amountDisclosed: true, currency: "KZT" };
  const orderBy = { field: "AMOUNT", direction: "DESC" };
  const { body } = await api.query(FUNDINGS, { filter, orderBy });
  const nodes = body.data.fundings.edges.map((e: any) => e.node);
  expect(nodes.length).toBe(10);

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
      funder: n.funder?.slug ?? null,
      recipient: n.recipient?.slug ?? null,
      programme: n.programme?.slug ?? null,
      partnership: n.partnership?.slug ?? null,
      method: n.method?.slug ?? null,
      amount: n.amount.amount,
      amountBound: n.amountBound,
      currency: n.amount.currency,
      amountKind: n.amountKind,
      date: n.date?.text ?? null,
      fiscalYearStart: n.fiscalYearStart,
      fiscalYearEnd: n.fiscalYearEnd,
      citations: n.citations.map((c: any) => ({
        source: c.source.url,
        quote: c.quote,
        confidence: c.confidence,
        ...(c.note === null ? {} : { note: c.note }),
      })),
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
      retractionAt: n.retraction?.at ?? null,
      retractionReason: n.retraction?.reason ?? null,
    };
    expect(json[i]).toEqual(expected);
    expect(Object.keys(json[i])).toEqual(Object.keys(expected));
    // CSV: the same values as text, lists and objects as JSON, null as an empty cell.
    const asCsv = Object.fromEntries(
      Object.entries(expected).map(([k, v]) => [k, v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)]),
    );
    expect(rows[i]).toEqual(asCsv);
  });
  expect(json.map((r: any) => r.amount)).toEqual([
    "643000000000",
    "252500000000",
    "158000000000",
    "96000000000",
    "20600000000",
    "11800000000",
    "9500000000",
    "8000000000",
    "280000000",
    "8000000",
  ]);
});

test("organization exports carry every name and citation, in Cyrillic, with a stable column order", async () => {
  const { header, rows, response } = await csv("/export/organizations.csv");
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("link")).toBe('<https://creativecommons.org/licenses/by/4.0/>; rel="license"');
  expect(response.headers.get("content-disposition")).toBe('attachment; filename="organizations.csv"');
  expect(header.slice(0, 6)).toEqual(["id", "slug", "kind", "nameEn", "nameRu", "nameKk"]);
  expect(header.slice(-5)).toEqual(["citations", "createdAt", "updatedAt", "retractionAt", "retractionReason"]);
  const { body } = await api.query(`{ organizations(first: 100) { totalCount edges { node { slug } } } }`);
  expect(rows.map((r) => r.slug)).toEqual(body.data.organizations.edges.map((e: any) => e.node.slug));
  expect(rows.find((r) => r.slug === "bekturov-institute")!.nameRu).toBe("Институт химических наук им. А. Б. Бектурова");
  for (const r of rows) expect(JSON.parse(r.citations).length).toBeGreaterThan(0);
});

test("every root list can be exported, in both formats, and an export of nothing is a header-only file", async () => {
  const index = await (await get("/export")).json();
  expect(Object.keys(index.exports)).toEqual([
    "organizations",
    "institutes",
    "enterprises",
    "people",
    "methods",
    "partnerships",
    "programmes",
    "fundings",
    "impacts",
    "sources",
  ]);
  for (const [name, entry] of Object.entries<any>(index.exports)) {
    const { rows, header } = await csv(entry.csv);
    expect(header).toEqual(entry.columns);
    const { body } = await api.query(`{ ${name}(first: 100) { totalCount } }`);
    expect(rows.length).toBe(body.data[name].totalCount);
    expect((await ndjson(entry.ndjson)).length).toBe(rows.length);
  }
  const empty = await get("/export/fundings.csv?year=1900");
  expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(await empty.arrayBuffer())).toBe(
    `\uFEFF${index.exports.fundings.columns.join(",")}\r\n`,
  );
  expect(await (await get("/export/fundings.ndjson?year=1900")).text()).toBe("");
});

test("unknown parameters and values are a 400 that lists what is allowed, and unknown exports a 404", async () => {
  const cases: [string, number, RegExp][] = [
    [
      "/export/fundings.csv?colour=red",
      400,
      /Unknown parameter "colour"; allowed: amount\.max, amount\.min, amountDisclosed, amountKinds, .*funder, .*year, orderBy, direction, retraction$/,
    ],
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

test("the dataset dump holds each entity as CSV and NDJSON, every row of the database, and a datapackage.json with version, licence and checksums", async () => {
  const response = await get("/export/dataset.zip");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/zip");
  expect(response.headers.get("link")).toContain("creativecommons.org/licenses/by/4.0");
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  const descriptor = JSON.parse(new TextDecoder().decode(files["datapackage.json"]));
  expect(descriptor).toMatchObject({
    version: currentRelease.version,
    licenses: [{ name: "CC-BY-4.0", path: "https://creativecommons.org/licenses/by/4.0/" }],
  });
  const entities = ["organizations", "people", "methods", "partnerships", "programmes", "fundings", "impacts", "sources"];
  expect(Object.keys(files)).toEqual([...entities.flatMap((n) => [`${n}.csv`, `${n}.ndjson`]), "datapackage.json"]);
  expect(descriptor.resources.map((r: any) => r.path)).toEqual(entities.flatMap((n) => [`${n}.csv`, `${n}.ndjson`]));
  // Each file holds the list's every record, retracted ones included, as the API counts them.
  const { body } = await api.query(`{ ${entities.map((n) => `${n}(retraction: INCLUDE) { totalCount }`).join(" ")} }`);
  const counts: Record<string, number> = Object.fromEntries(entities.map((n) => [n, body.data[n].totalCount]));
  for (const n of entities) expect(counts[n], n).toBeGreaterThan(0);
  for (const resource of descriptor.resources) {
    const bytes = files[resource.path];
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(resource.hash);
    expect(bytes.length).toBe(resource.bytes);
    const [entity, format] = resource.path.split(".");
    const text = new TextDecoder().decode(bytes);
    const columns = resource.schema.fields.map((f: any) => f.name);
    if (format === "csv") {
      const [header, ...rows] = parseCsv(text);
      expect(header).toEqual(columns);
      expect(rows.length, resource.path).toBe(counts[entity]);
    } else {
      const lines = text.trimEnd().split("\n");
      expect(Object.keys(JSON.parse(lines[0]))).toEqual(columns);
      expect(lines.length, resource.path).toBe(counts[entity]);
    }
  }
  // The same data gives the same bytes.
  const again = new Uint8Array(await (await get("/export/dataset.zip")).arrayBuffer());
  expect(createHash("sha256").update(again).digest("hex")).toBe(
    createHash("sha256")
      .update(new Uint8Array(await (await get("/export/dataset.zip")).arrayBuffer()))
      .digest("hex"),
  );
});

test("an export spends a point a row from the client's budget (at most the whole budget) and is refused with 429 when it is short", async () => {
  const { memoryStore } = await import("../src/limits/rate-limit.ts");
  const small = createApi({ rateLimitStore: memoryStore(), limits: { perMinute: 40 } });
  const remaining = (response: Response) => Number(response.headers.get("ratelimit-remaining"));
  try {
    const programmes = await small.fetch("http://localhost/export/programmes.csv");
    expect(programmes.status).toBe(200);
    await programmes.arrayBuffer();
    expect(remaining(programmes)).toBe(40 - 1 - 5);
    const partnerships = await small.fetch("http://localhost/export/partnerships.csv");
    expect(partnerships.status).toBe(200);
    await partnerships.arrayBuffer();
    expect(remaining(partnerships)).toBe(34 - 1 - 14);
    const refused = await small.fetch("http://localhost/export/organizations.csv");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).errors[0]).toMatchObject({
      message: expect.stringContaining("this export has 39 rows and costs 39 points"),
      extensions: { code: "RATE_LIMITED" },
    });
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
