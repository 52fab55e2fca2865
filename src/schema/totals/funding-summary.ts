// fundingSummary: totals of the filtered funding records that can be quoted, per currency.
import { builder, type Types } from "../../builder.ts";
import { prisma } from "../../db.ts";
import type { AmountKind } from "../../generated/prisma/enums.ts";
import { retractionArg, retractionWhere } from "../common/retraction.ts";
import { AmountKindEnum, FundingFilter, fundingWhere } from "../funding.ts";
import { type Row, yearOf } from "./group-rows.ts";
import { addTotal, CurrencyTotal, countBounds, groupEnum, summarize, type TotalValue, unknownGroups } from "./summary.ts";

const FUNDING_GROUPS = {
  FUNDER: { description: "By organization giving the money (unknown when no source names it)", columns: ["funderId"] },
  RECIPIENT: { description: "By organization receiving the money (unknown when no source names it)", columns: ["recipientId"] },
  PROGRAMME: { description: "By programme the money comes through (unknown when not stated)", columns: ["programmeId"] },
  YEAR: {
    description:
      "By year: of the funding's date, else its fiscal year when it covers exactly one (unknown for undated or multi-year records)",
    columns: ["dateOn", "fiscalYearFrom", "fiscalYearTo"],
  },
  CURRENCY: { description: "By currency (unknown for undisclosed amounts)", columns: ["currency"] },
  AMOUNT_KIND: { description: "By kind of amount: allocated, awarded, budget...", columns: ["amountKind"] },
} as const;
type FundingGroupName = keyof typeof FUNDING_GROUPS;

const FundingGroup = groupEnum("FundingGroup", "Field to group funding totals by", FUNDING_GROUPS);

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
  amountKind: AmountKind | null;
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

function fundingKey(row: Row, has: (group: FundingGroupName) => boolean): FundingKey {
  return {
    funderId: has("FUNDER") ? (row.funderId as number | null) : null,
    recipientId: has("RECIPIENT") ? (row.recipientId as number | null) : null,
    programmeId: has("PROGRAMME") ? (row.programmeId as number | null) : null,
    year: has("YEAR") ? fundingYear(row) : null,
    currency: has("CURRENCY") ? (row.currency as string | null) : null,
    amountKind: has("AMOUNT_KIND") ? (row.amountKind as AmountKind) : null,
  };
}

const currencyTotals = (totals: Map<string, TotalValue>) =>
  [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => ({ currency, ...t }));

const fundingTotalFields = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, Omit<FundingBucketValue, "key" | "groups">>) => ({
  count: t.int({ description: "Number of funding records", resolve: (b) => b.count }),
  exactCount: t.int({ description: "Number of records whose amount is disclosed as exact", resolve: (b) => b.exactCount }),
  boundedCount: t.int({
    description: "Number of records whose amount is disclosed as approximate, a lower or an upper bound (see each sum's `bound`)",
    resolve: (b) => b.boundedCount,
  }),
  undisclosedCount: t.int({
    description: "Number of records whose amount is not disclosed: counted here, never added as 0",
    resolve: (b) => b.undisclosedCount,
  }),
  sums: t.field({
    type: [CurrencyTotal],
    description: "Sum of the disclosed amounts, one per currency",
    resolve: (b) => currencyTotals(b.totals),
  }),
});

const FundingBucket = builder.objectRef<FundingBucketValue>("FundingBucket").implement({
  description: "Funding totals of one combination of the grouped fields",
  fields: (t) => ({
    funder: t.prismaField({
      type: "Organization",
      nullable: true,
      description: "Funder of this bucket; null when not grouped by FUNDER or when unknown (see `unknown`)",
      resolve: (query, b) =>
        b.key.funderId === null ? null : prisma().organization.findUnique({ ...query, where: { id: b.key.funderId } }),
    }),
    recipient: t.prismaField({
      type: "Organization",
      nullable: true,
      description: "Recipient of this bucket; null when not grouped by RECIPIENT or when unknown (see `unknown`)",
      resolve: (query, b) =>
        b.key.recipientId === null ? null : prisma().organization.findUnique({ ...query, where: { id: b.key.recipientId } }),
    }),
    programme: t.prismaField({
      type: "Programme",
      nullable: true,
      description: "Programme of this bucket; null when not grouped by PROGRAMME or when unknown (see `unknown`)",
      resolve: (query, b) =>
        b.key.programmeId === null ? null : prisma().programme.findUnique({ ...query, where: { id: b.key.programmeId } }),
    }),
    year: t.int({
      nullable: true,
      description: "Year of this bucket; null when not grouped by YEAR or when unknown",
      resolve: (b) => b.key.year,
    }),
    currency: t.field({
      type: "Currency",
      nullable: true,
      description: "Currency of this bucket; null when not grouped by CURRENCY or when unknown",
      resolve: (b) => b.key.currency,
    }),
    amountKind: t.field({
      type: AmountKindEnum,
      nullable: true,
      description: "Kind of amount of this bucket; null when not grouped by AMOUNT_KIND",
      resolve: (b) => b.key.amountKind,
    }),
    unknown: t.field({
      type: [FundingGroup],
      description: "Grouped fields whose value is unknown for the records of this bucket",
      resolve: (b) =>
        unknownGroups(b.groups, {
          FUNDER: b.key.funderId,
          RECIPIENT: b.key.recipientId,
          PROGRAMME: b.key.programmeId,
          YEAR: b.key.year,
          CURRENCY: b.key.currency,
          AMOUNT_KIND: b.key.amountKind,
        }),
    }),
    ...fundingTotalFields(t),
  }),
});

const FundingSummary = builder
  .objectRef<Omit<FundingBucketValue, "key" | "groups"> & { buckets: FundingBucketValue[] }>("FundingSummary")
  .implement({
    description: "Totals of the filtered funding records, overall and per bucket; sums are kept per currency",
    fields: (t) => ({
      ...fundingTotalFields(t),
      buckets: t.field({
        type: [FundingBucket],
        description: "One entry per combination of the grouped fields, the largest count first",
        resolve: (s) => s.buckets,
      }),
    }),
  });

builder.queryField("fundingSummary", (t) =>
  t.field({
    type: FundingSummary,
    description:
      "Totals that can be quoted: how many funding records, how much per currency, and how many amounts are undisclosed, grouped as asked",
    args: {
      filter: t.arg({ type: FundingFilter, description: "Conditions the records must meet, as in `fundings`" }),
      groupBy: t.arg({ type: [FundingGroup], required: true, description: "Fields to group by; [] for one overall total" }),
      retraction: retractionArg(t.arg),
    },
    resolve: (_root, { filter, groupBy, retraction }) => {
      const empty = () => ({ count: 0, exactCount: 0, boundedCount: 0, undisclosedCount: 0, totals: new Map<string, TotalValue>() });
      return summarize({
        groups: FUNDING_GROUPS,
        groupBy,
        model: prisma().funding,
        where: { AND: [fundingWhere(filter), retractionWhere(retraction)] },
        keptApart: ["currency", "amountBound"],
        aggregate: { _sum: { amount: true }, _count: { _all: true, amount: true } },
        key: fundingKey,
        empty,
        add: (b: ReturnType<typeof empty>, row) => {
          b.count += row._count._all;
          b.undisclosedCount += row._count._all - row._count.amount;
          countBounds(b, row._count.amount, row.amountBound);
          addTotal(b.totals, row.currency as string, row._sum?.amount, row._count.amount, row.amountBound);
        },
      });
    },
  }),
);
