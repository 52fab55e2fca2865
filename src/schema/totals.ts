import type { ObjectRef } from "@pothos/core";
import { builder, userError, type Types } from "../builder.ts";
import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { connectionWhere } from "./common/lists.ts";
import { retractionArg, retractionWhere } from "./common/retraction.ts";
import { AmountKindEnum, FundingConnection, FundingFilter, fundingWhere } from "./funding.ts";
import { ImpactConnection, ImpactFilter, ImpactMetricEnum, ImpactStatusEnum, impactWhere } from "./impact.ts";
import { MethodConnection } from "./method.ts";
import { OrganizationConnection } from "./organization.ts";
import { PartnershipConnection } from "./partnership.ts";
import { ProgrammeConnection } from "./programme.ts";
import { SourceConnection } from "./source.ts";

// Totals are grouped in SQL (Prisma groupBy). A year is not a column, so groups by date come back
// per date and are merged here by year: that merges group rows, never records.

type Row = Record<string, unknown> & { _count: { _all: number } & Record<string, number>; _sum?: Record<string, Prisma.Decimal | null> };

interface GroupByDelegate {
  groupBy(args: object): PromiseLike<unknown>;
}

async function groupRows(model: GroupByDelegate, by: string[], where: object, extra: object = {}): Promise<Row[]> {
  return (await model.groupBy({ by, where, _count: { _all: true }, orderBy: by.map((c) => ({ [c]: "asc" })), ...extra })) as Row[];
}

const yearOf = (date: unknown) => (date instanceof Date ? date.getUTCFullYear() : null);

/** Merges group rows that have the same key, with `add` adding each row into its bucket. */
function mergeBy<K, B>(rows: Row[], key: (row: Row) => K, create: (key: K) => B, add: (bucket: B, row: Row) => void): B[] {
  const buckets = new Map<string, B>();
  for (const row of rows) {
    const k = key(row);
    const id = JSON.stringify(k);
    if (!buckets.has(id)) buckets.set(id, create(k));
    add(buckets.get(id)!, row);
  }
  return [...buckets.values()];
}

// ---- Facets ----

interface FacetBucketValue {
  value: string | null;
  count: number;
}

const FacetBucket = builder.objectRef<FacetBucketValue>("FacetBucket").implement({
  description: "How many items of the filtered list have one value of a field",
  fields: (t) => ({
    value: t.exposeString("value", { nullable: true, description: "The value, such as ENTERPRISE, KZ or 2024; null for the bucket of items whose value is unknown" }),
    unknown: t.boolean({ description: "Whether this is the bucket of items whose value is unknown", resolve: (b) => b.value === null }),
    count: t.int({ description: "Number of items with this value", resolve: (b) => b.count }),
  }),
});

interface FacetSpec {
  description: string;
  column: string;
  /** The column is a date: count by its year. */
  year?: boolean;
  /** The column can hold no value; its unknown bucket is listed even when empty. */
  nullable?: boolean;
}

async function facet(model: GroupByDelegate, where: object, spec: FacetSpec): Promise<FacetBucketValue[]> {
  const rows = await groupRows(model, [spec.column], where);
  const value = (row: Row) => {
    const v = row[spec.column];
    return v === null ? null : spec.year ? String(yearOf(v)) : String(v);
  };
  const buckets = mergeBy(rows, value, (value) => ({ value, count: 0 }), (b, row) => (b.count += row._count._all));
  if (spec.nullable && !buckets.some((b) => b.value === null)) buckets.push({ value: null, count: 0 });
  return buckets.sort((a, b) => b.count - a.count || (a.value === null ? 1 : b.value === null ? -1 : a.value.localeCompare(b.value)));
}

function facets(connection: ObjectRef<Types, any>, typeName: string, what: string, model: () => GroupByDelegate, specs: Record<string, FacetSpec>) {
  const Facets = builder.objectRef<{ where: object }>(`${typeName}Facets`).implement({
    description: `Counts of the filtered ${what} by value of a field, with a bucket for unknown values`,
    fields: (t) =>
      Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [
          name,
          t.field({ type: [FacetBucket], description: spec.description, resolve: ({ where }) => facet(model(), where, spec) }),
        ]),
      ),
  });
  builder.objectField(connection, "facets", (t) =>
    t.field({
      type: Facets,
      nullable: true,
      description: `Counts of the whole filtered list (all pages) by kind, status, year and so on; null on lists inside a record`,
      resolve: (parent: { args?: object }) => {
        const where = parent.args && connectionWhere.get(parent.args);
        return where ? { where } : null;
      },
    }),
  );
}

