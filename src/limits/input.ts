// Input that PostgreSQL would refuse (a NUL character, an ID beyond its integer), input nested deep
// enough to exhaust the stack, bodies a cross-site form can send, and writes a cross-site page could
// make a visitor's browser send: all refused here, before anything runs, with what was wrong and where.
import {
  type ASTVisitor,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isListType,
  Kind,
  type OperationDefinitionNode,
  typeFromAST,
  type ValidationContext,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { CSRF_HEADER } from "../auth/guard.ts";
import { ApiError } from "../http/errors.ts";

/** Whether a number fits PostgreSQL's integer, the type of every table's id. */
const isInt4 = (digits: string) => Number(digits) >= -2_147_483_648 && Number(digits) <= 2_147_483_647;

function nulProblem(text: string): string | null {
  return text.includes("\u0000") ? "contains a NUL character (\\u0000), which text cannot hold; remove it" : null;
}

/** The text of a base64 value, or null when `value` is not exactly the base64 of a text. */
function fromBase64(value: string): string | null {
  const decoded = Buffer.from(value, "base64").toString("utf8");
  return Buffer.from(decoded).toString("base64") === value ? decoded : null;
}

/**
 * A global ID (base64 of `Type:number`) whose number no row can have, or a String that is a page
 * cursor (base64 of `GPC:`, Pothos's format) other than `GPC:N:<id>`, the only kind this API
 * returns: every connection pages by id, so another kind or a number beyond int4 would reach the
 * database. Other values are left to the fields that decode them.
 */
function encodedProblem(value: string, type: string): string | null {
  const decoded = type === "ID" || type === "String" ? fromBase64(value) : null;
  if (type === "ID") {
    const id = decoded && /^[A-Za-z]+:(-?\d+)$/.exec(decoded)?.[1];
    if (id && !isInt4(id))
      return `is not an ID of this API (its number ${id.slice(0, 30)} is beyond PostgreSQL's integer); use an \`id\` value returned by a query`;
  } else if (decoded?.startsWith("GPC:")) {
    const id = /^GPC:N:(-?\d{1,10})$/.exec(decoded)?.[1];
    if (!id || !isInt4(id)) return "is not a cursor of this API; use a `cursor`, `startCursor` or `endCursor` value returned by a query";
  }
  return null;
}

/**
 * The first string (or object key) with a NUL character in parsed JSON, or a nesting deeper than
 * `maxDepth`; walked without recursion, so no depth of input can overflow the stack.
 */
function jsonProblem(value: unknown, root: string, name: string, maxDepth: number): string | null {
  const stack: Array<[value: unknown, path: string, depth: number]> = [[value, name, 0]];
  while (stack.length) {
    const [item, path, depth] = stack.pop()!;
    const where = `${root} "${path.length > 200 ? `${path.slice(0, 200)}…` : path}"`;
    if (typeof item === "string") {
      const problem = nulProblem(item);
      if (problem) return `${where} ${problem}`;
    } else if (item !== null && typeof item === "object") {
      if (depth >= maxDepth)
        return `${where} is nested more than ${maxDepth} levels deep (lists and objects inside each other); the limit is ${maxDepth}`;
      for (const [key, inner] of Object.entries(item)) {
        const problem = nulProblem(key);
        if (problem) return `${where} has a field name that ${problem}`;
        stack.push([inner, Array.isArray(item) ? `${path}[${key}]` : `${path}.${key}`, depth + 1]);
      }
    }
  }
  return null;
}

/** Walks a variable's value along its GraphQL type, returning the first ID or cursor no row can have. */
function variableProblem(type: GraphQLInputType, value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const problem = variableProblem(nullable.ofType, items[i], Array.isArray(value) ? `${path}[${i}]` : path);
      if (problem) return problem;
    }
  } else if (isInputObjectType(nullable)) {
    if (typeof value !== "object") return null;
    const fields = nullable.getFields();
    for (const [name, inner] of Object.entries(value)) {
      const problem = fields[name] ? variableProblem(fields[name].type, inner, `${path}.${name}`) : null;
      if (problem) return problem;
    }
  } else if (typeof value === "string") {
    const problem = encodedProblem(value, nullable.name);
    if (problem) return `Variable "${path}" ${problem}`;
  }
  return null;
}

