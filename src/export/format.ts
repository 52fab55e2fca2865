import { currentRelease, LICENSE } from "../dataset/metadata.ts";
import { log } from "../log.ts";
import type { Cell } from "./tables.ts";

/** Content types of the row formats of exports and downloads. */
export const FORMATS = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8" } as const;
export type Format = keyof typeof FORMATS;

/**
 * A file the client downloads while it is made: the next chunk is read only when the client has taken the
 * previous one. `first` is the chunk read before answering, so that a bad request is refused, not cut short.
 */
export function streamedFile(
  first: Uint8Array | null,
  chunks: AsyncGenerator<Uint8Array>,
  file: { contentType: string; filename: string; what: string; headers?: Record<string, string> },
): Response {
  let pending = first;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (pending) {
            controller.enqueue(pending);
            pending = null;
            return;
          }
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          log.error(`${file.what} failed while streaming`, { error: (error as Error).message });
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.filename}"`,
      ...file.headers,
      link: `<${LICENSE.url}>; rel="license"`,
      "x-data-version": currentRelease.version,
    },
  });
}

// A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function csvCell(value: Cell): string {
  if (value === null) return "";
  // Lists and objects (citations, roles, slugs) are JSON in their cell, as imports read them.
  let text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV cell as written before `csvCell` guarded it against formulas, so an export imports back unchanged. */
export function unescapeFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) && !NUMBER.test(cell.slice(1)) ? cell.slice(1) : cell;
}

export function csvLine(cells: Cell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function ndjsonLine(names: string[], cells: Cell[]): string {
  return `${JSON.stringify(Object.fromEntries(names.map((name, i) => [name, cells[i]])))}\n`;
}
