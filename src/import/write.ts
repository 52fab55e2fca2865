// Writes validated records, one at a time, inside the caller's transaction: matched by their key
// (slug, or url for sources), written only when they differ, and every change recorded in the
// change log with who made it and why.
import { announceChange, dataChanged, learnDataVersions, type DataVersions } from "../cache/invalidation.ts";
import { Prisma, type DatePrecision, type PrismaClient } from "../generated/prisma/client.ts";
import { keepFormerSlugs, renameToCurrentSlugs, type Renamable } from "../slugs.ts";
import { readRecord } from "./export.ts";
import { entities, recordFields, toDate, type CitationInput, type Entity, type RecordOf } from "./records.ts";

export type Counts = { created: number; updated: number; unchanged: number };
export type WriteReport = Record<Entity | "identifiers" | "roles", Counts>;

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

/** A reduced-precision ISO date as its `...On` column (first day of the period) and `...Precision`. */
function dated(value: string | null): [Date | null, DatePrecision | null] {
  if (value === null) return [null, null];
  return [toDate(value), (["YEAR", "MONTH", "DAY"] as const)[value.split("-").length - 1]];
}

const decimalOrNull = (value: string | null) => (value === null ? null : new Prisma.Decimal(value));

/** A column value as JSON: dates as ISO strings, decimals as exact strings. */
function jsonValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : Prisma.Decimal.isDecimal(v) ? v.toString() : v;
}
const comparable = (v: unknown) => JSON.stringify(jsonValue(v));

// The subset of a Prisma model delegate that `upsertIfChanged` needs.
interface Delegate {
  findUnique(args: { where: any }): PromiseLike<any>;
  create(args: { data: any }): PromiseLike<{ id: number }>;
  createManyAndReturn(args: { data: any[]; skipDuplicates: true; select: { id: true } }): PromiseLike<{ id: number }[]>;
  update(args: { where: { id: number }; data: any }): PromiseLike<unknown>;
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
export class RecordWriter {
  readonly report = emptyReport();
  private readonly ids = new Map<Entity, Map<string, number>>();
  private readonly pendingChanges: Prisma.ChangeCreateManyInput[] = [];
  /** Record types this writer changed, for the response caches once the transaction commits. */
  readonly changedRecordTypes = new Set<string>();
  /** The data versions of what it changed, set by `finish`. */
  dataVersions?: DataVersions;
  // Organizations whose parent comes later in the same file: linked once every record is written.
  private readonly pendingParents: { id: number; parent: string }[] = [];

  constructor(
    private readonly tx: Tx,
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
    const rows = await this.tx.$queryRaw<{ id: number }[]>`SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE ${Prisma.raw(`"${column}"`)} = ${value} FOR UPDATE`;
    return rows[0]?.id;
  }

  /** Database id of the record with this key; undefined when there is none. */
  async idOf(entity: Entity, key: string): Promise<number | undefined> {
    let map = this.ids.get(entity);
    if (!map) this.ids.set(entity, (map = new Map()));
    const known = map.get(key);
    if (known !== undefined) return known;
    const { model, key: keyField } = entities[entity];
    const delegate = (this.tx as any)[model.charAt(0).toLowerCase() + model.slice(1)];
    const found = await delegate.findUnique({ where: { [keyField]: key }, select: { id: true } });
    if (found) this.remember(entity, key, found.id);
    return found?.id;
  }

