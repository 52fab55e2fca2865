import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadSeed } from "../seeds/load.ts";
import { changelog, currentRelease, dataChecksum } from "../src/dataset/metadata.ts";
import { changeSlug } from "../src/slugs.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

test("every response carries the licence and the data version, errors included", async () => {
  for (const query of ["{ dataset { version } }", "{ noSuchField }"]) {
    const { body } = await api.query(query);
    expect(body).toMatchObject({
      extensions: {
        license: { name: "CC BY 4.0", url: "https://creativecommons.org/licenses/by/4.0/" },
        dataVersion: currentRelease.version,
      },
    });
  }
});

test("dataset gives its version, licence, a ready citation, BibTeX and the changelog", async () => {
  const { body } = await api.query(
    `{ dataset { version releasedAt checksum license { name url } citation bibtex changelog(first: 5) { version releasedAt changes } } }`,
  );
  expect(body.errors).toBeUndefined();
  const dataset = body.data.dataset;
  expect(dataset).toMatchObject({
    version: currentRelease.version,
    releasedAt: currentRelease.releasedAt,
    checksum: currentRelease.checksum,
  });
  expect(dataset.citation).toContain(`version ${currentRelease.version}`);
  expect(dataset.citation).toContain("CC BY 4.0");
  expect(dataset.bibtex).toMatch(/^@misc\{[^,]+,\n/);
  expect(dataset.bibtex).toContain(`version = {${currentRelease.version}}`);
  expect(dataset.changelog.length).toBe(Math.min(5, changelog.length));
  const bad = await api.query(`{ dataset { changelog(first: 0) { version } } }`);
  expect(bad.body.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
});

test("the newest changelog entry describes exactly the data in seeds/data (add an entry when the data changes)", () => {
  expect(currentRelease.checksum).toBe(dataChecksum());
});

test("a source lists every record that cites it", async () => {
  const { body } = await api.query(
    `{ sources(first: 100) { edges { node { url citations { quote record { __typename ... on Organization { slug } ... on Method { slug } ... on Funding { slug } ... on Role { title } } } } } } }`,
  );
  expect(body.errors).toBeUndefined();
  const silkway = body.data.sources.edges.find((e: any) => e.node.url.includes("silkwaytv.kz/en/kazakh-scientists"));
  const slugs = silkway.node.citations.map((c: any) => c.record.slug);
  expect(slugs).toEqual(expect.arrayContaining(["bekturov-precious-metals-method-1", "bekturov-waste-processing-method-2"]));
  const total = await api.db.prisma.citation.count();
  const listed = body.data.sources.edges.reduce((n: number, e: any) => n + e.node.citations.length, 0);
  expect(listed).toBe(total);
  expect(body.data.sources.edges.flatMap((e: any) => e.node.citations).every((c: any) => c.record?.__typename)).toBe(true);
});

test("names follow the lang argument, else Accept-Language, and say which language they are in", async () => {
  const query = `{ organization(slug: "bekturov-institute") { name en: name(lang: EN) localizedName { text lang } kk: localizedName(lang: KK) { text lang } }
    method(slug: "bekturov-precious-metals-method-1") { localizedTitle(lang: RU) { lang } } }`;
  const russian = await api.query(query, undefined, { "accept-language": "ru-RU,ru;q=0.9,en;q=0.8" });
  expect(russian.body.data.organization).toEqual({
    name: "Институт химических наук им. А. Б. Бектурова",
    en: "A.B. Bekturov Institute of Chemical Sciences",
    localizedName: { text: "Институт химических наук им. А. Б. Бектурова", lang: "RU" },
    // No Kazakh name is known: the fallback is visible.
    kk: { text: "A.B. Bekturov Institute of Chemical Sciences", lang: "EN" },
  });
  expect(russian.body.data.method.localizedTitle.lang).toBe("EN");
  const kazakhFirst = await api.query(query, undefined, { "accept-language": "kk, ru;q=0.5" });
  expect(kazakhFirst.body.data.organization.localizedName.lang).toBe("RU");
  const none = await api.query(query);
  expect(none.body.data.organization.localizedName.lang).toBe("EN");
});

test("an organization keeps answering at its old slug after a slug change by the seed loader", async () => {
  const before = await api.query(`{ organization(slug: "kazatomprom") { id slug } }`);
  const dir = mkdtempSync(join(tmpdir(), "seed-rename-"));
  cpSync(fileURLToPath(new URL("../seeds/data/", import.meta.url)), dir, { recursive: true });
  for (const file of ["organizations.json", "partnerships.json"]) {
    const text = readFileSync(join(dir, file), "utf8").replaceAll('"kazatomprom"', '"nac-kazatomprom"');
    writeFileSync(join(dir, file), text);
  }
  const orgs = JSON.parse(readFileSync(join(dir, "organizations.json"), "utf8"));
  orgs.find((o: any) => o.slug === "nac-kazatomprom").formerSlugs = ["kazatomprom"];
  writeFileSync(join(dir, "organizations.json"), JSON.stringify(orgs));

  await loadSeed(api.db.prisma, { dataDir: dir });
  const after = await api.query(
    `{ old: organization(slug: "kazatomprom") { id slug } current: organization(slug: "nac-kazatomprom") { id slug } }`,
  );
  expect(after.body.data.old).toEqual({ id: before.body.data.organization.id, slug: "nac-kazatomprom" });
  expect(after.body.data.current).toEqual(after.body.data.old);
  // Loading it again changes nothing.
  const again = await loadSeed(api.db.prisma, { dataDir: dir });
  expect(again.organizations).toMatchObject({ created: 0, updated: 0 });
});

test("changeSlug keeps every former slug answering, and a slug taken back stops being an alias", async () => {
  const prisma = api.db.prisma;
  const method = await prisma.method.findUniqueOrThrow({ where: { slug: "chromium-flotation-from-industrial-waste" } });
  await prisma.$transaction((tx) => changeSlug(tx, "Method", method.id, "chromium-flotation"));
  await prisma.$transaction((tx) => changeSlug(tx, "Method", method.id, "chromium-flotation-unit"));
  const { body } = await api.query(
    `{ a: method(slug: "chromium-flotation-from-industrial-waste") { slug } b: method(slug: "chromium-flotation") { slug } c: method(slug: "no-such-method") { slug } }`,
  );
  expect(body.data).toEqual({ a: { slug: "chromium-flotation-unit" }, b: { slug: "chromium-flotation-unit" }, c: null });
  await prisma.$transaction((tx) => changeSlug(tx, "Method", method.id, "chromium-flotation-from-industrial-waste"));
  expect(await prisma.slugAlias.findMany({ where: { type: "Method" }, select: { slug: true }, orderBy: { slug: "asc" } })).toEqual([
    { slug: "chromium-flotation" },
    { slug: "chromium-flotation-unit" },
  ]);
});
