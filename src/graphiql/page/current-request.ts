import { useGraphiQL, useOperationsEditorState, useVariablesEditorState } from "@graphiql/react";

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** The request the run button would send now, or why there is none (variables that are not JSON). */
export function useCurrentRequest(): { request: GraphQLRequest; error?: undefined } | { request?: undefined; error: string } {
  const [query] = useOperationsEditorState();
  const [variablesText] = useVariablesEditorState();
  const operationName = useGraphiQL((state) => state.operationName) || undefined;
  if (!variablesText.trim()) return { request: { query, operationName } };
  try {
    return { request: { query, variables: JSON.parse(variablesText), operationName } };
  } catch {
    return { error: "The variables are not valid JSON: correct them in the Variables pane below the query" };
  }
}
