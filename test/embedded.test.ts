import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { startEmbedded } from "../src/database/embedded.ts";

// The embedded database is the same in both test projects: run these once.
const pgliteOnly = test.skipIf(process.env.TEST_DB === "postgres");

pgliteOnly("a data folder in use is refused, by this process and by another, and free again after it stops", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "embedded-")), "nested", "data");
  const first = await startEmbedded(dir);
  try {
    await expect(startEmbedded(dir)).rejects.toThrow(`The data folder ${dir} is already open in this process`);
    const other = spawn(process.execPath, ["--import", "tsx", "-e", `import("${new URL("../src/database/embedded.ts", import.meta.url).pathname}").then((m) => m.startEmbedded(${JSON.stringify(dir)}))`], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    other.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => other.on("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain(`The data folder ${dir} is in use by process ${process.pid}`);
  } finally {
    await first.stop();
  }
  const again = await startEmbedded(dir);
  await again.stop();
});
