// POST /admin/import: the importer over HTTP for curators with an ADMIN key. The body is one file;
// `?entity=organizations&format=csv` say what it holds, `&dryRun=true` validates without writing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Plugin } from "graphql-yoga";
import { credentialsOf } from "../auth/keys.ts";
import { prisma } from "../db.ts";
import { env } from "../env.ts";
import { failureResponse } from "../http/errors.ts";
import { isDatabaseUnavailable } from "../http/outage.ts";
import { log } from "../log.ts";
import { describeProblem, ImportValidationError, importFiles } from "./index.ts";
import { FileError } from "./read.ts";
import { entityNames, type Entity } from "./records.ts";

export const IMPORT_PATH = "/admin/import";

const json = (status: number, body: unknown) => Response.json(body, { status });

async function handle(request: Request, maxBytes: number): Promise<Response> {
  if (request.method !== "POST") return json(405, { error: "Send the file with POST" });
  const credentials = await credentialsOf(request);
  if (!credentials.key) return json(401, { error: credentials.presented ? "The API key is not valid or has been revoked" : "Send an ADMIN key as Authorization: Bearer <key>" });
  if (credentials.key.scope !== "ADMIN") return json(403, { error: `Importing needs a key with the ADMIN scope; this key has ${credentials.key.scope}` });
  const params = new URL(request.url).searchParams;
  const entity = params.get("entity") as Entity;
  const format = params.get("format") ?? "csv";
  if (!entityNames.includes(entity)) return json(400, { error: `Query parameter entity must be one of ${entityNames.join(", ")}` });
  if (!["csv", "json", "ndjson"].includes(format)) return json(400, { error: "Query parameter format must be csv, json or ndjson" });
  const tooLarge = `Send a file of at most ${maxBytes} bytes (IMPORT_MAX_BYTES); use npm run import for larger files`;
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes || !request.body) return json(413, { error: tooLarge });

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
    return json(200, result);
  } catch (error) {
    if (error instanceof ImportValidationError)
      return json(422, { error: "Nothing was written", problems: error.problems.map((p) => ({ ...p, message: describeProblem(p) })) });
    if (error instanceof FileError) return json(413, { error: error.message });
    if (isDatabaseUnavailable(error)) return failureResponse(error);
    if (request.signal.aborted) {
      log.warn("import over HTTP: the client went away during the upload; nothing was imported");
      return json(400, { error: "The upload was cut off; nothing was imported" });
    }
    log.error("import over HTTP failed", { error: (error as Error).message });
    return json(500, { error: "The import failed and nothing was written" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A Yoga plugin that answers IMPORT_PATH before GraphQL sees the request. The HTTP server streams
 * this path's body (startHttpServer's `streamedPaths`); the limit is `maxBytes`.
 */
export function importRoute(maxBytes = env.IMPORT_MAX_BYTES): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== IMPORT_PATH) return;
      return handle(request, maxBytes).then(endResponse);
    },
  };
}
