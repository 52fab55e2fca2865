// `npm run key -- create --name NAME --scope read|write|admin`: prints a new API key once.
// `npm run key -- revoke --name NAME`, `npm run key -- list` (names, scopes and dates; never secrets).
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey } from "../auth/keys.ts";
import type { ApiKeyScope } from "../generated/prisma/client.ts";
import { openCliDatabase } from "./database.ts";

const usage = "usage: npm run key -- create --name NAME --scope read|write|admin | revoke --name NAME | list";
const { positionals, values } = parseArgs({ allowPositionals: true, options: { name: { type: "string" }, scope: { type: "string" } } });
const [command] = positionals;
const scope = values.scope?.toUpperCase();
const name = values.name?.trim();
if (
  !["create", "revoke", "list"].includes(command) ||
  (command !== "list" && !name) ||
  (command === "create" && !["READ", "WRITE", "ADMIN"].includes(scope ?? ""))
) {
  console.error(usage);
  process.exit(2);
}

const db = await openCliDatabase();
try {
  if (command === "create") {
    if (await db.prisma.apiKey.findUnique({ where: { name } }))
      throw new Error(`A key named "${name}" already exists; choose another name`);
    const token = await createApiKey(db.prisma, name!, scope as ApiKeyScope);
    console.log(`Key "${name}" (${scope}). Copy it now: it is stored only as a hash and cannot be shown again.\n${token}`);
  } else if (command === "revoke") {
    if (!(await revokeApiKey(db.prisma, name!))) throw new Error(`No active key is named "${name}"`);
    console.log(`Key "${name}" revoked.`);
  } else {
    const keys = await db.prisma.apiKey.findMany({
      orderBy: { id: "asc" },
      select: { name: true, scope: true, createdAt: true, revokedAt: true },
    });
    console.table(keys);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
