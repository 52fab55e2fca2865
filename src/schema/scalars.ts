import { CountryCodeResolver, CurrencyResolver, DateResolver, DateTimeResolver, URLResolver } from "graphql-scalars";
import { builder, userError } from "../builder.ts";
import { Prisma } from "../generated/prisma/client.ts";

builder.addScalarType("DateTime", DateTimeResolver, {
  description: "Instant in time as an ISO 8601 string with time zone, such as 2024-11-20T09:30:00.000Z",
});
builder.addScalarType("Date", DateResolver, { description: "Calendar date as an ISO 8601 string, such as 2024-11-20" });
builder.addScalarType("URL", URLResolver, { description: "Absolute web address, such as https://www.ihn.kz" });
builder.addScalarType("CountryCode", CountryCodeResolver, {
  description: "Two-letter ISO 3166-1 country code, such as KZ",
});
builder.addScalarType("Currency", CurrencyResolver, { description: "Three-letter ISO 4217 currency code, such as KZT" });

const DECIMAL = /^-?\d{1,18}(\.\d{1,4})?$/;

function parseDecimal(value: unknown): Prisma.Decimal {
  if (typeof value !== "string" || !DECIMAL.test(value)) {
    throw userError(
      `Decimal must be a string of digits with an optional point, such as "20600000000" or "12.5"; got ${JSON.stringify(value)}`,
    );
  }
  return new Prisma.Decimal(value);
}

builder.scalarType("Decimal", {
  description: 'Exact decimal number as a string, such as "643000000000" or "12.5": never a float, so amounts keep every digit',
  serialize: (value) => (typeof value === "string" ? value : value.toFixed()),
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal("value" in ast ? ast.value : undefined),
});
