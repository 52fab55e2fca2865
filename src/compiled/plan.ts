// Compiled reads: a query made only of fields the schema declares plannable (extensions.compiledReads,
// Pothos's exposed fields, relay's ids and connections) is answered by loading exactly the selected
// columns, a fixed number of statements per connection level, and building the answer object
// directly, without a resolver call per field. Anything else returns null and runs through normal
// execution, which also produces every error but one: a database failure, which the planner reports
// itself rather than sending the query to the database a second time.
import { createRequire } from "node:module";
import { getMappedArgumentValues } from "@pothos/core";
import { formatPrismaCursor, prismaConnectionHelpers } from "@pothos/plugin-prisma";
import { encodeGlobalID } from "@pothos/plugin-relay";
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  locatedError,
  type OperationDefinitionNode,
  type ValueNode,
  visit,
} from "graphql";
import pg from "pg";
import { builder, pageSize } from "../builder.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { isDatabaseUnavailable } from "../http/outage.ts";
import { loadPageChain } from "../schema/related-pages.ts";
import type { CompiledReads, PageQuery } from "./declarations.ts";

// graphql-js's own field collection (directives, fragments, type conditions), which it does not export
// from its index; required by path, as the test runner aliases the package name to its index file.
const { collectFields, collectSubfields } = createRequire(import.meta.url)(
  "graphql/execution/collectFields",
) as typeof import("graphql/execution/collectFields");

type Args = Record<string, unknown>;
type Row = Record<string, unknown>;
type Source = Exclude<CompiledReads, { columns: string[] }>;

/** Produces one response key of an object from the object's value (a row, or a value a resolver returned). */
type Read = (value: Row, run: Run) => unknown;

/**
 * One response key of an object. `property` names what it reads from its parent value (a Pothos exposed
 * field, or a connection's edges, pageInfo, node, totalCount), so a connection's plan can tell what it selects.
 */
interface FieldPlan {
  key: string;
  read: Read;
  property?: string;
  object?: ObjectPlan;
}

interface ObjectPlan {
  fields: FieldPlan[];
  /** Columns of the record this object is read from (for a model's objects). */
  columns: Set<string>;
  /** Connections below this object, loaded for all its rows at once. */
  connections: ConnectionPlan[];
}

interface ConnectionPlan {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  source: Source;
  /** The records' own plan (edges.node), whose columns the statement reads. */
  records: ObjectPlan;
  cursors: boolean;
  totalCount: boolean;
}

interface Plan {
  root: ObjectPlan;
  /** Fields whose arguments are read per request (they may hold variables). */
  withArgs: FieldWithArgs[];
}

