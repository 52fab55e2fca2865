import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { currentRelease, LICENSE } from "./metadata.ts";

/** Adds the dataset's licence and data version to `extensions` of every GraphQL response. */
export function datasetExtensions(): Plugin {
  const extensions = { license: { name: LICENSE.name, url: LICENSE.url }, dataVersion: currentRelease.version };
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      const add = (r: { extensions?: Record<string, unknown> }) => ({ ...r, extensions: { ...r.extensions, ...extensions } });
      setResult(Array.isArray(result) ? result.map(add) : add(result));
    },
  };
}
