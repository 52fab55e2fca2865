// Curation of source documents: sourceCreate, sourceUpdate and sourceRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Source as SourceRow } from "../../generated/prisma/client.ts";
import {
  type Curated,
  createFields,
  createRecord,
  type Payload,
  retractReason,
  retractRecord,
  updateFields,
  updateRecord,
  userErrorsField,
} from "../curation.ts";
import { Source } from "../source.ts";

const SourceFields = builder.inputType("SourceFields", {
  description: "Fields of a source document, as in an import file; see the README for the format of each",
  fields: (t) => ({
    url: t.string({ description: "Address of the document (http or https)" }),
    title: t.string({ description: "Title, as the source gives it" }),
    publisher: t.string({ description: "Who published the document" }),
    language: t.string({ description: "ISO 639-1 code of the document's language, such as en, ru, kk" }),
    published: t.string({ description: "When the document was published: 2024, 2024-06 or 2024-11-20" }),
    retrievedOn: t.string({ description: "Day the document was read, such as 2024-11-20" }),
    note: t.string({ description: "Curator's caveat, such as an unofficial translation" }),
  }),
});

const SourceCreateInput = builder.inputType("SourceCreateInput", {
  description: "A new source document",
  fields: (t) => createFields(t, SourceFields, "source document"),
});

const SourceUpdateInput = builder.inputType("SourceUpdateInput", {
  description: "Changes to an existing source document",
  fields: (t) => ({
    url: t.string({ required: true, description: "Address of the source to change" }),
    ...updateFields(t, SourceFields),
  }),
});

const SourceRetractInput = builder.inputType("SourceRetractInput", {
  description: "Retraction of a source document found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    url: t.string({ required: true, description: "Address of the source to retract" }),
    reason: retractReason(t),
  }),
});

const SourcePayload = builder.objectRef<Payload<SourceRow>>("SourcePayload").implement({
  description: "Result of a change to a source document",
  fields: (t) => ({
    source: t.field({
      type: Source,
      nullable: true,
      description: "The source document as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const sources: Curated<SourceRow> = {
  entity: "sources",
  what: "source document",
  update: "sourceUpdate",
  blank: { url: null, title: null, publisher: null, language: null, published: null, retrievedOn: null, note: null },
  byId: (tx, id) => tx.source.findUnique({ where: { id } }),
  byKey: (tx, url) => tx.source.findUnique({ where: { url } }),
  retract: (tx, id, retraction) => tx.source.update({ where: { id }, data: retraction }),
  rename: (tx, id, url) => tx.source.update({ where: { id }, data: { url } }),
};

builder.mutationFields((t) => ({
  sourceCreate: t.field({
    type: SourcePayload,
    description: "Adds a source document (needs a WRITE key)",
    args: { input: t.arg({ type: SourceCreateInput, required: true, description: "The source document to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, sources, { record: input.record, reason: input.reason }),
  }),
  sourceUpdate: t.field({
    type: SourcePayload,
    description: "Changes a source document (needs a WRITE key)",
    args: { input: t.arg({ type: SourceUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) => updateRecord(ctx, sources, input.url, { record: input.record, reason: input.reason }),
  }),
  sourceRetract: t.field({
    type: SourcePayload,
    description: "Marks a source document as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: SourceRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, sources, input.url, input.reason),
  }),
}));
