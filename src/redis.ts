import { Redis } from "ioredis";
import { log } from "./log.ts";

/**
 * A Redis connection for one of the shared stores (rate limits, cached answers, persisted
 * queries): a command fails after one retry, so the store can answer without Redis, and
 * connection errors are logged rather than thrown.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on("error", (error) => log.warn("redis error", { error: error.message }));
  return redis;
}
