import type { Plugin } from "graphql-yoga";
import { compiledReadAnswers } from "../http/metrics.ts";
import { executeCompiled } from "./plan.ts";

/**
 * Answers queries the planner can compile (plan.ts) without GraphQL execution; runs the others as
 * before. Registered before limitsPlugin, which wraps the execute function set here in its
 * timeout, and the response cache, whose onExecuteDone stores a compiled answer like any other.
 */
export function compiledReads(): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        const answer = await executeCompiled(args);
        compiledReadAnswers.inc({ result: answer ? "compiled" : "executed" });
        return answer ?? executeFn(args);
      });
    },
  };
}
