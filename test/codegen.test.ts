import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { codegen } from "@graphql-codegen/core";
import * as typescriptOperations from "@graphql-codegen/typescript-operations";
import { parse } from "graphql";
import { afterAll, beforeAll, expect, test } from "vitest";

// README "For app developers": types for a client's operations, generated from schema.graphql.
const run = promisify(execFile);
const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const SCHEMA = new URL("../schema.graphql", import.meta.url).pathname;

const OPERATION = `query LargestFundings($first: Int!) {
  fundings(first: $first, orderBy: { field: AMOUNT, direction: DESC }) {
    totalCount
    edges { node { description amountKind funder { name } amount { amount currency } citations { quote source { url } } } }
  }
}
`;

const CLIENT = `import type { LargestFundingsQuery, LargestFundingsQueryVariables } from "./types.ts";

export async function largestFundings(endpoint: string, variables: LargestFundingsQueryVariables): Promise<LargestFundingsQuery> {
  const response = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "...", variables }) });
  return (await response.json()).data;
}

export async function funders(endpoint: string): Promise<string[]> {
  const data = await largestFundings(endpoint, { first: 10 });
  const kinds: Array<"BUDGET" | string> = data.fundings.edges.map((edge) => edge.node.amountKind);
  return [...kinds, ...data.fundings.edges.map((edge) => edge.node.funder?.name ?? edge.node.citations[0]?.source.url ?? edge.node.amount?.amount ?? "")];
}
`;

/** The codegen.json README "For app developers" shows. */
async function readmeConfig(): Promise<{ generates: Record<string, { plugins: string[]; config: Record<string, unknown> }> }> {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const block = /with `codegen.json`:\s*```json\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README no longer shows codegen.json");
  return JSON.parse(block[1].replace(/^ {2}/gm, ""));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "codegen-"));
  await writeFile(path.join(dir, "client.ts"), CLIENT);
  // The generator and configuration the README shows, run through @graphql-codegen/core, the engine
  // the CLI drives (the CLI's own loaders pull in libraries that declare Node.js 22).
  const [output] = Object.values((await readmeConfig()).generates);
  expect(output.plugins).toEqual(["typescript-operations"]);
  const types = await codegen({
    filename: "types.ts",
    schema: parse(await readFile(SCHEMA, "utf8")),
    documents: [{ location: "operations.graphql", document: parse(OPERATION) }],
    plugins: [{ "typescript-operations": {} }],
    pluginMap: { "typescript-operations": typescriptOperations },
    config: output.config,
  });
  await writeFile(path.join(dir, "types.ts"), types);
}, 120_000);
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

test("codegen turns schema.graphql and a client's operation into types the client type-checks against", async () => {
  const types = await readFile(path.join(dir, "types.ts"), "utf8");
  expect(types).toMatch(/export type LargestFundingsQuery = /);
  // A second client reads a field its operation does not select: the only error of the check.
  await writeFile(
    path.join(dir, "wrong.ts"),
    `${CLIENT}\nexport const slug = (q: LargestFundingsQuery) => q.fundings.edges[0].node.slug;\n`,
  );
  const args = [
    "--noEmit",
    "--strict",
    // TypeScript's own lib.*.d.ts need no checking: only the generated types and the clients do.
    "--skipLibCheck",
    "--target",
    "es2022",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--allowImportingTsExtensions",
    "--lib",
    "es2022,dom",
  ];
  const errors = await run(bin("tsc"), [...args, path.join(dir, "client.ts"), path.join(dir, "wrong.ts")]).then(
    () => [],
    (error: { stdout: string }) => error.stdout.trim().split("\n"),
  );
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/wrong\.ts\(\d+,\d+\): error TS2339: Property 'slug' does not exist/);
}, 180_000);
