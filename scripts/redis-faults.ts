// Times requests to an in-process API whose rate limits, response cache and persisted queries are
// in a Redis of its own, while that Redis is up, frozen (SIGSTOP) and down (killed):
//
//   LOG_LEVEL=silent npx tsx scripts/redis-faults.ts
//
// Each request asks a question not cached yet (the database answers it). The database is an
// in-memory PGlite, or a new database on TEST_DATABASE_URL's server when that is set.
import { redisPersistedQueries } from "../src/cache/persisted-queries.ts";
import { redisCacheStore } from "../src/cache/store.ts";
import { redisStore } from "../src/limits/rate-limit.ts";
import { startRedis, startTestServer } from "../test/server-helpers.ts";

const REQUESTS = 10;
const GIVE_UP_MS = 10_000;
if (process.env.TEST_DATABASE_URL) process.env.TEST_DB = "postgres";

const redis = await startRedis();
const server = await startTestServer({
  api: {
    rateLimitStore: redisStore(redis.url, "ratelimit:"),
    responseCacheStore: redisCacheStore(redis.url, "cache:", 60),
    persistedQueryStore: redisPersistedQueries(redis.url, "apq:", 60),
  },
});
let asked = 0;

/** One uncached question; its time in ms, or null when no answer came within GIVE_UP_MS. */
async function ask(): Promise<number | null> {
  const query = `{ q${asked++}: organization(slug: "bekturov-institute") { city } }`;
  const start = performance.now();
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(GIVE_UP_MS),
    });
    const body = await response.json();
    if (!body.data) throw new Error(`no data: ${JSON.stringify(body)}`);
    return performance.now() - start;
  } catch (error) {
    if ((error as Error).name !== "TimeoutError") throw error;
    return null;
  }
}

async function phase(name: string) {
  const times: (number | null)[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push(await ask());
  const answered = times.filter((t): t is number => t !== null).sort((a, b) => a - b);
  const ms = (t: number | undefined) => (t === undefined ? "-" : `${t.toFixed(1)} ms`);
  console.log(
    `${name.padEnd(16)} answered ${answered.length}/${REQUESTS}` +
      (answered.length < REQUESTS ? ` (the others: no answer within ${GIVE_UP_MS / 1000} s)` : "") +
      `  first ${times[0] === null ? "-" : ms(times[0])}  median ${ms(answered[Math.floor(answered.length / 2)])}  max ${ms(answered.at(-1))}`,
  );
}

try {
  await ask(); // warm-up
  await phase("Redis up");
  redis.freeze();
  await phase("Redis frozen");
  redis.thaw();
  await redis.kill();
  await phase("Redis down");
} finally {
  await redis.stop();
  await server.close();
}
