import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { OrganizationKind } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import {
  byOwner,
  citations,
  citationsInclude,
  diff,
  type Field,
  fieldKinds,
  formerSlugs,
  identifier,
  names,
  slug,
  slugOnly,
  someName,
  text,
  url,
  valueAt,
  year,
} from "./fields.ts";

const schema = z
  .strictObject({
    slug,
    formerSlugs,
    kind: z.enum(OrganizationKind),
    ...names,
    alternateNames: z.array(text),
    description: text.nullable(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as "KZ"')
      .nullable(),
    city: text.nullable(),
    foundedYear: year.nullable(),
    website: url.nullable(),
    parent: slug.nullable(),
    identifiers: z.array(identifier),
    citations,
  })
  .refine(someName.check, someName.params);

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.organization.findMany({
    where: { slug: { in: keys } },
    include: { parent: slugOnly, identifiers: { orderBy: { id: "asc" } }, citations: citationsInclude },
  });
type Row = Awaited<ReturnType<typeof load>>[number];
type Data = Prisma.OrganizationUncheckedCreateInput;
const f = fieldKinds<Row, Data>();

type Identifier = z.infer<typeof identifier>;

/**
 * A parent written later in the same import is linked once every record is written; one written
 * earlier in the same batch, as soon as the batch's records exist (as if it had been stored before).
 */
const parent: Field<Row, Data, string | null> = {
  read: (o) => o.parent?.slug ?? null,
  async columns(value, writer) {
    if (value === null) return { parentId: null };
    const parentId = await writer.idOf("organizations", value);
    return parentId === undefined ? {} : { parentId };
  },
  async sync(items, writer) {
    const changed = new Set<number>();
    const withParent = items.filter((item) => item.value !== null);
    if (!withParent.length) return changed;
    const parents = await writer.resolve(
      "organizations",
      withParent.map((item) => item.value!),
    );
    const rows = await writer.tx.organization.findMany({
      where: { id: { in: withParent.map((item) => item.id) } },
      select: { id: true, parentId: true },
    });
    const stored = new Map(rows.map((o) => [o.id, o.parentId]));
    const position = new Map(items.map((item, i) => [item.key, i]));
    for (const [i, { value, id, fresh }] of items.entries()) {
      if (value === null) continue;
      const parentId = parents.get(value);
      // Set with the record's columns: the parent was stored before this batch.
      if (parentId !== undefined && stored.get(id) === parentId) continue;
      if (parentId !== undefined && (position.get(value) ?? i) < i) {
        await writer.tx.organization.update({ where: { id }, data: { parentId } });
        if (!fresh) changed.add(id);
        continue;
      }
      writer.later(async () => {
        const parentId = await writer.ref("organizations", value);
        const before = await writer.tx.organization.findUniqueOrThrow({
          where: { id },
          select: { parent: { select: { id: true, slug: true } } },
        });
        if (before.parent?.id === parentId) return;
        await writer.tx.organization.update({ where: { id }, data: { parentId } });
        await writer.logChange({
          action: "UPDATE",
          recordType: "Organization",
          recordId: id,
          fields: ["parent"],
          before: { parent: before.parent?.slug ?? null },
          after: { parent: value },
        });
      });
    }
    return changed;
  },
  references: (value, add) => add("parent", value, "organizations"),
};

const identifiers: Field<Row, Data, Identifier[]> = {
  read: (o) => o.identifiers.map((i) => ({ scheme: i.scheme, schemeName: i.otherScheme || null, value: i.value })),
  async sync(items, writer) {
    const tx = writer.tx;
    const key = (i: { scheme: string; otherScheme: string; value: string }) => JSON.stringify([i.scheme, i.otherScheme, i.value]);
    const wanted = items.map(({ id, value }) =>
      value.map((i) => ({ organizationId: id, scheme: i.scheme, otherScheme: i.schemeName ?? "", value: i.value })),
    );
    const old = items.filter((item) => !item.fresh).map((item) => item.id);
    const stored = byOwner(
      old.length ? await tx.organizationIdentifier.findMany({ where: { organizationId: { in: old } } }) : [],
      (i) => i.organizationId,
    );
    const changed = new Set<number>();
    const stale: number[] = [];
    for (const [n, { id }] of items.entries())
      for (const i of diff(stored.get(id) ?? [], wanted[n], key, key).stale) {
        stale.push(i.id);
        changed.add(id);
      }
    if (stale.length) await tx.organizationIdentifier.deleteMany({ where: { id: { in: stale } } });
    const all = wanted.flat();
    if (!all.length) return changed;
    // An identifier stored for another organization moves to this one.
    const values = [...new Set(all.map((i) => i.value))];
    const owned = new Map((await tx.organizationIdentifier.findMany({ where: { value: { in: values } } })).map((i) => [key(i), i]));
    const rows = all.map((data) => ({ data, stored: owned.get(key(data)) ?? null }));
    const written = await writer.upsertMany("OrganizationIdentifier", tx.organizationIdentifier, rows, writer.report.identifiers, {
      of: key as (row: object) => string,
    });
    for (const [n, w] of written.entries()) if (w?.changed) changed.add(all[n].organizationId);
    return changed;
  },
  parts: "identifiers",
};

export const organizations = defineRecordType({
  model: "Organization",
  key: "slug",
  schema,
  delegate: (db) => db.organization,
  load,
  fields: {
    slug: f.column("slug"),
    kind: f.column("kind"),
    nameEn: f.column("nameEn"),
    nameRu: f.column("nameRu"),
    nameKk: f.column("nameKk"),
    alternateNames: f.column("alternateNames"),
    description: f.column("description"),
    country: f.column("country"),
    city: f.column("city"),
    foundedYear: f.column("foundedYear"),
    website: f.column("website"),
    parent,
    identifiers,
    citations: f.citations("organizationId"),
  },
  problems(r, check) {
    if (Array.isArray(r.identifiers))
      check.unique(
        "identifiers",
        r.identifiers.map((i) => [valueAt(i, ["scheme"]), valueAt(i, ["schemeName"])]),
        "identifier scheme",
      );
  },
  searchable: [
    { field: "name", column: "nameEn", weight: 1 },
    { field: "name", column: "nameRu", weight: 1 },
    { field: "name", column: "nameKk", weight: 1 },
    { field: "alternateNames", column: "alternateNames", weight: 1, list: true },
    { field: "description", column: "description", weight: 0.6 },
    { field: "city", column: "city", weight: 0.6 },
  ],
});
