// Dates as precisely as sources state them (a day, a month or only a year), and date ranges of filters.
import { builder } from "../../builder.ts";
import { readsColumns } from "../../compiled/declarations.ts";
import { DatePrecision } from "../../generated/prisma/enums.ts";

export const DatePrecisionEnum = builder.enumType(DatePrecision, {
  name: "DatePrecision",
  description: "How precisely a source states a date",
  values: {
    YEAR: { description: "Only the year is known" },
    MONTH: { description: "Year and month are known" },
    DAY: { description: "The exact day is known" },
  },
});

export interface PartialDateValue {
  on: Date;
  precision: DatePrecision;
}

/** Pairs a stored `...On` column with its `...Precision` column; null when either is missing. */
export function partialDate(on: Date | null, precision: DatePrecision | null): PartialDateValue | null {
  return on && precision ? { on, precision } : null;
}

function lastDay({ on, precision }: PartialDateValue): Date {
  if (precision === "DAY") return on;
  const y = on.getUTCFullYear();
  return precision === "YEAR" ? new Date(Date.UTC(y, 11, 31)) : new Date(Date.UTC(y, on.getUTCMonth() + 1, 0));
}

export const PartialDate = builder.objectRef<PartialDateValue>("PartialDate").implement({
  description: "Date known to a day, a month or only a year, as precisely as the source states it",
  fields: (t) => ({
    text: t.string({
      description: "ISO 8601 date cut to its precision: 2024, 2024-06 or 2024-11-20",
      ...readsColumns(),
      resolve: ({ on, precision }) => on.toISOString().slice(0, precision === "YEAR" ? 4 : precision === "MONTH" ? 7 : 10),
    }),
    precision: t.field({
      type: DatePrecisionEnum,
      description: "Whether the year, month or day is known",
      ...readsColumns(),
      resolve: (d) => d.precision,
    }),
    start: t.field({ type: "Date", description: "First day of the period the date covers", ...readsColumns(), resolve: (d) => d.on }),
    end: t.field({ type: "Date", description: "Last day of the period the date covers", ...readsColumns(), resolve: lastDay }),
  }),
});

export const DateRange = builder.inputType("DateRange", {
  description: "Range of dates; either end may be left out",
  fields: (t) => ({
    from: t.field({ type: "Date", description: "Earliest date included" }),
    to: t.field({ type: "Date", description: "Latest date included" }),
  }),
});
