// Writes docs/import-samples/: one CSV file per entity holding the first record of the real dataset
// in seeds/data (no invented data), and a manifest.json that imports them all as one bundle.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { entityNames, recordFields } from "../src/import/records.ts";

const out = new URL("../docs/import-samples/", import.meta.url);
mkdirSync(out, { recursive: true });

const cell = (value: unknown) => {
  const text = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

for (const entity of entityNames) {
  const [record] = JSON.parse(readFileSync(new URL(`../seeds/data/${entity}.json`, import.meta.url), "utf8"));
  const columns = recordFields(entity);
  writeFileSync(new URL(`${entity}.csv`, out), `${columns.join(",")}\n${columns.map((c) => cell(record[c])).join(",")}\n`);
}
const manifest = { files: entityNames.map((entity) => ({ entity, path: `${entity}.csv` })) };
writeFileSync(new URL("manifest.json", out), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${entityNames.length} sample files and manifest.json to docs/import-samples/`);
