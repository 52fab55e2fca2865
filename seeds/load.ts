// Loads the curated dataset in seeds/data through the importer: every file is validated first,
// then written in one transaction, matched by slug (sources by url) and written only when it
// differs, so running it again on the same data changes nothing. Changes are logged as "seed".
import path from "node:path";
import { fileURLToPath } from "node:url";
import { currentRelease } from "../src/dataset/metadata.ts";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { importFiles } from "../src/import/index.ts";
import { entityNames } from "../src/import/records.ts";
import { SEED_ACTOR, type WriteReport } from "../src/import/write.ts";
import { recordModels } from "../src/records/registry.ts";

const defaultDataDir = fileURLToPath(new URL("./data/", import.meta.url));

export async function loadSeed(prisma: PrismaClient, options: { dataDir?: string } = {}): Promise<WriteReport> {
  const dir = options.dataDir ?? defaultDataDir;
  const files = entityNames.map((entity) => ({ entity, path: path.join(dir, `${entity}.json`) }));
  const { _max } = await prisma.change.aggregate({ _max: { id: true } });
  const { report } = await importFiles(prisma, files, { author: { actor: SEED_ACTOR, reason: "seed dataset" } });
  await dateSeedWrites(prisma, _max.id ?? 0);
  return report;
}

/**
 * Gives what this run wrote the release's date instead of the time this install loaded it, so that
 * two installs of one release serve the same data byte for byte: the records' createdAt (when this
 * run created them) and updatedAt, and the `at` of this run's history entries.
 */
async function dateSeedWrites(prisma: PrismaClient, lastChangeBefore: number) {
  const at = new Date(`${currentRelease.releasedAt}T00:00:00Z`);
  const written = await prisma.change.findMany({
    where: { id: { gt: lastChangeBefore }, actor: SEED_ACTOR },
    select: { id: true, action: true, recordType: true, recordId: true },
  });
  if (!written.length) return;
  const ids = (type: string, created: boolean) =>
    written.filter((c) => c.recordType === type && (!created || c.action === "CREATE")).map((c) => c.recordId);
  await prisma.$transaction([
    ...recordModels.flatMap((model) => [
      // Table names are the model names of this fixed list, never input.
      prisma.$executeRawUnsafe(`UPDATE "${model}" SET "updatedAt" = $1 WHERE id = ANY($2)`, at, ids(model, false)),
      prisma.$executeRawUnsafe(`UPDATE "${model}" SET "createdAt" = $1 WHERE id = ANY($2)`, at, ids(model, true)),
    ]),
    prisma.change.updateMany({ where: { id: { in: written.map((c) => c.id) } }, data: { at } }),
  ]);
}
