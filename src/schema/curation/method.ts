// Curation of methods: methodCreate, methodUpdate and methodRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Method as MethodRow } from "../../generated/prisma/client.ts";
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
import { Method, MethodCategoryEnum, MethodStageEnum } from "../method.ts";

const MethodFields = builder.inputType("MethodFields", {
  description: "Fields of a method, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    title: t.string({ description: "Title, as the source gives it" }),
    summary: t.string({ description: "Short summary" }),
    category: t.field({ type: MethodCategoryEnum, description: "Field the method belongs to" }),
    technologyReadinessLevel: t.int({ description: "Technology readiness level, 1 to 9" }),
    stage: t.field({
      type: MethodStageEnum,
      description: "How far the method has got, as the cited source states it; null when no source states it",
    }),
    developers: t.stringList({ description: "Slugs of the organizations that developed the method; replaces the stored list when given" }),
    citations: citationsField(t),
  }),
});

const MethodCreateInput = builder.inputType("MethodCreateInput", {
  description: "A new method",
  fields: (t) => createFields(t, MethodFields, "method"),
});

const MethodUpdateInput = builder.inputType("MethodUpdateInput", {
  description: "Changes to an existing method",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the method to change" }),
    ...updateFields(t, MethodFields),
  }),
});

const MethodRetractInput = builder.inputType("MethodRetractInput", {
  description: "Retraction of a method found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the method to retract" }),
    reason: retractReason(t),
  }),
});

const MethodPayload = builder.objectRef<Payload<MethodRow>>("MethodPayload").implement({
  description: "Result of a change to a method",
  fields: (t) => ({
    method: t.field({
      type: Method,
      nullable: true,
      description: "The method as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const methods: Curated<MethodRow> = {
  entity: "methods",
  what: "method",
  update: "methodUpdate",
  blank: { slug: null, title: null, summary: null, category: null, technologyReadinessLevel: null, developers: [], citations: [] },
  byId: (tx, id) => tx.method.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.method.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.method.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Method", id, slug),
};

/** The input's record as an import row holds it. */
function methodRecord(record: typeof MethodFields.$inferInput) {
  return {
    ...record,
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  methodCreate: t.field({
    type: MethodPayload,
    description: "Adds a method (needs a WRITE key)",
    args: { input: t.arg({ type: MethodCreateInput, required: true, description: "The method to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, methods, { record: methodRecord(input.record), reason: input.reason }),
  }),
  methodUpdate: t.field({
    type: MethodPayload,
    description: "Changes a method (needs a WRITE key)",
    args: { input: t.arg({ type: MethodUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) =>
      updateRecord(ctx, methods, input.slug, { record: methodRecord(input.record), reason: input.reason }),
  }),
  methodRetract: t.field({
    type: MethodPayload,
    description: "Marks a method as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: MethodRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, methods, input.slug, input.reason),
  }),
}));
