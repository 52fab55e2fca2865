// graphql-yoga alone, with the API's schema and none of the API's plugins (no limits, rate limit, cache or
// extensions): what any answer served through Yoga on node:http costs at least, beside PostGraphile's own handler.
import { createServer } from "node:http";
import { createYoga } from "graphql-yoga";
import pg from "pg";
import { schema } from "../../src/schema/index.ts";
import { countStatements } from "./count-statements.ts";

const counter = countStatements(pg);
const yoga = createYoga({ schema, graphiql: false, landingPage: false, logging: false });
createServer((req, res) => counter.handle(req, res) || yoga(req, res)).listen(Number(process.env.PORT), "127.0.0.1", () =>
  process.send?.("ready"),
);
