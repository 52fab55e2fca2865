import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error: the datapackage package ships no type declarations
import dp from "datapackage";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApi } from "../src/yoga.ts";
import { startTestApi } from "./helpers.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every export (each list in both formats) and the dump of a freshly seeded database, as bytes. */
async function freshInstall(): Promise<Map<string, Uint8Array>> {
  const api = await startTestApi();
  const yoga = createApi();
  try {
    const index = await (await yoga.fetch("http://localhost/export")).json();
    const paths = [...Object.values<any>(index.exports).flatMap((e) => [e.csv, e.ndjson]), index.dataset];
    const files = new Map<string, Uint8Array>();
    for (const path of paths) {
      const response = await yoga.fetch(`http://localhost${path}`);
      expect(response.status, path).toBe(200);
      files.set(path, new Uint8Array(await response.arrayBuffer()));
    }
    return files;
  } finally {
    await yoga.dispose();
    await api.close();
  }
}

let first: Map<string, Uint8Array>;
let dir: string;
beforeAll(async () => {
  first = await freshInstall();
  dir = await mkdtemp(join(tmpdir(), "dump-"));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("two fresh installs of the same release serve byte-identical exports and dataset.zip", async () => {
  const second = await freshInstall();
  expect([...second.keys()]).toEqual([...first.keys()]);
  expect(first.size).toBe(21);
  for (const [path, bytes] of first) expect(sha256(second.get(path)!), path).toBe(sha256(bytes));
}, 120_000);

test("datapackage.json is a valid Data Package whose CSV files load by their Table Schemas", async () => {
  const files = unzipSync(first.get("/export/dataset.zip")!);
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  const descriptor = JSON.parse(new TextDecoder().decode(files["datapackage.json"]));

  // The validator of the Frictionless Data project, with the published Data Package, Data Resource,
  // Tabular Data Resource and Table Schema profiles it ships.
  const pkg = await dp.Package.load(descriptor, { basePath: dir });
  expect(pkg.errors.map(String)).toEqual([]);
  expect(pkg.valid).toBe(true);
  expect(pkg.resources.length).toBe(16);
  for (const resource of pkg.resources) {
    expect(resource.errors.map(String), resource.name).toEqual([]);
    expect(resource.valid, resource.name).toBe(true);
    expect(resource.tabular).toBe(resource.descriptor.format === "csv");
    if (!resource.tabular) continue;
    // Every cell is read and cast by its field's type and constraints (a bad cell throws).
    const rows = await resource.read({ keyed: true });
    const ndjson = new TextDecoder().decode(files[resource.descriptor.path.replace(".csv", ".ndjson")]);
    expect(rows.length, resource.name).toBe(ndjson.trimEnd().split("\n").length);
    expect(rows.every((r: any) => typeof r.id === "string" && r.createdAt instanceof Date)).toBe(true);
  }
  // The data dictionary: every column has a type and a description.
  for (const resource of descriptor.resources)
    for (const field of resource.schema.fields) expect(field.description, `${resource.name}.${field.name}`).toMatch(/\S/);
  const funding = descriptor.resources.find((r: any) => r.name === "fundings").schema.fields;
  expect(funding.find((f: any) => f.name === "amount")).toMatchObject({ type: "number" });
  expect(funding.find((f: any) => f.name === "citations")).toMatchObject({ type: "array" });
  expect(funding.find((f: any) => f.name === "amountKind").constraints.enum).toContain("BUDGET");
});
