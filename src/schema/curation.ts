// What the curation mutations share (each entity's own are in ./curation/<entity>.ts): the user
// errors, the inputs every entity has, and the write path. A mutation validates its record exactly
// as the importer validates a row (parseRecord, the same zod schemas), writes through the same
// RecordWriter (so the change log records who, when, what and why), and answers bad input with `userErrors`.
import type { InputObjectRef } from "@pothos/core";
import { requireScope } from "../auth/guard.ts";
import { builder, type Context, type Types } from "../builder.ts";
import { prisma } from "../db.ts";
import { env } from "../env.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { readRecord } from "../import/export.ts";
import { type Entity, entities, type FieldProblem, parseRecord, referencesOf, text } from "../import/records.ts";
import { type RecordWriter, writeTransaction } from "../import/write.ts";
import { ConfidenceEnum } from "./common/qualifiers.ts";

builder.mutationType({
  description: "Changes to the dataset, for curators with an API key; every change is recorded in the public history",
});

export const UserErrorCode = builder.enumType("UserErrorCode", {
  description: "Why a change was refused",
  values: {
    INVALID: { description: "A value is missing or not in the expected form" },
    NOT_FOUND: { description: "The record to change, or a record it refers to, does not exist" },
    TAKEN: { description: "Another record already has this slug, url or identifier" },
    CITATION_REQUIRED: { description: "The change does not cite a source" },
    ALREADY_RETRACTED: { description: "The record was already retracted" },
    RATE_LIMITED: { description: "Too many requests from this client; try again later" },
  },
});
type Code = (typeof UserErrorCode)["$inferType"];

export interface UserErrorValue {
  field: string | null;
  message: string;
  code: Code;
}

export const UserError = builder.objectRef<UserErrorValue>("UserError").implement({
  description: "A problem with the input of a mutation; nothing was changed",
  fields: (t) => ({
    field: t.string({
      nullable: true,
      description: "Path of the input field at fault, such as record.citations[0].source",
      resolve: (e) => e.field,
    }),
    message: t.string({ description: "What was wrong, and what was expected", resolve: (e) => e.message }),
    code: t.field({ type: UserErrorCode, description: "Kind of problem, for programs", resolve: (e) => e.code }),
  }),
});

export const userErrorsField = <Row>(t: PothosSchemaTypes.ObjectFieldBuilder<Types, Payload<Row>>) =>
  t.field({ type: [UserError], description: "Why the change was refused; empty when it was made", resolve: (p) => p.userErrors });

function problemsToUserErrors(prefix: string, problems: FieldProblem[], code: Code = "INVALID"): UserErrorValue[] {
  return problems.map((p) => ({
    field: `${prefix}.${p.field}`,
    message: `found ${p.found === undefined ? "(missing)" : JSON.stringify(p.found)}; ${p.expected}`,
    code,
  }));
}

// ---- Inputs every entity shares ----

type InputFields = PothosSchemaTypes.InputFieldBuilder<Types, "InputObject">;

export const CitationInput = builder.inputType("CitationInput", {
  description: "Source of a fact: which document, and the words that support it",
  fields: (t) => ({
    source: t.string({ description: "Address of the source; it must already be in the dataset (see sourceCreate)" }),
    quote: t.string({ description: "Exact words of the source that support the fact; null when none can be quoted" }),
    confidence: t.field({ type: ConfidenceEnum, description: "How firmly the source supports the fact" }),
    note: t.string({ description: "Curator's caveat, such as an unofficial translation" }),
  }),
});

/** The slug that keys a record and the slugs it had before. */
export const slugFields = (t: InputFields) => ({
  slug: t.string({ description: "Short stable name used in addresses: lowercase letters, digits and hyphens, such as bekturov-institute" }),
  formerSlugs: t.stringList({ description: "Slugs the record was published under before; addresses using them keep answering for it" }),
});

export const citationsField = (t: InputFields) =>
  t.field({ type: [CitationInput], description: "Sources that state the facts; on update they are added to the record's citations" });

