import pg from "pg";
import { expect, test } from "vitest";
import { openDatabase } from "../src/db.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { createBlankDatabase } from "./helpers.ts";

// PGlite accepts statement_timeout but cannot enforce it (WebAssembly has no timer interrupt): on
// the embedded database only the API's execution timeout applies (test/limits.test.ts).
test.runIf(process.env.TEST_DB === "postgres").each([
  // Compiled (src/compiled): the page and the count are sent together.
  ["a count", "{ organizations { totalCount } }", "Organization", 2],
  // A compiled read that fails in the database is not run again through normal execution.
  ["a page", "{ organizations(first: 2) { edges { node { slug } } } }", "Organization", 1],
  // The statement of nested pages, which compiled reads send through node-postgres itself (selectRows).
  ["nested pages", "{ organizations(first: 2) { edges { node { methods(first: 2) { edges { node { slug } } } } } } }", "Method", 1],
])("PostgreSQL's statement_timeout stops a blocked query with TIMEOUT: %s", async (_what, query, table, attempts) => {
  const blank = await createBlankDatabase();
  // Statements reading the blocked table, counted where node-postgres sends them (failed ones included).
  let statements = 0;
  const send = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text?.startsWith("SELECT") && text.includes(`"${table}"`)) statements++;
    return (send as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof send;
  const db = await openDatabase({ databaseUrl: blank.url, statementTimeoutMs: 300 });
  const locker = new pg.Client({ connectionString: blank.url });
  await locker.connect();
  try {
    // An institute, so that there are pages below the root list to read.
    await locker.query(
      `INSERT INTO "Organization" (slug, kind, "nameEn", "updatedAt") VALUES ('timeout-institute', 'RESEARCH_INSTITUTE', 'Timeout institute', now())`,
    );
    await locker.query(`BEGIN; LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
    const yoga = createApi({ rateLimitStore: memoryStore() });
    statements = 0;
    const started = Date.now();
    const response = await yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query }),
    });
    const body = await response.json();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.status).toBe(504);
    expect(body.errors[0].extensions.code).toBe("TIMEOUT");
    expect(body.errors[0].message).toMatch(/took too long to answer and the query was stopped/);
    expect(JSON.stringify(body)).not.toMatch(/SELECT|statement_timeout|\.ts/);
    expect(statements).toBe(attempts);
    await yoga.dispose();
  } finally {
    pg.Client.prototype.query = send;
    await locker.query("ROLLBACK");
    await locker.end();
    await db.close();
    await blank.drop();
  }
});
