// Writers and readers at once against the real HTTP server, every answer compared with the one it
// must be: used by test/embedded.test.ts and scripts/embedded-stress.ts.
import { loadSeed } from "../seeds/load.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { type Database, openDatabase } from "../src/db.ts";
import { startHttpServer } from "../src/http/server.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";

export interface LoadCounts {
  /** Answers compared with the expected one. */
  checked: number;
  /** Answers given as a success (200, data, no error) that differ from the expected one. */
  wrong: number;
  /** Answers that are an error: not 200, a GraphQL error, or no answer at all. */
  errors: number;
  /** The first few wrong answers and errors, for the report. */
  samples: string[];
}

// Reads that no write of the load changes: their answers before the load are the expected ones.
const READS = [
  `{ organization(slug: "kazakhmys") { slug name foundedYear city } }`,
  `{ organization(slug: "bekturov-institute") { slug methods { totalCount edges { node { slug title category } } } } }`,
  `{ fundings(filter: { amountDisclosed: true }, orderBy: { field: AMOUNT, direction: DESC }) { edges { node { slug amount { amount currency } funder { slug } } } } }`,
  `{ partnerships(first: 20) { totalCount edges { node { slug title status } } } }`,
];
// An answer that takes longer counts as an error: a database that mixes up its connections can
// leave a request waiting forever.
const ANSWER_WITHIN_MS = 30_000;
const UPDATE = `mutation ($input: ImpactUpdateInput!) { impactUpdate(input: $input) { userErrors { field message } impact { slug description } } }`;

/**
 * Puts `seeded` (a database holding the seed dataset; by default an in-memory embedded one opened
 * and seeded here) behind the real HTTP server (no response cache, no rate limit), then for
 * `seconds` runs `writers` loops that each change the description of an impact of their own
 * through the API with a key of their own, and `readers` loops that ask the READS in turn.
 */
