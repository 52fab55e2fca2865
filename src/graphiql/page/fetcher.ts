import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { getOperationAST, parse } from "graphql";

// Beyond this, a query goes by POST: Node refuses request lines of more than 16 KB.
const MAX_GET_URL = 8000;

function isQuery(query: string, operationName?: string | null): boolean {
  try {
    return getOperationAST(parse(query), operationName)?.operation === "query";
  } catch {
    return false;
  }
}

/**
 * Sends queries by GET, mutations by POST. A GET answer has an ETag, so the browser revalidates it
 * (the schema GraphiQL asks for on every visit comes back as 304 Not Modified), and a POST to
 * /graphql would make the browser drop its copy of the page, which lives at the same address.
 */
export function graphiqlFetcher(endpoint: string): Fetcher {
  const post = createGraphiQLFetcher({ url: endpoint });
  return async (params, options) => {
    if (!isQuery(params.query, params.operationName)) return post(params, options);
    const search = new URLSearchParams({ query: params.query });
    if (params.variables && Object.keys(params.variables).length) search.set("variables", JSON.stringify(params.variables));
    if (params.operationName) search.set("operationName", params.operationName);
    const url = `${endpoint}?${search}`;
    if (url.length > MAX_GET_URL) return post(params, options);
    const response = await fetch(url, { headers: { ...options?.headers, accept: "application/graphql-response+json, application/json" } });
    return response.json();
  };
}
