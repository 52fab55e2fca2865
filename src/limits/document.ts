import { Kind, parse, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from "graphql";
import { GraphQLError } from "graphql";
import { refusal } from "./errors.ts";

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
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
          if (value > limit) context.reportError(refusal(`${name} ${what}; the limit is ${limit}. ${advice}`, code));
        }
      }
      return false;
    },
  });
}

/** graphql's parser with a token limit, so an oversized document is cut off while it is read. */
export function parseWithTokenLimit(maxTokens: number) {
  return (source: Parameters<typeof parse>[0], options?: Parameters<typeof parse>[1]) => {
    try {
      return parse(source, { ...options, maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError && /tokens\. Parsing aborted/.test(error.message)) {
        throw refusal(`The query has more than ${maxTokens} tokens (names, values and punctuation); the limit is ${maxTokens}. Split it into smaller queries`, "QUERY_TOO_LARGE");
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
export const DOCUMENT_LIMITS: DocumentLimits = { maxDepth: 15, maxAliases: 30, maxDirectives: 50, maxTokens: 2000 };
