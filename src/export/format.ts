import type { Cell } from "./tables.ts";

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
