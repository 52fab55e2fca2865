// Curation of people: personCreate, personUpdate and personRetract (the shared write path is in ../curation.ts).
import { builder } from "../../builder.ts";
import type { Person as PersonRow } from "../../generated/prisma/client.ts";
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
import { Person } from "../person.ts";

const RoleInput = builder.inputType("RoleInput", {
  description: "Position a person holds or held in an organization, with its sources",
  fields: (t) => ({
    organization: t.string({ description: "Slug of the organization" }),
    title: t.string({ description: "Title, as the source gives it" }),
    start: t.string({ description: "Start date: 2024, 2024-06 or 2024-11-20" }),
    end: t.string({ description: "End date: 2024, 2024-06 or 2024-11-20" }),
    citations: citationsField(t),
  }),
});

const PersonFields = builder.inputType("PersonFields", {
  description: "Fields of a person, as in an import file; see the README for the format of each",
  fields: (t) => ({
    ...slugFields(t),
    ...nameInputFields(t),
    citations: citationsField(t),
    roles: t.field({ type: [RoleInput], description: "Positions the person holds or held; replaces the stored list when given" }),
  }),
});

const PersonCreateInput = builder.inputType("PersonCreateInput", {
  description: "A new person",
  fields: (t) => createFields(t, PersonFields, "person"),
});

const PersonUpdateInput = builder.inputType("PersonUpdateInput", {
  description: "Changes to an existing person",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the person to change" }),
    ...updateFields(t, PersonFields),
  }),
});

const PersonRetractInput = builder.inputType("PersonRetractInput", {
  description: "Retraction of a person found to be wrong: it stays visible, marked retracted with the reason and date",
  fields: (t) => ({
    slug: t.string({ required: true, description: "Slug of the person to retract" }),
    reason: retractReason(t),
  }),
});

const PersonPayload = builder.objectRef<Payload<PersonRow>>("PersonPayload").implement({
  description: "Result of a change to a person",
  fields: (t) => ({
    person: t.field({
      type: Person,
      nullable: true,
      description: "The person as it is after the change; null when the change was refused",
      resolve: (p) => p.record,
    }),
    userErrors: userErrorsField(t),
  }),
});

const people: Curated<PersonRow> = {
  entity: "people",
  what: "person",
  update: "personUpdate",
  blank: { slug: null, nameEn: null, nameRu: null, nameKk: null, citations: [], roles: [] },
  byId: (tx, id) => tx.person.findUnique({ where: { id } }),
  byKey: (tx, slug) => tx.person.findUnique({ where: { slug } }),
  retract: (tx, id, retraction) => tx.person.update({ where: { id }, data: retraction }),
  rename: (tx, id, slug) => changeSlug(tx, "Person", id, slug),
};

/** The input's record as an import row holds it. */
function personRecord(record: typeof PersonFields.$inferInput) {
  return {
    ...record,
    roles: each(record.roles, (r) => ({
      organization: r.organization ?? null,
      title: r.title ?? null,
      start: r.start ?? null,
      end: r.end ?? null,
      citations: r.citations === undefined ? [] : each(r.citations, citationRecord),
    })),
    citations: each(record.citations, citationRecord),
  };
}

builder.mutationFields((t) => ({
  personCreate: t.field({
    type: PersonPayload,
    description: "Adds a person (needs a WRITE key)",
    args: { input: t.arg({ type: PersonCreateInput, required: true, description: "The person to add and why" }) },
    resolve: (_root, { input }, ctx) => createRecord(ctx, people, { record: personRecord(input.record), reason: input.reason }),
  }),
  personUpdate: t.field({
    type: PersonPayload,
    description: "Changes a person (needs a WRITE key)",
    args: { input: t.arg({ type: PersonUpdateInput, required: true, description: "Which record, what changes and why" }) },
    resolve: (_root, { input }, ctx) => updateRecord(ctx, people, input.slug, { record: personRecord(input.record), reason: input.reason }),
  }),
  personRetract: t.field({
    type: PersonPayload,
    description: "Marks a person as retracted, keeping it visible with the reason (needs a WRITE key)",
    args: { input: t.arg({ type: PersonRetractInput, required: true, description: "Which record and why" }) },
    resolve: (_root, { input }, ctx) => retractRecord(ctx, people, input.slug, input.reason),
  }),
}));
