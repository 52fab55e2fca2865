// Curation of funding programmes: programmeCreate, programmeUpdate and programmeRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Programme as ProgrammeRow } from "../../generated/prisma/client.ts";
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
import { Programme, ProgrammeKindEnum } from "../programme.ts";

const ProgrammeFields = builder.inputType("ProgrammeFields", {
  description: "Fields of a funding programme, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    name: t.string({ description: "Name" }),
    description: t.string({ description: "Short description" }),
    kind: t.field({ type: ProgrammeKindEnum, description: "What sort of record it is" }),
    operator: t.string({ description: "Slug of the organization that runs the programme" }),
    maxAwardAmount: t.string({ description: "Largest award as an exact decimal string, such as 150000000" }),
    maxAwardCurrency: t.string({ description: "ISO 4217 currency of the largest award, such as KZT" }),
    citations: citationsField(t),
  }),
});

const ProgrammeCreateInput = builder.inputType("ProgrammeCreateInput", {
  description: "A new funding programme",
  fields: (t) => createFields(t, ProgrammeFields, "funding programme"),
});

const ProgrammeUpdateInput = builder.inputType("ProgrammeUpdateInput", {
  description: "Changes to an existing funding programme",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the funding programme to change" }),
    ...updateFields(t, ProgrammeFields),
  }),
});

const ProgrammeRetractInput = builder.inputType("ProgrammeRetractInput", {
  description: "Retraction of a funding programme found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the funding programme to retract" }),
    reason: retractReason(t),
  }),
});

const ProgrammePayload = builder.objectRef<Payload<ProgrammeRow>>("ProgrammePayload").implement({
  description: "Result of a change to a funding programme",
  fields: (t) => ({
    programme: t.field({
      type: Programme,
      nullable: true,
      description: "The funding programme as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const programmes: Curated<ProgrammeRow> = {
  entity: "programmes",
  what: "funding programme",
  update: "programmeUpdate",
  blank: {
    slug: null,
    name: null,
    description: null,
    kind: null,
    operator: null,
    maxAwardAmount: null,
    maxAwardCurrency: null,
    citations: [],
  },
  byId: (tx, id) => tx.programme.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.programme.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.programme.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Programme", id, slug),
};

/** The input's record as an import row holds it. */
function programmeRecord(record: typeof ProgrammeFields.$inferInput) {
  return {
    ...record,
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  programmeCreate: t.field({
    type: ProgrammePayload,
    description: "Adds a funding programme (needs a WRITE key)",
    args: { input: t.arg({ type: ProgrammeCreateInput, required: true, description: "The funding programme to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, programmes, { record: programmeRecord(input.record), reason: input.reason }),
  }),
  programmeUpdate: t.field({
    type: ProgrammePayload,
    description: "Changes a funding programme (needs a WRITE key)",
    args: { input: t.arg({ type: ProgrammeUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) =>
      updateRecord(ctx, programmes, input.slug, { record: programmeRecord(input.record), reason: input.reason }),
  }),
  programmeRetract: t.field({
    type: ProgrammePayload,
    description: "Marks a funding programme as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: ProgrammeRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, programmes, input.slug, input.reason),
  }),
}));
