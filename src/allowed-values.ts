import { GraphQLEnumType, GraphQLError, GraphQLInputObjectType, type GraphQLSchema } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";

const UNKNOWN_ENUM_VALUE = /Value "[^"]*" does not exist in "(\w+)" enum\./;
const UNKNOWN_INPUT_FIELD = /Field "[^"]*" is not defined by type "(\w+)"\./;

/** graphql-js names an unknown enum value or input field but not the allowed ones: add them. */
function explain(schema: GraphQLSchema, error: GraphQLError): GraphQLError {
  const match = UNKNOWN_ENUM_VALUE.exec(error.message) ?? UNKNOWN_INPUT_FIELD.exec(error.message);
  const type = match && schema.getType(match[1]);
  const allowed =
    type instanceof GraphQLEnumType
      ? type.getValues().map((v) => v.name)
      : type instanceof GraphQLInputObjectType
        ? Object.keys(type.getFields())
        : null;
  if (!allowed) return error;
  const { nodes, source, positions, path, originalError, extensions } = error;
  return new GraphQLError(`${error.message} Allowed: ${allowed.join(", ")}.`, {
    nodes,
    source,
    positions,
    path,
    originalError,
    extensions,
  });
}

/** Lists the allowed values in errors about an unknown enum value or input field. */
export function allowedValuesInErrors(schema: GraphQLSchema): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      const fix = <R extends { errors?: readonly GraphQLError[] }>(r: R): R =>
        r.errors ? { ...r, errors: r.errors.map((e) => (e instanceof GraphQLError ? explain(schema, e) : e)) } : r;
      setResult(Array.isArray(result) ? result.map(fix) : fix(result));
    },
  };
}