interface FieldWithArgs {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

class NotPlanned extends Error {}

function sourceOf(field: GraphQLField<unknown, unknown>): CompiledReads | undefined {
  return (field.extensions as { compiledReads?: CompiledReads }).compiledReads;
}

/** Builds the plan of one operation for one set of directive values; throws NotPlanned for what it cannot compile. */
function buildPlan(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Args,
  operation: OperationDefinitionNode,
): Plan {
  const withArgs: Plan["withArgs"] = [];
  const objectPlan = (
    type: GraphQLObjectType,
    fields: Map<string, readonly FieldNode[]>,
    shape: "record" | "connection" | "edge" | "value",
  ): ObjectPlan => {
    const plan: ObjectPlan = { fields: [], columns: new Set(shape === "record" ? ["id"] : []), connections: [] };
    for (const [key, nodes] of fields) {
      const name = nodes[0].name.value;
      if (name === "__typename") {
        plan.fields.push({ key, read: () => type.name });
        continue;
      }
      const field = type.getFields()[name];
      if (!field) throw new NotPlanned();
      const named = getNamedType(field.type);
      const sub = (s: "record" | "connection" | "edge" | "value") => {
        if (isLeafType(named)) return undefined;
        if (!isObjectType(named)) throw new NotPlanned();
        return objectPlan(named, collectSubfields(schema, fragments, variables, named, nodes), s);
      };
      const declared = sourceOf(field);
      const exposed = (field.extensions as { pothosExposedField?: string }).pothosExposedField;
      const property = (from: string, object: ObjectPlan | undefined) => {
        const complete = completer(field.type, object);
        plan.fields.push({ key, property: from, object, read: (value, run) => complete(value[from], run) });
      };
      if (shape === "connection" && (name === "edges" || name === "pageInfo" || name === "totalCount")) {
        property(name, sub(name === "edges" ? "edge" : "value"));
      } else if (shape === "edge" && name === "node") {
        property(name, sub("record"));
      } else if (exposed && field.args.length === 0) {
        // A record's exposed relation would make the select load it: only its columns are read here.
        if (shape === "record" && !isLeafType(named)) throw new NotPlanned();
        if (shape === "record") plan.columns.add(exposed);
        property(exposed, sub("value"));
      } else if (declared && "columns" in declared) {
        for (const column of declared.columns) plan.columns.add(column);
        const resolve = field.extensions.pothosOriginalResolve as (parent: unknown, args: Args, context: object) => unknown;
        const complete = completer(field.type, sub("value"));
        const withArgsOf = { field, node: nodes[0] };
        if (field.args.length > 0) withArgs.push(withArgsOf);
        plan.fields.push({
          key,
          read: (value, run) => {
            const result = resolve(value, run.args.get(withArgsOf) ?? {}, run.context);
            if (result instanceof Promise) throw new NotPlanned();
            return complete(result, run);
          },
        });
      } else if (declared && ("list" in declared ? type === schema.getQueryType() : shape === "record")) {
        const source = declared as Source;
        const connectionType = getNamedType(field.type);
        if (!isObjectType(connectionType)) throw new NotPlanned();
        const connection = objectPlan(connectionType, collectSubfields(schema, fragments, variables, connectionType, nodes), "connection");
        const selected = (plans: ObjectPlan[], names: string[]) =>
          plans.flatMap((p) => p.fields.filter((f) => names.includes(f.property!)).map((f) => f.object!));
        const edges = selected([connection], ["edges"]);
        const records = mergedRecords(selected(edges, ["node"]));
        const cursors =
          selected(edges, ["cursor"]).length + selected(selected([connection], ["pageInfo"]), ["startCursor", "endCursor"]).length > 0;
        const totalCount = selected([connection], ["totalCount"]).length > 0;
        const connectionPlan: ConnectionPlan = { field, node: nodes[0], source, records, cursors, totalCount };
        withArgs.push(connectionPlan);
        plan.connections.push(connectionPlan);
        const complete = completer(field.type, connection);
        const atRoot = "list" in source;
        plan.fields.push({
          key,
          read: (value, run) => complete(run.results.get(connectionPlan)!.get(atRoot ? 0 : (value.id as number)), run),
        });
      } else if (shape === "record" && name === "id" && isNodeId(type)) {
        plan.columns.add("id");
        const serialize = (type.extensions as unknown as NodeExtensions).pothosOptions.id.resolve;
        plan.fields.push({ key, read: (value) => encodeGlobalID(type.name, serialize(value)) });
      } else {
        throw new NotPlanned();
      }
    }
    return plan;
  };
  const queryType = schema.getQueryType()!;
  const root = objectPlan(queryType, collectFields(schema, fragments, variables, queryType, operation.selectionSet), "value");
  return { root, withArgs };
}

interface NodeExtensions {
  pothosOptions: { id: { resolve: (row: Row) => string } };
}

function isNodeId(type: GraphQLObjectType): boolean {
  const options = (type.extensions as Partial<NodeExtensions>).pothosOptions;
  return typeof options?.id?.resolve === "function" && type.getInterfaces().some((i) => i.name === "Node");
}

/** The records of a connection are read once even when several edges selections name `node`. */
function mergedRecords(plans: ObjectPlan[]): ObjectPlan {
  if (plans.length === 1) return plans[0];
  const merged: ObjectPlan = { fields: [], columns: new Set(["id"]), connections: [] };
  for (const plan of plans) {
    for (const column of plan.columns) merged.columns.add(column);
    merged.connections.push(...plan.connections);
  }
  return merged;
}

/** Variables a @skip or @include reads: the plan of an operation depends on their values only. */
function directiveVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(node) {
      if (node.name.value !== "skip" && node.name.value !== "include") return;
      for (const arg of node.arguments ?? []) {
        visit(arg.value as ValueNode, {
          Variable(v) {
            names.add(v.name.value);
          },
        });
      }
    },
  });
  return [...names];
}

interface CachedOperation {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  directiveVariables: string[];
  plans: Map<string, Plan | null>;
}

const cache = new WeakMap<DocumentNode, Map<string, CachedOperation | null>>();

