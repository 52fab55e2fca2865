import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { createYoga } from "graphql-yoga";
import { allowedValuesInErrors } from "./allowed-values.ts";
import { CSRF_HEADER } from "./auth/guard.ts";
import { type VerifiedKey, verifyApiKey } from "./auth/keys.ts";
import { memoryPersistedQueries, type PersistedQueryStore, persistedQueries, redisPersistedQueries } from "./cache/persisted-queries.ts";
import { responseCache } from "./cache/plugin.ts";
import { memoryCacheStore, type ResponseCacheStore, redisCacheStore } from "./cache/store.ts";
import { storedAnswers } from "./cache/stored-answers.ts";
import { compiledReads } from "./compiled/plugin.ts";
import { datasetExtensions } from "./dataset/extensions.ts";
import { developerRoutes } from "./download/developer-routes.ts";
import { DOWNLOAD_PATH, DOWNLOAD_PATHS, downloadRoute } from "./download/routes.ts";
import { env } from "./env.ts";
import { EXPORT_PATH, exportRoute } from "./export/routes.ts";
import { graphiqlAssetRoutes, graphiqlPage } from "./graphiql/routes.ts";
import type { RequestContext, ServerContext } from "./http/context.ts";
import { ApiError, failure } from "./http/errors.ts";
import { jsonInPieces } from "./http/json-body.ts";
import { operationalRoutes, type Routes, requestPlugin } from "./http/routes.ts";
import type { HttpOptions } from "./http/server.ts";
import { IMPORT_PATH, importRoute } from "./import/route.ts";
import { DOCUMENT_LIMITS } from "./limits/document.ts";
import { inputPlugin } from "./limits/input.ts";
import { type Limits, limitsPlugin, RATE_LIMIT_HEADERS } from "./limits/plugin.ts";
import { memoryStore, type RateLimitStore, redisStore } from "./limits/rate-limit.ts";
import { log } from "./log.ts";
import { schema } from "./schema/index.ts";

export const EXAMPLE_QUERY = `# Which methods did Kazakh research institutes develop, and which partnerships apply them?
# Press the run button (or Ctrl+Enter). Open "Docs" on the left to explore every type and field.
query InstitutesAndTheirMethods {
  institutes(first: 10) {
    totalCount
    edges {
      node {
        name(lang: EN)
        city
        foundedYear
        methods(first: 10) {
          edges {
            node {
              title
              category
              partnerships(first: 5) {
                edges { node { title status participants { role organization { name } } } }
              }
            }
          }
        }
        citations { quote source { url } }
      }
    }
  }
}
`;

const TIMEOUT_MESSAGE = /statement timeout|canceling statement/i;

/**
 * Keeps expected errors (bad input, limits) visible with a code, answers 503 while the database
 * cannot be reached, and hides everything else behind "Unexpected error" and a request id,
 * logging the details under the same id.
 */
function maskError(error: unknown, message: string): Error {
  if (!(error instanceof GraphQLError)) return failure(error, { message });
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) {
    if (!error.extensions.code)
      return new GraphQLError(error.message, { ...error, extensions: { ...error.extensions, code: "BAD_USER_INPUT" } });
    return error;
  }
  if (original instanceof PothosValidationError) return new ApiError(original.message, "BAD_USER_INPUT", { at: error });
  if (TIMEOUT_MESSAGE.test(original.message)) {
    return new ApiError(
      "The database took too long to answer and the query was stopped. Ask for fewer items, or page through them",
      "TIMEOUT",
      { status: 504, at: error },
    );
  }
  return failure(original, { message, at: error });
}

export const GRAPHQL_ENDPOINT = "/graphql";

/** The limits in force, from the configuration; README "Limits and fair use" explains each. */
export function configuredLimits(): Limits {
  return {
    ...DOCUMENT_LIMITS,
    maxCost: env.MAX_QUERY_COST,
    perMinute: env.RATE_LIMIT_PER_MINUTE,
    keyPerMinute: env.RATE_LIMIT_PER_MINUTE * 5,
    timeoutMs: env.QUERY_TIMEOUT_MS,
  };
}

/** The HTTP server's options, from the configuration (`npm start` and the benchmark serve the API with these). */
export function configuredHttpOptions(): HttpOptions {
  return {
    port: env.PORT,
    host: env.HOST,
    maxBodyBytes: env.MAX_BODY_BYTES,
    streamedPaths: [IMPORT_PATH],
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    trustProxy: env.TRUST_PROXY,
    drainTimeoutMs: env.QUERY_TIMEOUT_MS + 5000,
  };
}

export interface ApiOptions {
  limits?: Partial<Limits>;
  /** Where rate-limit buckets live: Redis when REDIS_URL is set, this process's memory otherwise. */
  rateLimitStore?: RateLimitStore;
  verifyApiKey?: (token: string) => Promise<VerifiedKey | null> | VerifiedKey | null;
  /** True once the server is shutting down, so /readyz sends traffic elsewhere. */
  isStopping?: () => boolean;
  /** Extra routes beside /graphql (see requestPlugin). */
  routes?: Routes;
  /** Where answers to anonymous queries are cached (Redis when REDIS_URL is set); null: no response cache. */
  responseCacheStore?: ResponseCacheStore | null;
  /** Where persisted queries are kept (Redis when REDIS_URL is set). */
  persistedQueryStore?: PersistedQueryStore;
  /** Items a page of /download.csv and /download.ndjson reads (100; smaller in tests). */
  downloadPageSize?: number;
  /** Answer the queries the planner can compile without GraphQL execution (COMPILED_READS). */
  compiledReads?: boolean;
}

