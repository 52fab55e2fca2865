import type { ArgBuilder, InputObjectRef, ObjectRef } from "@pothos/core";
import { builder, pageSize, type Context, type Types } from "../builder.ts";
import { acceptedLanguages } from "../language.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { AmountBound, Confidence, DatePrecision } from "../generated/prisma/enums.ts";
import type { Prisma } from "../generated/prisma/client.ts";

export const OrderDirection = builder.enumType("OrderDirection", {
  description: "Direction of a sort",
  values: {
    ASC: { description: "Smallest, earliest or alphabetically first value first" },
    DESC: { description: "Largest, latest or alphabetically last value first" },
  },
});

export const Language = builder.enumType("Language", {
  description: "Language of a name or title",
  values: {
    EN: { description: "English" },
    RU: { description: "Russian" },
    KK: { description: "Kazakh" },
  },
});
export type LanguageCode = "EN" | "RU" | "KK";

export const DatePrecisionEnum = builder.enumType(DatePrecision, {
  name: "DatePrecision",
  description: "How precisely a source states a date",
  values: {
    YEAR: { description: "Only the year is known" },
    MONTH: { description: "Year and month are known" },
    DAY: { description: "The exact day is known" },
  },
});

export const ConfidenceEnum = builder.enumType(Confidence, {
  name: "Confidence",
  description: "How firmly a source supports a fact",
  values: {
    HIGH: { description: "The quoted source states the fact directly" },
    LOW: { description: "The source is unofficial, or the fact is uncertain or inferred: see the citation's note" },
  },
});

export const AmountBoundEnum = builder.enumType(AmountBound, {
  name: "AmountBound",
  description: "How a source qualifies a number",
  values: {
    EXACT: { description: "The number as stated" },
    APPROXIMATE: { description: "Stated as approximate (\"about\", \"around\")" },
    AT_LEAST: { description: "A lower bound (\"over\", \"more than\")" },
    AT_MOST: { description: "An upper bound (\"up to\", \"less than\")" },
  },
});

// ---- Partial dates: a day, a month or a year, as precisely as the source states it ----

export interface PartialDateValue {
  on: Date;
  precision: DatePrecision;
}

/** Pairs a stored `...On` column with its `...Precision` column; null when either is missing. */
export function partialDate(on: Date | null, precision: DatePrecision | null): PartialDateValue | null {
  return on && precision ? { on, precision } : null;
}

function lastDay({ on, precision }: PartialDateValue): Date {
  if (precision === "DAY") return on;
  const y = on.getUTCFullYear();
  return precision === "YEAR" ? new Date(Date.UTC(y, 11, 31)) : new Date(Date.UTC(y, on.getUTCMonth() + 1, 0));
}

export const PartialDate = builder.objectRef<PartialDateValue>("PartialDate").implement({
  description: "Date known to a day, a month or only a year, as precisely as the source states it",
  fields: (t) => ({
    text: t.string({
      description: "ISO 8601 date cut to its precision: 2024, 2024-06 or 2024-11-20",
      resolve: ({ on, precision }) =>
        on.toISOString().slice(0, precision === "YEAR" ? 4 : precision === "MONTH" ? 7 : 10),
    }),
    precision: t.field({ type: DatePrecisionEnum, description: "Whether the year, month or day is known", resolve: (d) => d.precision }),
    start: t.field({ type: "Date", description: "First day of the period the date covers", resolve: (d) => d.on }),
    end: t.field({ type: "Date", description: "Last day of the period the date covers", resolve: lastDay }),
  }),
});

// ---- Money ----

export interface MoneyValue {
  amount: Prisma.Decimal;
  currency: string;
}

export function money(amount: Prisma.Decimal | null, currency: string | null): MoneyValue | null {
  return amount !== null && currency ? { amount, currency } : null;
}

export const Money = builder.objectRef<MoneyValue>("Money").implement({
  description: "Amount of money in its original currency, exact to the unit stated by the source",
  fields: (t) => ({
    amount: t.field({ type: "Decimal", description: "Amount as an exact decimal string", resolve: (m) => m.amount }),
    currency: t.field({ type: "Currency", description: "ISO 4217 code of the currency, such as KZT", resolve: (m) => m.currency }),
  }),
});

// ---- Names in several languages ----

export interface Named {
  nameEn: string | null;
  nameRu: string | null;
  nameKk: string | null;
}

const nameColumns = { EN: "nameEn", RU: "nameRu", KK: "nameKk" } as const;

export interface LocalizedTextValue {
  lang: LanguageCode;
  text: string;
}

/** Every name a record has, English first, then Russian, then Kazakh. */
export function allNames(record: Named): LocalizedTextValue[] {
  return (Object.keys(nameColumns) as LanguageCode[]).flatMap((lang) => {
    const text = record[nameColumns[lang]];
    return text ? [{ lang, text }] : [];
  });
}

/**
 * The text in the first wanted language that exists, or else the first available one
 * (English, Russian, Kazakh). `wanted` comes from the `lang` argument or Accept-Language.
 */
