import { builder, type Types, userError } from "../builder.ts";
import { bibtex, changelog, citationText, currentRelease, LICENSE, type Release } from "../dataset/metadata.ts";
import { prisma } from "../db.ts";
import { SEED_ACTOR } from "../import/write.ts";

const License = builder.objectRef<typeof LICENSE>("License").implement({
  description: "Licence under which the dataset may be reused",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Short name of the licence, such as CC BY 4.0" }),
    title: t.exposeString("title", { description: "Full name of the licence" }),
    url: t.field({ type: "URL", description: "Address of the licence text", resolve: (l) => l.url }),
  }),
});

const releaseFields = (t: PothosSchemaTypes.ObjectFieldBuilder<Types, Release>, which: string) => ({
  version: t.exposeString("version", {
    description: `Version number of ${which}, such as 1.0.0; also sent as \`extensions.dataVersion\` for the current one`,
  }),
  releasedAt: t.field({ type: "Date", description: `Day the data of ${which} last changed`, resolve: (r) => new Date(r.releasedAt) }),
  checksum: t.exposeString("checksum", { description: `SHA-256 of the seed data files of ${which}, to check a copy is the same data` }),
});

const DataRelease = builder.objectRef<Release>("DataRelease").implement({
  description: "One version of the dataset and what changed in it",
  fields: (t) => ({
    ...releaseFields(t, "this version"),
    changes: t.exposeStringList("changes", { description: "What changed in this version, in plain words" }),
  }),
});

const Dataset = builder.objectRef<Release>("Dataset").implement({
  description: "The dataset as a whole: its version, licence and how to cite it",
  fields: (t) => ({
    ...releaseFields(t, "the current version"),
    curatedChanges: t.int({
      description:
        "Changes curators made to the data (through API keys or `npm run import`) since the seed files were loaded: 0 means the data is the current version's as released; the `changes` feed lists each one",
      resolve: () => prisma().change.count({ where: { actor: { not: SEED_ACTOR } } }),
    }),
    lastCuratedAt: t.field({
      type: "DateTime",
      nullable: true,
      description:
        "When a curator last changed the data; null when no one has since the seed files were loaded. Cite it with the version when quoting live data",
      resolve: async () =>
        (await prisma().change.findFirst({ where: { actor: { not: SEED_ACTOR } }, orderBy: { at: "desc" }, select: { at: true } }))?.at ??
        null,
    }),
    license: t.field({ type: License, description: "Licence of the dataset: reuse is free with attribution", resolve: () => LICENSE }),
    citation: t.string({ description: "Ready-to-paste citation of the current version", resolve: (r) => citationText(r) }),
    bibtex: t.string({ description: "BibTeX entry citing the current version", resolve: (r) => bibtex(r) }),
    changelog: t.field({
      type: [DataRelease],
      description: "Versions of the dataset, newest first",
      args: { first: t.arg.int({ defaultValue: 10, description: "Number of versions to return, newest first (1 to 100, default 10)" }) },
      resolve: (_r, { first }) => {
        if (first == null || first < 1 || first > 100) throw userError(`Argument "first" must be between 1 and 100; got ${first}`);
        return changelog.slice(0, first);
      },
    }),
  }),
});

builder.queryField("dataset", (t) =>
  t.field({ type: Dataset, description: "Version, licence, citation and changelog of the dataset", resolve: () => currentRelease }),
);
