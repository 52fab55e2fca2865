import { builder } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { PartialDate, partialDate } from "./common/dates.ts";
import { contains } from "./common/filters.ts";
import { rootList, timestampFields } from "./common/lists.ts";
import { orderInput } from "./common/order.ts";
import { ConfidenceEnum } from "./common/qualifiers.ts";

export const Citation = builder.prismaObject("Citation", {
  description: "Link from a record to a public source, with the words of the source that support it",
  fields: (t) => ({
    source: t.relation("source", { description: "Public document that states the fact" }),
    quote: t.exposeString("quote", { nullable: true, description: "Exact words of the source that support the record" }),
    confidence: t.expose("confidence", { type: ConfidenceEnum, description: "How firmly the source supports the fact" }),
    note: t.exposeString("note", { nullable: true, description: "Curator's caveat, such as an inference or an unofficial translation" }),
  }),
});

export const Source = builder.prismaNode("Source", {
  id: { field: "id" },
  nullable: true,
  description: "Public document that states facts in this dataset: a news article, a government page, a law",
});

export const SourceConnection = builder.connectionObject(
  { type: Source, name: "SourceConnection", description: "Page of sources" },
  { name: "SourceEdge", description: "Source in a page, with its cursor" },
);

builder.prismaObjectFields(Source, (t) => ({
  url: t.expose("url", { type: "URL", description: "Address of the document" }),
  title: t.exposeString("title", { nullable: true, description: "Title of the document; null when not recorded" }),
  publisher: t.exposeString("publisher", { nullable: true, description: "Who published the document; null when not recorded" }),
  language: t.exposeString("language", { description: "ISO 639-1 code of the document's language, such as en, ru, kk" }),
  published: t.field({
    type: PartialDate,
    nullable: true,
    description: "When the document was published; null when it shows no date",
    resolve: (s) => partialDate(s.publishedOn, s.publishedPrecision),
  }),
  retrievedOn: t.expose("retrievedOn", {
    type: "Date",
    nullable: true,
    description: "When the document was read for this dataset; null when not recorded",
  }),
  note: t.exposeString("note", { nullable: true, description: "Curator's caveat about the document, such as an unofficial translation" }),
  citations: t.relation("citations", {
    description: "Every quote of this document used in the dataset",
    query: { orderBy: { id: "asc" } },
  }),
  ...timestampFields(t),
}));

const SourceFilter = builder.inputType("SourceFilter", {
  description: "Conditions a source must meet to be listed; all given conditions must hold",
  fields: (t) => ({
    language: t.string({ description: "Only documents in this language (ISO 639-1 code, such as ru)" }),
    text: t.string({ description: "Only documents whose address, title or publisher contains this text (case-insensitive)" }),
  }),
});

const sourceOrder = orderInput(
  "Source",
  {
    PUBLISHED: { description: "Publication date (undated documents come last)", column: "publishedOn", nullable: true },
    URL: { description: "Address", column: "url" },
    CREATED_AT: { description: "When the record was added to the dataset", column: "id" },
  },
  "CREATED_AT",
);

function sourceWhere(filter: typeof SourceFilter.$inferInput | null | undefined): Prisma.SourceWhereInput {
  const and: Prisma.SourceWhereInput[] = [];
  if (filter?.language) and.push({ language: filter.language.toLowerCase() });
  if (filter?.text) {
    const text = contains(filter.text);
    and.push({ OR: [{ url: text }, { title: text }, { publisher: text }] });
  }
  return { AND: and };
}

rootList("sources", {
  type: "Source",
  connection: SourceConnection,
  description: "Public documents the dataset's facts come from",
  filter: SourceFilter,
  order: sourceOrder,
  defaultOrder: "in the order they were added",
  model: () => prisma().source,
  where: sourceWhere,
});