export const nameInputFields = (t: InputFields) => ({
  nameEn: t.string({ description: "Name in English" }),
  nameRu: t.string({ description: "Name in Russian" }),
  nameKk: t.string({ description: "Name in Kazakh" }),
});

/** The record and reason of a `…CreateInput`. */
export function createFields<T extends object>(t: InputFields, fields: InputObjectRef<Types, T>, what: string) {
  return {
    record: t.field({ type: fields, required: true, description: `The ${what}; fields left out are empty` }),
    reason: t.string({ required: true, description: "Why the record is added, for the public history" }),
  };
}

/** The record and reason of a `…UpdateInput`; the entity adds the key of the record to change. */
export function updateFields<T extends object>(t: InputFields, fields: InputObjectRef<Types, T>) {
  return {
    record: t.field({
      type: fields,
      required: true,
      description: "Fields to change; fields left out keep their stored value, citations are added",
    }),
    reason: t.string({ required: true, description: "Why the record changes, for the public history" }),
  };
}

export const retractReason = (t: InputFields) => t.string({ required: true, description: "Why the record is retracted, shown with it" });

/** A nested input as an import row holds it: a field left out is null (a list, empty), `note` is left out. */
export function citationRecord(c: typeof CitationInput.$inferInput) {
  return {
    source: c.source ?? null,
    quote: c.quote ?? null,
    confidence: c.confidence ?? null,
    ...(c.note === undefined ? {} : { note: c.note }),
  };
}

/** `fn` applied to each item of a list given in an input; a list left out (or null) stays so. */
export function each<T, R>(list: readonly T[] | null | undefined, fn: (item: T) => R): R[] | null | undefined {
  return list == null ? list : list.map(fn);
}

// ---- The write path every entity's mutations share ----

type Tx = Prisma.TransactionClient;
type StoredRow = { id: number; retractedAt: Date | null };

/** What the shared write path needs to know of one entity. */
export interface Curated<Row extends StoredRow> {
  entity: Entity;
  /** The entity in messages, such as "funding record". */
  what: string;
  /** Mutation that changes an existing record, named when a create finds the key taken. */
  update: string;
  /** The record as a create leaves the fields the input does not give: null, an empty list, or absent when optional. */
  blank: Record<string, unknown>;
  byId(tx: Tx, id: number): PromiseLike<Row | null>;
  byKey(tx: Tx, key: string): PromiseLike<Row | null>;
  retract(tx: Tx, id: number, retraction: { retractedAt: Date; retractionReason: string }): PromiseLike<Row>;
  /** Gives the record a new key (a new slug keeps the old one answering; a source's url has no aliases). */
  rename(tx: Tx, id: number, to: string): Promise<unknown>;
}

export interface Payload<Row> {
  record: Row | null;
  userErrors: UserErrorValue[];
}

const reasonText = text.max(2000, "expected at most 2000 characters");

const refused = (userErrors: UserErrorValue[]): Payload<never> => ({ record: null, userErrors });

/** Thrown inside a write transaction to roll back what it wrote and refuse the change. */
class Refusal extends Error {
  constructor(readonly userErrors: UserErrorValue[]) {
    super("refused");
  }
}

// Writes of one record take turns (see RecordWriter.lock), each holding a connection while it waits:
// a mutation waits for a connection and for its turn as long as a query may run, not Prisma's 2 s and 5 s.
const waitForTurn = { maxWait: env.QUERY_TIMEOUT_MS, timeout: env.QUERY_TIMEOUT_MS };

function invalidReason(reason: string): UserErrorValue[] {
  const parsed = reasonText.safeParse(reason);
  return parsed.success
    ? []
    : [{ field: "reason", message: `found ${JSON.stringify(reason)}; ${parsed.error.issues[0].message} saying why`, code: "INVALID" }];
}

