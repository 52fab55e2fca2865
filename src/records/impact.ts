import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { AmountBound, ImpactMetric, ImpactStatus } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import {
  boundGiven,
  boundNeeded,
  citations,
  citationsInclude,
  decimalText,
  fieldKinds,
  formerSlugs,
  reducedDate,
  slug,
  slugOnly,
  text,
} from "./fields.ts";

const schema = z
  .strictObject({
    slug,
    formerSlugs,
    partnership: slug.nullable(),
    method: slug.nullable(),
    organization: slug.nullable(),
    metric: z.enum(ImpactMetric),
    description: text,
    value: decimalText(4, true).nullable(),
    valueBound: z.enum(AmountBound).nullable(),
    unit: text.nullable(),
    baselineValue: decimalText(4, true).nullable(),
    baselineNote: text.nullable(),
    periodStart: reducedDate.nullable(),
    periodEnd: reducedDate.nullable(),
    status: z.enum(ImpactStatus),
    claimant: slug.nullable(),
    claimantPerson: slug.nullable(),
    citations,
  })
  .refine(boundGiven("value").check, boundGiven("value").params)
  .refine(boundNeeded("value").check, boundNeeded("value").params)
  .refine((i) => i.partnership ?? i.method ?? i.organization, {
    message: "expected the impact to be about a partnership, a method or an organization",
    path: ["partnership"],
  });

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.impact.findMany({
    where: { slug: { in: keys } },
    include: {
      partnership: slugOnly,
      method: slugOnly,
      organization: slugOnly,
      claimant: slugOnly,
      claimantPerson: slugOnly,
      citations: citationsInclude,
    },
  });
const f = fieldKinds<Awaited<ReturnType<typeof load>>[number], Prisma.ImpactUncheckedCreateInput>();

export const impacts = defineRecordType({
  model: "Impact",
  key: "slug",
  schema,
  delegate: (db) => db.impact,
  load,
  fields: {
    slug: f.column("slug"),
    partnership: f.reference("partnership", "partnershipId", "partnerships"),
    method: f.reference("method", "methodId", "methods"),
    organization: f.reference("organization", "organizationId", "organizations"),
    metric: f.column("metric"),
    description: f.column("description"),
    value: f.decimal("value"),
    valueBound: f.column("valueBound"),
    unit: f.column("unit"),
    baselineValue: f.decimal("baselineValue"),
    baselineNote: f.column("baselineNote"),
    periodStart: f.reducedDate("periodStartOn", "periodStartPrecision"),
    periodEnd: f.reducedDate("periodEndOn", "periodEndPrecision"),
    status: f.column("status"),
    claimant: f.reference("claimant", "claimantId", "organizations"),
    claimantPerson: f.reference("claimantPerson", "claimantPersonId", "people"),
    citations: f.citations("impactId"),
  },
  problems(r, check) {
    check.order("periodEnd", r.periodStart, r.periodEnd);
  },
  searchable: [{ field: "description", column: "description", weight: 0.8 }],
  readers: ["ImpactSummary", "ImpactBucket"],
});