facets(OrganizationConnection, "Organization", "organizations", () => prisma().organization, {
  kind: { description: "Organizations by kind", column: "kind" },
  country: { description: "Organizations by country (ISO 3166-1 code)", column: "country", nullable: true },
  city: { description: "Organizations by city", column: "city", nullable: true },
});
facets(MethodConnection, "Method", "methods", () => prisma().method, {
  category: { description: "Methods by category", column: "category" },
  technologyReadinessLevel: { description: "Methods by technology readiness level", column: "technologyReadiness", nullable: true },
});
facets(PartnershipConnection, "Partnership", "partnerships", () => prisma().partnership, {
  kind: { description: "Partnerships by kind", column: "kind" },
  status: { description: "Partnerships by status", column: "status" },
  city: { description: "Partnerships by city", column: "city", nullable: true },
  year: { description: "Partnerships by year of start", column: "startOn", year: true, nullable: true },
});
facets(ProgrammeConnection, "Programme", "programmes", () => prisma().programme, {
  kind: { description: "Programmes by kind", column: "kind" },
});
facets(FundingConnection, "Funding", "funding records", () => prisma().funding, {
  amountKind: { description: "Funding by kind of amount", column: "amountKind" },
  currency: { description: "Funding by currency; unknown for undisclosed amounts", column: "currency", nullable: true },
  year: { description: "Funding by year of its date (undated records, such as multi-year budgets, are unknown)", column: "dateOn", year: true, nullable: true },
});
facets(ImpactConnection, "Impact", "impacts", () => prisma().impact, {
  metric: { description: "Impacts by metric", column: "metric" },
  status: { description: "Impacts by status: planned, claimed or verified", column: "status" },
  unit: { description: "Impacts by unit of their figure", column: "unit", nullable: true },
  year: { description: "Impacts by year their period starts", column: "periodStartOn", year: true, nullable: true },
});
facets(SourceConnection, "Source", "sources", () => prisma().source, {
  language: { description: "Sources by language (ISO 639-1 code)", column: "language" },
  year: { description: "Sources by year of publication", column: "publishedOn", year: true, nullable: true },
});

// ---- Money and figure totals ----

// A sum is only as exact as its parts: it carries the one qualifier its inexact parts share, and
// MIXED when they differ (over 10 plus under 5 is neither over nor under 15).
const SumBound = builder.enumType("SumBound", {
  description: "How the parts of a sum qualify it",
  values: {
    EXACT: { description: "Every part is exact, so the sum is exact" },
    APPROXIMATE: { description: "Some parts are approximate, the others exact: the sum is approximate" },
    AT_LEAST: { description: "Some parts are lower bounds, the others exact: the true sum is at least this" },
    AT_MOST: { description: "Some parts are upper bounds, the others exact: the true sum is at most this" },
    MIXED: { description: "Parts are qualified in different ways (such as a lower and an upper bound): the sum is neither exact nor a bound; quote the parts" },
  },
});

interface TotalValue {
  amount: Prisma.Decimal;
  count: number;
  /** Qualifiers of the parts other than EXACT. */
  bounds: Set<string>;
}

const sumBound = ({ bounds }: TotalValue) => (bounds.size === 0 ? "EXACT" : bounds.size === 1 ? [...bounds][0] : "MIXED") as "EXACT" | "APPROXIMATE" | "AT_LEAST" | "AT_MOST" | "MIXED";

