import { builder, userError } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { IdentifierScheme, OrganizationKind, type ParticipantRole } from "../generated/prisma/enums.ts";
import { findBySlug } from "../slugs.ts";
import { contains, dbId, IntRange } from "./common/filters.ts";
import { nameFields } from "./common/language.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { orderInput } from "./common/order.ts";
import { retractionArg, retractionWhere } from "./common/retraction.ts";
import { FundingConnection } from "./funding.ts";
import { ImpactConnection } from "./impact.ts";
import { MethodConnection } from "./method.ts";
import { ParticipantRoleEnum, Partnership } from "./partnership.ts";
import { RoleConnection } from "./person.ts";
import { linkValue, relatedPages } from "./related-pages.ts";

export const OrganizationKindEnum = builder.enumType(OrganizationKind, {
  name: "OrganizationKind",
  description: "What sort of organization it is",
  values: {
    RESEARCH_INSTITUTE: { description: "Research institute or scientific centre" },
    UNIVERSITY: { description: "University or other higher-education institution" },
    ENTERPRISE: { description: "Company, plant or other industrial enterprise" },
    GOVERNMENT_BODY: { description: "Ministry, government or other state body" },
    COMMISSION: { description: "Commission or council that sets priorities or allocates funds" },
    FUNDING_AGENCY: { description: "Fund or agency that finances research or its commercialisation" },
    OTHER: { description: "Any other organization, such as an investment corporation" },
  },
});

export const IdentifierSchemeEnum = builder.enumType(IdentifierScheme, {
  name: "IdentifierScheme",
  description: "Registry that issued an organization identifier",
  values: {
    ROR: { description: "Research Organization Registry ID (ror.org)" },
    WIKIDATA: { description: "Wikidata item ID, such as Q42" },
    BIN: { description: "Kazakhstan business identification number (БИН)" },
    LEI: { description: "Legal Entity Identifier (ISO 17442)" },
    OTHER: { description: "Another scheme, named in `schemeName`" },
  },
});

export const OrganizationIdentifier = builder.prismaObject("OrganizationIdentifier", {
  description: "Identifier of an organization in an external registry",
  fields: (t) => ({
    scheme: t.expose("scheme", { type: IdentifierSchemeEnum, description: "Registry that issued the identifier" }),
    schemeName: t.string({
      nullable: true,
      description: "Name of the scheme when `scheme` is OTHER, such as KASE ticker",
      resolve: (i) => i.otherScheme || null,
    }),
    value: t.exposeString("value", { description: "The identifier as the registry writes it" }),
  }),
});

export const Organization = builder.prismaNode("Organization", {
  id: { field: "id" },
  nullable: true,
  description: "Research institute, university, enterprise, state body, commission or fund",
});

const OrganizationPartnershipConnection = builder.connectionObject(
  { type: Partnership, name: "OrganizationPartnershipConnection", description: "Page of partnerships of one organization" },
  {
    name: "OrganizationPartnershipEdge",
    description: "Partnership of an organization, with the organization's role in it",
    fields: (edge) => ({
      role: edge.field({
        type: ParticipantRoleEnum,
        description: "Role of the organization in this partnership",
        resolve: (edge) => linkValue<ParticipantRole>(edge.node, "role"),
      }),
    }),
  },
);

export const OrganizationConnection = builder.connectionObject(
  { type: Organization, name: "OrganizationConnection", description: "Page of organizations" },
  { name: "OrganizationEdge", description: "Organization in a page, with its cursor" },
);

builder.prismaObjectFields(Organization, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses, such as bekturov-institute" }),
  kind: t.expose("kind", { type: OrganizationKindEnum, description: "What sort of organization it is" }),
  ...nameFields(t, "organization"),
  alternateNames: t.exposeStringList("alternateNames", {
    description: "Other names used for the organization in sources, including former names",
  }),
  description: t.exposeString("description", { nullable: true, description: "Short description of the organization" }),
  country: t.expose("country", { type: "CountryCode", nullable: true, description: "Country where it is based; null when unknown" }),
  city: t.exposeString("city", { nullable: true, description: "City where it is based; null when unknown" }),
  foundedYear: t.exposeInt("foundedYear", { nullable: true, description: "Year it was founded; null when unknown" }),
  website: t.expose("website", { type: "URL", nullable: true, description: "Official website; null when unknown" }),
  parent: t.relation("parent", { nullable: true, description: "Organization this one belongs to, when a source states it" }),
  children: relatedPages(t, {
    type: "Organization",
    link: { table: "Organization", parent: "parentId", child: "id" },
    description: "Organizations that belong to this one",
    connection: OrganizationConnection,
  }),
  identifiers: t.relation("identifiers", {
    description: "Identifiers of the organization in external registries (ROR, Wikidata, BIN, LEI...)",
    query: { orderBy: { id: "asc" } },
  }),
  people: relatedPages(t, {
    type: "Role",
    link: { table: "Role", parent: "organizationId", child: "id" },
    description: "People who hold or held a position here",
    connection: RoleConnection,
    retractable: false,
  }),
  methods: relatedPages(t, {
    type: "Method",
    link: { table: "_MethodDevelopers", parent: "B", child: "A" },
    description: "Methods this organization developed",
    connection: MethodConnection,
  }),
  partnerships: relatedPages(t, {
    type: "Partnership",
    link: { table: "Participant", parent: "organizationId", child: "partnershipId", edge: ["role"] },
    description: "Partnerships this organization takes part in, with its role in each",
    connection: OrganizationPartnershipConnection,
  }),
  programmesOperated: t.relation("programmesOperated", {
    description: "Funding programmes this organization runs",
    args: { retraction: retractionArg(t.arg) },
    query: ({ retraction }) => ({ where: retractionWhere(retraction), orderBy: { id: "asc" } }),
  }),
  fundingsProvided: relatedPages(t, {
    type: "Funding",
    link: { table: "Funding", parent: "funderId", child: "id" },
    description: "Funding this organization gave",
    connection: FundingConnection,
  }),
  fundingsReceived: relatedPages(t, {
    type: "Funding",
    link: { table: "Funding", parent: "recipientId", child: "id" },
    description: "Funding this organization received",
    connection: FundingConnection,
  }),
  impacts: relatedPages(t, {
    type: "Impact",
    link: { table: "Impact", parent: "organizationId", child: "id" },
    description: "Reported impacts about this organization",
    connection: ImpactConnection,
  }),
  impactsClaimed: relatedPages(t, {
    type: "Impact",
    link: { table: "Impact", parent: "claimantId", child: "id" },
    description: "Impacts this organization claims",
    connection: ImpactConnection,
  }),
  citations: t.relation("citations", {
    description: "Sources that state the facts about this organization",
    query: { orderBy: { id: "asc" } },
  }),
  ...timestampFields(t),
}));

