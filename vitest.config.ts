import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql 16 ships CommonJS and ESM copies; Node (and so Yoga and Pothos) loads the CommonJS one,
// so the tests must too, or `instanceof GraphQLError` fails across the two copies.
const graphql = createRequire(import.meta.url).resolve("graphql");

// Every test file runs against the embedded PGlite database, and again against the PostgreSQL
// server named by TEST_DATABASE_URL when it is set (each file gets a fresh database of its own,
// copied from the images test/global-setup.ts makes once per run).
const databases = ["pglite", ...(process.env.TEST_DATABASE_URL ? ["postgres"] : [])];

// Files that start servers, command-line tools, Redis, tsc or a browser in processes of their own: each runs in a
// worker of its own. Every project shares the same two workers (the machine's two cores), slowest files first.
const subprocessFiles = [
  "test/browser.test.ts",
  "test/codegen.test.ts",
  "test/embedded.test.ts",
  "test/history.test.ts",
  "test/import-http.test.ts",
  "test/import.test.ts",
  "test/outage.test.ts",
  "test/redis-faults.test.ts",
  "test/replicas.test.ts",
  "test/scale-out.test.ts",
  "test/shutdown.test.ts",
  "test/streaming-replica.test.ts",
];

// Files that use no database run with the embedded one only.
const databaseFreeFiles = [
  "test/codegen.test.ts",
  "test/language.test.ts",
  "test/rate-limit.test.ts",
  "test/runtime.test.ts",
  "test/schema.test.ts",
];

const project = (database: string, subprocesses: boolean) => ({
  resolve: { alias: { graphql } },
  test: {
    name: subprocesses ? `${database}-processes` : database,
    include: subprocesses ? subprocessFiles : ["test/**/*.test.ts"],
    exclude: [...(subprocesses ? [] : subprocessFiles), ...(database === "pglite" ? [] : databaseFreeFiles)],
    env: { TEST_DB: database, LOG_LEVEL: "error" },
    // A bound for hangs, not a speed check: processes started beside the other files can take minutes on a busy machine.
    testTimeout: subprocesses ? 180_000 : 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    // Loading the modules costs a file about 2.5 s: in-process files share a worker's modules.
    isolate: subprocesses,
    setupFiles: subprocesses ? [] : ["test/file-setup.ts"],
  },
});

export default defineConfig({
  resolve: { alias: { graphql } },
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: databases.flatMap((database) => [project(database, false), project(database, true)]),
  },
});