  private async ref(entity: Entity, key: string | null): Promise<number | null> {
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

  /** Links pending parents and writes the rest of the change log. */
  async finish(): Promise<WriteReport> {
    for (const { id, parent } of this.pendingParents.splice(0)) {
      const parentId = await this.ref("organizations", parent);
      const before = await this.tx.organization.findUniqueOrThrow({ where: { id }, select: { parent: { select: { id: true, slug: true } } } });
      if (before.parent?.id === parentId) continue;
      await this.tx.organization.update({ where: { id }, data: { parentId } });
      await this.logChange({ action: "UPDATE", recordType: "Organization", recordId: id, fields: ["parent"], before: { parent: before.parent?.slug ?? null }, after: { parent } });
    }
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
  private async upsertIfChanged(
    delegate: Delegate,
    where: object,
    data: Record<string, unknown>,
    counts: Counts,
    recordType: string | null,
    syncLinks: (id: number, fresh: boolean) => Promise<boolean> = async () => false,
  ): Promise<{ id: number; changed: boolean }> {
    // `write` already holds this record's row lock (or, for a key not yet stored, its turn to create it).
    let existing = await delegate.findUnique({ where });
    if (!existing) {
      // A record created by another transaction since the look-up is not created again: the insert waits
      // for that transaction, is skipped once it commits, and the record is then updated as stored.
      const [created] = recordType ? await delegate.createManyAndReturn({ data: [data], skipDuplicates: true, select: { id: true } }) : [await delegate.create({ data })];
      if (created) {
        await syncLinks(created.id, true);
        counts.created++;
        return { id: created.id, changed: true };
      }
      const id = await this.lockRow(recordType!, where);
      existing = await delegate.findUnique({ where: { id } });
    }
    const id: number = existing.id;
    const fields = Object.keys(data).filter((key) => comparable(existing[key]) !== comparable(data[key]));
    if (fields.length) await delegate.update({ where: { id }, data });
    const linksChanged = await syncLinks(id, false);
    if (linksChanged && !fields.length) await delegate.update({ where: { id }, data: { updatedAt: new Date() } });
    const changed = fields.length > 0 || linksChanged;
    counts[changed ? "updated" : "unchanged"]++;
    return { id, changed };
  }

  /** Brings a record's citations in line with `wanted`; a `fresh` record has none stored yet. */
  private async syncCitations(owner: CitationOwner, ownerId: number, wanted: CitationInput[], fresh: boolean): Promise<boolean> {
    const rows: { sourceId: number; quote: string | null; confidence: CitationInput["confidence"]; note: string | null }[] = [];
    for (const c of wanted) rows.push({ sourceId: (await this.ref("sources", c.source))!, quote: c.quote, confidence: c.confidence, note: c.note ?? null });
    const key = (c: (typeof rows)[number]) => JSON.stringify([c.sourceId, c.quote, c.confidence, c.note]);
    const stored = fresh ? [] : await this.tx.citation.findMany({ where: { [owner]: ownerId } });
    const { stale, missing } = diff(stored, rows, key, key);
    if (stale.length) await this.tx.citation.deleteMany({ where: { id: { in: stale.map((c) => c.id) } } });
    if (missing.length) await this.tx.citation.createMany({ data: missing.map((c) => ({ ...c, [owner]: ownerId })) });
    return stale.length + missing.length > 0;
  }

  /** Writes one validated record and records what changed in the change log; returns its database id. */
  async write<E extends Entity>(entity: E, record: RecordOf<E>): Promise<number> {
    // A record listing former slugs is renamed in place if stored under one of them, and keeps them answering.
    const renamable = "formerSlugs" in record && record.formerSlugs ? { [entities[entity].model]: [record as Renamable] } : null;
    if (renamable) await renameToCurrentSlugs(this.tx, renamable);
    const key = (record as any)[entities[entity].key] as string;
    if ((await this.lock(entity, key)) === undefined) {
      // Not stored yet: writes that would create it take turns, so the second reads what the first created.
      await this.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${entity}:${key}`}, 0))`;
      await this.lock(entity, key);
    }
    const before = await readRecord(this.tx, entity, key);
    if (before && recordFields(entity).every((f) => comparable(before[f as keyof typeof before]) === comparable((record as any)[f]))) {
      // Stored exactly as given: nothing to write (the common case of a repeated import).
      const id = (await this.idOf(entity, key))!;
      if (renamable) await keepFormerSlugs(this.tx, renamable);
      this.report[entity].unchanged++;
      if (entity === "organizations") this.report.identifiers.unchanged += (record as RecordOf<"organizations">).identifiers.length;
      if (entity === "people") this.report.roles.unchanged += (record as RecordOf<"people">).roles.length;
      return id;
    }
    const counts = { ...this.report[entity] };
    const id = await (this.writers[entity] as (r: RecordOf<E>) => Promise<number>)(record);
    if (renamable) await keepFormerSlugs(this.tx, renamable);
    this.remember(entity, key, id);
    const recordType = entities[entity].model;
    if (this.report[entity].created > counts.created) {
      const after = Object.fromEntries(recordFields(entity).map((f) => [f, (record as any)[f] ?? null]));
      await this.logChange({ action: "CREATE", recordType, recordId: id, fields: recordFields(entity), after });
    } else if (this.report[entity].updated > counts.updated) {
      const changed = changedFields(entity, before!, (await readRecord(this.tx, entity, key))!);
      if (changed.fields.length) await this.logChange({ action: "UPDATE", recordType, recordId: id, ...changed });
    }
    return id;
  }

  private readonly writers: { [E in Entity]: (record: RecordOf<E>) => Promise<number> } = {
    sources: async (s) => {
      const [publishedOn, publishedPrecision] = dated(s.published);
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
      return (await this.upsertIfChanged(this.tx.source, { url: s.url }, data, this.report.sources, "Source")).id;
    },

    organizations: async (o) => {
      const tx = this.tx;
      const parentId = o.parent === null ? null : ((await this.idOf("organizations", o.parent)) ?? null);
      const identifiers = o.identifiers.map((i) => ({ scheme: i.scheme, otherScheme: i.schemeName ?? "", value: i.value }));
      const identifierKey = (i: { scheme: string; otherScheme: string; value: string }) => JSON.stringify([i.scheme, i.otherScheme, i.value]);
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
        ...(o.parent !== null && parentId === null ? {} : { parentId }),
      } satisfies Prisma.OrganizationUncheckedCreateInput;
      const { id } = await this.upsertIfChanged(tx.organization, { slug: o.slug }, data, this.report.organizations, "Organization", async (id, fresh) => {
        const stored = fresh ? [] : await tx.organizationIdentifier.findMany({ where: { organizationId: id } });
        const { stale } = diff(stored, identifiers, identifierKey, identifierKey);
        if (stale.length) await tx.organizationIdentifier.deleteMany({ where: { id: { in: stale.map((i) => i.id) } } });
        let changed = stale.length > 0;
        for (const i of identifiers) {
          const where = { scheme_otherScheme_value: { scheme: i.scheme, otherScheme: i.otherScheme, value: i.value } };
          const data = { organizationId: id, ...i } satisfies Prisma.OrganizationIdentifierUncheckedCreateInput;
          changed = (await this.upsertIfChanged(tx.organizationIdentifier, where, data, this.report.identifiers, null)).changed || changed;
        }
        return (await this.syncCitations("organizationId", id, o.citations, fresh)) || changed;
      });
      if (o.parent !== null && parentId === null) this.pendingParents.push({ id, parent: o.parent });
      return id;
    },

    people: async (p) => {
      const tx = this.tx;
      const roleKey = (r: { organizationId: number; title: string }) => JSON.stringify([r.organizationId, r.title]);
      const data = { slug: p.slug, nameEn: p.nameEn, nameRu: p.nameRu, nameKk: p.nameKk } satisfies Prisma.PersonUncheckedCreateInput;
      const { id } = await this.upsertIfChanged(tx.person, { slug: p.slug }, data, this.report.people, "Person", async (personId, fresh) => {
        const roles = [];
        for (const r of p.roles) roles.push({ ...r, organizationId: (await this.ref("organizations", r.organization))! });
        const { stale } = diff(fresh ? [] : await tx.role.findMany({ where: { personId } }), roles, roleKey, roleKey);
        if (stale.length) await tx.role.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } });
        let changed = stale.length > 0;
        for (const r of roles) {
          const [startOn, startPrecision] = dated(r.start);
          const [endOn, endPrecision] = dated(r.end);
          const { organizationId, title } = r;
          const data = { personId, organizationId, title, startOn, startPrecision, endOn, endPrecision } satisfies Prisma.RoleUncheckedCreateInput;
          const where = { personId_organizationId_title: { personId, organizationId, title } };
          const role = await this.upsertIfChanged(tx.role, where, data, this.report.roles, null, (id, fresh) => this.syncCitations("roleId", id, r.citations, fresh));
          changed = role.changed || changed;
        }
        return (await this.syncCitations("personId", personId, p.citations, fresh)) || changed;
      });
      return id;
    },

