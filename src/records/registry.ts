// Every record type, in the order an import writes them (a record's references are written
// before it). Adding a type: its file beside this one (schema, fields, searchable fields, links),
// its name and one line here, its model in prisma/schema.prisma and its GraphQL type in src/schema/.
import type { z } from "zod";
import type { RecordType } from "./define.ts";
import { fundings } from "./funding.ts";
import { impacts } from "./impact.ts";
import { methods } from "./method.ts";
import { organizations } from "./organization.ts";
import { partnerships } from "./partnership.ts";
import { people } from "./person.ts";
import { programmes } from "./programme.ts";
import { sources } from "./source.ts";

/** Entities as files name them: the keys of `recordTypes`. */
export type EntityName = "sources" | "organizations" | "people" | "methods" | "partnerships" | "programmes" | "fundings" | "impacts";

export const recordTypes = { sources, organizations, people, methods, partnerships, programmes, fundings, impacts } satisfies Record<
  EntityName,
  RecordType
>;

export type Entity = keyof typeof recordTypes;
export const entityNames = Object.keys(recordTypes) as Entity[];
export type RecordOf<E extends Entity> = z.output<(typeof recordTypes)[E]["schema"]>;
/** Model (and GraphQL type) name of each record type: Organization, Person... */
export type RecordModel = (typeof recordTypes)[Entity]["model"];
/** Models of the record types identified by a slug (all but sources). */
export type SluggedModel = {
  [E in Entity]: (typeof recordTypes)[E]["key"] extends "slug" ? (typeof recordTypes)[E]["model"] : never;
}[Entity];
export const isSluggedModel = (model: string): model is SluggedModel => recordTypeOf(model)?.key === "slug";
export const recordModels = entityNames.map((e) => recordTypes[e].model);

/** The record type of a model or GraphQL type name; undefined for any other name. */
export function recordTypeOf(model: string): RecordType | undefined {
  return Object.values(recordTypes).find((type) => type.model === model);
}

export type { RecordType } from "./define.ts";
