// Pieces of list filters: text matching, global IDs and numeric ranges.
import { builder } from "../../builder.ts";

/** Case-insensitive substring match for Prisma where clauses. */
export function contains(text: string) {
  return { contains: text, mode: "insensitive" as const };
}

/** Numeric database id of a global ID that the relay plugin has already decoded. */
export function dbId(globalId: { id: unknown }): number {
  return Number(globalId.id);
}

export const IntRange = builder.inputType("IntRange", {
  description: "Range of whole numbers; either end may be left out",
  fields: (t) => ({
    min: t.int({ description: "Smallest value included" }),
    max: t.int({ description: "Largest value included" }),
  }),
});
