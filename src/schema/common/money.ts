// Amounts of money in their original currency.
import { builder } from "../../builder.ts";
import { readsColumns } from "../../compiled/declarations.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

export interface MoneyValue {
  amount: Prisma.Decimal;
  currency: string;
}

export function money(amount: Prisma.Decimal | null, currency: string | null): MoneyValue | null {
  return amount !== null && currency ? { amount, currency } : null;
}

export const Money = builder.objectRef<MoneyValue>("Money").implement({
  description: "Amount of money in its original currency, exact to the unit stated by the source",
  fields: (t) => ({
    amount: t.field({ type: "Decimal", description: "Amount as an exact decimal string", ...readsColumns(), resolve: (m) => m.amount }),
    currency: t.field({
      type: "Currency",
      description: "ISO 4217 code of the currency, such as KZT",
      ...readsColumns(),
      resolve: (m) => m.currency,
    }),
  }),
});
