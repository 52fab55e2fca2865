import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from "graphql";
import type { Cell } from "../export/tables.ts";

/** Items of a list of scalars (a record's slugs, a range's bounds) share one cell, joined by this. */
export const LIST_SEPARATOR = "; ";

/** Alias under which a download asks for the paging of its list, whatever else the query selects. */
export const PAGE_INFO_ALIAS = "downloadPageInfo";

/** The answer to a query that cannot be downloaded, with the reason for the client. */
export class NotOneListError extends Error {}

/**
 * What the columns of a downloaded row are made of: a value (a scalar, or a list of scalars
 * joined), an object (its fields as dotted columns), a list of objects (numbered columns, as many
 * as the longest list of the download: `width`), or a connection (its items as numbered columns,
 * its other fields such as `totalCount` as dotted ones).
 */
export type Shape =
  | { kind: "value" }
  | { kind: "object"; fields: Map<string, Shape> }
  | { kind: "list"; item: Shape; width: number }
  | {
      kind: "connection";
      fields: Map<string, Shape>;
      items: Shape & { kind: "list" };
      /** Response key of its `edges` or `nodes`, whichever the query selects (edges when both). */
      itemsKey: string;
      through: "edges" | "nodes";
      /** Edge fields by response key: their column, or "" for the node, whose fields are the item's. */
      edgeFields: Map<string, string>;
    };

interface Selected {
  key: string;
  nodes: FieldNode[];
  field: GraphQLField<unknown, unknown>;
}

/** The fields a selection set asks for, by response key, fragments expanded (merged as GraphQL merges them). */
function selectedFields(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
  into = new Map<string, Selected>(),
): Map<string, Selected> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith("__")) continue;
      const key = selection.alias?.value ?? selection.name.value;
      const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
      if (!field) continue;
      const found = into.get(key);
      if (found) found.nodes.push(selection);
      else into.set(key, { key, nodes: [selection], field });
    } else {
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      const on = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
      selectedFields(schema, fragment.selectionSet, isCompositeType(on) ? on : type, fragments, into);
    }
  }
  return into;
}

/** A Relay connection: an object with `edges` (or `nodes`) and `pageInfo`, paged with `first`/`after`. */
function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  return (
    field.args.some((a) => a.name === "after") &&
    isObjectType(type) &&
    "pageInfo" in type.getFields() &&
    ("edges" in type.getFields() || "nodes" in type.getFields())
  );
}

function subSelection(selected: Selected): SelectionSetNode {
  return { kind: Kind.SELECTION_SET, selections: selected.nodes.flatMap((n) => n.selectionSet?.selections ?? []) };
}

function shapeOf(schema: GraphQLSchema, selected: Selected, fragments: Map<string, FragmentDefinitionNode>): Shape {
  const type = getNamedType(selected.field.type);
  if (!isCompositeType(type)) return { kind: "value" };
  const set = subSelection(selected);
  if (isConnection(selected.field)) return connectionShape(schema, set, type, fragments);
  const fields = objectFields(schema, set, type, fragments);
  return isListType(getNullableType(selected.field.type))
    ? { kind: "list", item: { kind: "object", fields }, width: 0 }
    : { kind: "object", fields };
}

function objectFields(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
): Map<string, Shape> {
  const fields = new Map<string, Shape>();
  for (const [key, selected] of selectedFields(schema, set, type, fragments)) fields.set(key, shapeOf(schema, selected, fragments));
  return fields;
}

/**
 * An item of a connection is its node, with the fields selected on the edge beside it (a
 * partnership's `role`, the `cursor`) as columns of their own; one the node also has is `edge.<name>`.
 */
function connectionShape(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
): Shape & { kind: "connection" } {
  const selected = selectedFields(schema, set, type, fragments);
  const fields = new Map<string, Shape>();
  const item = new Map<string, Shape>();
  const edgeFields = new Map<string, string>();
  let through: "edges" | "nodes" | undefined;
  let itemsKey = "nodes";
  for (const [key, s] of selected) {
    const name = s.nodes[0].name.value;
    if ((name === "edges" || name === "nodes") && !through) {
      through = name;
      itemsKey = key;
      const itemType = getNamedType(s.field.type) as GraphQLCompositeType;
      if (name === "nodes") {
        for (const [k, v] of objectFields(schema, subSelection(s), itemType, fragments)) item.set(k, v);
        continue;
      }
      const edge = selectedFields(schema, subSelection(s), itemType, fragments);
      const node = [...edge.values()].find((e) => e.nodes[0].name.value === "node");
      const nodeFields = node
        ? objectFields(schema, subSelection(node), getNamedType(node.field.type) as GraphQLCompositeType, fragments)
        : new Map<string, Shape>();
      for (const [k, e] of edge) {
        if (e === node) continue;
        const column = nodeFields.has(k) ? `edge.${k}` : k;
        edgeFields.set(k, column);
        item.set(column, shapeOf(schema, e, fragments));
      }
      for (const [k, v] of nodeFields) item.set(k, v);
      if (node) edgeFields.set(node.key, "");
    } else if (name !== "edges" && name !== "nodes") {
      fields.set(key, shapeOf(schema, s, fragments));
    }
  }
  return {
    kind: "connection",
    fields,
    items: { kind: "list", item: { kind: "object", fields: item }, width: 0 },
    itemsKey,
    through: through ?? "nodes",
    edgeFields,
  };
}

