import type { Plugin } from "graphql-yoga";
import { MIGRATIONS_DIR, readMigrations } from "../database/migrate.ts";
import { databaseClients } from "../db.ts";
import { errorBody } from "./errors.ts";
import { registry } from "./metrics.ts";
import { bounded } from "./outage.ts";

/** A non-GraphQL endpoint, written against the Fetch API like Yoga itself. */
export type Route = (request: Request) => Response | Promise<Response>;

// Yoga answers these with an empty body; every refusal of this API says what was wrong.
const BARE_REFUSALS: Record<number, [code: string, message: string]> = {
  404: ["NOT_FOUND", "Nothing is served at this path; the GraphQL API is at /graphql"],
  415: ["UNSUPPORTED_MEDIA_TYPE", "Send the query as JSON with `Content-Type: application/json`, or as `?query=` in a GET request"],
};

/**
 * Serves every non-GraphQL path of the API from one table: an exact path ("/healthz"), or a
 * prefix ending in "/" ("/export/") for a family of paths.
 */
export function routesPlugin(routes: Record<string, Route>): Plugin {
  // "/" is the root alone, not a prefix of every path.
  const prefixes = Object.keys(routes).filter((path) => path !== "/" && path.endsWith("/"));
  return {
    async onRequest({ request, url, endResponse }) {
      const path = routes[url.pathname] ? url.pathname : prefixes.find((p) => url.pathname.startsWith(p));
      if (path) endResponse(await routes[path](request));
    },
    onResponse({ response, setResponse }) {
      const bare = BARE_REFUSALS[response.status];
      if (bare && response.body === null) {
        const headers = new Headers(response.headers);
        headers.set("content-type", "application/json; charset=utf-8");
        setResponse(new Response(errorBody(bare[1], bare[0]), { status: response.status, headers }));
      }
    },
  };
}

/** Time each database has to answer /readyz: a load balancer's probe gets its answer within 2 s. */
const READY_PROBE_MS = 1500;

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** Process up; every database (primary and replicas) reachable with every migration applied; Prometheus metrics. */
export function operationalRoutes(isStopping: () => boolean): Record<string, Route> {
  const expected = readMigrations(MIGRATIONS_DIR).then((ms) => ms.map((m) => m.name));
  return {
    "/healthz": () => json(200, { status: "ok" }),
    "/readyz": async () => {
      if (isStopping()) return json(503, { status: "stopping" });
      // Every database at once, each given READY_PROBE_MS, so the answer comes in time whatever they do.
      const problems = await Promise.all(
        Object.entries(databaseClients()).map(async ([database, client]) => {
          try {
            // A replica has the migrations once it has replayed them from the primary.
            const rows = await bounded(
              client.$queryRaw<Array<{ migration_name: string }>>`
                SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
              READY_PROBE_MS,
            );
            const applied = new Set(rows.map((r) => r.migration_name));
            const pending = (await expected).filter((name) => !applied.has(name));
            return pending.length ? { status: "migrations pending", database, pending } : undefined;
          } catch {
            return { status: "database unreachable", database };
          }
        }),
      );
      const problem = problems.find(Boolean);
      return problem ? json(503, problem) : json(200, { status: "ready" });
    },
    "/metrics": async () => new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } }),
  };
}