function cachedOperation(document: DocumentNode, operationName: string | null | undefined): CachedOperation | null {
  let byName = cache.get(document);
  if (!byName) cache.set(document, (byName = new Map()));
  const name = operationName ?? "";
  let found = byName.get(name);
  if (found === undefined) {
    const operation = getOperationAST(document, operationName);
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    found =
      operation?.operation === "query"
        ? { operation, fragments, directiveVariables: directiveVariables(document), plans: new Map() }
        : null;
    byName.set(name, found);
  }
  return found;
}

type PageQueryOf = (args: Args, context: object) => PageQuery;
const pageQueries = new Map<string, PageQueryOf>();

/** Take, skip and cursor exactly as the field's own prismaConnection computes them (same page sizes, same argument checks). */
function pageQuery(model: string, args: Args, context: object): PageQuery {
  let of = pageQueries.get(model);
  if (!of) {
    const helper = prismaConnectionHelpers(builder, model as never, {
      cursor: "id",
      maxSize: pageSize.maxSize as never,
      defaultSize: pageSize.defaultSize,
    });
    of = (a, c) => helper.getQuery(a as never, c as never, () => true) as unknown as PageQuery;
    pageQueries.set(model, of);
  }
  const { take, skip, cursor } = of(args, context);
  return cursor ? { take, skip, cursor } : { take, skip };
}

/** The rows a page shows: a full read holds one more, which tells that more follow. */
const shownRows = (rows: Row[], take: number) =>
  rows.length === Math.abs(take) ? rows.slice(take < 0 ? 1 : 0, take < 0 ? rows.length : -1) : rows;

