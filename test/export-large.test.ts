import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApi } from "../src/yoga.ts";
import { parseCsv } from "./csv.ts";
import { startTestApi, type TestApi } from "./helpers.ts";
import { createSyntheticFundings } from "./synthetic.ts";

const COUNT = 10_000;
let api: TestApi;
let server: Server;
let base: string;

beforeAll(async () => {
  api = await startTestApi({ seed: false });
  await createSyntheticFundings(api.db.prisma, COUNT);
  server = createServer(createApi());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 300_000);
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await api?.close();
});

test("a 10,000-row synthetic CSV export over HTTP is complete, in order, exact and safe for spreadsheets", async () => {
  const response = await fetch(`${base}/export/fundings.csv`);
  expect(response.status).toBe(200);
  const [header, ...rows] = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
  expect(rows.length).toBe(COUNT);
  const col = (name: string) => header.indexOf(name);
  // Every row's differences from what it must be, gathered: an expect a cell would take most of the test's time.
  const wrong = rows.flatMap((row, i) => {
    const n = i + 1;
    const quotes = JSON.parse(row[col("citations")]).map((c: any) => c.quote);
    const problems = [
      row.length !== header.length && `${row.length} cells`,
      row[col("slug")] !== `synthetic-funding-${n}` && `slug ${row[col("slug")]}`,
      row[col("amount")] !== (n % 7 === 0 ? "" : `${n}.5`) && `amount ${row[col("amount")]}`, // as the API writes the decimal
      JSON.stringify(quotes) !== JSON.stringify([`Synthetic quote for synthetic-funding-${n}`]) && `quotes ${quotes}`,
      !row[col("description")].endsWith(` ${n}, "quoted", with a comma`) && `description ${row[col("description")]}`,
      // No cell starts like a formula: such text is prefixed with an apostrophe.
      ...row.map((cell) => /^[=+\-@]/.test(cell) && `formula ${cell}`),
    ];
    return problems.filter(Boolean).map((problem) => `row ${n}: ${problem}`);
  });
  expect(wrong.slice(0, 10)).toEqual([]);
  expect(rows[0][col("description")]).toBe(`'=SUM(A1:A2) synthetic 1, "quoted", with a comma`);
  expect(rows[4][col("description")]).toBe(`Синтетическая запись 5, "quoted", with a comma`);
}, 120_000);

test("the NDJSON export of the same filter holds the same records as the API counts", async () => {
  const response = await fetch(`${base}/export/fundings.ndjson?amountDisclosed=false`);
  const lines = (await response.text())
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  const { body } = await api.query(`{ fundings(filter: { amountDisclosed: false }) { totalCount } }`);
  expect(lines.length).toBe(body.data.fundings.totalCount);
  expect(lines.length).toBe(Math.floor(COUNT / 7));
  expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
  expect(lines.every((l) => l.amount === null && l.currency === null)).toBe(true);
}, 120_000);
