// Authenticated writes: create, update and retract for every entity. Each mutation validates its
// record exactly as the importer validates a row, writes through the same RecordWriter (so the
// change log records who, when, what and why), and answers bad input with `userErrors`.
import type { InputFieldRef, InputObjectRef } from "@pothos/core";
import { requireScope } from "../auth/guard.ts";
import { builder, type Context, type Types } from "../builder.ts";
import { prisma } from "../db.ts";
import { env } from "../env.ts";
import { Prisma } from "../generated/prisma/client.ts";
import * as enums from "../generated/prisma/enums.ts";
import { readRecord } from "../import/export.ts";
import { entities, parseRecord, referencesOf, text, type Entity, type FieldProblem } from "../import/records.ts";
import { writeTransaction, type RecordWriter } from "../import/write.ts";
import { changeSlug, type SluggedType } from "../slugs.ts";
import { AmountBoundEnum, ConfidenceEnum } from "./common.ts";
import { AmountKindEnum, Funding } from "./funding.ts";
import { Impact, ImpactMetricEnum, ImpactStatusEnum } from "./impact.ts";
import { Method, MethodCategoryEnum, MethodStageEnum } from "./method.ts";
import { IdentifierSchemeEnum, Organization, OrganizationKindEnum } from "./organization.ts";
import { ParticipantRoleEnum, Partnership, PartnershipKindEnum, PartnershipStatusEnum } from "./partnership.ts";
import { Person } from "./person.ts";
import { Programme, ProgrammeKindEnum } from "./programme.ts";
import { Source } from "./source.ts";

builder.mutationType({ description: "Changes to the dataset, for curators with an API key; every change is recorded in the public history" });

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
    field: t.string({ nullable: true, description: "Path of the input field at fault, such as record.citations[0].source", resolve: (e) => e.field }),
    message: t.string({ description: "What was wrong, and what was expected", resolve: (e) => e.message }),
    code: t.field({ type: UserErrorCode, description: "Kind of problem, for programs", resolve: (e) => e.code }),
  }),
});

export function problemsToUserErrors(prefix: string, problems: FieldProblem[], code: Code = "INVALID"): UserErrorValue[] {
  return problems.map((p) => ({
    field: `${prefix}.${p.field}`,
    message: `found ${p.found === undefined ? "(missing)" : JSON.stringify(p.found)}; ${p.expected}`,
    code,
  }));
}

// ---- Input types, derived from the import format so a mutation accepts exactly what a file row does ----

const descriptions: Record<string, string> = {
  slug: "Short stable name used in addresses: lowercase letters, digits and hyphens, such as bekturov-institute",
  formerSlugs: "Slugs the record was published under before; addresses using them keep answering for it",
  url: "Address of the document (http or https)",
  title: "Title, as the source gives it",
  publisher: "Who published the document",
  language: "ISO 639-1 code of the document's language, such as en, ru, kk",
  published: "When the document was published: 2024, 2024-06 or 2024-11-20",
  retrievedOn: "Day the document was read, such as 2024-11-20",
  note: "Curator's caveat, such as an unofficial translation",
  kind: "What sort of record it is",
  nameEn: "Name in English",
  nameRu: "Name in Russian",
  nameKk: "Name in Kazakh",
  alternateNames: "Other names used in sources, including former names",
  description: "Short description",
  country: "ISO 3166-1 alpha-2 code of the country, such as KZ",
  city: "City",
  foundedYear: "Year founded",
  website: "Official website (http or https)",
  parent: "Slug of the organization this one belongs to",
  identifiers: "Identifiers in external registries; replaces the stored list when given",
  citations: "Sources that state the facts; on update they are added to the record's citations",
  roles: "Positions the person holds or held; replaces the stored list when given",
  summary: "Short summary",
  category: "Field the method belongs to",
  technologyReadinessLevel: "Technology readiness level, 1 to 9",
  stage: "How far the method has got, as the cited source states it; null when no source states it",
  developers: "Slugs of the organizations that developed the method; replaces the stored list when given",
  status: "Current status",
  start: "Start date: 2024, 2024-06 or 2024-11-20",
  end: "End date: 2024, 2024-06 or 2024-11-20",
  participants: "Organizations taking part, with their roles; replaces the stored list when given",
  methods: "Slugs of the methods applied; replaces the stored list when given",
  name: "Name",
  operator: "Slug of the organization that runs the programme",
  maxAwardAmount: "Largest award as an exact decimal string, such as 150000000",
  maxAwardCurrency: "ISO 4217 currency of the largest award, such as KZT",
  funder: "Slug of the organization that gave the money",
  recipient: "Slug of the organization that received it",
  programme: "Slug of the funding programme",
  partnership: "Slug of the partnership",
  method: "Slug of the method",
  amount: "Amount as an exact decimal string, such as 643000000; null when not disclosed",
  amountBound: "How the source qualifies the amount; null exactly when the amount is null",
  currency: "ISO 4217 code of the currency, such as KZT",
  amountKind: "Whether the money was allocated, awarded, disbursed, invested or budgeted",
  date: "Date of the funding decision or payment: 2024, 2024-06 or 2024-11-20",
  fiscalYearStart: "First fiscal year covered",
  fiscalYearEnd: "Last fiscal year covered",
  organization: "Slug of the organization",
  metric: "What the impact measures",
  value: "Value as an exact decimal string, such as 12.5",
  valueBound: "How the source qualifies the value; null exactly when the value is null",
  unit: "Unit of the value, such as tonnes per year",
  baselineValue: "Value before, as an exact decimal string",
  baselineNote: "What the baseline is",
  periodStart: "Start of the period measured: 2024, 2024-06 or 2024-11-20",
  periodEnd: "End of the period measured: 2024, 2024-06 or 2024-11-20",
  claimant: "Slug of the organization that claims the impact",
  claimantPerson: "Slug of the person who claims the impact",
  quote: "Exact words of the source that support the fact; null when none can be quoted",
  confidence: "How firmly the source supports the fact",
  source: "Address of the source; it must already be in the dataset (see sourceCreate)",
  scheme: "Registry that issued the identifier",
  schemeName: "Name of the scheme when scheme is OTHER, such as KASE ticker; null otherwise",
  role: "Role of the organization in the partnership",
};

