// Rows of a list grouped in SQL (Prisma groupBy), and their merging by a key computed here: a year
// is not a column, so groups by date come back per date and are merged by year. That merges group
// rows, never records.
import type { Prisma } from "../../generated/prisma/client.ts";

export type Row = Record<string, unknown> & {
  _count: { _all: number } & Record<string, number>;
  _sum?: Record<string, Prisma.Decimal | null>;
};

export interface GroupByDelegate {
  groupBy(args: object): PromiseLike<unknown>;
}

export async function groupRows(model: GroupByDelegate, by: string[], where: object, extra: object = {}): Promise<Row[]> {
  return (await model.groupBy({ by, where, _count: { _all: true }, orderBy: by.map((c) => ({ [c]: "asc" })), ...extra })) as Row[];
}

export const yearOf = (date: unknown) => (date instanceof Date ? date.getUTCFullYear() : null);

/** Merges group rows that have the same key, with `add` adding each row into its bucket. */
export function mergeBy<K, B>(rows: Row[], key: (row: Row) => K, create: (key: K) => B, add: (bucket: B, row: Row) => void): B[] {
  const buckets = new Map<string, B>();
  for (const row of rows) {
    const k = key(row);
    const id = JSON.stringify(k);
    if (!buckets.has(id)) buckets.set(id, create(k));
    add(buckets.get(id)!, row);
  }
  return [...buckets.values()];
}
