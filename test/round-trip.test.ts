import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { importFiles } from "../src/import/index.ts";
import { entityNames } from "../src/import/records.ts";
import { createApi } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let dir: string;
const yoga = createApi();
beforeAll(async () => {
  api = await startTestApi();
  dir = await mkdtemp(join(tmpdir(), "round-trip-"));
});
afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const entity of entityNames) {
  for (const format of ["csv", "ndjson"] as const) {
    test(`an export of ${entity} as ${format} imports back with no problem and no change`, async () => {
      const response = await yoga.fetch(`http://localhost/export/${entity}.${format}`);
      expect(response.status).toBe(200);
      const file = join(dir, `${entity}.${format}`);
      await writeFile(file, new Uint8Array(await response.arrayBuffer()));
      const changesBefore = await api.db.prisma.change.count();
      const rows = await (api.db.prisma as any)[{ people: "person" }[entity as "people"] ?? entity.replace(/s$/, "")].count();
      expect(rows).toBeGreaterThan(0);

      const result = await importFiles(api.db.prisma, [{ entity, path: file }], { author: { actor: "import", reason: "round trip" } });

      expect(result.rows).toBe(rows);
      expect(result.report[entity]).toEqual({ created: 0, updated: 0, unchanged: rows });
      expect(await api.db.prisma.change.count()).toBe(changesBefore);
    });
  }
}
