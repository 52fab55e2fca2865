// The Frictionless Data Package descriptor of the dataset dump (datapackage.json): its resources,
// and a Table Schema per entity whose field types come from the import format and whose
// descriptions come from the GraphQL schema, so open-data tools can load the dump unaided.
import { type GraphQLSchema, isInputObjectType, isObjectType } from "graphql";
import { type Entity, entities, type exportOnlyFields } from "../import/records.ts";
import { citationText, currentRelease, LICENSE, TITLE } from "./metadata.ts";

interface ZodDef {
  type: string;
  innerType?: { _zod: { def: ZodDef } };
  in?: { _zod: { def: ZodDef } };
  entries?: Record<string, string>;
  format?: string;
  checks?: { _zod: { def: { check: string; format?: string; pattern?: RegExp } } }[];
}

export interface TableField {
  name: string;
  type: string;
  format?: string;
  description: string;
  constraints?: { required?: boolean; enum?: string[]; pattern?: string };
}

/** The Table Schema type of a field of the import format: its JSON value, and how a CSV cell writes it. */
function typeOf(def: ZodDef): Omit<TableField, "name" | "description"> {
  let required = true;
  while (def.type === "nullable" || def.type === "optional" || def.type === "pipe") {
    if (def.type !== "pipe") required = false;
    def = (def.innerType ?? def.in)!._zod.def;
  }
  const constraints = (extra: TableField["constraints"] = {}) => ({ constraints: { ...(required ? { required } : {}), ...extra } });
  if (def.type === "number") return { type: "integer", ...constraints() };
  if (def.type === "array") return { type: "array" };
  if (def.type === "object") return { type: "object", ...constraints() };
  if (def.type === "enum") return { type: "string", ...constraints({ enum: Object.values(def.entries!) }) };
  if (def.format === "url") return { type: "string", format: "uri", ...constraints() };
  const pattern = def.checks?.map((c) => c._zod.def.pattern).find(Boolean);
  // Exact decimals (amounts, values) are numbers; partial dates (2024, 2024-06, 2024-11-20) stay text.
  if (pattern && /\\d\{1,/.test(pattern.source)) return { type: "number", ...constraints() };
  return { type: "string", ...constraints() };
}

const ADDED_TYPES: Record<(typeof exportOnlyFields)[number], Omit<TableField, "name" | "description">> = {
  id: { type: "string", constraints: { required: true } },
  createdAt: { type: "datetime", format: "any", constraints: { required: true } },
  updatedAt: { type: "datetime", format: "any", constraints: { required: true } },
  retractionAt: { type: "datetime", format: "any" },
  retractionReason: { type: "string" },
};

/** Descriptions of the columns: the mutation input's for the record's fields (they describe the file format), the object type's for the rest. */
function describe(schema: GraphQLSchema, entity: Entity, name: string): string {
  const model = entities[entity].model;
  const input = schema.getType(`${model}Fields`);
  const object = schema.getType(model);
  const retraction = schema.getType("Retraction");
  const of = (type: unknown, field: string) =>
    isInputObjectType(type) || isObjectType(type) ? (type.getFields()[field]?.description ?? undefined) : undefined;
  const found =
    of(input, name) ??
    of(object, name) ??
    (name.startsWith("retraction")
      ? `${of(object, "retraction")}: ${of(retraction, name.slice("retraction".length).toLowerCase())}`
      : undefined);
  if (!found) throw new Error(`No description for the column ${entity}.${name}`);
  return found;
}

/** Table Schema of an entity's export, in its column order. */
export function tableSchema(schema: GraphQLSchema, entity: Entity, columns: string[]) {
  const shape = entities[entity].schema.shape as Record<string, { _zod: { def: ZodDef } }>;
  const fields: TableField[] = columns.map((name) => ({
    name,
    ...(name in ADDED_TYPES ? ADDED_TYPES[name as keyof typeof ADDED_TYPES] : typeOf(shape[name]._zod.def)),
    description: describe(schema, entity, name),
  }));
  return { fields, primaryKey: ["id"], missingValues: [""] };
}

export interface DumpFile {
  name: string;
  entity: Entity;
  format: "csv" | "ndjson";
  bytes: number;
  sha256: string;
}

/** datapackage.json for the files of the dump. */
export function dataPackage(schema: GraphQLSchema, files: DumpFile[], columnsOf: (entity: Entity) => string[]) {
  return {
    profile: "data-package",
    name: "kz-science-industry-graph",
    id: `kz-science-industry-graph-${currentRelease.version}`,
    title: TITLE,
    description:
      "Open dataset of how Kazakhstan's research reaches its mining and metallurgical industry: organizations, people, methods, partnerships, funding programmes, funding and reported impacts, each fact with the public source that states it and the exact quote",
    version: currentRelease.version,
    created: `${currentRelease.releasedAt}T00:00:00Z`,
    licenses: [{ name: "CC-BY-4.0", title: LICENSE.title, path: LICENSE.url }],
    sources: [
      { title: "Public documents listed in sources.csv, each quoted by the citations of the records that rest on it", path: "sources.csv" },
    ],
    citation: citationText(),
    dataChecksum: currentRelease.checksum,
    resources: files.map((f) => ({
      name: f.format === "csv" ? f.name.replace(/\.csv$/, "") : f.name.replace(/\.ndjson$/, "-ndjson"),
      path: f.name,
      profile: f.format === "csv" ? "tabular-data-resource" : "data-resource",
      format: f.format,
      mediatype: f.format === "csv" ? "text/csv" : "application/x-ndjson",
      encoding: "utf-8",
      bytes: f.bytes,
      hash: `sha256:${f.sha256}`,
      ...(f.format === "csv"
        ? { dialect: { delimiter: ",", lineTerminator: "\r\n", quoteChar: '"', doubleQuote: true, header: true } }
        : {}),
      schema: tableSchema(schema, f.entity, columnsOf(f.entity)),
    })),
  };
}
