import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLInputObjectType,
  type GraphQLInputType,
  GraphQLInt,
  GraphQLList,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
} from "graphql";

export class ExportInputError extends Error {}

interface Parameter {
  /** Path of the value in the GraphQL variables, such as ["filter", "founded", "min"]. */
  path: string[];
  type: GraphQLInputType;
}

/** Arguments of a list that page it: an export reads every page. */
export const PAGING = ["first", "after", "last", "before"];

/**
 * The query parameters an export of `field` accepts: each field of its `filter` argument (fields
 * of a range as `founded.min`, `founded.max`), `orderBy` with `direction`, and any other argument
 * of the list but its paging, under its own name.
 */
export function exportParameters(schema: GraphQLSchema, field: string): Map<string, Parameter> {
  const args = schema.getQueryType()!.getFields()[field].args;
  const params = new Map<string, Parameter>();
  const filter = getNullableType(args.find((a) => a.name === "filter")!.type) as GraphQLInputObjectType;
  for (const f of Object.values(filter.getFields())) {
    const type = getNullableType(f.type);
    if (type instanceof GraphQLInputObjectType) {
      for (const sub of Object.values(type.getFields()))
        params.set(`${f.name}.${sub.name}`, { path: ["filter", f.name, sub.name], type: sub.type });
    } else {
      params.set(f.name, { path: ["filter", f.name], type: f.type });
    }
  }
  const order = getNullableType(args.find((a) => a.name === "orderBy")!.type) as GraphQLInputObjectType;
  params.set("orderBy", { path: ["orderBy", "field"], type: order.getFields().field.type });
  params.set("direction", { path: ["orderBy", "direction"], type: order.getFields().direction.type });
  for (const a of args) if (![...PAGING, "filter", "orderBy"].includes(a.name)) params.set(a.name, { path: [a.name], type: a.type });
  return params;
}

function convert(name: string, text: string, type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (named instanceof GraphQLEnumType) {
    const allowed = named.getValues().map((v) => v.name);
    if (!allowed.includes(text))
      throw new ExportInputError(`Parameter "${name}": "${text}" is not allowed; use one of ${allowed.join(", ")}`);
    return text;
  }
  if (named === GraphQLInt) {
    if (!/^-?\d{1,9}$/.test(text)) throw new ExportInputError(`Parameter "${name}": "${text}" is not a whole number`);
    return Number(text);
  }
  if (named === GraphQLBoolean) {
    if (text !== "true" && text !== "false") throw new ExportInputError(`Parameter "${name}": "${text}" is not allowed; use true or false`);
    return text === "true";
  }
  // Other scalars (IDs, dates, decimals, codes) are checked by the API's own input parsing.
  return text;
}

/** Turns the query string of an export into the variables of its GraphQL query. */
export function exportVariables(search: URLSearchParams, params: Map<string, Parameter>): Record<string, unknown> {
  const variables: Record<string, any> = {};
  for (const name of new Set(search.keys())) {
    const param = params.get(name);
    if (!param) {
      throw new ExportInputError(`Unknown parameter "${name}"; allowed: ${[...params.keys()].join(", ")}`);
    }
    const values = search.getAll(name);
    const isList = getNullableType(param.type) instanceof GraphQLList;
    if (!isList && values.length > 1) throw new ExportInputError(`Parameter "${name}" is given ${values.length} times; give it once`);
    const items = isList
      ? values
          .flatMap((v) => v.split(","))
          .map((v) => v.trim())
          .filter(Boolean)
      : values;
    const converted = items.map((v) => convert(name, v, param.type));
    let target = variables;
    for (const key of param.path.slice(0, -1)) target = target[key] ??= {};
    target[param.path.at(-1)!] = isList ? converted : converted[0];
  }
  if (variables.orderBy && !variables.orderBy.field) throw new ExportInputError('Parameter "direction" needs "orderBy"');
  return variables;
}
