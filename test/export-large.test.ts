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
  rows.forEach((row, i) => {
    const n = i + 1;
    expect(row.length).toBe(header.length);
    expect(row[col("slug")]).toBe(`synthetic-funding-${n}`);
    expect(row[col("amount")]).toBe(n % 7 === 0 ? "" : `${n}.5`); // as the API writes the decimal
    expect(JSON.parse(row[col("citations")]).map((c: any) => c.quote)).toEqual([`Synthetic quote for synthetic-funding-${n}`]);
    const description = row[col("description")];
    expect(description).toMatch(new RegExp(` ${n}, "quoted", with a comma$`));
    // No cell starts like a formula: such text is prefixed with an apostrophe.
    for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
  });
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
