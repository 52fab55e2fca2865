// Which data a cached answer depends on, by record type ("tags"). A curator write names the
// record types it changed (changedTypes); every cached answer whose operation reads one of them
// is invalidated. Coarser than per record, but never stale: a new record can enter any list of
// its type, so lists must be invalidated by type anyway.
import {
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from "graphql";
import { type RecordModel, recordModels, recordTypeOf, recordTypes } from "../records/registry.ts";

/** Record types of the change log (src/records/registry.ts); "Change" is written by every write. */
export const RECORD_TYPES = [...recordModels, "Change"] as const;
export type RecordType = RecordModel | "Change";
export const isRecordType = (name: unknown): name is RecordType => (RECORD_TYPES as readonly unknown[]).includes(name);

/**
 * Links stored with the record on the left, listing records on the right (a person's roles at
 * organizations, a method's developers, a partnership's participants and methods): a change to
 * them changes what the right-hand records show too. Each record type lists them as its `links`.
 */
const linksOf = (type: RecordType): RecordType[] => (recordTypeOf(type)?.links ?? []).filter(isRecordType);

/** What a write to records of these types invalidates: the types, their links, citations' sources and the change log. */
export function changedTypes(types: Iterable<string>): RecordType[] {
  const changed = new Set<RecordType>();
  for (const type of types) {
    if (!isRecordType(type)) throw new Error(`Unknown record type ${type}`);
    for (const t of [type, ...linksOf(type)]) changed.add(t);
  }
  if (changed.size) for (const t of ["Source", "Change"] as const) changed.add(t);
  return [...changed];
}

/**
 * Types that are not records but read records' tables of their own (not only their parent's row):
 * each record type's `readers` (Role reads Person's), and the dataset, which reads the change log.
 */
const READS: Record<string, RecordType[]> = {
  ...Object.fromEntries(Object.values(recordTypes).flatMap((type) => type.readers.map((reader) => [reader, [type.model]]))),
  Dataset: ["Change"],
};

/** Types answered without reading any table. */
const NO_DATA = ["Query", "Mutation"];

/**
 * The record types each output type of the schema depends on. Records depend on themselves,
 * connections and edges on their nodes, abstract types on every possible type, and value types
 * (only leaves and other value types: dates, money, facets) on nothing but their parent, which is
 * always tagged too. Any other type must be listed in READS or NO_DATA, or this throws: a new
 * type cannot silently escape invalidation. Mutation payloads are never cached.
 */
export function typeTags(schema: GraphQLSchema): Map<string, RecordType[]> {
  const tags = new Map<string, RecordType[]>();
  // Mutation payloads are never cached.
  const mutationResults = Object.values(schema.getMutationType()?.getFields() ?? {}).map((f) => getNamedType(f.type).name);
  const noData = new Set([...NO_DATA, ...mutationResults]);
  const resolving = new Set<string>();
  const tagsOf = (type: GraphQLNamedType): RecordType[] => {
    const known = tags.get(type.name);
    if (known) return known;
    if (resolving.has(type.name)) return [];
    resolving.add(type.name);
    const found = new Set<RecordType>(computeTags(type));
    resolving.delete(type.name);
    tags.set(type.name, [...found]);
    return [...found];
  };
  const computeTags = (type: GraphQLNamedType): RecordType[] => {
    if (isAbstractType(type)) return schema.getPossibleTypes(type).flatMap(tagsOf);
    if (!isObjectType(type)) return [];
    if (isRecordType(type.name)) return [type.name];
    if (READS[type.name]) return READS[type.name];
    if (noData.has(type.name)) return [];
    const fields = type.getFields();
    const node = fields.node ?? edgeNode(type);
    if (node) return tagsOf(getNamedType(node.type));
    const children = Object.values(fields)
      .map((f) => getNamedType(f.type))
      .filter((t) => isObjectType(t) || isAbstractType(t));
    if (children.every((child) => tagsOf(child).length === 0 && !isAbstractType(child))) return [];
    throw new Error(
      `The response cache does not know which records type ${type.name} reads: add it to the readers of its record type in src/records (or to READS)`,
    );
  };
  for (const type of Object.values(schema.getTypeMap())) if (!type.name.startsWith("__")) tagsOf(type);
  return tags;
}

function edgeNode(connection: GraphQLObjectType) {
  const edge = connection.getFields().edges && getNamedType(connection.getFields().edges.type);
  return edge && isObjectType(edge) ? edge.getFields().node : undefined;
}

/** The record types an operation reads: the tags of every selected field's parent and return types. */
export function operationTags(schema: GraphQLSchema, tags: Map<string, RecordType[]>, document: DocumentNode): RecordType[] {
  const found = new Set<RecordType>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        for (const type of [typeInfo.getParentType(), typeInfo.getType() && getNamedType(typeInfo.getType()!)])
          for (const tag of (type && tags.get(type.name)) ?? []) found.add(tag);
      },
    }),
  );
  return [...found].sort();
}
