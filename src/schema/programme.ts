import { builder } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ProgrammeKind } from "../generated/prisma/enums.ts";
import { contains, dbId } from "./common/filters.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { Money, money } from "./common/money.ts";
import { orderInput } from "./common/order.ts";
import { FundingConnection } from "./funding.ts";
import { Organization } from "./organization.ts";
import { relatedPages } from "./related-pages.ts";

export const ProgrammeKindEnum = builder.enumType(ProgrammeKind, {
  name: "ProgrammeKind",
  description: "Kind of funding instrument",
  values: {
    GRANT_FUNDING: { description: "Competitive grants for research projects" },
    PROGRAMME_TARGETED_FUNDING: { description: "Programme-targeted funding of scientific and technical programmes" },
    COMMERCIALISATION_GRANT: { description: "Grants for bringing research results to market" },
    OTHER: { description: "Any other instrument" },
  },
});

export const Programme = builder.prismaNode("Programme", {
  id: { field: "id" },
  nullable: true,
  description: "Funding programme or instrument, such as grant funding or commercialisation grants",
});

export const ProgrammeConnection = builder.connectionObject(
  { type: Programme, name: "ProgrammeConnection", description: "Page of funding programmes" },
  { name: "ProgrammeEdge", description: "Programme in a page, with its cursor" },
);

builder.prismaObjectFields(Programme, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses" }),
  name: t.exposeString("name", { description: "Name of the programme" }),
  description: t.exposeString("description", { nullable: true, description: "What the programme funds, as sources describe it" }),
  kind: t.expose("kind", { type: ProgrammeKindEnum, description: "Kind of funding instrument" }),
  operator: t.relation("operator", { nullable: true, description: "Organization that runs the programme; null when no source names it" }),
  maxAward: t.field({
    type: Money,
    nullable: true,
    description: "Largest single award a source states for the programme; null when not stated",
    resolve: (p) => money(p.maxAwardAmount, p.maxAwardCurrency),
  }),
  fundings: relatedPages(t, {
    type: "Funding",
    link: { table: "Funding", parent: "programmeId", child: "id" },
    description: "Funding given through the programme",
    connection: FundingConnection,
  }),
  citations: t.relation("citations", { description: "Sources that describe the programme", query: { orderBy: { id: "asc" } } }),
  ...timestampFields(t),
}));

const ProgrammeFilter = builder.inputType("ProgrammeFilter", {
  description: "Conditions a programme must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    kinds: t.field({ type: [ProgrammeKindEnum], description: "Only programmes of these kinds" }),
    operator: t.globalID({ for: Organization, description: "Only programmes run by this organization" }),
    text: t.string({ description: "Only programmes whose name or description contains this text (case-insensitive)" }),
  }),
});

const programmeOrder = orderInput(
  "Programme",
  {
    NAME: { description: "Name", column: "name" },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "NAME",
);

function programmeWhere(filter: typeof ProgrammeFilter.$inferInput | null | undefined): Prisma.ProgrammeWhereInput {
  const and: Prisma.ProgrammeWhereInput[] = [];
  if (filter?.kinds) and.push({ kind: { in: filter.kinds } });
  if (filter?.operator) and.push({ operatorId: dbId(filter.operator) });
  if (filter?.text) and.push({ OR: [{ name: contains(filter.text) }, { description: contains(filter.text) }] });
  return { AND: and };
}

rootList("programmes", {
  type: "Programme",
  connection: ProgrammeConnection,
  description: "Funding programmes and instruments for research and its commercialisation",
  filter: ProgrammeFilter,
  order: programmeOrder,
  defaultOrder: "by name",
  model: () => prisma().programme,
  where: programmeWhere,
});