const CurrencyTotal = builder.objectRef<TotalValue & { currency: string }>("CurrencyTotal").implement({
  description: "Sum of the disclosed amounts in one currency (amounts in different currencies are never added together)",
  fields: (t) => ({
    currency: t.field({ type: "Currency", description: "ISO 4217 code of the currency", resolve: (s) => s.currency }),
    amount: t.field({ type: "Decimal", description: "Sum of the amounts, as exact as `bound` says", resolve: (s) => s.amount }),
    bound: t.field({ type: SumBound, description: "Whether the sum is exact or, because of its parts, approximate, a lower or an upper bound", resolve: sumBound }),
    count: t.int({ description: "Number of amounts added up", resolve: (s) => s.count }),
  }),
});

function addTotal<K extends string>(totals: Map<K, TotalValue>, key: K, amount: Prisma.Decimal | null | undefined, count: number, bound: unknown) {
  if (!amount || count === 0) return;
  const total = totals.get(key) ?? { amount: new Prisma.Decimal(0), count: 0, bounds: new Set() };
  totals.set(key, { amount: total.amount.add(amount), count: total.count + count, bounds: bound === "EXACT" ? total.bounds : new Set([...total.bounds, bound as string]) });
}

/** How many figures of a group are exact and how many bounded, from a row grouped by its bound. */
function countBounds(counts: { exactCount: number; boundedCount: number }, valued: number, bound: unknown) {
  if (bound === "EXACT") counts.exactCount += valued;
  else counts.boundedCount += valued;
}

function checkGroups(groups: readonly string[], allowed: readonly string[]) {
  const seen = new Set<string>();
  for (const g of groups) {
    if (seen.has(g)) throw userError(`Argument "groupBy" lists ${g} twice; list each of ${allowed.join(", ")} at most once`);
    seen.add(g);
  }
}

const FUNDING_GROUPS = {
  FUNDER: { description: "By organization giving the money (unknown when no source names it)", columns: ["funderId"] },
  RECIPIENT: { description: "By organization receiving the money (unknown when no source names it)", columns: ["recipientId"] },
  PROGRAMME: { description: "By programme the money comes through (unknown when not stated)", columns: ["programmeId"] },
  YEAR: {
    description: "By year: of the funding's date, else its fiscal year when it covers exactly one (unknown for undated or multi-year records)",
    columns: ["dateOn", "fiscalYearFrom", "fiscalYearTo"],
  },
  CURRENCY: { description: "By currency (unknown for undisclosed amounts)", columns: ["currency"] },
  AMOUNT_KIND: { description: "By kind of amount: allocated, awarded, budget...", columns: ["amountKind"] },
} as const;
type FundingGroupName = keyof typeof FUNDING_GROUPS;

const FundingGroup = builder.enumType("FundingGroup", {
  description: "Field to group funding totals by",
  values: Object.fromEntries(Object.entries(FUNDING_GROUPS).map(([k, v]) => [k, { description: v.description }])) as {
    [K in FundingGroupName]: { description: string };
  },
});

function fundingYear(row: Row): number | null {
  const fromDate = yearOf(row.dateOn);
  if (fromDate !== null) return fromDate;
  return row.fiscalYearFrom !== null && row.fiscalYearFrom === row.fiscalYearTo ? (row.fiscalYearFrom as number) : null;
}

interface FundingKey {
  funderId: number | null;
  recipientId: number | null;
  programmeId: number | null;
  year: number | null;
  currency: string | null;
  amountKind: string | null;
}

interface FundingBucketValue {
  key: FundingKey;
  groups: FundingGroupName[];
  count: number;
  exactCount: number;
  boundedCount: number;
  undisclosedCount: number;
  totals: Map<string, TotalValue>;
}

function fundingKey(row: Row, groups: FundingGroupName[]): FundingKey {
  const has = (g: FundingGroupName) => groups.includes(g);
  return {
    funderId: has("FUNDER") ? (row.funderId as number | null) : null,
    recipientId: has("RECIPIENT") ? (row.recipientId as number | null) : null,
    programmeId: has("PROGRAMME") ? (row.programmeId as number | null) : null,
    year: has("YEAR") ? fundingYear(row) : null,
    currency: has("CURRENCY") ? (row.currency as string | null) : null,
    amountKind: has("AMOUNT_KIND") ? (row.amountKind as string) : null,
  };
}

const currencyTotals = (totals: Map<string, TotalValue>) =>
  [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => ({ currency, ...t }));

