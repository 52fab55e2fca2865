import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const LICENSE = {
  name: "CC BY 4.0",
  title: "Creative Commons Attribution 4.0 International",
  url: "https://creativecommons.org/licenses/by/4.0/",
} as const;

export const TITLE = "Kazakhstan science–industry graph";

const seedsDir = fileURLToPath(new URL("../../seeds/", import.meta.url));
const dataDir = join(seedsDir, "data");

const changelogFile = z
  .array(
    z.strictObject({
      version: z.string().regex(/^\d+\.\d+\.\d+$/, "expected a version such as 1.0.0"),
      releasedAt: z.iso.date(),
      checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      changes: z.array(z.string().min(1)).min(1),
    }),
  )
  .min(1);

export type Release = z.infer<typeof changelogFile>[number];

/**
 * SHA-256 of the seed data files (name and bytes, in name order): the fingerprint that ties a
 * changelog entry to the exact data it describes.
 */
export function dataChecksum(dir = dataDir): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    hash.update(`${name}\n`);
    hash.update(readFileSync(join(dir, name)));
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Releases of the dataset, newest first, as recorded in seeds/changelog.json. */
export const changelog: Release[] = changelogFile
  .parse(JSON.parse(readFileSync(join(seedsDir, "changelog.json"), "utf8")))
  .sort((a, b) => b.releasedAt.localeCompare(a.releasedAt) || b.version.localeCompare(a.version, undefined, { numeric: true }));

export const currentRelease = changelog[0];

export function citationText(release: Release = currentRelease): string {
  return `${TITLE} (version ${release.version}, released ${release.releasedAt}). Open dataset, licensed ${LICENSE.name} (${LICENSE.url}).`;
}

export function bibtex(release: Release = currentRelease): string {
  const year = release.releasedAt.slice(0, 4);
  return [
    `@misc{kz_science_industry_graph_${release.version.replaceAll(".", "_")},`,
    `  title = {{${TITLE}}},`,
    `  year = {${year}},`,
    `  version = {${release.version}},`,
    `  date = {${release.releasedAt}},`,
    `  note = {Open dataset of science--industry collaboration in Kazakhstan's mining and metallurgy},`,
    `  license = {${LICENSE.name}, ${LICENSE.url}}`,
    `}`,
  ].join("\n");
}
