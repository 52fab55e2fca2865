// Sort orders of lists: the `<Type>Order` inputs and their Prisma orderBy.
import { builder } from "../../builder.ts";

export const OrderDirection = builder.enumType("OrderDirection", {
  description: "Direction of a sort",
  values: {
    ASC: { description: "Smallest, earliest or alphabetically first value first" },
    DESC: { description: "Largest, latest or alphabetically last value first" },
  },
});

interface OrderColumn {
  description: string;
  column: string;
  /** Nullable columns sort their unknown values last in both directions. */
  nullable?: boolean;
}

/**
 * Declares `<Type>Order { field, direction }` and its enum of sortable fields, and returns a
 * function turning the argument into a Prisma orderBy that ends on `id` so pages never overlap.
 */
export function orderInput<const T extends Record<string, OrderColumn>>(typeName: string, fields: T, defaultField: keyof T & string) {
  type F = keyof T & string;
  const fieldEnum = builder.enumType(`${typeName}OrderField`, {
    description: `What to sort ${typeName.toLowerCase()} lists by`,
    values: Object.fromEntries(Object.entries<OrderColumn>(fields).map(([name, f]) => [name, { description: f.description }])) as {
      [K in F]: { description: string };
    },
  });
  const input = builder.inputType(`${typeName}Order`, {
    description: `Sort order of a ${typeName.toLowerCase()} list`,
    fields: (t) => ({
      field: t.field({ type: fieldEnum, required: true, description: "Field to sort by" }),
      direction: t.field({ type: OrderDirection, required: true, defaultValue: "ASC", description: "Sort direction" }),
    }),
  });
  const toPrisma = (order: { field: F; direction: "ASC" | "DESC" } | null | undefined) => {
    const field = order?.field ?? defaultField;
    const sort = order?.direction === "DESC" ? ("desc" as const) : ("asc" as const);
    const { column, nullable } = fields[field];
    const first = nullable ? { [column]: { sort, nulls: "last" as const } } : { [column]: sort };
    return column === "id" ? [{ id: sort }] : [first, { id: sort }];
  };
  return { input, toPrisma };
}
