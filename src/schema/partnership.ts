import { builder } from "../builder.ts";
import { readsColumns } from "../compiled/declarations.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ParticipantRole, PartnershipKind, PartnershipStatus } from "../generated/prisma/enums.ts";
import { findBySlug } from "../slugs.ts";
import { DateRange, PartialDate, partialDate } from "./common/dates.ts";
import { contains, dbId } from "./common/filters.ts";
import { titleFields } from "./common/language.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { orderInput } from "./common/order.ts";
import { FundingConnection } from "./funding.ts";
import { ImpactConnection } from "./impact.ts";
import { Method, MethodConnection } from "./method.ts";
import { Organization } from "./organization.ts";
import { relatedPages } from "./related-pages.ts";

export const PartnershipKindEnum = builder.enumType(PartnershipKind, {
  name: "PartnershipKind",
  description: "Form of a science–industry partnership",
  values: {
    CONTRACT_RESEARCH: { description: "Research done under contract for an enterprise" },
    PILOT_DEPLOYMENT: { description: "A method tried at pilot scale at a plant" },
    LICENSING: { description: "A licence to use a technology" },
    JOINT_PROGRAMME: { description: "A joint programme of several organizations" },
    HACKATHON: { description: "A hackathon where researchers work on an enterprise's production tasks" },
    MEMORANDUM: { description: "A memorandum of understanding or cooperation" },
    COLLABORATION: { description: "Collaboration whose contractual form the sources do not state" },
    VISIT: { description: "A visit or meeting between government, science and industry" },
    OTHER: { description: "Any other form" },
  },
});

export const PartnershipStatusEnum = builder.enumType(PartnershipStatus, {
  name: "PartnershipStatus",
  description: "Stage of a partnership, as sources report it",
  values: {
    PLANNED: { description: "Announced but not started" },
    ACTIVE: { description: "Under way" },
    COMPLETED: { description: "Finished as planned, or an event that took place" },
    ENDED: { description: "Stopped before completion" },
    UNKNOWN: { description: "No source states the stage" },
  },
});

export const ParticipantRoleEnum = builder.enumType(ParticipantRole, {
  name: "ParticipantRole",
  description: "Part an organization plays in a partnership",
  values: {
    LEAD: { description: "Leads the partnership or provides its method" },
    PARTNER: { description: "Research or other partner" },
    INDUSTRY_PARTNER: { description: "Enterprise whose production the partnership serves" },
    FUNDER: { description: "Pays for the partnership" },
    HOST: { description: "Hosts the event or receives the results" },
    OTHER: { description: "Any other part" },
  },
});

export const Participant = builder.prismaObject("Participant", {
  description: "Organization taking part in a partnership, with its role",
  fields: (t) => ({
    organization: t.relation("organization", { description: "The participating organization" }),
    role: t.expose("role", { type: ParticipantRoleEnum, description: "Part the organization plays" }),
  }),
});

export const Partnership = builder.prismaNode("Partnership", {
  id: { field: "id" },
  nullable: true,
  description: "Partnership between research and industry: a joint programme, a hackathon, a deployment of a method at a plant",
});

export const PartnershipConnection = builder.connectionObject(
  { type: Partnership, name: "PartnershipConnection", description: "Page of partnerships" },
  { name: "PartnershipEdge", description: "Partnership in a page, with its cursor" },
);