const enumPairs: [Record<string, string>, unknown][] = [
  [enums.OrganizationKind, OrganizationKindEnum],
  [enums.IdentifierScheme, IdentifierSchemeEnum],
  [enums.MethodCategory, MethodCategoryEnum],
  [enums.MethodStage, MethodStageEnum],
  [enums.PartnershipKind, PartnershipKindEnum],
  [enums.PartnershipStatus, PartnershipStatusEnum],
  [enums.ParticipantRole, ParticipantRoleEnum],
  [enums.ProgrammeKind, ProgrammeKindEnum],
  [enums.AmountKind, AmountKindEnum],
  [enums.AmountBound, AmountBoundEnum],
  [enums.ImpactMetric, ImpactMetricEnum],
  [enums.ImpactStatus, ImpactStatusEnum],
  [enums.Confidence, ConfidenceEnum],
];
const enumByValues = new Map(enumPairs.map(([values, ref]) => [Object.values(values).sort().join(","), ref]));

interface ZodDef {
  type: string;
  innerType?: { _zod: { def: ZodDef } };
  element?: { _zod: { def: ZodDef } };
  entries?: Record<string, string>;
  shape?: Record<string, { _zod: { def: ZodDef } }>;
}

const nestedInputs = new Map<string, InputObjectRef<Types, any>>();

function inputFieldsOf(t: PothosSchemaTypes.InputFieldBuilder<Types, "InputObject">, shape: Record<string, { _zod: { def: ZodDef } }>, typeName: string) {
  const fields: Record<string, InputFieldRef<Types, unknown>> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const description = descriptions[name];
    if (!description) throw new Error(`No description for input field ${typeName}.${name}`);
    fields[name] = t.field({ type: fieldType(schema._zod.def, name) as never, description });
  }
  return fields;
}

function fieldType(def: ZodDef, name: string): unknown {
  while (def.type === "nullable" || def.type === "optional" || def.type === "pipe") def = def.innerType!._zod.def;
  if (def.type === "number") return "Int";
  if (def.type === "enum") return enumFor(def.entries!);
  if (def.type === "array") return [fieldType(def.element!._zod.def, name)];
  if (def.type === "object") return nestedInput(name, def.shape!);
  return "String";
}

function enumFor(entries: Record<string, string>): unknown {
  const key = Object.values(entries).sort().join(",");
  const found = enumByValues.get(key);
  if (!found) throw new Error(`No GraphQL enum with the values ${key}`);
  return found;
}

const nestedNames: Record<string, [string, string]> = {
  citations: ["CitationInput", "Source of a fact: which document, and the words that support it"],
  identifiers: ["IdentifierInput", "Identifier of an organization in an external registry"],
  roles: ["RoleInput", "Position a person holds or held in an organization, with its sources"],
  participants: ["ParticipantInput", "Organization taking part in a partnership, with its role"],
};

