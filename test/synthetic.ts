import type { PrismaClient } from "../src/generated/prisma/client.ts";

/**
 * Writes `count` SYNTHETIC funding records (slugs synthetic-funding-N, descriptions saying so),
 * each with one citation of a synthetic source, for export tests and benchmarks. Amounts are
 * N.50 KZT; every 7th record has an undisclosed amount; some descriptions start like
 * spreadsheet formulas, and some are in Cyrillic.
 */
export async function createSyntheticFundings(prisma: PrismaClient, count: number, from = 0): Promise<void> {
  const source = await prisma.source.upsert({
    where: { url: "https://example.org/synthetic-source" },
    create: { url: "https://example.org/synthetic-source", title: "Synthetic source (test data)", language: "en" },
    update: {},
  });
  const starts = ["Synthetic record", "=SUM(A1:A2) synthetic", "+7 synthetic", "-synthetic", "@synthetic", "Синтетическая запись"];
  for (let offset = from; offset < from + count; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, from + count - offset) }, (_, k) => offset + k + 1);
    await prisma.funding.createMany({
      data: batch.map((n) => ({
        slug: `synthetic-funding-${n}`,
        description: `${starts[n % starts.length]} ${n}, "quoted", with a comma`,
        amount: n % 7 === 0 ? null : `${n}.50`,
        amountBound: n % 7 === 0 ? null : ("EXACT" as const),
        currency: n % 7 === 0 ? null : "KZT",
        amountKind: "AWARDED" as const,
      })),
    });
    const ids = await prisma.funding.findMany({
      where: { slug: { in: batch.map((n) => `synthetic-funding-${n}`) } },
      select: { id: true, slug: true },
    });
    await prisma.citation.createMany({
      data: ids.map((f) => ({ fundingId: f.id, sourceId: source.id, quote: `Synthetic quote for ${f.slug}` })),
    });
  }
}