    methods: async (m) => {
      const tx = this.tx;
      const data = {
        slug: m.slug,
        title: m.title,
        summary: m.summary,
        category: m.category,
        technologyReadiness: m.technologyReadinessLevel,
        stage: m.stage ?? null,
      } satisfies Prisma.MethodUncheckedCreateInput;
      const { id } = await this.upsertIfChanged(tx.method, { slug: m.slug }, data, this.report.methods, "Method", async (id, fresh) => {
        const developerIds = [];
        for (const d of m.developers) developerIds.push((await this.ref("organizations", d))!);
        const stored = fresh ? { developers: [] } : await tx.method.findUniqueOrThrow({ where: { id }, select: { developers: { select: { id: true } } } });
        const developersChanged = !sameIds(stored.developers.map((d) => d.id), developerIds);
        if (developersChanged) await tx.method.update({ where: { id }, data: { developers: { set: developerIds.map((id) => ({ id })) } } });
        return (await this.syncCitations("methodId", id, m.citations, fresh)) || developersChanged;
      });
      return id;
    },

    partnerships: async (p) => {
      const tx = this.tx;
      const participantKey = (x: { organizationId: number; role: string }) => JSON.stringify([x.organizationId, x.role]);
      const [startOn, startPrecision] = dated(p.start);
      const [endOn, endPrecision] = dated(p.end);
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
      const { id } = await this.upsertIfChanged(tx.partnership, { slug: p.slug }, data, this.report.partnerships, "Partnership", async (id, fresh) => {
        const participants = [];
        for (const x of p.participants) participants.push({ organizationId: (await this.ref("organizations", x.organization))!, role: x.role });
        const stored = fresh ? [] : await tx.participant.findMany({ where: { partnershipId: id } });
        const { stale, missing } = diff(stored, participants, participantKey, participantKey);
        const staleOrgIds = stale.map((x) => x.organizationId);
        if (stale.length) await tx.participant.deleteMany({ where: { partnershipId: id, organizationId: { in: staleOrgIds } } });
        if (missing.length) await tx.participant.createMany({ data: missing.map((x) => ({ ...x, partnershipId: id })) });

        const methodIds = [];
        for (const slug of p.methods) methodIds.push((await this.ref("methods", slug))!);
        const linked = fresh ? { methods: [] } : await tx.partnership.findUniqueOrThrow({ where: { id }, select: { methods: { select: { id: true } } } });
        const methodsChanged = !sameIds(linked.methods.map((m) => m.id), methodIds);
        if (methodsChanged) await tx.partnership.update({ where: { id }, data: { methods: { set: methodIds.map((id) => ({ id })) } } });

        const citationsChanged = await this.syncCitations("partnershipId", id, p.citations, fresh);
        return citationsChanged || methodsChanged || stale.length + missing.length > 0;
      });
      return id;
    },

