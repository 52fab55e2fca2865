import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { readyQuestions } from "./ready-questions.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Where `npm install` (postinstall) writes the page's files; not committed. */
export const GRAPHIQL_OUT_DIR = path.join(ROOT, "src/generated/graphiql");
export const MANIFEST_FILE = "manifest.json";

/** Names of the built files the HTML page refers to. */
export interface GraphiQLManifest {
  script: string;
  style: string;
}

// Monaco runs its language services in web workers, one script each, named by the label Monaco asks for.
const WORKERS = {
  editor: "monaco-editor/esm/vs/editor/editor.worker.js",
  json: "monaco-editor/esm/vs/language/json/json.worker.js",
  graphql: "monaco-graphql/esm/graphql.worker.js",
};

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  minify: true,
  outdir: GRAPHIQL_OUT_DIR,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
  target: "es2022",
} as const;

function outputOf(metafile: Metafile, entry: string): { js: string; css?: string } {
  const [file, output] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === entry)!;
  return { js: path.basename(file), css: output.cssBundle && path.basename(output.cssBundle) };
}

/**
 * Bundles the GraphiQL page from npm packages into content-hashed files (so they can be cached
 * for a year) and writes the manifest the server reads to name them in the HTML page.
 */
export async function buildGraphiQL(): Promise<GraphiQLManifest> {
  await rm(GRAPHIQL_OUT_DIR, { recursive: true, force: true });
  await mkdir(GRAPHIQL_OUT_DIR, { recursive: true });
  const workers = await build({ ...common, entryPoints: Object.values(WORKERS), format: "iife" });
  const resolve = createRequire(import.meta.url).resolve;
  const workerFiles = Object.fromEntries(
    Object.entries(WORKERS).map(([label, entry]) => [label, outputOf(workers.metafile, path.relative(ROOT, resolve(entry))).js]),
  );
  const questions = readyQuestions(await readFile(path.join(ROOT, "README.md"), "utf8"));
  const entry = "src/graphiql/page/main.tsx";
  const page = await build({
    ...common,
    entryPoints: [entry],
    format: "esm",
    jsx: "automatic",
    loader: { ".ttf": "file" },
    define: { ...common.define, WORKER_FILES: JSON.stringify(workerFiles), READY_QUESTIONS: JSON.stringify(questions) },
  });
  const { js, css } = outputOf(page.metafile, entry);
  if (!css) throw new Error(`${entry} imports no CSS: GraphiQL's style sheet is missing from the bundle`);
  const manifest = { script: js, style: css };
  await writeFile(path.join(GRAPHIQL_OUT_DIR, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
