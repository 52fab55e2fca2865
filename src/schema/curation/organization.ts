// Curation of organizations: organizationCreate, organizationUpdate and organizationRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Organization as OrganizationRow } from "../../generated/prisma/client.ts";
import { changeSlug } from "../../slugs.ts";
import {
  type Curated,
  citationRecord,
  citationsField,
  createFields,
  createRecord,
  each,
  nameInputFields,
  type Payload,
  retractReason,
  retractRecord,
  slugFields,
  updateFields,
  updateRecord,
  userErrorsField,
} from "../curation.ts";
import { IdentifierSchemeEnum, Organization, OrganizationKindEnum } from "../organization.ts";

const IdentifierInput = builder.inputType("IdentifierInput", {
  description: "Identifier of an organization in an external registry",
  fields: (t) => ({
    scheme: t.field({ type: IdentifierSchemeEnum, description: "Registry that issued the identifier" }),
    schemeName: t.string({ description: "Name of the scheme when scheme is OTHER, such as KASE ticker; null otherwise" }),
    value: t.string({ description: "Value as an exact decimal string, such as 12.5" }),
  }),
});

const OrganizationFields = builder.inputType("OrganizationFields", {
  description: "Fields of a organization, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    kind: t.field({ type: OrganizationKindEnum, description: "What sort of record it is" }),
    ...nameInputFields(t),
    alternateNames: t.stringList({ description: "Other names used in sources, including former names" }),
    description: t.string({ description: "Short description" }),
    country: t.string({ description: "ISO 3166-1 alpha-2 code of the country, such as KZ" }),
    city: t.string({ description: "City" }),
    foundedYear: t.int({ description: "Year founded" }),
    website: t.string({ description: "Official website (http or https)" }),
    parent: t.string({ description: "Slug of the organization this one belongs to" }),
    identifiers: t.field({
      type: [IdentifierInput],
      description: "Identifiers in external registries; replaces the stored list when given",
    }),
    citations: citationsField(t),
  }),
});

const OrganizationCreateInput = builder.inputType("OrganizationCreateInput", {
  description: "A new organization",
  fields: (t) => createFields(t, OrganizationFields, "organization"),
});

const OrganizationUpdateInput = builder.inputType("OrganizationUpdateInput", {
  description: "Changes to an existing organization",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the organization to change" }),
    ...updateFields(t, OrganizationFields),
  }),
});

const OrganizationRetractInput = builder.inputType("OrganizationRetractInput", {
  description: "Retraction of a organization found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the organization to retract" }),
    reason: retractReason(t),
  }),
});

const OrganizationPayload = builder.objectRef<Payload<OrganizationRow>>("OrganizationPayload").implement({
  description: "Result of a change to a organization",
  fields: (t) => ({
    organization: t.field({
      type: Organization,
      nullable: true,
      description: "The organization as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const organizations: Curated<OrganizationRow> = {
  entity: "organizations",
  what: "organization",
  update: "organizationUpdate",
  blank: {
    slug: null,
    kind: null,
    nameEn: null,
    nameRu: null,
    nameKk: null,
    alternateNames: [],
    description: null,
    country: null,
    city: null,
    foundedYear: null,
    website: null,
    parent: null,
    identifiers: [],
    citations: [],
  },
  byId: (tx, id) => tx.organization.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.organization.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.organization.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Organization", id, slug),
};

/** The input's record as an import row holds it. */
function organizationRecord(record: typeof OrganizationFields.$inferInput) {
  return {
    ...record,
    identifiers: each(record.identifiers, (i) => ({ scheme: i.scheme ?? null, schemeName: i.schemeName ?? null, value: i.value ?? null })),
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  organizationCreate: t.field({
    type: OrganizationPayload,
    description: "Adds a organization (needs a WRITE key)",
    args: { input: t.arg({ type: OrganizationCreateInput, required: true, description: "The organization to add and why" }) },
    resolve: (_root, { input }, ctx) =>
      createRecord(ctx, organizations, { record: organizationRecord(input.record), reason: input.reason }),
  }),
  organizationUpdate: t.field({
    type: OrganizationPayload,
    description: "Changes a organization (needs a WRITE key)",
    args: { input: t.arg({ type: OrganizationUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) =>
      updateRecord(ctx, organizations, input.slug, { record: organizationRecord(input.record), reason: input.reason }),
  }),
  organizationRetract: t.field({
    type: OrganizationPayload,
    description: "Marks a organization as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: OrganizationRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, organizations, input.slug, input.reason),
  }),
}));
