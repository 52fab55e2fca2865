import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import { currentRequestId, log } from "../log.ts";
import { isDatabaseUnavailable, noteDatabaseUnavailable, RETRY_AFTER, UNAVAILABLE_MESSAGE } from "./outage.ts";

/**
 * Every error the API answers on purpose, on every route: a message for people, a stable code
 * for programs, the HTTP status and headers (Retry-After, rate-limit headers). In a GraphQL
 * response Yoga reads the status from `extensions.http`; `spec: true` lets it answer 200 to
 * clients that accept only `application/json`, as the GraphQL-over-HTTP specification asks.
 */
export class ApiError extends GraphQLError {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(message: string, code: string, { status = 400, headers = {}, extensions = {}, at }: ApiErrorOptions = {}) {
    // A failed field (`at`) answered 500 leaves the status of the GraphQL response to Yoga, as any other field error.
    const http = at && status === 500 ? {} : { http: { status, spec: status === 400, headers } };
    super(message, { nodes: at?.nodes, path: at?.path, extensions: { code, ...extensions, ...http } });
    this.status = status;
    this.headers = headers;
  }

  /** The answer to a request refused with this error, outside GraphQL (routes, the HTTP server). */
  toResponse(): Response {
    const { http: _, ...extensions } = this.extensions;
    return new Response(errorBody(this.message, extensions), {
      status: this.status,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...this.headers },
    });
  }
}

export interface ApiErrorOptions {
  status?: number;
  headers?: Record<string, string>;
  /** More for programs to read beside `code` (a request id, a list of problems). */
  extensions?: Record<string, unknown>;
  /** The error of a field this one replaces: its location and path are kept. */
  at?: GraphQLError;
}

/** GraphQL's error shape, the body of every error answer of the API, so clients read one format. */
export function errorBody(message: string, extensions: Record<string, unknown>): string {
  return JSON.stringify({ errors: [{ message, extensions }] });
}

/**
 * Logs an error the client did not cause, with its stack, under the request's id, and returns
 * that id: the answer names only the id, never the error.
 */
export function logUnexpected(
  error: unknown,
  fields: Record<string, unknown> = {},
  requestId = currentRequestId() ?? randomUUID(),
): string {
  const cause = error instanceof Error ? error : new Error(String(error));
  log.error("unexpected error", { requestId, error: cause.message, stack: cause.stack, ...fields });
  return requestId;
}

export interface FailureOptions {
  /** Logged with the error. */
  fields?: Record<string, unknown>;
  requestId?: string;
  /** The field whose resolver failed. */
  at?: GraphQLError;
  /** What the client is told before the request id. */
  message?: string;
}

/**
 * The error for a request that failed for a reason of the server's: 503 with `Retry-After` while
 * the database cannot be reached, 500 with a request id otherwise; never the error itself.
 */
export function failure(error: unknown, { fields, requestId, at, message = "Unexpected error." }: FailureOptions = {}): ApiError {
  if (isDatabaseUnavailable(error)) {
    noteDatabaseUnavailable(error);
    return new ApiError(UNAVAILABLE_MESSAGE, "SERVICE_UNAVAILABLE", { status: 503, headers: RETRY_AFTER, at });
  }
  const id = logUnexpected(error, { path: at?.path?.join("."), ...fields }, requestId);
  return new ApiError(`${message} (request id ${id})`, "INTERNAL_SERVER_ERROR", { status: 500, extensions: { requestId: id }, at });
}
