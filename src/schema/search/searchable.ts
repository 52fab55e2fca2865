// What `search` looks in: for each kind of record, its table, its GraphQL type and the fields
// searched, each with the SQL expression that reads it and its weight.
import { prisma } from "../../db.ts";
import { Funding } from "../funding.ts";
import { Impact } from "../impact.ts";
import { Method } from "../method.ts";
import { Organization } from "../organization.ts";
import { Partnership } from "../partnership.ts";
import { Person } from "../person.ts";
import { Programme } from "../programme.ts";
import { Source } from "../source.ts";

/** Fields searched per type: [name shown in `matchedField`, SQL expression over `t`, weight]. */
export const searchable = {
  ORGANIZATION: {
    description: "Organizations, by name in any language, former or other names, description and city",
    table: "Organization",
    graphqlType: Organization,
    model: () => prisma().organization,
    fields: [
      ["name", `t."nameEn"`, 1],
      ["name", `t."nameRu"`, 1],
      ["name", `t."nameKk"`, 1],
      ["alternateNames", `search_alternate_names(t."alternateNames")`, 1],
      ["description", `t."description"`, 0.6],
      ["city", `t."city"`, 0.6],
    ],
  },
  PERSON: {
    description: "People, by name in any language",
    table: "Person",
    graphqlType: Person,
    model: () => prisma().person,
    fields: [
      ["name", `t."nameEn"`, 1],
      ["name", `t."nameRu"`, 1],
      ["name", `t."nameKk"`, 1],
    ],
  },
  METHOD: {
    description: "Methods, by title and summary",
    table: "Method",
    graphqlType: Method,
    model: () => prisma().method,
    fields: [
      ["title", `t."title"`, 1],
      ["summary", `t."summary"`, 0.6],
    ],
  },
  PARTNERSHIP: {
    description: "Partnerships, by title, summary and city",
    table: "Partnership",
    graphqlType: Partnership,
    model: () => prisma().partnership,
    fields: [
      ["title", `t."title"`, 1],
      ["summary", `t."summary"`, 0.6],
      ["city", `t."city"`, 0.6],
    ],
  },
  PROGRAMME: {
    description: "Funding programmes, by name and description",
    table: "Programme",
    graphqlType: Programme,
    model: () => prisma().programme,
    fields: [
      ["name", `t."name"`, 1],
      ["description", `t."description"`, 0.6],
    ],
  },
  FUNDING: {
    description: "Funding records, by description",
    table: "Funding",
    graphqlType: Funding,
    model: () => prisma().funding,
    fields: [["description", `t."description"`, 0.8]],
  },
  IMPACT: {
    description: "Reported impacts, by description",
    table: "Impact",
    graphqlType: Impact,
    model: () => prisma().impact,
    fields: [["description", `t."description"`, 0.8]],
  },
  SOURCE: {
    description: "Sources, by title, publisher and address",
    table: "Source",
    graphqlType: Source,
    model: () => prisma().source,
    fields: [
      ["title", `t."title"`, 1],
      ["publisher", `t."publisher"`, 0.8],
      ["url", `t."url"`, 0.6],
    ],
  },
} as const;

export type SearchType = keyof typeof searchable;
export const searchTypes = Object.keys(searchable) as SearchType[];
