import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { createApi } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let key: string;
let dir: string;
const SLUG = "kazakhmys-science-industry-visit-2024-06";
const SEED_SOURCE = "https://tttu.edu.kz/en/2024/06/cooperation-between-science-and-industry";
const NEW_SOURCE = "https://orda.kz/chto-proishodit-s-naukoj-pri-stavlennikah-masimova-i-kulibaevoj/";

beforeAll(async () => {
  api = await startTestApi();
  key = await createApiKey(api.db.prisma, "history-test", "WRITE");
  dir = await mkdtemp(join(tmpdir(), "history-"));
});
afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const HISTORY = `query ($slug: String!) {
  partnership(slug: $slug) { history(first: 10) { edges { node { action actor reason fields before after } } } }
  changes(first: 100) { edges { node { fields before after reason } } }
}`;

async function history() {
  // With a key, so the answer is read afresh (the import below writes from another process).
  const { body } = await api.query(HISTORY, { slug: SLUG }, { authorization: `Bearer ${key}` });
  expect(body.errors).toBeUndefined();
  return { entries: body.data.partnership.history.edges.map((e: any) => e.node), feed: body.data.changes.edges.map((e: any) => e.node) };
}

/** Nothing internal: no database id (a field named like parentId, or a number where a record is named) and no local file path. */
function expectNothingInternal(entries: unknown[]) {
  const text = JSON.stringify(entries);
  expect(text).not.toMatch(/"[a-z]+Id"/);
  expect(text).not.toMatch(/"(funder|recipient|programme|partnership|method|organization|parent|claimant|claimantPerson|operator)":\d/);
  expect(text).not.toMatch(/(^|[\s"(])\/(tmp|home|work|root|var|usr|opt|srv|mnt|Users|private)\//);
  expect(text).not.toMatch(/[A-Za-z]:\\\\/);
  expect(text).not.toContain(dir);
}

test("an update by mutation is in the history under public names: partial dates as the API shows them, records by slug, each added citation with its address and quote", async () => {
  const { body } = await api.query(
    `mutation ($input: PartnershipUpdateInput!) { partnershipUpdate(input: $input) { userErrors { field message } } }`,
    {
      input: {
        slug: SLUG,
        record: {
          start: "2024-05",
          participants: [
            { organization: "ministry-of-science-and-higher-education", role: "LEAD" },
            { organization: "kazakhmys", role: "INDUSTRY_PARTNER" },
            { organization: "erg", role: "INDUSTRY_PARTNER" },
          ],
          citations: [{ source: NEW_SOURCE, quote: "A quote added in a test", confidence: "LOW" }],
        },
        reason: "test update",
      },
    },
    { authorization: `Bearer ${key}` },
  );
  expect(body.data.partnershipUpdate.userErrors).toEqual([]);
  const { entries, feed } = await history();
  const [change] = entries;
  expect(change).toMatchObject({ action: "UPDATE", actor: "history-test", reason: "test update" });
  expect(change.fields).toEqual(expect.arrayContaining(["start", "participants", "citations"]));
  expect(change.before.start).toBe("2024-06");
  expect(change.after.start).toBe("2024-05");
  expect(change.after.participants).toContainEqual({ organization: "erg", role: "INDUSTRY_PARTNER" });
  expect(change.before.participants.map((p: any) => p.organization)).not.toContain("erg");
  expect(change.before.citations).toEqual([]);
  expect(change.after.citations).toEqual([{ source: NEW_SOURCE, quote: "A quote added in a test", confidence: "LOW" }]);
  // Seed entries are in the same terms.
  const created = entries.find((e: any) => e.action === "CREATE");
  expect(created.after).toMatchObject({
    slug: SLUG,
    start: "2024-06",
    participants: expect.arrayContaining([{ organization: "kazakhmys", role: expect.any(String) }]),
  });
  expect(created.after.citations[0]).toMatchObject({ source: SEED_SOURCE, quote: expect.any(String) });
  expectNothingInternal([...entries, ...feed]);
});

test("an import through the command-line tool is in the history under public names, each removed citation with its address and quote, and the file's base name as reason", async () => {
  const exported = await (await createApi().fetch("http://localhost/export/partnerships.ndjson")).text();
  const record = exported
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l))
    .find((r) => r.slug === SLUG);
  const removed = record.citations.find((c: any) => c.source === SEED_SOURCE);
  expect(removed.quote).toEqual(expect.any(String));
  record.end = "2024-07";
  const added = { source: NEW_SOURCE, quote: "A quote added by an import", confidence: "HIGH" };
  record.citations = [added];
  const file = join(dir, "partnerships.ndjson");
  await writeFile(file, `${JSON.stringify(record)}\n`);

  await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/import.ts", file], {
    env: { ...process.env, DATABASE_URL: api.url, LOG_LEVEL: "silent" },
  });

  const { entries, feed } = await history();
  const [change] = entries;
  expect(change).toMatchObject({
    action: "UPDATE",
    actor: "import",
    reason: "import of partnerships.ndjson",
    fields: ["end", "citations"],
  });
  expect(change.before.end).toBe("2024-06");
  expect(change.before.citations).toContainEqual(removed);
  expect(change.after).toEqual({ end: "2024-07", citations: [added] });
  expectNothingInternal([...entries, ...feed]);
}, 60_000);
