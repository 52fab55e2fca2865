// The building blocks of a record type's description (see registry.ts): the file formats its zod
// schema is made of, and the field kinds that say, once, how a field of the file format is stored,
// read back (exports, history, the writer's comparison) and written (imports, seeds, mutations).
import { z } from "zod";
import { type DatePrecision, Prisma } from "../generated/prisma/client.ts";
import { AmountBound, Confidence, IdentifierScheme } from "../generated/prisma/enums.ts";
import type { EntityName } from "./registry.ts";

// File formats

export const text = z
  .string()
  .max(10_000, "expected at most 10000 characters")
  .regex(/^\S(.*\S)?$/s, "expected non-empty text without surrounding spaces");
export const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a slug of lowercase letters, digits and hyphens, e.g. "kazzinc"');
// Slugs a record was published under before; they keep answering (see src/slugs.ts).
export const formerSlugs = z.array(slug).nullish();
export const url = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
export const year = z.number().int().min(1000).max(2100);
export const reducedDate = z.string().refine(isReducedDate, 'expected an existing date as "2024", "2024-06" or "2024-11-20"');
export const day = reducedDate.refine((s) => s.length === 10, 'expected a full date such as "2024-11-20"');
export const decimalText = (scale: number, signed = false) =>
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
export type CitationInput = z.infer<typeof citation>;

export const identifier = z
  .strictObject({ scheme: z.enum(IdentifierScheme), schemeName: text.nullable(), value: text })
  .refine((i) => (i.scheme === "OTHER") === (i.schemeName !== null), {
    message: "expected schemeName to name the scheme when scheme is OTHER, and to be null otherwise",
    path: ["schemeName"],
  });

export const names = {
  nameEn: text.nullable(),
  nameRu: text.nullable(),
  nameKk: text.nullable(),
};
export const someName = {
  check: (r: { nameEn: string | null; nameRu: string | null; nameKk: string | null }) => Boolean(r.nameEn ?? r.nameRu ?? r.nameKk),
  params: { message: "expected at least one of nameEn, nameRu, nameKk", path: ["nameEn"] },
};

export function isReducedDate(value: string): boolean {
  return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value) && toDate(value).toISOString().startsWith(value);
}

