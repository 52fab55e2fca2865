// The record formats shared by the seed loader, the importer and the mutations: one zod schema per
// entity, the entity table, and the checks on a single raw record (references, uniqueness, order).
import { z } from "zod";
import {
  AmountBound,
  AmountKind,
  Confidence,
  IdentifierScheme,
  ImpactMetric,
  ImpactStatus,
  MethodCategory,
  MethodStage,
  OrganizationKind,
  ParticipantRole,
  PartnershipKind,
  PartnershipStatus,
  ProgrammeKind,
} from "../generated/prisma/enums.ts";

// File formats

export const text = z.string().max(10_000, "expected at most 10000 characters").regex(/^\S(.*\S)?$/s, "expected non-empty text without surrounding spaces");
export const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a slug of lowercase letters, digits and hyphens, e.g. "kazzinc"');
// Slugs a record was published under before; they keep answering (see src/slugs.ts).
const formerSlugs = z.array(slug).nullish();
export const url = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const year = z.number().int().min(1000).max(2100);
export const reducedDate = z
  .string()
  .refine(isReducedDate, 'expected an existing date as "2024", "2024-06" or "2024-11-20"');
const day = reducedDate.refine((s) => s.length === 10, 'expected a full date such as "2024-11-20"');
const decimal = (scale: number, signed = false) =>
  z
    .string()
    .regex(
      new RegExp(`^${signed ? "-?" : ""}\\d{1,${20 - scale}}(\\.\\d{1,${scale}})?$`),
      `expected a ${signed ? "" : "non-negative "}decimal string with at most ${scale} decimals, e.g. "643000000000"`,
    );
export const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as "KZT"');

export const citation = z.strictObject({
  source: url,
  quote: text.nullable(),
  confidence: z.enum(Confidence),
  note: text.optional(),
});
const noCitation = "expected at least one citation: every fact needs a source";
export const citations = z.array(citation, { error: noCitation }).min(1, noCitation);

const sourceFile = z.strictObject({
  url,
  title: text.nullable(),
  publisher: text.nullable(),
  language: z.string().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 language code such as "en"'),
  published: reducedDate.nullable(),
  retrievedOn: day.nullable(),
  note: text.nullable(),
});

export const identifier = z
  .strictObject({ scheme: z.enum(IdentifierScheme), schemeName: text.nullable(), value: text })
  .refine((i) => (i.scheme === "OTHER") === (i.schemeName !== null), {
    message: "expected schemeName to name the scheme when scheme is OTHER, and to be null otherwise",
    path: ["schemeName"],
  });

const names = {
  nameEn: text.nullable(),
  nameRu: text.nullable(),
  nameKk: text.nullable(),
};
const someName = {
  check: (r: { nameEn: string | null; nameRu: string | null; nameKk: string | null }) =>
    Boolean(r.nameEn ?? r.nameRu ?? r.nameKk),
  params: { message: "expected at least one of nameEn, nameRu, nameKk", path: ["nameEn"] },
};

const organizationFile = z
  .strictObject({
    slug,
    formerSlugs,
    kind: z.enum(OrganizationKind),
    ...names,
    alternateNames: z.array(text),
    description: text.nullable(),
    country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as "KZ"').nullable(),
    city: text.nullable(),
    foundedYear: year.nullable(),
    website: url.nullable(),
    parent: slug.nullable(),
    identifiers: z.array(identifier),
    citations,
  })
  .refine(someName.check, someName.params);

export const role = z.strictObject({
  organization: slug,
  title: text,
  start: reducedDate.nullable(),
  end: reducedDate.nullable(),
  citations,
});

const personFile = z
  .strictObject({ slug, formerSlugs, ...names, citations, roles: z.array(role) })
  .refine(someName.check, someName.params);

const methodFile = z.strictObject({
  slug,
  formerSlugs,
  title: text,
  summary: text.nullable(),
  category: z.enum(MethodCategory),
  technologyReadinessLevel: z.number().int().min(1).max(9).nullable(),
  // Optional so that files written before release 1.1 still import; left out means not stated.
  stage: z.enum(MethodStage).nullish(),
  developers: z.array(slug),
  citations,
});

const partnershipFile = z.strictObject({
  slug,
  formerSlugs,
  title: text,
  summary: text.nullable(),
  kind: z.enum(PartnershipKind),
  status: z.enum(PartnershipStatus),
  city: text.nullable(),
  start: reducedDate.nullable(),
  end: reducedDate.nullable(),
  participants: z.array(z.strictObject({ organization: slug, role: z.enum(ParticipantRole) })),
  methods: z.array(slug),
  citations,
});

const programmeFile = z
  .strictObject({
    slug,
    formerSlugs,
    name: text,
    description: text.nullable(),
    kind: z.enum(ProgrammeKind),
    operator: slug.nullable(),
    maxAwardAmount: decimal(2).nullable(),
    maxAwardCurrency: currency.nullable(),
    citations,
  })
  .refine((p) => p.maxAwardAmount === null || p.maxAwardCurrency !== null, {
    message: "expected a currency when maxAwardAmount is set",
    path: ["maxAwardCurrency"],
  });

