import { createHash } from "node:crypto";
import { PothosValidationError } from "@pothos/core";
import { Zip, ZipDeflate } from "fflate";
import { astFromValue, type DocumentNode, execute, type GraphQLArgument, GraphQLError, parse, print } from "graphql";
import { currentRelease, LICENSE } from "../dataset/metadata.ts";
import { type DumpFile, dataPackage } from "../dataset/package.ts";
import { prisma } from "../db.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError, failure } from "../http/errors.ts";
import { readRecords } from "../import/export.ts";
import { type Entity, entities } from "../import/records.ts";
import { rateLimited } from "../limits/plugin.ts";
import { schema } from "../schema/index.ts";
import { csvLine, FORMATS, ndjsonLine, streamedFile } from "./format.ts";
import { ExportInputError, exportParameters, exportVariables, PAGING } from "./params.ts";
import { type Cell, dumpTables, rowOf, type Table, tables } from "./tables.ts";

// Rows are read a page at a time through the API's own root fields (keyset paging on the primary
// key) and written as they come, so memory stays flat whatever the size of the export.
const PAGE_SIZE = 100;
const encoder = new TextEncoder();

export const EXPORT_PATH = "/export";

/** `$name: Type`, with the argument's default, so an export that does not set it gets the API's default. */
export function variableDefinition(arg: GraphQLArgument): string {
  const defaultValue = arg.defaultValue === undefined ? undefined : astFromValue(arg.defaultValue, arg.type);
  return `$${arg.name}: ${arg.type}${defaultValue ? ` = ${print(defaultValue)}` : ""}`;
}

const documents = new Map<string, { page: DocumentNode; count: DocumentNode }>();
/** The queries of an export: its pages, and the number of rows it will hold. */
function documentsOf(table: Table) {
  let found = documents.get(table.field);
  if (!found) {
    // Every argument of the list but its paging (filter, orderBy and any other), as the export's parameters set them.
    const args = schema
      .getQueryType()!
      .getFields()
      [table.field].args.filter((a) => !PAGING.includes(a.name));
    const declared = args.map(variableDefinition).join(", ");
    const passed = args.map((a) => `${a.name}: $${a.name}`).join(", ");
    found = {
      page: parse(`query Export(${declared}, $after: String) {
        page: ${table.field}(first: ${PAGE_SIZE}, after: $after, ${passed}) {
          pageInfo { hasNextPage endCursor }
          edges { node { ${table.selection} } }
        }
      }`),
      count: parse(`query ExportCount(${declared}) { page: ${table.field}(first: 0, ${passed}) { totalCount } }`),
    };
    documents.set(table.field, found);
  }
  return found;
}

/** Errors of the export query that the client caused (bad filter values), as opposed to bugs. */
export function isUserError(error: GraphQLError): boolean {
  const original = error.originalError;
  return !original || original instanceof GraphQLError || original instanceof PothosValidationError;
}

class ExportQueryError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((e) => e.message).join("; "));
  }
}

async function run(document: DocumentNode, variables: Record<string, unknown>, context: RequestContext) {
  // Fresh loaders a query, so the per-request caches do not grow with the export.
  const result = await execute({ schema, document, variableValues: variables, contextValue: { ...context, loaders: new Map() } });
  if (result.errors?.length) throw new ExportQueryError(result.errors);
  return result.data as { page: any };
}

/** Rows of one table an export will hold: the list's totalCount for the same filter. */
async function rowCount(table: Table, variables: Record<string, unknown>, context: RequestContext): Promise<number> {
  return (await run(documentsOf(table).count, variables, context)).page.totalCount;
}

/**
 * An export spends a point a row from the client's rate-limit budget, at most the whole budget
 * (so any export can run on a full one), taken before anything is sent; refused, it is a 429.
 */
async function refusedForBudget(context: RequestContext, rows: number): Promise<Response | null> {
  // The request's own point is already spent.
  const points = Math.min(rows, context.budget - 1);
  if ((await context.take(points)).allowed) return null;
  return rateLimited(context, `this export has ${rows} rows and costs ${points} points (one a row, at most your budget),`, "").toResponse();
}

