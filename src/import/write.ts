// Writes validated records, one at a time, inside the caller's transaction: matched by their key
// (slug, or url for sources), written only when they differ, and every change recorded in the
// change log with who made it and why.
import { announceChange, type DataVersions, dataChanged, learnDataVersions } from "../cache/invalidation.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import {
  type CitationInput,
  type CitationOwner,
  type Counts,
  comparable,
  diff,
  type PartName,
  type UpsertDelegate,
  type Writer,
} from "../records/fields.ts";
import { isSluggedModel } from "../records/registry.ts";
import { keepFormerSlugs, type Renamable, renameToCurrentSlug } from "../slugs.ts";
import { readRecord } from "./export.ts";
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
 * Writes records of every entity into one transaction. References are resolved by key, first
 * among the records this writer wrote, then in the database.
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

  /**
   * Database id of the record with this key, locked (SELECT ... FOR UPDATE) until the transaction
   * ends; undefined when there is none. Every write of a record takes this lock before reading it,
   * so a concurrent write of the same record waits for this one to commit and then reads what it
   * wrote: no update is lost, and each change-log entry starts where the previous one ended.
   */
  async lock(entity: Entity, key: string): Promise<number | undefined> {
    const { model, key: keyField } = entities[entity];
    return this.lockRow(model, { [keyField]: key });
  }

  private async lockRow(table: string, where: object): Promise<number | undefined> {
    const [[column, value]] = Object.entries(where);
    const rows = await this.tx.$queryRaw<
      { id: number }[]
    >`SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE ${Prisma.raw(`"${column}"`)} = ${value} FOR UPDATE`;
    return rows[0]?.id;
  }

  /** Database id of the record with this key; undefined when there is none. */
  async idOf(entity: Entity, key: string): Promise<number | undefined> {
    const known = this.ids.get(entity)?.get(key);
    if (known !== undefined) return known;
    const found = await entities[entity].find(this.tx, { key });
    if (found) this.remember(entity, key, found.id);
    return found?.id;
  }

  async ref(entity: Entity, key: string | null): Promise<number | null> {
    if (key === null) return null;
    const id = await this.idOf(entity, key);
    if (id === undefined) throw new Error(`${entity} "${key}" does not exist`);
    return id;
  }

  private remember(entity: Entity, key: string, id: number) {
    if (!this.ids.has(entity)) this.ids.set(entity, new Map());
    const map = this.ids.get(entity)!;
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
    if (batch.length) await this.tx.change.createMany({ data: batch });
  }

  /** Does the work left for the end (pending parents) and writes the rest of the change log. */
  async finish(): Promise<WriteReport> {
    for (const work of this.pendingWork.splice(0)) await work();
    await this.flushChanges();
    if (this.changedRecordTypes.size) this.dataVersions = await announceChange(this.tx, this.changedRecordTypes);
    return this.report;
  }

  /**
   * Creates the record matched by `where`, or updates it when a column in `data` differs from what
   * is stored; `syncLinks` then brings its citations and links in line and says whether it changed
   * any. A record whose only change is in its links gets its `updatedAt` touched, so clients see it
   * changed. (`write` records the change in the change log, in the file format's terms, and holds
   * the record's lock.) A record (one with a `recordType`) is created once under concurrent creates.
   */
  async upsertIfChanged<Where, Data>(
    delegate: UpsertDelegate<NoInfer<Where>, NoInfer<Data>>,
    where: Where,
    data: Data,
    counts: Counts,
    recordType: string | null,
    syncLinks: (id: number, fresh: boolean) => Promise<boolean> = async () => false,
  ): Promise<{ id: number; changed: boolean }> {
    // `write` already holds this record's row lock (or, for a key not yet stored, its turn to create it).
    let existing = await delegate.findUnique({ where });
    if (!existing) {
      // A record created by another transaction since the look-up is not created again: the insert waits
      // for that transaction, is skipped once it commits, and the record is then updated as stored.
      const [created] = recordType
        ? await delegate.createManyAndReturn({ data: [data], skipDuplicates: true, select: { id: true } })
        : [await delegate.create({ data })];
      if (created) {
        await syncLinks(created.id, true);
        counts.created++;
        return { id: created.id, changed: true };
      }
      const id = await this.lockRow(recordType!, where as object);
      existing = await delegate.findUnique({ where: { id: id! } });
    }
    const id = existing!.id;
    const stored: object = existing!;
    const wanted: object = data as object;
    const fields = Object.keys(wanted).filter((key) => comparable(Reflect.get(stored, key)) !== comparable(Reflect.get(wanted, key)));
    if (fields.length) await delegate.update({ where: { id }, data });
    const linksChanged = await syncLinks(id, false);
    if (linksChanged && !fields.length) await delegate.update({ where: { id }, data: { updatedAt: new Date() } });
    const changed = fields.length > 0 || linksChanged;
    counts[changed ? "updated" : "unchanged"]++;
    return { id, changed };
  }

  /** Brings a record's citations in line with `wanted`; a `fresh` record has none stored yet. */
  async syncCitations(owner: CitationOwner, ownerId: number, wanted: CitationInput[], fresh: boolean): Promise<boolean> {
    const rows: { sourceId: number; quote: string | null; confidence: CitationInput["confidence"]; note: string | null }[] = [];
    for (const c of wanted)
      rows.push({ sourceId: (await this.ref("sources", c.source))!, quote: c.quote, confidence: c.confidence, note: c.note ?? null });
    const key = (c: (typeof rows)[number]) => JSON.stringify([c.sourceId, c.quote, c.confidence, c.note]);
    const stored = fresh ? [] : await this.tx.citation.findMany({ where: { [owner]: ownerId } });
    const { stale, missing } = diff(stored, rows, key, key);
    if (stale.length) await this.tx.citation.deleteMany({ where: { id: { in: stale.map((c) => c.id) } } });
    if (missing.length) await this.tx.citation.createMany({ data: missing.map((c) => ({ ...c, [owner]: ownerId })) });
    return stale.length + missing.length > 0;
  }

  /** Writes one validated record and records what changed in the change log; returns its database id. */
  async write<E extends Entity>(entity: E, input: RecordOf<E>): Promise<number> {
    const type = entities[entity];
    const record: Record<string, unknown> = input;
    const key = String(record[type.key]);
    // A record listing former slugs is renamed in place if stored under one of them, and keeps them answering.
    const slugged = isSluggedModel(type.model) ? type.model : null;
    const renamed: Renamable | null =
      slugged && Array.isArray(record.formerSlugs) ? { slug: key, formerSlugs: record.formerSlugs.map(String) } : null;
    if (slugged && renamed) await renameToCurrentSlug(this.tx, slugged, renamed);
    if ((await this.lock(entity, key)) === undefined) {
      // Not stored yet: writes that would create it take turns, so the second reads what the first created.
      await this.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${entity}:${key}`}, 0))`;
      await this.lock(entity, key);
    }
    const before: Record<string, unknown> | null = await readRecord(this.tx, entity, key);
    const fields = recordFields(entity);
    if (before && fields.every((f) => comparable(before[f]) === comparable(record[f]))) {
      // Stored exactly as given: nothing to write (the common case of a repeated import).
      const id = (await this.idOf(entity, key))!;
      if (slugged && renamed) await keepFormerSlugs(this.tx, slugged, renamed);
      this.report[entity].unchanged++;
      for (const [part, count] of type.unchangedParts(record)) this.report[part].unchanged += count;
      return id;
    }
    const counts = { ...this.report[entity] };
    const id = await type.write(this, record, this.report[entity]);
    if (slugged && renamed) await keepFormerSlugs(this.tx, slugged, renamed);
    this.remember(entity, key, id);
    const recordType = type.model;
    if (this.report[entity].created > counts.created) {
      const after = Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));
      await this.logChange({ action: "CREATE", recordType, recordId: id, fields, after });
    } else if (this.report[entity].updated > counts.updated) {
      const changed = changedFields(entity, before!, (await readRecord(this.tx, entity, key))!);
      if (changed.fields.length) await this.logChange({ action: "UPDATE", recordType, recordId: id, ...changed });
    }
    return id;
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
