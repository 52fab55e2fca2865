// Which data a cached answer depends on, by record type ("tags"). A curator write names the
// record types it changed (changedTypes); every cached answer whose operation reads one of them
// is invalidated. Coarser than per record, but never stale: a new record can enter any list of
// its type, so lists must be invalidated by type anyway.
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";

/** Record types of the change log; "Change" is written by every write. */
export const RECORD_TYPES = ["Organization", "Person", "Method", "Partnership", "Programme", "Funding", "Impact", "Source", "Change"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export const isRecordType = (name: unknown): name is RecordType => (RECORD_TYPES as readonly unknown[]).includes(name);

/**
 * Links stored with the record on the left, listing records on the right (a person's roles at
 * organizations, a method's developers, a partnership's participants and methods): a change to
 * them changes what the right-hand records show too.
 */
const LINKED: Partial<Record<RecordType, RecordType[]>> = {
  Person: ["Organization"],
  Method: ["Organization"],
  Partnership: ["Organization", "Method"],
};

/** What a write to records of these types invalidates: the types, their links, citations' sources and the change log. */
export function changedTypes(recordTypes: Iterable<string>): RecordType[] {
  const changed = new Set<RecordType>();
  for (const type of recordTypes) {
    if (!isRecordType(type)) throw new Error(`Unknown record type ${type}`);
    for (const t of [type, ...(LINKED[type] ?? [])]) changed.add(t);
  }
  if (changed.size) for (const t of ["Source", "Change"] as const) changed.add(t);
  return [...changed];
}

/** Types that are not records but read records' tables of their own (not only their parent's row). */
const READS: Record<string, RecordType[]> = {
  Role: ["Person"],
  Participant: ["Partnership"],
  Citation: ["Source"],
  FundingSummary: ["Funding"],
  FundingBucket: ["Funding"],
  ImpactSummary: ["Impact"],
  ImpactBucket: ["Impact"],
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
    const children = Object.values(fields).map((f) => getNamedType(f.type)).filter((t) => isObjectType(t) || isAbstractType(t));
    if (children.every((child) => tagsOf(child).length === 0 && !isAbstractType(child))) return [];
    throw new Error(`The response cache does not know which records type ${type.name} reads: add it to READS in src/cache/tags.ts`);
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
