import type { IncomingMessage, ServerResponse } from "node:http";
import type DataLoader from "dataloader";
import { type Credentials, credentialsOf, type VerifiedKey } from "../auth/keys.ts";
import type { RecordType } from "../cache/tags.ts";
import { acceptedLanguages } from "../language.ts";
import type { Bucket, RateLimitStore } from "../limits/rate-limit.ts";
import type { LanguageCode } from "../schema/common/language.ts";

/** What the HTTP server knows before Yoga sees a request; empty when Yoga is called in-process (`yoga.fetch`). */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  requestId?: string;
  /** The client's IP address (the last X-Forwarded-For entry when TRUST_PROXY is set). */
  clientAddress?: string;
}

/**
 * Everything about one request, built once when it arrives (openRequestContext) and then read by
 * the routes, the limits, the response cache, the resolvers (it is Yoga's GraphQL context) and
 * the HTTP server's log line.
 */
export interface RequestContext extends ServerContext {
  request: Request;
  requestId: string;
  clientAddress: string;
  /** The caller's API key, verified once; reads need none. */
  credentials: Credentials;
  /** Languages the Accept-Language header asks for, most wanted first (read by every text field without `lang`). */
  languages: LanguageCode[];
  /** Rate-limit key: `ip:<address>`, or `key:<id>` for a verified API key. */
  client: string;
  /** The client's points a minute. */
  budget: number;
  /** The client's bucket after this request's takes; unset until the first take. */
  bucket?: Bucket;
  /** Takes points from the client's bucket (and records it in `bucket`). */
  take(points: number): Promise<Bucket>;
  /** The rate-limit buckets of every client (shared by the instances when REDIS_URL is set). */
  rateLimits: RateLimitStore;
  /** DataLoaders of this request by name, so sibling parents share one batch of SQL. */
  loaders: Map<string, DataLoader<any, any>>;
  operationName?: string;
  /** Cost of the GraphQL operation, as estimated before execution. */
  cost?: number;
  /** For an anonymous query: whether the response cache had its answer. */
  cache?: "HIT" | "MISS";
  /** Entity tag of a cacheable answer. */
  etag?: string;
  /** A cached or newly stored answer: its response cache key, the record types it reads and its JSON text (data only). */
  answer?: { key: string; tags: RecordType[]; body: string };
  /** Set by the HTTP server when the request may later be answered from stored bytes (see src/cache/stored-answers.ts). */
  requestKey?: string;
}

/** A client-sent request id is kept when it is short and plain, so it can be traced across proxies. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[\w.:-]{1,64}$/.test(header) ? header : crypto.randomUUID();
}

/** Rate-limit key of a caller without an API key. */
export const anonymousClient = (address: string) => `ip:${address}`;

export interface ContextOptions {
  rateLimits: RateLimitStore;
  /** Points a minute without, and with, a verified API key. */
  perMinute: number;
  keyPerMinute: number;
  verifyApiKey: (token: string) => Promise<VerifiedKey | null> | VerifiedKey | null;
}

/** Fills the server's context of a request into its RequestContext, in place (Yoga's GraphQL context is that same object). */
export async function openRequestContext(request: Request, server: ServerContext, options: ContextOptions): Promise<RequestContext> {
  const clientAddress = server.clientAddress ?? "local";
  const credentials = await credentialsOf(request, options.verifyApiKey);
  const context: RequestContext = Object.assign(server, {
    request,
    requestId: server.requestId ?? requestIdFrom(request.headers.get("x-request-id")),
    clientAddress,
    credentials,
    languages: acceptedLanguages(request.headers.get("accept-language")),
    client: credentials.key ? `key:${credentials.key.id}` : anonymousClient(clientAddress),
    budget: credentials.key ? options.keyPerMinute : options.perMinute,
    rateLimits: options.rateLimits,
    loaders: new Map(),
    take: async (points: number) => (context.bucket = await options.rateLimits.take(context.client, points, context.budget)),
  });
  return context;
}
