import { builder, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, userError } from "../builder.ts";
import { prisma } from "../db.ts";
import { retractionArg, retractionSql, type RetractionValue } from "./common.ts";
import { Funding } from "./funding.ts";
import { Impact } from "./impact.ts";
import { Method } from "./method.ts";
import { Organization } from "./organization.ts";
import { Partnership } from "./partnership.ts";
import { Person } from "./person.ts";
import { Programme } from "./programme.ts";
import { Source } from "./source.ts";

/** Fields searched per type: [name shown in `matchedField`, SQL expression over `t`, weight]. */
const searchable = {
  ORGANIZATION: {
    description: "Organizations, by name in any language, former or other names, description and city",
    table: "Organization",
    graphqlType: Organization,
    model: () => prisma().organization,
    fields: [
      ["name", `t."nameEn"`, 1],
      ["name", `t."nameRu"`, 1],
      ["name", `t."nameKk"`, 1],
      ["alternateNames", `search_alternate_names(t."alternateNames")`, 1],
      ["description", `t."description"`, 0.6],
      ["city", `t."city"`, 0.6],
    ],
  },
  PERSON: {
    description: "People, by name in any language",
    table: "Person",
    graphqlType: Person,
    model: () => prisma().person,
    fields: [
      ["name", `t."nameEn"`, 1],
      ["name", `t."nameRu"`, 1],
      ["name", `t."nameKk"`, 1],
    ],
  },
  METHOD: {
    description: "Methods, by title and summary",
    table: "Method",
    graphqlType: Method,
    model: () => prisma().method,
    fields: [
      ["title", `t."title"`, 1],
      ["summary", `t."summary"`, 0.6],
    ],
  },
  PARTNERSHIP: {
    description: "Partnerships, by title, summary and city",
    table: "Partnership",
    graphqlType: Partnership,
    model: () => prisma().partnership,
    fields: [
      ["title", `t."title"`, 1],
      ["summary", `t."summary"`, 0.6],
      ["city", `t."city"`, 0.6],
    ],
  },
  PROGRAMME: {
    description: "Funding programmes, by name and description",
    table: "Programme",
    graphqlType: Programme,
    model: () => prisma().programme,
    fields: [
      ["name", `t."name"`, 1],
      ["description", `t."description"`, 0.6],
    ],
  },
  FUNDING: {
    description: "Funding records, by description",
    table: "Funding",
    graphqlType: Funding,
    model: () => prisma().funding,
    fields: [["description", `t."description"`, 0.8]],
  },
  IMPACT: {
    description: "Reported impacts, by description",
    table: "Impact",
    graphqlType: Impact,
    model: () => prisma().impact,
    fields: [["description", `t."description"`, 0.8]],
  },
  SOURCE: {
    description: "Sources, by title, publisher and address",
    table: "Source",
    graphqlType: Source,
    model: () => prisma().source,
    fields: [
      ["title", `t."title"`, 1],
      ["publisher", `t."publisher"`, 0.8],
      ["url", `t."url"`, 0.6],
    ],
  },
} as const;

export type SearchType = keyof typeof searchable;
export const searchTypes = Object.keys(searchable) as SearchType[];

const SearchableType = builder.enumType("SearchableType", {
  description: "Kind of record `search` can return",
  values: Object.fromEntries(searchTypes.map((type) => [type, { description: searchable[type].description }])) as {
    [K in SearchType]: { description: string };
  },
});

const typeOf = new WeakMap<object, SearchType>();

const SearchResult = builder.unionType("SearchResult", {
  description: "Record found by `search`: an organization, person, method, partnership, programme, funding, impact or source",
  types: searchTypes.map((type) => searchable[type].graphqlType) as never,
  resolveType: (record) => searchable[typeOf.get(record)!].table,
});

interface Hit {
  type: SearchType;
  id: number;
  field: string;
  text: string;
  score: number;
  /** Word of `text` closest to a misspelt query; null when the query occurs as typed. */
  word: string | null;
  total: number;
  /** False when counting stopped at COUNT_CAP matches, so `total` is a lower bound. */
  exact: boolean;
}

// A word of the query matches a near word of the text when this share of its trigrams occurs
// there: low enough for "Kazkhmys" to find Kazakhmys (0.58), high enough to keep unrelated words out.
const WORD_SIMILARITY_THRESHOLD = 0.5;

