// The record formats shared by the seed loader, the importer and the mutations: the record types
// of src/records, and the checks on a single raw record (schema, references, uniqueness, order).

import { isReducedDate, valueAt } from "../records/fields.ts";
import { type Entity, type RecordOf, recordTypes } from "../records/registry.ts";

export { text, valueAt } from "../records/fields.ts";
export { type Entity, entityNames, type RecordOf } from "../records/registry.ts";

/**
 * Every entity a file can hold, in the order they are written (a record's references are written
 * before it). `key` is the field that identifies a record across imports.
 */
export const entities = recordTypes;

/**
 * Fields an export adds to a record's own, named as in the API (`retraction { at reason }` as
 * retractionAt, retractionReason). They are read-only: an import accepts them and ignores them, so
 * that an export imports back unchanged.
 */
export const exportOnlyFields = ["id", "createdAt", "updatedAt", "retractionAt", "retractionReason"] as const;

/** Fields of an entity's records in file order, as imports read them and exports write them (formerSlugs only renames, so it is not exported). */
export function recordFields(entity: Entity): string[] {
  return recordTypes[entity].fieldNames;
}

/** A field of a raw record that names another record by its key. */
export interface Reference {
  field: string;
  target: Entity;
  value: string;
}

/** A problem found in one field of one record. */
export interface FieldProblem {
  field: string;
  found: unknown;
  expected: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object";

/**
 * References of a raw record, valid or not, so that references are checked even in records with
 * other problems.
 */
export function referencesOf(entity: Entity, record: unknown): Reference[] {
  const refs: Reference[] = [];
  if (!isObject(record)) return refs;
  recordTypes[entity].references(record, (field, value, target) => {
    if (typeof value === "string") refs.push({ field, target, value });
  });
  return refs;
}

/** Checks within one raw record that its schema cannot express: repeated list items, end before start. */
export function recordProblems(entity: Entity, record: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isObject(record)) return problems;
  recordTypes[entity].problems(record, {
    unique(field, values, what) {
      const strings = values.map((v) => JSON.stringify(v));
      strings.forEach((s, i) => {
        if (strings.indexOf(s) !== i) problems.push({ field: `${field}[${i}]`, found: values[i], expected: `expected each ${what} once` });
      });
    },
    order(field, start, end) {
      const valid = (d: unknown): d is string => typeof d === "string" && isReducedDate(d);
      if (valid(start) && valid(end) && end < start.slice(0, end.length))
        problems.push({ field, found: end, expected: `expected a date not before the start (${start})` });
    },
  });
  return problems;
}

/** Validates one raw record against its entity's schema; every problem, one per field. */
export function parseRecord<E extends Entity>(entity: E, record: unknown): { data?: RecordOf<E>; problems: FieldProblem[] } {
  const result = recordTypes[entity].schema.safeParse(record);
  const problems = recordProblems(entity, record);
  if (result.success) return { data: problems.length ? undefined : (result.data as RecordOf<E>), problems };
  for (const issue of result.error.issues) {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const at of paths) {
      const expected =
        issue.code === "unrecognized_keys"
          ? "expected no such field (check its spelling)"
          : issue.message.replace(/^Invalid (input|option): /, "");
      problems.push({ field: fieldName(at), found: valueAt(record, at), expected });
    }
  }
  return { problems };
}

export function fieldName(at: readonly PropertyKey[]) {
  const parts = at.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`));
  return parts.join("") || "(record)";
}
