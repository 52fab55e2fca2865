import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql 16 ships CommonJS and ESM copies; Node (and so Yoga and Pothos) loads the CommonJS one,
// so the tests must too, or `instanceof GraphQLError` fails across the two copies.
const graphql = createRequire(import.meta.url).resolve("graphql");

// Every test file runs against the embedded PGlite database, and again against the PostgreSQL
// server named by TEST_DATABASE_URL when it is set (each file gets a fresh database of its own).
const databases = ["pglite", ...(process.env.TEST_DATABASE_URL ? ["postgres"] : [])];

export default defineConfig({
  resolve: { alias: { graphql } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: databases.map((database) => ({
      resolve: { alias: { graphql } },
      test: {
        name: database,
        include: ["test/**/*.test.ts"],
        env: { TEST_DB: database, LOG_LEVEL: "error" },
        testTimeout: 60_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
