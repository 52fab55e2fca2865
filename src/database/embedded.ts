import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

export interface EmbeddedDatabase {
  /** Connection string of the Unix socket in front of PGlite. */
  url: string;
  stop(): Promise<void>;
  /** The data folder as PGlite's tarball, to start another in-memory copy from (`loadDataDir`); only for a database this process holds. */
  dumpDataDir?(): Promise<Blob>;
}

// node-postgres connects to `<host>/.s.PGSQL.<port>` when host is a folder; 5432 is its default port.
const SOCKET_NAME = ".s.PGSQL.5432";
// sockaddr_un holds 108 bytes, the terminating zero included.
const MAX_SOCKET_PATH = 107;
const SERVER_START_WAIT_MS = 30_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const openInThisProcess = new Set<string>();

/**
 * The process holding the data folder, if one does. A lock left by a dead process, or by an
 * earlier run that had this same pid (pid 1 in a container), is stale.
 */
function lockHolder(dir: string): number | undefined {
  const lockFile = join(dir, "server.lock");
  if (!existsSync(lockFile)) return undefined;
  const pid = Number(readFileSync(lockFile, "utf8"));
  return pid && pid !== process.pid && isRunning(pid) ? pid : undefined;
}

// Two PGlite instances can open one folder without any error and silently diverge: refuse that,
// within this process and across processes.
function lockDataDir(dir: string): () => void {
  if (openInThisProcess.has(dir)) {
    throw new Error(`The data folder ${dir} is already open in this process`);
  }
  const holder = lockHolder(dir);
  if (holder) {
    throw new Error(`The data folder ${dir} is in use by process ${holder}: stop that server or set DATA_DIR to another folder`);
  }
  const lockFile = join(dir, "server.lock");
  writeFileSync(lockFile, String(process.pid));
  openInThisProcess.add(dir);
  return () => {
    rmSync(lockFile, { force: true });
    openInThisProcess.delete(dir);
  };
}

const socketUrl = (dir: string) => `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`;

/** Waits for the socket of the process holding `dir`, which may still be starting. */
async function runningServer(dir: string, pid: number): Promise<EmbeddedDatabase> {
  const until = Date.now() + SERVER_START_WAIT_MS;
  while (!existsSync(join(dir, SOCKET_NAME))) {
    if (Date.now() > until || !isRunning(pid))
      throw new Error(
        `The data folder ${dir} is held by process ${pid}, which does not serve it: try again once it has started or stopped`,
      );
    await sleep(100);
  }
  return { url: socketUrl(dir), stop: async () => {} };
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) on a data folder, or in memory when
 * `dataDir` is null, and serves it on a Unix socket that only this user can open, so Prisma and
 * pg connect as to any server. With `useRunningServer`, a folder another process holds is used
 * through that process's socket instead of being refused. A new database, in memory or in an empty
 * data folder, starts from `loadDataDir` (a `dumpDataDir` tarball) when given.
 */