/** A bound qualifies a number: `<field>Bound` is given exactly when `<field>` is. */
const boundGiven = (field: "amount" | "value") => ({
  check: (r: Record<string, unknown>) => r[field] !== null || r[`${field}Bound`] === null,
  params: { message: `expected null when ${field} is null: a bound qualifies a number, and there is none`, path: [`${field}Bound`] },
});
const boundNeeded = (field: "amount" | "value") => ({
  check: (r: Record<string, unknown>) => r[field] === null || r[`${field}Bound`] !== null,
  params: { message: `expected ${Object.keys(AmountBound).join(", ")} when ${field} is set`, path: [`${field}Bound`] },
});

const fundingFile = z
  .strictObject({
    slug,
    formerSlugs,
    description: text.nullable(),
    funder: slug.nullable(),
    recipient: slug.nullable(),
    programme: slug.nullable(),
    partnership: slug.nullable(),
    method: slug.nullable(),
    amount: decimal(2).nullable(),
    amountBound: z.enum(AmountBound).nullable(),
    currency: currency.nullable(),
    amountKind: z.enum(AmountKind),
    date: reducedDate.nullable(),
    fiscalYearStart: year.nullable(),
    fiscalYearEnd: year.nullable(),
    citations,
  })
  .refine((f) => f.amount === null || f.currency !== null, {
    message: "expected a currency when amount is set",
    path: ["currency"],
  })
  .refine(boundGiven("amount").check, boundGiven("amount").params)
  .refine(boundNeeded("amount").check, boundNeeded("amount").params)
  .refine((f) => f.fiscalYearStart === null || f.fiscalYearEnd === null || f.fiscalYearStart <= f.fiscalYearEnd, {
    message: "expected fiscalYearEnd not to be before fiscalYearStart",
    path: ["fiscalYearEnd"],
  });

const impactFile = z
  .strictObject({
    slug,
    formerSlugs,
    partnership: slug.nullable(),
    method: slug.nullable(),
    organization: slug.nullable(),
    metric: z.enum(ImpactMetric),
    description: text,
    value: decimal(4, true).nullable(),
    valueBound: z.enum(AmountBound).nullable(),
    unit: text.nullable(),
    baselineValue: decimal(4, true).nullable(),
    baselineNote: text.nullable(),
    periodStart: reducedDate.nullable(),
    periodEnd: reducedDate.nullable(),
    status: z.enum(ImpactStatus),
    claimant: slug.nullable(),
    claimantPerson: slug.nullable(),
    citations,
  })
  .refine(boundGiven("value").check, boundGiven("value").params)
  .refine(boundNeeded("value").check, boundNeeded("value").params)
  .refine((i) => i.partnership ?? i.method ?? i.organization, {
    message: "expected the impact to be about a partnership, a method or an organization",
    path: ["partnership"],
  });


/**
 * Every entity a file can hold, in the order they are written (a record's references are written
 * before it). `key` is the field that identifies a record across imports.
 */
export const entities = {
  sources: { model: "Source", key: "url", schema: sourceFile },
  organizations: { model: "Organization", key: "slug", schema: organizationFile },
  people: { model: "Person", key: "slug", schema: personFile },
  methods: { model: "Method", key: "slug", schema: methodFile },
  partnerships: { model: "Partnership", key: "slug", schema: partnershipFile },
  programmes: { model: "Programme", key: "slug", schema: programmeFile },
  fundings: { model: "Funding", key: "slug", schema: fundingFile },
  impacts: { model: "Impact", key: "slug", schema: impactFile },
} as const;

export type Entity = keyof typeof entities;

/**
 * Fields an export adds to a record's own, named as in the API (`retraction { at reason }` as
 * retractionAt, retractionReason). They are read-only: an import accepts them and ignores them, so
 * that an export imports back unchanged.
 */
export const exportOnlyFields = ["id", "createdAt", "updatedAt", "retractionAt", "retractionReason"] as const;

/** Fields of an entity's records in file order, as imports read them and exports write them (formerSlugs only renames, so it is not exported). */
export function recordFields(entity: Entity): string[] {
  return Object.keys(entities[entity].schema.shape).filter((name) => name !== "formerSlugs");
}
export const entityNames = Object.keys(entities) as Entity[];
export type RecordOf<E extends Entity> = z.infer<(typeof entities)[E]["schema"]>;
export type CitationInput = z.infer<typeof citation>;

export function isReducedDate(value: string): boolean {
  return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value) && toDate(value).toISOString().startsWith(value);
}

export function toDate(value: string): Date {
  const [y, m = 1, d = 1] = value.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** A field of a raw record that names another record by its key. */
export interface Reference {
  field: string;
  target: Entity;
  value: string;
}

/** A problem found in one field of one record. */
export interface FieldProblem {
  field: string;
  found: unknown;
  expected: string;
}

export function valueAt(value: unknown, at: readonly PropertyKey[]): unknown {
  return at.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as any)[key] : undefined), value);
}

