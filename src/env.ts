import { existsSync } from "node:fs";
import { z } from "zod";

if (existsSync(".env")) process.loadEnvFile(".env");

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection string")
      .optional(),
    // Start-up waits this long for a PostgreSQL server that cannot be reached yet (README "Configuration").
    DATABASE_WAIT_SECONDS: z.coerce.number().int().min(0).default(60),
    DATA_DIR: z.string().min(1).default("./data"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    // Limits and fair use (README "Limits and fair use")
    MAX_QUERY_COST: z.coerce.number().int().min(1).default(25_000),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(100_000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
    // Deployments sharing one Redis need different prefixes: cached answers are keyed by query, not by database.
    REDIS_KEY_PREFIX: z.string().min(1).default("kzgraph:"),
    TRUST_PROXY: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(100_000),
    IMPORT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(200 * 1024 * 1024),
    // Caching (README "Performance")
    RESPONSE_CACHE: z
      .enum(["on", "off"])
      .default("on")
      .transform((v) => v === "on"),
    COMPILED_READS: z
      .enum(["on", "off"])
      .default("on")
      .transform((v) => v === "on"),
    RESPONSE_CACHE_MAX_MB: z.coerce.number().int().min(1).default(256),
    RESPONSE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
    HTTP_CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(0),
    DATABASE_REPLICA_URLS: z
      .string()
      .transform((list, ctx) => {
        const urls = list.split(",").map((u) => u.trim());
        urls.forEach((u, i) => {
          // The password never reaches the error message.
          if (!/^postgres(ql)?:\/\//.test(u))
            ctx.addIssue({
              code: "custom",
              message: `entry ${i + 1} (${JSON.stringify(u.replace(/:[^:@/]*@/, ":***@"))}) must be a postgres:// or postgresql:// connection string`,
            });
        });
        return urls;
      })
      .optional(),
  })
  .refine((e) => !e.DATABASE_REPLICA_URLS || e.DATABASE_URL, {
    path: ["DATABASE_REPLICA_URLS"],
    message: "needs DATABASE_URL, the primary: the embedded database has no replicas",
  })
  .refine((e) => e.RATE_LIMIT_PER_MINUTE >= e.MAX_QUERY_COST, {
    path: ["RATE_LIMIT_PER_MINUTE"],
    message: "must be at least MAX_QUERY_COST, or the most expensive allowed query could never run",
  });

export type Env = z.infer<typeof schema>;

function parseEnv(): Env {
  const result = schema.safeParse({
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || undefined,
    REDIS_URL: process.env.REDIS_URL || undefined,
    DATABASE_REPLICA_URLS: process.env.DATABASE_REPLICA_URLS || undefined,
  });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    console.error(`Invalid configuration:\n${problems}`);
    process.exit(1);
  }
  return result.data;
}

export const env = parseEnv();
