// Entity tags and conditional GETs, for the response cache and for the fixed answers of the routes
// (the schema files, the GraphiQL page and its files).
import { createHash } from "node:crypto";

/** A strong entity tag of a body: its SHA-256, shortened. */
export const entityTag = (body: Uint8Array | string) => `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;

/** Does an If-None-Match header name this entity tag? (Weak comparison, as for GET.) */
export function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

/** A fixed body with its entity tag: 304 to a client that has it already, the body (none for HEAD) otherwise. */
export function taggedAnswer(
  request: Request,
  body: Uint8Array<ArrayBuffer> | string,
  etag: string,
  headers: Record<string, string>,
): Response {
  const all = { etag, ...headers };
  if (matches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers: all });
  // A known length lets the HTTP server leave a body too small to gain from compression as it is.
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  return new Response(request.method === "HEAD" ? null : body, { headers: { ...all, "content-length": String(length) } });
}
