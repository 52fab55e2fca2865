import { unzipSync } from "fflate";
import { GraphQLEnumType, getNamedType } from "graphql";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { exportParameters, exportVariables, PAGING } from "../src/export/params.ts";
import { variableDefinition } from "../src/export/routes.ts";
import { tables } from "../src/export/tables.ts";
import { schema } from "../src/schema/index.ts";
import { createApi } from "../src/yoga.ts";
import { parseCsv } from "./csv.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let retractedAt: string;
const yoga = createApi();
const SLUG = "kazchrome-flotation-unit-investment";
const REASON = "Retracted in a test: the investor is not named by the source";

beforeAll(async () => {
  api = await startTestApi();
  const key = await createApiKey(api.db.prisma, "retraction-test", "WRITE");
  const { body } = await api.query(
    `mutation ($input: FundingRetractInput!) { fundingRetract(input: $input) { funding { retraction { at } } userErrors { message } } }`,
    { input: { slug: SLUG, reason: REASON } },
    { authorization: `Bearer ${key}` },
  );
  expect(body.data.fundingRetract.userErrors).toEqual([]);
  retractedAt = body.data.fundingRetract.funding.retraction.at;
});
afterAll(() => api?.close());

const get = (path: string) => yoga.fetch(`http://localhost${path}`);
const ndjson = async (path: string) =>
  (await (await get(path)).text())
    .trimEnd()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** The export parameter that filters on retraction (a list argument or filter field named so), and the values it takes. */
function retractionParameter(): { name: string; values: string[] } | undefined {
  const found = [...exportParameters(schema, "fundings")].find(([name]) => /retract/i.test(name));
  if (!found) return undefined;
  const type = getNamedType(found[1].type);
  return { name: found[0], values: type instanceof GraphQLEnumType ? type.getValues().map((v) => v.name) : ["true", "false"] };
}

/** Global IDs of a list as the API answers it for the variables an export's query string gives. */
async function apiIds(field: string, search: string): Promise<string[]> {
  const args = schema
    .getQueryType()!
    .getFields()
    [field].args.filter((a) => !PAGING.includes(a.name));
  const query = `query (${args.map(variableDefinition).join(", ")}) {
    list: ${field}(first: 100, ${args.map((a) => `${a.name}: $${a.name}`).join(", ")}) { edges { node { id } } }
  }`;
  const { body } = await api.query(query, exportVariables(new URLSearchParams(search), exportParameters(schema, field)));
  expect(body.errors).toBeUndefined();
  return body.data.list.edges.map((e: any) => e.node.id);
}

/** A query string that includes retracted records, when exports can filter on retraction. */
function includingRetracted(): string {
  const param = retractionParameter();
  if (!param) return "";
  const value = param.values.find((v) => v === "true" || v === "ONLY" || v === "INCLUDE") ?? param.values[0];
  return `?${param.name}=${value}`;
}

test("exports carry each record's retraction date and reason as columns, empty for a record in good standing", async () => {
  const query = includingRetracted();
  const row = (await ndjson(`/export/fundings.ndjson${query}`)).find((r) => r.slug === SLUG);
  expect(row).toMatchObject({ retractionAt: retractedAt, retractionReason: REASON });
  const [header, ...rows] = parseCsv(new TextDecoder().decode(await (await get(`/export/fundings.csv${query}`)).arrayBuffer()));
  const cells = rows.find((c) => c[header.indexOf("slug")] === SLUG)!;
  expect(Object.fromEntries(header.map((h, i) => [h, cells[i]]))).toMatchObject({ retractionAt: retractedAt, retractionReason: REASON });
  const good = (await ndjson("/export/fundings.ndjson")).filter((r) => r.slug !== SLUG);
  expect(good.length).toBeGreaterThan(0);
  for (const r of good) expect(r).toMatchObject({ retractionAt: null, retractionReason: null });
});

test("every export filters on retraction as its API list does, by default and for each value", async () => {
  // An export takes every list argument as a parameter, the lists' retraction argument among them.
  const param = retractionParameter()!;
  expect(param).toEqual({ name: "retraction", values: ["EXCLUDE", "INCLUDE", "ONLY"] });
  for (const [name, table] of Object.entries(tables)) {
    for (const search of ["", ...param.values.map((v) => `?${param.name}=${v}`)]) {
      const exported = (await ndjson(`/export/${name}.ndjson${search}`)).map((r) => r.id);
      expect(exported, `${name}${search}`).toEqual(await apiIds(table.field, search));
    }
  }
  const retracted = (await ndjson(`/export/fundings.ndjson${includingRetracted()}`)).map((r) => r.slug);
  expect(retracted).toContain(SLUG);
});

test("the dataset dump holds every record, the retracted ones with their retraction", async () => {
  const files = unzipSync(new Uint8Array(await (await get("/export/dataset.zip")).arrayBuffer()));
  const rows = new TextDecoder()
    .decode(files["fundings.ndjson"])
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(rows.find((r) => r.slug === SLUG)).toMatchObject({ retractionAt: retractedAt, retractionReason: REASON });
  expect(rows).toHaveLength(await api.db.prisma.funding.count());
});
