// Writes validated records, a batch at a time, inside the caller's transaction: matched by their key
// (slug, or url for sources), written only when they differ, and every change recorded in the
// change log with who made it and why.
import { announceChange, type DataVersions, dataChanged, learnDataVersions } from "../cache/invalidation.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import {
  byOwner,
  type CitationInput,
  type CitationOwner,
  type Counts,
  comparable,
  diff,
  type Identity,
  type PartName,
  type Synced,
  type Upsert,
  type UpsertDelegate,
  type Writer,
} from "../records/fields.ts";
import { isSluggedModel } from "../records/registry.ts";
import { keepFormerSlugs, type Renamable, renameToCurrentSlug } from "../slugs.ts";
import { readRecords } from "./export.ts";
import { type Entity, entities, type RecordOf, recordFields } from "./records.ts";

export type { Counts } from "../records/fields.ts";
export type WriteReport = Record<Entity | PartName, Counts>;

type Tx = Prisma.TransactionClient;

/** Who the command-line tools write as in the change log; no API key may take these names. */
export const SEED_ACTOR = "seed";
export const IMPORT_ACTOR = "import";

/** Who makes a change and why, as the change log records it. */
export interface Author {
  /** Name of the API key, or SEED_ACTOR / IMPORT_ACTOR for the command-line tools. */
  actor: string;
  reason: string | null;
}

