// Reads import files as a stream of raw records, one row at a time, refusing hostile input with a
// message that says where and what: wrong encoding, wrong delimiter, truncated files, huge cells.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse } from "csv-parse";
import { unescapeFormula } from "../export/format.ts";
import { type Entity, entities, exportOnlyFields } from "./records.ts";

export type Format = "csv" | "json" | "ndjson";

/** Longest accepted cell (CSV) or field value, in characters. */
export const MAX_CELL = 10_000;
/** Longest accepted row (CSV record or NDJSON line), in characters. */
export const MAX_ROW = 200_000;
/** Largest accepted JSON array file; larger files must be NDJSON, which is read as a stream. */
export const MAX_JSON_BYTES = 20 * 1024 * 1024;

/** A problem that stops the reading of a file (a row-level problem is reported and reading goes on). */
export class FileError extends Error {}

export interface Row {
  /** Line number (CSV, NDJSON) or 1-based position in the array (JSON). */
  row: number;
  record: unknown;
  /** Problems found while turning the row into a record, such as an over-long cell. */
  problems: { field: string; found: unknown; expected: string }[];
}

export function formatOf(file: string): Format {
  const ext = path.extname(file).toLowerCase().slice(1);
  if (ext === "csv" || ext === "json" || ext === "ndjson" || ext === "jsonl") return ext === "jsonl" ? "ndjson" : ext;
  throw new FileError(`${file}: unknown file type "${ext}"; expected .csv, .json or .ndjson`);
}

/** Decodes a file as UTF-8 (a BOM is skipped), refusing other encodings with the byte where it fails. */
async function* utf8Chunks(file: string, onBytes: (n: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    if (offset === 0 && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)))
      throw new FileError(`${file}: the file is UTF-16; save it as UTF-8`);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new FileError(
        `${file}: not valid UTF-8 in the bytes ${offset}–${offset + chunk.length}; save the file as UTF-8 (it may be Windows-1251 or another encoding)`,
      );
    }
    offset += chunk.length;
    onBytes(offset);
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new FileError(`${file}: the file ends in the middle of a UTF-8 character; it may be truncated`);
  }
}

type FieldKind = "text" | "number" | "json";

/** How a CSV cell of each field is read: as text (empty is null), a number, or JSON for lists and objects. */
function fieldKinds(entity: Entity): Map<string, FieldKind> {
  const shape = entities[entity].schema.shape as Record<string, { _zod: { def: { type: string; innerType?: unknown } } }>;
  const kinds = new Map<string, FieldKind>();
  for (const [name, schema] of Object.entries(shape)) {
    let def = schema._zod.def;
    while (def.type === "nullable" || def.type === "optional") def = (def.innerType as typeof schema)._zod.def;
    kinds.set(name, def.type === "number" ? "number" : def.type === "array" || def.type === "object" ? "json" : "text");
  }
  return kinds;
}

/** Fields a record may leave out, so a CSV file may leave out their columns too. */
function optionalFields(entity: Entity): Set<string> {
  const shape = entities[entity].schema.shape as Record<string, { _zod: { def: { type: string } } }>;
  return new Set(Object.keys(shape).filter((name) => shape[name]._zod.def.type === "optional"));
}

function csvCell(kind: FieldKind, cell: string): unknown {
  cell = unescapeFormula(cell);
  if (kind === "json") {
    if (cell.trim() === "") return [];
    try {
      return JSON.parse(cell);
    } catch {
      return cell;
    }
  }
  if (cell === "") return null;
  if (kind === "number" && /^-?\d+(\.\d+)?$/.test(cell.trim())) return Number(cell);
  // Everything else stays text exactly as written: a cell such as =HYPERLINK(...) is never evaluated.
  return cell;
}

/** A header line without commas but with semicolons or tabs: the file was saved with another delimiter. */
async function refuseOtherDelimiters(file: string) {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString("utf8").split(/\r?\n/)[0];
    const other = /[;\t|]/.exec(firstLine);
    if (other && !firstLine.includes(","))
      throw new FileError(
        `${file} line 1: found one column "${firstLine.slice(0, 80)}"; expected columns separated by commas, not by "${other[0].replace("\t", "tab")}"`,
      );
  } finally {
    await handle.close();
  }
}

