import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.ts";
import { defineRecordType } from "./define.ts";
import { day, fieldKinds, reducedDate, text, url } from "./fields.ts";

const schema = z.strictObject({
  url,
  title: text.nullable(),
  publisher: text.nullable(),
  language: z.string().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 language code such as "en"'),
  published: reducedDate.nullable(),
  retrievedOn: day.nullable(),
  note: text.nullable(),
});

const load = (db: Prisma.TransactionClient, keys: string[]) => db.source.findMany({ where: { url: { in: keys } } });
const f = fieldKinds<Awaited<ReturnType<typeof load>>[number], Prisma.SourceUncheckedCreateInput>();

export const sources = defineRecordType({
  model: "Source",
  key: "url",
  schema,
  delegate: (db) => db.source,
  load,
  fields: {
    url: f.column("url"),
    title: f.column("title"),
    publisher: f.column("publisher"),
    language: f.column("language"),
    published: f.reducedDate("publishedOn", "publishedPrecision"),
    retrievedOn: f.day("retrievedOn"),
    note: f.column("note"),
  },
  searchable: [
    { field: "title", column: "title", weight: 1 },
    { field: "publisher", column: "publisher", weight: 0.8 },
    { field: "url", column: "url", weight: 0.6 },
  ],
  readers: ["Citation"],
});
