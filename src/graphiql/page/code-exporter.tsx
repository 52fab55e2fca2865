import { CopyIcon, type GraphiQLPlugin } from "@graphiql/react";
import { useState } from "react";
import type { PageConfig } from "./config.ts";
import { type GraphQLRequest, useCurrentRequest } from "./current-request.ts";

// @graphiql/plugin-code-exporter (0.3.5, its latest) requires @graphiql/react 0.19 and React 18 at
// most, so it cannot run beside GraphiQL 5; these are the snippets it offered, for the current query.

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const templateLiteral = (text: string) => `\`${text.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${")}\``;

function pythonLiteral(value: unknown, indent = ""): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" || typeof value === "string") return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) return `[${value.map((v) => pythonLiteral(v, inner)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(v, inner)},`,
  );
  return entries.length ? `{\n${entries.join("\n")}\n${indent}}` : "{}";
}

interface Snippet {
  name: string;
  code: (url: string, request: GraphQLRequest, downloadUrl: string) => string;
}

const SNIPPETS: Snippet[] = [
  {
    name: "curl",
    code: (url, request) => `curl ${url} \\\n  -H 'content-type: application/json' \\\n  --data ${shellQuote(JSON.stringify(request))}`,
  },
  {
    name: "JavaScript (fetch)",
    code: (url, { query, variables, operationName }) =>
      [
        `const query = ${templateLiteral(query)};`,
        "",
        `const response = await fetch(${JSON.stringify(url)}, {`,
        `  method: "POST",`,
        `  headers: { "content-type": "application/json" },`,
        `  body: JSON.stringify({ query, variables: ${JSON.stringify(variables ?? {})}, operationName: ${JSON.stringify(operationName ?? null)} }),`,
        `});`,
        `const { data, errors } = await response.json();`,
        `console.log(errors ?? data);`,
      ].join("\n"),
  },
  {
    name: "Python (requests)",
    code: (url, { query, variables, operationName }) =>
      [
        "import requests",
        "",
        `query = """${query.replaceAll("\\", "\\\\").replaceAll('"""', '\\"\\"\\"')}"""`,
        "",
        `response = requests.post(`,
        `    ${JSON.stringify(url)},`,
        `    json={"query": query, "variables": ${pythonLiteral(variables ?? {}, "    ")}, "operationName": ${pythonLiteral(operationName ?? null)}},`,
        `)`,
        `response.raise_for_status()`,
        `print(response.json())`,
      ].join("\n"),
  },
  {
    name: "CSV of the whole list (curl)",
    code: (_, request, downloadUrl) =>
      `curl ${downloadUrl} -o ${request.operationName ?? "query"}.csv \\\n  -H 'content-type: application/json' \\\n  --data ${shellQuote(JSON.stringify(request))}`,
  },
];

function CodeExporter({ endpoint, downloadPath }: Pick<PageConfig, "endpoint" | "downloadPath">) {
  const current = useCurrentRequest();
  const [copied, setCopied] = useState<string>();
  if (!current.request) return <p className="kz-error">{current.error}</p>;
  const url = new URL(endpoint, location.href).href;
  const downloadUrl = new URL(`${downloadPath}.csv`, location.href).href;
  return (
    <div className="kz-code-exporter">
      <div className="graphiql-doc-explorer-title">Code</div>
      <p>The query in the editor, sent from a program of your own. Results are public; no key is needed.</p>
      {SNIPPETS.map(({ name, code }) => {
        const text = code(url, current.request, downloadUrl);
        return (
          <section key={name}>
            <h3>
              {name}
              <button
                type="button"
                className="graphiql-un-styled kz-copy"
                aria-label={`Copy the ${name} code`}
                onClick={() => navigator.clipboard.writeText(text).then(() => setCopied(name))}
              >
                <CopyIcon /> {copied === name ? "copied" : "copy"}
              </button>
            </h3>
            <pre>{text}</pre>
          </section>
        );
      })}
    </div>
  );
}

function CodeIcon() {
  return (
    <svg height="1em" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <path strokeLinecap="round" strokeLinejoin="round" d="m8 7-5 5 5 5m8-10 5 5-5 5" />
    </svg>
  );
}

export function codeExporterPlugin(config: Pick<PageConfig, "endpoint" | "downloadPath">): GraphiQLPlugin {
  return { title: "Code", icon: CodeIcon, content: () => <CodeExporter {...config} /> };
}
