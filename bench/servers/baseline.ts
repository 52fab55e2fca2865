// The physical limit of this stack for the nested list: node:http and node-postgres with one
// hand-written SQL statement, assembling the same JSON bytes as the API; and a pre-serialised
// static answer (GET /static), which measures node:http alone.
import { createServer } from "node:http";
import pg from "pg";
import { NESTED_SQL, PAGE } from "../queries.ts";
import { countStatements } from "./count-statements.ts";

interface Row {
  o_slug: string;
  o_name: string;
  m_id: number | null;
  m_slug: string;
  m_title: string;
  p_slug: string | null;
  p_title: string;
  p_status: string;
}

const counter = countStatements(pg);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });

async function nested(): Promise<string> {
  const { rows } = await pool.query<Row>(NESTED_SQL, [PAGE]);
  type Partnership = { node: { slug: string; title: string; status: string } };
  type Method = { node: { slug: string; title: string; partnerships: { edges: Partnership[] } } };
  const organizations: { node: { slug: string; name: string; methods: { edges: Method[] } } }[] = [];
  let method: Method | undefined;
  let lastMethod: number | null = null;
  for (const row of rows) {
    let organization = organizations.at(-1);
    if (organization?.node.slug !== row.o_slug) {
      organization = { node: { slug: row.o_slug, name: row.o_name, methods: { edges: [] } } };
      organizations.push(organization);
      lastMethod = null;
    }
    if (row.m_id === null) continue;
    if (row.m_id !== lastMethod) {
      method = { node: { slug: row.m_slug, title: row.m_title, partnerships: { edges: [] } } };
      organization.node.methods.edges.push(method);
      lastMethod = row.m_id;
    }
    if (row.p_slug !== null) method!.node.partnerships.edges.push({ node: { slug: row.p_slug, title: row.p_title, status: row.p_status } });
  }
  return JSON.stringify({ data: { organizations: { edges: organizations } } });
}

const staticAnswer = Buffer.from(await nested());

createServer((req, res) => {
  if (counter.handle(req, res)) return;
  if (req.url === "/static") {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": staticAnswer.length }).end(staticAnswer);
    return;
  }
  // Reads (and ignores) the body, as a GraphQL server must.
  req.resume();
  req.on("end", () => {
    nested().then(
      (body) =>
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body),
      (error) => res.writeHead(500).end(String(error)),
    );
  });
}).listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
