import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  AmountBound,
  AmountKind,
  Confidence,
  IdentifierScheme,
  ImpactMetric,
  ImpactStatus,
  MethodCategory,
  OrganizationKind,
  ParticipantRole,
  PartnershipKind,
  PartnershipStatus,
  Prisma,
  ProgrammeKind,
  type DatePrecision,
  type PrismaClient,
} from "../src/generated/prisma/client.ts";
import { keepFormerSlugs, renameToCurrentSlugs } from "../src/slugs.ts";

// ---------------------------------------------------------------------------------------------
// File formats

const text = z.string().regex(/^\S(.*\S)?$/s, "expected non-empty text without surrounding spaces");
const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a slug of lowercase letters, digits and hyphens, e.g. "kazzinc"');
const url = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
// Slugs a record was published under before; they keep answering (see src/slugs.ts).
const formerSlugs = z.array(slug).optional();
const year = z.number().int().min(1000).max(2100);
const reducedDate = z
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
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as "KZT"');

const citation = z.strictObject({
  source: url,
  quote: text.nullable(),
  confidence: z.enum(Confidence),
  note: text.optional(),
});
const noCitation = "expected at least one citation: every fact needs a source";
const citations = z.array(citation, { error: noCitation }).min(1, noCitation);

const sourceFile = z.strictObject({
  url,
  title: text.nullable(),
  publisher: text.nullable(),
  language: z.string().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 language code such as "en"'),
  publishedOn: reducedDate.nullable(),
  retrievedOn: day.nullable(),
  note: text.nullable(),
});

const identifier = z
  .strictObject({ scheme: z.enum(IdentifierScheme), otherScheme: z.string(), value: text })
  .refine((i) => (i.scheme === "OTHER") === (i.otherScheme.trim() !== ""), {
    message: 'expected otherScheme to name the scheme when scheme is OTHER, and to be "" otherwise',
    path: ["otherScheme"],
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

const role = z.strictObject({
  organization: slug,
  title: text,
  startOn: reducedDate.nullable(),
  endOn: reducedDate.nullable(),
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
  technologyReadiness: z.number().int().min(1).max(9).nullable(),
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
  startOn: reducedDate.nullable(),
  endOn: reducedDate.nullable(),
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
    amountBound: z.enum(AmountBound),
    currency: currency.nullable(),
    amountKind: z.enum(AmountKind),
    dateOn: reducedDate.nullable(),
    fiscalYearFrom: year.nullable(),
    fiscalYearTo: year.nullable(),
    citations,
  })
  .refine((f) => f.amount === null || f.currency !== null, {
    message: "expected a currency when amount is set",
    path: ["currency"],
  })
  .refine((f) => f.fiscalYearFrom === null || f.fiscalYearTo === null || f.fiscalYearFrom <= f.fiscalYearTo, {
    message: "expected fiscalYearTo not to be before fiscalYearFrom",
    path: ["fiscalYearTo"],
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
    valueBound: z.enum(AmountBound),
    unit: text.nullable(),
    baselineValue: decimal(4, true).nullable(),
    baselineNote: text.nullable(),
    periodStartOn: reducedDate.nullable(),
    periodEndOn: reducedDate.nullable(),
    status: z.enum(ImpactStatus),
    claimant: slug.nullable(),
    claimantPerson: slug.nullable(),
    citations,
  })
  .refine((i) => i.partnership ?? i.method ?? i.organization, {
    message: "expected the impact to be about a partnership, a method or an organization",
    path: ["partnership"],
  });

const files = {
  sources: ["sources.json", sourceFile],
  organizations: ["organizations.json", organizationFile],
  people: ["people.json", personFile],
  methods: ["methods.json", methodFile],
  partnerships: ["partnerships.json", partnershipFile],
  programmes: ["programmes.json", programmeFile],
  fundings: ["fundings.json", fundingFile],
  impacts: ["impacts.json", impactFile],
} as const;

type Files = typeof files;
type SeedData = { [K in keyof Files]: z.infer<Files[K][1]>[] };
type CitationInput = z.infer<typeof citation>;

// ---------------------------------------------------------------------------------------------
// Reading and validating

export class SeedValidationError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    super(`Seed data has ${problems.length} problem(s); nothing was written:\n${list}`);
    this.name = "SeedValidationError";
    this.problems = problems;
  }
}

