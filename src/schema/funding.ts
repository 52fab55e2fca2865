import { builder, userError } from "../builder.ts";
import { readsColumns } from "../compiled/declarations.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { AmountKind } from "../generated/prisma/enums.ts";
import { DateRange, PartialDate, partialDate } from "./common/dates.ts";
import { contains, dbId } from "./common/filters.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { Money, money } from "./common/money.ts";
import { orderInput } from "./common/order.ts";
import { AmountBoundEnum } from "./common/qualifiers.ts";
import { Method } from "./method.ts";
import { Organization } from "./organization.ts";
import { Partnership } from "./partnership.ts";
import { Programme } from "./programme.ts";

export const AmountKindEnum = builder.enumType(AmountKind, {
  name: "AmountKind",
  description: "What a funding amount measures",
  values: {
    ALLOCATED: { description: "Set aside by a decision, such as the Commission's approval" },
    AWARDED: { description: "Granted to a recipient" },
    DISBURSED: { description: "Actually paid out" },
    INVESTED: { description: "Invested, typically by an enterprise in its own production" },
    BUDGET: { description: "Budgeted for a period, such as a state science budget" },
  },
});

export const Funding = builder.prismaNode("Funding", {
  id: { field: "id" },
  nullable: true,
  description: "Money given, allocated, invested or budgeted for research or its application, as a source reports it",
});

export const FundingConnection = builder.connectionObject(
  { type: Funding, name: "FundingConnection", description: "Page of funding records" },
  { name: "FundingEdge", description: "Funding record in a page, with its cursor" },
);

builder.prismaObjectFields(Funding, (t) => ({
  slug: t.exposeString("slug", { description: "Short stable name used in addresses" }),
  description: t.exposeString("description", { nullable: true, description: "What the funding is for, as the source reports it" }),
  funder: t.relation("funder", { nullable: true, description: "Who gives the money; null when no source names them" }),
  recipient: t.relation("recipient", { nullable: true, description: "Who receives the money; null when no source names them" }),
  programme: t.relation("programme", { nullable: true, description: "Programme the money comes through; null when not stated" }),
  partnership: t.relation("partnership", { nullable: true, description: "Partnership the money funds, if any" }),
  method: t.relation("method", { nullable: true, description: "Method the money funds, if any" }),
  amount: t.field({
    type: Money,
    nullable: true,
    description: "Amount in its original currency; null when the source does not disclose it (never 0 for unknown)",
    ...readsColumns("amount", "currency"),
    resolve: (f) => money(f.amount, f.currency),
  }),
  amountDisclosed: t.boolean({
    description: "Whether a source discloses the amount",
    ...readsColumns("amount"),
    resolve: (f) => f.amount !== null,
  }),
  amountBound: t.expose("amountBound", {
    type: AmountBoundEnum,
    nullable: true,
    description: "Whether the amount is exact, approximate, a lower or an upper bound; null when the amount is not disclosed",
  }),
  amountKind: t.expose("amountKind", { type: AmountKindEnum, description: "What the amount measures" }),
  date: t.field({
    type: PartialDate,
    nullable: true,
    description: "When the funding was decided or announced; null when no source states it",
    ...readsColumns("dateOn", "datePrecision"),
    resolve: (f) => partialDate(f.dateOn, f.datePrecision),
  }),
  fiscalYearStart: t.exposeInt("fiscalYearFrom", {
    nullable: true,
    description: "First fiscal year the amount covers; null when not stated",
  }),
  fiscalYearEnd: t.exposeInt("fiscalYearTo", { nullable: true, description: "Last fiscal year the amount covers; null when not stated" }),
  citations: t.relation("citations", { description: "Sources that report the funding", query: { orderBy: { id: "asc" } } }),
  ...timestampFields(t),
}));

const DecimalRange = builder.inputType("DecimalRange", {
  description: "Range of exact decimal amounts; either end may be left out",
  fields: (t) => ({
    min: t.field({ type: "Decimal", description: "Smallest amount included" }),
    max: t.field({ type: "Decimal", description: "Largest amount included" }),
  }),
});

export const FundingFilter = builder.inputType("FundingFilter", {
  description: "Conditions a funding record must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    funder: t.globalID({ for: Organization, description: "Only funding given by this organization" }),
    recipient: t.globalID({ for: Organization, description: "Only funding received by this organization" }),
    programme: t.globalID({ for: Programme, description: "Only funding through this programme" }),
    partnership: t.globalID({ for: Partnership, description: "Only funding of this partnership" }),
    method: t.globalID({ for: Method, description: "Only funding of this method" }),
    amountKinds: t.field({ type: [AmountKindEnum], description: "Only amounts of these kinds" }),
    currency: t.field({ type: "Currency", description: "Only amounts in this currency" }),
    amount: t.field({ type: DecimalRange, description: "Only disclosed amounts in this range (in their own currency)" }),
    amountDisclosed: t.boolean({ description: "true: only records with a disclosed amount; false: only undisclosed ones" }),
    date: t.field({ type: DateRange, description: "Only funding decided or announced in this range of dates" }),
    year: t.int({ description: "Only funding dated in this year or covering it as a fiscal year" }),
    text: t.string({ description: "Only funding whose description contains this text (case-insensitive)" }),
  }),
});

const fundingOrder = orderInput(
  "Funding",
  {
    DATE: { description: "Date (undated records come last)", column: "dateOn", nullable: true },
    AMOUNT: { description: "Amount, whatever its currency (undisclosed amounts come last)", column: "amount", nullable: true },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "CREATED_AT",
);

export function fundingWhere(filter: typeof FundingFilter.$inferInput | null | undefined): Prisma.FundingWhereInput {
  const and: Prisma.FundingWhereInput[] = [];
  if (!filter) return { AND: and };
  if (filter.funder) and.push({ funderId: dbId(filter.funder) });
  if (filter.recipient) and.push({ recipientId: dbId(filter.recipient) });
  if (filter.programme) and.push({ programmeId: dbId(filter.programme) });
  if (filter.partnership) and.push({ partnershipId: dbId(filter.partnership) });
  if (filter.method) and.push({ methodId: dbId(filter.method) });
  if (filter.amountKinds) and.push({ amountKind: { in: filter.amountKinds } });
  if (filter.currency) and.push({ currency: filter.currency });
  if (filter.amount) and.push({ amount: { gte: filter.amount.min ?? undefined, lte: filter.amount.max ?? undefined } });
  if (filter.amountDisclosed != null) and.push({ amount: filter.amountDisclosed ? { not: null } : null });
  if (filter.date) and.push({ dateOn: { gte: filter.date.from ?? undefined, lte: filter.date.to ?? undefined } });
  if (filter.year != null) {
    const y = filter.year;
    // Dates in JavaScript end in the year 275760: beyond 4 digits a year would reach the database as an invalid date.
    if (y < 1 || y > 9999) throw userError(`Argument "filter.year" must be a year from 1 to 9999; got ${y}`);
    and.push({
      OR: [
        { dateOn: { gte: new Date(Date.UTC(y, 0, 1)), lt: new Date(Date.UTC(y + 1, 0, 1)) } },
        { fiscalYearFrom: { lte: y }, fiscalYearTo: { gte: y } },
      ],
    });
  }
  if (filter.text) and.push({ description: contains(filter.text) });
  return { AND: and };
}

rootList("fundings", {
  type: "Funding",
  connection: FundingConnection,
  description: "Who funds what: budgets, allocations, grants and investments, each with its source",
  filter: FundingFilter,
  order: fundingOrder,
  defaultOrder: "in the order they were added",
  model: () => prisma().funding,
  where: fundingWhere,
});