// Matches are counted up to this many (a record matching in two fields counts twice); past it
// `totalCount` is a lower bound.
const COUNT_CAP = 1000;

// Matches a field hands over for ranking (more for a page past them). The same for every page, so
// that pages neither overlap nor skip a record.
const CANDIDATES = 100;

/** Words of a query as pg_trgm splits them (letters and digits), each matched on its own. */
const wordsOf = (query: string) => [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean))];

/**
 * A record matches when a field contains the query ($2, ILIKE), or when every word of the query
 * ($7...) is in it or a near word is (`<%`). Only some matches are scored, so the work follows the
 * page size, not the number of matches ("Synthetic method 777" is a near match of ten thousand of
 * a million synthetic methods): through each field's GiST trigram index, its $3 substring matches
 * where the query is most nearly whole words (word similarity, 1 for whole words), and the first
 * $3 near matches the index finds. Ordering by similarity (`<->`), or near matches by word
 * similarity, would read most of the index whenever no text is close to the query: the index can
 * only bound a distance by the trigrams a page holds, and a page holds every trigram of a word as
 * common as "synthetic". Counting reads at most $4 matches in all, in index order.
 */
function searchSql(types: SearchType[], words: number, retraction: RetractionValue): string {
  const near = (expr: string) =>
    words ? Array.from({ length: words }, (_, i) => `$${i + 7} <% ${expr}`).join(" AND ") : "false";
  const lists = (build: (from: string, expr: string) => string[]) =>
    types
      .flatMap((type) => searchable[type].fields.flatMap(([, expr]) => build(`SELECT '${type}' AS type, t.id FROM "${searchable[type].table}" t WHERE ${retractionSql(retraction, "t")} AND`, expr)))
      .map((sql) => `(${sql})`)
      .join("\n      UNION ALL ");
  const ranked = lists((from, expr) => [
    `${from} ${expr} ILIKE $2 ORDER BY $1 <<-> ${expr} LIMIT $3`,
    `${from} ${near(expr)} LIMIT $3`,
  ]);
  const counted = lists((from, expr) => [`${from} ${expr} ILIKE $2`, `${from} ${near(expr)}`]);
  const branches = types.map((type) => {
    const { table, fields } = searchable[type];
    const values = fields.map(([field, expr, weight]) => `('${field}', ${expr}, ${weight.toFixed(1)})`).join(", ");
    return `SELECT '${type}' AS type, t.id, best.field, best.text, best.score
      FROM "${table}" t
      CROSS JOIN LATERAL (
        SELECT f.field, f.text,
          f.weight * CASE WHEN f.text ILIKE $2 THEN 1 + similarity($1, f.text) ELSE 0.9 * word_similarity($1, f.text) + 0.1 * similarity($1, f.text) END AS score
        FROM (VALUES ${values}) AS f(field, text, weight)
        WHERE f.text IS NOT NULL
        ORDER BY score DESC LIMIT 1
      ) best
      WHERE t.id IN (SELECT id FROM ranked WHERE type = '${type}')`;
  });
  return `WITH ranked AS MATERIALIZED (
      ${ranked}
    ),
    counted AS MATERIALIZED (SELECT * FROM (
      ${counted}
    ) matches LIMIT $4),
    totals AS (
      SELECT (SELECT count(*) FROM (SELECT * FROM ranked UNION SELECT * FROM counted) matches) AS total,
        (SELECT count(*) FROM counted) < $4 AS exact
    )
    SELECT h.type, h.id, h.field, h.text, h.score::float8 AS score, totals.total::int AS total, totals.exact,
      CASE WHEN h.text ILIKE $2 THEN NULL ELSE (
        SELECT w FROM regexp_split_to_table(h.text, '[^[:alnum:]]+') AS w ORDER BY similarity($1, w) DESC LIMIT 1
      ) END AS word
    FROM (
      SELECT * FROM (${branches.join("\nUNION ALL\n")}) hits
      ORDER BY hits.score DESC, hits.type, hits.id
      LIMIT $5 OFFSET $6
    ) h CROSS JOIN totals
    ORDER BY h.score DESC, h.type, h.id`;
}

