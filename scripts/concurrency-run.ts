// Concurrent writes and reads under load, through the GraphQL handler, and a count of what went
// wrong. Each round, all at once: every writer (a curator with a key of their own) updates its own
// field of a shared organization, creates the same new slug as every other writer, and sends the
// same participants update of a shared partnership as every other writer, while as many readers
// read the shared organizations. Rounds repeat for the given time; then the history of every record
// written is checked.
//
//   npx tsx scripts/concurrency-run.ts [--seconds 30] [--writers 8]
//       on an embedded PGlite database in memory
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx scripts/concurrency-run.ts ...
//       on a fresh database on that server, dropped at the end
//
// Counts: answers checked; wrong answers (an update or participants update refused, a create
// neither the one winner nor refused with TAKEN naming the slug, a read showing a value that is
// neither the one before the round nor the one written in it); lost updates (an acknowledged update
// missing from the record after its round); broken history chains (records whose change log is
// not a chain, each entry's `before` the previous entry's `after`, or does not replay to the stored
// record); duplicate creates (more than one create of a slug acknowledged); server errors.
import { isDeepStrictEqual, parseArgs } from "node:util";
import { loadSeed } from "../seeds/load.ts";
import { createApiKey } from "../src/auth/keys.ts";
import { createScratchDatabase } from "../src/database/scratch.ts";
import { openDatabase } from "../src/db.ts";
import { readRecord } from "../src/import/export.ts";
import { replayHistory } from "../src/import/replay.ts";
import { createApi } from "../src/yoga.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "30" }, writers: { type: "string", default: "8" } } });
const seconds = Number(values.seconds);
const writers = Number(values.writers);
if (!(seconds > 0) || !Number.isInteger(writers) || writers < 2) throw new Error("expected --seconds above 0 and --writers of at least 2");

const FIELDS = ["city", "description", "nameRu", "nameKk", "website"] as const;
type Field = (typeof FIELDS)[number];
const value = (field: Field, writer: number, round: number) =>
  field === "website" ? `https://example.org/${writer}/${round}` : `${field} of writer ${writer}, round ${round}`;

const CREATE = `mutation ($input: OrganizationCreateInput!) { organizationCreate(input: $input) { organization { city } userErrors { field message code } } }`;
const UPDATE = `mutation ($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { organization { slug } userErrors { field message code } } }`;
const PARTNERSHIP_CREATE = `mutation ($input: PartnershipCreateInput!) { partnershipCreate(input: $input) { userErrors { field message code } } }`;
const PARTNERSHIP_UPDATE = `mutation ($input: PartnershipUpdateInput!) {
  partnershipUpdate(input: $input) { partnership { participants { role organization { slug } } } userErrors { field message code } }
}`;
const READ = `query ($slug: String!) { organization(slug: $slug) { city description website names { lang text } } }`;

const scratch = await createScratchDatabase(process.env.DATABASE_URL, "concurrency");
const db = await openDatabase({ databaseUrl: scratch.url, poolSize: 10 });
const counts = {
  rounds: 0,
  answersChecked: 0,
  wrongAnswers: 0,
  lostUpdates: 0,
  brokenHistoryChains: 0,
  duplicateCreates: 0,
  serverErrors: 0,
};
const examples = new Map<string, string>();
const wrong = (what: string, detail: unknown) => {
  counts.wrongAnswers++;
  if (!examples.has(what)) examples.set(what, JSON.stringify(detail));
};