export function toDate(value: string): Date {
  const [y, m = 1, d = 1] = value.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

// Field kinds

/** Columns of Citation that name the record a citation supports. */
export type CitationOwner = keyof Pick<
  Prisma.CitationUncheckedCreateInput,
  "organizationId" | "personId" | "roleId" | "methodId" | "partnershipId" | "programmeId" | "fundingId" | "impactId"
>;

export type Counts = { created: number; updated: number; unchanged: number };
/** Rows of records' own tables that an import report counts apart from their record. */
export type PartName = "identifiers" | "roles";

/** The subset of a Prisma model delegate that RecordWriter.upsertMany needs (it inserts rows itself). */
export interface UpsertDelegate<Data> {
  update(args: { where: { id: number }; data: Data }): PromiseLike<unknown>;
  updateMany(args: { where: { id: { in: number[] } }; data: { updatedAt: Date } }): PromiseLike<unknown>;
}

/** One row for RecordWriter.upsertMany: the columns wanted, and the row stored (null when there is none). */
export interface Upsert<Data> {
  data: Data;
  stored: ({ id: number } & object) | null;
}

/** A record of a batch as a field's `sync` sees it: its key, the field's value, its id, and whether it was just created. */
export interface Synced<V> {
  key: string;
  value: V;
  id: number;
  fresh: boolean;
}

/** What a field's writer may ask of the RecordWriter writing its record. */
export interface Writer {
  readonly tx: Prisma.TransactionClient;
  readonly report: Record<PartName, Counts>;
  /** Database id of the record with this key; undefined when there is none. */
  idOf(entity: EntityName, key: string): Promise<number | undefined>;
  /** Database id of a referenced record (null for no reference); throws when there is none. */
  ref(entity: EntityName, key: string | null): Promise<number | null>;
  /** Ids of the records with these keys that exist, by key, looked up at once (`idOf` and `ref` then find them without a query). */
  resolve(entity: EntityName, keys: Iterable<string>): Promise<Map<string, number>>;
  syncCitations(owner: CitationOwner, items: Synced<CitationInput[]>[]): Promise<Set<number>>;
  /** Inserts rows into a table in one statement (see RecordWriter.insertRows). */
  insertRows(table: string, rows: object[]): Promise<unknown>;
  upsertMany<Data>(
    table: string,
    delegate: UpsertDelegate<NoInfer<Data>>,
    items: Upsert<Data>[],
    counts: Counts,
    identity: Identity<Data>,
    /** Given the rows written, each with its place in `items`. */
    syncLinks?: (written: { id: number; fresh: boolean; index: number }[]) => Promise<Set<number>>,
  ): Promise<({ id: number; created: boolean; changed: boolean } | null)[]>;
  /** Runs `work` once every record of the transaction is written (a reference to a record written later). */
  later(work: () => Promise<void>): void;
  logChange(change: Omit<Prisma.ChangeCreateManyInput, "actor" | "reason">): Promise<void>;
}

/**
 * How upsertMany matches the rows it created to the rows asked for (`of`, applied to both); with
 * `record`, the rows are records, created once under concurrent creates.
 */
export interface Identity<Data> {
  of(row: Data | object): string;
  record?: true;
}

/** A reference found in a raw (not yet validated) record: `field` names `value`, a key of `target`. */
export type AddReference = (field: string, value: unknown, target: EntityName) => void;

/**
 * One field of the file format, described once: `read` gives its value from the stored row (`Row`,
 * as the record type's reader loads it); `columns` gives the columns of the record's own row that
 * store it (`Data`, the model's create input); `sync` writes what is stored outside that row
 * (citations, lists of links) for a batch of records once their rows exist, and says which changed.
 */
export interface Field<Row, Data, V> {
  read(row: Row): V;
  columns?(value: V, writer: Writer): Partial<Data> | Promise<Partial<Data>>;
  sync?(items: Synced<V>[], writer: Writer): Promise<Set<number>>;
  /** Keys of other records named by the raw value (checked even when the record has other problems). */
  references?(value: unknown, add: AddReference): void;
  /** Rows of this field an import report counts on their own when the record is unchanged. */
  parts?: PartName;
}

export function reduced(on: Date | null, precision: DatePrecision | null): string | null {
  if (!on || !precision) return null;
  return on.toISOString().slice(0, precision === "YEAR" ? 4 : precision === "MONTH" ? 7 : 10);
}

/** A reduced-precision ISO date as its `...On` column (first day of the period) and `...Precision`. */
export function dated(value: string | null): [Date | null, DatePrecision | null] {
  if (value === null) return [null, null];
  return [toDate(value), (["YEAR", "MONTH", "DAY"] as const)[value.split("-").length - 1]];
}

/** Prisma selection of a related record's key. */
export const slugOnly = { select: { slug: true } } as const;
/** Prisma selection of a record's citations, as the file format lists them. */
export const citationsInclude = {
  orderBy: { id: "asc" },
  select: { quote: true, confidence: true, note: true, source: { select: { url: true } } },
} as const;
type StoredCitation = { quote: string | null; confidence: CitationInput["confidence"]; note: string | null; source: { url: string } };

export const readCitations = (list: StoredCitation[]): CitationInput[] =>
  list.map((c) => ({ source: c.source.url, quote: c.quote, confidence: c.confidence, ...(c.note === null ? {} : { note: c.note }) }));

/** References of a raw list of citations (each naming a source by url). */
export function citationReferences(prefix: string, value: unknown, add: AddReference) {
  if (Array.isArray(value))
    value.forEach((c, i) => {
      add(`${prefix}citations[${i}].source`, valueAt(c, ["source"]), "sources");
    });
}

export function valueAt(value: unknown, at: readonly PropertyKey[]): unknown {
  return at.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? Reflect.get(v, key) : undefined), value);
}

/**
 * The field kinds for a model whose reader loads `Row` and whose create input is `Data`. Column
 * names are checked against both, so a field cannot name a column the model does not have.
 */
