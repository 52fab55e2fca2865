import { GraphQLError } from "graphql";

/**
 * A request refused before execution. `spec: true` lets Yoga answer 200 to clients that accept
 * only `application/json`, as the GraphQL-over-HTTP specification asks, and `status` otherwise.
 */
export function refusal(message: string, code: string, status = 400, headers?: Record<string, string>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status, spec: status === 400, headers } } });
}
