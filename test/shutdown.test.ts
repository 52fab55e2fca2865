import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { createBlankDatabase, fillSeededDataFolder } from "./helpers.ts";

/** Waits, at most `ms`, until `check` holds. */
async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("SIGTERM: stops accepting, finishes the request in flight, closes the database and PGlite, exits 0", async () => {
  const work = mkdtempSync(join(tmpdir(), "kz-shutdown-"));
  const blank = process.env.TEST_DB === "postgres" ? await createBlankDatabase() : undefined;
  // Seeded already, so the server is up in seconds; a first start's initdb and seed are scripts/smoke-test.sh's.
  if (!blank) await fillSeededDataFolder(join(work, "data"));
  const env = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    DATA_DIR: join(work, "data"),
    DATABASE_URL: blank?.url ?? "",
  };
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], { env, stdio: ["ignore", "ignore", "pipe"] });
  const lines: any[] = [];
  let partial = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts) lines.push(JSON.parse(line));
  });
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) => child.once("exit", (code) => ((exitCode = code), resolve())));
  try {
    await until(() => lines.some((l) => l.port), 60_000, "the server to listen");
    const port = lines.find((l) => l.port).port;

    // A request in flight: headers and part of the body sent when the signal arrives.
    const body = JSON.stringify({ query: "query InFlight { institutes(first: 2) { totalCount } }", operationName: "InFlight" });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/graphql",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res
            .setEncoding("utf8")
            .on("data", (c) => (text += c))
            .on("end", () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        child.kill("SIGTERM");
        until(() => lines.some((l) => l.msg === "shutting down"), 10_000, "shutdown to begin")
          .then(async () => {
            // Stopped accepting: a new connection is refused while the old request is still open.
            await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
            req.end(body.slice(20));
          })
          .catch(reject);
      }, 300);
    });
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text).data.institutes.totalCount).toBe(blank ? 0 : 14);

    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    expect(exitCode).toBe(0);
    expect(lines.at(-1).msg).toBe("stopped");
    const inFlight = lines.find((l) => l.msg === "request" && l.operationName === "InFlight");
    expect(inFlight).toMatchObject({ status: 200, requestId: expect.any(String), cost: 1 });
    expect(existsSync(join(work, "data", "server.lock"))).toBe(false);
  } finally {
    if (exitCode === null) child.kill("SIGKILL");
    await exited;
    rmSync(work, { recursive: true, force: true });
    await blank?.drop();
  }
});
