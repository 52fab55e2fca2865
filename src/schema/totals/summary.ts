// What fundingSummary and impactSummary share: sums that carry how exact their parts are, and the
// algorithm of a summary (rows grouped in SQL by the asked groups, merged by key, totals per bucket
// and overall, the largest bucket first).
import { builder, userError } from "../../builder.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { type GroupByDelegate, groupRows, mergeBy, type Row } from "./group-rows.ts";

// A sum is only as exact as its parts: it carries the one qualifier its inexact parts share, and
// MIXED when they differ (over 10 plus under 5 is neither over nor under 15).
export const SumBound = builder.enumType("SumBound", {
  description: "How the parts of a sum qualify it",
  values: {
    EXACT: { description: "Every part is exact, so the sum is exact" },
    APPROXIMATE: { description: "Some parts are approximate, the others exact: the sum is approximate" },
    AT_LEAST: { description: "Some parts are lower bounds, the others exact: the true sum is at least this" },
    AT_MOST: { description: "Some parts are upper bounds, the others exact: the true sum is at most this" },
    MIXED: {
      description:
        "Parts are qualified in different ways (such as a lower and an upper bound): the sum is neither exact nor a bound; quote the parts",
    },
  },
});

export interface TotalValue {
  amount: Prisma.Decimal;
  count: number;
  /** Qualifiers of the parts other than EXACT. */
  bounds: Set<string>;
}

export const sumBound = ({ bounds }: TotalValue) =>
  (bounds.size === 0 ? "EXACT" : bounds.size === 1 ? [...bounds][0] : "MIXED") as
    | "EXACT"
    | "APPROXIMATE"
    | "AT_LEAST"
    | "AT_MOST"
    | "MIXED";

export const CurrencyTotal = builder.objectRef<TotalValue & { currency: string }>("CurrencyTotal").implement({
  description: "Sum of the disclosed amounts in one currency (amounts in different currencies are never added together)",
  fields: (t) => ({
    currency: t.field({ type: "Currency", description: "ISO 4217 code of the currency", resolve: (s) => s.currency }),
    amount: t.field({ type: "Decimal", description: "Sum of the amounts, as exact as `bound` says", resolve: (s) => s.amount }),
    bound: t.field({
      type: SumBound,
      description: "Whether the sum is exact or, because of its parts, approximate, a lower or an upper bound",
      resolve: sumBound,
    }),
    count: t.int({ description: "Number of amounts added up", resolve: (s) => s.count }),
  }),
});

export function addTotal<K extends string>(
  totals: Map<K, TotalValue>,
  key: K,
  amount: Prisma.Decimal | null | undefined,
  count: number,
  bound: unknown,
) {
  if (!amount || count === 0) return;
  const total = totals.get(key) ?? { amount: new Prisma.Decimal(0), count: 0, bounds: new Set() };
  totals.set(key, {
    amount: total.amount.add(amount),
    count: total.count + count,
    bounds: bound === "EXACT" ? total.bounds : new Set([...total.bounds, bound as string]),
  });
}

/** How many figures of a group are exact and how many bounded, from a row grouped by its bound. */
export function countBounds(counts: { exactCount: number; boundedCount: number }, valued: number, bound: unknown) {
  if (bound === "EXACT") counts.exactCount += valued;
  else counts.boundedCount += valued;
}

/** Groups a summary can be asked for, each with the columns its key reads. */
type GroupTable<G extends string> = Record<G, { description: string; columns: readonly string[] }>;

/** The enum of a summary's `groupBy` argument. */
export function groupEnum<G extends string>(name: string, description: string, groups: GroupTable<G>) {
  const values = {} as { [K in G]: { description: string } };
  for (const group of Object.keys(groups) as G[]) values[group] = { description: groups[group].description };
  return builder.enumType(name, { description, values });
}

function checkGroups(groups: readonly string[], allowed: readonly string[]) {
  const seen = new Set<string>();
  for (const g of groups) {
    if (seen.has(g)) throw userError(`Argument "groupBy" lists ${g} twice; list each of ${allowed.join(", ")} at most once`);
    seen.add(g);
  }
}

/** Grouped fields whose value is unknown (null) for the records of a bucket. */
export const unknownGroups = <G extends string>(groups: G[], values: Record<G, unknown>) => groups.filter((g) => values[g] === null);

/**
 * Totals of the records of `model` matching `where`, overall and per combination of `groupBy`:
 * grouped in SQL by the columns of the asked groups and by `keptApart` (columns totals are never
 * added across, such as currency), then merged here into one bucket per key.
 */
export async function summarize<G extends string, K extends object, T extends { count: number }>(options: {
  groups: GroupTable<G>;
  groupBy: G[];
  model: GroupByDelegate;
  where: object;
  keptApart: string[];
  aggregate: object;
  key: (row: Row, has: (group: G) => boolean) => K;
  empty: () => T;
  add: (totals: T, row: Row) => void;
}) {
  const { groups, groupBy, key, empty, add } = options;
  checkGroups(groupBy, Object.keys(groups));
  const columns = [...new Set([...groupBy.flatMap((g) => groups[g].columns), ...options.keptApart])];
  const rows = await groupRows(options.model, columns, options.where, options.aggregate);
  const has = (group: G) => groupBy.includes(group);
  const buckets = mergeBy(
    rows,
    (row) => key(row, has),
    (key) => ({ key, groups: groupBy, ...empty() }),
    add,
  );
  const overall = empty();
  rows.forEach((row) => {
    add(overall, row);
  });
  buckets.sort((a, b) => b.count - a.count || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { ...overall, buckets };
}