/** Pages of rows of one table, matching the API's answer to the same filter and order. */
async function* rowPages(table: Table, variables: Record<string, unknown>, context: RequestContext): AsyncGenerator<Cell[][]> {
  let after: string | null = null;
  do {
    const { page } = await run(documentsOf(table).page, { ...variables, after }, context);
    const key = entities[table.entity].key;
    const records = await readRecords(
      prisma(),
      table.entity,
      page.edges.map((edge: any) => edge.node[key]),
    );
    yield page.edges.map((edge: any) => rowOf(table, edge.node, records.get(edge.node[key])!));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
}

async function* tableChunks(
  table: Table,
  format: "csv" | "ndjson",
  pages: AsyncGenerator<Cell[][]>,
  bom = true,
): AsyncGenerator<Uint8Array> {
  const names = table.columns;
  // The header goes out with the first page, so that a failing first query is still a 400. The
  // byte order mark lets spreadsheet programs read UTF-8 (Cyrillic) correctly; data tools (the
  // dump's readers) would take it for part of the first column's name.
  let header = format === "csv" ? `${bom ? "\uFEFF" : ""}${csvLine(names)}` : "";
  for await (const rows of pages) {
    const text = header + rows.map((cells) => (format === "csv" ? csvLine(cells) : ndjsonLine(names, cells))).join("");
    header = "";
    if (text) yield encoder.encode(text);
  }
}

/**
 * The full dataset as a zip: each entity as CSV and as NDJSON (the same rows as the exports), and
 * datapackage.json, the Frictionless Data Package that describes them. Nothing in it depends on
 * when it was made (entries carry the release date), so the same data gives the same bytes.
 */
async function* datasetChunks(context: RequestContext): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => (error ? (failure = error) : out.push(chunk)));
  const mtime = new Date(`${currentRelease.releasedAt}T00:00:00Z`);
  const drain = function* () {
    if (failure) throw failure;
    yield* out.splice(0);
  };
  const entry = (name: string) => {
    const file = new ZipDeflate(name, { level: 6 });
    file.mtime = mtime;
    zip.add(file);
    return file;
  };
  const files: DumpFile[] = [];
  for (const name of dumpTables) {
    const table = tables[name];
    // Read once per format, so that memory stays flat: a zip holds its entries one after another.
    for (const format of ["csv", "ndjson"] as const) {
      const file = entry(`${name}.${format}`);
      const hash = createHash("sha256");
      let bytes = 0;
      // The whole dataset: retracted records too, with the date and reason of their retraction.
      for await (const chunk of tableChunks(table, format, rowPages(table, { retraction: "INCLUDE" }, context), false)) {
        hash.update(chunk);
        bytes += chunk.length;
        file.push(chunk);
        yield* drain();
      }
      file.push(new Uint8Array(0), true);
      files.push({ name: `${name}.${format}`, entity: table.entity, format, bytes, sha256: hash.digest("hex") });
      yield* drain();
    }
  }
  const columnsOf = (entity: Entity) => Object.values(tables).find((t) => t.entity === entity)!.columns;
  entry("datapackage.json").push(encoder.encode(`${JSON.stringify(dataPackage(schema, files, columnsOf), null, 2)}\n`), true);
  zip.end();
  yield* drain();
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** A streamed export; its first chunk is read before answering, so that a bad filter is a 400, not a cut file. */
async function streamed(chunks: AsyncGenerator<Uint8Array>, contentType: string, filename: string): Promise<Response> {
  const first = await chunks.next();
  return streamedFile(first.done ? null : first.value, chunks, { contentType, filename, what: "export" });
}

function index(): Response {
  return jsonResponse(200, {
    license: { name: LICENSE.name, url: LICENSE.url },
    dataVersion: currentRelease.version,
    dataset: "/export/dataset.zip",
    exports: Object.fromEntries(
      Object.entries(tables).map(([name, table]) => [
        name,
        {
          csv: `/export/${name}.csv`,
          ndjson: `/export/${name}.ndjson`,
          parameters: [...exportParameters(schema, table.field).keys()],
          columns: table.columns,
        },
      ]),
    ),
  });
}

/** GET /export/{entity}.csv|.ndjson, /export/dataset.zip and the /export index; metered by requestPlugin, which took the request's point. */
export async function exportRoute(request: Request, context: RequestContext): Promise<Response> {
  const url = new URL(request.url);
  if (request.method !== "GET")
    return new ApiError(`Exports are read with GET; got ${request.method}`, "METHOD_NOT_ALLOWED", { status: 405 }).toResponse();
  if (url.pathname === "/export" || url.pathname === "/export/") return index();
  try {
    if (url.pathname === "/export/dataset.zip") {
      if ([...url.searchParams.keys()].length) throw new ExportInputError("dataset.zip takes no parameters: it is the whole dataset");
      let rows = 0;
      for (const name of dumpTables) rows += await rowCount(tables[name], {}, context);
      const refusal = await refusedForBudget(context, rows);
      if (refusal) return refusal;
      return await streamed(datasetChunks(context), "application/zip", `kz-science-industry-graph-${currentRelease.version}.zip`);
    }
    const match = /^\/export\/([a-z]+)\.([a-z]+)$/.exec(url.pathname);
    const table = match && Object.hasOwn(tables, match[1]) ? tables[match[1]] : undefined;
    if (!match || !table || !Object.hasOwn(FORMATS, match[2])) {
      const names = Object.keys(tables).flatMap((t) => [`${t}.csv`, `${t}.ndjson`]);
      return new ApiError(`No export at ${url.pathname}; available: /export/dataset.zip and /export/{${names.join(", ")}}`, "NOT_FOUND", {
        status: 404,
      }).toResponse();
    }
    const format = match[2] as keyof typeof FORMATS;
    const variables = exportVariables(url.searchParams, exportParameters(schema, table.field));
    const refusal = await refusedForBudget(context, await rowCount(table, variables, context));
    if (refusal) return refusal;
    return await streamed(tableChunks(table, format, rowPages(table, variables, context)), FORMATS[format], `${match[1]}.${format}`);
  } catch (error) {
    if (error instanceof ExportInputError) return new ApiError(error.message, "BAD_USER_INPUT").toResponse();
    if (error instanceof ExportQueryError && error.errors.every(isUserError))
      return new ApiError(error.message, "BAD_USER_INPUT").toResponse();
    return failure(error, { fields: { route: "export" }, requestId: context.requestId }).toResponse();
  }
}