function nestedInput(field: string, shape: Record<string, { _zod: { def: ZodDef } }>) {
  const [name, description] = nestedNames[field] ?? [];
  if (!name) throw new Error(`No input type name for ${field}`);
  let ref = nestedInputs.get(name);
  if (!ref) {
    ref = builder.inputType(name, { description, fields: (t) => inputFieldsOf(t as never, shape, name) as never });
    nestedInputs.set(name, ref);
  }
  return ref;
}

// ---- One set of mutations per entity ----

interface EntityConfig {
  entity: Entity;
  typeName: string;
  ref: unknown;
  /** Payload field holding the record, such as `organization`. */
  field: string;
  what: string;
}

const configs: EntityConfig[] = [
  { entity: "sources", typeName: "Source", ref: Source, field: "source", what: "source document" },
  { entity: "organizations", typeName: "Organization", ref: Organization, field: "organization", what: "organization" },
  { entity: "people", typeName: "Person", ref: Person, field: "person", what: "person" },
  { entity: "methods", typeName: "Method", ref: Method, field: "method", what: "method" },
  { entity: "partnerships", typeName: "Partnership", ref: Partnership, field: "partnership", what: "partnership" },
  { entity: "programmes", typeName: "Programme", ref: Programme, field: "programme", what: "funding programme" },
  { entity: "fundings", typeName: "Funding", ref: Funding, field: "funding", what: "funding record" },
  { entity: "impacts", typeName: "Impact", ref: Impact, field: "impact", what: "impact claim" },
];

const reasonText = text.max(2000, "expected at most 2000 characters");

type Payload = { record: unknown; userErrors: UserErrorValue[] };
const refused = (userErrors: UserErrorValue[]): Payload => ({ record: null, userErrors });

/** Missing fields of a mutation's record read as null, or an empty list. */
type Shape = Record<string, { _zod: { def: ZodDef } }>;

/** Fields of `shape` left out of `given` as an import row leaves them empty: null, an empty list, or absent when optional. */
function filled(shape: Shape, given: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(shape).flatMap(([name, { _zod: { def } }]) =>
      given[name] !== undefined ? [[name, complete(def, given[name])]] : def.type === "optional" ? [] : [[name, def.type === "array" ? [] : null]],
    ),
  );
}

/** Nested inputs (a role, a participant, a citation) with the fields they leave out filled as in `filled`. */
function complete(def: ZodDef, value: unknown): unknown {
  while (def.type === "nullable" || def.type === "optional" || def.type === "pipe") def = def.innerType!._zod.def;
  if (def.type === "array" && Array.isArray(value)) return value.map((item) => complete(def.element!._zod.def, item));
  if (def.type === "object" && value !== null && typeof value === "object") return filled(def.shape!, value as Record<string, unknown>);
  return value;
}

/** References the record makes to records that do not exist, as user errors. */
async function missingReferences(writer: RecordWriter, entity: Entity, record: unknown): Promise<UserErrorValue[]> {
  const errors: UserErrorValue[] = [];
  for (const ref of referencesOf(entity, record)) {
    if ((await writer.idOf(ref.target, ref.value)) === undefined)
      errors.push({ field: `record.${ref.field}`, message: `found ${JSON.stringify(ref.value)}; expected the ${entities[ref.target].key} of one of the existing ${ref.target}`, code: "NOT_FOUND" });
  }
  return errors;
}

/**
 * Where an update that changes a record's slug (or a source's url) takes effect. The change log
 * keeps the old value; a slug-alias mechanism can hook in here so old addresses keep answering.
 */
async function renameRecord(writer: RecordWriter, tx: Prisma.TransactionClient, config: EntityConfig, id: number, from: string, to: string) {
  const key = entities[config.entity].key;
  // A new slug keeps the old one answering; sources are keyed by URL, which has no aliases.
  if (key === "slug") await changeSlug(tx, config.typeName as SluggedType, id, to);
  else await (tx as any)[config.field].update({ where: { id }, data: { [key]: to } });
  await writer.logChange({ action: "UPDATE", recordType: config.typeName, recordId: id, fields: [key], before: { [key]: from }, after: { [key]: to } });
}

// Writes of one record take turns (see RecordWriter.lock), each holding a connection while it waits:
// a mutation waits for a connection and for its turn as long as a query may run, not Prisma's 2 s and 5 s.
const waitForTurn = { maxWait: env.QUERY_TIMEOUT_MS, timeout: env.QUERY_TIMEOUT_MS };

const taken = (config: EntityConfig, key: unknown, field: string = entities[config.entity].key): UserErrorValue => ({
  field: `record.${field}`,
  message: `a ${config.what} with ${entities[config.entity].key} ${JSON.stringify(key)} already exists; use ${config.field}Update`,
  code: "TAKEN",
});