const show = (value: unknown) => (value === undefined ? "(missing)" : JSON.stringify(value));

function valueAt(value: unknown, at: readonly PropertyKey[]): unknown {
  return at.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as any)[key] : undefined), value);
}

function fieldName(at: readonly PropertyKey[]) {
  const parts = at.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`));
  return parts.join("") || "(record)";
}

function recordLabel(file: string, index: number, record: unknown) {
  const key = valueAt(record, ["slug"]) ?? valueAt(record, ["url"]);
  return `${file}[${index}]${typeof key === "string" ? ` (${key})` : ""}`;
}

async function readAndValidate(dataDir: string): Promise<SeedData> {
  const problems: { file: number; index: number; text: string }[] = [];
  const fileNames: string[] = Object.values(files).map(([file]) => file);
  const problem = (file: string, index: number, text: string) =>
    problems.push({ file: fileNames.indexOf(file), index, text });
  const data = {} as Record<keyof Files, unknown[]>;
  const raw = {} as Record<keyof Files, unknown[]>;
  const readable = new Set<keyof Files>();

  for (const [entity, [file, schema]] of Object.entries(files) as [keyof Files, Files[keyof Files]][]) {
    data[entity] = [];
    raw[entity] = [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path.join(dataDir, file), "utf8"));
    } catch (error) {
      problem(file, -1, `${file}: cannot be read as JSON (${(error as Error).message})`);
      continue;
    }
    if (!Array.isArray(parsed)) {
      problem(file, -1, `${file}: found ${typeof parsed}; expected a JSON array of records`);
      continue;
    }
    raw[entity] = parsed;
    readable.add(entity);
    parsed.forEach((record, index) => {
      const result = schema.safeParse(record);
      if (result.success) return void data[entity].push(result.data);
      for (const issue of result.error.issues) {
        const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        for (const at of keys) {
          const expected =
            issue.code === "unrecognized_keys"
              ? "expected no such field (check its spelling)"
              : issue.message.replace(/^Invalid (input|option): /, "");
          const found = show(valueAt(record, at));
          problem(file, index, `${recordLabel(file, index, record)} ${fieldName(at)}: found ${found}; ${expected}`);
        }
      }
    });
  }

  // Keys of every record that has one, valid or not, so that a reference to a record with its own
  // problem is not reported a second time as unknown.
  const keysOf = (entity: keyof Files, key: string) =>
    new Set(raw[entity].map((r) => valueAt(r, [key])).filter((k): k is string => typeof k === "string"));
  const known = {
    sources: keysOf("sources", "url"),
    organizations: keysOf("organizations", "slug"),
    people: keysOf("people", "slug"),
    methods: keysOf("methods", "slug"),
    partnerships: keysOf("partnerships", "slug"),
    programmes: keysOf("programmes", "slug"),
  };
  const expectedRef = {
    sources: "expected the url of a source in sources.json",
    organizations: "expected the slug of an organization in organizations.json",
    people: "expected the slug of a person in people.json",
    methods: "expected the slug of a method in methods.json",
    partnerships: "expected the slug of a partnership in partnerships.json",
    programmes: "expected the slug of a programme in programmes.json",
  };

  for (const entity of Object.keys(files) as (keyof Files)[]) {
    const file = files[entity][0];
    const seen = new Map<string, number>();
    raw[entity].forEach((record, index) => {
      const key = valueAt(record, [entity === "sources" ? "url" : "slug"]);
      if (typeof key !== "string") return;
      const unique = entity === "sources" ? "urls" : "slugs";
      const label = recordLabel(file, index, record);
      if (seen.has(key)) problem(file, index, `${label}: found a duplicate of [${seen.get(key)}]; expected unique ${unique}`);
      else seen.set(key, index);
    });

    // References are checked on the raw records, so that records with other problems are checked too.
    raw[entity].forEach((record, index) => {
      const refProblem = (field: string, found: unknown, expected: string) =>
        problem(file, index, `${recordLabel(file, index, record)} ${field}: found ${show(found)}; ${expected}`);
      const check = (field: string, value: unknown, target: keyof typeof known) => {
        // A file that could not be read is already reported; its records are not known to be missing.
        if (typeof value === "string" && readable.has(target) && !known[target].has(value))
          refProblem(field, value, expectedRef[target]);
      };
      const checkCitations = (prefix: string, list: unknown) => {
        if (!Array.isArray(list)) return;
        list.forEach((c, i) => check(`${prefix}citations[${i}].source`, valueAt(c, ["source"]), "sources"));
      };
      const checkUnique = (field: string, values: unknown[], what: string) => {
        const strings = values.map((v) => JSON.stringify(v));
        strings.forEach((s, i) => {
          if (strings.indexOf(s) !== i) refProblem(`${field}[${i}]`, values[i], `expected each ${what} once`);
        });
      };
      const checkOrder = (field: string, start: unknown, end: unknown) => {
        const valid = (d: unknown): d is string => typeof d === "string" && isReducedDate(d);
        if (valid(start) && valid(end) && end < start.slice(0, end.length))
          refProblem(field, end, `expected a date not before the start (${start})`);
      };
      const r = record as any;
      if (r === null || typeof r !== "object") return;

      checkCitations("", r.citations);
      switch (entity) {
        case "organizations":
          check("parent", r.parent, "organizations");
          if (Array.isArray(r.identifiers))
            checkUnique("identifiers", r.identifiers.map((i: any) => [i?.scheme, i?.otherScheme]), "identifier scheme");
          break;
        case "people":
          if (!Array.isArray(r.roles)) break;
          r.roles.forEach((role: any, i: number) => {
            check(`roles[${i}].organization`, role?.organization, "organizations");
            checkCitations(`roles[${i}].`, role?.citations);
            checkOrder(`roles[${i}].endOn`, role?.startOn, role?.endOn);
          });
          checkUnique("roles", r.roles.map((role: any) => [role?.organization, role?.title]), "organization and title");
          break;
        case "methods":
          if (Array.isArray(r.developers)) {
            r.developers.forEach((d: unknown, i: number) => check(`developers[${i}]`, d, "organizations"));
            checkUnique("developers", r.developers, "developer");
          }
          break;
        case "partnerships":
          if (Array.isArray(r.participants)) {
            r.participants.forEach((p: any, i: number) =>
              check(`participants[${i}].organization`, p?.organization, "organizations"),
            );
            checkUnique("participants", r.participants.map((p: any) => p?.organization), "organization");
          }
          if (Array.isArray(r.methods)) {
            r.methods.forEach((m: unknown, i: number) => check(`methods[${i}]`, m, "methods"));
            checkUnique("methods", r.methods, "method");
          }
          checkOrder("endOn", r.startOn, r.endOn);
          break;
        case "programmes":
          check("operator", r.operator, "organizations");
          break;
        case "fundings":
          for (const field of ["funder", "recipient"]) check(field, r[field], "organizations");
          check("programme", r.programme, "programmes");
          check("partnership", r.partnership, "partnerships");
          check("method", r.method, "methods");
          break;
        case "impacts":
          for (const field of ["organization", "claimant"]) check(field, r[field], "organizations");
          check("partnership", r.partnership, "partnerships");
          check("method", r.method, "methods");
          check("claimantPerson", r.claimantPerson, "people");
          checkOrder("periodEndOn", r.periodStartOn, r.periodEndOn);
          break;
      }
    });
  }

  const organizations = data.organizations as SeedData["organizations"];
  const parentOf = new Map(organizations.map((o) => [o.slug, o.parent]));
  for (const org of organizations) {
    const chain = [org.slug];
    for (let at = parentOf.get(org.slug); at; at = parentOf.get(at)) {
      if (at === org.slug) {
        const cycle = [...chain, at].join(" → ");
        problem("organizations.json", Infinity, `organizations.json (${org.slug}) parent: found a cycle ${cycle}`);
        break;
      }
      if (chain.includes(at)) break;
      chain.push(at);
    }
  }
  const identifierOwners = new Map<string, string>();
  for (const org of organizations)
    for (const i of org.identifiers) {
      const key = `${i.scheme}/${i.otherScheme}/${i.value}`;
      const owner = identifierOwners.get(key);
      if (owner && owner !== org.slug) {
        const text = `organizations.json (${org.slug}) identifiers: found ${key}, also given to ${owner}`;
        problem("organizations.json", Infinity, text);
      }
      identifierOwners.set(key, org.slug);
    }

  problems.sort((a, b) => a.file - b.file || a.index - b.index);
  if (problems.length > 0) throw new SeedValidationError(problems.map((p) => p.text));
  return data as SeedData;
}

// ---------------------------------------------------------------------------------------------
// Writing

const entities = [
  "sources",
  "organizations",
  "identifiers",
  "people",
  "roles",
  "methods",
  "partnerships",
  "programmes",
  "fundings",
  "impacts",
] as const;

export type SeedCounts = { created: number; updated: number; unchanged: number };
export type SeedReport = Record<(typeof entities)[number], SeedCounts>;

type Tx = Prisma.TransactionClient;

function isReducedDate(value: string): boolean {
  return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value) && toDate(value).toISOString().startsWith(value);
}

function toDate(value: string): Date {
  const [y, m = 1, d = 1] = value.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** A reduced-precision ISO date as its `...On` column (first day of the period) and `...Precision`. */
function dated(value: string | null): [Date | null, DatePrecision | null] {
  if (value === null) return [null, null];
  return [toDate(value), (["YEAR", "MONTH", "DAY"] as const)[value.split("-").length - 1]];
}

const decimalOrNull = (value: string | null) => (value === null ? null : new Prisma.Decimal(value));

const comparable = (v: unknown) =>
  JSON.stringify(v instanceof Date ? v.toISOString() : Prisma.Decimal.isDecimal(v) ? v.toString() : v);

// The subset of a Prisma model delegate that `upsertIfChanged` needs.
interface Delegate {
  findUnique(args: { where: any }): PromiseLike<any>;
  create(args: { data: any }): PromiseLike<{ id: number }>;
  update(args: { where: { id: number }; data: any }): PromiseLike<unknown>;
}

/**
 * Creates the record matched by `where`, or updates it when a column in `data` differs from what is
 * stored; `syncLinks` then brings its citations and links in line and says whether it changed any.
 * A record whose only change is in its links gets its `updatedAt` touched, so clients see it changed.
 */
async function upsertIfChanged(
  delegate: Delegate,
  where: object,
  data: Record<string, unknown>,
  counts: SeedCounts,
  syncLinks: (id: number) => Promise<boolean> = async () => false,
): Promise<{ id: number; changed: boolean }> {
  const existing = await delegate.findUnique({ where });
  if (!existing) {
    const { id } = await delegate.create({ data });
    await syncLinks(id);
    counts.created++;
    return { id, changed: true };
  }
  const id: number = existing.id;
  const columnsChanged = Object.keys(data).some((key) => comparable(existing[key]) !== comparable(data[key]));
  if (columnsChanged) await delegate.update({ where: { id }, data });
  const linksChanged = await syncLinks(id);
  if (linksChanged && !columnsChanged) await delegate.update({ where: { id }, data: { updatedAt: new Date() } });
  const changed = columnsChanged || linksChanged;
  counts[changed ? "updated" : "unchanged"]++;
  return { id, changed };
}

/** Compares stored rows with wanted ones by key: which stored rows are stale, which wanted rows are missing. */
function diff<S, W>(stored: S[], wanted: W[], storedKey: (s: S) => string, wantedKey: (w: W) => string) {
  const missing = [...wanted];
  const stale: S[] = [];
  for (const row of stored) {
    const i = missing.findIndex((w) => wantedKey(w) === storedKey(row));
    if (i >= 0) missing.splice(i, 1);
    else stale.push(row);
  }
  return { stale, missing };
}

type CitationOwner = keyof Pick<
  Prisma.CitationUncheckedCreateInput,
  "organizationId" | "personId" | "roleId" | "methodId" | "partnershipId" | "programmeId" | "fundingId" | "impactId"
>;

async function writeSeed(tx: Tx, seed: SeedData): Promise<SeedReport> {
  const report = Object.fromEntries(entities.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as SeedReport;
  const ids = {
    sources: new Map<string, number>(),
    organizations: new Map<string, number>(),
    people: new Map<string, number>(),
    methods: new Map<string, number>(),
    partnerships: new Map<string, number>(),
    programmes: new Map<string, number>(),
  };
  const idOf = (map: Map<string, number>, key: string | null) => (key === null ? null : map.get(key)!);

  async function syncCitations(owner: CitationOwner, ownerId: number, wanted: CitationInput[]): Promise<boolean> {
    const rows = wanted.map((c) => ({
      sourceId: ids.sources.get(c.source)!,
      quote: c.quote,
      confidence: c.confidence,
      note: c.note ?? null,
    }));
    const key = (c: (typeof rows)[number]) => JSON.stringify([c.sourceId, c.quote, c.confidence, c.note]);
    const stored = await tx.citation.findMany({ where: { [owner]: ownerId } });
    const { stale, missing } = diff(stored, rows, key, key);
    if (stale.length) await tx.citation.deleteMany({ where: { id: { in: stale.map((c) => c.id) } } });
    if (missing.length) await tx.citation.createMany({ data: missing.map((c) => ({ ...c, [owner]: ownerId })) });
    return stale.length + missing.length > 0;
  }

  const renamable = {
    Organization: seed.organizations,
    Person: seed.people,
    Method: seed.methods,
    Partnership: seed.partnerships,
    Programme: seed.programmes,
    Funding: seed.fundings,
    Impact: seed.impacts,
  };
  await renameToCurrentSlugs(tx, renamable);

  const sameIds = (a: number[], b: number[]) => comparable([...a].sort()) === comparable([...b].sort());

  for (const s of seed.sources) {
    const [publishedOn, publishedPrecision] = dated(s.publishedOn);
    const data = {
      url: s.url,
      title: s.title,
      publisher: s.publisher,
      language: s.language,
      publishedOn,
      publishedPrecision,
      retrievedOn: s.retrievedOn === null ? null : toDate(s.retrievedOn),
      note: s.note,
    } satisfies Prisma.SourceUncheckedCreateInput;
    ids.sources.set(s.url, (await upsertIfChanged(tx.source, { url: s.url }, data, report.sources)).id);
  }

  const orgsBySlug = new Map(seed.organizations.map((o) => [o.slug, o]));
  const identifierKey = (i: { scheme: string; otherScheme: string; value: string }) =>
    JSON.stringify([i.scheme, i.otherScheme, i.value]);
  // Parents are written before their children, so that `parentId` can be set in the same write.
  async function writeOrganization(slug: string): Promise<number> {
    const done = ids.organizations.get(slug);
    if (done !== undefined) return done;
    const o = orgsBySlug.get(slug)!;
    const parentId = o.parent === null ? null : await writeOrganization(o.parent);
    const data = {
      slug: o.slug,
      kind: o.kind,
      nameEn: o.nameEn,
      nameRu: o.nameRu,
      nameKk: o.nameKk,
      alternateNames: o.alternateNames,
      description: o.description,
      country: o.country,
      city: o.city,
      foundedYear: o.foundedYear,
      website: o.website,
      parentId,
    } satisfies Prisma.OrganizationUncheckedCreateInput;
    const { id } = await upsertIfChanged(tx.organization, { slug }, data, report.organizations, async (id) => {
      const stored = await tx.organizationIdentifier.findMany({ where: { organizationId: id } });
      const { stale } = diff(stored, o.identifiers, identifierKey, identifierKey);
      if (stale.length) await tx.organizationIdentifier.deleteMany({ where: { id: { in: stale.map((i) => i.id) } } });
      let changed = stale.length > 0;
      for (const i of o.identifiers) {
        const where = { scheme_otherScheme_value: { scheme: i.scheme, otherScheme: i.otherScheme, value: i.value } };
        const data = { organizationId: id, ...i } satisfies Prisma.OrganizationIdentifierUncheckedCreateInput;
        changed = (await upsertIfChanged(tx.organizationIdentifier, where, data, report.identifiers)).changed || changed;
      }
      return (await syncCitations("organizationId", id, o.citations)) || changed;
    });
    ids.organizations.set(slug, id);
    return id;
  }
  for (const o of seed.organizations) await writeOrganization(o.slug);
  const orgId = (slug: string | null) => idOf(ids.organizations, slug);

  const roleKey = (r: { organizationId: number; title: string }) => JSON.stringify([r.organizationId, r.title]);
  for (const p of seed.people) {
    const data = {
      slug: p.slug,
      nameEn: p.nameEn,
      nameRu: p.nameRu,
      nameKk: p.nameKk,
    } satisfies Prisma.PersonUncheckedCreateInput;
    const { id } = await upsertIfChanged(tx.person, { slug: p.slug }, data, report.people, async (personId) => {
      const roles = p.roles.map((r) => ({ ...r, organizationId: orgId(r.organization)! }));
      const { stale } = diff(await tx.role.findMany({ where: { personId } }), roles, roleKey, roleKey);
      if (stale.length) await tx.role.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } });
      for (const r of roles) {
        const [startOn, startPrecision] = dated(r.startOn);
        const [endOn, endPrecision] = dated(r.endOn);
        const { organizationId, title } = r;
        const data = {
          personId,
          organizationId,
          title,
          startOn,
          startPrecision,
          endOn,
          endPrecision,
        } satisfies Prisma.RoleUncheckedCreateInput;
        const where = { personId_organizationId_title: { personId, organizationId, title } };
        await upsertIfChanged(tx.role, where, data, report.roles, (id) => syncCitations("roleId", id, r.citations));
      }
      return (await syncCitations("personId", personId, p.citations)) || stale.length > 0;
    });
    ids.people.set(p.slug, id);
  }

  for (const m of seed.methods) {
    const data = {
      slug: m.slug,
      title: m.title,
      summary: m.summary,
      category: m.category,
      technologyReadiness: m.technologyReadiness,
    } satisfies Prisma.MethodUncheckedCreateInput;
    const { id } = await upsertIfChanged(tx.method, { slug: m.slug }, data, report.methods, async (id) => {
      const developerIds = m.developers.map((d) => orgId(d)!);
      const stored = await tx.method.findUniqueOrThrow({ where: { id }, select: { developers: { select: { id: true } } } });
      const developersChanged = !sameIds(stored.developers.map((d) => d.id), developerIds);
      if (developersChanged)
        await tx.method.update({ where: { id }, data: { developers: { set: developerIds.map((id) => ({ id })) } } });
      return (await syncCitations("methodId", id, m.citations)) || developersChanged;
    });
    ids.methods.set(m.slug, id);
  }

  const participantKey = (x: { organizationId: number; role: string }) => JSON.stringify([x.organizationId, x.role]);
  for (const p of seed.partnerships) {
    const [startOn, startPrecision] = dated(p.startOn);
    const [endOn, endPrecision] = dated(p.endOn);
    const data = {
      slug: p.slug,
      title: p.title,
      summary: p.summary,
      kind: p.kind,
      status: p.status,
      city: p.city,
      startOn,
      startPrecision,
      endOn,
      endPrecision,
    } satisfies Prisma.PartnershipUncheckedCreateInput;
    const { id } = await upsertIfChanged(tx.partnership, { slug: p.slug }, data, report.partnerships, async (id) => {
      const participants = p.participants.map((x) => ({ organizationId: orgId(x.organization)!, role: x.role }));
      const stored = await tx.participant.findMany({ where: { partnershipId: id } });
      const { stale, missing } = diff(stored, participants, participantKey, participantKey);
      const staleOrgIds = stale.map((x) => x.organizationId);
      if (stale.length) await tx.participant.deleteMany({ where: { partnershipId: id, organizationId: { in: staleOrgIds } } });
      if (missing.length) await tx.participant.createMany({ data: missing.map((x) => ({ ...x, partnershipId: id })) });

      const methodIds = p.methods.map((slug) => ids.methods.get(slug)!);
      const linked = await tx.partnership.findUniqueOrThrow({ where: { id }, select: { methods: { select: { id: true } } } });
      const methodsChanged = !sameIds(linked.methods.map((m) => m.id), methodIds);
      if (methodsChanged)
        await tx.partnership.update({ where: { id }, data: { methods: { set: methodIds.map((id) => ({ id })) } } });

      const citationsChanged = await syncCitations("partnershipId", id, p.citations);
      return citationsChanged || methodsChanged || stale.length + missing.length > 0;
    });
    ids.partnerships.set(p.slug, id);
  }

  for (const p of seed.programmes) {
    const data = {
      slug: p.slug,
      name: p.name,
      description: p.description,
      kind: p.kind,
      operatorId: orgId(p.operator),
      maxAwardAmount: decimalOrNull(p.maxAwardAmount),
      maxAwardCurrency: p.maxAwardCurrency,
    } satisfies Prisma.ProgrammeUncheckedCreateInput;
    const { id } = await upsertIfChanged(tx.programme, { slug: p.slug }, data, report.programmes, (id) =>
      syncCitations("programmeId", id, p.citations),
    );
    ids.programmes.set(p.slug, id);
  }

  for (const f of seed.fundings) {
    const [dateOn, datePrecision] = dated(f.dateOn);
    const data = {
      slug: f.slug,
      description: f.description,
      funderId: orgId(f.funder),
      recipientId: orgId(f.recipient),
      programmeId: idOf(ids.programmes, f.programme),
      partnershipId: idOf(ids.partnerships, f.partnership),
      methodId: idOf(ids.methods, f.method),
      amount: decimalOrNull(f.amount),
      amountBound: f.amountBound,
      currency: f.currency,
      amountKind: f.amountKind,
      dateOn,
      datePrecision,
      fiscalYearFrom: f.fiscalYearFrom,
      fiscalYearTo: f.fiscalYearTo,
    } satisfies Prisma.FundingUncheckedCreateInput;
    await upsertIfChanged(tx.funding, { slug: f.slug }, data, report.fundings, (id) =>
      syncCitations("fundingId", id, f.citations),
    );
  }

  for (const i of seed.impacts) {
    const [periodStartOn, periodStartPrecision] = dated(i.periodStartOn);
    const [periodEndOn, periodEndPrecision] = dated(i.periodEndOn);
    const data = {
      slug: i.slug,
      partnershipId: idOf(ids.partnerships, i.partnership),
      methodId: idOf(ids.methods, i.method),
      organizationId: orgId(i.organization),
      metric: i.metric,
      description: i.description,
      value: decimalOrNull(i.value),
      valueBound: i.valueBound,
      unit: i.unit,
      baselineValue: decimalOrNull(i.baselineValue),
      baselineNote: i.baselineNote,
      periodStartOn,
      periodStartPrecision,
      periodEndOn,
      periodEndPrecision,
      status: i.status,
      claimantId: orgId(i.claimant),
      claimantPersonId: idOf(ids.people, i.claimantPerson),
    } satisfies Prisma.ImpactUncheckedCreateInput;
    await upsertIfChanged(tx.impact, { slug: i.slug }, data, report.impacts, (id) =>
      syncCitations("impactId", id, i.citations),
    );
  }

  await keepFormerSlugs(tx, renamable);
  return report;
}

const defaultDataDir = fileURLToPath(new URL("./data/", import.meta.url));

/**
 * Validates every file in `dataDir` (default: seeds/data) and, only if all are valid, writes them in
 * one transaction. Records are matched by slug (sources by url) and written only when they differ,
 * so running it again on the same data changes nothing.
 */
export async function loadSeed(prisma: PrismaClient, options: { dataDir?: string } = {}): Promise<SeedReport> {
  const seed = await readAndValidate(options.dataDir ?? defaultDataDir);
  return prisma.$transaction((tx) => writeSeed(tx, seed), { timeout: 60_000 });
}
