import { PothosValidationError } from "@pothos/core";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError } from "graphql";
import { createYoga, type YogaServerOptions } from "graphql-yoga";
import { credentialsOf } from "./auth/keys.ts";
import type { Context } from "./builder.ts";
import { importRoute } from "./import/route.ts";
import { log } from "./log.ts";
import { schema } from "./schema/index.ts";

export const EXAMPLE_QUERY = `# Which methods did Kazakh research institutes develop, and which partnerships apply them?
# Press the run button (or Ctrl+Enter). Open "Docs" on the left to explore every type and field.
query InstitutesAndTheirMethods {
  institutes(first: 10) {
    totalCount
    edges {
      node {
        name(lang: EN)
        city
        foundedYear
        methods(first: 10) {
          edges {
            node {
              title
              category
              partnerships(first: 5) {
                edges { node { title status participants { role organization { name } } } }
              }
            }
          }
        }
        citations { quote source { url } }
      }
    }
  }
}
`;

/** Keeps expected errors (bad input) visible with a code, and hides everything else. */
function maskError(error: unknown, message: string): Error {
  if (!(error instanceof GraphQLError)) return new GraphQLError(message, { extensions: { code: "INTERNAL_SERVER_ERROR" } });
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) {
    if (!error.extensions.code) return new GraphQLError(error.message, { ...error, extensions: { ...error.extensions, code: "BAD_USER_INPUT" } });
    return error;
  }
  if (original instanceof PothosValidationError) {
    return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: { code: "BAD_USER_INPUT" } });
  }
  log.error("unexpected error", { error: original.message, stack: original.stack, path: error.path?.join(".") });
  return new GraphQLError(message, { nodes: error.nodes, path: error.path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

export function createApi(options: Partial<YogaServerOptions<Record<string, unknown>, Context>> = {}) {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    context: async ({ request, req }) => ({
      request,
      credentials: await credentialsOf(request),
      clientAddress: (req as { socket?: { remoteAddress?: string } } | undefined)?.socket?.remoteAddress ?? "unknown",
    }),
    plugins: [importRoute()],
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: { title: "Kazakhstan science–industry graph", defaultQuery: EXAMPLE_QUERY },
    renderGraphiQL,
    maskedErrors: { maskError: (error, message) => maskError(error, message) },
    // Yoga reports every client error through its logger; unexpected ones are logged by maskError.
    logging: {
      debug: (...args) => log.debug(args.map(String).join(" ")),
      info: (...args) => log.debug(args.map(String).join(" ")),
      warn: (...args) => log.debug(args.map(String).join(" ")),
      error: (...args) => log.debug(args.map(String).join(" ")),
    },
    ...options,
  });
}
