// SYNTHETIC data for tests and benchmarks of the importer: invented organizations citing one
// invented source, every record labelled synthetic. Never written to seeds/data.

import { once } from "node:events";
import { createWriteStream } from "node:fs";

export const SYNTHETIC_SOURCE = "https://example.org/synthetic-benchmark-source";

export const syntheticSource = {
  url: SYNTHETIC_SOURCE,
  title: "Synthetic source for tests and benchmarks (not a real document)",
  publisher: null,
  language: "en",
  published: null,
  retrievedOn: null,
  note: "synthetic",
};

const COLUMNS = [
  "slug",
  "kind",
  "nameEn",
  "nameRu",
  "nameKk",
  "alternateNames",
  "description",
  "country",
  "city",
  "foundedYear",
  "website",
  "parent",
  "identifiers",
  "citations",
];

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One synthetic organization as a CSV row; `overrides` replace cells by column name. */
export function syntheticOrganizationRow(i: number, overrides: Record<string, string> = {}): string {
  const cells: Record<string, string> = {
    slug: `synthetic-org-${i}`,
    kind: "RESEARCH_INSTITUTE",
    nameEn: `Synthetic organization ${i}`,
    nameRu: "",
    nameKk: "",
    alternateNames: "",
    description: "Synthetic record for tests and benchmarks",
    country: "KZ",
    city: "Almaty",
    foundedYear: String(1950 + (i % 70)),
    website: "",
    parent: "",
    identifiers: "",
    citations: JSON.stringify([{ source: SYNTHETIC_SOURCE, quote: null, confidence: "LOW", note: "synthetic" }]),
    ...overrides,
  };
  return COLUMNS.map((c) => csvCell(cells[c])).join(",");
}

export const organizationHeader = COLUMNS.join(",");

/** Writes `rows` synthetic organizations as CSV, streaming, so any size fits in memory. */
export async function writeSyntheticOrganizations(
  file: string,
  rows: number,
  overrides: (i: number) => Record<string, string> = () => ({}),
) {
  const out = createWriteStream(file);
  out.write(`${organizationHeader}\n`);
  for (let i = 1; i <= rows; i++) {
    if (!out.write(`${syntheticOrganizationRow(i, overrides(i))}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
