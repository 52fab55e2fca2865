import type { Cell } from "./tables.ts";

// A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function csvCell(value: Cell): string {
  if (value === null) return "";
  // Lists (several citations, names, slugs) share one cell, one item a line.
  let text = Array.isArray(value) ? value.join("\n") : value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: Cell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function ndjsonLine(names: string[], cells: Cell[]): string {
  return `${JSON.stringify(Object.fromEntries(names.map((name, i) => [name, cells[i]])))}\n`;
}
