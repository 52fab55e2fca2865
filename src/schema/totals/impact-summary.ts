// impactSummary: totals of the filtered impacts that can be quoted, keeping statuses and units apart.
import { builder, type Types } from "../../builder.ts";
import { prisma } from "../../db.ts";
import type { ImpactMetric, ImpactStatus } from "../../generated/prisma/enums.ts";
import { retractionArg, retractionWhere } from "../common/retraction.ts";
import { ImpactFilter, ImpactMetricEnum, ImpactStatusEnum, impactWhere } from "../impact.ts";
import { yearOf } from "./group-rows.ts";
import { addTotal, countBounds, groupEnum, SumBound, sumBound, summarize, type TotalValue, unknownGroups } from "./summary.ts";

const IMPACT_GROUPS = {
  METRIC: { description: "By what the impact measures", columns: ["metric"] },
  STATUS: { description: "By status: planned, claimed or verified", columns: ["status"] },
  UNIT: { description: "By unit of the figure (unknown when no figure or unit is given)", columns: ["unit"] },
  YEAR: {
    description: "By year the period starts, else the year it ends (unknown when no period is stated)",
    columns: ["periodStartOn", "periodEndOn"],
  },
} as const;
type ImpactGroupName = keyof typeof IMPACT_GROUPS;

const ImpactGroup = groupEnum("ImpactGroup", "Field to group impact totals by", IMPACT_GROUPS);

interface ImpactKey {
  metric: ImpactMetric | null;
  status: ImpactStatus | null;
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

const ImpactTotal = builder.objectRef<TotalValue & { status: ImpactStatus; unit: string | null }>("ImpactTotal").implement({
  description:
    "Sum of the figures of one status in one unit: planned, claimed and verified figures are never added together, nor are different units",
  fields: (t) => ({
    status: t.field({
      type: ImpactStatusEnum,
      description: "Whether these are goals, claims or verified results",
      resolve: (s) => s.status,
    }),
    unit: t.string({ nullable: true, description: "Unit of the figures; null when the source gives none", resolve: (s) => s.unit }),
    value: t.field({ type: "Decimal", description: "Sum of the figures, as exact as `bound` says", resolve: (s) => s.amount }),
    bound: t.field({
      type: SumBound,
      description: "Whether the sum is exact or, because of its parts, approximate, a lower or an upper bound",
      resolve: sumBound,
    }),
    count: t.int({ description: "Number of figures added up", resolve: (s) => s.count }),
  }),
});

const impactTotalFields = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, ImpactTotalsValue>) => ({
  count: t.int({ description: "Number of impacts", resolve: (b) => b.count }),
  exactCount: t.int({ description: "Number of impacts whose figure is exact", resolve: (b) => b.exactCount }),
  boundedCount: t.int({
    description: "Number of impacts whose figure is approximate, a lower or an upper bound (see each total's `bound`)",
    resolve: (b) => b.boundedCount,
  }),
  withoutValueCount: t.int({
    description: "Number of impacts with no figure (such as a goal without a number): counted here, never added as 0",
    resolve: (b) => b.withoutValueCount,
  }),
  totals: t.field({
    type: [ImpactTotal],
    description: "Sums of the figures, one per status and unit",
    resolve: (b) =>
      [...b.totals]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, total]) => {
          const [status, unit] = JSON.parse(key) as [ImpactStatus, string | null];
          return { status, unit, ...total };
        }),
  }),
});

const ImpactBucket = builder.objectRef<ImpactBucketValue>("ImpactBucket").implement({
  description: "Impact totals of one combination of the grouped fields",
  fields: (t) => ({
    metric: t.field({
      type: ImpactMetricEnum,
      nullable: true,
      description: "Metric of this bucket; null when not grouped by METRIC",
      resolve: (b) => b.key.metric,
    }),
    status: t.field({
      type: ImpactStatusEnum,
      nullable: true,
      description: "Status of this bucket; null when not grouped by STATUS",
      resolve: (b) => b.key.status,
    }),
    unit: t.string({
      nullable: true,
      description: "Unit of this bucket; null when not grouped by UNIT or when unknown (see `unknown`)",
      resolve: (b) => b.key.unit,
    }),
    year: t.int({
      nullable: true,
      description: "Year of this bucket; null when not grouped by YEAR or when unknown (see `unknown`)",
      resolve: (b) => b.key.year,
    }),
    unknown: t.field({
      type: [ImpactGroup],
      description: "Grouped fields whose value is unknown for the records of this bucket",
      resolve: (b) => unknownGroups(b.groups, { METRIC: b.key.metric, STATUS: b.key.status, UNIT: b.key.unit, YEAR: b.key.year }),
    }),
    ...impactTotalFields(t),
  }),
});

const ImpactSummary = builder.objectRef<ImpactTotalsValue & { buckets: ImpactBucketValue[] }>("ImpactSummary").implement({
  description: "Totals of the filtered impacts, overall and per bucket; figures are summed per status and unit",
  fields: (t) => ({
    ...impactTotalFields(t),
    buckets: t.field({
      type: [ImpactBucket],
      description: "One entry per combination of the grouped fields, the largest count first",
      resolve: (s) => s.buckets,
    }),
  }),
});

builder.queryField("impactSummary", (t) =>
  t.field({
    type: ImpactSummary,
    description:
      "Totals that can be quoted: how many impacts, and the sum of their figures per unit, keeping planned, claimed and verified apart",
    args: {
      filter: t.arg({ type: ImpactFilter, description: "Conditions the impacts must meet, as in `impacts`" }),
      groupBy: t.arg({ type: [ImpactGroup], required: true, description: "Fields to group by; [] for one overall total" }),
      retraction: retractionArg(t.arg),
    },
    resolve: (_root, { filter, groupBy, retraction }) =>
      summarize({
        groups: IMPACT_GROUPS,
        groupBy,
        model: prisma().impact,
        where: { AND: [impactWhere(filter), retractionWhere(retraction)] },
        keptApart: ["status", "unit", "valueBound"],
        aggregate: { _sum: { value: true }, _count: { _all: true, value: true } },
        key: (row, has): ImpactKey => ({
          metric: has("METRIC") ? (row.metric as ImpactMetric) : null,
          status: has("STATUS") ? (row.status as ImpactStatus) : null,
          unit: has("UNIT") ? (row.unit as string | null) : null,
          year: has("YEAR") ? (yearOf(row.periodStartOn) ?? yearOf(row.periodEndOn)) : null,
        }),
        empty: (): ImpactTotalsValue => ({ count: 0, exactCount: 0, boundedCount: 0, withoutValueCount: 0, totals: new Map() }),
        add: (b, row) => {
          b.count += row._count._all;
          b.withoutValueCount += row._count._all - row._count.value;
          countBounds(b, row._count.value, row.valueBound);
          addTotal(b.totals, JSON.stringify([row.status, row.unit]), row._sum?.value, row._count.value, row.valueBound);
        },
      }),
  }),
);