try {
  await loadSeed(db.prisma);
  const api = createApi({ limits: { perMinute: 1e9, keyPerMinute: 1e9 } });
  const keys: string[] = [];
  for (let w = 0; w < writers; w++) keys.push(await createApiKey(db.prisma, `concurrency-writer-${w}`, "WRITE"));
  const source = (await db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
  const citations = [{ source, quote: "Concurrency run", confidence: "HIGH" }];
  const organizations = (await db.prisma.organization.findMany({ select: { slug: true }, orderBy: { id: "asc" }, take: 3 })).map(
    (o) => o.slug,
  );

  /** One GraphQL request; the data of its answer, or null (counted as a server error) when there is none. */
  async function request(query: string, variables: object, writer?: number): Promise<any> {
    counts.answersChecked++;
    try {
      const response = await api.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...(writer === undefined ? {} : { authorization: `Bearer ${keys[writer]}` }) },
        body: JSON.stringify({ query, variables }),
      });
      const body = await response.json();
      if (response.status === 200 && !body.errors) return body.data;
      if (!examples.has("server error")) examples.set("server error", JSON.stringify(body.errors ?? response.status));
    } catch (error) {
      if (!examples.has("server error")) examples.set("server error", String(error));
    }
    counts.serverErrors++;
    return null;
  }

  // Writer w owns field FIELDS[w % 5] of organization `shared-<w / 5>`.
  const sharedSlugs = Array.from({ length: Math.ceil(writers / FIELDS.length) }, (_, i) => `concurrency-shared-${i}`);
  const owner = (w: number) => ({ slug: sharedSlugs[Math.floor(w / FIELDS.length)], field: FIELDS[w % FIELDS.length] });
  for (const slug of sharedSlugs)
    await request(
      CREATE,
      { input: { record: { slug, kind: "RESEARCH_INSTITUTE", nameEn: slug, citations }, reason: "concurrency run" } },
      0,
    );
  const partnership = "concurrency-partnership";
  await request(
    PARTNERSHIP_CREATE,
    {
      input: {
        record: { slug: partnership, title: "Concurrency run", kind: "COLLABORATION", status: "ACTIVE", citations },
        reason: "concurrency run",
      },
    },
    0,
  );
  const current = new Map(
    sharedSlugs.map((slug) => [slug, Object.fromEntries(FIELDS.map((f) => [f, null])) as Record<Field, string | null>]),
  );
  const created: string[] = [];

  const names = (organization: any) =>
    Object.fromEntries(organization.names.map((n: any) => [`name${n.lang[0]}${n.lang[1].toLowerCase()}`, n.text]));
  const deadline = Date.now() + seconds * 1000;
  for (let round = 1; Date.now() < deadline; round++) {
    counts.rounds++;
    const raceSlug = `concurrency-race-${round}`;
    created.push(raceSlug);
    const participants = [
      { organization: organizations[0], role: "LEAD" },
      { organization: organizations[round % 2 ? 1 : 2], role: "PARTNER" },
    ];
    const before = new Map([...current].map(([slug, fields]) => [slug, { ...fields }]));

    const updates = Array.from({ length: writers }, async (_, w) => {
      const { slug, field } = owner(w);
      const data = await request(
        UPDATE,
        { input: { slug, record: { [field]: value(field, w, round), citations }, reason: `round ${round}` } },
        w,
      );
      if (data?.organizationUpdate.userErrors.length) wrong("update refused", data.organizationUpdate.userErrors);
      return data?.organizationUpdate.userErrors.length === 0;
    });
    const creates = Array.from({ length: writers }, async (_, w) => {
      const record = { slug: raceSlug, kind: "RESEARCH_INSTITUTE", nameEn: raceSlug, city: `writer ${w}`, citations };
      return (await request(CREATE, { input: { record, reason: `round ${round}` } }, w))?.organizationCreate ?? null;
    });
    const participantUpdates = Array.from({ length: writers }, async (_, w) => {
      const data = await request(
        PARTNERSHIP_UPDATE,
        { input: { slug: partnership, record: { participants, citations }, reason: `round ${round}` } },
        w,
      );
      if (!data) return;
      const answer = data.partnershipUpdate;
      const got = answer.partnership?.participants.map((p: any) => `${p.organization.slug} ${p.role}`).sort();
      if (answer.userErrors.length || JSON.stringify(got) !== JSON.stringify(participants.map((p) => `${p.organization} ${p.role}`).sort()))
        wrong("participants update", answer);
    });
    const reads = Array.from({ length: writers }, async (_, r) => {
      const slug = sharedSlugs[r % sharedSlugs.length];
      const data = await request(READ, { slug });
      if (!data) return;
      const shown = { ...data.organization, ...names(data.organization) };
      for (let w = 0; w < writers; w++) {
        const { slug: owned, field } = owner(w);
        if (owned !== slug) continue;
        const seen = shown[field] ?? null;
        if (seen !== before.get(slug)![field] && seen !== value(field, w, round)) wrong("read", { slug, field, seen });
      }
    });
    const [acknowledged, createAnswers] = await Promise.all([
      Promise.all(updates),
      Promise.all(creates),
      Promise.all(participantUpdates),
      Promise.all(reads),
    ]);

    const stored = await db.prisma.organization.findMany({ where: { slug: { in: sharedSlugs } } });
    for (let w = 0; w < writers; w++) {
      const { slug, field } = owner(w);
      if (!acknowledged[w]) continue;
      const row = stored.find((s) => s.slug === slug)!;
      if (row[field] !== value(field, w, round)) counts.lostUpdates++;
      current.get(slug)![field] = row[field];
    }
    const winners = createAnswers.filter((a) => a && a.userErrors.length === 0);
    if (winners.length > 1) counts.duplicateCreates += winners.length - 1;
    if (winners.length === 0) wrong("no create succeeded", createAnswers);
    for (const a of createAnswers.filter((a) => a?.userErrors.length)) {
      const [e] = a.userErrors;
      if (a.userErrors.length !== 1 || e.code !== "TAKEN" || e.field !== "record.slug" || !e.message.includes(JSON.stringify(raceSlug)))
        wrong("create refused without TAKEN naming the slug", a.userErrors);
    }
    const race = await db.prisma.organization.findUnique({ where: { slug: raceSlug }, select: { city: true } });
    if (winners.length === 1 && race?.city !== winners[0].organization.city)
      wrong("created record is not the winner's", { race, winner: winners[0] });
  }

  // History: each entry's `before` is what the entries before it left, and replaying them gives the record.
  const records = await db.prisma.organization.findMany({
    where: { slug: { in: [...sharedSlugs, ...created] } },
    select: { id: true, slug: true },
  });
  for (const { id, slug } of records) {
    const history = await db.prisma.change.findMany({ where: { recordType: "Organization", recordId: id }, orderBy: { id: "asc" } });
    const { record, chain } = replayHistory(history);
    const stored = await readRecord(db.prisma, "organizations", slug);
    if (!chain || !isDeepStrictEqual(record, JSON.parse(JSON.stringify(stored)))) counts.brokenHistoryChains++;
  }

  const database = process.env.DATABASE_URL ? "PostgreSQL (a fresh database on DATABASE_URL's server)" : "embedded PGlite";
  console.log(`concurrency run: ${seconds} s, ${writers} writers and ${writers} readers, ${database}`);
  console.log(`rounds                 ${counts.rounds}`);
  console.log(`answers checked        ${counts.answersChecked}`);
  console.log(`wrong answers          ${counts.wrongAnswers}`);
  console.log(`lost updates           ${counts.lostUpdates}`);
  console.log(`broken history chains  ${counts.brokenHistoryChains} of ${records.length} records`);
  console.log(`duplicate creates      ${counts.duplicateCreates}`);
  console.log(`server errors          ${counts.serverErrors}`);
  for (const [what, detail] of examples) console.log(`first ${what}: ${detail.slice(0, 300)}`);
} finally {
  await db.close();
  await scratch.drop();
}
