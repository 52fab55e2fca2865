import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { prisma } from "./db.ts";
import type PrismaTypes from "./generated/pothos-types.ts";
import { getDatamodel } from "./generated/pothos-types.ts";
import type { Prisma } from "./generated/prisma/client.ts";
import type { RequestContext } from "./http/context.ts";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Yoga's GraphQL context: the request's one context (see http/context.ts). */
export type Context = RequestContext;

/** A client error with a stable machine-readable code in `extensions.code`. */
export function userError(message: string, code = "BAD_USER_INPUT"): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Connection: { totalCount: number | (() => number | Promise<number>) };
  Scalars: {
    ID: { Input: string; Output: string | number };
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
    URL: { Input: URL; Output: string | URL };
    CountryCode: { Input: string; Output: string };
    Currency: { Input: string; Output: string };
    Decimal: { Input: Prisma.Decimal; Output: Prisma.Decimal | string };
    JSONObject: { Input: Record<string, unknown>; Output: unknown };
  };
}>({
  plugins: [RelayPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodeQueryOptions: {
      description: "Any record by its global ID; null when no record has that ID",
      args: { id: { description: "Global ID of the record, as returned in any `id` field" } },
    },
    nodesQueryOptions: {
      description: "Several records by their global IDs, in the same order; null for IDs that match no record",
      args: { ids: { description: "Global IDs of the records" } },
    },
    nodeTypeOptions: { description: "A record with a stable, opaque global ID" },
    pageInfoTypeOptions: { description: "Where this page sits in the whole list, for fetching the next or previous page" },
    idFieldOptions: { description: "Stable, opaque global ID of the record; pass it to `node` to fetch the record again" },
    cursorFieldOptions: { description: "Position of this item in the list; pass it as `after` or `before` to page from here" },
    nodeFieldOptions: { description: "The item itself" },
    edgesFieldOptions: { description: "Items of this page, each with its cursor" },
    pageInfoFieldOptions: { description: "Whether there are more pages, and the cursors to reach them" },
    hasNextPageFieldOptions: { description: "Whether items follow this page" },
    hasPreviousPageFieldOptions: { description: "Whether items precede this page" },
    startCursorFieldOptions: { description: "Cursor of the first item of this page" },
    endCursorFieldOptions: { description: "Cursor of the last item of this page" },
    firstArgOptions: {
      description: `Number of items from the start, or after \`after\` (0 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE})`,
    },
    afterArgOptions: { description: "Return items after this cursor (an `endCursor` or edge `cursor`)" },
    lastArgOptions: { description: `Number of items from the end, or before \`before\` (0 to ${MAX_PAGE_SIZE})` },
    beforeArgOptions: { description: "Return items before this cursor (a `startCursor` or edge `cursor`)" },
    decodeGlobalID: (globalID) => {
      const decoded = Buffer.from(globalID, "base64").toString("utf8");
      const match = /^([A-Za-z]+):(\d{1,15})$/.exec(decoded);
      if (!match || Buffer.from(decoded).toString("base64") !== globalID) {
        throw userError(`"${globalID.slice(0, 100)}" is not a valid ID of this API; use an \`id\` value returned by a query`);
      }
      return { typename: match[1], id: match[2] };
    },
  },
  prisma: {
    client: () => prisma(),
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
});

/**
 * Page-size options for every connection: over-large or negative pages are refused with a
 * clear error rather than silently clamped, so a client never mistakes a cut page for the whole.
 */
export const pageSize = {
  defaultSize: DEFAULT_PAGE_SIZE,
  maxSize: (args: { first?: number | null; last?: number | null }) => {
    for (const name of ["first", "last"] as const) {
      const value = args[name];
      if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
        throw userError(`Argument "${name}" must be between 0 and ${MAX_PAGE_SIZE}; got ${value}. Page through larger lists with "after"`);
      }
    }
    return MAX_PAGE_SIZE;
  },
};

builder.globalConnectionField("totalCount", (t) =>
  t.int({
    description: "Number of items in the whole list, across all pages",
    resolve: (parent) => (typeof parent.totalCount === "function" ? parent.totalCount() : parent.totalCount),
  }),
);

export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
