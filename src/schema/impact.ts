import { builder } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ImpactMetric, ImpactStatus } from "../generated/prisma/enums.ts";
import { PartialDate, partialDate } from "./common/dates.ts";
import { contains, dbId } from "./common/filters.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { orderInput } from "./common/order.ts";
import { AmountBoundEnum } from "./common/qualifiers.ts";
import { Method } from "./method.ts";
import { Organization } from "./organization.ts";
import { Partnership } from "./partnership.ts";

export const ImpactMetricEnum = builder.enumType(ImpactMetric, {
  name: "ImpactMetric",
  description: "What a reported impact measures",
  values: {
    CO2_EMISSIONS_AVOIDED: { description: "Carbon dioxide emissions cut or avoided" },
    WASTE_PROCESSED: { description: "Production waste processed or recycled" },
    METAL_RECOVERY_RATE: { description: "Share of metal recovered from a raw material or waste" },
    PRODUCTION_CAPACITY: { description: "Output a plant or line can produce" },
    INVESTMENT: { description: "Money invested as a result" },
    PROTOTYPES: { description: "Prototypes or technical solutions produced" },
    TASKS: { description: "Production or research tasks set or prepared" },
    PARTICIPANTS: { description: "People taking part, such as scientists at a hackathon" },
    OTHER: { description: "Anything else, described in `description`" },
  },
});

export const ImpactStatusEnum = builder.enumType(ImpactStatus, {
  name: "ImpactStatus",
  description: "How far a reported impact is established",
  values: {
    PLANNED: { description: "A goal or expectation, not a result" },
    CLAIMED: { description: "Reported as achieved by an interested party, not independently verified" },
    VERIFIED: { description: "Confirmed by an independent source" },
  },
});

export const Impact = builder.prismaNode("Impact", {
  id: { field: "id" },
  nullable: true,
  description: "Reported impact of a partnership, method or organization: a goal, a claim or a verified result",
});

export const ImpactConnection = builder.connectionObject(
  { type: Impact, name: "ImpactConnection", description: "Page of reported impacts" },
  { name: "ImpactEdge", description: "Impact in a page, with its cursor" },
);

builder.prismaObjectFields(Impact, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses" }),
  metric: t.expose("metric", { type: ImpactMetricEnum, description: "What the impact measures" }),
  description: t.exposeString("description", { description: "What is reported, in plain words" }),
  value: t.expose("value", {
    type: "Decimal",
    nullable: true,
    description: "Reported figure as an exact decimal; null when no figure is given",
  }),
  valueBound: t.expose("valueBound", {
    type: AmountBoundEnum,
    nullable: true,
    description: "Whether the figure is exact, approximate, a lower or an upper bound; null when no figure is given",
  }),
  unit: t.exposeString("unit", { nullable: true, description: "Unit of the figure, such as t/year, tCO2e/year or %" }),
  baselineValue: t.expose("baselineValue", {
    type: "Decimal",
    nullable: true,
    description: "Figure before the change, where a source states it",
  }),
  baselineNote: t.exposeString("baselineNote", { nullable: true, description: "What the baseline refers to, where stated" }),
  periodStart: t.field({
    type: PartialDate,
    nullable: true,
    description: "Start of the period the figure covers; null when not stated",
    resolve: (i) => partialDate(i.periodStartOn, i.periodStartPrecision),
  }),
  periodEnd: t.field({
    type: PartialDate,
    nullable: true,
    description: "End of the period the figure covers; null when not stated",
    resolve: (i) => partialDate(i.periodEndOn, i.periodEndPrecision),
  }),
  status: t.expose("status", { type: ImpactStatusEnum, description: "Whether this is a goal, a claim or a verified result" }),
  partnership: t.relation("partnership", { nullable: true, description: "Partnership the impact is about, if any" }),
  method: t.relation("method", { nullable: true, description: "Method the impact is about, if any" }),
  organization: t.relation("organization", { nullable: true, description: "Organization the impact is about, if any" }),
  claimant: t.relation("claimant", { nullable: true, description: "Organization that reports the impact; null when not stated" }),
  claimantPerson: t.relation("claimantPerson", { nullable: true, description: "Person who reports the impact; null when not stated" }),
  citations: t.relation("citations", { description: "Sources that report the impact", query: { orderBy: { id: "asc" } } }),
  ...timestampFields(t),
}));

export const ImpactFilter = builder.inputType("ImpactFilter", {
  description: "Conditions an impact must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    metrics: t.field({ type: [ImpactMetricEnum], description: "Only impacts measuring these" }),
    statuses: t.field({ type: [ImpactStatusEnum], description: "Only impacts with these statuses, such as [VERIFIED]" }),
    partnership: t.globalID({ for: Partnership, description: "Only impacts of this partnership" }),
    method: t.globalID({ for: Method, description: "Only impacts of this method" }),
    organization: t.globalID({ for: Organization, description: "Only impacts about this organization" }),
    claimant: t.globalID({ for: Organization, description: "Only impacts this organization reports" }),
    unit: t.string({ description: "Only figures in this unit, such as t/year" }),
    text: t.string({ description: "Only impacts whose description contains this text (case-insensitive)" }),
  }),
});

const impactOrder = orderInput(
  "Impact",
  {
    VALUE: { description: "Reported figure, whatever its unit (impacts without one come last)", column: "value", nullable: true },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "CREATED_AT",
);

export function impactWhere(filter: typeof ImpactFilter.$inferInput | null | undefined): Prisma.ImpactWhereInput {
  const and: Prisma.ImpactWhereInput[] = [];
  if (!filter) return { AND: and };
  if (filter.metrics) and.push({ metric: { in: filter.metrics } });
  if (filter.statuses) and.push({ status: { in: filter.statuses } });
  if (filter.partnership) and.push({ partnershipId: dbId(filter.partnership) });
  if (filter.method) and.push({ methodId: dbId(filter.method) });
  if (filter.organization) and.push({ organizationId: dbId(filter.organization) });
  if (filter.claimant) and.push({ claimantId: dbId(filter.claimant) });
  if (filter.unit) and.push({ unit: filter.unit });
  if (filter.text) and.push({ description: contains(filter.text) });
  return { AND: and };
}

rootList("impacts", {
  type: "Impact",
  connection: ImpactConnection,
  description: "Reported impacts: goals, claims and verified results, each with who reports it and the source",
  filter: ImpactFilter,
  order: impactOrder,
  defaultOrder: "in the order they were added",
  model: () => prisma().impact,
  where: impactWhere,
});