const taken = (curated: Curated<StoredRow>, key: unknown, field: string = entities[curated.entity].key): UserErrorValue => ({
  field: `record.${field}`,
  message: `a ${curated.what} with ${entities[curated.entity].key} ${JSON.stringify(key)} already exists; use ${curated.update}`,
  code: "TAKEN",
});

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object";
const citationList = (value: unknown) => (Array.isArray(value) ? value.filter(isObject) : []);
const sameCitation = (c: Record<string, unknown>) => JSON.stringify([c.source, c.quote, c.confidence, c.note ?? null]);

/** References the record makes to records that do not exist, as user errors. */
async function missingReferences(writer: RecordWriter, entity: Entity, record: unknown): Promise<UserErrorValue[]> {
  const errors: UserErrorValue[] = [];
  for (const ref of referencesOf(entity, record)) {
    if ((await writer.idOf(ref.target, ref.value)) === undefined)
      errors.push({
        field: `record.${ref.field}`,
        message: `found ${JSON.stringify(ref.value)}; expected the ${entities[ref.target].key} of one of the existing ${ref.target}`,
        code: "NOT_FOUND",
      });
  }
  return errors;
}

/**
 * Adds (`key` null) or changes the record with key `key`: the input's fields, validated exactly as
 * an import row, written through the importer's RecordWriter so the change log says who and why.
 */
async function write<Row extends StoredRow>(
  ctx: Context,
  curated: Curated<Row>,
  key: string | null,
  input: Record<string, unknown>,
  reasonInput: string,
): Promise<Payload<Row>> {
  const author = requireScope(ctx, "WRITE");
  const { entity } = curated;
  const keyField = entities[entity].key;
  const badReason = invalidReason(reasonInput);
  if (badReason.length) return refused(badReason);
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  if (entity !== "sources" && !(Array.isArray(given.citations) && given.citations.length > 0))
    return refused([
      { field: "record.citations", message: "expected at least one citation: every change needs a source", code: "CITATION_REQUIRED" },
    ]);

  try {
    return await writeTransaction(
      prisma(),
      { actor: author.name, reason: reasonInput },
      async (tx, writer) => {
        let record: Record<string, unknown>;
        let renamed: { id: number; from: string } | undefined;
        if (key === null) {
          record = { ...curated.blank, ...given };
          // A record stored under one of the former slugs given is not new either: the write would rename it.
          const formerSlugs = Array.isArray(record.formerSlugs) ? record.formerSlugs : [];
          const keys = [[keyField, record[keyField]], ...formerSlugs.map((slug) => ["formerSlugs", slug])];
          for (const [field, value] of keys)
            if (typeof value === "string" && (await writer.idOf(entity, value)) !== undefined)
              return refused([taken(curated, value, field)]);
        } else {
          await writer.lock(entity, key);
          const current: Record<string, unknown> | null = await readRecord(tx, entity, key);
          if (!current)
            return refused([{ field: keyField, message: `no ${curated.what} has ${keyField} ${JSON.stringify(key)}`, code: "NOT_FOUND" }]);
          record = { ...current, ...given };
          if (entity !== "sources") {
            const stored = citationList(current.citations);
            const added = citationList(given.citations).filter((c) => !stored.some((s) => sameCitation(s) === sameCitation(c)));
            record.citations = [...stored, ...added];
          }
          const newKey = record[keyField];
          if (newKey !== key && typeof newKey === "string") {
            if ((await writer.idOf(entity, newKey)) !== undefined)
              return refused([
                {
                  field: `record.${keyField}`,
                  message: `another ${curated.what} already has ${keyField} ${JSON.stringify(newKey)}`,
                  code: "TAKEN",
                },
              ]);
            renamed = { id: (await writer.idOf(entity, key))!, from: key };
          }
        }
        const { data, problems } = parseRecord(entity, record);
        const errors = [...problemsToUserErrors("record", problems), ...(await missingReferences(writer, entity, record))];
        if (!data || errors.length) return refused(errors);
        if (renamed) {
          const to = String(record[keyField]);
          await curated.rename(tx, renamed.id, to);
          await writer.logChange({
            action: "UPDATE",
            recordType: entities[curated.entity].model,
            recordId: renamed.id,
            fields: [keyField],
            before: { [keyField]: renamed.from },
            after: { [keyField]: to },
          });
        }
        const id = await writer.write(entity, data);
        // Another create of the same key committed after the check above: the write found it stored.
        if (key === null && !writer.report[entity].created) throw new Refusal([taken(curated, record[keyField])]);
        await writer.finish();
        return { record: await curated.byId(tx, id), userErrors: [] };
      },
      waitForTurn,
    );
  } catch (error) {
    if (error instanceof Refusal) return refused(error.userErrors);
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return refused([uniqueViolation(error, given)]);
    throw error;
  }
}

