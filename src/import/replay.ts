// A record's change log read back: the check that it is a chain, and the record it replays to.
// Entries are in the file format (see RecordWriter.write): a field's value before and after, except
// citations, whose `before` lists those removed and `after` those added.

export interface LoggedChange {
  action: string;
  fields: string[];
  before: unknown;
  after: unknown;
}

const key = (value: unknown) => JSON.stringify(value ?? null);

/**
 * Applies a record's changes, oldest first, from its CREATE. `chain` is false when an entry's
 * `before` is not what the entries before it left (a lost or reordered write).
 */
export function replayHistory(changes: LoggedChange[]): { record: Record<string, any>; chain: boolean } {
  let chain = changes[0]?.action === "CREATE";
  const record: Record<string, any> = { ...(changes[0]?.after as object) };
  for (const change of changes.slice(1)) {
    const before = (change.before ?? {}) as Record<string, any>;
    const after = (change.after ?? {}) as Record<string, any>;
    for (const field of change.fields) {
      if (field !== "citations") {
        if (key(before[field]) !== key(record[field])) chain = false;
        record[field] = after[field];
        continue;
      }
      const stored = new Set((record.citations ?? []).map(key));
      if (!(before.citations ?? []).every((c: unknown) => stored.has(key(c)))) chain = false;
      const removed = new Set((before.citations ?? []).map(key));
      record.citations = [...(record.citations ?? []).filter((c: unknown) => !removed.has(key(c))), ...(after.citations ?? [])];
    }
  }
  return { record, chain };
}
