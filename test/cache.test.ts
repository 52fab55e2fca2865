import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { CHANGES_CHANNEL, listenForChanges, onDataChanged } from "../src/cache/invalidation.ts";
import { memoryCacheStore, redisCacheStore } from "../src/cache/store.ts";
import { memoryStore } from "../src/limits/rate-limit.ts";
import { createApi } from "../src/yoga.ts";
import { openTestDatabase } from "./helpers.ts";
import { falseUntilTrue } from "./server-helpers.ts";

type Api = ReturnType<typeof createApi>;
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let cached: Api;
let uncached: Api;
let writeKey: string;
let source: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openTestDatabase({ seed: true });
  writeKey = await createApiKey(db.db.prisma, "cache-test", "WRITE");
  source = (await db.db.prisma.source.findFirstOrThrow({ orderBy: { id: "asc" } })).url;
  const options = { rateLimitStore: memoryStore(), limits: { perMinute: 1_000_000 } };
  cached = createApi({ ...options, responseCacheStore: memoryCacheStore(10 * 1024 * 1024, 3600) });
  uncached = createApi({ ...options, responseCacheStore: null });
  const { data } = await (
    await post(
      uncached,
      `{ bekturov: organization(slug: "bekturov-institute") { id }
    kazakhmys: organization(slug: "kazakhmys") { id } visit: partnership(slug: "kazakhmys-science-industry-visit-2024-06") { id } }`,
    )
  ).json();
  for (const [name, record] of Object.entries(data as Record<string, { id: string }>)) ids[name] = record.id;
});
afterAll(async () => {
  await cached?.dispose();
  await uncached?.dispose();
  await db?.drop();
});

