// How a committed write reaches every response cache: in this process directly (dataChanged,
// called by the writer's caller once the transaction has committed), and in other processes on
// the same PostgreSQL server through NOTIFY, which the write transaction sends and PostgreSQL
// delivers only if it commits (listenForChanges).
import pg from "pg";
import { log } from "../log.ts";
import { changedTypes, RECORD_TYPES, type RecordType } from "./tags.ts";

export const CHANGES_CHANNEL = "kzgraph_data_changed";

type Listener = (types: RecordType[]) => Promise<void>;
const listeners = new Set<Listener>();

/** Calls `listener` with the invalidated types after every write; returns the unsubscribe function. */
export function onDataChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells this process's caches that records of these types changed (call after the commit). */
export async function dataChanged(recordTypes: Iterable<string>): Promise<void> {
  const types = changedTypes(recordTypes);
  if (types.length) await Promise.all([...listeners].map((listener) => listener(types)));
}

/**
 * Listens for writes committed by other processes (other API instances, `npm run import`) on the
 * PostgreSQL server at `url`, reconnecting when the connection drops. Returns the stop function.
 */
export async function listenForChanges(url: string): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const reconnectSoon = () => {
    if (!stopped) retry = setTimeout(() => void connect(true), 1000);
  };
  const connect = async (reconnecting: boolean) => {
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload) void dataChanged(message.payload.split(","));
    });
    next.on("error", (error) => {
      log.warn("change listener lost its connection; reconnecting", { error: error.message });
      next.end().catch(() => {});
      reconnectSoon();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANGES_CHANNEL}`);
      client = next;
      // Writes committed while the listener was away were not heard: forget every cached answer.
      if (reconnecting) await dataChanged(RECORD_TYPES);
    } catch (error) {
      if (!reconnecting) throw error;
      next.end().catch(() => {});
      reconnectSoon();
    }
  };
  await connect(false);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end();
  };
}
