// `facets` of the seven root lists: counts of the filtered list by value of a field.
import type { ObjectRef } from "@pothos/core";
import { builder, type Types } from "../../builder.ts";
import { prisma } from "../../db.ts";
import { connectionWhere } from "../common/lists.ts";
import { FundingConnection } from "../funding.ts";
import { ImpactConnection } from "../impact.ts";
import { MethodConnection } from "../method.ts";
import { OrganizationConnection } from "../organization.ts";
import { PartnershipConnection } from "../partnership.ts";
import { ProgrammeConnection } from "../programme.ts";
import { SourceConnection } from "../source.ts";
import { type GroupByDelegate, groupRows, mergeBy, type Row, yearOf } from "./group-rows.ts";

interface FacetBucketValue {
  value: string | null;
  count: number;
}

const FacetBucket = builder.objectRef<FacetBucketValue>("FacetBucket").implement({
  description: "How many items of the filtered list have one value of a field",
  fields: (t) => ({
    value: t.exposeString("value", {
      nullable: true,
      description: "The value, such as ENTERPRISE, KZ or 2024; null for the bucket of items whose value is unknown",
    }),
    unknown: t.boolean({ description: "Whether this is the bucket of items whose value is unknown", resolve: (b) => b.value === null }),
    count: t.int({ description: "Number of items with this value", resolve: (b) => b.count }),
  }),
});

interface FacetSpec {
  description: string;
  column: string;
  /** The column is a date: count by its year. */
  year?: boolean;
  /** The column can hold no value; its unknown bucket is listed even when empty. */
  nullable?: boolean;
}

async function facet(model: GroupByDelegate, where: object, spec: FacetSpec): Promise<FacetBucketValue[]> {
  const rows = await groupRows(model, [spec.column], where);
  const value = (row: Row) => {
    const v = row[spec.column];
    return v === null ? null : spec.year ? String(yearOf(v)) : String(v);
  };
  const buckets = mergeBy(
    rows,
    value,
    (value) => ({ value, count: 0 }),
    (b, row) => (b.count += row._count._all),
  );
  if (spec.nullable && !buckets.some((b) => b.value === null)) buckets.push({ value: null, count: 0 });
  return buckets.sort((a, b) => b.count - a.count || (a.value === null ? 1 : b.value === null ? -1 : a.value.localeCompare(b.value)));
}

function facets(
  connection: ObjectRef<Types, any>,
  typeName: string,
  what: string,
  model: () => GroupByDelegate,
  specs: Record<string, FacetSpec>,
) {
  const Facets = builder.objectRef<{ where: object }>(`${typeName}Facets`).implement({
    description: `Counts of the filtered ${what} by value of a field, with a bucket for unknown values`,
    fields: (t) =>
      Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [
          name,
          t.field({ type: [FacetBucket], description: spec.description, resolve: ({ where }) => facet(model(), where, spec) }),
        ]),
      ),
  });
  builder.objectField(connection, "facets", (t) =>
    t.field({
      type: Facets,
      nullable: true,
      description: `Counts of the whole filtered list (all pages) by kind, status, year and so on; null on lists inside a record`,
      resolve: (parent: { args?: object }) => {
        const where = parent.args && connectionWhere.get(parent.args);
        return where ? { where } : null;
      },
    }),
  );
}

facets(OrganizationConnection, "Organization", "organizations", () => prisma().organization, {
  kind: { description: "Organizations by kind", column: "kind" },
  country: { description: "Organizations by country (ISO 3166-1 code)", column: "country", nullable: true },
  city: { description: "Organizations by city", column: "city", nullable: true },
});
facets(MethodConnection, "Method", "methods", () => prisma().method, {
  category: { description: "Methods by category", column: "category" },
  technologyReadinessLevel: { description: "Methods by technology readiness level", column: "technologyReadiness", nullable: true },
});
facets(PartnershipConnection, "Partnership", "partnerships", () => prisma().partnership, {
  kind: { description: "Partnerships by kind", column: "kind" },
  status: { description: "Partnerships by status", column: "status" },
  city: { description: "Partnerships by city", column: "city", nullable: true },
  year: { description: "Partnerships by year of start", column: "startOn", year: true, nullable: true },
});
facets(ProgrammeConnection, "Programme", "programmes", () => prisma().programme, {
  kind: { description: "Programmes by kind", column: "kind" },
});
facets(FundingConnection, "Funding", "funding records", () => prisma().funding, {
  amountKind: { description: "Funding by kind of amount", column: "amountKind" },
  currency: { description: "Funding by currency; unknown for undisclosed amounts", column: "currency", nullable: true },
  year: {
    description: "Funding by year of its date (undated records, such as multi-year budgets, are unknown)",
    column: "dateOn",
    year: true,
    nullable: true,
  },
});
facets(ImpactConnection, "Impact", "impacts", () => prisma().impact, {
  metric: { description: "Impacts by metric", column: "metric" },
  status: { description: "Impacts by status: planned, claimed or verified", column: "status" },
  unit: { description: "Impacts by unit of their figure", column: "unit", nullable: true },
  year: { description: "Impacts by year their period starts", column: "periodStartOn", year: true, nullable: true },
});
facets(SourceConnection, "Source", "sources", () => prisma().source, {
  language: { description: "Sources by language (ISO 639-1 code)", column: "language" },
  year: { description: "Sources by year of publication", column: "publishedOn", year: true, nullable: true },
});