const fundingTotalFields = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, Omit<FundingBucketValue, "key" | "groups">>) => ({
  count: t.int({ description: "Number of funding records", resolve: (b) => b.count }),
  exactCount: t.int({ description: "Number of records whose amount is disclosed as exact", resolve: (b) => b.exactCount }),
  boundedCount: t.int({ description: "Number of records whose amount is disclosed as approximate, a lower or an upper bound (see each sum's `bound`)", resolve: (b) => b.boundedCount }),
  undisclosedCount: t.int({ description: "Number of records whose amount is not disclosed: counted here, never added as 0", resolve: (b) => b.undisclosedCount }),
  sums: t.field({ type: [CurrencyTotal], description: "Sum of the disclosed amounts, one per currency", resolve: (b) => currencyTotals(b.totals) }),
});

const FundingBucket = builder.objectRef<FundingBucketValue>("FundingBucket").implement({
  description: "Funding totals of one combination of the grouped fields",
  fields: (t) => ({
    funder: t.prismaField({
      type: "Organization",
      nullable: true,
      description: "Funder of this bucket; null when not grouped by FUNDER or when unknown (see `unknown`)",
      resolve: (query, b) => (b.key.funderId === null ? null : prisma().organization.findUnique({ ...query, where: { id: b.key.funderId } })),
    }),
    recipient: t.prismaField({
      type: "Organization",
      nullable: true,
      description: "Recipient of this bucket; null when not grouped by RECIPIENT or when unknown (see `unknown`)",
      resolve: (query, b) => (b.key.recipientId === null ? null : prisma().organization.findUnique({ ...query, where: { id: b.key.recipientId } })),
    }),
    programme: t.prismaField({
      type: "Programme",
      nullable: true,
      description: "Programme of this bucket; null when not grouped by PROGRAMME or when unknown (see `unknown`)",
      resolve: (query, b) => (b.key.programmeId === null ? null : prisma().programme.findUnique({ ...query, where: { id: b.key.programmeId } })),
    }),
    year: t.int({ nullable: true, description: "Year of this bucket; null when not grouped by YEAR or when unknown", resolve: (b) => b.key.year }),
    currency: t.field({ type: "Currency", nullable: true, description: "Currency of this bucket; null when not grouped by CURRENCY or when unknown", resolve: (b) => b.key.currency }),
    amountKind: t.field({ type: AmountKindEnum, nullable: true, description: "Kind of amount of this bucket; null when not grouped by AMOUNT_KIND", resolve: (b) => b.key.amountKind as never }),
    unknown: t.field({
      type: [FundingGroup],
      description: "Grouped fields whose value is unknown for the records of this bucket",
      resolve: (b) =>
        b.groups.filter((g) => ({ FUNDER: b.key.funderId, RECIPIENT: b.key.recipientId, PROGRAMME: b.key.programmeId, YEAR: b.key.year, CURRENCY: b.key.currency, AMOUNT_KIND: b.key.amountKind })[g] === null),
    }),
    ...fundingTotalFields(t),
  }),
});

const FundingSummary = builder.objectRef<Omit<FundingBucketValue, "key" | "groups"> & { buckets: FundingBucketValue[] }>("FundingSummary").implement({
  description: "Totals of the filtered funding records, overall and per bucket; sums are kept per currency",
  fields: (t) => ({
    ...fundingTotalFields(t),
    buckets: t.field({ type: [FundingBucket], description: "One entry per combination of the grouped fields, the largest count first", resolve: (s) => s.buckets }),
  }),
});

