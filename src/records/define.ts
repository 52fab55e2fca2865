// What a record type is made of, and `defineRecordType`, which turns one type's description (in
// its own file beside this one) into the operations every part of the code uses: the importer, the
// writer, exports, history, slugs, corrections, provenance and the response cache's tags.
import type { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import type { AddReference, Counts, Field, PartName, ProblemCheck, UpsertDelegate, Writer } from "./fields.ts";
import type { EntityName } from "./registry.ts";

type Db = Prisma.TransactionClient;
export type KeyField = "slug" | "url";

/** The Prisma delegate of a record type, as far as the generic code uses it, for records keyed by `K`. */
export interface RecordDelegate<K extends KeyField, Data> extends UpsertDelegate<Data> {
  /** Whole rows, or only their keys and ids. */
  findMany(args: {
    where: Record<K, { in: string[] }> | { id: { in: number[] } };
    select?: Record<K | "id", true>;
  }): PromiseLike<(Record<K, string> & { id: number })[]>;
  update(args: { where: { id: number }; data: Data | Record<K, string> }): PromiseLike<unknown>;
  findFirst(args: {
    where: Record<K, string> | { id: number };
    select: Record<K | "id", true>;
  }): PromiseLike<(Record<K, string> & { id: number }) | null>;
}

/** A field searched by `search`: its name in `matchedField`, the column it is read from, and its weight. */
export interface SearchField {
  field: string;
  column: string;
  weight: number;
  /** A list of texts (text[]), searched item by item. */
  list?: true;
}

/** One record type as its own file describes it. */
export interface RecordTypeDefinition<M extends string, S extends z.ZodObject, Row, Data, K extends KeyField, R = z.output<S>> {
  /** Prisma model, table, GraphQL type, change log `recordType` and cache tag: one name for all. */
  model: M;
  /** Field that identifies a record across imports and in addresses. */
  key: K;
  /** Import format of one record. */
  schema: S;
  delegate(db: Db): RecordDelegate<K, Data>;
  /** Stored records with these keys, loaded with what the fields' `read` need. */
  load(db: Db, keys: string[]): Promise<Row[]>;
  /** Every field of the file format but formerSlugs, in file order. */
  fields: { [F in Exclude<keyof R, "formerSlugs">]-?: Field<Row, Data, R[F]> };
  /** Checks within one raw record that its schema cannot express (repeated list items, end before start). */
  problems?(record: Record<string, unknown>, check: ProblemCheck): void;
  searchable: SearchField[];
  /** Record types whose answers list links stored with this type's records (a method's developers: Organization). */
  links?: string[];
  /** GraphQL types, other than this one, that read only this type's tables (Role: Person). */
  readers?: string[];
}

/** A record type, for code that handles every type alike. */
export interface RecordType<M extends string = string, S extends z.ZodObject = z.ZodObject, K extends KeyField = KeyField> {
  model: M;
  key: K;
  schema: S;
  /** Fields of the file format in file order, as imports read them and exports write them (formerSlugs only renames, so it is not exported). */
  fieldNames: string[];
  searchable: SearchField[];
  links: string[];
  readers: string[];
  /** Stored records with these keys in file format (fields in file order). */
  read(db: Db, keys: string[]): Promise<Record<string, unknown>[]>;
  /** The record with this key or id: its id and key; null when there is none. */
  find(db: Db, where: { key: string } | { id: number }): Promise<{ id: number; key: string } | null>;
  /** Ids of the stored records with these keys, by key. */
  ids(db: Db, keys: string[]): Promise<Map<string, number>>;
  /** Gives the record `id` a new key. */
  rekey(db: Db, id: number, key: string): Promise<void>;
  /**
   * Writes records their schema validated (a batch, each key once), only where they differ from what
   * is stored (`ids`: the stored ones, by key, locked); each one's id, and whether it was created or changed (null: created meanwhile by
   * another transaction, and left for the caller to write again).
   */
  write(
    writer: Writer,
    records: Record<string, unknown>[],
    counts: Counts,
    ids: ReadonlyMap<string, number>,
  ): Promise<({ id: number; created: boolean; changed: boolean } | null)[]>;
  /** Rows counted apart (identifiers, roles) of a record left unchanged. */
  unchangedParts(record: Record<string, unknown>): [PartName, number][];
  references(record: Record<string, unknown>, add: AddReference): void;
  problems(record: Record<string, unknown>, check: ProblemCheck): void;
}

export function defineRecordType<M extends string, S extends z.ZodObject, Row, Data, K extends KeyField>(
  def: RecordTypeDefinition<M, S, Row, Data, K>,
): RecordType<M, S, K> {
  type Target = EntityName;
  // In file order, the schema's, whatever the order of `def.fields`.
  const order = Object.keys(def.schema.shape);
  const fields = (Object.entries(def.fields) as [string, Field<Row, Data, unknown>][]).sort(
    ([a], [b]) => order.indexOf(a) - order.indexOf(b),
  );
  // A computed key widens to string; `def.key` is K.
  const byKey = <V>(value: V) => ({ [def.key]: value }) as Record<K, V>;
  const keyOf = (row: Record<K, string>): string => row[def.key];
  return {
    model: def.model,
    key: def.key,
    schema: def.schema,
    fieldNames: fields.map(([name]) => name),
    searchable: def.searchable,
    links: def.links ?? [],
    readers: def.readers ?? [],
    async read(db, keys) {
      const rows = await def.load(db, keys);
      return rows.map((row) => Object.fromEntries(fields.map(([name, field]) => [name, field.read(row)])));
    },
    async find(db, where) {
      const found = await def
        .delegate(db)
        .findFirst({ where: "key" in where ? byKey(where.key) : where, select: { ...byKey(true as const), id: true } });
      return found && { id: found.id, key: keyOf(found) };
    },
    async ids(db, keys) {
      const rows = await def.delegate(db).findMany({ where: byKey({ in: keys }), select: { ...byKey(true as const), id: true } });
      return new Map(rows.map((row) => [keyOf(row), row.id]));
    },
    async rekey(db, id, key) {
      await def.delegate(db).update({ where: { id }, data: byKey(key) });
    },
    async write(writer, records, counts, ids) {
      const referenced = new Map<Target, Set<string>>();
      for (const record of records)
        for (const [name, field] of fields)
          field.references?.(record[name], (_, value, target) => {
            if (typeof value === "string") referenced.set(target, (referenced.get(target) ?? new Set()).add(value));
          });
      for (const [target, keys] of referenced) await writer.resolve(target, keys);
      const keys = records.map((record) => String(record[def.key]));
      const delegate = def.delegate(writer.tx);
      const storedIds = keys.flatMap((key) => ids.get(key) ?? []);
      const storedRows = storedIds.length ? await delegate.findMany({ where: { id: { in: storedIds } } }) : [];
      const stored = new Map(storedRows.map((row) => [keyOf(row), row]));
      const items = [];
      for (const [i, record] of records.entries()) {
        const data: Partial<Data> = {};
        for (const [name, field] of fields) Object.assign(data, await field.columns?.(record[name], writer));
        // `data` holds every column of the model's fields, which `fields` covers entirely.
        items.push({ data: data as Data, stored: stored.get(keys[i]) ?? null });
      }
      const syncLinks = async (written: { id: number; fresh: boolean; index: number }[]) => {
        const changed = new Set<number>();
        for (const [name, field] of fields) {
          if (!field.sync) continue;
          const synced = written.map(({ id, fresh, index }) => ({ id, fresh, key: keys[index], value: records[index][name] }));
          for (const id of await field.sync(synced, writer)) changed.add(id);
        }
        return changed;
      };
      const identity = { of: (row: object) => String(Reflect.get(row, def.key)), record: true as const };
      return writer.upsertMany(def.model, delegate, items, counts, identity, syncLinks);
    },
    unchangedParts(record) {
      return fields.flatMap(([name, field]) =>
        field.parts ? [[field.parts, (record[name] as unknown[]).length] as [PartName, number]] : [],
      );
    },
    references(record, add) {
      // A record's citations first, as problems have always been listed.
      for (const [name, field] of [...fields].sort(([a], [b]) => Number(b === "citations") - Number(a === "citations")))
        field.references?.(record[name], add);
    },
    problems(record, check) {
      def.problems?.(record, check);
    },
  };
}