function post(api: Api, query: string, variables: object = {}, headers: Record<string, string> = {}) {
  return api.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

function get(api: Api, params: Record<string, string>, headers: Record<string, string> = {}) {
  return api.fetch(`http://localhost/graphql?${new URLSearchParams(params)}`, {
    headers: { accept: "application/graphql-response+json", ...headers },
  });
}

async function write(query: string, input: object) {
  const { data, errors } = await (await post(cached, query, { input }, { authorization: `Bearer ${writeKey}` })).json();
  expect(errors).toBeUndefined();
  expect(Object.values(data as Record<string, { userErrors: unknown[] }>)[0].userErrors).toEqual([]);
}

const citations = () => [{ source, quote: "Quoted in a cache test", confidence: "HIGH" }];

// Reads of every shape: lists, nested lists through links, lookups, node, search, summaries, the change feed.
const READS = {
  organizations: () => `{ organizations(first: 50) { totalCount edges { node { slug city retraction { reason } } } } }`,
  nested: () => `{ organization(slug: "bekturov-institute") { name
    methods(first: 10) { edges { node { slug title partnerships(first: 10) { totalCount edges { node { slug status } } } } } }
    people(first: 10) { totalCount edges { node { title person { slug } } } } } }`,
  partnershipsOfOrganization: () =>
    `{ organization(slug: "bekturov-institute") { partnerships(first: 20) { totalCount edges { role node { slug } } } } }`,
  partnerOf: () => `{ organizations(first: 50, filter: { partnerOf: "${ids.bekturov}" }) { totalCount edges { node { slug } } } }`,
  partnershipsOfParticipant: () => `{ partnerships(first: 50, filter: { participant: "${ids.bekturov}" }) { totalCount } }`,
  methodsOfDeveloper: () => `{ methods(first: 50, filter: { developer: "${ids.kazakhmys}" }) { totalCount edges { node { slug } } } }`,
  peopleOfOrganization: () => `{ people(first: 50, filter: { organization: "${ids.bekturov}" }) { totalCount } }`,
  node: () => `{ node(id: "${ids.visit}") { ... on Partnership { title participants { role organization { slug } } } } }`,
  search: () => `{ search(query: "Almaty", first: 50) { totalCount edges { node { __typename } } } }`,
  fundingSummary: () => `{ fundingSummary(groupBy: [CURRENCY]) { count undisclosedCount sums { amount currency } } }`,
  changes: () => `{ changes(first: 3) { totalCount edges { node { action recordType } } } }`,
  dataset: () => `{ dataset { version curatedChanges lastCuratedAt } }`,
  sourceCitations: () => `{ sources(first: 1) { edges { node { url citations { quote record { __typename } } } } } }`,
};

const WRITES: [string, () => Promise<void>][] = [
  [
    "a new institute in Almaty",
    () =>
      write(`mutation ($input: OrganizationCreateInput!) { organizationCreate(input: $input) { userErrors { field message } } }`, {
        record: {
          slug: "cache-test-institute",
          kind: "RESEARCH_INSTITUTE",
          nameEn: "Cache test institute",
          city: "Almaty",
          citations: citations(),
        },
        reason: "cache test",
      }),
  ],
  [
    "a participant added to a partnership",
    () =>
      write(`mutation ($input: PartnershipUpdateInput!) { partnershipUpdate(input: $input) { userErrors { field message } } }`, {
        slug: "kazakhmys-science-industry-visit-2024-06",
        record: {
          participants: [
            { organization: "kazakhmys", role: "HOST" },
            { organization: "bekturov-institute", role: "PARTNER" },
          ],
          citations: citations(),
        },
        reason: "cache test",
      }),
  ],
  [
    "a method developed by Kazakhmys too, retitled",
    () =>
      write(`mutation ($input: MethodUpdateInput!) { methodUpdate(input: $input) { userErrors { field message } } }`, {
        slug: "bekturov-precious-metals-method-1",
        record: { title: "Retitled in a cache test", developers: ["bekturov-institute", "kazakhmys"], citations: citations() },
        reason: "cache test",
      }),
  ],
  [
    "an amount disclosed",
    () =>
      write(`mutation ($input: FundingUpdateInput!) { fundingUpdate(input: $input) { userErrors { field message } } }`, {
        slug: "commission-allocation-2024-11-20",
        record: { amount: "1000", currency: "KZT", amountBound: "EXACT", citations: citations() },
        reason: "cache test",
      }),
  ],
  [
    "a role at an institute",
    () =>
      write(`mutation ($input: PersonUpdateInput!) { personUpdate(input: $input) { userErrors { field message } } }`, {
        slug: "sayasat-nurbek",
        record: { roles: [{ organization: "bekturov-institute", title: "Adviser", citations: citations() }], citations: citations() },
        reason: "cache test",
      }),
  ],
  [
    "an institute retracted",
    () =>
      write(`mutation ($input: OrganizationRetractInput!) { organizationRetract(input: $input) { userErrors { field message } } }`, {
        slug: "cache-test-institute",
        reason: "cache test",
      }),
  ],
];

test("after every kind of write, every cached answer equals a fresh one, and unrelated answers stay cached", async () => {
  const answer = async (api: Api, query: string) => {
    const response = await post(api, query);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    return { data: body.data, cache: response.headers.get("x-cache") };
  };
  for (const query of Object.values(READS)) await answer(cached, query());
  const stillCached = new Set<string>();
  for (const [what, change] of WRITES) {
    await change();
    for (const [name, query] of Object.entries(READS)) {
      const [fromCache, fresh] = [await answer(cached, query()), await answer(uncached, query())];
      expect(fromCache.data, `${name} after ${what}`).toEqual(fresh.data);
      if (fromCache.cache === "HIT") stillCached.add(`${name} after ${what}`);
    }
  }
  // A funding says nothing about the organizations list: its cached answer survives that write.
  expect(stillCached).toContain("organizations after an amount disclosed");
  expect(stillCached).toContain("nested after an amount disclosed");
  expect(stillCached).not.toContain("fundingSummary after an amount disclosed");
});

test("the second identical anonymous query is a hit; a query with an API key is never cached", async () => {
  const query = `{ programmes(first: 5) { edges { node { slug } } } }`;
  const first = await post(cached, query);
  const second = await post(cached, query);
  expect([first.headers.get("x-cache"), second.headers.get("x-cache")]).toEqual(["MISS", "HIT"]);
  expect((await second.json()).data).toEqual((await first.json()).data);
  const withKey = await post(cached, query, {}, { authorization: `Bearer ${writeKey}` });
  expect(withKey.status).toBe(200);
  expect(withKey.headers.get("x-cache")).toBeNull();
});

test("answers in different languages are cached apart", async () => {
  const query = `{ organization(slug: "bekturov-institute") { name } }`;
  const ru = await (await post(cached, query, {}, { "accept-language": "ru" })).json();
  const en = await (await post(cached, query, {}, { "accept-language": "en" })).json();
  expect(ru.data.organization.name).toBe("Институт химических наук им. А. Б. Бектурова");
  expect(en.data.organization.name).toBe("A.B. Bekturov Institute of Chemical Sciences");
});

test("GET answers carry an ETag and Cache-Control, answer 304 to If-None-Match, and a write changes the ETag", async () => {
  const query = `{ partnership(slug: "erg-aluminium-hackathon-pavlodar") { title status } }`;
  const first = await get(cached, { query });
  expect(first.status).toBe(200);
  const etag = first.headers.get("etag")!;
  expect(etag).toMatch(/^W\/".+"$/);
  expect(first.headers.get("cache-control")).toBe("public, no-cache");
  expect(first.headers.get("vary")).toContain("Accept-Language");
  const again = await get(cached, { query }, { "if-none-match": etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe("");
  expect(again.headers.get("etag")).toBe(etag);

  await write(`mutation ($input: PartnershipUpdateInput!) { partnershipUpdate(input: $input) { userErrors { field message } } }`, {
    slug: "erg-aluminium-hackathon-pavlodar",
    record: { status: "ACTIVE", citations: citations() },
    reason: "cache test",
  });
  const changed = await get(cached, { query }, { "if-none-match": etag });
  expect(changed.status).toBe(200);
  expect((await changed.json()).data.partnership.status).toBe("ACTIVE");
  expect(changed.headers.get("etag")).not.toBe(etag);

  const failing = await get(cached, { query: `{ partnership(slug: 1) { title } }` });
  expect(failing.headers.get("cache-control")).toBe("no-store");
  expect(failing.headers.get("etag")).toBeNull();
});

test("automatic persisted queries: unknown hash, registration, GET by hash alone, wrong hash", async () => {
  const query = `{ methods(first: 3) { totalCount } }`;
  const sha256Hash = createHash("sha256").update(query).digest("hex");
  const extensions = (hash: string) => JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });

  const unknown = await (await get(cached, { extensions: extensions(sha256Hash) })).json();
  expect(unknown.errors[0]).toMatchObject({ message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } });

  const registered = await get(cached, { query, extensions: extensions(sha256Hash) });
  expect((await registered.json()).data.methods.totalCount).toBeGreaterThan(0);
  const byHash = await get(cached, { extensions: extensions(sha256Hash) });
  expect(byHash.status).toBe(200);
  expect(byHash.headers.get("x-cache")).toBe("HIT");
  expect((await byHash.json()).data.methods.totalCount).toBeGreaterThan(0);

  const mismatch = await get(cached, { query, extensions: extensions("0".repeat(64)) });
  expect(mismatch.status).toBe(400);
  expect((await mismatch.json()).errors[0].extensions.code).toBe("PERSISTED_QUERY_HASH_MISMATCH");
  const malformed = await get(cached, { extensions: JSON.stringify({ persistedQuery: { version: 2, sha256Hash: "abc" } }) });
  expect(malformed.status).toBe(400);
  expect((await malformed.json()).errors[0].message).toContain("64 lowercase hex digits");
});