/** Overall totals and one bucket per key, the largest count first. */
function summarize<K extends object, T extends { count: number }, G>(rows: Row[], groups: G[], key: (row: Row) => K, empty: () => T, add: (totals: T, row: Row) => void) {
  const buckets = mergeBy(rows, key, (key) => ({ key, groups, ...empty() }), add);
  const overall = empty();
  rows.forEach((row) => add(overall, row));
  buckets.sort((a, b) => b.count - a.count || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { ...overall, buckets };
}

builder.queryField("fundingSummary", (t) =>
  t.field({
    type: FundingSummary,
    description: "Totals that can be quoted: how many funding records, how much per currency, and how many amounts are undisclosed, grouped as asked",
    args: {
      filter: t.arg({ type: FundingFilter, description: "Conditions the records must meet, as in `fundings`" }),
      groupBy: t.arg({ type: [FundingGroup], required: true, description: "Fields to group by; [] for one overall total" }),
      retraction: retractionArg(t.arg),
    },
    resolve: async (root, { filter, groupBy, retraction }) => {
      checkGroups(groupBy, Object.keys(FUNDING_GROUPS));
      const columns = [...new Set([...groupBy.flatMap((g) => FUNDING_GROUPS[g].columns), "currency", "amountBound"])];
      const where = { AND: [fundingWhere(filter), retractionWhere(retraction)] };
      const rows = await groupRows(prisma().funding, columns, where, { _sum: { amount: true }, _count: { _all: true, amount: true } });
      const empty = () => ({ count: 0, exactCount: 0, boundedCount: 0, undisclosedCount: 0, totals: new Map<string, TotalValue>() });
      const add = (b: ReturnType<typeof empty>, row: Row) => {
        b.count += row._count._all;
        b.undisclosedCount += row._count._all - row._count.amount;
        countBounds(b, row._count.amount, row.amountBound);
        addTotal(b.totals, row.currency as string, row._sum?.amount, row._count.amount, row.amountBound);
      };
      return summarize(rows, groupBy, (row) => fundingKey(row, groupBy), empty, add);
    },
  }),
);

const IMPACT_GROUPS = {
  METRIC: { description: "By what the impact measures", columns: ["metric"] },
  STATUS: { description: "By status: planned, claimed or verified", columns: ["status"] },
  UNIT: { description: "By unit of the figure (unknown when no figure or unit is given)", columns: ["unit"] },
  YEAR: { description: "By year the period starts, else the year it ends (unknown when no period is stated)", columns: ["periodStartOn", "periodEndOn"] },
} as const;
type ImpactGroupName = keyof typeof IMPACT_GROUPS;

const ImpactGroup = builder.enumType("ImpactGroup", {
  description: "Field to group impact totals by",
  values: Object.fromEntries(Object.entries(IMPACT_GROUPS).map(([k, v]) => [k, { description: v.description }])) as {
    [K in ImpactGroupName]: { description: string };
  },
});

interface ImpactKey {
  metric: string | null;
  status: string | null;
  unit: string | null;
  year: number | null;
}
interface ImpactTotalsValue {
  count: number;
  exactCount: number;
  boundedCount: number;
  withoutValueCount: number;
  totals: Map<string, TotalValue>;
}
interface ImpactBucketValue extends ImpactTotalsValue {
  key: ImpactKey;
  groups: ImpactGroupName[];
}

const ImpactTotal = builder.objectRef<TotalValue & { status: string; unit: string | null }>("ImpactTotal").implement({
  description: "Sum of the figures of one status in one unit: planned, claimed and verified figures are never added together, nor are different units",
  fields: (t) => ({
    status: t.field({ type: ImpactStatusEnum, description: "Whether these are goals, claims or verified results", resolve: (s) => s.status as never }),
    unit: t.string({ nullable: true, description: "Unit of the figures; null when the source gives none", resolve: (s) => s.unit }),
    value: t.field({ type: "Decimal", description: "Sum of the figures, as exact as `bound` says", resolve: (s) => s.amount }),
    bound: t.field({ type: SumBound, description: "Whether the sum is exact or, because of its parts, approximate, a lower or an upper bound", resolve: sumBound }),
    count: t.int({ description: "Number of figures added up", resolve: (s) => s.count }),
  }),
});

const impactTotalFields = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, ImpactTotalsValue>) => ({
  count: t.int({ description: "Number of impacts", resolve: (b) => b.count }),
  exactCount: t.int({ description: "Number of impacts whose figure is exact", resolve: (b) => b.exactCount }),
  boundedCount: t.int({ description: "Number of impacts whose figure is approximate, a lower or an upper bound (see each total's `bound`)", resolve: (b) => b.boundedCount }),
  withoutValueCount: t.int({ description: "Number of impacts with no figure (such as a goal without a number): counted here, never added as 0", resolve: (b) => b.withoutValueCount }),
  totals: t.field({
    type: [ImpactTotal],
    description: "Sums of the figures, one per status and unit",
    resolve: (b) =>
      [...b.totals].sort(([a], [b]) => a.localeCompare(b)).map(([key, total]) => {
        const [status, unit] = JSON.parse(key) as [string, string | null];
        return { status, unit, ...total };
      }),
  }),
});

