// Writes schema.graphql, the printed and sorted public schema. `npm run schema -- --check`
// exits 1 instead of writing when the committed file is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { printedSchema } from "../src/download/developer-routes.ts";

const path = new URL("../schema.graphql", import.meta.url).pathname;
const printed = printedSchema();

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
