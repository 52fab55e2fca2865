import { AsyncLocalStorage } from "node:async_hooks";
import type { Bucket } from "../limits/rate-limit.ts";

/** What the server knows about the request being handled, for logs, metrics and limits. */
export interface RequestState {
  requestId: string;
  /** The client's IP address (the last X-Forwarded-For entry when TRUST_PROXY is set). */
  ip: string;
  /** Rate-limit key: `ip:<address>`, or `key:<hash>` for a verified API key. Never the key itself. */
  client: string;
  /** The client's points a minute. */
  budget?: number;
  /** The client's bucket after this request's takes. */
  bucket?: Bucket;
  operationName?: string;
  /** Cost of the GraphQL operation, as estimated before execution. */
  cost?: number;
  /** Takes points from the client's bucket (set by the limits plugin; exports use it). */
  take?: (points: number) => Promise<Bucket>;
  /** For an anonymous query: whether the response cache had its answer. */
  cache?: "HIT" | "MISS";
  /** Entity tag of a cacheable answer. */
  etag?: string;
}

export const requestContext = new AsyncLocalStorage<RequestState>();

/** A client-sent request id is kept when it is short and plain, so it can be traced across proxies. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[\w.:-]{1,64}$/.test(header) ? header : crypto.randomUUID();
}

const states = new WeakMap<Request, RequestState>();

/**
 * The state of a request handled by Yoga: the one the HTTP server opened for it, or a new one
 * when Yoga is called in-process (tests call `yoga.fetch`).
 */
export function stateOf(request: Request): RequestState {
  let state = states.get(request);
  if (!state) {
    state = requestContext.getStore() ?? { requestId: requestIdFrom(request.headers.get("x-request-id")), ip: "local", client: "ip:local" };
    states.set(request, state);
  }
  return state;
}
