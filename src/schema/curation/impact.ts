// Curation of impact claims: impactCreate, impactUpdate and impactRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Impact as ImpactRow } from "../../generated/prisma/client.ts";
import { changeSlug } from "../../slugs.ts";
import { AmountBoundEnum } from "../common/qualifiers.ts";
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
import { Impact, ImpactMetricEnum, ImpactStatusEnum } from "../impact.ts";

const ImpactFields = builder.inputType("ImpactFields", {
  description: "Fields of a impact claim, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    partnership: t.string({ description: "Slug of the partnership" }),
    method: t.string({ description: "Slug of the method" }),
    organization: t.string({ description: "Slug of the organization" }),
    metric: t.field({ type: ImpactMetricEnum, description: "What the impact measures" }),
    description: t.string({ description: "Short description" }),
    value: t.string({ description: "Value as an exact decimal string, such as 12.5" }),
    valueBound: t.field({ type: AmountBoundEnum, description: "How the source qualifies the value; null exactly when the value is null" }),
    unit: t.string({ description: "Unit of the value, such as tonnes per year" }),
    baselineValue: t.string({ description: "Value before, as an exact decimal string" }),
    baselineNote: t.string({ description: "What the baseline is" }),
    periodStart: t.string({ description: "Start of the period measured: 2024, 2024-06 or 2024-11-20" }),
    periodEnd: t.string({ description: "End of the period measured: 2024, 2024-06 or 2024-11-20" }),
    status: t.field({ type: ImpactStatusEnum, description: "Current status" }),
    claimant: t.string({ description: "Slug of the organization that claims the impact" }),
    claimantPerson: t.string({ description: "Slug of the person who claims the impact" }),
    citations: citationsField(t),
  }),
});

const ImpactCreateInput = builder.inputType("ImpactCreateInput", {
  description: "A new impact claim",
  fields: (t) => createFields(t, ImpactFields, "impact claim"),
});

const ImpactUpdateInput = builder.inputType("ImpactUpdateInput", {
  description: "Changes to an existing impact claim",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the impact claim to change" }),
    ...updateFields(t, ImpactFields),
  }),
});

const ImpactRetractInput = builder.inputType("ImpactRetractInput", {
  description: "Retraction of a impact claim found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the impact claim to retract" }),
    reason: retractReason(t),
  }),
});

const ImpactPayload = builder.objectRef<Payload<ImpactRow>>("ImpactPayload").implement({
  description: "Result of a change to a impact claim",
  fields: (t) => ({
    impact: t.field({
      type: Impact,
      nullable: true,
      description: "The impact claim as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const impacts: Curated<ImpactRow> = {
  entity: "impacts",
  what: "impact claim",
  update: "impactUpdate",
  blank: {
    slug: null,
    partnership: null,
    method: null,
    organization: null,
    metric: null,
    description: null,
    value: null,
    valueBound: null,
    unit: null,
    baselineValue: null,
    baselineNote: null,
    periodStart: null,
    periodEnd: null,
    status: null,
    claimant: null,
    claimantPerson: null,
    citations: [],
  },
  byId: (tx, id) => tx.impact.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.impact.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.impact.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Impact", id, slug),
};

/** The input's record as an import row holds it. */
function impactRecord(record: typeof ImpactFields.$inferInput) {
  return {
    ...record,
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  impactCreate: t.field({
    type: ImpactPayload,
    description: "Adds a impact claim (needs a WRITE key)",
    args: { input: t.arg({ type: ImpactCreateInput, required: true, description: "The impact claim to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, impacts, { record: impactRecord(input.record), reason: input.reason }),
  }),
  impactUpdate: t.field({
    type: ImpactPayload,
    description: "Changes a impact claim (needs a WRITE key)",
    args: { input: t.arg({ type: ImpactUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) =>
      updateRecord(ctx, impacts, input.slug, { record: impactRecord(input.record), reason: input.reason }),
  }),
  impactRetract: t.field({
    type: ImpactPayload,
    description: "Marks a impact claim as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: ImpactRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, impacts, input.slug, input.reason),
  }),
}));
