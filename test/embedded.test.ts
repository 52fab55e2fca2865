import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { expect, test } from "vitest";
import { startEmbedded } from "../src/database/embedded.ts";
import { runConcurrentLoad } from "./concurrent-load.ts";
import { fillSeededDataFolder, openTestDatabase, pgliteImage } from "./helpers.ts";
import { spawnServer } from "./server-helpers.ts";

// The embedded database is the same in both test projects: run these once.
const pgliteOnly = test.skipIf(process.env.TEST_DB === "postgres");

pgliteOnly(
  "a data folder in use is refused, by this process and by another, and free again after it stops",
  async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "embedded-")), "nested", "data");
    const first = await startEmbedded(dir);
    try {
      await expect(startEmbedded(dir)).rejects.toThrow(`The data folder ${dir} is already open in this process`);
      const other = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "-e",
          `import("${new URL("../src/database/embedded.ts", import.meta.url).pathname}").then((m) => m.startEmbedded(${JSON.stringify(dir)}))`,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
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
  },
  240_000,
); // initdb of a data folder and a second Node.js process: a minute on a machine busy with other work

pgliteOnly(
  "writers and readers at once through the API get every answer right",
  async () => {
    // An in-memory embedded database as runConcurrentLoad would open, copied from the seeded image.
    const { db, drop } = await openTestDatabase({ seed: true });
    const counts = await runConcurrentLoad({ seconds: 3, writers: 3, readers: 6, seeded: db }).finally(drop);
    expect(counts.samples).toEqual([]);
    expect(counts).toMatchObject({ wrong: 0, errors: 0 });
    expect(counts.checked).toBeGreaterThanOrEqual(3 + 6); // every writer and reader was answered
  },
  240_000,
); // the load lasts 3 s; copying the database is what a busy machine slows

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

pgliteOnly("a connection's transaction and settings stay its own; one closed mid-transaction is rolled back", async () => {
  const embedded = await startEmbedded(null, { loadDataDir: await pgliteImage("empty") });
  const [a, b] = [await connect(embedded.url), await connect(embedded.url)];
  a.on("error", () => {}); // its connection is cut below
  try {
    await a.query("CREATE TABLE t (n int)");
    await a.query("SET application_name = 'a'");
    expect((await b.query("SHOW application_name")).rows).toEqual([{ application_name: "" }]);
    // b waits for a's transaction instead of running inside it.
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES (1)");
    const bCount = b.query("SELECT count(*)::int AS n FROM t");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.query("ROLLBACK");
    expect((await bCount).rows).toEqual([{ n: 0 }]);
    // a leaves in the middle of a transaction: its insert is undone and b goes on.
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES (2)");
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await b.query("SELECT count(*)::int AS n FROM t")).rows).toEqual([{ n: 0 }]);
  } finally {
    await a.end().catch(() => {});
    await b.end();
    await embedded.stop();
  }
});

/** Inodes of the TCP sockets this process listens on. */
function listeningTcpSockets(): string[] {
  const listening = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A") listening.add(fields[9]);
    }
  }
  return readdirSync("/proc/self/fd")
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1];
      } catch {
        return undefined; // closed meanwhile
      }
    })
    .filter((inode): inode is string => inode !== undefined && listening.has(inode));
}

pgliteOnly(
  "the embedded database opens no TCP port: only its user can open its socket, in the data folder or a private folder",
  async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "embedded-")), "data");
    const before = listeningTcpSockets();
    for (const dataDir of [dir, null]) {
      // A copy of the empty image: initdb is the first test's.
      const embedded = await startEmbedded(dataDir, { loadDataDir: await pgliteImage("empty") });
      try {
        expect(listeningTcpSockets()).toEqual(before);
        const folder = new URL(embedded.url).searchParams.get("host")!;
        if (dataDir) expect(folder).toBe(dir);
        expect(statSync(folder).mode & 0o777).toBe(0o700);
        const socket = statSync(join(folder, ".s.PGSQL.5432"));
        expect(socket.isSocket()).toBe(true);
        expect(socket.mode & 0o777).toBe(0o600);
        const client = await connect(embedded.url);
        expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        await client.end();
      } finally {
        await embedded.stop();
      }
    }
  },
);

const run = promisify(execFile);
const ORGANIZATION_QUERY = `{ organization(slug: "embedded-test-lab") { name } }`;

pgliteOnly(
  "while a server holds the data folder, npm run key and npm run import use its database, and it sees their changes at once",
  async () => {
    const work = mkdtempSync(join(tmpdir(), "embedded-cli-"));
    const env = { ...process.env, DATA_DIR: join(work, "data"), DATABASE_URL: "", LOG_LEVEL: "warn" };
    // The first start's initdb and seed are test/shutdown.test.ts's; this one is about sharing the database.
    await fillSeededDataFolder(env.DATA_DIR);
    const npm = (...args: string[]) => run("npm", ["run", "--silent", ...args], { cwd: join(import.meta.dirname, ".."), env });
    const server = await spawnServer(env);
    try {
      const ask = async (query: string, key?: string) =>
        (
          await fetch(`${server.url}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-graphql-yoga-csrf": "1", ...(key ? { authorization: `Bearer ${key}` } : {}) },
            body: JSON.stringify({ query }),
          })
        )
          .json()
          .then(({ data, errors }) => ({ data, errors }));
      // Asked (and cached) before the import: the import must still show.
      expect(await ask(ORGANIZATION_QUERY)).toEqual({ data: { organization: null }, errors: undefined });

      const { stdout } = await npm("key", "--", "create", "--name", "embedded-test", "--scope", "write");
      const key = stdout.match(/kzg_\S+/)![0];
      const update = `mutation { impactUpdate(input: { slug: "erg-aluminium-hackathon-prototypes", reason: "embedded test", record: { citations: [{ source: "https://www.ihn.kz/en/history.html", quote: "was appointed the first director of the Institute in 1945-1946", confidence: HIGH }] } }) { userErrors { message } } }`;
      expect(await ask(update, key)).toMatchObject({ data: { impactUpdate: { userErrors: [] } } });

      const file = join(work, "organizations.csv");
      writeFileSync(
        file,
        "slug,kind,nameEn,nameRu,nameKk,alternateNames,description,country,city,foundedYear,website,parent,identifiers,citations\n" +
          `embedded-test-lab,RESEARCH_INSTITUTE,Embedded Test Laboratory,,,[],,KZ,,,,,[],"[{""source"":""https://www.ihn.kz/en/history.html"",""quote"":""was appointed the first director of the Institute in 1945-1946"",""confidence"":""HIGH""}]"\n`,
      );
      await npm("import", "--", file);
      expect(await ask(ORGANIZATION_QUERY)).toEqual({ data: { organization: { name: "Embedded Test Laboratory" } }, errors: undefined });
    } finally {
      await server.stop();
    }
    try {
      // A server killed without a shutdown leaves its lock and socket: they block nothing.
      const killed = await spawnServer(env);
      await killed.stop("SIGKILL");
      expect(readdirSync(env.DATA_DIR)).toContain(".s.PGSQL.5432");
      expect((await npm("key", "--", "list")).stdout).toContain("embedded-test");
      const restarted = await spawnServer(env);
      await restarted.stop();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
  240_000,
);
