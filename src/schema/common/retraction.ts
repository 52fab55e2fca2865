// Retraction: every list, total, summary and facet leaves retracted records out unless asked.
import type { ArgBuilder } from "@pothos/core";
import { builder, type Types } from "../../builder.ts";

export type RetractionValue = "EXCLUDE" | "INCLUDE" | "ONLY";

export const RetractionFilter = builder.enumType("RetractionFilter", {
  description:
    "Whether a list, total or summary holds retracted records (records found to be wrong, still shown by id and slug with the reason)",
  values: {
    EXCLUDE: { description: "Only records in good standing (the default)" },
    INCLUDE: { description: "Records in good standing and retracted ones" },
    ONLY: { description: "Only retracted records" },
  },
});

/** The `retraction` argument of every list and summary: EXCLUDE unless asked. */
export function retractionArg(arg: ArgBuilder<Types>) {
  return arg({
    type: RetractionFilter,
    required: true,
    defaultValue: "EXCLUDE",
    description:
      "Whether retracted records are counted and listed: EXCLUDE (the default) leaves them out of the items and every count, INCLUDE adds them, ONLY lists them alone",
  });
}

/** Prisma where clause of a `retraction` argument. */
export function retractionWhere(retraction: RetractionValue | null | undefined) {
  return retraction === "INCLUDE" ? {} : { retractedAt: retraction === "ONLY" ? { not: null } : null };
}

/** SQL condition of a `retraction` argument on the table aliased `alias`. */
export function retractionSql(retraction: RetractionValue | null | undefined, alias: string): string {
  return retraction === "INCLUDE" ? "true" : `${alias}."retractedAt" IS ${retraction === "ONLY" ? "NOT " : ""}NULL`;
}