export function pickText(texts: LocalizedTextValue[], wanted: LanguageCode[]): LocalizedTextValue {
  for (const lang of wanted) {
    const text = texts.find((n) => n.lang === lang);
    if (text) return text;
  }
  return texts[0];
}

/** Languages a text field should answer in: its `lang` argument, else the request's Accept-Language. */
export function wantedLanguages(lang: LanguageCode | null | undefined, context: Context): LanguageCode[] {
  return lang ? [lang] : acceptedLanguages(context.request.headers.get("accept-language"));
}

export const LocalizedText = builder.objectRef<LocalizedTextValue>("LocalizedText").implement({
  description: "Text in one language",
  fields: (t) => ({
    lang: t.field({ type: Language, description: "Language of the text", resolve: (n) => n.lang }),
    text: t.string({ description: "The text itself", resolve: (n) => n.text }),
  }),
});

const langArgDescription =
  "Preferred language; when omitted, the request's Accept-Language header, else English. Another language is used when that one is unknown";

/**
 * A text field `<noun>(lang:)` and its `localized<Noun>(lang:)` twin, which also says the
 * language the text is in; both pick from `texts` by the `lang` argument or Accept-Language.
 */
function localizedFields<T, N extends string>(
  t: PothosSchemaTypes.RootFieldBuilder<Types, T>,
  noun: N,
  what: string,
  description: string,
  texts: (record: T) => LocalizedTextValue[],
) {
  const pick = (record: T, { lang }: { lang?: LanguageCode | null }, context: Context) => pickText(texts(record), wantedLanguages(lang, context));
  const localized = `localized${noun[0].toUpperCase()}${noun.slice(1)}`;
  const args = { lang: t.arg({ type: Language, description: langArgDescription }) };
  return {
    [noun]: t.string({ description, args, resolve: (record: T, args: { lang?: LanguageCode | null }, context: Context) => pick(record, args, context).text }),
    [localized]: t.field({
      type: LocalizedText,
      description: `${noun[0].toUpperCase()}${noun.slice(1)} of the ${what} with the language it is actually in, so a fallback to another language is visible`,
      args,
      resolve: pick,
    }),
  } as Record<N | `localized${Capitalize<N>}`, ReturnType<typeof t.string>>;
}

/** Adds `name(lang:)`, `localizedName(lang:)` and `names` fields to a type backed by nameEn/nameRu/nameKk columns. */
export function nameFields<T extends Named>(t: PothosSchemaTypes.RootFieldBuilder<Types, T>, what: string) {
  return {
    ...localizedFields(t, "name", what, `Name of the ${what} in the asked language, or in another language when that one is unknown (see \`localizedName\` and \`names\`)`, allNames),
    names: t.field({
      type: [LocalizedText],
      description: `Every known name of the ${what}, one per language`,
      resolve: (record: T) => allNames(record),
    }),
  };
}

/**
 * Adds `title(lang:)` and `localizedTitle(lang:)` to a type whose `title` column is in English,
 * the only language sources give titles in so far; both show the fallback when another is asked.
 */
export function titleFields<T extends { title: string }>(t: PothosSchemaTypes.RootFieldBuilder<Types, T>, what: string, description: string) {
  return localizedFields(t, "title", what, `${description}; in the asked language when known, else in English (see \`localizedTitle\`)`, (record) => [
    { lang: "EN", text: record.title },
  ]);
}

// ---- Sorting ----

interface OrderColumn {
  description: string;
  column: string;
  /** Nullable columns sort their unknown values last in both directions. */
  nullable?: boolean;
}

/**
 * Declares `<Type>Order { field, direction }` and its enum of sortable fields, and returns a
 * function turning the argument into a Prisma orderBy that ends on `id` so pages never overlap.
 */
export function orderInput<const T extends Record<string, OrderColumn>>(typeName: string, fields: T, defaultField: keyof T & string) {
  type F = keyof T & string;
  const fieldEnum = builder.enumType(`${typeName}OrderField`, {
    description: `What to sort ${typeName.toLowerCase()} lists by`,
    values: Object.fromEntries(
      Object.entries<OrderColumn>(fields).map(([name, f]) => [name, { description: f.description }]),
    ) as { [K in F]: { description: string } },
  });
  const input = builder.inputType(`${typeName}Order`, {
    description: `Sort order of a ${typeName.toLowerCase()} list`,
    fields: (t) => ({
      field: t.field({ type: fieldEnum, required: true, description: "Field to sort by" }),
      direction: t.field({ type: OrderDirection, required: true, defaultValue: "ASC", description: "Sort direction" }),
    }),
  });
  const toPrisma = (order: { field: F; direction: "ASC" | "DESC" } | null | undefined) => {
    const field = order?.field ?? defaultField;
    const sort = order?.direction === "DESC" ? ("desc" as const) : ("asc" as const);
    const { column, nullable } = fields[field];
    const first = nullable ? { [column]: { sort, nulls: "last" as const } } : { [column]: sort };
    return column === "id" ? [{ id: sort }] : [first, { id: sort }];
  };
  return { input, toPrisma };
}

/** Case-insensitive substring match for Prisma where clauses. */
export function contains(text: string) {
  return { contains: text, mode: "insensitive" as const };
}

