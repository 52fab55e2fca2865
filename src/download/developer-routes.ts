import { createHash } from "node:crypto";
import { getIntrospectionQuery, graphqlSync, printSchema } from "graphql";
import type { Route } from "../http/routes.ts";
import { schema } from "../schema/index.ts";

/** The public schema as `npm run schema` writes it to schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(schema)}\n`;
}

/**
 * A fixed text answered with its entity tag, and 304 to a client that has it already. The tag is
 * weak, as the response cache's are: the same text gzip- or brotli-encoded has the same tag.
 */
function fixed(body: string, contentType: string): Route {
  const opaque = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const etag = `W/${opaque}`;
  const headers = { etag, "cache-control": "public, no-cache" };
  return (request) => {
    const known = request.headers
      .get("if-none-match")
      ?.split(",")
      .map((tag) => tag.trim().replace(/^W\//, ""));
    if (known?.includes(opaque) || known?.includes("*")) return new Response(null, { status: 304, headers });
    return new Response(request.method === "HEAD" ? null : body, { headers: { ...headers, "content-type": contentType } });
  };
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
