import { getIntrospectionQuery, graphqlSync, printSchema } from "graphql";
import { entityTag, taggedAnswer } from "../http/etag.ts";
import type { Route } from "../http/routes.ts";
import { schema } from "../schema/index.ts";

/** The public schema as `npm run schema` writes it to schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(schema)}\n`;
}

/** A fixed text with its entity tag, weak as the response cache's: the same text gzip- or brotli-encoded has the same tag. */
function fixed(body: string, contentType: string): Route {
  const etag = `W/${entityTag(body)}`;
  return (request) => taggedAnswer(request, body, etag, { "cache-control": "public, no-cache", "content-type": contentType });
}

/** `GET /` leads to GraphiQL; the schema as SDL and as an introspection result, for code generators and IDEs. */
export function developerRoutes(): Record<string, Route> {
  const introspection = graphqlSync({
    schema,
    source: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }),
  });
  return {
    "/": () => new Response(null, { status: 302, headers: { location: "/graphql" } }),
    "/schema.graphql": fixed(printedSchema(), "text/plain; charset=utf-8"),
    "/schema.json": fixed(`${JSON.stringify(introspection, null, 2)}\n`, "application/json; charset=utf-8"),
  };
}
