// Loads the curated dataset in seeds/data through the importer: every file is validated first,
// then written in one transaction, matched by slug (sources by url) and written only when it
// differs, so running it again on the same data changes nothing. Changes are logged as "seed".
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { importFiles } from "../src/import/index.ts";
import { entityNames } from "../src/import/records.ts";
import { SEED_ACTOR, type WriteReport } from "../src/import/write.ts";

const defaultDataDir = fileURLToPath(new URL("./data/", import.meta.url));

export async function loadSeed(prisma: PrismaClient, options: { dataDir?: string } = {}): Promise<WriteReport> {
  const dir = options.dataDir ?? defaultDataDir;
  const files = entityNames.map((entity) => ({ entity, path: path.join(dir, `${entity}.json`) }));
  const { report } = await importFiles(prisma, files, { author: { actor: SEED_ACTOR, reason: "seed dataset" } });
  return report;
}
