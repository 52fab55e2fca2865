// Our own response cache, not @graphql-yoga/plugin-response-cache: an answer here is fresh while
// the data versions of the record types it read are unchanged, read from the database itself at
// lookup (invalidation.ts), so a write made by another instance, by `npm run import`, or not yet
// replayed on a read replica is never answered from an older copy. The library invalidates by
// the typenames and ids of mutation results (or explicit calls) and has no such check.
import { createHash } from "node:crypto";
import { type DocumentNode, type ExecutionResult, type GraphQLSchema, getOperationAST, print } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { currentRelease } from "../dataset/metadata.ts";
import type { RequestContext } from "../http/context.ts";
import { matches } from "../http/etag.ts";
import { responseCacheLookups } from "../http/metrics.ts";
import { onDataChanged } from "./invalidation.ts";
import { isFresh, type ResponseCacheStore } from "./store.ts";
import { operationTags, type RecordType, typeTags } from "./tags.ts";

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
  graphqlEndpoint: string;
  /** Cache-Control max-age of GET answers; 0: caches must revalidate (with ETag) every time. */
  httpMaxAgeSeconds: number;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

/**
 * A stored answer as an execution result that Yoga writes out as the stored text itself, with the
 * extensions the later plugins add (cost, licence): JSON.stringify({ data, extensions }) of the
 * same data gives the same bytes, without parsing the data and writing it out again.
 */
const storedResult = (body: string): ExecutionResult & { stringify(result: ExecutionResult): string } => ({
  stringify: ({ extensions }) => `${body.slice(0, -1)}${extensions ? `,"extensions":${JSON.stringify(extensions)}` : ""}}`,
});

/**
 * Answers anonymous queries from the cache while no record type they read has changed
 * (see tags.ts), and gives GET answers an ETag, Cache-Control and 304 Not Modified. Requests with
 * an Authorization header are never cached: their answers may hold what only a key may see.
 */
export function responseCache({ store, graphqlEndpoint, httpMaxAgeSeconds }: ResponseCacheOptions): Plugin<RequestContext> {
  let tagsOfType = new Map<string, RecordType[]>();
  const documents = new WeakMap<DocumentNode, { text: string; tags: RecordType[] }>();
  const describe = (schema: GraphQLSchema, document: DocumentNode) => {
    let found = documents.get(document);
    if (!found) documents.set(document, (found = { text: print(document), tags: operationTags(schema, tagsOfType, document) }));
    return found;
  };
  const unsubscribe = onDataChanged((types) => store.invalidate(types), store.sharedScope);
  return {
    onSchemaChange({ schema }) {
      tagsOfType = typeTags(schema);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const state = args.contextValue;
      const { request } = state;
      if (request.headers.has("authorization") || getOperationAST(args.document, args.operationName)?.operation !== "query") return;
      const { text, tags } = describe(args.schema, args.document);
      const key = sha256(JSON.stringify([text, args.operationName ?? null, args.variableValues ?? {}, state.languages]));
      const { answer, versions } = await store.lookup(key, tags);
      if (isFresh(answer, versions)) {
        responseCacheLookups.inc({ result: "hit" });
        state.cache = "HIT";
        state.etag = answer.etag;
        state.answer = { key, tags, body: answer.body };
        setResultAndStopExecution(storedResult(answer.body));
        return;
      }
      responseCacheLookups.inc({ result: "miss" });
      state.cache = "MISS";
      return {
        async onExecuteDone({ result }) {
          if (isAsyncIterable(result) || result.errors?.length) return;
          const body = JSON.stringify({ data: result.data });
          state.etag = `W/"${sha256(`${currentRelease.version}\n${body}`).slice(0, 32)}"`;
          if (!versions) return;
          state.answer = { key, tags, body };
          await store.save(key, { body, etag: state.etag, versions });
        },
      };
    },
    onResponse({ request, response, serverContext, setResponse, fetchAPI }) {
      const state = serverContext as Partial<RequestContext>;
      if (state.cache) response.headers.set("x-cache", state.cache);
      // An answer with a validator of its own (the GraphiQL page) keeps its own caching headers.
      if (request.method !== "GET" || new URL(request.url).pathname !== graphqlEndpoint || response.headers.has("etag")) return;
      if (!state.etag || response.status !== 200) {
        response.headers.set("cache-control", "no-store");
        return;
      }
      response.headers.set("etag", state.etag);
      response.headers.set("cache-control", httpMaxAgeSeconds > 0 ? `public, max-age=${httpMaxAgeSeconds}` : "public, no-cache");
      response.headers.append("vary", "Accept, Accept-Language");
      if (!matches(request.headers.get("if-none-match"), state.etag)) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.delete("content-length");
      headers.delete("content-type");
      setResponse(new fetchAPI.Response(null, { status: 304, headers }));
    },
    async onDispose() {
      unsubscribe();
      await store.close();
    },
  };
}