export function fieldKinds<Row, Data>() {
  type Column = keyof Row & keyof Data & string;
  // A computed key widens to string; the name was checked against Data by `Column`.
  const set = (column: Column, value: unknown) => ({ [column]: value }) as Partial<Data>;
  return {
    /** Stored as is in one column of the same or another name. */
    column<C extends Column>(column: C): Field<Row, Data, Row[C]> {
      return { read: (row) => row[column], columns: (value) => set(column, value ?? null) };
    },
    /** An exact decimal (a string in files) in a Decimal column. */
    decimal(column: Column): Field<Row, Data, string | null> {
      return {
        read: (row) => (row[column] === null ? null : String(row[column])),
        columns: (value) => set(column, value === null ? null : new Prisma.Decimal(value)),
      };
    },
    /** A date as precisely as known ("2024", "2024-06", "2024-11-20") in an `...On` and a `...Precision` column. */
    reducedDate(on: Column, precision: Column): Field<Row, Data, string | null> {
      return {
        read: (row) => reduced(row[on] as Date | null, row[precision] as DatePrecision | null),
        columns: (value) => {
          const [date, datePrecision] = dated(value);
          return { ...set(on, date), ...set(precision, datePrecision) };
        },
      };
    },
    /** A full date in a date column. */
    day(column: Column): Field<Row, Data, string | null> {
      return {
        read: (row) => reduced(row[column] as Date | null, "DAY"),
        columns: (value) => set(column, value === null ? null : toDate(value)),
      };
    },
    /** Another record named by its slug: the relation `relation` (loaded with slugOnly) through the column `column`. */
    reference(relation: keyof Row & string, column: Column, target: EntityName): Field<Row, Data, string | null> {
      return {
        read: (row) => (row[relation] as { slug: string } | null)?.slug ?? null,
        columns: async (value, writer) => set(column, await writer.ref(target, value)),
        references: (value, add) => add(relation, value, target),
      };
    },
    /** The record's citations (loaded with citationsInclude), stored in Citation rows whose `owner` column names the record. */
    citations(owner: CitationOwner): Field<Row, Data, CitationInput[]> {
      return {
        read: (row) => readCitations((row as { citations: StoredCitation[] }).citations),
        sync: (items, writer) => writer.syncCitations(owner, items),
        references: (value, add) => citationReferences("", value, add),
      };
    },
  };
}

/** Compares stored rows with wanted ones by key: which stored rows are stale, which wanted rows are missing. */
export function diff<S, W>(stored: S[], wanted: W[], storedKey: (s: S) => string, wantedKey: (w: W) => string) {
  const missing = [...wanted];
  const stale: S[] = [];
  for (const row of stored) {
    const i = missing.findIndex((w) => wantedKey(w) === storedKey(row));
    if (i >= 0) missing.splice(i, 1);
    else stale.push(row);
  }
  return { stale, missing };
}

/**
 * Brings lists of other records named by key (a many-to-many relation: a method's developers) in
 * line for a batch of records: `linked` loads the ids stored for records, `set` replaces a record's.
 */
export async function syncLinkLists(
  items: Synced<string[]>[],
  writer: Writer,
  target: EntityName,
  linked: (ids: number[]) => Promise<{ id: number; links: { id: number }[] }[]>,
  set: (id: number, links: number[]) => Promise<unknown>,
): Promise<Set<number>> {
  await writer.resolve(
    target,
    items.flatMap((item) => item.value),
  );
  const old = items.filter((item) => !item.fresh).map((item) => item.id);
  const stored = new Map((old.length ? await linked(old) : []).map((row) => [row.id, row.links.map((l) => l.id)]));
  const changed = new Set<number>();
  for (const { id, value } of items) {
    const wanted: number[] = [];
    for (const key of value) wanted.push((await writer.ref(target, key))!);
    if (sameIds(stored.get(id) ?? [], wanted)) continue;
    await set(id, wanted);
    changed.add(id);
  }
  return changed;
}

/** Rows by the id of the record they belong to. */
export function byOwner<T>(rows: T[], ownerOf: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const owner = ownerOf(row);
    const group = groups.get(owner);
    if (group) group.push(row);
    else groups.set(owner, [row]);
  }
  return groups;
}

/** A column value as JSON: dates as ISO strings, decimals as exact strings. */
function jsonValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : Prisma.Decimal.isDecimal(v) ? v.toString() : v;
}
export const comparable = (v: unknown) => JSON.stringify(jsonValue(v));
export const sameIds = (a: number[], b: number[]) => comparable([...a].sort()) === comparable([...b].sort());

/** Checks within one raw record that a schema cannot express, reporting each problem found. */
export interface ProblemCheck {
  /** Each item of `values` (compared as JSON) once. */
  unique(field: string, values: unknown[], what: string): void;
  /** `end` not before `start`, both dates as precisely as known. */
  order(field: string, start: unknown, end: unknown): void;
}

/** A bound qualifies a number: `<field>Bound` is given exactly when `<field>` is. */
export const boundGiven = (field: "amount" | "value") => ({
  check: (r: Record<string, unknown>) => r[field] !== null || r[`${field}Bound`] === null,
  params: { message: `expected null when ${field} is null: a bound qualifies a number, and there is none`, path: [`${field}Bound`] },
});
export const boundNeeded = (field: "amount" | "value") => ({
  check: (r: Record<string, unknown>) => r[field] === null || r[`${field}Bound`] !== null,
  params: { message: `expected ${Object.keys(AmountBound).join(", ")} when ${field} is set`, path: [`${field}Bound`] },
});
