import { randomUUID } from "node:crypto";
import { log } from "../log.ts";
import { requestContext } from "./context.ts";
import { isDatabaseUnavailable, noteDatabaseUnavailable, RETRY_AFTER, UNAVAILABLE_MESSAGE } from "./outage.ts";

/** The body of every error answer of the API, in GraphQL's shape, so clients read one format. */
export function errorBody(message: string, code: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

export function errorResponse(status: number, message: string, code: string, headers: Record<string, string> = {}, extensions?: Record<string, unknown>): Response {
  return new Response(errorBody(message, code, extensions), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });
}

/**
 * Logs an error the client did not cause, with its stack, under the request's id, and returns
 * that id: the answer names only the id, never the error.
 */
export function logUnexpected(error: unknown, fields: Record<string, unknown> = {}): string {
  const requestId = requestContext.getStore()?.requestId ?? randomUUID();
  const cause = error instanceof Error ? error : new Error(String(error));
  log.error("unexpected error", { requestId, error: cause.message, stack: cause.stack, ...fields });
  return requestId;
}

/**
 * The answer to a request that failed for a reason of the server's: 503 with `Retry-After` while
 * the database cannot be reached, 500 with a request id otherwise; never the error itself.
 */
export function failureResponse(error: unknown, fields?: Record<string, unknown>): Response {
  if (isDatabaseUnavailable(error)) {
    noteDatabaseUnavailable(error);
    return errorResponse(503, UNAVAILABLE_MESSAGE, "SERVICE_UNAVAILABLE", RETRY_AFTER);
  }
  const requestId = logUnexpected(error, fields);
  return errorResponse(500, `Unexpected error. (request id ${requestId})`, "INTERNAL_SERVER_ERROR", {}, { requestId });
}
