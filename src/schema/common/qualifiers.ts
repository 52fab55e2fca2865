// How a source qualifies what it states: how firmly it supports a fact, and how exact a number is.
import { builder } from "../../builder.ts";
import { AmountBound, Confidence } from "../../generated/prisma/enums.ts";

export const ConfidenceEnum = builder.enumType(Confidence, {
  name: "Confidence",
  description: "How firmly a source supports a fact",
  values: {
    HIGH: { description: "The quoted source states the fact directly" },
    LOW: { description: "The source is unofficial, or the fact is uncertain or inferred: see the citation's note" },
  },
});

export const AmountBoundEnum = builder.enumType(AmountBound, {
  name: "AmountBound",
  description: "How a source qualifies a number",
  values: {
    EXACT: { description: "The number as stated" },
    APPROXIMATE: { description: 'Stated as approximate ("about", "around")' },
    AT_LEAST: { description: 'A lower bound ("over", "more than")' },
    AT_MOST: { description: 'An upper bound ("up to", "less than")' },
  },
});