async function* csvRows(file: string, entity: Entity, onBytes: (n: number) => void): AsyncGenerator<Row> {
  const kinds = fieldKinds(entity);
  await refuseOtherDelimiters(file);
  const parser = parse({ delimiter: ",", max_record_size: MAX_ROW, info: true, relax_column_count: false, skip_empty_lines: true });
  // pipeline hands a read error (such as a wrong encoding) to the parser, whose iteration below throws it.
  pipeline(Readable.from(utf8Chunks(file, onBytes)), parser).catch(() => {});
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((h) => h.trim());
        const expected = [...kinds.keys()];
        const missing = expected.filter((k) => !header!.includes(k) && !optionalFields(entity).has(k));
        const unknown = header.filter((h) => !kinds.has(h) && !isExportOnly(h));
        const repeated = header.filter((h, i) => header!.indexOf(h) !== i);
        if (missing.length || unknown.length || repeated.length) {
          const parts = [
            missing.length ? `missing ${missing.join(", ")}` : "",
            unknown.length ? `unknown ${unknown.join(", ")}` : "",
            repeated.length ? `repeated ${repeated.join(", ")}` : "",
          ].filter(Boolean);
          throw new FileError(`${file} line 1: header has ${parts.join("; ")}; expected the columns ${expected.join(", ")}`);
        }
        continue;
      }
      const problems: Row["problems"] = [];
      const entry: Record<string, unknown> = {};
      header.forEach((name, i) => {
        const cell = record[i];
        if (isExportOnly(name)) return;
        if (cell.length > MAX_CELL)
          problems.push({
            field: name,
            found: `${cell.slice(0, 40)}… (${cell.length} characters)`,
            expected: `expected at most ${MAX_CELL} characters`,
          });
        else entry[name] = csvCell(kinds.get(name)!, cell);
      });
      yield { row: info.lines, record: entry, problems };
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    const where = line ? `${file} line ${line}` : file;
    const messages: Record<string, string> = {
      CSV_QUOTE_NOT_CLOSED: "a quoted cell is never closed; the file may be truncated",
      CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: `found ${Array.isArray(error.record) ? error.record.length : "another number of"} cells; expected ${header?.length} as in the header (check the delimiter and quotes)`,
      CSV_MAX_RECORD_SIZE: `a row is longer than ${MAX_ROW} characters`,
    };
    throw new FileError(`${where}: ${messages[error.code] ?? error.message}`);
  }
  if (!header) throw new FileError(`${file}: the file is empty; expected a header line with the columns ${[...kinds.keys()].join(", ")}`);
}

async function* ndjsonRows(file: string, onBytes: (n: number) => void): AsyncGenerator<Row> {
  let buffer = "";
  let line = 0;
  const parseLine = (text: string, last: boolean): Row | undefined => {
    line++;
    if (text.trim() === "") return undefined;
    try {
      return { row: line, record: JSON.parse(text), problems: [] };
    } catch (error) {
      const expected = last ? "expected a JSON object; the file may be truncated" : "expected one JSON object on the line";
      return {
        row: line,
        record: undefined,
        problems: [
          {
            field: "(line)",
            found: `${text.slice(0, 60)}${text.length > 60 ? "…" : ""}`,
            expected: `${expected} (${(error as Error).message})`,
          },
        ],
      };
    }
  };
  for await (const chunk of utf8Chunks(file, onBytes)) {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const row = parseLine(buffer.slice(0, end), false);
      buffer = buffer.slice(end + 1);
      if (row) yield row;
    }
    if (buffer.length > MAX_ROW) throw new FileError(`${file} line ${line + 1}: a line is longer than ${MAX_ROW} characters`);
  }
  const row = parseLine(buffer, true);
  if (row) yield row;
}

async function* jsonRows(file: string, onBytes: (n: number) => void): AsyncGenerator<Row> {
  const { size } = await stat(file);
  if (size > MAX_JSON_BYTES)
    throw new FileError(`${file}: a JSON file over ${MAX_JSON_BYTES / 1024 / 1024} MB; use NDJSON (one record a line) for large files`);
  let text = "";
  for await (const chunk of utf8Chunks(file, onBytes)) text += chunk;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FileError(`${file}: cannot be read as JSON (${(error as Error).message}); the file may be truncated`);
  }
  if (!Array.isArray(parsed))
    throw new FileError(`${file}: found ${parsed === null ? "null" : typeof parsed}; expected a JSON array of records`);
  for (let i = 0; i < parsed.length; i++) yield { row: i + 1, record: parsed[i], problems: [] };
}

/** The rows of one file; `onBytes` is told how many bytes have been read so far. */
export function readRows(file: string, entity: Entity, onBytes: (n: number) => void = () => {}): AsyncGenerator<Row> {
  const format = formatOf(file);
  if (format === "csv") return csvRows(file, entity, onBytes);
  return withoutExportOnlyFields(format === "ndjson" ? ndjsonRows(file, onBytes) : jsonRows(file, onBytes));
}

const isExportOnly = (name: string) => (exportOnlyFields as readonly string[]).includes(name);

async function* withoutExportOnlyFields(rows: AsyncGenerator<Row>): AsyncGenerator<Row> {
  for await (const row of rows) {
    const record = row.record;
    if (record !== null && typeof record === "object" && !Array.isArray(record))
      row.record = Object.fromEntries(Object.entries(record).filter(([name]) => !isExportOnly(name)));
    yield row;
  }
}