/** The items of a connection's answer, each an object of the item shape's fields. */
export function itemsOf(shape: Shape & { kind: "connection" }, value: Record<string, any>): Record<string, unknown>[] {
  const list = value[shape.itemsKey];
  if (!Array.isArray(list)) return [];
  if (shape.through === "nodes") return list;
  return list.map((edge) => {
    const item: Record<string, unknown> = {};
    for (const [k, column] of shape.edgeFields) {
      if (column === "") Object.assign(item, edge?.[k] ?? {});
      else item[column] = edge?.[k];
    }
    return item;
  });
}

function joined(value: unknown): Cell {
  if (!Array.isArray(value)) return value as Cell;
  return value
    .map((v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)))
    .join(LIST_SEPARATOR);
}

const column = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

/** Writes the cells of `value` into `row` under dotted column names, widening the shape's lists to fit. */
export function flatten(shape: Shape, value: unknown, name: string, row: Record<string, Cell>): void {
  if (shape.kind === "value") {
    row[name] = joined(value ?? null);
    return;
  }
  if (value === null || value === undefined) return;
  if (shape.kind === "list") {
    const items = value as unknown[];
    shape.width = Math.max(shape.width, items.length);
    items.forEach((item, i) => {
      flatten(shape.item, item, column(name, String(i)), row);
    });
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, field] of shape.fields) flatten(field, record[key], column(name, key), row);
  if (shape.kind === "connection") flatten(shape.items, itemsOf(shape, record), name, row);
}

/** The CSV columns of a shape, once every row has been flattened (so lists are as wide as their longest). */
export function columns(shape: Shape, name = ""): string[] {
  if (shape.kind === "value") return [name];
  if (shape.kind === "list") return Array.from({ length: shape.width }, (_, i) => columns(shape.item, column(name, String(i)))).flat();
  const own = [...shape.fields].flatMap(([key, field]) => columns(field, column(name, key)));
  return shape.kind === "connection" ? [...own, ...columns(shape.items, name)] : own;
}

/** The list a query downloads: where it is in the answer, the shape of its items, and the query for each page. */
export interface DownloadList {
  /** Response keys from the root of the answer to the connection. */
  path: string[];
  connection: Shape & { kind: "connection" };
  /** The operation with the list asking for `pageSize` items after `cursor`, and for its paging. */
  page(cursor: string | null): DocumentNode;
}

/**
 * Finds the one list an operation's answer is: a root connection, or one record's connection
 * (`organization(slug:) { fundings { ... } }`), with nothing else selected beside it on the way.
 */
export function downloadList(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  pageSize: number,
): DownloadList {
  const fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  let type: GraphQLCompositeType = schema.getQueryType()!;
  let set = operation.selectionSet;
  const path: string[] = [];
  for (;;) {
    const selected: Selected[] = [...selectedFields(schema, set, type, fragments).values()];
    const where = path.length ? `\`${path.join(".")}\`` : "the query";
    if (selected.length !== 1) {
      throw new NotOneListError(
        `The answer is not one list: ${where} asks for ${selected.length ? `${selected.length} fields (${selected.map((s) => s.key).join(", ")})` : "no field"}. ` +
          "A download is the items of one list, such as `fundings { edges { node { ... } } }` or `organization(slug: ...) { fundings { ... } }`: select that list alone",
      );
    }
    const field: Selected = selected[0];
    path.push(field.key);
    if (isConnection(field.field)) return listAt(schema, document, field, path, fragments, pageSize);
    const named: GraphQLNamedType = getNamedType(field.field.type);
    if (!isCompositeType(named) || isListType(getNullableType(field.field.type))) {
      throw new NotOneListError(
        `The answer is not one list: \`${path.join(".")}\` is not a list that can be paged (a connection, with \`edges\` or \`nodes\`), so there is nothing to download as rows`,
      );
    }
    type = named;
    set = subSelection(field);
  }
}

function listAt(
  schema: GraphQLSchema,
  document: DocumentNode,
  field: Selected,
  path: string[],
  fragments: Map<string, FragmentDefinitionNode>,
  pageSize: number,
): DownloadList {
  const connection = connectionShape(schema, subSelection(field), getNamedType(field.field.type) as GraphQLCompositeType, fragments);
  const targets = new Set(field.nodes);
  return {
    path,
    connection,
    page: (cursor) =>
      visit(document, {
        Field(node) {
          if (!targets.has(node)) return undefined;
          const args = node.arguments?.filter((a) => !["first", "last", "before", "after"].includes(a.name.value)) ?? [];
          const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
          args.push({ kind: Kind.ARGUMENT, name: name("first"), value: { kind: Kind.INT, value: String(pageSize) } });
          if (cursor !== null) args.push({ kind: Kind.ARGUMENT, name: name("after"), value: { kind: Kind.STRING, value: cursor } });
          const pageInfo: FieldNode = {
            kind: Kind.FIELD,
            alias: name(PAGE_INFO_ALIAS),
            name: name("pageInfo"),
            selectionSet: {
              kind: Kind.SELECTION_SET,
              selections: ["hasNextPage", "endCursor"].map((f) => ({ kind: Kind.FIELD, name: name(f) }) as FieldNode),
            },
          };
          return {
            ...node,
            arguments: args,
            selectionSet: { kind: Kind.SELECTION_SET, selections: [...(node.selectionSet?.selections ?? []), pageInfo] },
          };
        },
      }),
  };
}