    programmes: async (p) => {
      const data = {
        slug: p.slug,
        name: p.name,
        description: p.description,
        kind: p.kind,
        operatorId: await this.ref("organizations", p.operator),
        maxAwardAmount: decimalOrNull(p.maxAwardAmount),
        maxAwardCurrency: p.maxAwardCurrency,
      } satisfies Prisma.ProgrammeUncheckedCreateInput;
      const sync = (id: number, fresh: boolean) => this.syncCitations("programmeId", id, p.citations, fresh);
      return (await this.upsertIfChanged(this.tx.programme, { slug: p.slug }, data, this.report.programmes, "Programme", sync)).id;
    },

    fundings: async (f) => {
      const [dateOn, datePrecision] = dated(f.date);
      const data = {
        slug: f.slug,
        description: f.description,
        funderId: await this.ref("organizations", f.funder),
        recipientId: await this.ref("organizations", f.recipient),
        programmeId: await this.ref("programmes", f.programme),
        partnershipId: await this.ref("partnerships", f.partnership),
        methodId: await this.ref("methods", f.method),
        amount: decimalOrNull(f.amount),
        amountBound: f.amountBound,
        currency: f.currency,
        amountKind: f.amountKind,
        dateOn,
        datePrecision,
        fiscalYearFrom: f.fiscalYearStart,
        fiscalYearTo: f.fiscalYearEnd,
      } satisfies Prisma.FundingUncheckedCreateInput;
      const sync = (id: number, fresh: boolean) => this.syncCitations("fundingId", id, f.citations, fresh);
      return (await this.upsertIfChanged(this.tx.funding, { slug: f.slug }, data, this.report.fundings, "Funding", sync)).id;
    },

    impacts: async (i) => {
      const [periodStartOn, periodStartPrecision] = dated(i.periodStart);
      const [periodEndOn, periodEndPrecision] = dated(i.periodEnd);
      const data = {
        slug: i.slug,
        partnershipId: await this.ref("partnerships", i.partnership),
        methodId: await this.ref("methods", i.method),
        organizationId: await this.ref("organizations", i.organization),
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
        claimantId: await this.ref("organizations", i.claimant),
        claimantPersonId: await this.ref("people", i.claimantPerson),
      } satisfies Prisma.ImpactUncheckedCreateInput;
      const sync = (id: number, fresh: boolean) => this.syncCitations("impactId", id, i.citations, fresh);
      return (await this.upsertIfChanged(this.tx.impact, { slug: i.slug }, data, this.report.impacts, "Impact", sync)).id;
    },
  };
}

const sameIds = (a: number[], b: number[]) => comparable([...a].sort()) === comparable([...b].sort());

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