test.runIf(process.env.TEST_REDIS_URL)(
  "in Redis: answers reading no record type are cached too, and a write invalidates what it changed",
  async () => {
    const redisCached = createApi({
      rateLimitStore: memoryStore(),
      responseCacheStore: redisCacheStore(process.env.TEST_REDIS_URL!, `kzgraph-test:${process.pid}:${Date.now()}:`, 60),
    });
    try {
      const cacheOf = async (query: string) => (await post(redisCached, query)).headers.get("x-cache");
      const typename = `{ __typename }`;
      expect([await cacheOf(typename), await cacheOf(typename)]).toEqual(["MISS", "HIT"]);
      const programme = `{ programmes(first: 1) { edges { node { slug } } } }`;
      const impactCount = `{ impacts { totalCount } }`;
      for (const query of [programme, impactCount]) expect([await cacheOf(query), await cacheOf(query)]).toEqual(["MISS", "HIT"]);
      await write(`mutation ($input: ImpactUpdateInput!) { impactUpdate(input: $input) { userErrors { field message } } }`, {
        slug: "erg-aluminium-hackathon-prototypes",
        record: { citations: citations() },
        reason: "cache test",
      });
      expect([await cacheOf(typename), await cacheOf(programme), await cacheOf(impactCount)]).toEqual(["HIT", "HIT", "MISS"]);
    } finally {
      await redisCached.dispose();
    }
  },
);

