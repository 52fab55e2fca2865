// What a schema field declares in `extensions.compiledReads` so compiled reads (plan.ts) can answer it
// without running it through GraphQL execution. The field's resolver and the planner call the same functions.
import type { ChainLevel } from "../schema/related-pages.ts";

/** Rows of a page: `id` plus the columns asked for. */
export type PageRow = { id: number } & Record<string, unknown>;

/** The paging part of a Prisma query, as Pothos builds it for a cursor connection. */
export interface PageQuery {
  take: number;
  skip: number;
  cursor?: { id: number };
}

export type CompiledReads =
  /** A field whose resolver depends only on these columns of its parent (none: on the parent value), its arguments and the request's languages. */
  | { columns: string[] }
  /** A root connection: one page of a Prisma model, and its count. */
  | {
      list: {
        model: string;
        find(query: PageQuery & { select: Record<string, boolean> }, args: object): PromiseLike<unknown[]>;
        count(args: object): PromiseLike<number>;
      };
    }
  /** A connection from a record to its children: pages for every parent in one statement, and their counts. */
  | {
      pages: {
        model: string;
        /** This page as one level of nested pages read in one statement (loadPageChain). */
        level(query: PageQuery, args: object, columns: string[]): ChainLevel;
        count(parents: readonly number[], args: object): Promise<number[]>;
      };
    };

/** Field options declaring that the resolver reads only these columns of its parent (see CompiledReads). */
export function readsColumns(...columns: string[]) {
  return { extensions: { compiledReads: { columns } satisfies CompiledReads } };
}
