import type { ArgBuilder, ObjectRef } from "@pothos/core";
import DataLoader from "dataloader";
import { type Context, pageSize, type Types } from "../builder.ts";
import type { CompiledReads, PageRow, PageQuery as PagingQuery } from "../compiled/declarations.ts";
import { prisma, selectRows } from "../db.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { type RetractionValue, retractionArg, retractionSql } from "./common/retraction.ts";

/**
 * Where the link from a parent to its children is stored: the child's own table for a foreign
 * key (`Funding.funderId` -> `Funding.id`), or a table of pairs (`_MethodDevelopers`, or
 * `Participant`, whose `role` describes the edge: listed in `edge`, see linkValue).
 */
interface Link {
  table: string;
  parent: string;
  child: string;
  edge?: string[];
}

/** The paging part of the query Pothos builds for a cursor connection, plus the node selection. */
interface PageQuery extends PagingQuery {
  include?: Record<string, unknown>;
  select?: Record<string, unknown>;
}

/** Prefix of the columns a page's rows carry beside the record's own: the parent, the edge's. */
const LINK = "link:";

/** A column of the link row a child was reached through (one listed in the link's `edge`). */
export function linkValue<T>(record: unknown, column: string): T {
  return (record as Record<string, T>)[LINK + column];
}

/** One DataLoader per request and key, so sibling parents share one batch of SQL. */
function loader<V>(ctx: Context, key: string, batch: (parents: readonly number[]) => Promise<V[]>): DataLoader<number, V> {
  let found = ctx.loaders.get(key);
  if (!found) ctx.loaders.set(key, (found = new DataLoader(batch)));
  return found;
}

type Row = PageRow;

/**
 * The SQL of one page of children of `parent` (an SQL expression), `columns` of them (every column
 * when omitted), with each row's `rank` in the page when asked; `param` adds a parameter and returns its placeholder.
 */
function pageSql(
  model: string,
  link: Link,
  retraction: Retraction,
  query: PageQuery,
  parent: string,
  param: (value: unknown) => string,
  columns?: string[],
  rank = false,
): string {
  const { take, skip, cursor } = query;
  const backward = take < 0;
  const from = cursor ? ` AND l."${link.child}" ${backward ? "<" : ">"}${skip ? "" : "="} ${param(cursor.id)}` : "";
  // A foreign key in the child's own table needs no join.
  const direct = link.table === model && link.child === "id";
  const edge = (link.edge ?? []).map((column) => `, l."${column}" AS "${LINK}${column}"`).join("");
  const alias = direct ? "l" : "r";
  const record = columns ? ["id", ...columns.filter((c) => c !== "id")].map((c) => `${alias}."${c}"`).join(", ") : `${alias}.*`;
  const order = `l."${link.child}" ${backward ? "DESC" : "ASC"}`;
  const ranked = rank ? `, row_number() OVER (ORDER BY ${order}) AS "${LINK}rank"` : "";
  const limit = `ORDER BY ${order} LIMIT ${param(Math.abs(take))}`;
  if (direct)
    return `SELECT ${record}${ranked} FROM "${link.table}" l WHERE l."${link.parent}" = ${parent}${from} AND ${retraction("l")} ${limit}`;
  // The parent's links in order first, then their records one by one until the page is full: joined first,
  // every link's record is read (a thousand methods of an institute) and sorted to keep twenty. OFFSET 0
  // keeps PostgreSQL from merging the two steps back.
  return `SELECT ${record}${edge}${ranked} FROM (SELECT * FROM "${link.table}" l WHERE l."${link.parent}" = ${parent}${from} ORDER BY ${order} OFFSET 0) l
       JOIN "${model}" r ON r.id = l."${link.child}" WHERE ${retraction("r")} ${limit}`;
}

/** Adds parameters to `params` and returns their placeholders. */
const parameters = (params: unknown[]) => (value: unknown) => `$${params.push(value)}`;

/**
 * A page of children for every parent in one statement whatever the page size: the records, with
 * a LIMIT per parent in a LATERAL join (so PostgreSQL reads one page per parent, not every child).
 * Raw rows of a table are what Prisma's findMany returns for its scalar fields; relations the
 * selection asks for (`participants`, `citations`...) come from one findMany more. Prisma's own
 * nested `take` would fetch every child of every parent and cut the pages in memory.
 */
