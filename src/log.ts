import { env } from "./env.ts";

const levels = ["debug", "info", "warn", "error"] as const;
type Level = (typeof levels)[number];

function enabled(level: Level): boolean {
  return env.LOG_LEVEL !== "silent" && levels.indexOf(level) >= levels.indexOf(env.LOG_LEVEL as Level);
}

/** One JSON object a line on stderr, so logs stay machine-readable. */
function write(level: Level, msg: string, fields: Record<string, unknown> = {}) {
  if (!enabled(level)) return;
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
