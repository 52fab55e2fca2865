// Bundles the GraphiQL page (npm run build:graphiql; postinstall runs it) into src/generated/graphiql.
import { stat } from "node:fs/promises";
import path from "node:path";
import { buildGraphiQL, GRAPHIQL_OUT_DIR } from "../src/graphiql/build.ts";

const manifest = await buildGraphiQL();
for (const file of Object.values(manifest)) {
  const { size } = await stat(path.join(GRAPHIQL_OUT_DIR, file));
  console.log(`${path.relative(process.cwd(), path.join(GRAPHIQL_OUT_DIR, file))}: ${(size / 1024).toFixed(0)} KiB`);
}
