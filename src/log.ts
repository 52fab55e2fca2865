import pino from "pino";
import { env } from "./env.ts";
import { requestContext } from "./http/context.ts";

/** JSON lines on stderr; every line written while a request is handled carries its request id. */
const logger = pino(
  {
    level: env.LOG_LEVEL,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const request = requestContext.getStore();
      return request ? { requestId: request.requestId } : {};
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
