// Stored records in the file format the importer reads, as each record type's fields read them
// (src/records): used to apply a partial update on top of what is stored and validate the result
// like any imported record, by the writer to compare and log changes, and by the exports, so that
// an exported file imports back unchanged.
import type { Prisma } from "../generated/prisma/client.ts";
import { type Entity, entities, type RecordOf } from "./records.ts";

type Tx = Prisma.TransactionClient;

/** The record with this key (slug, or url for sources) in file format; null when there is none. */
export async function readRecord<E extends Entity>(tx: Tx, entity: E, key: string): Promise<RecordOf<E> | null> {
  return (await readRecords(tx, entity, [key])).get(key) ?? null;
}

/** The records with these keys in file format, by key; keys without a record are left out. */
export async function readRecords<E extends Entity>(tx: Tx, entity: E, keys: string[]): Promise<Map<string, RecordOf<E>>> {
  const type = entities[entity];
  const records = await type.read(tx, keys);
  // The fields' `read` give each field of the schema's output (src/records/define.ts types them so).
  return new Map(records.map((r) => [String(r[type.key]), r as RecordOf<E>]));
}
