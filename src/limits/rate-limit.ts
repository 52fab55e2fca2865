// Our own token bucket, not rate-limiter-flexible (11.4.0): its Memory and Redis limiters count
// points in fixed windows that reset at the end of `duration`, so a client could spend twice its
// budget across a window's edge, and Retry-After would be the window's end instead of the time
// the bucket needs to pay for the request. test/rate-limit.test.ts pins the bucket's refill.
import { connectRedis } from "../redis.ts";

export interface Bucket {
  allowed: boolean;
  /** Points left in the bucket after this take. */
  remaining: number;
  /** Seconds until the bucket could pay for the refused take (0 when allowed). */
  retryAfter: number;
  /** Seconds until the bucket is full again. */
  reset: number;
}

/**
 * Token buckets: each holds `capacity` points and refills at `capacity` points a period (a minute
 * unless said otherwise), so a client may spend a period's budget at once and then at the refill rate.
 */
export interface RateLimitStore {
  take(key: string, points: number, capacity: number, periodMs?: number): Promise<Bucket>;
  close(): Promise<void>;
}

const MINUTE_MS = 60_000;

function bucket(tokens: number, points: number, capacity: number, periodMs: number, allowed: boolean): Bucket {
  const perMs = capacity / periodMs;
  const left = allowed ? tokens - points : tokens;
  return {
    allowed,
    remaining: Math.floor(left),
    retryAfter: allowed ? 0 : Math.ceil((points - tokens) / perMs / 1000),
    reset: Math.ceil((capacity - left) / perMs / 1000),
  };
}

/** Buckets in this process's memory; full buckets are forgotten so idle clients cost nothing. */
export function memoryStore(): RateLimitStore {
  type Stored = { tokens: number; at: number; capacity: number; periodMs: number };
  const buckets = new Map<string, Stored>();
  const level = (b: Stored, now: number) => Math.min(b.capacity, b.tokens + ((now - b.at) * b.capacity) / b.periodMs);
  return {
    async take(key, points, capacity, periodMs = MINUTE_MS) {
      const now = Date.now();
      if (buckets.size >= 10_000) {
        for (const [k, b] of buckets) if (level(b, now) >= b.capacity) buckets.delete(k);
      }
      const b = buckets.get(key);
      const tokens = b ? level(b, now) : capacity;
      const allowed = tokens >= points;
      buckets.set(key, { tokens: allowed ? tokens - points : tokens, at: now, capacity, periodMs });
      return bucket(tokens, points, capacity, periodMs, allowed);
    },
    async close() {},
  };
}

// One atomic step on Redis's clock, so every server instance sharing the Redis spends one budget.
const TAKE = `
local capacity = tonumber(ARGV[1])
local points = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / period)
local allowed = 0
local left = tokens
if tokens >= points then allowed = 1; left = tokens - points end
redis.call('HSET', KEYS[1], 'tokens', tostring(left), 'at', now)
redis.call('PEXPIRE', KEYS[1], period + 1000)
return { allowed, tostring(tokens) }
`;

/**
 * Buckets in Redis, shared by every server instance using the same REDIS_URL and prefix. While
 * Redis does not answer, each instance spends its clients' budgets in its own memory instead:
 * a Redis outage neither takes the public API down nor lifts the limits.
 */
export function redisStore(url: string, prefix: string): RateLimitStore {
  const redis = connectRedis(url);
  const local = memoryStore();
  return {
    take: (key, points, capacity, periodMs = MINUTE_MS) =>
      redis.use(
        async (r) => {
          const [allowed, tokens] = (await r.eval(TAKE, 1, prefix + key, capacity, points, periodMs)) as [number, string];
          return bucket(Number(tokens), points, capacity, periodMs, allowed === 1);
        },
        () => local.take(key, points, capacity, periodMs),
      ),
    async close() {
      // Called after the HTTP server has drained, so no take is waiting for an answer.
      redis.close();
    },
  };
}