const ImpactBucket = builder.objectRef<ImpactBucketValue>("ImpactBucket").implement({
  description: "Impact totals of one combination of the grouped fields",
  fields: (t) => ({
    metric: t.field({ type: ImpactMetricEnum, nullable: true, description: "Metric of this bucket; null when not grouped by METRIC", resolve: (b) => b.key.metric as never }),
    status: t.field({ type: ImpactStatusEnum, nullable: true, description: "Status of this bucket; null when not grouped by STATUS", resolve: (b) => b.key.status as never }),
    unit: t.string({ nullable: true, description: "Unit of this bucket; null when not grouped by UNIT or when unknown (see `unknown`)", resolve: (b) => b.key.unit }),
    year: t.int({ nullable: true, description: "Year of this bucket; null when not grouped by YEAR or when unknown (see `unknown`)", resolve: (b) => b.key.year }),
    unknown: t.field({
      type: [ImpactGroup],
      description: "Grouped fields whose value is unknown for the records of this bucket",
      resolve: (b) => b.groups.filter((g) => ({ METRIC: b.key.metric, STATUS: b.key.status, UNIT: b.key.unit, YEAR: b.key.year })[g] === null),
    }),
    ...impactTotalFields(t),
  }),
});

const ImpactSummary = builder.objectRef<ImpactTotalsValue & { buckets: ImpactBucketValue[] }>("ImpactSummary").implement({
  description: "Totals of the filtered impacts, overall and per bucket; figures are summed per status and unit",
  fields: (t) => ({
    ...impactTotalFields(t),
    buckets: t.field({ type: [ImpactBucket], description: "One entry per combination of the grouped fields, the largest count first", resolve: (s) => s.buckets }),
  }),
});

builder.queryField("impactSummary", (t) =>
  t.field({
    type: ImpactSummary,
    description: "Totals that can be quoted: how many impacts, and the sum of their figures per unit, keeping planned, claimed and verified apart",
    args: {
      filter: t.arg({ type: ImpactFilter, description: "Conditions the impacts must meet, as in `impacts`" }),
      groupBy: t.arg({ type: [ImpactGroup], required: true, description: "Fields to group by; [] for one overall total" }),
      retraction: retractionArg(t.arg),
    },
    resolve: async (root, { filter, groupBy, retraction }) => {
      checkGroups(groupBy, Object.keys(IMPACT_GROUPS));
      const columns = [...new Set([...groupBy.flatMap((g) => IMPACT_GROUPS[g].columns), "status", "unit", "valueBound"])];
      const where = { AND: [impactWhere(filter), retractionWhere(retraction)] };
      const rows = await groupRows(prisma().impact, columns, where, { _sum: { value: true }, _count: { _all: true, value: true } });
      const has = (g: ImpactGroupName) => groupBy.includes(g);
      const key = (row: Row): ImpactKey => ({
        metric: has("METRIC") ? (row.metric as string) : null,
        status: has("STATUS") ? (row.status as string) : null,
        unit: has("UNIT") ? (row.unit as string | null) : null,
        year: has("YEAR") ? (yearOf(row.periodStartOn) ?? yearOf(row.periodEndOn)) : null,
      });
      const empty = (): ImpactTotalsValue => ({ count: 0, exactCount: 0, boundedCount: 0, withoutValueCount: 0, totals: new Map() });
      const add = (b: ImpactTotalsValue, row: Row) => {
        b.count += row._count._all;
        b.withoutValueCount += row._count._all - row._count.value;
        countBounds(b, row._count.value, row.valueBound);
        addTotal(b.totals, JSON.stringify([row.status, row.unit]), row._sum?.value, row._count.value, row.valueBound);
      };
      return summarize(rows, groupBy, key, empty, add);
    },
  }),
);
