import pg from "pg";
import { expect, test } from "vitest";
import { openDatabase } from "../src/db.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { createBlankDatabase } from "./helpers.ts";

// PGlite accepts statement_timeout but cannot enforce it (WebAssembly has no timer interrupt): on
// the embedded database only the API's execution timeout applies (test/limits.test.ts).
test.runIf(process.env.TEST_DB === "postgres")("PostgreSQL's statement_timeout stops a blocked query with TIMEOUT", async () => {
  const blank = await createBlankDatabase();
  const db = await openDatabase({ databaseUrl: blank.url, statementTimeoutMs: 300 });
  const locker = new pg.Client({ connectionString: blank.url });
  await locker.connect();
  try {
    await locker.query(`BEGIN; LOCK TABLE "Organization" IN ACCESS EXCLUSIVE MODE`);
    const yoga = createApi({ rateLimitStore: memoryStore() });
    const started = Date.now();
    const response = await yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query: "{ organizations { totalCount } }" }),
    });
    const body = await response.json();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.status).toBe(504);
    expect(body.errors[0].extensions.code).toBe("TIMEOUT");
    expect(body.errors[0].message).toMatch(/took too long to answer and the query was stopped/);
    expect(JSON.stringify(body)).not.toMatch(/SELECT|statement_timeout|\.ts/);
    await yoga.dispose();
  } finally {
    await locker.query("ROLLBACK");
    await locker.end();
    await db.close();
    await blank.drop();
  }
});
