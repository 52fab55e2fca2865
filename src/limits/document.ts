import { Kind, Lexer, parse, Source, TokenKind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from "graphql";
import { GraphQLError } from "graphql";
import { ApiError } from "../http/errors.ts";

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Lists and objects inside each other in one argument or variable (literals and JSON alike). */
  maxInputDepth: number;
}

interface Measure {
  depth: number;
  aliases: number;
  directives: number;
}

const NOTHING: Measure = { depth: 0, aliases: 0, directives: 0 };

/**
 * Depth, aliases and directives of a selection with its fragments expanded. Each fragment is
 * measured once and reused, so a fragment bomb (fragments that spread each other many times)
 * is measured in linear time; cycles are skipped here and refused by graphql's NoFragmentCycles.
 */
export function measure(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): Measure {
  const known = new Map<string, Measure>();
  const open = new Set<string>();
  const ofFragment = (name: string): Measure => {
    const fragment = fragments.get(name);
    if (!fragment || open.has(name)) return NOTHING;
    let m = known.get(name);
    if (!m) {
      open.add(name);
      const inner = ofSet(fragment.selectionSet);
      open.delete(name);
      m = { ...inner, directives: inner.directives + (fragment.directives?.length ?? 0) };
      known.set(name, m);
    }
    return m;
  };
  const ofSet = (set: SelectionSetNode): Measure => {
    const total = { depth: 0, aliases: 0, directives: 0 };
    for (const selection of set.selections) {
      let inner: Measure;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? ofSet(selection.selectionSet) : NOTHING;
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0), directives: below.directives };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = ofSet(selection.selectionSet);
      } else {
        inner = ofFragment(selection.name.value);
      }
      total.depth = Math.max(total.depth, inner.depth);
      total.aliases += inner.aliases;
      total.directives += inner.directives + (selection.directives?.length ?? 0);
    }
    return total;
  };
  return ofSet(selectionSet);
}

/** A validation rule refusing operations deeper, or with more aliases or directives, than the limits. */
export function documentLimitsRule(limits: DocumentLimits) {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
      for (const operation of document.definitions) {
        if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
        const m = measure(operation.selectionSet, fragments);
        const name = operation.name ? `Operation "${operation.name.value}"` : "The query";
        const checks: Array<[number, number, string, string, string]> = [
          [m.depth, limits.maxDepth, "QUERY_TOO_DEEP", `is ${m.depth} fields deep`, "Ask for less nested data, or fetch deeper parts with a second query by `id`"],
          [m.aliases, limits.maxAliases, "TOO_MANY_ALIASES", `uses ${m.aliases} aliases (fragments counted each time they are spread)`, "Use fewer aliases, or split the query"],
          [m.directives, limits.maxDirectives, "TOO_MANY_DIRECTIVES", `uses ${m.directives} directives`, "Use fewer directives"],
        ];
        for (const [value, limit, code, what, advice] of checks) {
          if (value > limit) context.reportError(new ApiError(`${name} ${what}; the limit is ${limit}. ${advice}`, code));
        }
      }
      return false;
    },
  });
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
        throw new ApiError(`The query has more than ${maxTokens} tokens (names, values and punctuation); the limit is ${maxTokens}. Split it into smaller queries`, "QUERY_TOO_LARGE");
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