export async function runConcurrentLoad({
  seconds,
  writers,
  readers,
  seeded,
}: {
  seconds: number;
  writers: number;
  readers: number;
  seeded?: Database;
}): Promise<LoadCounts> {
  const db = seeded ?? (await openDatabase({ dataDir: null }));
  const api = createApi({ rateLimitStore: memoryStore(), responseCacheStore: null, limits: { perMinute: 1e12, keyPerMinute: 1e12 } });
  const http = await startHttpServer(api, {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: 100_000,
    requestTimeoutMs: 30_000,
    trustProxy: false,
    drainTimeoutMs: 5000,
  });
  try {
    if (!seeded) await loadSeed(db.prisma);
    const impacts = (await db.prisma.impact.findMany({ orderBy: { id: "asc" }, select: { slug: true } })).map((i) => i.slug);
    if (writers > impacts.length) throw new Error(`at most ${impacts.length} writers: each changes an impact of its own`);
    const source = (await db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
    const keys = await Promise.all(Array.from({ length: writers }, (_, i) => createApiKey(db.prisma, `load-writer-${i}`, "WRITE")));

    const post = async (query: string, variables: object = {}, key?: string) => {
      const response = await fetch(`${http.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json",
          "x-graphql-yoga-csrf": "1",
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });
      // Extensions (the cost, the budget left) change from one answer to the next; data and errors must not.
      const { data, errors } = (await response.json()) as { data?: unknown; errors?: unknown[] };
      return { status: response.status, body: { data, errors } };
    };
    const expectedReads: string[] = [];
    for (const query of READS) expectedReads.push(JSON.stringify((await post(query)).body));

    const counts: LoadCounts = { checked: 0, wrong: 0, errors: 0, samples: [] };
    const check = async (ask: () => ReturnType<typeof post>, expected: string) => {
      let answer: string;
      try {
        const { status, body } = await ask();
        answer = JSON.stringify(body);
        counts.checked++;
        if (answer === expected) return;
        if (status === 200 && body.data && !body.errors) counts.wrong++;
        else counts.errors++;
      } catch (error) {
        counts.checked++;
        counts.errors++;
        answer = String(error);
      }
      if (counts.samples.length < 5) counts.samples.push(`expected ${expected.slice(0, 300)}\n  got ${answer.slice(0, 300)}`);
    };
    const until = Date.now() + seconds * 1000;
    const reader = async (first: number) => {
      for (let n = first; Date.now() < until; n++) await check(() => post(READS[n % READS.length]), expectedReads[n % READS.length]);
    };
    const writer = async (i: number) => {
      const slug = impacts[i];
      for (let n = 0; Date.now() < until; n++) {
        const description = `Load test: writer ${i}, write ${n}`;
        const input = {
          slug,
          reason: "load test",
          record: { description, citations: [{ source, quote: "Quoted in a load test", confidence: "HIGH" }] },
        };
        await check(
          () => post(UPDATE, { input }, keys[i]),
          JSON.stringify({ data: { impactUpdate: { userErrors: [], impact: { slug, description } } } }),
        );
      }
    };
    await Promise.all([...Array.from({ length: readers }, (_, i) => reader(i)), ...Array.from({ length: writers }, (_, i) => writer(i))]);
    return counts;
  } finally {
    // Bounded too, for the same reason: the counts matter more than a clean stop.
    const stopped = (async () => {
      await http.stop();
      await api.dispose();
      if (!seeded) await db.close();
    })();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, ANSWER_WITHIN_MS).unref())]);
  }
}

export interface FreshReads {
  /** Answers older than a write acknowledged before they were asked. */
  problems: string[];
  reads: number;
  /** Reads answered with `X-Cache: HIT`. */
  hits: number;
}

/**
 * Readers asking the same request over and over (so the HTTP server answers it from stored bytes)
 * while one writer per organization, all at once, sets its city to "Write 0", "Write 1"... through
 * `writeUrl`: every answer read at `readUrl` must be at least as new as the last write acknowledged
 * before it was asked.
 */
export async function readWhileWriting({
  readUrl,
  writeUrl,
  writeKey,
  source,
  organizations,
  writes,
  readers,
}: {
  readUrl: string;
  writeUrl: string;
  writeKey: string;
  /** URL of a source the writes cite. */
  source: string;
  organizations: string[];
  writes: number;
  readers: number;
}): Promise<FreshReads> {
  const read = JSON.stringify({ query: `{ ${organizations.map((slug, w) => `w${w}: organization(slug: "${slug}") { city } `).join("")}}` });
  const UPDATE = `mutation ($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { userErrors { message } } }`;
  const citations = [{ source, quote: "Read while writing", confidence: "HIGH" }];
  const acknowledged = organizations.map(() => -1);
  const result: FreshReads = { problems: [], reads: 0, hits: 0 };
  let writing = organizations.length;
  const reader = async () => {
    while (writing > 0) {
      const known = [...acknowledged];
      const response = await fetch(`${readUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: read });
      const { data } = await response.json();
      result.reads++;
      if (response.headers.get("x-cache") === "HIT") result.hits++;
      known.forEach((n, w) => {
        const city: string = data[`w${w}`].city;
        if (Number(/^Write (\d+)$/.exec(city)?.[1] ?? -1) < n)
          result.problems.push(`${organizations[w]}: read "${city}" after write ${n} was acknowledged`);
      });
    }
  };
  const writer = async (w: number) => {
    try {
      for (let n = 0; n < writes; n++) {
        const input = { slug: organizations[w], record: { city: `Write ${n}`, citations }, reason: "read while writing" };
        const response = await fetch(`${writeUrl}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${writeKey}`, "x-graphql-yoga-csrf": "1" },
          body: JSON.stringify({ query: UPDATE, variables: { input } }),
        });
        const { data, errors } = await response.json();
        if (errors || data.organizationUpdate.userErrors.length) throw new Error(`write refused: ${JSON.stringify(errors ?? data)}`);
        acknowledged[w] = n;
        // Room for the readers to be answered from the cache between two writes.
        await new Promise((resolve) => setTimeout(resolve, 100 + 50 * w));
      }
    } finally {
      writing--;
    }
  };
  await Promise.all([...organizations.map((_, w) => writer(w)), ...Array.from({ length: readers }, reader)]);
  return result;
}
