import { pipeline, Readable } from "node:stream";
import zlib from "node:zlib";

type Encoding = "br" | "gzip";

// Text compresses; zip files, images and fonts are compressed already.
const COMPRESSIBLE = /^(text\/|application\/(json|graphql-response\+json|x-ndjson|javascript|xml|ld\+json)|image\/svg\+xml)/i;
// Below this size a response fits in one packet anyway; compressing it only costs time.
const MIN_BYTES = 1024;

/** The encoding the client prefers among brotli and gzip by its `Accept-Encoding` (q-values honoured, brotli on a tie). */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding | null {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (name) weights.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (name: Encoding) => weights.get(name) ?? weights.get("*") ?? 0;
  const best = (["br", "gzip"] as const).filter((e) => weight(e) > 0).sort((a, b) => weight(b) - weight(a))[0];
  return best ?? null;
}

/** Whether a body of this content type and length is sent compressed to the clients that accept it (and so varies by Accept-Encoding). */
export const isCompressible = (contentType: string, length: number | null) =>
  COMPRESSIBLE.test(contentType) && (length === null || length >= MIN_BYTES);

/**
 * The response compressed with brotli or gzip when the client accepts it and the content is text.
 * A streamed body stays streamed: each chunk is flushed through the compressor as it comes, and the
 * next is read only when the client has taken the last (backpressure as without compression).
 */
export function compressed(response: Response, acceptEncoding: string | undefined): Response {
  if (response.headers.has("content-encoding")) return response;
  const length = response.headers.get("content-length");
  if (!isCompressible(response.headers.get("content-type") ?? "", length === null ? null : Number(length))) return response;
  // Only a body of unknown length may be none. Uncompressed, a text body is left as it is, not turned into a
  // stream by asking for it: Yoga's adapter writes the text at once.
  if (length === null && !response.body) return response;
  const encoding = preferredEncoding(acceptEncoding);
  if (!encoding) {
    response.headers.append("vary", "Accept-Encoding");
    return response;
  }
  if (!response.body) return response;
  const headers = new Headers(response.headers);
  headers.append("vary", "Accept-Encoding");
  headers.set("content-encoding", encoding);
  headers.delete("content-length");
  const compressor =
    encoding === "br"
      ? zlib.createBrotliCompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
      : zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH });
  // An error of the source (an export failing half-way) destroys the compressor, so the client's download fails rather than ending short.
  pipeline(Readable.from(response.body as unknown as AsyncIterable<Uint8Array>), compressor, () => {});
  const body = Readable.toWeb(compressor) as ReadableStream<Uint8Array>;
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
