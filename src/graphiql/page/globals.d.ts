import type { ReadyQuestion } from "../ready-questions.ts";

// Set by esbuild's `define` in src/graphiql/build.ts.
declare global {
  /** File names of the Monaco workers, beside the page's script, by the label Monaco asks for. */
  const WORKER_FILES: Record<"editor" | "json" | "graphql", string>;
  const READY_QUESTIONS: ReadyQuestion[];
  /** How Monaco (GraphiQL's editor) starts its web workers. */
  var MonacoEnvironment: { getWorker(workerId: string, label: string): Worker } | undefined;
}
