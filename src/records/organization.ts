import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { OrganizationKind } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import {
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

/** A parent written later in the same import is linked once every record is written. */
const parent: Field<Row, Data, string | null> = {
  read: (o) => o.parent?.slug ?? null,
  async columns(value, writer) {
    if (value === null) return { parentId: null };
    const parentId = await writer.idOf("organizations", value);
    return parentId === undefined ? {} : { parentId };
  },
  async sync(value, writer, id) {
    if (value === null || (await writer.idOf("organizations", value)) !== undefined) return false;
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
    return false;
  },
  references: (value, add) => add("parent", value, "organizations"),
};

const identifiers: Field<Row, Data, Identifier[]> = {
  read: (o) => o.identifiers.map((i) => ({ scheme: i.scheme, schemeName: i.otherScheme || null, value: i.value })),
  async sync(value, writer, organizationId, fresh) {
    const tx = writer.tx;
    const wanted = value.map((i) => ({ scheme: i.scheme, otherScheme: i.schemeName ?? "", value: i.value }));
    const key = (i: { scheme: string; otherScheme: string; value: string }) => JSON.stringify([i.scheme, i.otherScheme, i.value]);
    const stored = fresh ? [] : await tx.organizationIdentifier.findMany({ where: { organizationId } });
    const { stale } = diff(stored, wanted, key, key);
    if (stale.length) await tx.organizationIdentifier.deleteMany({ where: { id: { in: stale.map((i) => i.id) } } });
    let changed = stale.length > 0;
    for (const i of wanted) {
      const where = { scheme_otherScheme_value: { scheme: i.scheme, otherScheme: i.otherScheme, value: i.value } };
      const data = { organizationId, ...i } satisfies Prisma.OrganizationIdentifierUncheckedCreateInput;
      changed = (await writer.upsertIfChanged(tx.organizationIdentifier, where, data, writer.report.identifiers, null)).changed || changed;
    }
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
