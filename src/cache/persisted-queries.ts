// Automatic persisted queries (the protocol of Apollo Client and most GraphQL clients): a client
// sends `extensions.persistedQuery.sha256Hash` instead of the query text once the server knows it,
// so a GET URL is short and stable and CDNs can cache by it.
// Not Yoga's plugins: @graphql-yoga/plugin-apq 3.6.2 (its latest) requires @graphql-tools/utils 10
// while graphql-yoga 5.24 uses 11, and plugin-persisted-operations serves a fixed list of
// documents (trusted documents) without registering new ones, which APQ is.
import { createHash } from "node:crypto";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import { connectRedis } from "../redis.ts";

export interface PersistedQueryStore {
  get(hash: string): Promise<string | null>;
  set(hash: string, query: string): Promise<void>;
  close(): Promise<void>;
}

/** The most recently used `max` queries of this process. */
export function memoryPersistedQueries(max = 10_000): PersistedQueryStore {
  const queries = new LRUCache<string, string>({ max });
  return {
    get: async (hash) => queries.get(hash) ?? null,
    async set(hash, query) {
      queries.set(hash, query);
    },
    async close() {},
  };
}

/**
 * Shared by every instance on the same Redis; a query unused for `ttlSeconds` is forgotten. While
 * Redis does not answer, hashes are unknown and clients send the query again.
 */
export function redisPersistedQueries(url: string, prefix: string, ttlSeconds: number): PersistedQueryStore {
  const redis = connectRedis(url);
  return {
    get: (hash) =>
      redis.use(
        (r) => r.getex(prefix + hash, "EX", ttlSeconds),
        () => null,
      ),
    async set(hash, query) {
      await redis.use(
        async (r) => void (await r.set(prefix + hash, query, "EX", ttlSeconds)),
        () => {},
      );
    },
    async close() {
      redis.close();
    },
  };
}

const badRequest = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

export function persistedQueries(store: PersistedQueryStore): Plugin {
  return {
    async onParams({ params, setParams }) {
      const persisted = params.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
      if (persisted === undefined) return;
      const hash = persisted?.sha256Hash;
      if (persisted?.version !== 1 || typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash))
        throw badRequest(
          'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<SHA-256 of the query, 64 lowercase hex digits>"}',
          "BAD_USER_INPUT",
        );
      if (params.query) {
        if (createHash("sha256").update(params.query).digest("hex") !== hash)
          throw badRequest(
            "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it",
            "PERSISTED_QUERY_HASH_MISMATCH",
          );
        await store.set(hash, params.query);
        return;
      }
      const query = await store.get(hash);
      // The message and code Apollo Client and other APQ clients look for before resending the query.
      if (query === null) throw new GraphQLError("PersistedQueryNotFound", { extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } });
      setParams({ ...params, query });
    },
    onDispose: () => store.close(),
  };
}