export function emptyReport(): WriteReport {
  const names = [...Object.keys(entities), "identifiers", "roles"] as (keyof WriteReport)[];
  return Object.fromEntries(names.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as WriteReport;
}

const CHANGE_BATCH = 500;
const ID_CACHE_SIZE = 20_000;
const LOOKUP_BATCH = 5000;

/** What upsertMany did with a row. */
interface Written {
  id: number;
  created: boolean;
  changed: boolean;
}

/**
 * Runs `work` with a RecordWriter in one transaction of `client`; once it has committed, tells this
 * process's response caches what changed (other processes hear it through the NOTIFY of `finish`).
 */
export async function writeTransaction<T>(
  client: Pick<PrismaClient, "$transaction">,
  author: Author,
  work: (tx: Tx, writer: RecordWriter) => Promise<T>,
  options?: { timeout?: number; maxWait?: number },
): Promise<T> {
  let writer: RecordWriter | undefined;
  const result = await client.$transaction((tx) => work(tx, (writer = new RecordWriter(tx, author))), options);
  if (writer!.dataVersions) learnDataVersions(writer!.dataVersions);
  await dataChanged(writer!.changedRecordTypes);
  return result;
}

/**
 * Writes records of every entity into one transaction, a batch of one entity's records at a time.
 * References are resolved by key, first among the records this writer wrote, then in the database.
 */
export class RecordWriter implements Writer {
  readonly report = emptyReport();
  private readonly ids = new Map<Entity, Map<string, number>>();
  private readonly pendingChanges: Prisma.ChangeCreateManyInput[] = [];
  /** Record types this writer changed, for the response caches once the transaction commits. */
  readonly changedRecordTypes = new Set<string>();
  /** The data versions of what it changed, set by `finish`. */
  dataVersions?: DataVersions;
  // Work that needs records written later in the same import (an organization's parent): done by `finish`.
  private readonly pendingWork: (() => Promise<void>)[] = [];

  constructor(
    readonly tx: Tx,
    private readonly author: Author,
  ) {}

  /** Database id of the record with this key, locked as `lockMany` locks; undefined when there is none. */
  async lock(entity: Entity, key: string): Promise<number | undefined> {
    return (await this.lockMany(entity, [key])).get(key);
  }

  /**
   * Ids of the stored records with these keys, by key, their rows locked (SELECT ... FOR UPDATE) in
   * the database's order of the keys until the transaction ends. Every write of a record takes this
   * lock before reading it, so a concurrent write of the same record waits for this one to commit
   * and then reads what it wrote: no update is lost, and each change-log entry starts where the
   * previous one ended. Writes creating the same new key take turns on the key's unique index
   * instead (see upsertMany), which costs no lock per key however large the batch.
   */
  async lockMany(entity: Entity, keys: string[]): Promise<Map<string, number>> {
    const { model, key: column } = entities[entity];
    // Table and column names come from the record registry, never from input.
    const col = Prisma.raw(`"${column}"`);
    const rows = await this.tx.$queryRaw<{ id: number; key: string }[]>`SELECT id, ${col} AS key FROM ${Prisma.raw(`"${model}"`)}
      WHERE ${col} = ANY(${keys}::text[]) ORDER BY ${col} FOR UPDATE`;
    return new Map(rows.map((row) => [row.key, row.id]));
  }

  private cache(entity: Entity): Map<string, number> {
    let map = this.ids.get(entity);
    if (!map) this.ids.set(entity, (map = new Map()));
    return map;
  }

  /** Database id of the record with this key; undefined when there is none. */
  async idOf(entity: Entity, key: string): Promise<number | undefined> {
    return (await this.resolve(entity, [key])).get(key);
  }

  async ref(entity: Entity, key: string | null): Promise<number | null> {
    if (key === null) return null;
    const id = await this.idOf(entity, key);
    if (id === undefined) throw new Error(`${entity} "${key}" does not exist`);
    return id;
  }

  /** Ids of the records with these keys that exist, by key: remembered ones, and the others looked up at once. */
  async resolve(entity: Entity, keys: Iterable<string>): Promise<Map<string, number>> {
    const cache = this.cache(entity);
    const found = new Map<string, number>();
    const unknown: string[] = [];
    for (const key of new Set(keys)) {
      const id = cache.get(key);
      if (id === undefined) unknown.push(key);
      else found.set(key, id);
    }
    for (let i = 0; i < unknown.length; i += LOOKUP_BATCH)
      for (const [key, id] of await entities[entity].ids(this.tx, unknown.slice(i, i + LOOKUP_BATCH))) {
        found.set(key, id);
        this.remember(entity, key, id);
      }
    return found;
  }

  private remember(entity: Entity, key: string, id: number) {
    const map = this.cache(entity);
    // Bounded, so that memory stays flat on large files; a forgotten key is looked up again.
    if (map.size >= ID_CACHE_SIZE) map.clear();
    map.set(key, id);
  }

  later(work: () => Promise<void>) {
    this.pendingWork.push(work);
  }

  /** Adds an entry to the change log (buffered; `finish` writes what is left). */
  async logChange(change: Omit<Prisma.ChangeCreateManyInput, "actor" | "reason">) {
    this.pendingChanges.push({ ...change, actor: this.author.actor, reason: this.author.reason });
    this.changedRecordTypes.add(change.recordType);
    if (this.pendingChanges.length >= CHANGE_BATCH) await this.flushChanges();
  }

  private async flushChanges() {
    const batch = this.pendingChanges.splice(0);
    if (batch.length) await this.insertRows("Change", batch);
  }

  /** Does the work left for the end (pending parents) and writes the rest of the change log. */
  async finish(): Promise<WriteReport> {
    for (const work of this.pendingWork.splice(0)) await work();
    await this.flushChanges();
    if (this.changedRecordTypes.size) this.dataVersions = await announceChange(this.tx, this.changedRecordTypes);
    return this.report;
  }

  /**
   * Creates the rows of `items` not stored (in one statement), and updates each stored one whose
   * columns differ; `syncLinks` then brings their citations and links in line and says which it
   * changed. A row whose only change is in its links gets its `updatedAt` touched, so clients see it
   * changed. (`writeMany` records the changes in the change log, in the file format's terms, and
   * holds the records' locks.) A record (`identity.record`) that another transaction created since
   * it was looked up is not created again: the insert waits for that transaction on the unique
   * index and skips the record once it commits; it is then left out (null), for `writeMany` to
   * write again as stored.
   */
  async upsertMany<Data>(
    table: string,
    delegate: UpsertDelegate<NoInfer<Data>>,
    items: Upsert<Data>[],
    counts: Counts,
    identity: Identity<Data>,
    syncLinks: (written: { id: number; fresh: boolean; index: number }[]) => Promise<Set<number>> = async () => new Set(),
  ): Promise<(Written | null)[]> {
    const fresh = items.filter((item) => !item.stored).map((item) => item.data as object);
    const created = new Map<string, number>();
    if (fresh.length)
      for (const row of await this.insertRows(table, fresh, { skipConflicts: Boolean(identity.record), returning: true }))
        created.set(identity.of(row), row.id);
    const written: (Written | null)[] = [];
    for (const { data, stored } of items) {
      if (!stored) {
        const id = created.get(identity.of(data as object));
        written.push(id === undefined ? null : { id, created: true, changed: true });
        continue;
      }
      const { id } = stored;
      const wanted: object = data as object;
      const changed = Object.keys(wanted).some((key) => comparable(Reflect.get(stored, key)) !== comparable(Reflect.get(wanted, key)));
      if (changed) await delegate.update({ where: { id }, data });
      written.push({ id, created: false, changed });
    }
    // With each one's place in `items`, as those created meanwhile elsewhere are left out.
    const done = written.flatMap((w, index) => (w ? [{ w, index }] : []));
    const linksChanged = await syncLinks(done.map(({ w, index }) => ({ id: w.id, fresh: w.created, index })));
    const touched = done.filter(({ w }) => !w.created && !w.changed && linksChanged.has(w.id)).map(({ w }) => w.id);
    if (touched.length) await delegate.updateMany({ where: { id: { in: touched } }, data: { updatedAt: new Date() } });
    for (const { w } of done) {
      w.changed ||= linksChanged.has(w.id);
      counts[w.created ? "created" : w.changed ? "updated" : "unchanged"]++;
    }
    return written;
  }

  /**
   * Inserts rows (column values as Prisma's create inputs give them) into `table` in one statement
   * however many there are: they travel as one JSON parameter, typed by the table's row type, and
   * columns a row leaves out take their defaults. With `skipConflicts`, a row whose key another
   * transaction is inserting waits for it, and is skipped if it commits. Returns the rows inserted
   * when asked to (Prisma's createMany compiles every value of every row into its query plan, which
   * cost more than the database's work here).
   */
  async insertRows(table: string, rows: object[], options: { skipConflicts?: boolean; returning?: boolean } = {}) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].map((c) => `"${c}"`).join(", ");
    // Table and column names come from the record registry and Prisma's inputs, never from a file.
    const sql = `INSERT INTO "${table}" (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::"${table}", $1::json)
      ${options.skipConflicts ? "ON CONFLICT DO NOTHING" : ""} ${options.returning ? "RETURNING *" : ""}`;
    return this.tx.$queryRawUnsafe<({ id: number } & Record<string, unknown>)[]>(sql, JSON.stringify(rows));
  }

  /** Brings the citations of a batch of records in line with theirs; the ids of the records whose citations changed. */
  async syncCitations(owner: CitationOwner, items: Synced<CitationInput[]>[]): Promise<Set<number>> {
    type Row = { sourceId: number; quote: string | null; confidence: CitationInput["confidence"]; note: string | null };
    const key = (c: Row) => JSON.stringify([c.sourceId, c.quote, c.confidence, c.note]);
    const sources = await this.resolve(
      "sources",
      items.flatMap((item) => item.value.map((c) => c.source)),
    );
    const old = items.filter((item) => !item.fresh).map((item) => item.id);
    const stored = byOwner(old.length ? await this.tx.citation.findMany({ where: { [owner]: { in: old } } }) : [], (c) => c[owner]!);
    const stale: number[] = [];
    const missing: Prisma.CitationCreateManyInput[] = [];
    const changed = new Set<number>();
    for (const { id, value } of items) {
      const rows = value.map((c) => ({ sourceId: sources.get(c.source)!, quote: c.quote, confidence: c.confidence, note: c.note ?? null }));
      const found = diff(stored.get(id) ?? [], rows, key, key);
      for (const c of found.stale) stale.push(c.id);
      for (const c of found.missing) missing.push({ ...c, [owner]: id });
      if (found.stale.length + found.missing.length) changed.add(id);
    }
    if (stale.length) await this.tx.citation.deleteMany({ where: { id: { in: stale } } });
    if (missing.length) await this.insertRows("Citation", missing);
    return changed;
  }

  /** Writes one validated record and records what changed in the change log; returns its database id. */
  async write<E extends Entity>(entity: E, input: RecordOf<E>): Promise<number> {
    return (await this.writeMany(entity, [input]))[0];
  }

  /**
   * Writes validated records of one entity (each key once) and records what changed in the change
   * log, in their order; returns their database ids. Records stored exactly as given are left alone.
   */
  async writeMany<E extends Entity>(entity: E, inputs: RecordOf<E>[]): Promise<number[]> {
    const type = entities[entity];
    const records: Record<string, unknown>[] = inputs;
    const keys = records.map((record) => String(record[type.key]));
    // A record listing former slugs is renamed in place if stored under one of them, and keeps them answering.
    const slugged = isSluggedModel(type.model) ? type.model : null;
    const renames: Renamable[] = [];
    for (const [i, record] of records.entries())
      if (slugged && Array.isArray(record.formerSlugs) && record.formerSlugs.length)
        renames.push({ slug: keys[i], formerSlugs: record.formerSlugs.map(String) });
    for (const renamed of renames) await renameToCurrentSlug(this.tx, slugged!, renamed);
    const locked = await this.lockMany(entity, keys);
    // Only stored records have a before; a batch of new records reads nothing.
    const before = locked.size ? await readRecords(this.tx, entity, [...locked.keys()]) : new Map();
    const fields = recordFields(entity);
    const ids: number[] = [];
    const changing: number[] = [];
    for (const [i, record] of records.entries()) {
      const stored: Record<string, unknown> | undefined = before.get(keys[i]);
      if (stored && fields.every((f) => comparable(stored[f]) === comparable(record[f]))) {
        // Stored exactly as given: nothing to write (the common case of a repeated import).
        ids[i] = locked.get(keys[i])!;
        this.report[entity].unchanged++;
        for (const [part, count] of type.unchangedParts(record)) this.report[part].unchanged += count;
      } else changing.push(i);
    }
    const written = changing.length
      ? await type.write(
          this,
          changing.map((i) => records[i]),
          this.report[entity],
          locked,
        )
      : [];
    const updated = changing.filter((_, n) => written[n] && !written[n].created && written[n].changed).map((i) => keys[i]);
    const after: Map<string, Record<string, unknown>> = updated.length ? await readRecords(this.tx, entity, updated) : new Map();
    const recordType = type.model;
    const raced: number[] = [];
    for (const [n, i] of changing.entries()) {
      const w = written[n];
      if (!w) {
        raced.push(i);
        continue;
      }
      ids[i] = w.id;
      this.remember(entity, keys[i], w.id);
      if (w.created) {
        const after = Object.fromEntries(fields.map((f) => [f, records[i][f] ?? null]));
        await this.logChange({ action: "CREATE", recordType, recordId: w.id, fields, after });
      } else if (w.changed) {
        const change = changedFields(entity, before.get(keys[i])!, after.get(keys[i])!);
        if (change.fields.length) await this.logChange({ action: "UPDATE", recordType, recordId: w.id, ...change });
      }
    }
    // Created by another transaction meanwhile, now committed: written again, as stored records.
    if (raced.length) {
      const again = await this.writeMany(
        entity,
        raced.map((i) => inputs[i]),
      );
      for (const [n, i] of raced.entries()) ids[i] = again[n];
    }
    for (const renamed of renames) await keepFormerSlugs(this.tx, slugged!, renamed);
    return ids;
  }
}

/**
 * What an update changed, in the terms of the file format (the API's field names, related records
 * by slug, dates as precisely as known): each changed field with its value before and after, except
 * citations, which give only those removed (before) and those added (after).
 */
function changedFields(entity: Entity, before: Record<string, unknown>, after: Record<string, unknown>) {
  const fields = recordFields(entity).filter((f) => comparable(before[f]) !== comparable(after[f]));
  const pick = (record: Record<string, unknown>, other: Record<string, unknown>) =>
    Object.fromEntries(
      fields.map((f) => {
        if (f !== "citations") return [f, record[f] ?? null];
        const others = new Set((other[f] as unknown[]).map(comparable));
        return [f, (record[f] as unknown[]).filter((c) => !others.has(comparable(c)))];
      }),
    ) as Prisma.InputJsonObject;
  return { fields, before: pick(before, after), after: pick(after, before) };
}