async function loadPages(
  model: keyof PrismaTypes & string,
  link: Link,
  retraction: Retraction,
  query: PageQuery,
  parents: readonly number[],
) {
  const backward = query.take < 0;
  const params: unknown[] = [parents];
  const page = pageSql(model, link, retraction, query, "p.parent", parameters(params));
  // Records and their relations from the same database, so a lagging replica cannot mix versions.
  const db = prisma().$replica();
  const rows = await db.$queryRawUnsafe<Row[]>(
    `SELECT c.*, p.parent AS "${LINK}parent" FROM unnest($1::int[]) AS p(parent) CROSS JOIN LATERAL (${page}) c`,
    ...params,
  );
  // What the selection asks for beyond the table's columns: relations and relation counts.
  const relations = rows.length > 0 ? Object.entries(query.include ?? query.select ?? {}).filter(([field]) => !(field in rows[0])) : [];
  if (relations.length > 0) {
    const delegate = (db as unknown as Record<string, { findMany(args: object): Promise<Row[]> }>)[model[0].toLowerCase() + model.slice(1)];
    const related = await delegate.findMany({
      select: { id: true, ...Object.fromEntries(relations) },
      where: { id: { in: [...new Set(rows.map((r) => r.id))] } },
    });
    const byId = new Map(related.map((r) => [r.id, r]));
    for (const row of rows) Object.assign(row, byId.get(row.id));
  }
  const pages = new Map(parents.map((parent) => [parent, [] as Row[]]));
  for (const row of rows) pages.get(row[`${LINK}parent`] as number)!.push(row);
  // Pothos expects a backward page in ascending order, as Prisma returns it.
  return parents.map((parent) => (backward ? pages.get(parent)!.reverse() : pages.get(parent)!));
}

/** One level of nested pages read by loadPageChain: its page for a parent, its columns, its direction. */
export interface ChainLevel {
  sql(parent: string, param: (value: unknown) => string, rank: boolean): string;
  columns: string[];
  backward: boolean;
  /** Rows the page reads: one more than it shows when there is a next (or previous) page to tell of. */
  limit: number;
}

/**
 * Pages of nested levels in one statement: a page of the first level for every parent, a page of the
 * second for every record of the first, and so on (LATERAL joins with a LIMIT per parent at each level,
 * as loadPages does for one level). Returns each level's pages by parent id, in ascending order.
 */
export async function loadPageChain(levels: ChainLevel[], parents: readonly number[]): Promise<Map<number, Row[]>[]> {
  const params: unknown[] = [parents];
  const param = parameters(params);
  const select = levels.flatMap((level, i) =>
    ["id", ...level.columns.filter((c) => c !== "id")].map((c) => `c${i + 1}."${c}" AS "${i + 1}.${c}"`),
  );
  // The row a page reads beyond what it shows (to tell whether more follow) gets no page below it.
  const joins = levels.map((level, i) => {
    const rank = i < levels.length - 1;
    return i === 0
      ? `CROSS JOIN LATERAL (${level.sql("p.parent", param, rank)}) c1`
      : `LEFT JOIN LATERAL (${level.sql(`(CASE WHEN c${i}."${LINK}rank" < ${param(levels[i - 1].limit)} THEN c${i}.id END)`, param, rank)}) c${i + 1} ON true`;
  });
  const order = levels.map((level, i) => `c${i + 1}.id ${level.backward ? "DESC" : "ASC"}`);
  const { columns, rows } = await selectRows(
    `SELECT p.parent AS "0.id", ${select.join(", ")} FROM unnest($1::int[]) WITH ORDINALITY AS p(parent, n) ${joins.join(" ")} ORDER BY p.n, ${order.join(", ")}`,
    params,
  );
  const pages = levels.map(() => new Map<number, Row[]>());
  const at = (name: string) => columns.indexOf(name);
  const keys = levels.map((level, i) => ({ id: at(`${i + 1}.id`), columns: level.columns.map((c) => [c, at(`${i + 1}.${c}`)] as const) }));
  // A record reached along several paths (a method of two institutes) has one page below it: the first path's,
  // told by the record object of the level above (one per path).
  const owners = levels.map(() => new Map<number, Row>());
  for (const row of rows) {
    let above: Row | undefined;
    for (let i = 0; i < levels.length; i++) {
      const id = row[keys[i].id] as number | null;
      if (id === null) break;
      const parent = above ? above.id : (row[0] as number);
      if (above) {
        const owner = owners[i].get(parent);
        if (owner === undefined) owners[i].set(parent, above);
        else if (owner !== above) break;
      }
      let page = pages[i].get(parent);
      if (!page) pages[i].set(parent, (page = []));
      // Rows repeat a record once for each of its children below.
      let record = page.at(-1);
      if (record?.id !== id) {
        record = { id };
        for (const [column, index] of keys[i].columns) record[column] = row[index];
        page.push(record);
      }
      above = record;
    }
  }
  levels.forEach((level, i) => {
    if (level.backward) for (const page of pages[i].values()) page.reverse();
  });
  return pages;
}

