import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { ProgrammeKind } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import { citations, citationsInclude, currency, decimalText, fieldKinds, formerSlugs, slug, slugOnly, text } from "./fields.ts";

const schema = z
  .strictObject({
    slug,
    formerSlugs,
    name: text,
    description: text.nullable(),
    kind: z.enum(ProgrammeKind),
    operator: slug.nullable(),
    maxAwardAmount: decimalText(2).nullable(),
    maxAwardCurrency: currency.nullable(),
    citations,
  })
  .refine((p) => p.maxAwardAmount === null || p.maxAwardCurrency !== null, {
    message: "expected a currency when maxAwardAmount is set",
    path: ["maxAwardCurrency"],
  });

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.programme.findMany({ where: { slug: { in: keys } }, include: { operator: slugOnly, citations: citationsInclude } });
const f = fieldKinds<Awaited<ReturnType<typeof load>>[number], Prisma.ProgrammeUncheckedCreateInput>();

export const programmes = defineRecordType({
  model: "Programme",
  key: "slug",
  schema,
  delegate: (db) => db.programme,
  load,
  fields: {
    slug: f.column("slug"),
    name: f.column("name"),
    description: f.column("description"),
    kind: f.column("kind"),
    operator: f.reference("operator", "operatorId", "organizations"),
    maxAwardAmount: f.decimal("maxAwardAmount"),
    maxAwardCurrency: f.column("maxAwardCurrency"),
    citations: f.citations("programmeId"),
  },
  searchable: [
    { field: "name", column: "name", weight: 1 },
    { field: "description", column: "description", weight: 0.6 },
  ],
});
