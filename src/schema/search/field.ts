// The `search` query field: its arguments, the union of what it finds, and its page of hits.
import { builder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, userError } from "../../builder.ts";
import { retractionArg } from "../common/retraction.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { type SearchType, searchable, searchTypes } from "./searchable.ts";
import { snippet } from "./snippet.ts";
import { COUNT_CAP, type Hit, runSearch } from "./sql.ts";

const SearchableType = builder.enumType("SearchableType", {
  description: "Kind of record `search` can return",
  values: Object.fromEntries(searchTypes.map((type) => [type, { description: searchable[type].description }])) as {
    [K in SearchType]: { description: string };
  },
});

const typeOf = new WeakMap<object, SearchType>();

const SearchResult = builder.unionType("SearchResult", {
  description: "Record found by `search`: an organization, person, method, partnership, programme, funding, impact or source",
  // Pothos wants a literal tuple of the member types; this list of the same refs is built from `searchable`.
  types: searchTypes.map((type) => searchable[type].graphqlType) as never,
  resolveType: (record) => searchable[typeOf.get(record)!].table,
});

interface SearchEdge {
  cursor: string;
  node: object;
  hit: Hit;
  query: string;
}

builder.queryField("search", (t) =>
  t.connection(
    {
      type: SearchResult,
      description:
        "Records whose names, titles or descriptions contain a text, or every word of it with small typos allowed, in Latin or Cyrillic script (Russian, Kazakh), ignoring case; best matches first",
      args: {
        query: t.arg.string({
          required: true,
          description: "Text to look for: at least 2 characters, such as Bekturov, Казцинк or қазақстан",
        }),
        types: t.arg({ type: [SearchableType], description: "Only records of these kinds; all kinds when omitted" }),
        retraction: retractionArg(t.arg),
      },
      resolve: async (_root, args) => {
        const query = args.query.trim();
        if ([...query].length < 2) {
          throw userError(`Argument "query" must have at least 2 characters (not counting spaces); got ${JSON.stringify(args.query)}`);
        }
        if (query.length > 200) throw userError(`Argument "query" must have at most 200 characters; got ${query.length}`);
        if (args.last != null || args.before != null) throw userError('search pages forward only: use "first" and "after"');
        const first = args.first ?? DEFAULT_PAGE_SIZE;
        if (first < 0 || first > MAX_PAGE_SIZE)
          throw userError(`Argument "first" must be between 0 and ${MAX_PAGE_SIZE}; got ${first}. Page through larger lists with "after"`);
        const offset = args.after == null ? 0 : decodeCursor(args.after) + 1;
        const types = args.types?.length ? [...new Set(args.types)] : searchTypes;

        // One more than asked, to know whether another page follows.
        const hits = await runSearch(query, types, first + 1, offset, args.retraction);
        const page = hits.slice(0, first);
        const records = new Map<string, object>();
        for (const type of types) {
          const ids = page.filter((h) => h.type === type).map((h) => h.id);
          if (!ids.length) continue;
          const model = searchable[type].model() as { findMany(args: object): Promise<{ id: number }[]> };
          for (const record of await model.findMany({ where: { id: { in: ids } } })) {
            typeOf.set(record, type);
            records.set(`${type}:${record.id}`, record);
          }
        }
        const edges: SearchEdge[] = page.map((hit, i) => ({
          cursor: encodeCursor(offset + i),
          node: records.get(`${hit.type}:${hit.id}`)!,
          hit,
          query,
        }));
        // A page past the end has no rows to carry the totals: ask for the first page's.
        const totals = hits[0] ?? (offset > 0 ? (await runSearch(query, types, 1, 0, args.retraction))[0] : undefined);
        return {
          edges,
          totalCount: totals?.total ?? 0,
          totalCountIsExact: totals?.exact ?? true,
          pageInfo: {
            hasNextPage: hits.length > first,
            hasPreviousPage: offset > 0,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    {
      name: "SearchConnection",
      description: `Page of search results, best matches first. \`totalCount\` is exact up to about ${COUNT_CAP.toLocaleString("en")} matches, then a lower bound: see \`totalCountIsExact\``,
      fields: (connection) => ({
        totalCountIsExact: connection.boolean({
          description: `False when there are too many matches to count (about ${COUNT_CAP.toLocaleString("en")} or more): \`totalCount\` is then a lower bound, at least that many records match`,
          resolve: (parent) => (parent as unknown as { totalCountIsExact: boolean }).totalCountIsExact,
        }),
      }),
    },
    {
      name: "SearchHit",
      description: "Search result with how well it matches and where",
      fields: (edge) => ({
        score: edge.float({
          description: "Relevance: above 1 when the text occurs as typed, below 1 for a near match (a typo); higher is better",
          resolve: (e) => Math.round((e as unknown as SearchEdge).hit.score * 1000) / 1000,
        }),
        matchedField: edge.string({
          description: "Field of the record that matches best, such as name, title or description",
          resolve: (e) => (e as unknown as SearchEdge).hit.field,
        }),
        snippet: edge.string({
          description: "Short extract of the matching field as HTML-escaped text, the match marked with <mark></mark>",
          resolve: (e) => {
            const { hit, query } = e as unknown as SearchEdge;
            return snippet(hit.text, hit.word ?? query);
          },
        }),
      }),
    },
  ),
);