function defaultResponseCacheStore(): ResponseCacheStore | null {
  if (!env.RESPONSE_CACHE) return null;
  return env.REDIS_URL
    ? redisCacheStore(env.REDIS_URL, `${env.REDIS_KEY_PREFIX}cache:`, env.RESPONSE_CACHE_TTL_SECONDS)
    : memoryCacheStore(env.RESPONSE_CACHE_MAX_MB * 1024 * 1024, env.RESPONSE_CACHE_TTL_SECONDS);
}

export function createApi(options: ApiOptions = {}) {
  const store = options.rateLimitStore ?? (env.REDIS_URL ? redisStore(env.REDIS_URL, `${env.REDIS_KEY_PREFIX}ratelimit:`) : memoryStore());
  const cacheStore = options.responseCacheStore === undefined ? defaultResponseCacheStore() : options.responseCacheStore;
  const limits = { ...configuredLimits(), ...options.limits };
  const queryStore =
    options.persistedQueryStore ??
    (env.REDIS_URL
      ? redisPersistedQueries(env.REDIS_URL, `${env.REDIS_KEY_PREFIX}apq:`, env.RESPONSE_CACHE_TTL_SECONDS * 7)
      : memoryPersistedQueries());
  const answers = cacheStore
    ? storedAnswers({ store: cacheStore, rateLimits: store, budget: limits.perMinute, graphqlEndpoint: GRAPHQL_ENDPOINT })
    : undefined;
  // No `context` factory: requestPlugin fills the server's context of each request into the GraphQL context.
  const yoga = createYoga<ServerContext, RequestContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    landingPage: false,
    // Our own GraphiQL page (graphiqlPage below), built at install time.
    graphiql: false,
    maskedErrors: { maskError: (error, message) => maskError(error, message) },
    // Public data: any site may read it from a browser. No credentials and no Authorization
    // header cross-origin, so a browser on another site cannot act with someone's API key.
    // The CSRF header is not allowed cross-origin either: no page on another site can make a visitor's
    // browser write (correctionSubmit included). Exposed: every response header the README tells clients to read.
    cors: {
      origin: "*",
      methods: ["GET", "POST"],
      allowedHeaders: ["content-type", "accept", "x-request-id"],
      exposedHeaders: [
        ...RATE_LIMIT_HEADERS,
        "retry-after",
        "x-cache",
        "x-request-id",
        "etag",
        "x-data-version",
        "link",
        "content-disposition",
      ],
      credentials: false,
      maxAge: 86400,
    },
    plugins: [
      requestPlugin({
        rateLimits: store,
        perMinute: limits.perMinute,
        keyPerMinute: limits.keyPerMinute,
        verifyApiKey: options.verifyApiKey ?? verifyApiKey,
        meteredPaths: [GRAPHQL_ENDPOINT, EXPORT_PATH, ...DOWNLOAD_PATHS],
        routes: {
          ...operationalRoutes(options.isStopping ?? (() => false)),
          ...developerRoutes(),
          ...graphiqlAssetRoutes(),
          [EXPORT_PATH]: exportRoute,
          [`${EXPORT_PATH}/`]: exportRoute,
          ...Object.fromEntries(DOWNLOAD_PATHS.map((path) => [path, downloadRoute({ limits, pageSize: options.downloadPageSize })])),
          [IMPORT_PATH]: importRoute(),
          ...options.routes,
        },
      }),
      // GraphiQL runs in a browser: mutations from it need the CSRF header (inputPlugin).
      graphiqlPage({
        title: "Kazakhstan science–industry graph",
        endpoint: GRAPHQL_ENDPOINT,
        defaultQuery: EXAMPLE_QUERY,
        headers: JSON.stringify({ [CSRF_HEADER]: "1" }),
        downloadPath: DOWNLOAD_PATH,
      }),
      inputPlugin({ maxInputDepth: limits.maxInputDepth }),
      persistedQueries(queryStore),
      // Before the limits: their timeout wraps the execute function compiled reads set.
      ...((options.compiledReads ?? env.COMPILED_READS) ? [compiledReads()] : []),
      limitsPlugin(limits),
      // After the limits: a cached answer is still charged, and only a query within the limits is cached.
      ...(cacheStore
        ? [responseCache({ store: cacheStore, graphqlEndpoint: GRAPHQL_ENDPOINT, httpMaxAgeSeconds: env.HTTP_CACHE_MAX_AGE_SECONDS })]
        : []),
      datasetExtensions(),
      allowedValuesInErrors(schema),
      jsonInPieces(),
    ],
    // Yoga reports every client error through its logger; unexpected ones are logged by maskError.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(" ")),
      info: (...args) => log.debug(args.map(String).join(" ")),
      warn: (...args) => log.debug(args.map(String).join(" ")),
      error: (...args) => log.debug(args.map(String).join(" ")),
    },
  });
  // The HTTP server answers repeated anonymous queries from these before calling Yoga (src/http/server.ts).
  return Object.assign(yoga, { storedAnswers: answers });
}