export const createRecord = <Row extends StoredRow>(
  ctx: Context,
  curated: Curated<Row>,
  input: { record: Record<string, unknown>; reason: string },
) => write(ctx, curated, null, input.record, input.reason);

export const updateRecord = <Row extends StoredRow>(
  ctx: Context,
  curated: Curated<Row>,
  key: string,
  input: { record: Record<string, unknown>; reason: string },
) => write(ctx, curated, key, input.record, input.reason);

/**
 * A value that another write stored first, after the checks above (such as a new slug created while
 * a record was being renamed to it), as a user error naming the field and the value given.
 */
function uniqueViolation(error: Prisma.PrismaClientKnownRequestError, given: Record<string, unknown>): UserErrorValue {
  const cause = (error.meta?.driverAdapterError as { cause?: { table?: string; constraint?: { index?: string } } } | undefined)?.cause;
  const table = cause?.table ?? "record";
  // Prisma names a unique index <Table>_<column>_<column>..._key; no column name has an underscore.
  const index = cause?.constraint?.index ?? "";
  const columns = index.startsWith(`${table}_`) && index.endsWith("_key") ? index.slice(table.length + 1, -"_key".length).split("_") : [];
  if (columns.length === 1 && given[columns[0]] !== undefined)
    return {
      field: `record.${columns[0]}`,
      message: `another ${table} already has ${columns[0]} ${JSON.stringify(given[columns[0]])}`,
      code: "TAKEN",
    };
  const what = columns.length ? `the same ${columns.join(", ")}` : "one of these values";
  return { field: "record", message: `another ${table} already has ${what}`, code: "TAKEN" };
}

export async function retractRecord<Row extends StoredRow>(
  ctx: Context,
  curated: Curated<Row>,
  key: string,
  reasonInput: string,
): Promise<Payload<Row>> {
  const author = requireScope(ctx, "WRITE");
  const keyField = entities[curated.entity].key;
  const badReason = invalidReason(reasonInput);
  if (badReason.length) return refused(badReason);
  return writeTransaction(
    prisma(),
    { actor: author.name, reason: reasonInput },
    async (tx, writer) => {
      await writer.lock(curated.entity, key);
      const current = await curated.byKey(tx, key);
      if (!current)
        return refused([{ field: keyField, message: `no ${curated.what} has ${keyField} ${JSON.stringify(key)}`, code: "NOT_FOUND" }]);
      if (current.retractedAt)
        return refused([
          {
            field: keyField,
            message: `this ${curated.what} was already retracted on ${current.retractedAt.toISOString()}`,
            code: "ALREADY_RETRACTED",
          },
        ]);
      const retractedAt = new Date();
      const record = await curated.retract(tx, current.id, { retractedAt, retractionReason: reasonInput });
      await writer.logChange({
        action: "RETRACT",
        recordType: entities[curated.entity].model,
        recordId: current.id,
        fields: ["retractionAt", "retractionReason"],
        before: { retractionAt: null, retractionReason: null },
        after: { retractionAt: retractedAt.toISOString(), retractionReason: reasonInput },
      });
      await writer.finish();
      return { record, userErrors: [] };
    },
    waitForTurn,
  );
}
