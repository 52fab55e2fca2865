import { AsyncLocalStorage } from "node:async_hooks";
import pino from "pino";
import { env } from "./env.ts";

const requestIds = new AsyncLocalStorage<string>();

/** Runs `fn` so that every line it logs, however deep in its calls, carries `requestId`. */
export const withRequestId = <T>(requestId: string, fn: () => T): T => requestIds.run(requestId, fn);

/** The id of the request being handled by the HTTP server, if any. */
export const currentRequestId = (): string | undefined => requestIds.getStore();

/** JSON lines on stderr; every line written while the HTTP server handles a request carries its request id. */
const logger = pino(
  {
    level: env.LOG_LEVEL,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const requestId = requestIds.getStore();
      return requestId ? { requestId } : {};
    },
    // API keys are never logged; this catches one passed by mistake in a field.
    redact: { paths: ["authorization", "*.authorization", "apiKey", "*.apiKey"], censor: "[redacted]" },
  },
  // Writes to a file or pipe through process.stderr are synchronous on Linux: no line is lost at exit.
  process.stderr,
);

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => logger.debug(fields ?? {}, msg),
  info: (msg: string, fields?: Record<string, unknown>) => logger.info(fields ?? {}, msg),
  warn: (msg: string, fields?: Record<string, unknown>) => logger.warn(fields ?? {}, msg),
  error: (msg: string, fields?: Record<string, unknown>) => logger.error(fields ?? {}, msg),
};
