import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { defineRecordType } from "./define.ts";
import {
  citationReferences,
  citations,
  citationsInclude,
  dated,
  diff,
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
  async sync(value, writer, personId, fresh) {
    const tx = writer.tx;
    const key = (r: { organizationId: number; title: string }) => JSON.stringify([r.organizationId, r.title]);
    const wanted = [];
    for (const r of value) wanted.push({ ...r, organizationId: (await writer.ref("organizations", r.organization))! });
    const { stale } = diff(fresh ? [] : await tx.role.findMany({ where: { personId } }), wanted, key, key);
    if (stale.length) await tx.role.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } });
    let changed = stale.length > 0;
    for (const r of wanted) {
      const [startOn, startPrecision] = dated(r.start);
      const [endOn, endPrecision] = dated(r.end);
      const { organizationId, title } = r;
      const data = {
        personId,
        organizationId,
        title,
        startOn,
        startPrecision,
        endOn,
        endPrecision,
      } satisfies Prisma.RoleUncheckedCreateInput;
      const where = { personId_organizationId_title: { personId, organizationId, title } };
      const syncCitations = (id: number, fresh: boolean) => writer.syncCitations("roleId", id, r.citations, fresh);
      changed = (await writer.upsertIfChanged(tx.role, where, data, writer.report.roles, null, syncCitations)).changed || changed;
    }
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
