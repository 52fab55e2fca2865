import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
} from "graphql";
import { DEFAULT_PAGE_SIZE, pageSize } from "../builder.ts";

/** Items assumed for a list that is not a connection (citations, participants, names...). */
export const PLAIN_LIST_SIZE = 10;

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  return field.args.some((a) => a.name === "first") && isObjectType(type) && "edges" in type.getFields();
}

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, node: FieldNode) {
  const name = node.name.value;
  if (name === SchemaMetaFieldDef.name && parent === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name && parent === schema.getQueryType()) return TypeMetaFieldDef;
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/**
 * The largest number of objects (everything in braces) the answer to an operation can hold,
 * computed from the document before anything runs: a connection holds `first` or `last` items
 * (20 when neither is given), `nodes(ids:)` as many items as `ids`, any other list PLAIN_LIST_SIZE items. Nested sizes multiply, as in GitHub's node limit.
 * Throws the page-size error for a `first`/`last` out of range, so it is refused before any SQL.
 * Returns null when the variables are invalid: execution then refuses them without running anything.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): number | null {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const variables = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const known = new Map<string, number>();
  const open = new Set<string>();
  // `pageItems` is the page size of the connection whose selection this is (for its `edges`).
  const ofSet = (set: SelectionSetNode, type: GraphQLCompositeType, pageItems: number | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        total += ofSet(selection.selectionSet, isCompositeType(on) ? on : type, pageItems);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const on = fragment && schema.getType(fragment.typeCondition.name.value);
        const key = `${selection.name.value}:${pageItems}`;
        if (!fragment || !isCompositeType(on) || open.has(key)) continue;
        if (!known.has(key)) {
          open.add(key);
          known.set(key, ofSet(fragment.selectionSet, on, pageItems));
          open.delete(key);
        }
        total += known.get(key)!;
      } else {
        const field = fieldDefinition(schema, type, selection);
        const named = field && getNamedType(field.type);
        if (!field || !selection.selectionSet || !isCompositeType(named)) continue;
        const args = getArgumentValues(field, selection, variables);
        let page: number | undefined;
        if (isConnection(field)) {
          pageSize.maxSize(args);
          page = (args.first ?? args.last ?? DEFAULT_PAGE_SIZE) as number;
        }
        let items = 1;
        if (isListType(getNullableType(field.type))) {
          items = pageItems ?? (Array.isArray(args.ids) ? args.ids.length : PLAIN_LIST_SIZE);
        }
        total += items * (1 + ofSet(selection.selectionSet, named, page));
      }
    }
    return total;
  };
  return ofSet(operation.selectionSet, root, undefined);
}
