// What each export contains: the records of one entity in the import file format (the same field
// names as the API), with the fields an export adds (global ID, timestamps, retraction). Rows are
// selected, filtered and ordered through the API's own root fields, so a file and the API's answer
// to the same filter hold the same records.
import { type Entity, entities, entityNames, exportOnlyFields, recordFields } from "../import/records.ts";

/** A value as written to a file: lists and objects (citations, roles) stay structured in NDJSON and are JSON in a CSV cell. */
export type Cell = string | number | boolean | Date | null | readonly unknown[] | Record<string, unknown>;

export interface Table {
  /** Root connection field of the API. */
  field: string;
  entity: Entity;
  /** Selection of one node: the record's key and the fields only the API knows. */
  selection: string;
  columns: string[];
}

function table(field: string, entity: Entity): Table {
  return {
    field,
    entity,
    selection: `id ${entities[entity].key} createdAt updatedAt retraction { at reason }`,
    columns: ["id", ...recordFields(entity), ...exportOnlyFields.filter((f) => f !== "id")],
  };
}

/** Entities of the full dataset dump: every record once (institutes and enterprises are organizations), the sources last. */
export const dumpTables: Entity[] = [...entityNames.filter((e) => e !== "sources"), "sources"];

/** Root fields listing a part of an entity's records, exported beside the entity's own list. */
const partialLists: Partial<Record<Entity, string[]>> = { organizations: ["institutes", "enterprises"] };

/** Every record type's own list (its root field is named as its import file), each followed by its partial lists. */
export const tables: Record<string, Table> = Object.fromEntries(
  dumpTables.flatMap((entity) => [
    [entity, table(entity, entity)],
    ...(partialLists[entity] ?? []).map((field) => [field, table(field, entity)]),
  ]),
);

/** The cells of one row: the record as a file holds it, and what the API adds. */
export function rowOf(table: Table, node: any, record: Record<string, unknown>): Cell[] {
  const added: Record<string, Cell> = {
    id: node.id,
    createdAt: node.createdAt,
    updatedAt: node.updatedAt,
    retractionAt: node.retraction?.at ?? null,
    retractionReason: node.retraction?.reason ?? null,
  };
  return table.columns.map((name) => (name in added ? added[name] : ((record[name] ?? null) as Cell)));
}
