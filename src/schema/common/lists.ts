// Root lists: a connection with a filter, an order and a retraction argument, and the fields every record has.
import type { InputObjectRef, ObjectRef } from "@pothos/core";
import { builder, pageSize, type Types } from "../../builder.ts";
import { type CompiledReads, readsColumns } from "../../compiled/declarations.ts";
import type PrismaTypes from "../../generated/pothos-types.ts";
import { type RetractionValue, retractionArg, retractionWhere } from "./retraction.ts";

/** The part of a Prisma model delegate a root list needs. */
interface ListDelegate {
  count(args: { where: object }): PromiseLike<number>;
  findMany(args: object): PromiseLike<unknown[]>;
}

/**
 * Where clause of the root list a connection was resolved from, keyed by the connection's `args`,
 * for fields of the connection itself (such as `facets`) to count over the same filtered list.
 */
export const connectionWhere = new WeakMap<object, object>();

/**
 * Declares a root connection field with a typed `filter`, an `orderBy` and a `retraction`, paging
 * with Prisma cursors and counting `totalCount` with the same where clause.
 */
export function rootList<Filter extends object, Order>(
  name: string,
  options: {
    type: keyof PrismaTypes & string;
    connection: ObjectRef<Types, any>;
    description: string;
    filter: InputObjectRef<Types, Filter>;
    order: { input: InputObjectRef<Types, Order>; toPrisma: (order: Order | null | undefined) => object[] };
    defaultOrder: string;
    model: () => ListDelegate;
    where: (filter: Filter | null | undefined) => object;
  },
) {
  type Args = { filter?: Filter | null; orderBy?: Order | null; retraction?: RetractionValue | null };
  const where = (args: Args) => ({ AND: [options.where(args.filter), retractionWhere(args.retraction)] });
  const list = {
    model: options.type,
    find: (query: object, args: Args) =>
      options.model().findMany({ ...query, where: where(args), orderBy: options.order.toPrisma(args.orderBy) }),
    count: (args: Args) => options.model().count({ where: where(args) }),
  };
  builder.queryField(name, (t) =>
    t.prismaConnection(
      // Pothos cannot infer a prismaConnection over a model chosen by a type parameter; the
      // field's shape is still checked by the schema tests and each list's API tests.
      {
        type: options.type,
        ...pageSize,
        cursor: "id",
        description: options.description,
        extensions: { compiledReads: { list } satisfies CompiledReads },
        args: {
          filter: t.arg({ type: options.filter, description: "Conditions the items must meet; all given conditions must hold" }),
          orderBy: t.arg({ type: options.order.input, description: `Sort order; ${options.defaultOrder} when omitted` }),
          retraction: retractionArg(t.arg),
        },
        totalCount: (_parent: unknown, args: Args) => list.count(args),
        resolve: (query: object, _parent: unknown, args: Args) => {
          connectionWhere.set(args, where(args));
          return list.find(query, args);
        },
      } as never,
      options.connection,
    ),
  );
}

/** `createdAt` and `updatedAt`, the same on every record type of the dataset. */
export function timestampFields<T extends { createdAt: Date; updatedAt: Date }>(t: PothosSchemaTypes.RootFieldBuilder<Types, T>) {
  return {
    createdAt: t.field({
      type: "DateTime",
      description: "When the record was added to this dataset",
      ...readsColumns("createdAt"),
      resolve: (r: T) => r.createdAt,
    }),
    updatedAt: t.field({
      type: "DateTime",
      description: "When the record last changed in this dataset",
      ...readsColumns("updatedAt"),
      resolve: (r: T) => r.updatedAt,
    }),
  };
}
