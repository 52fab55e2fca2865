// What `search` looks in: for each kind of record, its table, its GraphQL type and the fields
// searched, each with the SQL expression that reads it and its weight.
import { prisma } from "../../db.ts";
import { recordTypeOf } from "../../records/registry.ts";
import { Funding } from "../funding.ts";
import { Impact } from "../impact.ts";
import { Method } from "../method.ts";
import { Organization } from "../organization.ts";
import { Partnership } from "../partnership.ts";
import { Person } from "../person.ts";
import { Programme } from "../programme.ts";
import { Source } from "../source.ts";

/** The table of a record type and its searchable fields (src/records), as [name shown in `matchedField`, SQL expression over `t`, weight]. */
function searchedIn(model: string) {
  const type = recordTypeOf(model);
  if (!type) throw new Error(`${model} is not a record type`);
  return {
    table: model,
    fields: type.searchable.map(
      ({ field, column, weight, list }) => [field, list ? `search_alternate_names(t."${column}")` : `t."${column}"`, weight] as const,
    ),
  };
}

export const searchable = {
  ORGANIZATION: {
    description: "Organizations, by name in any language, former or other names, description and city",
    ...searchedIn("Organization"),
    graphqlType: Organization,
    model: () => prisma().organization,
  },
  PERSON: {
    description: "People, by name in any language",
    ...searchedIn("Person"),
    graphqlType: Person,
    model: () => prisma().person,
  },
  METHOD: {
    description: "Methods, by title and summary",
    ...searchedIn("Method"),
    graphqlType: Method,
    model: () => prisma().method,
  },
  PARTNERSHIP: {
    description: "Partnerships, by title, summary and city",
    ...searchedIn("Partnership"),
    graphqlType: Partnership,
    model: () => prisma().partnership,
  },
  PROGRAMME: {
    description: "Funding programmes, by name and description",
    ...searchedIn("Programme"),
    graphqlType: Programme,
    model: () => prisma().programme,
  },
  FUNDING: {
    description: "Funding records, by description",
    ...searchedIn("Funding"),
    graphqlType: Funding,
    model: () => prisma().funding,
  },
  IMPACT: {
    description: "Reported impacts, by description",
    ...searchedIn("Impact"),
    graphqlType: Impact,
    model: () => prisma().impact,
  },
  SOURCE: {
    description: "Sources, by title, publisher and address",
    ...searchedIn("Source"),
    graphqlType: Source,
    model: () => prisma().source,
  },
} as const;

export type SearchType = keyof typeof searchable;
export const searchTypes = Object.keys(searchable) as SearchType[];