/** Thrown inside a write transaction to roll back what it wrote and refuse the change. */
class Refusal extends Error {
  constructor(readonly userErrors: UserErrorValue[]) {
    super("refused");
  }
}

async function write(ctx: Context, config: EntityConfig, mode: "create" | "update", input: { key: string | null; record: Record<string, unknown>; reason: string }): Promise<Payload> {
  const author = requireScope(ctx, "WRITE");
  const { entity } = config;
  const keyField = entities[entity].key;
  const reason = reasonText.safeParse(input.reason);
  if (!reason.success) return refused([{ field: "reason", message: `found ${JSON.stringify(input.reason)}; ${reason.error.issues[0].message} saying why`, code: "INVALID" }]);
  const shape = entities[entity].schema.shape as Shape;
  const given = Object.fromEntries(Object.entries(input.record).flatMap(([name, v]) => (v === undefined ? [] : [[name, complete(shape[name]._zod.def, v)]])));
  if (entity !== "sources" && !(Array.isArray(given.citations) && given.citations.length > 0))
    return refused([{ field: "record.citations", message: "expected at least one citation: every change needs a source", code: "CITATION_REQUIRED" }]);

  try {
    return await writeTransaction(prisma(), { actor: author.name, reason: reason.data }, async (tx, writer) => {
      let record: Record<string, unknown>;
      let renamed: { id: number; from: string } | undefined;
      if (mode === "create") {
        record = filled(shape, given);
        // A record stored under one of the former slugs given is not new either: the write would rename it.
        const keys = [[keyField, record[keyField]], ...((record.formerSlugs as string[] | null | undefined) ?? []).map((slug) => ["formerSlugs", slug])];
        for (const [field, key] of keys) if (typeof key === "string" && (await writer.idOf(entity, key)) !== undefined) return refused([taken(config, key, field as string)]);
      } else {
        await writer.lock(entity, input.key!);
        const current = (await readRecord(tx, entity, input.key!)) as Record<string, unknown> | null;
        if (!current) return refused([{ field: keyField, message: `no ${config.what} has ${keyField} ${JSON.stringify(input.key)}`, code: "NOT_FOUND" }]);
        record = { ...current, ...given };
        if (entity !== "sources") {
          const same = (c: any) => JSON.stringify([c.source, c.quote, c.confidence, c.note ?? null]);
          const stored = current.citations as unknown[];
          const added = (given.citations as unknown[]).filter((c) => !stored.some((s) => same(s) === same(c)));
          record.citations = [...stored, ...added];
        }
        const newKey = record[keyField];
        if (newKey !== input.key && typeof newKey === "string") {
          if ((await writer.idOf(entity, newKey)) !== undefined)
            return refused([{ field: `record.${keyField}`, message: `another ${config.what} already has ${keyField} ${JSON.stringify(newKey)}`, code: "TAKEN" }]);
          renamed = { id: (await writer.idOf(entity, input.key!))!, from: input.key! };
        }
      }
      const { data, problems } = parseRecord(entity, record);
      const errors = [...problemsToUserErrors("record", problems), ...(await missingReferences(writer, entity, record))];
      if (!data || errors.length) return refused(errors);
      if (renamed) await renameRecord(writer, tx, config, renamed.id, renamed.from, record[keyField] as string);
      const id = await writer.write(entity, data);
      // Another create of the same key committed after the check above: the write found it stored.
      if (mode === "create" && !writer.report[entity].created) throw new Refusal([taken(config, record[keyField])]);
      await writer.finish();
      return { record: await (tx as any)[config.field].findUnique({ where: { id } }), userErrors: [] };
    }, waitForTurn);
  } catch (error) {
    if (error instanceof Refusal) return refused(error.userErrors);
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return refused([uniqueViolation(error, given)]);
    throw error;
  }
}

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
    return { field: `record.${columns[0]}`, message: `another ${table} already has ${columns[0]} ${JSON.stringify(given[columns[0]])}`, code: "TAKEN" };
  const what = columns.length ? `the same ${columns.join(", ")}` : "one of these values";
  return { field: "record", message: `another ${table} already has ${what}`, code: "TAKEN" };
}

