import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { ParticipantRole, PartnershipKind, PartnershipStatus } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import {
  citations,
  citationsInclude,
  type Field,
  fieldKinds,
  formerSlugs,
  reducedDate,
  slug,
  slugOnly,
  syncLinkLists,
  text,
  valueAt,
} from "./fields.ts";

const participant = z.strictObject({ organization: slug, role: z.enum(ParticipantRole) });

const schema = z.strictObject({
  slug,
  formerSlugs,
  title: text,
  summary: text.nullable(),
  kind: z.enum(PartnershipKind),
  status: z.enum(PartnershipStatus),
  city: text.nullable(),
  start: reducedDate.nullable(),
  end: reducedDate.nullable(),
  participants: z.array(participant),
  methods: z.array(slug),
  citations,
});

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.partnership.findMany({
    where: { slug: { in: keys } },
    include: {
      participants: { orderBy: { organizationId: "asc" }, include: { organization: slugOnly } },
      methods: { ...slugOnly, orderBy: { id: "asc" } },
      citations: citationsInclude,
    },
  });
type Row = Awaited<ReturnType<typeof load>>[number];
type Data = Prisma.PartnershipUncheckedCreateInput;
const f = fieldKinds<Row, Data>();

/** Organizations taking part, each with its role, in Participant rows. */
const participants: Field<Row, Data, z.infer<typeof participant>[]> = {
  read: (p) => p.participants.map((x) => ({ organization: x.organization.slug, role: x.role })),
  async sync(items, writer) {
    const tx = writer.tx;
    const key = (x: { partnershipId: number; organizationId: number; role: string }) =>
      JSON.stringify([x.partnershipId, x.organizationId, x.role]);
    await writer.resolve(
      "organizations",
      items.flatMap((item) => item.value.map((x) => x.organization)),
    );
    const wanted = [];
    for (const { id: partnershipId, value } of items)
      for (const x of value)
        wanted.push({ partnershipId, organizationId: (await writer.ref("organizations", x.organization))!, role: x.role });
    const old = items.filter((item) => !item.fresh).map((item) => item.id);
    const stored = old.length ? await tx.participant.findMany({ where: { partnershipId: { in: old } } }) : [];
    const storedKeys = new Set(stored.map(key));
    const wantedKeys = new Set(wanted.map(key));
    const stale = stored.filter((x) => !wantedKeys.has(key(x)));
    const missing = wanted.filter((x) => !storedKeys.has(key(x)));
    if (stale.length)
      await tx.participant.deleteMany({
        where: { OR: stale.map(({ partnershipId, organizationId }) => ({ partnershipId, organizationId })) },
      });
    if (missing.length) await writer.insertRows("Participant", missing);
    return new Set([...stale, ...missing].map((x) => x.partnershipId));
  },
  references(value, add) {
    if (Array.isArray(value))
      value.forEach((p, i) => {
        add(`participants[${i}].organization`, valueAt(p, ["organization"]), "organizations");
      });
  },
};

/** Methods the partnership applies, by slug. */
const methods: Field<Row, Data, string[]> = {
  read: (p) => p.methods.map((m) => m.slug),
  sync(items, writer) {
    return syncLinkLists(
      items,
      writer,
      "methods",
      async (ids) =>
        (await writer.tx.partnership.findMany({ where: { id: { in: ids } }, select: { id: true, methods: { select: { id: true } } } })).map(
          (row) => ({ id: row.id, links: row.methods }),
        ),
      (id, links) => writer.tx.partnership.update({ where: { id }, data: { methods: { set: links.map((id) => ({ id })) } } }),
    );
  },
  references(value, add) {
    if (Array.isArray(value))
      value.forEach((v, i) => {
        add(`methods[${i}]`, v, "methods");
      });
  },
};

export const partnerships = defineRecordType({
  model: "Partnership",
  key: "slug",
  schema,
  delegate: (db) => db.partnership,
  load,
  fields: {
    slug: f.column("slug"),
    title: f.column("title"),
    summary: f.column("summary"),
    kind: f.column("kind"),
    status: f.column("status"),
    city: f.column("city"),
    start: f.reducedDate("startOn", "startPrecision"),
    end: f.reducedDate("endOn", "endPrecision"),
    participants,
    methods,
    citations: f.citations("partnershipId"),
  },
  problems(r, check) {
    if (Array.isArray(r.participants))
      check.unique(
        "participants",
        r.participants.map((p) => valueAt(p, ["organization"])),
        "organization",
      );
    if (Array.isArray(r.methods)) check.unique("methods", r.methods, "method");
    check.order("end", r.start, r.end);
  },
  searchable: [
    { field: "title", column: "title", weight: 1 },
    { field: "summary", column: "summary", weight: 0.6 },
    { field: "city", column: "city", weight: 0.6 },
  ],
  links: ["Organization", "Method"],
  readers: ["Participant"],
});