export async function startEmbedded(
  dataDir: string | null,
  { useRunningServer = false, loadDataDir }: { useRunningServer?: boolean; loadDataDir?: Blob } = {},
): Promise<EmbeddedDatabase> {
  let unlock = () => {};
  let socketDir: string;
  let db: PGlite;
  // pg_trgm serves search; the migrations create it, as on a PostgreSQL server.
  const options = { extensions: { pg_trgm } };
  if (dataDir === null) {
    socketDir = mkdtempSync(join(tmpdir(), "pglite-"));
    unlock = () => rmSync(socketDir, { recursive: true, force: true });
    db = await PGlite.create({ ...options, loadDataDir });
  } else {
    socketDir = resolve(dataDir);
    if (join(socketDir, SOCKET_NAME).length > MAX_SOCKET_PATH) {
      throw new Error(
        `The data folder ${socketDir} is too long a path for its socket: use a DATA_DIR of at most ${MAX_SOCKET_PATH - SOCKET_NAME.length - 1} characters`,
      );
    }
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    const holder = useRunningServer && lockHolder(socketDir);
    if (holder) return runningServer(socketDir, holder);
    unlock = lockDataDir(socketDir);
    // Like PostgreSQL's own data folder: the database files are this user's alone.
    chmodSync(socketDir, 0o700);
    try {
      db = await PGlite.create(join(socketDir, "pgdata"), { ...options, loadDataDir });
    } catch (error) {
      unlock();
      throw error;
    }
  }
  const stopServing = await serve(db, join(socketDir, SOCKET_NAME));
  return {
    url: socketUrl(socketDir),
    async stop() {
      await stopServing();
      await db.close();
      unlock();
    },
    dumpDataDir: () => db.dumpDataDir("none"),
  };
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = 196608;

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const query = (sql: string) => message("Q", Buffer.from(`${sql}\0`));
const SYNC = message("S", Buffer.alloc(0));
const ROLLBACK = query("ROLLBACK");
const RESET_ALL = query("RESET ALL");

/** The transaction status of the ReadyForQuery that ends `output`, if it ends with one; and its notifications. */
function readOutput(output: Uint8Array): { status?: string; notifications: Uint8Array[] } {
  const view = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  const notifications: Uint8Array[] = [];
  let status: string | undefined;
  for (let at = 0; at + 5 <= view.length; ) {
    const end = at + 1 + view.readInt32BE(at + 1);
    if (view[at] === 0x41 /* A: NotificationResponse */) notifications.push(view.subarray(at, end));
    status = view[at] === 0x5a /* Z: ReadyForQuery */ && end === view.length ? String.fromCharCode(view[at + 5]) : undefined;
    at = end;
  }
  return { status, notifications };
}

/**
 * Serves one PGlite, a single PostgreSQL session, to any number of connections on a Unix socket.
 * A connection is granted the session from its first message until PGlite is ready for a query
 * outside a transaction; the others' messages wait their turn, so statements, transactions and
 * extended-protocol exchanges are never interleaved. Settings made with SET last until the
 * session passes to another connection (RESET ALL), and a connection's startup parameters are
 * not applied: no connection changes another's settings. A connection that closes while it
 * holds the session is rolled back. NOTIFY reaches every connection, since they share one
 * session's LISTENs. Returns the function that stops serving.
 */
async function serve(db: PGlite, socketPath: string): Promise<() => Promise<void>> {
  // PGlite answers a startup packet with its authentication, parameters and ReadyForQuery;
  // every connection is given that answer, as each is the same session.
  const startupBody = Buffer.from("user\0postgres\0database\0postgres\0\0");
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + startupBody.length, 0);
  startup.writeInt32BE(PROTOCOL_3, 4);
  // (A copy: PGlite returns this answer as a view of a buffer it reuses.)
  const welcome = Buffer.from(await db.execProtocolRaw(Buffer.concat([startup, startupBody])));

  const connections = new Set<Connection>();
  const closing = new Set<Promise<void>>();
  let holder: Connection | undefined;
  let lastHolder: Connection | undefined;
  const waiting: { connection: Connection; granted: () => void }[] = [];

  async function exec(connection: Connection, bytes: Uint8Array): Promise<Uint8Array> {
    if (holder !== connection) {
      if (holder) await new Promise<void>((granted) => waiting.push({ connection, granted }));
      holder = connection;
      if (lastHolder && lastHolder !== connection) await db.execProtocolRaw(RESET_ALL);
      lastHolder = connection;
    }
    const output = await db.execProtocolRaw(bytes);
    const { status, notifications } = readOutput(output);
    for (const other of connections) if (other !== connection && other.started) for (const n of notifications) other.socket.write(n);
    if (status === "I") release(connection);
    return output;
  }
  function release(connection: Connection) {
    if (holder !== connection) return;
    const next = waiting.shift();
    holder = next?.connection;
    next?.granted();
  }

  class Connection {
    started = false;
    buffer = Buffer.alloc(0);
    /** Messages are handled one batch after another, in the order they arrive. */
    done: Promise<void> = Promise.resolve();
    constructor(readonly socket: Socket) {}

    received(data: Buffer) {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.done = this.done
        .then(() => this.handle())
        .catch(() => {
          this.socket.destroy();
        });
    }

    async handle() {
      while (!this.started && this.buffer.length >= 8 && this.buffer.length >= this.buffer.readInt32BE(0)) {
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.socket.write("N");
        else if (code === PROTOCOL_3) {
          this.started = true;
          this.socket.write(welcome);
        } else this.socket.destroy(); // a cancel request (unsupported) or an unknown protocol
      }
      if (!this.started) return;
      // Every complete message received so far, up to a Terminate, goes to PGlite in one call.
      let end = 0;
      let terminate = false;
      while (end + 5 <= this.buffer.length && end + 1 + this.buffer.readInt32BE(end + 1) <= this.buffer.length) {
        if (this.buffer[end] === 0x58 /* X: Terminate */) {
          terminate = true;
          break;
        }
        end += 1 + this.buffer.readInt32BE(end + 1);
      }
      const batch = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end);
      if (batch.length) this.socket.write(await exec(this, batch));
      if (terminate) this.socket.end();
    }

    /** Ends a half-done exchange and any open transaction, and passes the session on. */
    async closed() {
      connections.delete(this);
      await this.done;
      if (holder !== this) return;
      try {
        const { status } = readOutput(await db.execProtocolRaw(SYNC));
        if (status !== "I") await db.execProtocolRaw(ROLLBACK);
      } finally {
        release(this);
      }
    }
  }

  rmSync(socketPath, { force: true }); // left by a server that was killed
  const server = createServer((socket) => {
    const connection = new Connection(socket);
    connections.add(connection);
    socket.on("data", (data) => connection.received(data));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => closing.add(connection.closed().catch(() => {})));
  });
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(socketPath, () => listening());
  });
  chmodSync(socketPath, 0o600);
  return async () => {
    const closed = new Promise((done) => server.close(done));
    for (const connection of connections) connection.socket.destroy();
    await closed;
    await Promise.all(closing);
  };
}
