// POST /admin/import: the importer over HTTP for curators with an ADMIN key. The body is one file;
// `?entity=organizations&format=csv` say what it holds, `&dryRun=true` validates without writing.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { prisma } from "../db.ts";
import { env } from "../env.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError, failure } from "../http/errors.ts";
import { isDatabaseUnavailable } from "../http/outage.ts";
import type { Route } from "../http/routes.ts";
import { log } from "../log.ts";
import { describeProblem, ImportValidationError, importFiles } from "./index.ts";
import { FileError } from "./read.ts";
import { type Entity, entityNames } from "./records.ts";

export const IMPORT_PATH = "/admin/import";

const refuse = (status: number, code: string, message: string, extensions?: Record<string, unknown>) =>
  new ApiError(message, code, { status, extensions }).toResponse();

async function handle(request: Request, { credentials, requestId }: RequestContext, maxBytes: number): Promise<Response> {
  if (request.method !== "POST") return refuse(405, "METHOD_NOT_ALLOWED", "Send the file with POST");
  if (!credentials.key)
    return refuse(
      401,
      "UNAUTHENTICATED",
      credentials.presented ? "The API key is not valid or has been revoked" : "Send an ADMIN key as Authorization: Bearer <key>",
    );
  if (credentials.key.scope !== "ADMIN")
    return refuse(403, "FORBIDDEN", `Importing needs a key with the ADMIN scope; this key has ${credentials.key.scope}`);
  const params = new URL(request.url).searchParams;
  const entity = params.get("entity") as Entity;
  const format = params.get("format") ?? "csv";
  if (!entityNames.includes(entity))
    return refuse(400, "BAD_USER_INPUT", `Query parameter entity must be one of ${entityNames.join(", ")}`);
  if (!["csv", "json", "ndjson"].includes(format))
    return refuse(400, "BAD_USER_INPUT", "Query parameter format must be csv, json or ndjson");
  const tooLarge = `Send a file of at most ${maxBytes} bytes (IMPORT_MAX_BYTES); use npm run import for larger files`;
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes || !request.body) return refuse(413, "BODY_TOO_LARGE", tooLarge);

  const dir = await mkdtemp(path.join(tmpdir(), "import-"));
  const file = path.join(dir, `upload.${format}`);
  try {
    // Read through the stream's reader: Yoga may hand over its own ReadableStream implementation.
    const reader = (request.body as ReadableStream<Uint8Array>).getReader();
    const out = createWriteStream(file);
    let size = 0;
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        size += chunk.value.length;
        if (size > maxBytes) throw new FileError(tooLarge);
        if (!out.write(chunk.value)) await once(out, "drain");
      }
    } finally {
      out.end();
      await once(out, "close");
    }
    const result = await importFiles(prisma().$primary(), [{ entity, path: file }], {
      author: { actor: credentials.key.name, reason: params.get("reason") ?? "import over HTTP" },
      dryRun: params.get("dryRun") === "true",
    });
    return Response.json(result);
  } catch (error) {
    if (error instanceof ImportValidationError)
      return refuse(422, "BAD_USER_INPUT", "Nothing was written", {
        problems: error.problems.map((p) => ({ ...p, message: describeProblem(p) })),
      });
    if (error instanceof FileError) return refuse(413, "BODY_TOO_LARGE", error.message);
    if (request.signal.aborted && !isDatabaseUnavailable(error)) {
      log.warn("import over HTTP: the client went away during the upload; nothing was imported");
      return refuse(400, "BAD_REQUEST", "The upload was cut off; nothing was imported");
    }
    return failure(error, { fields: { route: "import" }, requestId, message: "The import failed and nothing was written." }).toResponse();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The route of IMPORT_PATH. The HTTP server streams this path's body (startHttpServer's `streamedPaths`); the limit is `maxBytes`. */
export function importRoute(maxBytes = env.IMPORT_MAX_BYTES): Route {
  return (request, context) => handle(request, context, maxBytes);
}