const likePattern = (query: string) => `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The search statement and its parameters (also used by scripts/search-latency.ts for EXPLAIN). */
export function searchStatement(query: string, types: SearchType[], limit: number, offset: number, retraction: RetractionValue = "EXCLUDE"): [string, ...unknown[]] {
  const words = wordsOf(query);
  const candidates = Math.max(CANDIDATES, offset + limit);
  return [searchSql(types, words.length, retraction), query, likePattern(query), candidates, COUNT_CAP, limit, offset, ...words];
}

/**
 * Settings of the search transaction, before the statement. Matches are read through the trigram
 * indexes alone, a few at a time: with a LIMIT the planner may otherwise prefer a full bitmap of
 * every match, or a scan of the whole table or of another index (a million names in alphabetical
 * order) filtering as it goes.
 */
export const SEARCH_SETTINGS = `SELECT set_config('pg_trgm.word_similarity_threshold', '${WORD_SIMILARITY_THRESHOLD}', true),
  set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true),
  set_config('enable_indexonlyscan', 'off', true)`;

async function runSearch(query: string, types: SearchType[], limit: number, offset: number, retraction: RetractionValue): Promise<Hit[]> {
  const db = prisma().$replica();
  const [, hits] = await db.$transaction([
    db.$queryRawUnsafe(SEARCH_SETTINGS),
    db.$queryRawUnsafe<Hit[]>(...searchStatement(query, types, limit, offset, retraction)),
  ]);
  return hits;
}

const SNIPPET_BEFORE = 60;
const SNIPPET_AFTER = 100;

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A short extract of `text` around the match, HTML-escaped, with the match inside <mark></mark>. */
export function snippet(text: string, match: string): string {
  const found = new RegExp(escapeRegExp(match), "iu").exec(text);
  if (!found) return escapeHtml(text.length > SNIPPET_BEFORE + SNIPPET_AFTER ? `${text.slice(0, SNIPPET_BEFORE + SNIPPET_AFTER)}…` : text);
  const start = found.index;
  const end = start + found[0].length;
  let from = Math.max(0, start - SNIPPET_BEFORE);
  let to = Math.min(text.length, end + SNIPPET_AFTER);
  // Cut at spaces so the extract starts and ends on whole words.
  if (from > 0) from = text.indexOf(" ", from) + 1 || from;
  if (from > start) from = start;
  if (to < text.length) to = Math.max(end, text.lastIndexOf(" ", to));
  return `${from > 0 ? "…" : ""}${escapeHtml(text.slice(from, start))}<mark>${escapeHtml(found[0])}</mark>${escapeHtml(text.slice(end, to))}${to < text.length ? "…" : ""}`;
}

const CURSOR_PREFIX = "search:";
const encodeCursor = (offset: number) => Buffer.from(`${CURSOR_PREFIX}${offset}`).toString("base64");
function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  const offset = Number(text.slice(CURSOR_PREFIX.length));
  if (!text.startsWith(CURSOR_PREFIX) || !Number.isSafeInteger(offset) || offset < 0 || encodeCursor(offset) !== cursor) {
    throw userError(`"${cursor.slice(0, 100)}" is not a cursor of a search result; use an \`endCursor\` returned by \`search\``);
  }
  return offset;
}

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
        query: t.arg.string({ required: true, description: "Text to look for: at least 2 characters, such as Bekturov, Казцинк or қазақстан" }),
        types: t.arg({ type: [SearchableType], description: "Only records of these kinds; all kinds when omitted" }),
        retraction: retractionArg(t.arg),
      },
      resolve: async (root, args) => {
        const query = args.query.trim();
        if ([...query].length < 2) {
          throw userError(`Argument "query" must have at least 2 characters (not counting spaces); got ${JSON.stringify(args.query)}`);
        }
        if (query.length > 200) throw userError(`Argument "query" must have at most 200 characters; got ${query.length}`);
        if (args.last != null || args.before != null) throw userError('search pages forward only: use "first" and "after"');
        const first = args.first ?? DEFAULT_PAGE_SIZE;
        if (first < 0 || first > MAX_PAGE_SIZE) throw userError(`Argument "first" must be between 0 and ${MAX_PAGE_SIZE}; got ${first}. Page through larger lists with "after"`);
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