async function retract(ctx: Context, config: EntityConfig, key: string, reasonInput: string): Promise<Payload> {
  const author = requireScope(ctx, "WRITE");
  const keyField = entities[config.entity].key;
  const reason = reasonText.safeParse(reasonInput);
  if (!reason.success) return refused([{ field: "reason", message: `found ${JSON.stringify(reasonInput)}; ${reason.error.issues[0].message} saying why`, code: "INVALID" }]);
  return writeTransaction(prisma(), { actor: author.name, reason: reason.data }, async (tx, writer) => {
    const delegate = (tx as any)[config.field];
    await writer.lock(config.entity, key);
    const current = await delegate.findUnique({ where: { [keyField]: key } });
    if (!current) return refused([{ field: keyField, message: `no ${config.what} has ${keyField} ${JSON.stringify(key)}`, code: "NOT_FOUND" }]);
    if (current.retractedAt)
      return refused([{ field: keyField, message: `this ${config.what} was already retracted on ${current.retractedAt.toISOString()}`, code: "ALREADY_RETRACTED" }]);
    const retractedAt = new Date();
    const record = await delegate.update({ where: { id: current.id }, data: { retractedAt, retractionReason: reason.data } });
    await writer.logChange({
      action: "RETRACT",
      recordType: config.typeName,
      recordId: current.id,
      fields: ["retractionAt", "retractionReason"],
      before: { retractionAt: null, retractionReason: null },
      after: { retractionAt: retractedAt.toISOString(), retractionReason: reason.data },
    });
    await writer.finish();
    return { record, userErrors: [] };
  }, waitForTurn);
}

for (const config of configs) {
  const { entity, typeName, field, what } = config;
  const keyField = entities[entity].key;
  const fieldsInput = builder.inputType(`${typeName}Fields`, {
    description: `Fields of a ${what}, as in an import file; see the README for the format of each`,
    fields: (t) => inputFieldsOf(t as never, entities[entity].schema.shape as never, `${typeName}Fields`) as never,
  });
  const payload = builder.objectRef<Payload>(`${typeName}Payload`).implement({
    description: `Result of a change to a ${what}`,
    fields: (t) => ({
      [field]: t.field({ type: config.ref as never, nullable: true, description: `The ${what} as it is after the change; null when the change was refused`, resolve: (p) => p.record as never }),
      userErrors: t.field({ type: [UserError], description: "Why the change was refused; empty when it was made", resolve: (p) => p.userErrors }),
    }),
  });
  const keyDescription = keyField === "url" ? "Address of the source to change" : `Slug of the ${what} to change`;
  const createInput = builder.inputType(`${typeName}CreateInput`, {
    description: `A new ${what}`,
    fields: (t) => ({
      record: t.field({ type: fieldsInput, required: true, description: `The ${what}; fields left out are empty` }),
      reason: t.string({ required: true, description: "Why the record is added, for the public history" }),
    }),
  });
  const updateInput = builder.inputType(`${typeName}UpdateInput`, {
    description: `Changes to an existing ${what}`,
    fields: (t) => ({
      [keyField]: t.string({ required: true, description: keyDescription }),
      record: t.field({ type: fieldsInput, required: true, description: "Fields to change; fields left out keep their stored value, citations are added" }),
      reason: t.string({ required: true, description: "Why the record changes, for the public history" }),
    }),
  });
  const retractInput = builder.inputType(`${typeName}RetractInput`, {
    description: `Retraction of a ${what} found to be wrong: it stays visible, marked retracted with the reason and date`,
    fields: (t) => ({
      [keyField]: t.string({ required: true, description: keyDescription.replace("change", "retract") }),
      reason: t.string({ required: true, description: "Why the record is retracted, shown with it" }),
    }),
  });
  builder.mutationFields((t) => ({
    [`${field}Create`]: t.field({
      type: payload,
      description: `Adds a ${what} (needs a WRITE key)`,
      args: { input: t.arg({ type: createInput, required: true, description: `The ${what} to add and why` }) },
      resolve: (_root, { input }, ctx) => write(ctx, config, "create", { key: null, record: input.record as never, reason: input.reason as string }),
    }),
    [`${field}Update`]: t.field({
      type: payload,
      description: `Changes a ${what} (needs a WRITE key)`,
      args: { input: t.arg({ type: updateInput, required: true, description: "Which record, what changes and why" }) },
      resolve: (_root, { input }, ctx) =>
        write(ctx, config, "update", { key: (input as any)[keyField], record: input.record as never, reason: input.reason as string }),
    }),
    [`${field}Retract`]: t.field({
      type: payload,
      description: `Marks a ${what} as retracted, keeping it visible with the reason (needs a WRITE key)`,
      args: { input: t.arg({ type: retractInput, required: true, description: "Which record and why" }) },
      resolve: (_root, { input }, ctx) => retract(ctx, config, (input as any)[keyField], (input as any).reason),
    }),
  }));
}