/**
 * References of a raw record, valid or not, so that references are checked even in records with
 * other problems.
 */
export function referencesOf(entity: Entity, record: unknown): Reference[] {
  const refs: Reference[] = [];
  const r = record as any;
  if (r === null || typeof r !== "object") return refs;
  const ref = (field: string, value: unknown, target: Entity) => {
    if (typeof value === "string") refs.push({ field, target, value });
  };
  const list = (field: string, values: unknown, target: Entity) => {
    if (Array.isArray(values)) values.forEach((v, i) => ref(`${field}[${i}]`, v, target));
  };
  const cites = (prefix: string, list: unknown) => {
    if (Array.isArray(list)) list.forEach((c, i) => ref(`${prefix}citations[${i}].source`, valueAt(c, ["source"]), "sources"));
  };
  cites("", r.citations);
  switch (entity) {
    case "organizations":
      ref("parent", r.parent, "organizations");
      break;
    case "people":
      if (Array.isArray(r.roles))
        r.roles.forEach((role: any, i: number) => {
          ref(`roles[${i}].organization`, role?.organization, "organizations");
          cites(`roles[${i}].`, role?.citations);
        });
      break;
    case "methods":
      list("developers", r.developers, "organizations");
      break;
    case "partnerships":
      if (Array.isArray(r.participants))
        r.participants.forEach((p: any, i: number) => ref(`participants[${i}].organization`, p?.organization, "organizations"));
      list("methods", r.methods, "methods");
      break;
    case "programmes":
      ref("operator", r.operator, "organizations");
      break;
    case "fundings":
      ref("funder", r.funder, "organizations");
      ref("recipient", r.recipient, "organizations");
      ref("programme", r.programme, "programmes");
      ref("partnership", r.partnership, "partnerships");
      ref("method", r.method, "methods");
      break;
    case "impacts":
      ref("organization", r.organization, "organizations");
      ref("claimant", r.claimant, "organizations");
      ref("partnership", r.partnership, "partnerships");
      ref("method", r.method, "methods");
      ref("claimantPerson", r.claimantPerson, "people");
      break;
  }
  return refs;
}

/** Checks within one raw record that its schema cannot express: repeated list items, end before start. */
export function recordProblems(entity: Entity, record: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const r = record as any;
  if (r === null || typeof r !== "object") return problems;
  const unique = (field: string, values: unknown[], what: string) => {
    const strings = values.map((v) => JSON.stringify(v));
    strings.forEach((s, i) => {
      if (strings.indexOf(s) !== i) problems.push({ field: `${field}[${i}]`, found: values[i], expected: `expected each ${what} once` });
    });
  };
  const order = (field: string, start: unknown, end: unknown) => {
    const valid = (d: unknown): d is string => typeof d === "string" && isReducedDate(d);
    if (valid(start) && valid(end) && end < start.slice(0, end.length))
      problems.push({ field, found: end, expected: `expected a date not before the start (${start})` });
  };
  switch (entity) {
    case "organizations":
      if (Array.isArray(r.identifiers)) unique("identifiers", r.identifiers.map((i: any) => [i?.scheme, i?.schemeName]), "identifier scheme");
      break;
    case "people":
      if (!Array.isArray(r.roles)) break;
      r.roles.forEach((role: any, i: number) => order(`roles[${i}].end`, role?.start, role?.end));
      unique("roles", r.roles.map((role: any) => [role?.organization, role?.title]), "organization and title");
      break;
    case "methods":
      if (Array.isArray(r.developers)) unique("developers", r.developers, "developer");
      break;
    case "partnerships":
      if (Array.isArray(r.participants)) unique("participants", r.participants.map((p: any) => p?.organization), "organization");
      if (Array.isArray(r.methods)) unique("methods", r.methods, "method");
      order("end", r.start, r.end);
      break;
    case "impacts":
      order("periodEnd", r.periodStart, r.periodEnd);
      break;
  }
  return problems;
}

/** Validates one raw record against its entity's schema; every problem, one per field. */
export function parseRecord<E extends Entity>(entity: E, record: unknown): { data?: RecordOf<E>; problems: FieldProblem[] } {
  const result = entities[entity].schema.safeParse(record);
  const problems = recordProblems(entity, record);
  if (result.success) return { data: problems.length ? undefined : (result.data as RecordOf<E>), problems };
  for (const issue of result.error.issues) {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const at of paths) {
      const expected =
        issue.code === "unrecognized_keys" ? "expected no such field (check its spelling)" : issue.message.replace(/^Invalid (input|option): /, "");
      problems.push({ field: fieldName(at), found: valueAt(record, at), expected });
    }
  }
  return { problems };
}

export function fieldName(at: readonly PropertyKey[]) {
  const parts = at.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`));
  return parts.join("") || "(record)";
}
