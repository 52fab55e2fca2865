// Curation of partnerships: partnershipCreate, partnershipUpdate and partnershipRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Partnership as PartnershipRow } from "../../generated/prisma/client.ts";
import { changeSlug } from "../../slugs.ts";
import {
  type Curated,
  citationRecord,
  citationsField,
  createFields,
  createRecord,
  each,
  type Payload,
  retractReason,
  retractRecord,
  slugFields,
  updateFields,
  updateRecord,
  userErrorsField,
} from "../curation.ts";
import { ParticipantRoleEnum, Partnership, PartnershipKindEnum, PartnershipStatusEnum } from "../partnership.ts";

const ParticipantInput = builder.inputType("ParticipantInput", {
  description: "Organization taking part in a partnership, with its role",
  fields: (t) => ({
    organization: t.string({ description: "Slug of the organization" }),
    role: t.field({ type: ParticipantRoleEnum, description: "Role of the organization in the partnership" }),
  }),
});

const PartnershipFields = builder.inputType("PartnershipFields", {
  description: "Fields of a partnership, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    title: t.string({ description: "Title, as the source gives it" }),
    summary: t.string({ description: "Short summary" }),
    kind: t.field({ type: PartnershipKindEnum, description: "What sort of record it is" }),
    status: t.field({ type: PartnershipStatusEnum, description: "Current status" }),
    city: t.string({ description: "City" }),
    start: t.string({ description: "Start date: 2024, 2024-06 or 2024-11-20" }),
    end: t.string({ description: "End date: 2024, 2024-06 or 2024-11-20" }),
    participants: t.field({
      type: [ParticipantInput],
      description: "Organizations taking part, with their roles; replaces the stored list when given",
    }),
    methods: t.stringList({ description: "Slugs of the methods applied; replaces the stored list when given" }),
    citations: citationsField(t),
  }),
});

const PartnershipCreateInput = builder.inputType("PartnershipCreateInput", {
  description: "A new partnership",
  fields: (t) => createFields(t, PartnershipFields, "partnership"),
});

const PartnershipUpdateInput = builder.inputType("PartnershipUpdateInput", {
  description: "Changes to an existing partnership",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the partnership to change" }),
    ...updateFields(t, PartnershipFields),
  }),
});

const PartnershipRetractInput = builder.inputType("PartnershipRetractInput", {
  description: "Retraction of a partnership found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the partnership to retract" }),
    reason: retractReason(t),
  }),
});

const PartnershipPayload = builder.objectRef<Payload<PartnershipRow>>("PartnershipPayload").implement({
  description: "Result of a change to a partnership",
  fields: (t) => ({
    partnership: t.field({
      type: Partnership,
      nullable: true,
      description: "The partnership as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const partnerships: Curated<PartnershipRow> = {
  entity: "partnerships",
  what: "partnership",
  update: "partnershipUpdate",
  blank: {
    slug: null,
    title: null,
    summary: null,
    kind: null,
    status: null,
    city: null,
    start: null,
    end: null,
    participants: [],
    methods: [],
    citations: [],
  },
  byId: (tx, id) => tx.partnership.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.partnership.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.partnership.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Partnership", id, slug),
};

/** The input's record as an import row holds it. */
function partnershipRecord(record: typeof PartnershipFields.$inferInput) {
  return {
    ...record,
    participants: each(record.participants, (p) => ({ organization: p.organization ?? null, role: p.role ?? null })),
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  partnershipCreate: t.field({
    type: PartnershipPayload,
    description: "Adds a partnership (needs a WRITE key)",
    args: { input: t.arg({ type: PartnershipCreateInput, required: true, description: "The partnership to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, partnerships, { record: partnershipRecord(input.record), reason: input.reason }),
  }),
  partnershipUpdate: t.field({
    type: PartnershipPayload,
    description: "Changes a partnership (needs a WRITE key)",
    args: { input: t.arg({ type: PartnershipUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) =>
      updateRecord(ctx, partnerships, input.slug, { record: partnershipRecord(input.record), reason: input.reason }),
  }),
  partnershipRetract: t.field({
    type: PartnershipPayload,
    description: "Marks a partnership as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: PartnershipRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, partnerships, input.slug, input.reason),
  }),
}));
