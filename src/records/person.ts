import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { defineRecordType } from "./define.ts";
import {
  type CitationInput,
  citationReferences,
  citations,
  citationsInclude,
  dated,
  type Field,
  fieldKinds,
  formerSlugs,
  names,
  readCitations,
  reduced,
  reducedDate,
  slug,
  slugOnly,
  someName,
  text,
  valueAt,
} from "./fields.ts";

export const role = z.strictObject({
  organization: slug,
  title: text,
  start: reducedDate.nullable(),
  end: reducedDate.nullable(),
  citations,
});

const schema = z.strictObject({ slug, formerSlugs, ...names, citations, roles: z.array(role) }).refine(someName.check, someName.params);

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.person.findMany({
    where: { slug: { in: keys } },
    include: {
      citations: citationsInclude,
      roles: { orderBy: { id: "asc" }, include: { organization: slugOnly, citations: citationsInclude } },
    },
  });
type Row = Awaited<ReturnType<typeof load>>[number];
type Data = Prisma.PersonUncheckedCreateInput;
const f = fieldKinds<Row, Data>();

/** A person's positions at organizations, each a Role row with citations of its own. */
const roles: Field<Row, Data, z.infer<typeof role>[]> = {
  read: (p) =>
    p.roles.map((r) => ({
      organization: r.organization.slug,
      title: r.title,
      start: reduced(r.startOn, r.startPrecision),
      end: reduced(r.endOn, r.endPrecision),
      citations: readCitations(r.citations),
    })),
  async sync(items, writer) {
    const tx = writer.tx;
    const key = (r: { personId: number; organizationId: number; title: string }) => JSON.stringify([r.personId, r.organizationId, r.title]);
    await writer.resolve(
      "organizations",
      items.flatMap((item) => item.value.map((r) => r.organization)),
    );
    const wanted: { data: Prisma.RoleUncheckedCreateInput & { personId: number; organizationId: number }; citations: CitationInput[] }[] =
      [];
    for (const { id: personId, value } of items)
      for (const r of value) {
        const [startOn, startPrecision] = dated(r.start);
        const [endOn, endPrecision] = dated(r.end);
        const organizationId = (await writer.ref("organizations", r.organization))!;
        const data = {
          personId,
          organizationId,
          title: r.title,
          startOn,
          startPrecision,
          endOn,
          endPrecision,
        } satisfies Prisma.RoleUncheckedCreateInput;
        wanted.push({ data, citations: r.citations });
      }
    const old = items.filter((item) => !item.fresh).map((item) => item.id);
    const stored = old.length ? await tx.role.findMany({ where: { personId: { in: old } } }) : [];
    const wantedKeys = new Set(wanted.map((w) => key(w.data)));
    const stale = stored.filter((r) => !wantedKeys.has(key(r)));
    if (stale.length) await tx.role.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } });
    const changed = new Set(stale.map((r) => r.personId));
    const storedByKey = new Map(stored.map((r) => [key(r), r]));
    const rows = wanted.map((w) => ({ data: w.data, stored: storedByKey.get(key(w.data)) ?? null }));
    const syncCitations = (roles: { id: number; fresh: boolean; index: number }[]) =>
      writer.syncCitations(
        "roleId",
        roles.map(({ id, fresh, index }) => ({ id, fresh, key: "", value: wanted[index].citations })),
      );
    const written = await writer.upsertMany(
      "Role",
      tx.role,
      rows,
      writer.report.roles,
      { of: key as (row: object) => string },
      syncCitations,
    );
    for (const [n, w] of written.entries()) if (w?.changed) changed.add(wanted[n].data.personId);
    return changed;
  },
  references(value, add) {
    if (!Array.isArray(value)) return;
    value.forEach((r, i) => {
      add(`roles[${i}].organization`, valueAt(r, ["organization"]), "organizations");
      citationReferences(`roles[${i}].`, valueAt(r, ["citations"]), add);
    });
  },
  parts: "roles",
};

export const people = defineRecordType({
  model: "Person",
  key: "slug",
  schema,
  delegate: (db) => db.person,
  load,
  fields: {
    slug: f.column("slug"),
    nameEn: f.column("nameEn"),
    nameRu: f.column("nameRu"),
    nameKk: f.column("nameKk"),
    citations: f.citations("personId"),
    roles,
  },
  problems(r, check) {
    if (!Array.isArray(r.roles)) return;
    r.roles.forEach((role, i) => {
      check.order(`roles[${i}].end`, valueAt(role, ["start"]), valueAt(role, ["end"]));
    });
    check.unique(
      "roles",
      r.roles.map((role) => [valueAt(role, ["organization"]), valueAt(role, ["title"])]),
      "organization and title",
    );
  },
  searchable: [
    { field: "name", column: "nameEn", weight: 1 },
    { field: "name", column: "nameRu", weight: 1 },
    { field: "name", column: "nameKk", weight: 1 },
  ],
  links: ["Organization"],
  readers: ["Role"],
});
