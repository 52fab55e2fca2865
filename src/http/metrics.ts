import type pg from "pg";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one process, served at /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests answered, by route and status code",
  labelNames: ["route", "status"] as const,
  registers: [registry],
});

export const operationDuration = new Histogram({
  name: "graphql_request_duration_seconds",
  help: "Time to answer a GraphQL request, by operation name",
  labelNames: ["operation"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const graphqlErrors = new Counter({
  name: "graphql_errors_total",
  help: "Errors in GraphQL responses, by extensions.code",
  labelNames: ["code"] as const,
  registers: [registry],
});

export const rateLimitRejections = new Counter({
  name: "rate_limit_rejections_total",
  help: "Requests refused with 429 because the client's budget was spent",
  registers: [registry],
});

export const responseCacheLookups = new Counter({
  name: "graphql_response_cache_total",
  help: "Anonymous queries answered from the response cache (hit) or executed (miss)",
  labelNames: ["result"] as const,
  registers: [registry],
});

const pools = new Map<pg.Pool, string>();
/** Reports connection pools (`primary`, `replica1`, ...) in db_pool_connections while they are open. */
export function watchPools(named: Record<string, pg.Pool>) {
  for (const [name, pool] of Object.entries(named)) pools.set(pool, name);
}
new Gauge({
  name: "db_pool_connections",
  help: "Database connections of each pool (primary, replica1, ...): total open, idle, and requests waiting for one",
  labelNames: ["pool", "state"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [pool, name] of pools) {
      if (pool.ended) {
        pools.delete(pool);
        continue;
      }
      this.inc({ pool: name, state: "total" }, pool.totalCount);
      this.inc({ pool: name, state: "idle" }, pool.idleCount);
      this.inc({ pool: name, state: "waiting" }, pool.waitingCount);
    }
  },
});

const seenOperations = new Set<string>();
/**
 * Operation names are chosen by clients: only well-formed names become labels, and only the
 * first 200 of them, so a client cannot grow the metrics without bound.
 */
export function operationLabel(name: string | undefined): string {
  if (!name) return "anonymous";
  if (!/^[A-Za-z_]\w{0,63}$/.test(name)) return "invalid";
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= 200) return "other";
  seenOperations.add(name);
  return name;
}

export const compiledReadAnswers = new Counter({
  name: "graphql_compiled_reads_total",
  help: "GraphQL operations answered by compiled reads (compiled) or by normal execution (executed)",
  labelNames: ["result"] as const,
  registers: [registry],
});
