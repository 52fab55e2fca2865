import { prisma } from "./db.ts";
import type { Prisma } from "./generated/prisma/client.ts";
import { recordTypeOf, type SluggedModel } from "./records/registry.ts";

/** Models whose records have a slug, named as in SlugAlias.type. */
export type SluggedType = SluggedModel;

type Client = Prisma.TransactionClient;

const recordType = (type: SluggedType) => recordTypeOf(type)!;

/** Records that the slug `slug` once named record `recordId`, so that addresses using it keep answering. */
export async function keepSlug(db: Client, type: SluggedType, slug: string, recordId: number): Promise<void> {
  await db.slugAlias.upsert({
    where: { type_slug: { type, slug } },
    create: { type, slug, recordId },
    update: { recordId },
  });
}

/**
 * Gives a record a new slug and keeps its old one answering. Every writer that changes a slug
 * (the seed loader, mutations) calls this, inside its transaction.
 */
export async function changeSlug(db: Client, type: SluggedType, id: number, newSlug: string): Promise<void> {
  const record = await recordType(type).find(db, { id });
  if (!record) throw new Error(`No ${type} with id ${id}`);
  if (record.key === newSlug) return;
  await recordType(type).rekey(db, id, newSlug);
  await db.slugAlias.deleteMany({ where: { type, slug: newSlug } });
  await keepSlug(db, type, record.key, id);
}

/**
 * Finds a record by its slug or, when no record has that slug now, by a slug it had before.
 * `find` receives the where clause to use, so callers keep their own query and selection.
 */
export async function findBySlug<T>(
  type: SluggedType,
  slug: string,
  find: (where: { slug: string } | { id: number }) => Promise<T | null>,
): Promise<T | null> {
  const current = await find({ slug });
  if (current) return current;
  const alias = await prisma().slugAlias.findUnique({ where: { type_slug: { type, slug } }, select: { recordId: true } });
  return alias ? find({ id: alias.recordId }) : null;
}

/** A record that may list the slugs it was published under before. */
export interface Renamable {
  slug: string;
  formerSlugs: string[];
}

/**
 * Before writing: a stored record still under one of its former slugs is renamed (with changeSlug)
 * so that it is updated in place rather than duplicated.
 */
export async function renameToCurrentSlug(db: Client, type: SluggedType, { slug, formerSlugs }: Renamable): Promise<void> {
  if (!formerSlugs.length || (await recordType(type).find(db, { key: slug }))) return;
  for (const former of formerSlugs) {
    const old = await recordType(type).find(db, { key: former });
    if (old) {
      await changeSlug(db, type, old.id, slug);
      return;
    }
  }
}

/** After writing: every former slug of a record answers for it. */
export async function keepFormerSlugs(db: Client, type: SluggedType, { slug, formerSlugs }: Renamable): Promise<void> {
  if (!formerSlugs.length) return;
  const record = await recordType(type).find(db, { key: slug });
  for (const former of formerSlugs) await keepSlug(db, type, former, record!.id);
}
