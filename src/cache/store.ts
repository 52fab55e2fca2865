import { LRUCache } from "lru-cache";
import { connectRedis } from "../redis.ts";
import { currentDataVersions, sharedCacheScope } from "./invalidation.ts";

/** A cached answer, with the versions its tags had when the answer was computed. */
export interface CachedAnswer {
  /** JSON of the execution result (data only: answers with errors are not cached). */
  body: string;
  etag: string;
  versions: number[];
}

/** Was the answer computed under the versions its tags have now? */
export const isFresh = (answer: CachedAnswer | undefined, versions: number[] | null): answer is CachedAnswer =>
  !!answer && !!versions && answer.versions.length === versions.length && answer.versions.every((v, i) => v === versions[i]);

/**
 * Where cached answers and the version of each tag live. A write bumps the versions of the tags
 * it changed; an answer is fresh while the versions it was computed under are still current.
 * Versions are read before execution starts, so an answer computed while a write commits is
 * stored under the older versions and never served.
 */
export interface ResponseCacheStore {
  /** The answer stored under `key` (if any) and the current versions of `tags`; null versions: do not cache now. */
  lookup(key: string, tags: string[]): Promise<{ answer?: CachedAnswer; versions: number[] | null }>;
  save(key: string, answer: CachedAnswer): Promise<void>;
  invalidate(tags: string[]): Promise<void>;
  close(): Promise<void>;
  /** Set when other processes share this store: its name in change notifications. */
  sharedScope?: string;
}

/**
 * In this process's memory: least recently used answers go first once `maxBytes` is reached, and
 * none is kept longer than `ttlSeconds`.
 */
export function memoryCacheStore(maxBytes: number, ttlSeconds: number): ResponseCacheStore {
  const versions = new Map<string, number>();
  const answers = new LRUCache<string, CachedAnswer>({
    maxSize: maxBytes,
    sizeCalculation: (answer) => answer.body.length || 1,
    ttl: ttlSeconds * 1000,
  });
  return {
    async lookup(key, tags) {
      return { answer: answers.get(key), versions: tags.map((t) => versions.get(t) ?? 0) };
    },
    async save(key, answer) {
      answers.set(key, answer);
    },
    async invalidate(tags) {
      for (const tag of tags) versions.set(tag, (versions.get(tag) ?? 0) + 1);
    },
    async close() {},
  };
}

/**
 * In Redis, shared by every instance with the same REDIS_URL: a write on one instance invalidates
 * the answers of all at once, through the versions of its tags kept in Redis. An answer also holds
 * the data versions of its tags (see invalidation.ts), so it is served only if no write it missed
 * has committed since, even when Redis lost an invalidation or came back from older saved data.
 * While Redis does not answer, requests are answered uncached.
 */
export function redisCacheStore(url: string, prefix: string, ttlSeconds: number): ResponseCacheStore {
  const redis = connectRedis(url);
  const versionsKey = `${prefix}versions`;
  return {
    sharedScope: sharedCacheScope(`${url} ${prefix}`),
    async lookup(key, tags) {
      const dataVersions = await currentDataVersions(tags).catch(() => null);
      if (!dataVersions) return { versions: null };
      return redis.use<{ answer?: CachedAnswer; versions: number[] | null }>(
        async (r) => {
          // An operation may read no record type at all (`{ dataset { version } }`): HMGET needs a field.
          const reads = r.pipeline().get(prefix + key);
          if (tags.length) reads.hmget(versionsKey, ...tags);
          const [[getError, body], [versionsError, versions] = [null, []]] = (await reads.exec()) as [Error | null, unknown][];
          if (getError || versionsError) throw getError ?? versionsError;
          const answer = body ? (JSON.parse(body as string) as CachedAnswer) : undefined;
          return { answer, versions: [...(versions as (string | null)[]).map(Number), ...dataVersions] };
        },
        () => ({ versions: null }),
      );
    },
    async save(key, answer) {
      await redis.use(
        async (r) => void (await r.set(prefix + key, JSON.stringify(answer), "EX", ttlSeconds)),
        () => {},
      );
    },
    async invalidate(tags) {
      await redis.use(
        async (r) => {
          const batch = r.multi();
          for (const tag of tags) batch.hincrby(versionsKey, tag, 1);
          await batch.exec();
        },
        () => {},
      );
    },
    async close() {
      redis.close();
    },
  };
}
