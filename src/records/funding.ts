import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { AmountBound, AmountKind } from "../generated/prisma/enums.ts";
import { defineRecordType } from "./define.ts";
import {
  boundGiven,
  boundNeeded,
  citations,
  citationsInclude,
  currency,
  decimalText,
  fieldKinds,
  formerSlugs,
  reducedDate,
  slug,
  slugOnly,
  text,
  year,
} from "./fields.ts";

const schema = z
  .strictObject({
    slug,
    formerSlugs,
    description: text.nullable(),
    funder: slug.nullable(),
    recipient: slug.nullable(),
    programme: slug.nullable(),
    partnership: slug.nullable(),
    method: slug.nullable(),
    amount: decimalText(2).nullable(),
    amountBound: z.enum(AmountBound).nullable(),
    currency: currency.nullable(),
    amountKind: z.enum(AmountKind),
    date: reducedDate.nullable(),
    fiscalYearStart: year.nullable(),
    fiscalYearEnd: year.nullable(),
    citations,
  })
  .refine((f) => f.amount === null || f.currency !== null, {
    message: "expected a currency when amount is set",
    path: ["currency"],
  })
  .refine(boundGiven("amount").check, boundGiven("amount").params)
  .refine(boundNeeded("amount").check, boundNeeded("amount").params)
  .refine((f) => f.fiscalYearStart === null || f.fiscalYearEnd === null || f.fiscalYearStart <= f.fiscalYearEnd, {
    message: "expected fiscalYearEnd not to be before fiscalYearStart",
    path: ["fiscalYearEnd"],
  });

const load = (db: Prisma.TransactionClient, keys: string[]) =>
  db.funding.findMany({
    where: { slug: { in: keys } },
    include: {
      funder: slugOnly,
      recipient: slugOnly,
      programme: slugOnly,
      partnership: slugOnly,
      method: slugOnly,
      citations: citationsInclude,
    },
  });
const f = fieldKinds<Awaited<ReturnType<typeof load>>[number], Prisma.FundingUncheckedCreateInput>();

export const fundings = defineRecordType({
  model: "Funding",
  key: "slug",
  schema,
  delegate: (db) => db.funding,
  load,
  fields: {
    slug: f.column("slug"),
    description: f.column("description"),
    funder: f.reference("funder", "funderId", "organizations"),
    recipient: f.reference("recipient", "recipientId", "organizations"),
    programme: f.reference("programme", "programmeId", "programmes"),
    partnership: f.reference("partnership", "partnershipId", "partnerships"),
    method: f.reference("method", "methodId", "methods"),
    amount: f.decimal("amount"),
    amountBound: f.column("amountBound"),
    currency: f.column("currency"),
    amountKind: f.column("amountKind"),
    date: f.reducedDate("dateOn", "datePrecision"),
    fiscalYearStart: f.column("fiscalYearFrom"),
    fiscalYearEnd: f.column("fiscalYearTo"),
    citations: f.citations("fundingId"),
  },
  searchable: [{ field: "description", column: "description", weight: 0.8 }],
  readers: ["FundingSummary", "FundingBucket"],
});
