// Stored records in the file format the importer reads: the inverse of RecordWriter, used to apply
// a partial update on top of what is stored and validate the result like any imported record, and
// by the exports, so that an exported file imports back unchanged.
import type { DatePrecision, Prisma } from "../generated/prisma/client.ts";
import { entities, type Entity, type RecordOf } from "./records.ts";

type Tx = Prisma.TransactionClient;

function reduced(on: Date | null, precision: DatePrecision | null): string | null {
  if (!on || !precision) return null;
  return on.toISOString().slice(0, precision === "YEAR" ? 4 : precision === "MONTH" ? 7 : 10);
}
const decimal = (v: Prisma.Decimal | null) => (v === null ? null : v.toString());
const citationsQuery = { orderBy: { id: "asc" }, select: { quote: true, confidence: true, note: true, source: { select: { url: true } } } } as const;
const citations = (list: { quote: string | null; confidence: "HIGH" | "LOW"; note: string | null; source: { url: string } }[]) =>
  list.map((c) => ({ source: c.source.url, quote: c.quote, confidence: c.confidence, ...(c.note === null ? {} : { note: c.note }) }));
const slugOf = (o: { slug: string } | null) => o?.slug ?? null;
const ref = { select: { slug: true } } as const;

/** The record with this key (slug, or url for sources) in file format; null when there is none. */
export async function readRecord<E extends Entity>(tx: Tx, entity: E, key: string): Promise<RecordOf<E> | null> {
  return (await readRecords(tx, entity, [key])).get(key) ?? null;
}

/** The records with these keys in file format, by key; keys without a record are left out. */
export async function readRecords<E extends Entity>(tx: Tx, entity: E, keys: string[]): Promise<Map<string, RecordOf<E>>> {
  const records = (await readers[entity](tx, keys)) as RecordOf<E>[];
  return new Map(records.map((r) => [(r as Record<string, string>)[entities[entity].key], r]));
}

const readers: { [E in Entity]: (tx: Tx, keys: string[]) => Promise<RecordOf<E>[]> } = {
  sources: async (tx, keys) => {
    const found = await tx.source.findMany({ where: { url: { in: keys } } });
    return found.map((s) => ({
      url: s.url,
      title: s.title,
      publisher: s.publisher,
      language: s.language,
      published: reduced(s.publishedOn, s.publishedPrecision),
      retrievedOn: reduced(s.retrievedOn, "DAY"),
      note: s.note,
    }));
  },
  organizations: async (tx, keys) => {
    const found = await tx.organization.findMany({
      where: { slug: { in: keys } },
      include: { parent: ref, identifiers: { orderBy: { id: "asc" } }, citations: citationsQuery },
    });
    return found.map((o) => ({
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
      parent: slugOf(o.parent),
      identifiers: o.identifiers.map((i) => ({ scheme: i.scheme, schemeName: i.otherScheme || null, value: i.value })),
      citations: citations(o.citations),
    }));
  },
  people: async (tx, keys) => {
    const found = await tx.person.findMany({
      where: { slug: { in: keys } },
      include: { citations: citationsQuery, roles: { orderBy: { id: "asc" }, include: { organization: ref, citations: citationsQuery } } },
    });
    return found.map((p) => ({
      slug: p.slug,
      nameEn: p.nameEn,
      nameRu: p.nameRu,
      nameKk: p.nameKk,
      citations: citations(p.citations),
      roles: p.roles.map((r) => ({
        organization: r.organization.slug,
        title: r.title,
        start: reduced(r.startOn, r.startPrecision),
        end: reduced(r.endOn, r.endPrecision),
        citations: citations(r.citations),
      })),
    }));
  },
  methods: async (tx, keys) => {
    const found = await tx.method.findMany({ where: { slug: { in: keys } }, include: { developers: { ...ref, orderBy: { id: "asc" } }, citations: citationsQuery } });
    return found.map((m) => ({
      slug: m.slug,
      title: m.title,
      summary: m.summary,
      category: m.category,
      technologyReadinessLevel: m.technologyReadiness,
      stage: m.stage,
      developers: m.developers.map((d) => d.slug),
      citations: citations(m.citations),
    }));
  },
  partnerships: async (tx, keys) => {
    const found = await tx.partnership.findMany({
      where: { slug: { in: keys } },
      include: {
        participants: { orderBy: { organizationId: "asc" }, include: { organization: ref } },
        methods: { ...ref, orderBy: { id: "asc" } },
        citations: citationsQuery,
      },
    });
    return found.map((p) => ({
      slug: p.slug,
      title: p.title,
      summary: p.summary,
      kind: p.kind,
      status: p.status,
      city: p.city,
      start: reduced(p.startOn, p.startPrecision),
      end: reduced(p.endOn, p.endPrecision),
      participants: p.participants.map((x) => ({ organization: x.organization.slug, role: x.role })),
      methods: p.methods.map((m) => m.slug),
      citations: citations(p.citations),
    }));
  },
  programmes: async (tx, keys) => {
    const found = await tx.programme.findMany({ where: { slug: { in: keys } }, include: { operator: ref, citations: citationsQuery } });
    return found.map((p) => ({
      slug: p.slug,
      name: p.name,
      description: p.description,
      kind: p.kind,
      operator: slugOf(p.operator),
      maxAwardAmount: decimal(p.maxAwardAmount),
      maxAwardCurrency: p.maxAwardCurrency,
      citations: citations(p.citations),
    }));
  },
  fundings: async (tx, keys) => {
    const found = await tx.funding.findMany({
      where: { slug: { in: keys } },
      include: { funder: ref, recipient: ref, programme: ref, partnership: ref, method: ref, citations: citationsQuery },
    });
    return found.map((f) => ({
      slug: f.slug,
      description: f.description,
      funder: slugOf(f.funder),
      recipient: slugOf(f.recipient),
      programme: slugOf(f.programme),
      partnership: slugOf(f.partnership),
      method: slugOf(f.method),
      amount: decimal(f.amount),
      amountBound: f.amountBound,
      currency: f.currency,
      amountKind: f.amountKind,
      date: reduced(f.dateOn, f.datePrecision),
      fiscalYearStart: f.fiscalYearFrom,
      fiscalYearEnd: f.fiscalYearTo,
      citations: citations(f.citations),
    }));
  },
  impacts: async (tx, keys) => {
    const found = await tx.impact.findMany({
      where: { slug: { in: keys } },
      include: { partnership: ref, method: ref, organization: ref, claimant: ref, claimantPerson: ref, citations: citationsQuery },
    });
    return found.map((i) => ({
      slug: i.slug,
      partnership: slugOf(i.partnership),
      method: slugOf(i.method),
      organization: slugOf(i.organization),
      metric: i.metric,
      description: i.description,
      value: decimal(i.value),
      valueBound: i.valueBound,
      unit: i.unit,
      baselineValue: decimal(i.baselineValue),
      baselineNote: i.baselineNote,
      periodStart: reduced(i.periodStartOn, i.periodStartPrecision),
      periodEnd: reduced(i.periodEndOn, i.periodEndPrecision),
      status: i.status,
      claimant: slugOf(i.claimant),
      claimantPerson: slugOf(i.claimantPerson),
      citations: citations(i.citations),
    }));
  },
};
