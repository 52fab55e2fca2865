import type { Plugin } from "graphql-yoga";
import { MIGRATIONS_DIR, readMigrations } from "../database/migrate.ts";
import { databaseClients } from "../db.ts";
import { rateLimited, rateLimitHeaders } from "../limits/plugin.ts";
import { type ContextOptions, openRequestContext, type RequestContext, type ServerContext } from "./context.ts";
import { errorBody, failure } from "./errors.ts";
import { registry } from "./metrics.ts";
import { bounded } from "./outage.ts";

/** A non-GraphQL endpoint, written against the Fetch API like Yoga itself. */
export type Route = (request: Request, context: RequestContext) => Response | Promise<Response>;

/** The route table: an exact path ("/healthz"), or a prefix ending in "/" ("/export/") for a family of paths. */
export type Routes = Record<string, Route>;

// Yoga answers these with an empty body; every refusal of this API says what was wrong.
const BARE_REFUSALS: Record<number, [code: string, message: string]> = {
  404: ["NOT_FOUND", "Nothing is served at this path; the GraphQL API is at /graphql"],
  415: ["UNSUPPORTED_MEDIA_TYPE", "Send the query as JSON with `Content-Type: application/json`, or as `?query=` in a GET request"],
};

export interface RequestOptions extends ContextOptions {
  routes: Routes;
  /** Paths (with what is under them) whose requests each spend a point of the client's budget on arrival. */
  meteredPaths: string[];
}

/**
 * The front of the API, the first of Yoga's plugins: builds the request's context (caller,
 * address, budget), takes the request's point from the client's budget on metered paths (429
 * when it is spent), answers the paths of the route table, and leaves the rest to GraphQL.
 * Every answer gets the request id, and the rate-limit headers once the budget was read.
 */
export function requestPlugin(options: RequestOptions): Plugin {
  const { routes } = options;
  // "/" is the root alone, not a prefix of every path.
  const prefixes = Object.keys(routes).filter((path) => path !== "/" && path.endsWith("/"));
  const metered = (path: string) => options.meteredPaths.some((p) => path === p || path.startsWith(`${p}/`));
  return {
    async onRequest({ request, url, serverContext, endResponse }) {
      const server = serverContext as ServerContext;
      let context: RequestContext;
      try {
        context = await openRequestContext(request, server, options);
      } catch (error) {
        return endResponse(failure(error, { requestId: server.requestId }).toResponse());
      }
      if (request.method !== "OPTIONS" && metered(url.pathname) && !(await context.take(1)).allowed) {
        return endResponse(rateLimited(context, "a request costs 1 point").toResponse());
      }
      const path = routes[url.pathname] ? url.pathname : prefixes.find((p) => url.pathname.startsWith(p));
      if (path) endResponse(await routes[path](request, context));
    },
    onResponse({ response, serverContext, setResponse }) {
      const context = serverContext as Partial<RequestContext>;
      if (context.requestId) response.headers.set("x-request-id", context.requestId);
      if (context.bucket && context.budget && response.status !== 429) {
        for (const [name, value] of Object.entries(rateLimitHeaders(context.bucket, context.budget))) response.headers.set(name, value);
      }
      const bare = BARE_REFUSALS[response.status];
      if (bare && response.body === null) {
        const headers = new Headers(response.headers);
        headers.set("content-type", "application/json; charset=utf-8");
        setResponse(new Response(errorBody(bare[1], { code: bare[0] }), { status: response.status, headers }));
      }
    },
    onDispose: () => options.rateLimits.close(),
  };
}

/** Time each database has to answer /readyz: a load balancer's probe gets its answer within 2 s. */
const READY_PROBE_MS = 1500;

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** Process up; every database (primary and replicas) reachable with every migration applied; Prometheus metrics. */
export function operationalRoutes(isStopping: () => boolean): Routes {
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