test.runIf(process.env.TEST_DB === "postgres")(
  "a write's NOTIFY invalidates every listening cache except those its writer invalidated itself",
  async () => {
    const heard: string[] = [];
    const unsubscribe = [
      onDataChanged(async () => void heard.push("this process")),
      onDataChanged(async () => void heard.push("shared"), "shared-store"),
    ];
    const stopListening = await listenForChanges(db.url);
    const notifier = new pg.Client({ connectionString: db.url });
    await notifier.connect();
    const notifiedWithin = async (notify: () => Promise<unknown>) => {
      heard.length = 0;
      await notify();
      await falseUntilTrue(async () => heard.length > 0, 2000, "no invalidation heard");
      await new Promise((resolve) => setTimeout(resolve, 300)); // room for a second, unwanted one
      return [...heard];
    };
    try {
      // Invalidated once, at the commit; its own NOTIFY, which names both caches, changes nothing.
      expect(
        await notifiedWithin(() =>
          write(`mutation ($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { userErrors { field message } } }`, {
            slug: "kazakhmys",
            record: { city: "Notified in a cache test", citations: citations() },
            reason: "cache test",
          }),
        ),
      ).toEqual(["this process", "shared"]);
      // Another process's write that invalidated the shared cache itself.
      const payload = JSON.stringify({ types: ["Organization"], invalidatedBy: ["shared-store"], versions: { Organization: 1 } });
      expect(await notifiedWithin(() => notifier.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, payload]))).toEqual(["this process"]);
      // `npm run import`, which has no cache of its own.
      const fromImporter = JSON.stringify({ types: ["Organization"], invalidatedBy: [], versions: { Organization: 1 } });
      expect(await notifiedWithin(() => notifier.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, fromImporter]))).toEqual([
        "this process",
        "shared",
      ]);
      // A payload this release cannot read (an earlier release's, a newer one's record type): every cache.
      const earlier = JSON.stringify({ types: ["Organization"], invalidatedBy: ["shared-store"] });
      for (const unreadable of [
        "Organization,Person",
        earlier,
        JSON.stringify({ types: ["Laboratory"], invalidatedBy: ["shared-store"], versions: { Laboratory: 1 } }),
      ])
        expect(await notifiedWithin(() => notifier.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, unreadable]))).toEqual([
          "this process",
          "shared",
        ]);
    } finally {
      await notifier.end();
      await stopListening();
      for (const stop of unsubscribe) stop();
    }
  },
);
