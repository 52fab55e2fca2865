import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { type DocumentNode, execute, GraphQLError, getOperationAST, specifiedRules, validate } from "graphql";
import { csvLine, FORMATS, type Format, ndjsonLine, streamedFile } from "../export/format.ts";
import { isUserError } from "../export/routes.ts";
import type { Cell } from "../export/tables.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError, failure } from "../http/errors.ts";
import { operationCost } from "../limits/cost.ts";
import { documentLimitRules, parseWithTokenLimit } from "../limits/document.ts";
import { type Limits, rateLimited } from "../limits/plugin.ts";
import { schema } from "../schema/index.ts";
import { columns, type DownloadList, downloadList, flatten, itemsOf, NotOneListError, PAGE_INFO_ALIAS } from "./rows.ts";

export const DOWNLOAD_PATH = "/download";
export const DOWNLOAD_PATHS = [`${DOWNLOAD_PATH}.csv`, `${DOWNLOAD_PATH}.ndjson`];

export interface DownloadOptions {
  limits: Limits;
  /** Items read a query; 100, the API's largest page, except in tests. */
  pageSize?: number;
}

const encoder = new TextEncoder();

interface Params {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

async function paramsOf(request: Request, url: URL): Promise<Params> {
  let raw: Record<string, unknown>;
  if (request.method === "GET") {
    const variables = url.searchParams.get("variables");
    try {
      raw = {
        query: url.searchParams.get("query"),
        variables: variables ? JSON.parse(variables) : undefined,
        operationName: url.searchParams.get("operationName") ?? undefined,
      };
    } catch {
      throw new ApiError("`variables` is not JSON: give them as a JSON object, URL-encoded", "BAD_USER_INPUT");
    }
  } else if (request.method === "POST") {
    if (!/^application\/(graphql-response\+)?json/i.test(request.headers.get("content-type") ?? "")) {
      throw new ApiError(
        "Send the query as JSON (`{query, variables, operationName}`) with `Content-Type: application/json`, or as URL parameters in a GET request",
        "UNSUPPORTED_MEDIA_TYPE",
        { status: 415 },
      );
    }
    try {
      raw = await request.json();
    } catch {
      throw new ApiError('The request body is not JSON: send `{"query": "...", "variables": {...}}`', "BAD_USER_INPUT");
    }
  } else {
    throw new ApiError(
      `A download is requested with POST (a JSON body) or GET (URL parameters); got ${request.method}`,
      "METHOD_NOT_ALLOWED",
      { status: 405, headers: { allow: "GET, POST" } },
    );
  }
  if (typeof raw?.query !== "string" || !raw.query.trim())
    throw new ApiError("Give the GraphQL query to download as `query`", "BAD_USER_INPUT");
  if (raw.variables !== undefined && raw.variables !== null && (typeof raw.variables !== "object" || Array.isArray(raw.variables))) {
    throw new ApiError("`variables` must be a JSON object", "BAD_USER_INPUT");
  }
  if (raw.operationName !== undefined && raw.operationName !== null && typeof raw.operationName !== "string")
    throw new ApiError("`operationName` must be a string", "BAD_USER_INPUT");
  return {
    query: raw.query,
    variables: (raw.variables ?? {}) as Record<string, unknown>,
    operationName: (raw.operationName as string | null) ?? undefined,
  };
}

function queryErrors(errors: readonly GraphQLError[], code: string): ApiError {
  return new ApiError(errors.map((e) => e.message).join("; "), code);
}

interface Download {
  document: DocumentNode;
  list: DownloadList;
  params: Params;
}

/** Parses, validates and checks a query as the API would, and finds the list it downloads. */
function prepare(params: Params, options: DownloadOptions, pageSize: number): Download {
  let document: DocumentNode;
  try {
    document = parseWithTokenLimit(options.limits.maxTokens, options.limits.maxInputDepth)(params.query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    throw new ApiError(error.message, String(error.extensions.code ?? "GRAPHQL_PARSE_FAILED"));
  }
  const errors = validate(schema, document, [...specifiedRules, ...documentLimitRules(options.limits)]);
  if (errors.length) throw queryErrors(errors, "GRAPHQL_VALIDATION_FAILED");
  const operation = getOperationAST(document, params.operationName);
  if (!operation) {
    throw new ApiError(
      params.operationName
        ? `The query has no operation named "${params.operationName}"`
        : "The query has several operations: name the one to download with `operationName`",
      "BAD_USER_INPUT",
    );
  }
  if (operation.operation !== "query")
    throw new ApiError(`A download only reads: ${operation.operation}s are refused. Send them to /graphql`, "BAD_USER_INPUT");
  try {
    return { document, list: downloadList(schema, document, operation, pageSize), params };
  } catch (error) {
    if (error instanceof NotOneListError) throw new ApiError(error.message, "NOT_ONE_LIST");
    throw error;
  }
}

/**
 * Each page is charged like a query to /graphql with its cost, from the client's rate-limit
 * budget, through the same `take` the exports spend from; refused, it is a 429.
 */
async function charge(context: RequestContext, points: number, options: DownloadOptions): Promise<void> {
  if (points > options.limits.maxCost) {
    throw new ApiError(
      `A page of this download (${options.pageSize ?? 100} items) costs ${points}; the limit is ${options.limits.maxCost}. Select fewer fields or smaller nested lists`,
      "QUERY_TOO_COSTLY",
    );
  }
  if (points <= 0 || (await context.take(points)).allowed) return;
  throw rateLimited(context, `each page of this download costs ${points} points`, ", or download fewer fields");
}

/** The rows of the whole list, a page at a time, each page a query of its own run after the last one's cursor. */
async function* rowPages(download: Download, context: RequestContext, options: DownloadOptions): AsyncGenerator<Record<string, Cell>[]> {
  const { list, params } = download;
  let cursor: string | null = null;
  do {
    const document = list.page(cursor);
    let cost: number | null;
    try {
      cost = operationCost(schema, document, params.operationName, params.variables);
    } catch (error) {
      if (error instanceof GraphQLError) throw queryErrors([error], String(error.extensions.code ?? "BAD_USER_INPUT"));
      throw error;
    }
    await charge(context, cost ?? 0, options);
    // Fresh loaders a page, so the per-request caches do not grow with the download (as exports do).
    const result = await execute({
      schema,
      document,
      variableValues: params.variables,
      operationName: params.operationName,
      contextValue: { ...context, loaders: new Map() },
    });
    if (result.errors?.length) {
      if (result.errors.every(isUserError)) throw queryErrors(result.errors, "BAD_USER_INPUT");
      throw result.errors[0].originalError ?? result.errors[0];
    }
    let value: any = result.data;
    for (const [i, key] of list.path.entries()) {
      value = value?.[key];
      if (value === null || value === undefined) {
        throw new ApiError(
          `\`${list.path.slice(0, i + 1).join(".")}\` is null: no record matches its arguments, so there is no list to download`,
          "NOT_FOUND",
          { status: 404 },
        );
      }
    }
    yield itemsOf(list.connection, value).map((item) => {
      const row: Record<string, Cell> = {};
      flatten(list.connection.items.item, item, "", row);
      return row;
    });
    const pageInfo = value[PAGE_INFO_ALIAS];
    cursor = pageInfo.hasNextPage ? pageInfo.endCursor : null;
  } while (cursor !== null);
}

/** NDJSON: each row a line as it comes, its keys the CSV's column names. */
async function* ndjsonChunks(pages: AsyncGenerator<Record<string, Cell>[]>): AsyncGenerator<Uint8Array> {
  for await (const rows of pages) {
    const text = rows.map((row) => ndjsonLine(Object.keys(row), Object.values(row))).join("");
    // An empty first page still answers, so a refused query is known before the response starts.
    yield encoder.encode(text);
  }
}

/**
 * CSV: a list of objects has as many numbered columns as its longest list in the whole download,
 * known only after the last page; rows wait in a temporary file until then, so memory stays flat.
 */
async function csvChunks(pages: AsyncGenerator<Record<string, Cell>[]>, list: DownloadList): Promise<AsyncGenerator<Uint8Array>> {
  const folder = await mkdtemp(path.join(tmpdir(), "download-"));
  const file = path.join(folder, "rows.ndjson");
  try {
    const out = createWriteStream(file);
    for await (const rows of pages) {
      for (const row of rows) if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const names = columns(list.connection.items.item);
  return (async function* () {
    try {
      // The byte order mark lets spreadsheet programs read UTF-8 (Cyrillic) correctly, as in the exports.
      yield encoder.encode(`\uFEFF${csvLine(names)}`);
      let batch = "";
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        const row = JSON.parse(line) as Record<string, Cell>;
        batch += csvLine(names.map((name) => row[name] ?? null));
        if (batch.length > 64 * 1024) {
          yield encoder.encode(batch);
          batch = "";
        }
      }
      if (batch) yield encoder.encode(batch);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  })();
}

function streamed(first: Uint8Array | null, chunks: AsyncGenerator<Uint8Array>, format: Format): Response {
  return streamedFile(first, chunks, {
    contentType: FORMATS[format],
    filename: `download.${format}`,
    what: "download",
    headers: { "cache-control": "no-store" },
  });
}

/** POST and GET /download.csv and /download.ndjson: the whole list a query's answer is, as rows; metered by requestPlugin, which took the request's point. */
export function downloadRoute(options: DownloadOptions) {
  return async (request: Request, context: RequestContext): Promise<Response> => {
    const url = new URL(request.url);
    const format: Format = url.pathname.endsWith(".csv") ? "csv" : "ndjson";
    const pageSize = options.pageSize ?? 100;
    try {
      const download = prepare(await paramsOf(request, url), options, pageSize);
      context.operationName = getOperationAST(download.document, download.params.operationName)?.name?.value;
      const pages = rowPages(download, context, options);
      if (format === "csv") {
        const chunks = await csvChunks(pages, download.list);
        return streamed(null, chunks, format);
      }
      const chunks = ndjsonChunks(pages);
      // The first page is read before answering, so that a refused query is a 400 or 429, not a cut file.
      const first = await chunks.next();
      return streamed(first.done ? null : first.value, chunks, format);
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse();
      return failure(error, { fields: { route: "download" }, requestId: context.requestId }).toResponse();
    }
  };
}
