// Repeated requests answered by the HTTP server from stored bytes, before Yoga builds a Request,
// parses, validates or costs anything: what CDNs and Hasura's cache do. A request is known by its
// bytes (method, URL, body and the headers an answer depends on); the first time, Yoga answers it
// and this remembers which cached answer it got, its cost and the answer's headers. From then on
// the same bytes are answered with that cached answer as the response cache has it now, under the
// same freshness check (so never stale after a write), charged 1 point plus the stored cost. A
// request written differently (other whitespace, GET instead of POST) is a request of its own: Yoga
// answers it, from the response cache by its document, the first time.
import type { IncomingMessage } from "node:http";
import { LRUCache } from "lru-cache";
import { anonymousClient, type RequestContext, type ServerContext } from "../http/context.ts";
import { matches } from "../http/etag.ts";
import { responseCacheLookups } from "../http/metrics.ts";
import { RATE_LIMIT_HEADERS, rateLimitHeaders } from "../limits/plugin.ts";
import type { RateLimitStore } from "../limits/rate-limit.ts";
import { type CachedAnswer, isFresh, type ResponseCacheStore } from "./store.ts";
import type { RecordType } from "./tags.ts";

interface KnownRequest {
  /** The response cache's key of the request's answer, and the record types that answer reads. */
  answerKey: string;
  tags: RecordType[];
  cost: number;
  operationName?: string;
  /** The answer's headers that are the same for every such request (content type, CORS, Vary, Cache-Control). */
  headers: Record<string, string>;
  /** The answer's text after its data (the extensions), cut where the client's remaining points go. */
  extensions: [before: string, after: string];
  /** A GET answer: it carries the answer's entity tag and may be 304 Not Modified. */
  conditional: boolean;
}

/** What the HTTP server sends for a stored answer: the data's bytes, then the extensions' text. */
export interface StoredReply {
  status: 200 | 304;
  headers: Record<string, string>;
  body?: [data: Buffer, extensions: string];
}

export interface StoredAnswers {
  /** The key of a request that may be answered from stored bytes; undefined for any other. */
  requestKey(req: IncomingMessage, body: Buffer | undefined): string | undefined;
  /**
   * The reply to a known request whose cached answer is fresh, once its client paid for it (filled
   * into `context` as Yoga would); undefined: Yoga answers it, refusals included.
   */
  reply(key: string, req: IncomingMessage, context: ServerContext): Promise<StoredReply | undefined>;
  /** After Yoga answered a request with a key: remembers what it was answered with, if it was a cached answer. */
  remember(key: string, context: Partial<RequestContext>, response: Response): Promise<void>;
}

/** Headers of one response only, set again for each reply. */
const PER_REQUEST = new Set(["x-request-id", "x-cache", "etag", "content-length", "retry-after", ...RATE_LIMIT_HEADERS]);
/** Room for the known requests (their keys hold whole bodies) in this process's memory. */
const MAX_KNOWN_BYTES = 32 * 1024 * 1024;

export function storedAnswers({
  store,
  rateLimits,
  budget,
  graphqlEndpoint,
}: {
  store: ResponseCacheStore;
  rateLimits: RateLimitStore;
  /** Points a minute of a client without an API key (the only clients answered here). */
  budget: number;
  graphqlEndpoint: string;
}): StoredAnswers {
  const known = new LRUCache<string, KnownRequest>({
    maxSize: MAX_KNOWN_BYTES,
    sizeCalculation: (request, key) => key.length + request.extensions[0].length + request.extensions[1].length + 1024,
  });
  // A memory store returns the same answer object on every lookup: its bytes are encoded once.
  const dataBytes = new WeakMap<CachedAnswer, Buffer>();
  const bytesOf = (answer: CachedAnswer) => {
    let bytes = dataBytes.get(answer);
    if (!bytes) dataBytes.set(answer, (bytes = Buffer.from(answer.body.slice(0, -1))));
    return bytes;
  };
  return {
    requestKey(req, body) {
      const url = req.url ?? "";
      if ((req.method !== "GET" && req.method !== "POST") || req.headers.authorization !== undefined) return;
      if (url !== graphqlEndpoint && !url.startsWith(`${graphqlEndpoint}?`)) return;
      const { accept = "", "accept-language": languages = "", "content-type": type = "", origin = "" } = req.headers;
      // Newlines cannot occur in a URL or a header value: the parts cannot run into each other.
      return `${req.method} ${url}\n${accept}\n${languages}\n${type}\n${origin}\n${body?.toString("latin1") ?? ""}`;
    },

    async reply(key, req, context) {
      const request = known.get(key);
      if (!request) return;
      const { answer, versions } = await store.lookup(request.answerKey, request.tags);
      if (!isFresh(answer, versions)) return;
      const client = anonymousClient(context.clientAddress!);
      // Both takes of a request through Yoga (its point, then its cost) at once; when the budget cannot pay
      // both, nothing is taken and Yoga answers, taking its points in turn and refusing as it always does.
      const bucket = await rateLimits.take(client, 1 + request.cost, budget);
      if (!bucket.allowed) return;
      responseCacheLookups.inc({ result: "hit" });
      Object.assign(context, {
        client,
        budget,
        bucket,
        cost: request.cost,
        operationName: request.operationName,
        cache: "HIT",
        etag: answer.etag,
      } satisfies Partial<RequestContext>);
      const headers: Record<string, string> = { ...request.headers, ...rateLimitHeaders(bucket, budget), "x-cache": "HIT" };
      if (!request.conditional) return { status: 200, headers, body: bodyOf(answer, request, bucket.remaining) };
      headers.etag = answer.etag;
      if (!matches((req.headers["if-none-match"] as string | undefined) ?? null, answer.etag))
        return { status: 200, headers, body: bodyOf(answer, request, bucket.remaining) };
      delete headers["content-type"];
      return { status: 304, headers };
    },

    async remember(key, context, response) {
      const { answer, bucket } = context;
      if (!answer || !bucket || response.status !== 200 || response.headers.has("content-encoding")) return;
      const copy = response.clone();
      // Read before the answer is sent, which gives its headers Vary: Accept-Encoding (see compressed()).
      const sentHeaders = [...response.headers];
      const text = await copy.text();
      const data = answer.body.slice(0, -1);
      if (!text.startsWith(data)) return;
      // The extensions hold the client's remaining points once (extensions.cost.remaining); anything
      // else in them is the same for every client without a key asking the same thing.
      const extensions = text.slice(data.length);
      const remaining = `"remaining":${bucket.remaining}`;
      const at = extensions.indexOf(remaining);
      const end = at + remaining.length;
      if (at < 0 || /\d/.test(extensions[end] ?? "") || extensions.includes(remaining, end)) return;
      const headers: Record<string, string> = {};
      // Yoga's headers keep the case they were set in; the reply's are lower case, as HTTP/2 and fetch() have them.
      for (const [name, value] of sentHeaders) if (!PER_REQUEST.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
      known.set(key, {
        answerKey: answer.key,
        tags: answer.tags,
        cost: context.cost ?? 0,
        operationName: context.operationName,
        headers,
        extensions: [extensions.slice(0, at + '"remaining":'.length), extensions.slice(end)],
        conditional: sentHeaders.some(([name]) => name.toLowerCase() === "etag"),
      });
    },
  };

  function bodyOf(answer: CachedAnswer, request: KnownRequest, remaining: number): [Buffer, string] {
    return [bytesOf(answer), `${request.extensions[0]}${remaining}${request.extensions[1]}`];
  }
}
