// Writes schema.graphql, the printed and sorted public schema. `npm run schema -- --check`
// exits 1 instead of writing when the committed file is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { printSchema } from "graphql";
import { schema } from "../src/schema/index.ts";

const path = new URL("../schema.graphql", import.meta.url).pathname;
const printed = printSchema(schema) + "\n";

if (process.argv.includes("--check")) {
  const committed = readFileSync(path, "utf8");
  if (committed !== printed) {
    console.error("schema.graphql is out of date: run `npm run schema`");
    process.exit(1);
  }
} else {
  writeFileSync(path, printed);
  console.log(`wrote ${path}`);
}