export const OrganizationFilter = builder.inputType("OrganizationFilter", {
  description: "Conditions an organization must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    kinds: t.field({ type: [OrganizationKindEnum], description: "Only organizations of these kinds" }),
    country: t.field({ type: "CountryCode", description: "Only organizations based in this country" }),
    city: t.string({ description: "Only organizations based in this city (case-insensitive)" }),
    name: t.string({
      description:
        "Only organizations whose name in any language, contains this text, or one of whose alternate names is exactly this text (case-insensitive for names)",
    }),
    founded: t.field({ type: IntRange, description: "Only organizations founded in this range of years" }),
    parent: t.globalID({ for: Organization, description: "Only organizations that belong to this organization" }),
    partnerOf: t.globalID({ for: Organization, description: "Only organizations that share a partnership with this organization" }),
  }),
});

const organizationOrder = orderInput(
  "Organization",
  {
    NAME: { description: "English name (organizations without one come last)", column: "nameEn", nullable: true },
    FOUNDED_YEAR: { description: "Year founded (unknown years come last)", column: "foundedYear", nullable: true },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "NAME",
);

type OrganizationFilterValue = typeof OrganizationFilter.$inferInput;

function organizationWhere(filter: OrganizationFilterValue | null | undefined, kinds?: OrganizationKind[]): Prisma.OrganizationWhereInput {
  const and: Prisma.OrganizationWhereInput[] = [];
  if (kinds) and.push({ kind: { in: kinds } });
  if (!filter) return { AND: and };
  if (filter.kinds) and.push({ kind: { in: filter.kinds } });
  if (filter.country) and.push({ country: filter.country });
  if (filter.city) and.push({ city: { equals: filter.city, mode: "insensitive" } });
  if (filter.name) {
    const text = contains(filter.name);
    and.push({ OR: [{ nameEn: text }, { nameRu: text }, { nameKk: text }, { alternateNames: { has: filter.name } }] });
  }
  if (filter.founded) and.push({ foundedYear: { gte: filter.founded.min ?? undefined, lte: filter.founded.max ?? undefined } });
  if (filter.parent) and.push({ parentId: dbId(filter.parent) });
  if (filter.partnerOf) {
    const id = dbId(filter.partnerOf);
    and.push({
      id: { not: id },
      participations: { some: { partnership: { participants: { some: { organizationId: id } } } } },
    });
  }
  return { AND: and };
}

function organizationList(name: string, description: string, kinds?: OrganizationKind[]) {
  rootList(name, {
    type: "Organization",
    connection: OrganizationConnection,
    description,
    filter: OrganizationFilter,
    order: organizationOrder,
    defaultOrder: "by English name",
    model: () => prisma().organization,
    where: (filter) => organizationWhere(filter, kinds),
  });
}

organizationList("organizations", "All organizations: institutes, universities, enterprises, state bodies, commissions and funds");
organizationList("institutes", "Research institutes and universities", ["RESEARCH_INSTITUTE", "UNIVERSITY"]);
organizationList("enterprises", "Companies, plants and other industrial enterprises", ["ENTERPRISE"]);

builder.queryFields((t) => ({
  organization: t.prismaField({
    type: Organization,
    nullable: true,
    description:
      "One organization by its slug; also answers at a slug the organization had before; null when no organization has or had that slug",
    args: { slug: t.arg.string({ required: true, description: "Slug of the organization, such as bekturov-institute" }) },
    resolve: (query, _root, { slug }) => findBySlug("Organization", slug, (where) => prisma().organization.findUnique({ ...query, where })),
  }),
  organizationByIdentifier: t.prismaField({
    type: Organization,
    nullable: true,
    description: "One organization by an identifier in an external registry; null when none matches",
    args: {
      scheme: t.arg({ type: IdentifierSchemeEnum, required: true, description: "Registry that issued the identifier" }),
      value: t.arg.string({ required: true, description: "The identifier, as the registry writes it" }),
      schemeName: t.arg.string({ description: "Name of the scheme; required when `scheme` is OTHER, such as KASE ticker" }),
    },
    resolve: async (query, _root, { scheme, value, schemeName }) => {
      if ((scheme === "OTHER") !== Boolean(schemeName)) {
        throw userError(
          scheme === "OTHER" ? "schemeName is required when scheme is OTHER" : "schemeName is only allowed when scheme is OTHER",
        );
      }
      const identifier = await prisma().organizationIdentifier.findUnique({
        where: { scheme_otherScheme_value: { scheme, otherScheme: schemeName ?? "", value } },
        select: { organizationId: true },
      });
      return identifier && prisma().organization.findUnique({ ...query, where: { id: identifier.organizationId } });
    },
  }),
}));
