// Curation of funding records: fundingCreate, fundingUpdate and fundingRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Funding as FundingRow } from "../../generated/prisma/client.ts";
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
import { AmountKindEnum, Funding } from "../funding.ts";

const FundingFields = builder.inputType("FundingFields", {
  description: "Fields of a funding record, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    description: t.string({ description: "Short description" }),
    funder: t.string({ description: "Slug of the organization that gave the money" }),
    recipient: t.string({ description: "Slug of the organization that received it" }),
    programme: t.string({ description: "Slug of the funding programme" }),
    partnership: t.string({ description: "Slug of the partnership" }),
    method: t.string({ description: "Slug of the method" }),
    amount: t.string({ description: "Amount as an exact decimal string, such as 643000000; null when not disclosed" }),
    amountBound: t.field({
      type: AmountBoundEnum,
      description: "How the source qualifies the amount; null exactly when the amount is null",
    }),
    currency: t.string({ description: "ISO 4217 code of the currency, such as KZT" }),
    amountKind: t.field({ type: AmountKindEnum, description: "Whether the money was allocated, awarded, disbursed, invested or budgeted" }),
    date: t.string({ description: "Date of the funding decision or payment: 2024, 2024-06 or 2024-11-20" }),
    fiscalYearStart: t.int({ description: "First fiscal year covered" }),
    fiscalYearEnd: t.int({ description: "Last fiscal year covered" }),
    citations: citationsField(t),
  }),
});

const FundingCreateInput = builder.inputType("FundingCreateInput", {
  description: "A new funding record",
  fields: (t) => createFields(t, FundingFields, "funding record"),
});

const FundingUpdateInput = builder.inputType("FundingUpdateInput", {
  description: "Changes to an existing funding record",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the funding record to change" }),
    ...updateFields(t, FundingFields),
  }),
});

const FundingRetractInput = builder.inputType("FundingRetractInput", {
  description: "Retraction of a funding record found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the funding record to retract" }),
    reason: retractReason(t),
  }),
});

const FundingPayload = builder.objectRef<Payload<FundingRow>>("FundingPayload").implement({
  description: "Result of a change to a funding record",
  fields: (t) => ({
    funding: t.field({
      type: Funding,
      nullable: true,
      description: "The funding record as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const fundings: Curated<FundingRow> = {
  entity: "fundings",
  what: "funding record",
  update: "fundingUpdate",
  blank: {
    slug: null,
    description: null,
    funder: null,
    recipient: null,
    programme: null,
    partnership: null,
    method: null,
    amount: null,
    amountBound: null,
    currency: null,
    amountKind: null,
    date: null,
    fiscalYearStart: null,
    fiscalYearEnd: null,
    citations: [],
  },
  byId: (tx, id) => tx.funding.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.funding.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.funding.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Funding", id, slug),
};

/** The input's record as an import row holds it. */
function fundingRecord(record: typeof FundingFields.$inferInput) {
  return {
    ...record,
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  fundingCreate: t.field({
    type: FundingPayload,
    description: "Adds a funding record (needs a WRITE key)",
    args: { input: t.arg({ type: FundingCreateInput, required: true, description: "The funding record to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, fundings, { record: fundingRecord(input.record), reason: input.reason }),
  }),
  fundingUpdate: t.field({
    type: FundingPayload,
    description: "Changes a funding record (needs a WRITE key)",
    args: { input: t.arg({ type: FundingUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) =>
      updateRecord(ctx, fundings, input.slug, { record: fundingRecord(input.record), reason: input.reason }),
  }),
  fundingRetract: t.field({
    type: FundingPayload,
    description: "Marks a funding record as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: FundingRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, fundings, input.slug, input.reason),
  }),
}));
