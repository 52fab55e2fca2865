import { createHash } from "node:crypto";
import { getOperationAST, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { onPrimary } from "../db.ts";
import { stateOf, type RequestState } from "../http/context.ts";
import { graphqlErrors, rateLimitRejections } from "../http/metrics.ts";
import { operationCost } from "./cost.ts";
import { documentLimitsRule, parseWithTokenLimit, type DocumentLimits } from "./document.ts";
import { refusal } from "./errors.ts";
import type { Bucket, RateLimitStore } from "./rate-limit.ts";

export interface Limits extends DocumentLimits {
  /** Largest cost of one operation (see operationCost). */
  maxCost: number;
  /** Points a minute for a client without a verified API key. */
  perMinute: number;
  /** Points a minute for a client with a verified API key. */
  keyPerMinute: number;
  /** Execution time after which an operation is answered with TIMEOUT. */
  timeoutMs: number;
}

export interface LimitsOptions {
  limits: Limits;
  store: RateLimitStore;
  graphqlEndpoint: string;
  /** Other paths (and what is under them) whose requests spend from the same budgets: the exports. */
  meteredPaths?: string[];
  /**
   * Tells whether a bearer token is a valid API key. Until one is given, every client is rate
   * limited by IP address: an unverified token must not buy a fresh budget.
   */
  verifyApiKey?: (token: string) => boolean | Promise<boolean>;
}

/** Names of the headers rateLimitHeaders sets on every metered response (a 429 adds Retry-After). */
export const RATE_LIMIT_HEADERS = ["ratelimit-policy", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"];

export function rateLimitHeaders(bucket: Bucket, budget: number): Record<string, string> {
  return {
    "RateLimit-Policy": `${budget};w=60`,
    "RateLimit-Limit": String(budget),
    "RateLimit-Remaining": String(bucket.remaining),
    "RateLimit-Reset": String(bucket.reset),
    "X-RateLimit-Limit": String(budget),
    "X-RateLimit-Remaining": String(bucket.remaining),
    "X-RateLimit-Reset": String(Math.ceil(Date.now() / 1000) + bucket.reset),
    ...(bucket.allowed ? {} : { "Retry-After": String(bucket.retryAfter) }),
  };
}

function rateLimited(state: RequestState, points: number): GraphQLError {
  rateLimitRejections.inc();
  const bucket = state.bucket!;
  const what = points === 1 ? "a request costs 1 point" : `this query costs ${points} points`;
  return refusal(
    `Rate limit reached: ${what} and ${bucket.remaining} of your ${state.budget} points a minute are left. ` +
      `Try again in ${bucket.retryAfter} s, or ask for fewer items (see extensions.cost)`,
    "RATE_LIMITED",
    429,
    rateLimitHeaders(bucket, state.budget!),
  );
}

async function identify(request: Request, state: RequestState, options: LimitsOptions) {
  state.client = `ip:${state.ip}`;
  state.budget = options.limits.perMinute;
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (token && options.verifyApiKey && (await options.verifyApiKey(token))) {
    state.client = `key:${createHash("sha256").update(token).digest("hex").slice(0, 32)}`;
    state.budget = options.limits.keyPerMinute;
  }
}

type Execute = (args: any) => any;

function withTimeout(execute: Execute, ms: number): Execute {
  return (args) => {
    const controller = new AbortController();
    const signal = args.signal ? AbortSignal.any([args.signal, controller.signal]) : controller.signal;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ errors: [refusal(`The query ran longer than ${ms / 1000} s and was stopped. Ask for fewer items, or page through them`, "TIMEOUT", 504)] });
      }, ms);
    });
    return Promise.race([Promise.resolve(execute({ ...args, signal })), timedOut]).finally(() => clearTimeout(timer));
  };
}

/**
 * Everything that keeps one client from taking the server for itself: document limits (tokens,
 * depth, aliases, directives), the cost limit computed before execution, per-client token
 * buckets of cost points, and the execution timeout. Every GraphQL response reports
 * `extensions.cost`, and every response to a rate-limited request the RateLimit headers.
 */
export function limitsPlugin(options: LimitsOptions): Plugin {
  const { limits, store } = options;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const metered = [options.graphqlEndpoint, ...(options.meteredPaths ?? [])].some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
      if (!metered || request.method === "OPTIONS") return;
      const state = stateOf(request);
      await identify(request, state, options);
      state.take = async (points) => (state.bucket = await store.take(state.client, points, state.budget!));
      const bucket = await state.take(1);
      if (!bucket.allowed) {
        const error = rateLimited(state, 1);
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: "RATE_LIMITED" } }] }), {
            status: 429,
            headers: { "content-type": "application/json; charset=utf-8", ...rateLimitHeaders(bucket, state.budget!) },
          }),
        );
      }
    },
    onParse({ setParseFn }) {
      setParseFn(parseWithTokenLimit(limits.maxTokens, limits.maxInputDepth));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(documentLimitsRule(limits));
    },
    async onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const state = stateOf((args.contextValue as { request: Request }).request);
      const operation = getOperationAST(args.document, args.operationName);
      state.operationName = operation?.name?.value;
      let cost: number | null;
      try {
        cost = operationCost(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown>);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        setResultAndStopExecution({ errors: [refusal(error.message, String(error.extensions.code ?? "BAD_USER_INPUT"))] });
        return;
      }
      if (cost === null) return;
      state.cost = cost;
      if (cost > limits.maxCost) {
        setResultAndStopExecution({
          errors: [refusal(`The query's cost is ${cost}; the limit is ${limits.maxCost}. Ask for smaller pages (\`first\`) or less nesting; extensions.cost and the README's "Limits and fair use" explain the count`, "QUERY_TOO_COSTLY")],
        });
        return;
      }
      if (cost > 0 && !(await state.take!(cost)).allowed) {
        setResultAndStopExecution({ errors: [rateLimited(state, cost)] });
        return;
      }
      // A mutation reads its own payload back: from the primary, where the write is, not a replica.
      setExecuteFn(withTimeout(operation?.operation === "mutation" ? onPrimary(executeFn) : executeFn, limits.timeoutMs));
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      for (const error of result.errors ?? []) graphqlErrors.inc({ code: String(error.extensions?.code ?? "UNKNOWN") });
      const state = stateOf(request);
      const cost = { requested: state.cost ?? 0, limit: limits.maxCost, remaining: state.bucket?.remaining ?? state.budget, budget: state.budget };
      setResult({ ...result, extensions: { ...result.extensions, cost } });
    },
    onResponse({ request, response }) {
      const state = stateOf(request);
      response.headers.set("x-request-id", state.requestId);
      if (!state.bucket || response.status === 429) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(state.bucket, state.budget!))) response.headers.set(name, value);
    },
    onDispose: () => store.close(),
  };
}
