import { builder } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { MethodCategory, MethodStage } from "../generated/prisma/enums.ts";
import { findBySlug } from "../slugs.ts";
import { contains, dbId, IntRange } from "./common/filters.ts";
import { titleFields } from "./common/language.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { orderInput } from "./common/order.ts";
import { FundingConnection } from "./funding.ts";
import { ImpactConnection } from "./impact.ts";
import { Organization, OrganizationConnection } from "./organization.ts";
import { Partnership, PartnershipConnection } from "./partnership.ts";
import { relatedPages } from "./related-pages.ts";

export const MethodCategoryEnum = builder.enumType(MethodCategory, {
  name: "MethodCategory",
  description: "What a method is for, in mining and metallurgy",
  values: {
    PRECIOUS_METAL_EXTRACTION: { description: "Extracting gold, silver or platinum-group metals from ores or raw materials" },
    RARE_METAL_EXTRACTION: { description: "Extracting rare and rare-earth metals" },
    BASE_METAL_EXTRACTION: { description: "Extracting copper, zinc, lead, nickel, aluminium and other base metals" },
    WASTE_PROCESSING: { description: "Processing, recycling or recovering value from production waste and tailings" },
    ORE_BENEFICIATION: { description: "Concentrating ores: crushing, flotation, separation" },
    ALLOY_PRODUCTION: { description: "Producing ferroalloys and other alloys" },
    EMISSIONS_REDUCTION: { description: "Cutting CO2 and other emissions of production" },
    ENERGY_EFFICIENCY: { description: "Using less energy in production" },
    OTHER: { description: "Any other technology or process" },
  },
});

export const MethodStageEnum = builder.enumType(MethodStage, {
  name: "MethodStage",
  description: "How far a method has got, as a source states it",
  values: {
    LABORATORY: { description: "Studied in the laboratory" },
    PILOT: { description: "Run in a pilot plant or pilot project" },
    INDUSTRIAL_TRIALS: { description: "In industrial trials" },
    PRODUCTION: { description: "Used in production" },
  },
});

export const Method = builder.prismaNode("Method", {
  id: { field: "id" },
  nullable: true,
  description: "Technology or process developed by researchers or engineers, as sources describe it",
});

export const MethodConnection = builder.connectionObject(
  { type: Method, name: "MethodConnection", description: "Page of methods" },
  { name: "MethodEdge", description: "Method in a page, with its cursor" },
);

builder.prismaObjectFields(Method, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses" }),
  ...titleFields(t, "method", "Title of the method; where a source gives none, a label describing it as the source does"),
  summary: t.exposeString("summary", { nullable: true, description: "What the method does, as sources describe it" }),
  category: t.expose("category", { type: MethodCategoryEnum, description: "What the method is for" }),
  technologyReadinessLevel: t.exposeInt("technologyReadiness", {
    nullable: true,
    description: "Technology readiness level from 1 (basic principles) to 9 (proven in production); null when no source states it",
  }),
  stage: t.expose("stage", {
    type: MethodStageEnum,
    nullable: true,
    description: "How far the method has got, as a cited source states it; null when no source states it (never inferred)",
  }),
  developers: relatedPages(t, {
    type: "Organization",
    link: { table: "_MethodDevelopers", parent: "A", child: "B" },
    description: "Organizations that developed the method",
    connection: OrganizationConnection,
  }),
  partnerships: relatedPages(t, {
    type: "Partnership",
    link: { table: "_PartnershipMethods", parent: "A", child: "B" },
    description: "Partnerships that apply the method",
    connection: PartnershipConnection,
  }),
  fundings: relatedPages(t, {
    type: "Funding",
    link: { table: "Funding", parent: "methodId", child: "id" },
    description: "Funding of the method",
    connection: FundingConnection,
  }),
  impacts: relatedPages(t, {
    type: "Impact",
    link: { table: "Impact", parent: "methodId", child: "id" },
    description: "Reported impacts of the method",
    connection: ImpactConnection,
  }),
  citations: t.relation("citations", { description: "Sources that describe the method", query: { orderBy: { id: "asc" } } }),
  ...timestampFields(t),
}));

const MethodFilter = builder.inputType("MethodFilter", {
  description: "Conditions a method must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    categories: t.field({ type: [MethodCategoryEnum], description: "Only methods in these categories" }),
    technologyReadinessLevel: t.field({ type: IntRange, description: "Only methods whose known readiness level is in this range" }),
    stages: t.field({ type: [MethodStageEnum], description: "Only methods a source places at one of these stages" }),
    developer: t.globalID({ for: Organization, description: "Only methods developed by this organization" }),
    partnership: t.globalID({ for: Partnership, description: "Only methods applied in this partnership" }),
    text: t.string({ description: "Only methods whose title or summary contains this text (case-insensitive)" }),
  }),
});

const methodOrder = orderInput(
  "Method",
  {
    TITLE: { description: "Title", column: "title" },
    TECHNOLOGY_READINESS_LEVEL: {
      description: "Readiness level (unknown levels come last)",
      column: "technologyReadiness",
      nullable: true,
    },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "TITLE",
);

function methodWhere(filter: typeof MethodFilter.$inferInput | null | undefined): Prisma.MethodWhereInput {
  const and: Prisma.MethodWhereInput[] = [];
  if (filter?.categories) and.push({ category: { in: filter.categories } });
  if (filter?.technologyReadinessLevel) {
    const { min, max } = filter.technologyReadinessLevel;
    and.push({ technologyReadiness: { gte: min ?? undefined, lte: max ?? undefined } });
  }
  if (filter?.stages) and.push({ stage: { in: filter.stages } });
  if (filter?.developer) and.push({ developers: { some: { id: dbId(filter.developer) } } });
  if (filter?.partnership) and.push({ partnerships: { some: { id: dbId(filter.partnership) } } });
  if (filter?.text) and.push({ OR: [{ title: contains(filter.text) }, { summary: contains(filter.text) }] });
  return { AND: and };
}

rootList("methods", {
  type: "Method",
  connection: MethodConnection,
  description: "Technologies and processes for mining and metallurgy, with who developed them and where they are applied",
  filter: MethodFilter,
  order: methodOrder,
  defaultOrder: "by title",
  model: () => prisma().method,
  where: methodWhere,
});

builder.queryFields((t) => ({
  method: t.prismaField({
    type: Method,
    nullable: true,
    description: "One method by slug; also answers at a slug the method had before; null when no method has or had that slug",
    args: { slug: t.arg.string({ required: true, description: "Slug of the method" }) },
    resolve: (query, _root, { slug }) => findBySlug("Method", slug, (where) => prisma().method.findUnique({ ...query, where })),
  }),
}));
