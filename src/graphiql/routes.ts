import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Plugin } from "graphql-yoga";
import { ApiError } from "../http/errors.ts";
import { entityTag, taggedAnswer } from "../http/etag.ts";
import type { Routes } from "../http/routes.ts";
import { GRAPHIQL_OUT_DIR, type GraphiQLManifest, MANIFEST_FILE } from "./build.ts";
import { CONFIG_ELEMENT_ID, type PageConfig } from "./page/config.ts";

/** The page's scripts, style sheet, font and workers: content-hashed names, so cached for a year. */
export const GRAPHIQL_ASSET_PATH = "/graphiql/";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ttf": "font/ttf",
};

const NOT_BUILT = "The GraphiQL page has not been built: run `npm run build:graphiql` (npm install does it)";

/** Serves the built files under /graphiql/, read once from disk and kept in memory (a few MB). */
export function graphiqlAssetRoutes(): Routes {
  const files = new Map<string, Promise<{ body: Uint8Array<ArrayBuffer>; etag: string } | null>>();
  const load = (name: string) =>
    readFile(path.join(GRAPHIQL_OUT_DIR, name)).then(
      (body) => ({ body: new Uint8Array(body), etag: entityTag(body) }),
      () => null,
    );
  return {
    [GRAPHIQL_ASSET_PATH]: async (request) => {
      const name = new URL(request.url).pathname.slice(GRAPHIQL_ASSET_PATH.length);
      const type = CONTENT_TYPES[path.extname(name)];
      if (!type || name.includes("/") || name === MANIFEST_FILE)
        return new ApiError(`No file of the GraphiQL page is called "${name}"`, "NOT_FOUND", { status: 404 }).toResponse();
      if (!files.has(name)) files.set(name, load(name));
      const file = await files.get(name)!;
      if (!file) {
        files.delete(name);
        return new ApiError(`No file of the GraphiQL page is called "${name}" (any more): reload the page`, "NOT_FOUND", {
          status: 404,
        }).toResponse();
      }
      return taggedAnswer(request, file.body, file.etag, { "content-type": type, "cache-control": "public, max-age=31536000, immutable" });
    },
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function pageHtml(manifest: GraphiQLManifest, config: PageConfig): string {
  // `<` escaped so that no text in the configuration can close the script element.
  const json = JSON.stringify(config).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(config.title)} · GraphiQL</title>
<link rel="stylesheet" href="${GRAPHIQL_ASSET_PATH}${manifest.style}">
<script type="module" src="${GRAPHIQL_ASSET_PATH}${manifest.script}"></script>
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql"><noscript>This GraphiQL page needs JavaScript. Scripts can send queries to ${escapeHtml(config.endpoint)} without it.</noscript></div>
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${json}</script>
</body>
</html>
`;
}

/**
 * The GraphiQL page at the GraphQL endpoint, for a browser (GET asking for text/html, as Yoga
 * decides): small, with an ETag and `no-cache`, so a second visit revalidates it and takes its
 * hashed files from the browser's cache.
 */
export function graphiqlPage(config: PageConfig): Plugin {
  const page = readFile(path.join(GRAPHIQL_OUT_DIR, MANIFEST_FILE), "utf8").then(
    (text) => {
      const html = pageHtml(JSON.parse(text) as GraphiQLManifest, config);
      return { html, etag: entityTag(html) };
    },
    () => null,
  );
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== "GET" || url.pathname !== config.endpoint || !request.headers.get("accept")?.includes("text/html")) return;
      const built = await page;
      if (!built) return endResponse(new ApiError(NOT_BUILT, "SERVICE_UNAVAILABLE", { status: 503 }).toResponse());
      endResponse(
        taggedAnswer(request, built.html, built.etag, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-cache",
          vary: "Accept",
        }),
      );
    },
  };
}
