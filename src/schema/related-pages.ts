import type { ObjectRef } from "@pothos/core";
import DataLoader from "dataloader";
import { pageSize, type Types } from "../builder.ts";
import { prisma } from "../db.ts";
import type PrismaTypes from "../generated/pothos-types.ts";

/**
 * Where the link from a parent to its children is stored: the child's own table for a foreign
 * key (`Funding.funderId` -> `Funding.id`), or an implicit many-to-many table (`_MethodDevelopers`).
 */
interface Link {
  table: string;
  parent: string;
  child: string;
}

/** The paging part of the query Pothos builds for a cursor connection, plus the node selection. */
interface PageQuery {
  take: number;
  skip: number;
  cursor?: { id: number };
  [selection: string]: unknown;
}

const loaders = new WeakMap<object, Map<string, DataLoader<number, any>>>();

/** One DataLoader per request and key, so sibling parents share one batch of SQL. */
function loader<V>(ctx: object, key: string, batch: (parents: readonly number[]) => Promise<V[]>): DataLoader<number, V> {
  let perRequest = loaders.get(ctx);
  if (!perRequest) loaders.set(ctx, (perRequest = new Map()));
  let found = perRequest.get(key);
  if (!found) perRequest.set(key, (found = new DataLoader(batch)));
  return found;
}

/**
 * A page of children for every parent in two statements whatever the page size: the ids, with a
 * LIMIT per parent in a LATERAL join (so PostgreSQL reads one page per parent, not every child),
 * then the records with the selection Pothos asks for. Prisma's own nested `take` would fetch
 * every child of every parent and cut the pages in memory.
 */
async function loadPages(model: keyof PrismaTypes & string, link: Link, query: PageQuery, parents: readonly number[]) {
  const { take, skip, cursor, ...selection } = query;
  const backward = take < 0;
  const params: unknown[] = [parents, Math.abs(take)];
  let from = "";
  if (cursor) {
    params.push(cursor.id);
    from = ` AND l."${link.child}" ${backward ? "<" : ">"}${skip ? "" : "="} $3`;
  }
  // Ids and records from the same database, so a lagging replica cannot give ids without records.
  const db = prisma().$replica();
  const rows = await db.$queryRawUnsafe<{ parent: number; id: number }[]>(
    `SELECT p.parent, c.id FROM unnest($1::int[]) AS p(parent) CROSS JOIN LATERAL (
       SELECT l."${link.child}" AS id FROM "${link.table}" l WHERE l."${link.parent}" = p.parent${from}
       ORDER BY l."${link.child}" ${backward ? "DESC" : "ASC"} LIMIT $2) c`,
    ...params,
  );
  const delegate = (db as unknown as Record<string, { findMany(args: object): Promise<{ id: number }[]> }>)[
    model[0].toLowerCase() + model.slice(1)
  ];
  const records = rows.length > 0 ? await delegate.findMany({ ...selection, where: { id: { in: [...new Set(rows.map((r) => r.id))] } } }) : [];
  const byId = new Map(records.map((r) => [r.id, r]));
  const pages = new Map(parents.map((parent) => [parent, [] as unknown[]]));
  for (const row of rows) pages.get(row.parent)!.push(byId.get(row.id));
  // Pothos expects a backward page in ascending order, as Prisma returns it.
  return parents.map((parent) => (backward ? pages.get(parent)!.reverse() : pages.get(parent)!));
}

async function countChildren(link: Link, parents: readonly number[]) {
  const rows = await prisma().$replica().$queryRawUnsafe<{ parent: number; n: number }[]>(
    `SELECT l."${link.parent}" AS parent, count(*)::int AS n FROM "${link.table}" l WHERE l."${link.parent}" = ANY($1::int[]) GROUP BY 1`,
    parents,
  );
  const counts = new Map(rows.map((r) => [r.parent, r.n]));
  return parents.map((parent) => counts.get(parent) ?? 0);
}

/**
 * A connection field from a record to its children in `id` order, with `totalCount`, paged by
 * cursor both ways; loads pages per parent in SQL (see loadPages) instead of t.relatedConnection.
 */
export function relatedPages(
  t: object,
  options: { type: keyof PrismaTypes & string; link: Link; description: string; connection: ObjectRef<Types, any> },
) {
  const { type, link, description, connection } = options;
  const key = `${link.table}.${link.parent}`;
  // Pothos cannot infer a prismaConnection over a model chosen by a parameter (as in rootList).
  const builder = t as { prismaConnection(options: object, connection: ObjectRef<Types, any>): never };
  return builder.prismaConnection(
    {
      type,
      cursor: "id",
      ...pageSize,
      description,
      // Called while the parent's query is built, so bad page arguments are refused even when
      // there are no parents to resolve the field for.
      select: (args: { first?: number | null; last?: number | null }) => {
        pageSize.maxSize(args);
        return { id: true };
      },
      totalCount: (parent: { id: number }, args: unknown, ctx: object) =>
        loader(ctx, `count ${key}`, (parents) => countChildren(link, parents)).load(parent.id),
      resolve: (query: PageQuery, parent: { id: number }, args: unknown, ctx: object) =>
        loader(ctx, `${key} ${JSON.stringify(query)}`, (parents) => loadPages(type, link, query, parents)).load(parent.id),
    },
    connection,
  );
}