builder.prismaObjectFields(Partnership, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses" }),
  ...titleFields(t, "partnership", "Title of the partnership"),
  summary: t.exposeString("summary", { nullable: true, description: "What the partnership is about, as sources describe it" }),
  kind: t.expose("kind", { type: PartnershipKindEnum, description: "Form of the partnership" }),
  status: t.expose("status", { type: PartnershipStatusEnum, description: "Stage of the partnership; UNKNOWN when no source states it" }),
  city: t.exposeString("city", { nullable: true, description: "City where it takes place; null when unknown" }),
  start: t.field({
    type: PartialDate,
    nullable: true,
    description: "When it started or took place; null when no source states it",
    ...readsColumns("startOn", "startPrecision"),
    resolve: (p) => partialDate(p.startOn, p.startPrecision),
  }),
  end: t.field({
    type: PartialDate,
    nullable: true,
    description: "When it ended; null when ongoing or unknown",
    ...readsColumns("endOn", "endPrecision"),
    resolve: (p) => partialDate(p.endOn, p.endPrecision),
  }),
  participants: t.relation("participants", {
    description: "Organizations taking part, with their roles",
    query: { orderBy: [{ role: "asc" }, { organizationId: "asc" }] },
  }),
  methods: relatedPages(t, {
    type: "Method",
    link: { table: "_PartnershipMethods", parent: "B", child: "A" },
    description: "Methods applied in the partnership",
    connection: MethodConnection,
  }),
  fundings: relatedPages(t, {
    type: "Funding",
    link: { table: "Funding", parent: "partnershipId", child: "id" },
    description: "Funding of the partnership",
    connection: FundingConnection,
  }),
  impacts: relatedPages(t, {
    type: "Impact",
    link: { table: "Impact", parent: "partnershipId", child: "id" },
    description: "Reported impacts of the partnership",
    connection: ImpactConnection,
  }),
  citations: t.relation("citations", { description: "Sources that report the partnership", query: { orderBy: { id: "asc" } } }),
  ...timestampFields(t),
}));

const PartnershipFilter = builder.inputType("PartnershipFilter", {
  description: "Conditions a partnership must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    kinds: t.field({ type: [PartnershipKindEnum], description: "Only partnerships of these kinds" }),
    statuses: t.field({ type: [PartnershipStatusEnum], description: "Only partnerships at these stages" }),
    participant: t.globalID({ for: Organization, description: "Only partnerships this organization takes part in" }),
    role: t.field({ type: ParticipantRoleEnum, description: "With `participant`: only where the organization plays this role" }),
    method: t.globalID({ for: Method, description: "Only partnerships applying this method" }),
    started: t.field({ type: DateRange, description: "Only partnerships whose known start falls in this range" }),
    city: t.string({ description: "Only partnerships in this city (case-insensitive)" }),
    text: t.string({ description: "Only partnerships whose title or summary contains this text (case-insensitive)" }),
  }),
});

const partnershipOrder = orderInput(
  "Partnership",
  {
    START: { description: "Start date (unknown dates come last)", column: "startOn", nullable: true },
    TITLE: { description: "Title", column: "title" },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "CREATED_AT",
);

function partnershipWhere(filter: typeof PartnershipFilter.$inferInput | null | undefined): Prisma.PartnershipWhereInput {
  const and: Prisma.PartnershipWhereInput[] = [];
  if (filter?.kinds) and.push({ kind: { in: filter.kinds } });
  if (filter?.statuses) and.push({ status: { in: filter.statuses } });
  if (filter?.participant) {
    and.push({ participants: { some: { organizationId: dbId(filter.participant), role: filter.role ?? undefined } } });
  } else if (filter?.role) {
    and.push({ participants: { some: { role: filter.role } } });
  }
  if (filter?.method) and.push({ methods: { some: { id: dbId(filter.method) } } });
  if (filter?.started) and.push({ startOn: { gte: filter.started.from ?? undefined, lte: filter.started.to ?? undefined } });
  if (filter?.city) and.push({ city: { equals: filter.city, mode: "insensitive" } });
  if (filter?.text) and.push({ OR: [{ title: contains(filter.text) }, { summary: contains(filter.text) }] });
  return { AND: and };
}

rootList("partnerships", {
  type: "Partnership",
  connection: PartnershipConnection,
  description: "Partnerships between research and industry, with participants, methods, funding and impacts",
  filter: PartnershipFilter,
  order: partnershipOrder,
  defaultOrder: "in the order they were added",
  model: () => prisma().partnership,
  where: partnershipWhere,
});

builder.queryFields((t) => ({
  partnership: t.prismaField({
    type: Partnership,
    nullable: true,
    description:
      "One partnership by slug; also answers at a slug the partnership had before; null when no partnership has or had that slug",
    args: { slug: t.arg.string({ required: true, description: "Slug of the partnership" }) },
    resolve: (query, _root, { slug }) => findBySlug("Partnership", slug, (where) => prisma().partnership.findUnique({ ...query, where })),
  }),
}));
