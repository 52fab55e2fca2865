import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { createApi } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";

// README.md is executable documentation: every GraphQL operation, export URL and npm script it shows
// must work as written on the seeded dataset.
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = (language: string) => [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]);
const operations = blocks("graphql");
const exportUrls = [...readme.matchAll(/^GET (\/export\/\S+)$/gm)].map((m) => m[1]);

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let api: ReturnType<typeof createApi>;
let writeKey: string;

beforeAll(async () => {
  database = await openTestDatabase({ seed: true });
  writeKey = await createApiKey(database.db.prisma, "readme-curator", "WRITE");
  api = createApi();
});
afterAll(() => database?.drop());

test("README shows GraphQL operations and exports to run", () => {
  expect(operations.length).toBeGreaterThanOrEqual(10);
  expect(exportUrls.length).toBeGreaterThanOrEqual(1);
});

test.each(operations.map((operation, i) => [i + 1, operation.split("\n")[0], operation]))(
  "README operation %i answers without errors: %s",
  async (_, __, operation) => {
    const isMutation = /^\s*mutation\b/.test(operation);
    const response = await api.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(isMutation ? { authorization: `Bearer ${writeKey}` } : {}) },
      body: JSON.stringify({ query: operation }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    for (const payload of Object.values(body.data as Record<string, unknown>)) {
      expect(payload).not.toBeNull();
      if (isMutation) expect((payload as { userErrors: unknown[] }).userErrors).toEqual([]);
    }
  },
);

test.each(exportUrls)("README export %s answers 200", async (url) => {
  const response = await api.fetch(`http://localhost${url}`);
  expect(response.status).toBe(200);
  expect((await response.text()).length).toBeGreaterThan(0);
});

test("every npm script the README names exists", () => {
  const scripts = Object.keys(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).scripts);
  const named = new Set([...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]));
  expect([...named].filter((name) => !scripts.includes(name))).toEqual([]);
});