async function countChildren(model: string, link: Link, retraction: Retraction, parents: readonly number[]) {
  const direct = link.table === model && link.child === "id";
  const rows = await prisma()
    .$replica()
    .$queryRawUnsafe<{ parent: number; n: number }[]>(
      `SELECT l."${link.parent}" AS parent, count(*)::int AS n FROM "${link.table}" l${direct ? "" : ` JOIN "${model}" r ON r.id = l."${link.child}"`}
     WHERE l."${link.parent}" = ANY($1::int[]) AND ${retraction(direct ? "l" : "r")} GROUP BY 1`,
      parents,
    );
  const counts = new Map(rows.map((r) => [r.parent, r.n]));
  return parents.map((parent) => counts.get(parent) ?? 0);
}

/** SQL condition on the children's table alias; records without a retraction have none. */
type Retraction = (alias: string) => string;

/**
 * A connection field from a record to its children in `id` order, with `totalCount`, paged by
 * cursor both ways; loads pages per parent in SQL (see loadPages) instead of t.relatedConnection.
 * Children that can be retracted get the `retraction` argument of every list.
 */
export function relatedPages(
  t: object,
  options: { type: keyof PrismaTypes & string; link: Link; description: string; connection: ObjectRef<Types, any>; retractable?: false },
) {
  const { type, link, description, connection } = options;
  const key = `${link.table}.${link.parent}`;
  // Pothos cannot infer a prismaConnection over a model chosen by a parameter (as in rootList).
  const builder = t as { arg: ArgBuilder<Types>; prismaConnection(options: object, connection: ObjectRef<Types, any>): never };
  type Args = { first?: number | null; last?: number | null; retraction?: RetractionValue | null };
  const retraction = (args: Args): Retraction =>
    options.retractable === false ? () => "true" : (alias) => retractionSql(args.retraction, alias);
  const compiledReads = {
    pages: {
      model: type,
      level: (query: PageQuery, args: Args, columns: string[]): ChainLevel => ({
        sql: (parent, param, rank) => pageSql(type, link, retraction(args), query, parent, param, columns, rank),
        columns,
        backward: query.take < 0,
        limit: Math.abs(query.take),
      }),
      count: (parents: readonly number[], args: Args) => countChildren(type, link, retraction(args), parents),
    },
  } satisfies CompiledReads;
  return builder.prismaConnection(
    {
      type,
      cursor: "id",
      ...pageSize,
      description,
      extensions: { compiledReads },
      args: options.retractable === false ? {} : { retraction: retractionArg(builder.arg) },
      // Called while the parent's query is built, so bad page arguments are refused even when
      // there are no parents to resolve the field for.
      select: (args: Args) => {
        pageSize.maxSize(args);
        return { id: true };
      },
      totalCount: (parent: { id: number }, args: Args, ctx: Context) =>
        loader(ctx, `count ${key} ${args.retraction}`, (parents) => compiledReads.pages.count(parents, args)).load(parent.id),
      resolve: (query: PageQuery, parent: { id: number }, args: Args, ctx: Context) =>
        loader(ctx, `${key} ${args.retraction} ${JSON.stringify(query)}`, (parents) =>
          loadPages(type, link, retraction(args), query, parents),
        ).load(parent.id),
    },
    connection,
  );
}