/** A connection object as Pothos's wrapConnectionResult builds it; cursors only when the query selects them. */
function connectionValue(rows: Row[], args: Args, take: number, cursors: boolean, totalCount?: number) {
  const full = rows.length === Math.abs(take);
  const backward = args.before != null || args.last != null;
  const edges = shownRows(rows, take).map((node) => (cursors ? { cursor: formatPrismaCursor(node, "id"), node } : { node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: args.before != null ? true : args.last != null ? false : full,
      hasPreviousPage: args.after != null ? true : backward ? full : false,
      startCursor: (edges[0] as { cursor?: string } | undefined)?.cursor ?? null,
      endCursor: (edges[edges.length - 1] as { cursor?: string } | undefined)?.cursor ?? null,
    },
    totalCount,
  };
}

interface Run {
  context: object;
  args: Map<unknown, Args>;
  /** Connection objects of each connection plan by parent id (0 at the root). */
  results: Map<ConnectionPlan, Map<number, Row>>;
  signal?: AbortSignal;
}

async function loadConnections(plans: ConnectionPlan[], parents: Row[], run: Run): Promise<void> {
  await Promise.all(
    plans.map(async (plan) => {
      if (run.signal?.aborted) throw new NotPlanned();
      const args = run.args.get(plan)!;
      const results = new Map<number, Row>();
      run.results.set(plan, results);
      const columns = [...plan.records.columns];
      let records: Row[];
      if ("list" in plan.source) {
        const { list } = plan.source;
        const query = pageQuery(list.model, args, run.context);
        const [rows, total] = await Promise.all([
          list.find({ ...query, select: Object.fromEntries(columns.map((c) => [c, true])) }, args) as Promise<Row[]>,
          plan.totalCount ? list.count(args) : undefined,
        ]);
        results.set(0, connectionValue(rows, args, query.take, plan.cursors, total));
        records = shownRows(rows, query.take);
      } else {
        // Nested pages with nothing else beside them at each level are read in one statement.
        const chain = [plan];
        for (let last = plan; last.records.connections.length === 1 && "pages" in last.records.connections[0].source; ) {
          chain.push((last = last.records.connections[0]));
        }
        const levels = chain.map((level) => {
          const { pages } = level.source as Extract<Source, { pages: unknown }>;
          const levelArgs = run.args.get(level)!;
          return { plan: level, pages, args: levelArgs, query: pageQuery(pages.model, levelArgs, run.context) };
        });
        let ids = [...new Set(parents.map((p) => p.id as number))];
        const loaded =
          ids.length === 0
            ? levels.map(() => new Map<number, Row[]>())
            : await loadPageChain(
                levels.map((l) => l.pages.level(l.query, l.args, [...l.plan.records.columns])),
                ids,
              );
        records = [];
        for (const [i, level] of levels.entries()) {
          const levelResults = i === 0 ? results : new Map<number, Row>();
          run.results.set(level.plan, levelResults);
          const totals = level.plan.totalCount && ids.length > 0 ? await level.pages.count(ids, level.args) : undefined;
          records = [];
          ids.forEach((id, j) => {
            const page = loaded[i].get(id) ?? [];
            levelResults.set(id, connectionValue(page, level.args, level.query.take, level.plan.cursors, totals?.[j]));
            records.push(...shownRows(page, level.query.take));
          });
          ids = [...new Set(records.map((r) => r.id as number))];
        }
        const last = chain[chain.length - 1];
        if (last.records.connections.length > 0) await loadConnections(last.records.connections, records, run);
        return;
      }
      if (plan.records.connections.length > 0) await loadConnections(plan.records.connections, records, run);
    }),
  );
}

type Complete = (value: unknown, run: Run) => unknown;

/** Completes a value of `type` as graphql-js would; throws NotPlanned where it would raise an error. Built once per plan. */
function completer(type: GraphQLOutputType, object: ObjectPlan | undefined): Complete {
  if (isNonNullType(type)) {
    const inner = completer(type.ofType, object);
    return (value, run) => {
      const completed = inner(value, run);
      if (completed == null) throw new NotPlanned();
      return completed;
    };
  }
  if (isListType(type)) {
    const item = completer(type.ofType, object);
    return (value, run) => {
      if (value == null) return null;
      if (!Array.isArray(value)) throw new NotPlanned();
      const out = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = item(value[i], run);
      return out;
    };
  }
  if (isLeafType(type)) {
    return (value) => {
      if (value == null) return null;
      const serialized = type.serialize(value);
      if (serialized == null) throw new NotPlanned();
      return serialized;
    };
  }
  return (value, run) => (value == null ? null : assemble(object!, value as Row, run));
}

function assemble(plan: ObjectPlan, value: Row, run: Run): Row {
  const out: Row = {};
  for (const field of plan.fields) out[field.key] = field.read(value, run);
  return out;
}

/** The database failed or could not be reached (node-postgres's errors: the statement of nested pages; Prisma's: the others). */
const isDatabaseFailure = (error: unknown) =>
  error instanceof pg.DatabaseError ||
  isDatabaseUnavailable(error) ||
  error instanceof Prisma.PrismaClientKnownRequestError ||
  error instanceof Prisma.PrismaClientUnknownRequestError ||
  error instanceof Prisma.PrismaClientInitializationError ||
  error instanceof Prisma.PrismaClientRustPanicError;

/**
 * The answer to `args` by compiled reads, or null when the operation cannot be compiled or something
 * would have made normal execution raise an error (which it then reports itself).
 */
export async function executeCompiled(args: ExecutionArgs): Promise<ExecutionResult | null> {
  const cached = cachedOperation(args.document, args.operationName);
  if (!cached) return null;
  const coerced = getVariableValues(args.schema, cached.operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Args);
  if (coerced.errors) return null;
  const variables = coerced.coerced;
  const signature = JSON.stringify(cached.directiveVariables.map((name) => variables[name]));
  let plan = cached.plans.get(signature);
  if (plan === undefined) {
    try {
      plan = buildPlan(args.schema, cached.fragments, variables, cached.operation);
    } catch (error) {
      if (!(error instanceof NotPlanned)) throw error;
      plan = null;
    }
    cached.plans.set(signature, plan);
  }
  if (!plan) return null;
  const context = args.contextValue as object;
  const run: Run = { context, args: new Map(), results: new Map(), signal: (args as { signal?: AbortSignal }).signal };
  try {
    for (const entry of plan.withArgs) {
      const values = await getMappedArgumentValues(entry.field, entry.node, context, { variableValues: variables } as never);
      if (values === null) return null;
      run.args.set(entry, values as Args);
    }
    await loadConnections(plan.root.connections, [], run);
    return { data: assemble(plan.root, {}, run) };
  } catch (error) {
    // The database failed (a statement timeout, a lost connection) or the execution timed out: running the
    // query again through normal execution would only fail again, twice as slowly. maskError reports it.
    if (run.signal?.aborted || isDatabaseFailure(error)) return { data: null, errors: [locatedError(error, undefined)] };
    // Bad page arguments, an invalid cursor or ID, a null where the schema promises a value: normal
    // execution reports each exactly as it always has.
    return null;
  }
}
