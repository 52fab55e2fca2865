import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { MethodCategory, MethodStage } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import { citations, citationsInclude, type Field, fieldKinds, formerSlugs, slug, slugOnly, syncLinkLists, text } from "./fields.ts";

const schema = z.strictObject({
  slug,
  formerSlugs,
  title: text,
  summary: text.nullable(),
  category: z.enum(MethodCategory),
  technologyReadinessLevel: z.number().int().min(1).max(9).nullable(),
  // Optional so that files written before release 1.1 still import; left out means not stated.
  stage: z.enum(MethodStage).nullish(),
  developers: z.array(slug),
  citations,
});

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.method.findMany({
    where: { slug: { in: keys } },
    include: { developers: { ...slugOnly, orderBy: { id: "asc" } }, citations: citationsInclude },
  });
type Row = Awaited<ReturnType<typeof load>>[number];
type Data = Prisma.MethodUncheckedCreateInput;
const f = fieldKinds<Row, Data>();

/** Organizations that developed the method, by slug. */
const developers: Field<Row, Data, string[]> = {
  read: (m) => m.developers.map((d) => d.slug),
  sync(items, writer) {
    return syncLinkLists(
      items,
      writer,
      "organizations",
      async (ids) =>
        (await writer.tx.method.findMany({ where: { id: { in: ids } }, select: { id: true, developers: { select: { id: true } } } })).map(
          (row) => ({ id: row.id, links: row.developers }),
        ),
      (id, links) => writer.tx.method.update({ where: { id }, data: { developers: { set: links.map((id) => ({ id })) } } }),
    );
  },
  references(value, add) {
    if (Array.isArray(value))
      value.forEach((v, i) => {
        add(`developers[${i}]`, v, "organizations");
      });
  },
};

export const methods = defineRecordType({
  model: "Method",
  key: "slug",
  schema,
  delegate: (db) => db.method,
  load,
  fields: {
    slug: f.column("slug"),
    title: f.column("title"),
    summary: f.column("summary"),
    category: f.column("category"),
    technologyReadinessLevel: f.column("technologyReadiness"),
    stage: f.column("stage"),
    developers,
    citations: f.citations("methodId"),
  },
  problems(r, check) {
    if (Array.isArray(r.developers)) check.unique("developers", r.developers, "developer");
  },
  searchable: [
    { field: "title", column: "title", weight: 1 },
    { field: "summary", column: "summary", weight: 0.6 },
  ],
  links: ["Organization"],
});
