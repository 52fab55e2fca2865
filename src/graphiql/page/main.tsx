import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./page.css";
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";
import { codeExporterPlugin } from "./code-exporter.tsx";
import { CONFIG_ELEMENT_ID, type PageConfig } from "./config.ts";
import { DownloadMenu } from "./download.tsx";
import { graphiqlFetcher } from "./fetcher.ts";
import { readyQuestionsPlugin } from "./ready-questions.tsx";

self.MonacoEnvironment = {
  getWorker: (_id, label) => new Worker(new URL(WORKER_FILES[label as keyof typeof WORKER_FILES] ?? WORKER_FILES.editor, import.meta.url)),
};

const config: PageConfig = JSON.parse(document.getElementById(CONFIG_ELEMENT_ID)!.textContent!);
const explorer = explorerPlugin({ showAttribution: false });
const plugins = [explorer, readyQuestionsPlugin(READY_QUESTIONS), codeExporterPlugin(config)];

// A first visit opens on the explorer; later visits keep whatever panel the person left open.
const VISITED_KEY = "kzgraph:graphiql-visited";
const firstVisit = localStorage.getItem(VISITED_KEY) === null;
localStorage.setItem(VISITED_KEY, "1");

createRoot(document.getElementById("graphiql")!).render(
  <GraphiQL
    fetcher={graphiqlFetcher(config.endpoint)}
    defaultQuery={config.defaultQuery}
    initialHeaders={config.headers}
    defaultHeaders={config.headers}
    plugins={plugins}
    visiblePlugin={firstVisit ? explorer : undefined}
  >
    <GraphiQL.Logo>{config.title}</GraphiQL.Logo>
    <GraphiQL.Toolbar>
      {({ prettify, merge, copy }) => (
        <>
          {prettify}
          {merge}
          {copy}
          <DownloadMenu downloadPath={config.downloadPath} />
        </>
      )}
    </GraphiQL.Toolbar>
  </GraphiQL>,
);
