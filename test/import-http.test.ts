import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SYNTHETIC_SOURCE, syntheticSource } from "../scripts/synthetic.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { openDatabase } from "../src/db.ts";
import { createBlankDatabase } from "./helpers.ts";
import { type ServerProcess, spawnServer } from "./server-helpers.ts";

// POST /admin/import against `npm start`'s server in a process of its own, so its memory can be
// read from /proc: a 50 MB file is streamed to a temporary file (not held in memory), imported as a
// dry run with no more memory than the command-line import of the same file, and the temporary
// file is gone afterwards, also when the client goes away mid-upload.

let work: string;
/** The server's TMPDIR, so the test sees its temporary files. */
let serverTmp: string;
let file: string;
let empty: string;
const MB = 1024 * 1024;
const LIMIT = 60 * MB;

let blank: Awaited<ReturnType<typeof createBlankDatabase>>;
let server: ServerProcess;
let admin: string;

/**
 * SYNTHETIC organizations citing the synthetic source, as NDJSON of about `megabytes` MB. Each
 * line is padded with JSON whitespace to about 190 KB, so 50 MB is some 270 rows: the test is about
 * the bytes the server takes in; the importer's work per row is measured by scripts/bench-import.ts.
 */
async function writeFile(megabytes: number) {
  const out = createWriteStream(file);
  const padding = " ".repeat(190_000);
  let bytes = 0;
  for (let i = 1; bytes < megabytes * MB; i++) {
    const record = {
      slug: `synthetic-org-${i}`,
      kind: "RESEARCH_INSTITUTE",
      nameEn: `Synthetic organization ${i}`,
      nameRu: null,
      nameKk: null,
      alternateNames: [],
      description: "Synthetic record for tests",
      country: "KZ",
      city: "Almaty",
      foundedYear: 1990,
      website: null,
      parent: null,
      identifiers: [],
      citations: [{ source: SYNTHETIC_SOURCE, quote: null, confidence: "LOW", note: "synthetic" }],
    };
    const line = `${JSON.stringify(record).replace(",", `,${padding}`)}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Peak and current resident memory of a process, in MB. */
function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  return { peak: kb("VmHWM") / 1024, current: kb("VmRSS") / 1024 };
}

/** Starts a new peak: the kernel's high-water mark of the process's resident memory becomes its current size. */
function resetPeak(pid: number) {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** `npm run import -- FILE --dry-run` in a process of its own; its peak resident memory in MB. */
async function cliImportPeakMb(input: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      'data:text/javascript,process.on("exit",()=>console.log("maxRSS",process.resourceUsage().maxRSS))',
      "src/cli/import.ts",
      input,
      "--dry-run",
    ],
    {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { ...process.env, DATABASE_URL: blank.url, LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const [code] = await once(child, "exit");
  expect(code, out).toBe(0);
  expect(out).toMatch(/Dry run: \d+ rows valid/);
  return Number(/maxRSS (\d+)/.exec(out)![1]) / 1024;
}

/** Streams `body` to the import endpoint like curl --data-binary; `abortAfter` bytes, then the client goes away. */
function upload(
  body: () => NodeJS.ReadableStream,
  { query = "entity=organizations&format=ndjson&dryRun=true", abortAfter }: { query?: string; abortAfter?: number } = {},
) {
  return new Promise<{ status: number; body: any } | "aborted">((resolve, reject) => {
    const req = request(
      `${server.url}/admin/import?${query}`,
      { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/x-ndjson" } },
      async (res) => {
        let text = "";
        for await (const chunk of res) text += chunk;
        resolve({ status: res.statusCode!, body: JSON.parse(text) });
        req.destroy();
      },
    );
    let sent = 0;
    const source = body();
    source.on("data", (chunk: Buffer) => {
      sent += chunk.length;
      if (abortAfter !== undefined && sent > abortAfter) {
        source.pause();
        // Let the server see the bytes (and open its temporary file) before the connection drops.
        setTimeout(() => {
          req.destroy();
          resolve("aborted");
        }, 500);
      } else if (!req.write(chunk)) {
        source.pause();
        req.once("drain", () => source.resume());
      }
    });
    source.on("end", () => req.end());
    // The server may answer (413) and stop reading before the whole body is sent.
    req.on("error", (error: NodeJS.ErrnoException) =>
      abortAfter !== undefined || ["EPIPE", "ECONNRESET"].includes(error.code!) ? undefined : reject(error),
    );
  });
}

/** The import's temporary folders (src/import/route.ts) in `folder`, once there are none or after 5 s. */
async function importFolders(folder: string) {
  const list = () => readdirSync(folder).filter((name) => name.startsWith("import-"));
  for (let i = 0; i < 100 && list().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return list();
}

// 50 MB through a server and a command-line import in child processes takes about a minute on the
// shared 2-core machine with PostgreSQL, and longer on the embedded PGlite (which would run inside
// this test process, serving both): PostgreSQL only.
describe.runIf(process.env.TEST_DB === "postgres")("POST /admin/import, 50 MB", () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "import-http-test-"));
    [serverTmp, file, empty] = ["server-tmp", "synthetic-organizations.ndjson", "empty-organizations.ndjson"].map((name) =>
      path.join(work, name),
    );
    blank = await createBlankDatabase();
    const db = await openDatabase({ databaseUrl: blank.url, poolSize: 2 });
    await db.prisma.source.create({
      data: { url: syntheticSource.url, title: syntheticSource.title, language: syntheticSource.language, note: syntheticSource.note },
    });
    admin = await createApiKey(db.prisma, "importer", "ADMIN");
    await db.close();
    await writeFile(50);
    writeFileSync(empty, "");
    mkdirSync(serverTmp);
    server = await spawnServer({ DATABASE_URL: blank.url, TMPDIR: serverTmp, IMPORT_MAX_BYTES: String(LIMIT) });
  });

  afterAll(async () => {
    await server?.stop();
    await blank?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("a 50 MB dry run over HTTP: streamed to a temporary file, no more memory than the command line, nothing left behind", async () => {
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(50 * MB);
    // A first upload, read whole but refused as CSV: the server's one-time growth on first use
    // (compiled code, connection pools) is not the import's.
    const warmUp = await upload(() => createReadStream(file), { query: "entity=organizations&format=csv&dryRun=true" });
    expect(warmUp).toMatchObject({ status: 422 });
    resetPeak(server.pid);
    const before = memoryOf(server.pid);
    const answer = await upload(() => createReadStream(file));
    const after = memoryOf(server.pid);
    expect(answer).toMatchObject({
      status: 200,
      body: { dryRun: true, report: { organizations: { created: expect.any(Number), updated: 0 } } },
    });
    const rows = (answer as { body: { rows: number } }).body.rows;
    expect(await importFolders(serverTmp)).toEqual([]);

    const cliEmpty = await cliImportPeakMb(empty);
    const cli = await cliImportPeakMb(file);
    const grew = after.peak - before.current;
    console.log(
      `HTTP import of ${(size / MB).toFixed(1)} MB (${rows} rows, dry run): server RSS ${before.current.toFixed(0)} MB before, peak ${after.peak.toFixed(0)} MB ` +
        `(+${grew.toFixed(0)} MB); command-line import: peak ${cli.toFixed(0)} MB for the same file, ${cliEmpty.toFixed(0)} MB for an empty one (+${(cli - cliEmpty).toFixed(0)} MB)`,
    );
    // What the import adds to the server is what it adds to the command line, give or take the
    // garbage collector's timing (tens of MB either way).
    expect(grew).toBeLessThan(cli - cliEmpty + 40);
  });

  test("a client that goes away mid-upload leaves no temporary file, and a body over IMPORT_MAX_BYTES is refused", async () => {
    const aborted = await upload(() => createReadStream(file), { abortAfter: 20 * MB });
    expect(aborted).toBe("aborted");
    expect(await importFolders(serverTmp)).toEqual([]);

    // Sent without a Content-Length (chunked), so the limit is found while streaming.
    async function* twice() {
      for (let i = 0; i < 2; i++) yield* createReadStream(file);
    }
    const { Readable } = await import("node:stream");
    const tooLarge = await upload(() => Readable.from(twice()));
    expect(tooLarge).toEqual({
      status: 413,
      body: {
        errors: [
          {
            message: `Send a file of at most ${LIMIT} bytes (IMPORT_MAX_BYTES); use npm run import for larger files`,
            extensions: { code: "BODY_TOO_LARGE" },
          },
        ],
      },
    });
    expect(await importFolders(serverTmp)).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
