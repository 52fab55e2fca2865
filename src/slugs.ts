import { prisma } from "./db.ts";
import type { Prisma } from "./generated/prisma/client.ts";

/** Models whose records have a slug, named as in SlugAlias.type. */
export type SluggedType = "Organization" | "Person" | "Method" | "Partnership" | "Programme" | "Funding" | "Impact";

type Client = Prisma.TransactionClient;

interface SlugDelegate {
  findUnique(args: { where: { slug: string } | { id: number }; select: { id: true; slug: true } }): PromiseLike<{ id: number; slug: string } | null>;
  update(args: { where: { id: number }; data: { slug: string } }): PromiseLike<unknown>;
}

const delegates: Record<SluggedType, (db: Client) => unknown> = {
  Organization: (db) => db.organization,
  Person: (db) => db.person,
  Method: (db) => db.method,
  Partnership: (db) => db.partnership,
  Programme: (db) => db.programme,
  Funding: (db) => db.funding,
  Impact: (db) => db.impact,
};
const delegate = (db: Client, type: SluggedType) => delegates[type](db) as SlugDelegate;

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
  const record = await delegate(db, type).findUnique({ where: { id }, select: { id: true, slug: true } });
  if (!record) throw new Error(`No ${type} with id ${id}`);
  if (record.slug === newSlug) return;
  await delegate(db, type).update({ where: { id }, data: { slug: newSlug } });
  await db.slugAlias.deleteMany({ where: { type, slug: newSlug } });
  await keepSlug(db, type, record.slug, id);
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

/** A seed record that may list the slugs it was published under before. */
export interface Renamable {
  slug: string;
  formerSlugs?: string[];
}

/**
 * Seed loader, before writing: a stored record still under one of its former slugs is renamed
 * (with changeSlug) so that it is updated in place rather than duplicated.
 */
export async function renameToCurrentSlugs(db: Client, records: Partial<Record<SluggedType, Renamable[]>>): Promise<void> {
  for (const [type, list] of Object.entries(records) as [SluggedType, Renamable[]][]) {
    for (const { slug, formerSlugs = [] } of list) {
      if (!formerSlugs.length || (await delegate(db, type).findUnique({ where: { slug }, select: { id: true, slug: true } }))) continue;
      for (const former of formerSlugs) {
        const old = await delegate(db, type).findUnique({ where: { slug: former }, select: { id: true, slug: true } });
        if (old) {
          await changeSlug(db, type, old.id, slug);
          break;
        }
      }
    }
  }
}

/** Seed loader, after writing: every former slug of a record answers for it. */
export async function keepFormerSlugs(db: Client, records: Partial<Record<SluggedType, Renamable[]>>): Promise<void> {
  for (const [type, list] of Object.entries(records) as [SluggedType, Renamable[]][]) {
    for (const { slug, formerSlugs = [] } of list) {
      if (!formerSlugs.length) continue;
      const record = await delegate(db, type).findUnique({ where: { slug }, select: { id: true, slug: true } });
      for (const former of formerSlugs) await keepSlug(db, type, former, record!.id);
    }
  }
}