/** Numeric database id of a global ID that the relay plugin has already decoded. */
export function dbId(globalId: { id: unknown }): number {
  return Number(globalId.id);
}

export const IntRange = builder.inputType("IntRange", {
  description: "Range of whole numbers; either end may be left out",
  fields: (t) => ({
    min: t.int({ description: "Smallest value included" }),
    max: t.int({ description: "Largest value included" }),
  }),
});

export const DateRange = builder.inputType("DateRange", {
  description: "Range of dates; either end may be left out",
  fields: (t) => ({
    from: t.field({ type: "Date", description: "Earliest date included" }),
    to: t.field({ type: "Date", description: "Latest date included" }),
  }),
});

// ---- Retraction: every list, total, summary and facet leaves retracted records out unless asked ----

export type RetractionValue = "EXCLUDE" | "INCLUDE" | "ONLY";

export const RetractionFilter = builder.enumType("RetractionFilter", {
  description: "Whether a list, total or summary holds retracted records (records found to be wrong, still shown by id and slug with the reason)",
  values: {
    EXCLUDE: { description: "Only records in good standing (the default)" },
    INCLUDE: { description: "Records in good standing and retracted ones" },
    ONLY: { description: "Only retracted records" },
  },
});

/** The `retraction` argument of every list and summary: EXCLUDE unless asked. */
export function retractionArg(arg: ArgBuilder<Types>) {
  return arg({
    type: RetractionFilter,
    required: true,
    defaultValue: "EXCLUDE",
    description: "Whether retracted records are counted and listed: EXCLUDE (the default) leaves them out of the items and every count, INCLUDE adds them, ONLY lists them alone",
  });
}

/** Prisma where clause of a `retraction` argument. */
export function retractionWhere(retraction: RetractionValue | null | undefined) {
  return retraction === "INCLUDE" ? {} : { retractedAt: retraction === "ONLY" ? { not: null } : null };
}

/** SQL condition of a `retraction` argument on the table aliased `alias`. */
export function retractionSql(retraction: RetractionValue | null | undefined, alias: string): string {
  return retraction === "INCLUDE" ? "true" : `${alias}."retractedAt" IS ${retraction === "ONLY" ? "NOT " : ""}NULL`;
}

// ---- Root lists ----

/** The part of a Prisma model delegate a root list needs. */
interface ListDelegate {
  count(args: { where: object }): PromiseLike<number>;
  findMany(args: object): PromiseLike<unknown[]>;
}

/**
 * Where clause of the root list a connection was resolved from, keyed by the connection's `args`,
 * for fields of the connection itself (such as `facets`) to count over the same filtered list.
 */
export const connectionWhere = new WeakMap<object, object>();

/**
 * Declares a root connection field with a typed `filter`, an `orderBy` and a `retraction`, paging
 * with Prisma cursors and counting `totalCount` with the same where clause.
 */
export function rootList<Filter extends object, Order>(
  name: string,
  options: {
    type: keyof PrismaTypes & string;
    connection: ObjectRef<Types, any>;
    description: string;
    filter: InputObjectRef<Types, Filter>;
    order: { input: InputObjectRef<Types, Order>; toPrisma: (order: Order | null | undefined) => object[] };
    defaultOrder: string;
    model: () => ListDelegate;
    where: (filter: Filter | null | undefined) => object;
  },
) {
  type Args = { filter?: Filter | null; orderBy?: Order | null; retraction?: RetractionValue | null };
  const where = (args: Args) => ({ AND: [options.where(args.filter), retractionWhere(args.retraction)] });
  builder.queryField(name, (t) =>
    t.prismaConnection(
      // Pothos cannot infer a prismaConnection over a model chosen by a type parameter; the
      // field's shape is still checked by the schema tests and each list's API tests.
      {
        type: options.type,
        ...pageSize,
        cursor: "id",
        description: options.description,
        args: {
          filter: t.arg({ type: options.filter, description: "Conditions the items must meet; all given conditions must hold" }),
          orderBy: t.arg({ type: options.order.input, description: `Sort order; ${options.defaultOrder} when omitted` }),
          retraction: retractionArg(t.arg),
        },
        totalCount: (parent: unknown, args: Args) => options.model().count({ where: where(args) }),
        resolve: (query: object, parent: unknown, args: Args) => {
          connectionWhere.set(args, where(args));
          return options.model().findMany({ ...query, where: where(args), orderBy: options.order.toPrisma(args.orderBy) });
        },
      } as never,
      options.connection,
    ),
  );
}

/** `createdAt` and `updatedAt`, the same on every record type of the dataset. */
export function timestampFields<T extends { createdAt: Date; updatedAt: Date }>(t: PothosSchemaTypes.RootFieldBuilder<Types, T>) {
  return {
    createdAt: t.field({ type: "DateTime", description: "When the record was added to this dataset", resolve: (r: T) => r.createdAt }),
    updatedAt: t.field({ type: "DateTime", description: "When the record last changed in this dataset", resolve: (r: T) => r.updatedAt }),
  };
}
