// The search statement: SQL, its parameters and the settings of the transaction it runs in.
import { prisma } from "../../db.ts";
import { type RetractionValue, retractionSql } from "../common/retraction.ts";
import { type SearchType, searchable } from "./searchable.ts";

export interface Hit {
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
export const COUNT_CAP = 1000;

// Matches a field hands over for ranking (more for a page past them). The same for every page, so
// that pages neither overlap nor skip a record.
const CANDIDATES = 100;

/** Words of a query as pg_trgm splits them (letters and digits), each matched on its own. */
const wordsOf = (query: string) => [
  ...new Set(
    query
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  ),
];

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
  const near = (expr: string) => (words ? Array.from({ length: words }, (_, i) => `$${i + 7} <% ${expr}`).join(" AND ") : "false");
  const lists = (build: (from: string, expr: string) => string[]) =>
    types
      .flatMap((type) =>
        searchable[type].fields.flatMap(([, expr]) =>
          build(`SELECT '${type}' AS type, t.id FROM "${searchable[type].table}" t WHERE ${retractionSql(retraction, "t")} AND`, expr),
        ),
      )
      .map((sql) => `(${sql})`)
      .join("\n      UNION ALL ");
  const ranked = lists((from, expr) => [`${from} ${expr} ILIKE $2 ORDER BY $1 <<-> ${expr} LIMIT $3`, `${from} ${near(expr)} LIMIT $3`]);
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
export function searchStatement(
  query: string,
  types: SearchType[],
  limit: number,
  offset: number,
  retraction: RetractionValue = "EXCLUDE",
): [string, ...unknown[]] {
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

export async function runSearch(
  query: string,
  types: SearchType[],
  limit: number,
  offset: number,
  retraction: RetractionValue,
): Promise<Hit[]> {
  const db = prisma().$replica();
  const [, hits] = await db.$transaction([
    db.$queryRawUnsafe(SEARCH_SETTINGS),
    db.$queryRawUnsafe<Hit[]>(...searchStatement(query, types, limit, offset, retraction)),
  ]);
  return hits;
}
