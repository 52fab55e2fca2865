import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Database, openDatabase } from "../src/db.ts";
import { countRows, synthesize } from "../src/synth/generate.ts";
import { createApi } from "../src/yoga.ts";

// The generator creates databases of its own, so it needs a PostgreSQL server.
const server = process.env.TEST_DB === "postgres" ? process.env.TEST_DATABASE_URL : undefined;
const prefix = `synth_test_${randomBytes(4).toString("hex")}`;
const TABLES = [
  "Organization",
  "Person",
  "Role",
  "Method",
  "_MethodDevelopers",
  "Partnership",
  "Participant",
  "_PartnershipMethods",
  "Programme",
  "Funding",
  "Impact",
  "Source",
  "Citation",
];

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

let first: string, second: string;
beforeAll(async () => {
  if (!server) return;
  first = await synthesize(server, 200, `${prefix}_a`);
  second = await synthesize(server, 200, `${prefix}_b`);
});
afterAll(async () => {
  if (!server) return;
  for (const name of [`${prefix}_a`, `${prefix}_b`, `${prefix}_real`]) await sql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

test.skipIf(!server)("two runs at the same scale write identical data, in the seed's proportions", async () => {
  for (const table of TABLES) {
    const digest = `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table}" t`;
    const [a] = await sql(first, digest);
    const [b] = await sql(second, digest);
    expect(a.n, table).toBeGreaterThan(0);
    expect(a, table).toEqual(b);
  }
  // 200 partnerships make 23 blocks of the seed's 9: 19 organizations, 7 methods, 29 sources... a block.
  expect(await countRows(first)).toMatchObject({
    Partnership: 200,
    Organization: 19 * 23,
    Method: 7 * 23,
    Person: 7 * 23,
    Programme: 3 * 23,
    Funding: 5 * 23,
    Impact: 10 * 23,
    Source: 29 * 23,
    Participant: 200 + 156, // a lead for every partnership, an industry partner for 7 in 9
  });
});

test.skipIf(!server)("every synthetic record says it is synthetic", async () => {
  for (const table of ["Organization", "Person", "Method", "Partnership", "Programme", "Funding", "Impact"]) {
    const [row] = await sql<{ n: number }>(first, `SELECT count(*)::int AS n FROM "${table}" WHERE slug NOT LIKE 'synthetic-%'`);
    expect(row.n, table).toBe(0);
  }
  const unlabelled = await sql(
    first,
    `
    SELECT 'organization' AS what, id FROM "Organization" WHERE "nameEn" NOT LIKE 'Synthetic %' OR website NOT LIKE 'https://synthetic.invalid/%'
    UNION ALL SELECT 'person', id FROM "Person" WHERE "nameEn" NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'method', id FROM "Method" WHERE title NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'partnership', id FROM "Partnership" WHERE title NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'programme', id FROM "Programme" WHERE name NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'funding', id FROM "Funding" WHERE description NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'impact', id FROM "Impact" WHERE description NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'source', id FROM "Source" WHERE url NOT LIKE 'https://synthetic.invalid/%' OR title NOT LIKE 'Synthetic %'
    UNION ALL SELECT 'citation', id FROM "Citation" WHERE quote NOT LIKE 'Synthetic %'`,
  );
  expect(unlabelled).toEqual([]);
  const [comment] = await sql<{ c: string }>(
    server!,
    `SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = '${prefix}_a'`,
  );
  expect(comment.c).toMatch(/^Synthetic dataset/);
});

test.skipIf(!server)("the generator never replaces a database it did not make, nor writes outside synth_*", async () => {
  await sql(server!, `CREATE DATABASE ${prefix}_real`);
  await expect(synthesize(server!, 200, `${prefix}_real`)).rejects.toThrow(/was not made by this generator: refusing to replace it/);
  await expect(synthesize(server!, 200, "test")).rejects.toThrow(/must match synth_/);
  await expect(synthesize(server!, 5, `${prefix}_c`)).rejects.toThrow(/at least 9/);
});

test.skipIf(!server)("nested pages, forward and backward, match the links in SQL on the skewed synthetic data", async () => {
  let db: Database | undefined;
  try {
    db = await openDatabase({ databaseUrl: first });
    const api = createApi();
    const ask = async (query: string) => {
      const response = await api.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
      const body = await response.json();
      expect(body.errors).toBeUndefined();
      return body.data;
    };
    // The first institute develops the most methods (the generator's heavy tail).
    const links = await sql<{ slug: string }>(
      first,
      `SELECT m.slug FROM "_MethodDevelopers" d JOIN "Method" m ON m.id = d."A" WHERE d."B" = 1 ORDER BY m.id`,
    );
    expect(links.length).toBeGreaterThan(12);
    const page = (args: string) => `{ organization(slug: "synthetic-organization-1") { methods(${args}) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { slug } } } } }`;
    const slugs = (data: any) => data.organization.methods.edges.map((e: any) => e.node.slug);
    const one = await ask(page("first: 5"));
    expect(one.organization.methods.totalCount).toBe(links.length);
    expect(slugs(one)).toEqual(links.slice(0, 5).map((l) => l.slug));
    expect(one.organization.methods.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const two = await ask(page(`first: 5, after: "${one.organization.methods.pageInfo.endCursor}"`));
    expect(slugs(two)).toEqual(links.slice(5, 10).map((l) => l.slug));
    const back = await ask(page(`last: 3, before: "${two.organization.methods.pageInfo.startCursor}"`));
    expect(slugs(back)).toEqual(links.slice(2, 5).map((l) => l.slug));
    const tail = await ask(page("last: 4"));
    expect(slugs(tail)).toEqual(links.slice(-4).map((l) => l.slug));
  } finally {
    await db?.close();
  }
});
