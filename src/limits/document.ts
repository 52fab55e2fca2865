import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  type ASTVisitor,
  GraphQLError,
  Lexer,
  type OperationDefinitionNode,
  parse,
  Source,
  TokenKind,
  type ValidationContext,
} from "graphql";
import { ApiError } from "../http/errors.ts";

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Lists and objects inside each other in one argument or variable (literals and JSON alike). */
  maxInputDepth: number;
}

type ArmorRule = (context: ValidationContext) => { OperationDefinition: { enter(node: OperationDefinitionNode): void } };
type ArmorOptions = {
  n: number;
  propagateOnRejection: false;
  onReject: Array<(context: ValidationContext | null, error: GraphQLError) => void>;
};

/**
 * One of graphql-armor's rules, with its refusal worded as ours: the operation's name, the count
 * and the advice, under our public code. Armor measures each fragment once, so a fragment bomb
 * (fragments that spread each other many times) is measured in linear time.
 */
function armored(rule: (options: ArmorOptions) => unknown, limit: number, code: string, what: (found: string) => string, advice: string) {
  return (context: ValidationContext): ASTVisitor => {
    let operation: OperationDefinitionNode | undefined;
    const onReject = (_: ValidationContext | null, error: GraphQLError) => {
      // Armor's message (with exposeLimits, its default) ends "..., found <n>."
      const found = /found (\d+)\.$/.exec(error.message)?.[1] ?? `more than ${limit}`;
      const name = operation?.name ? `Operation "${operation.name.value}"` : "The query";
      context.reportError(new ApiError(`${name} ${what(found)}; the limit is ${limit}. ${advice}`, code));
    };
    // Armor's rules are typed against their own copy of graphql's types: the library boundary.
    const visitor = (rule as (options: ArmorOptions) => ArmorRule)({ n: limit, propagateOnRejection: false, onReject: [onReject] })(
      context,
    );
    return {
      OperationDefinition(node) {
        operation = node;
        visitor.OperationDefinition.enter.call(visitor, node);
      },
    };
  };
}

/** The rules refusing operations deeper, or with more aliases or directives, than the limits (graphql-armor's). */
export function documentLimitRules(limits: DocumentLimits) {
  return [
    // Depth counts fields only (fragments flattened), introspection included: GraphiQL's is 15 deep.
    armored(
      (options) => maxDepthRule({ ...options, flattenFragments: true, ignoreIntrospection: false }),
      limits.maxDepth,
      "QUERY_TOO_DEEP",
      (n) => `is ${n} fields deep`,
      "Ask for less nested data, or fetch deeper parts with a second query by `id`",
    ),
    armored(
      (options) => maxAliasesRule({ ...options, allowList: [] }),
      limits.maxAliases,
      "TOO_MANY_ALIASES",
      (n) => `uses ${n} aliases (fragments counted each time they are spread)`,
      "Use fewer aliases, or split the query",
    ),
    armored(maxDirectivesRule, limits.maxDirectives, "TOO_MANY_DIRECTIVES", (n) => `uses ${n} directives`, "Use fewer directives"),
  ];
}

/**
 * The first argument (or variable default) whose value nests lists and objects deeper than
 * `maxDepth`, found with the lexer alone: graphql's parser reads values recursively, and a
 * few thousand nested brackets overflow its stack before the token limit stops it.
 */
function deepValue(source: string | Source, maxTokens: number, maxDepth: number): string | null {
  const lexer = new Lexer(typeof source === "string" ? new Source(source) : source);
  const open: TokenKind[] = [];
  let depth = 0;
  let name = "";
  try {
    for (let n = 0, token = lexer.advance(); token.kind !== TokenKind.EOF && n < maxTokens; n++, token = lexer.advance()) {
      const inValue = open.includes(TokenKind.PAREN_L);
      if (token.kind === TokenKind.COLON && open.at(-1) === TokenKind.PAREN_L && token.prev?.kind === TokenKind.NAME)
        name = token.prev.prev?.kind === TokenKind.DOLLAR ? `Variable "$${token.prev.value}"` : `Argument "${token.prev.value}"`;
      if (token.kind === TokenKind.PAREN_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.BRACE_L) {
        open.push(token.kind);
        if (inValue && token.kind !== TokenKind.PAREN_L && ++depth > maxDepth)
          return `${name || "A value"} is nested more than ${maxDepth} levels deep (lists and objects inside each other); the limit is ${maxDepth}`;
      } else if (token.kind === TokenKind.PAREN_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.BRACE_R) {
        const kind = open.pop();
        if (kind !== TokenKind.PAREN_L && open.includes(TokenKind.PAREN_L)) depth--;
        if (kind === TokenKind.PAREN_L) depth = 0;
      }
    }
  } catch {
    // A syntax error: the parser reports it with its location.
  }
  return null;
}

/**
 * graphql's parser with a token limit, so an oversized document is cut off while it is read, and
 * a limit on the nesting of values, checked before the parser recurses into them.
 */
export function parseWithTokenLimit(maxTokens: number, maxInputDepth: number) {
  return (source: Parameters<typeof parse>[0], options?: Parameters<typeof parse>[1]) => {
    const deep = deepValue(source, maxTokens, maxInputDepth);
    if (deep) throw new ApiError(deep, "BAD_USER_INPUT");
    try {
      return parse(source, { ...options, maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError && /tokens\. Parsing aborted/.test(error.message)) {
        throw new ApiError(
          `The query has more than ${maxTokens} tokens (names, values and punctuation); the limit is ${maxTokens}. Split it into smaller queries`,
          "QUERY_TOO_LARGE",
        );
      }
      throw error;
    }
  };
}

/**
 * Depth: the example query in GraphiQL is 12 fields deep (three per connection hop: `institutes`,
 * `edges`, `node`, three times, then `participants { organization { name } }`), and the
 * introspection query that GraphiQL's Docs panel sends is 15 deep. The cost limit, not the depth
 * limit, bounds how much a deep query may read. README "Limits and fair use" explains the rest.
 */
export const DOCUMENT_LIMITS: DocumentLimits = { maxDepth: 15, maxAliases: 30, maxDirectives: 50, maxTokens: 2000, maxInputDepth: 20 };
