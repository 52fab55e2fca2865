import { GraphQLError, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { onPrimary } from "../db.ts";
import type { RequestContext } from "../http/context.ts";
import { ApiError } from "../http/errors.ts";
import { graphqlErrors, rateLimitRejections } from "../http/metrics.ts";
import { operationCost } from "./cost.ts";
import { type DocumentLimits, documentLimitRules, parseWithTokenLimit } from "./document.ts";
import type { Bucket } from "./rate-limit.ts";

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

/** Names of the headers rateLimitHeaders sets on every metered response (a 429 adds Retry-After). */
export const RATE_LIMIT_HEADERS = [
  "ratelimit-policy",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

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

/** The 429 of a request whose last take the client's bucket refused; `what` says what the points would have paid for. */
export function rateLimited(context: RequestContext, what: string, advice = ", or ask for fewer items (see extensions.cost)"): ApiError {
  rateLimitRejections.inc();
  const bucket = context.bucket!;
  return new ApiError(
    `Rate limit reached: ${what} and ${bucket.remaining} of your ${context.budget} points a minute are left. ` +
      `Try again in ${bucket.retryAfter} s${advice}`,
    "RATE_LIMITED",
    { status: 429, headers: rateLimitHeaders(bucket, context.budget) },
  );
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
        resolve({
          errors: [
            new ApiError(`The query ran longer than ${ms / 1000} s and was stopped. Ask for fewer items, or page through them`, "TIMEOUT", {
              status: 504,
            }),
          ],
        });
      }, ms);
    });
    return Promise.race([Promise.resolve(execute({ ...args, signal })), timedOut]).finally(() => clearTimeout(timer));
  };
}

/**
 * What keeps one client from taking the server for itself inside GraphQL: document limits
 * (tokens, depth, aliases, directives), the cost limit computed before execution, spent from the
 * client's bucket (the request's own point is taken when it arrives, see requestPlugin), and
 * the execution timeout. Every GraphQL response reports `extensions.cost`.
 */
export function limitsPlugin(limits: Limits): Plugin<RequestContext> {
  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithTokenLimit(limits.maxTokens, limits.maxInputDepth));
    },
    onValidate({ addValidationRule }) {
      for (const rule of documentLimitRules(limits)) addValidationRule(rule);
    },
    async onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const context = args.contextValue;
      const operation = getOperationAST(args.document, args.operationName);
      context.operationName = operation?.name?.value;
      let cost: number | null;
      try {
        cost = operationCost(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown>);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        setResultAndStopExecution({ errors: [new ApiError(error.message, String(error.extensions.code ?? "BAD_USER_INPUT"))] });
        return;
      }
      if (cost === null) return;
      context.cost = cost;
      if (cost > limits.maxCost) {
        setResultAndStopExecution({
          errors: [
            new ApiError(
              `The query's cost is ${cost}; the limit is ${limits.maxCost}. Ask for smaller pages (\`first\`) or less nesting; extensions.cost and the README's "Limits and fair use" explain the count`,
              "QUERY_TOO_COSTLY",
            ),
          ],
        });
        return;
      }
      if (cost > 0 && !(await context.take(cost)).allowed) {
        setResultAndStopExecution({ errors: [rateLimited(context, `this query costs ${cost} points`)] });
        return;
      }
      // A mutation reads its own payload back: from the primary, where the write is, not a replica.
      setExecuteFn(withTimeout(operation?.operation === "mutation" ? onPrimary(executeFn) : executeFn, limits.timeoutMs));
    },
    onResultProcess({ serverContext, result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      for (const error of result.errors ?? []) graphqlErrors.inc({ code: String(error.extensions?.code ?? "UNKNOWN") });
      const context = serverContext as Partial<RequestContext>;
      const cost = {
        requested: context.cost ?? 0,
        limit: limits.maxCost,
        remaining: context.bucket?.remaining ?? context.budget,
        budget: context.budget,
      };
      setResult({ ...result, extensions: { ...result.extensions, cost } });
    },
  };
}
