import { builder } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { findBySlug } from "../slugs.ts";
import { PartialDate, partialDate } from "./common/dates.ts";
import { contains, dbId } from "./common/filters.ts";
import { nameFields } from "./common/language.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { orderInput } from "./common/order.ts";
import { ImpactConnection } from "./impact.ts";
import { Organization } from "./organization.ts";
import { relatedPages } from "./related-pages.ts";

export const Person = builder.prismaNode("Person", {
  id: { field: "id" },
  nullable: true,
  description: "Person named by a source: an official, an institute head, a company director",
});

export const PersonConnection = builder.connectionObject(
  { type: Person, name: "PersonConnection", description: "Page of people" },
  { name: "PersonEdge", description: "Person in a page, with its cursor" },
);

builder.prismaObjectFields(Person, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses, such as sayasat-nurbek" }),
  ...nameFields(t, "person"),
  roles: t.relation("roles", {
    description: "Positions the person holds or held, as sources state them",
    query: { orderBy: { id: "asc" } },
  }),
  impactsClaimed: relatedPages(t, {
    type: "Impact",
    link: { table: "Impact", parent: "claimantPersonId", child: "id" },
    description: "Impacts this person claims",
    connection: ImpactConnection,
  }),
  citations: t.relation("citations", { description: "Sources that name this person", query: { orderBy: { id: "asc" } } }),
  ...timestampFields(t),
}));

export const Role = builder.prismaObject("Role", {
  description: "Position a person holds or held at an organization",
  fields: (t) => ({
    title: t.exposeString("title", {
      description: "Title of the position as the source gives it, such as Minister of Science and Higher Education",
    }),
    person: t.relation("person", { description: "Who holds or held the position" }),
    organization: t.relation("organization", { description: "Where the position is held" }),
    start: t.field({
      type: PartialDate,
      nullable: true,
      description: "When the person took the position; null when no source states it",
      resolve: (r) => partialDate(r.startOn, r.startPrecision),
    }),
    end: t.field({
      type: PartialDate,
      nullable: true,
      description: "When the person left the position; null when current or unknown",
      resolve: (r) => partialDate(r.endOn, r.endPrecision),
    }),
    citations: t.relation("citations", { description: "Sources that state this position", query: { orderBy: { id: "asc" } } }),
  }),
});

export const RoleConnection = builder.connectionObject(
  { type: Role, name: "RoleConnection", description: "Page of positions held by people" },
  { name: "RoleEdge", description: "Position in a page, with its cursor" },
);

const PersonFilter = builder.inputType("PersonFilter", {
  description: "Conditions a person must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    name: t.string({ description: "Only people whose name in any language contains this text (case-insensitive)" }),
    organization: t.globalID({ for: Organization, description: "Only people who hold or held a position at this organization" }),
    title: t.string({ description: "Only people whose position title contains this text (case-insensitive), such as minister" }),
  }),
});

const personOrder = orderInput(
  "Person",
  {
    NAME: { description: "English name (people without one come last)", column: "nameEn", nullable: true },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "NAME",
);

function personWhere(filter: typeof PersonFilter.$inferInput | null | undefined): Prisma.PersonWhereInput {
  const and: Prisma.PersonWhereInput[] = [];
  if (filter?.name) {
    const text = contains(filter.name);
    and.push({ OR: [{ nameEn: text }, { nameRu: text }, { nameKk: text }] });
  }
  if (filter?.organization) and.push({ roles: { some: { organizationId: dbId(filter.organization) } } });
  if (filter?.title) and.push({ roles: { some: { title: contains(filter.title) } } });
  return { AND: and };
}

rootList("people", {
  type: "Person",
  connection: PersonConnection,
  description: "People named by sources: officials, institute heads, company directors",
  filter: PersonFilter,
  order: personOrder,
  defaultOrder: "by English name",
  model: () => prisma().person,
  where: personWhere,
});

builder.queryFields((t) => ({
  person: t.prismaField({
    type: Person,
    nullable: true,
    description: "One person by slug; also answers at a slug the person had before; null when no person has or had that slug",
    args: { slug: t.arg.string({ required: true, description: "Slug of the person, such as sayasat-nurbek" }) },
    resolve: (query, _root, { slug }) => findBySlug("Person", slug, (where) => prisma().person.findUnique({ ...query, where })),
  }),
}));