function variablesProblem(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): string | null {
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const name = definition.variable.name.value;
    const problem = type ? variableProblem(type, variables[name], `$${name}`) : null;
    if (problem) return problem;
  }
  return null;
}

/** A validation rule refusing string literals with a NUL character, and IDs and cursors no row can have. */
function literalsRule(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node, _key, parent, _path, ancestors) {
      const type = context.getInputType();
      const problem = nulProblem(node.value) ?? (type ? encodedProblem(node.value, getNamedType(type).name) : null);
      if (!problem) return;
      const argument = context.getArgument();
      const fields = [...ancestors, parent].flatMap((a) => (a && "kind" in a && a.kind === Kind.OBJECT_FIELD ? [a.name.value] : []));
      const field = context.getFieldDef();
      const where = argument ? `Argument "${[argument.name, ...fields].join(".")}"${field ? ` of "${field.name}"` : ""}` : "A value";
      context.reportError(new GraphQLError(`${where} ${problem}`, { nodes: node, extensions: { code: "BAD_USER_INPUT" } }));
    },
  };
}

function isJson(request: Request): boolean {
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  return type === "application/json";
}

/** Whether a request comes from a browser: browsers send Origin with every write, and Sec-Fetch-* headers. */
function fromBrowser(request: Request): boolean {
  if (request.headers.has("origin")) return true;
  for (const name of request.headers.keys()) if (name.startsWith("sec-fetch-")) return true;
  return false;
}

/**
 * (The CSRF check is ours, not @graphql-yoga/plugin-csrf-prevention: that plugin asks for its header
 * on every request a browser sends without a preflight, GET queries included, and this public API
 * must answer plain GET queries, from links, curl and CDNs.)
 *
 * Refuses, before any SQL: POST bodies other than JSON (415: a cross-site form can send those
 * without the browser asking first), malformed JSON in `variables` or `extensions`, variables
 * nested deeper than `maxInputDepth` or holding a NUL character, string literals with a NUL
 * character, global IDs and cursors beyond PostgreSQL's integer, and mutations from a browser
 * without the CSRF header.
 */
export function inputPlugin({ maxInputDepth }: { maxInputDepth: number }): Plugin {
  return {
    onRequestParse({ request, url, requestParser, setRequestParser }) {
      // No parser: Yoga answers 415, which requestPlugin words (Yoga's type has no way to say "no parser", hence the cast).
      if (request.method === "POST" && !isJson(request)) return setRequestParser(undefined as never);
      if (request.method !== "GET" || !requestParser) return;
      for (const name of ["variables", "extensions"]) {
        const text = url.searchParams.get(name);
        if (!text) continue;
        try {
          JSON.parse(text);
        } catch (error) {
          const message = `Parameter "${name}" is not valid JSON (${(error as Error).message}); send a URL-encoded JSON object, such as ${name}=%7B%7D`;
          return setRequestParser(() => {
            throw new ApiError(message, "BAD_USER_INPUT");
          });
        }
      }
    },
    onParams({ params, setResult }) {
      // Yoga itself refuses variables that are not an object.
      const variables =
        params.variables && typeof params.variables === "object" && !Array.isArray(params.variables)
          ? Object.entries(params.variables)
          : [];
      for (const [root, name, value] of [
        ...variables.map(([name, value]) => ["Variable", `$${name}`, value] as const),
        ["Parameter", "extensions", params.extensions] as const,
      ]) {
        const problem = jsonProblem(value ?? null, root, name, maxInputDepth);
        if (problem) return setResult({ errors: [new ApiError(problem, "BAD_USER_INPUT")] });
      }
    },
    onValidate({ addValidationRule }) {
      addValidationRule(literalsRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const request = (args.contextValue as { request: Request }).request;
      if (operation.operation === "mutation" && fromBrowser(request) && !request.headers.has(CSRF_HEADER)) {
        const message = `A write from a browser must send the header ${CSRF_HEADER}: 1 (a cross-site page or form cannot)`;
        return setResultAndStopExecution({ errors: [new ApiError(message, "CSRF_HEADER_MISSING", { status: 403 })] });
      }
      const problem = variablesProblem(args.schema, operation, (args.variableValues ?? {}) as Record<string, unknown>);
      if (problem) setResultAndStopExecution({ errors: [new ApiError(problem, "BAD_USER_INPUT")] });
    },
  };
}
