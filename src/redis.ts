import { Redis } from "ioredis";
import { log } from "./log.ts";

/** Longest wait for one command: a frozen Redis costs a request this much, once. */
const REDIS_COMMAND_TIMEOUT_MS = 250;
/** After a failure, Redis is skipped this long; then a PING, not a request, finds out whether it is back. */
const REDIS_RETRY_MS = 1000;

/**
 * Redis as an accelerator: `use` runs a command on it while it answers, and `fallback` (this
 * process's memory, or no cache) from the first failure or timeout until a PING answers again.
 * One log line says when Redis went down, one when it came back.
 */
export interface SharedRedis {
  use<T>(command: (redis: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T>;
  close(): void;
}

const connections = new Map<string, { shared: SharedRedis; users: number }>();

/** The connection of this process to `url`, shared by the stores that use it (rate limits, cached answers, persisted queries). */
export function connectRedis(url: string): SharedRedis {
  let connection = connections.get(url);
  if (!connection) connections.set(url, (connection = { shared: open(url), users: 0 }));
  connection.users++;
  const { shared } = connection;
  let closed = false;
  return {
    use: shared.use,
    close() {
      if (closed) return;
      closed = true;
      if (--connection.users > 0) return;
      connections.delete(url);
      shared.close();
    },
  };
}

function open(url: string): SharedRedis {
  const redis = new Redis(url, {
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_RETRY_MS,
    // A command waiting for a connection fails at the first failed attempt (or its timeout).
    maxRetriesPerRequest: 0,
    retryStrategy: () => REDIS_RETRY_MS,
  });
  // Each failed reconnection emits an error; the state changes are logged by `wentDown` and the PING.
  redis.on("error", () => {});
  let down = false;
  let retryAt = 0;
  let probing = false;
  const wentDown = (error: Error) => {
    if (!down) log.warn("Redis unavailable: answering without it until it is back", { error: error.message });
    down = true;
    retryAt = Date.now() + REDIS_RETRY_MS;
  };
  const probe = () => {
    probing = true;
    redis
      .ping()
      .then(() => {
        down = false;
        log.info("Redis available again");
      }, wentDown)
      .finally(() => (probing = false));
  };
  return {
    async use(command, fallback) {
      if (down) {
        if (!probing && Date.now() >= retryAt) probe();
        return fallback();
      }
      try {
        return await command(redis);
      } catch (error) {
        wentDown(error as Error);
        return fallback();
      }
    },
    close: () => redis.disconnect(),
  };
}
