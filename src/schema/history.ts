// Public history: every change to a record (import, seed run or mutation), on the record itself
// (`history`) and as a feed of the whole dataset (`changes`); and the retraction of each record.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { JSONObjectResolver } from "graphql-scalars";
import { builder, pageSize } from "../builder.ts";
import { prisma } from "../db.ts";
import { ChangeAction } from "../generated/prisma/enums.ts";
import { recordModels } from "../records/registry.ts";

builder.addScalarType("JSONObject", JSONObjectResolver, { description: "JSON object, such as the fields of a record before a change" });

const ChangeActionEnum = builder.enumType(ChangeAction, {
  name: "ChangeAction",
  description: "What a change did to a record",
  values: {
    CREATE: { description: "The record was added" },
    UPDATE: { description: "Fields, citations or links of the record changed" },
    RETRACT: { description: "The record was marked as retracted" },
  },
});

export const Change = builder.prismaObject("Change", {
  description: "One change to one record: who made it, when, what changed and why",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime", description: "When the change was made" }),
    actor: t.exposeString("actor", {
      description: "Who made it: the name of a curator's API key, or seed or import for the command-line tools",
    }),
    action: t.expose("action", { type: ChangeActionEnum, description: "Whether the record was added, changed or retracted" }),
    recordType: t.exposeString("recordType", { description: "Type of the record, such as Organization" }),
    recordId: t.id({
      description: "Global ID of the record; pass it to `node` to see the record now",
      resolve: (c) => encodeGlobalID(c.recordType, c.recordId),
    }),
    reason: t.exposeString("reason", { nullable: true, description: "Why the change was made, in the curator's words" }),
    fields: t.exposeStringList("fields", {
      description: "Fields that changed, named as in imports and exports (start, participants, citations...); every field for a new record",
    }),
    before: t.field({
      type: "JSONObject",
      nullable: true,
      description:
        "Values of the changed fields before the change, as an import file writes them (related records by slug, dates as precisely as known); for citations, those removed. Null for a new record",
      resolve: (c) => c.before as object | null,
    }),
    after: t.field({
      type: "JSONObject",
      nullable: true,
      description:
        "Values of the changed fields after the change, written the same way; for citations, those added (each with its source address, quote and confidence)",
      resolve: (c) => c.after as object | null,
    }),
  }),
});

const ChangeConnection = builder.connectionObject(
  { type: Change, name: "ChangeConnection", description: "Page of changes" },
  { name: "ChangeEdge", description: "Change in a page, with its cursor" },
);

interface Retraction {
  at: Date;
  reason: string;
}

const RetractionRef = builder.objectRef<Retraction>("Retraction").implement({
  description: "Notice that a record was found to be wrong; the record stays visible so that what was published can be checked",
  fields: (t) => ({
    at: t.field({ type: "DateTime", description: "When the record was retracted", resolve: (r) => r.at }),
    reason: t.string({ description: "Why the record was retracted", resolve: (r) => r.reason }),
  }),
});

for (const recordType of recordModels) {
  // Pothos types the fields of one model at a time; every record model has these columns.
  builder.prismaObjectFields(recordType as "Organization", (t) => ({
    retraction: t.field({
      type: RetractionRef,
      nullable: true,
      description: "Retraction notice when the record was found to be wrong; null for a record in good standing",
      select: { retractedAt: true, retractionReason: true },
      resolve: (r) => (r.retractedAt && r.retractionReason ? { at: r.retractedAt, reason: r.retractionReason } : null),
    }),
    history: t.prismaConnection(
      {
        type: "Change",
        ...pageSize,
        cursor: "id",
        description: "Changes to this record, newest first",
        totalCount: (r) => prisma().change.count({ where: { recordType, recordId: r.id } }),
        resolve: (query, r) => prisma().change.findMany({ ...query, where: { recordType, recordId: r.id }, orderBy: { id: "desc" } }),
      },
      ChangeConnection,
    ),
  }));
}

builder.queryField("changes", (t) =>
  t.prismaConnection(
    {
      type: "Change",
      ...pageSize,
      cursor: "id",
      description:
        "Every change to the dataset in the order it was made, oldest first: what was added, corrected or retracted, by whom and why",
      args: { since: t.arg({ type: "DateTime", description: "Only changes made at or after this time" }) },
      totalCount: (_root, { since }) => prisma().change.count({ where: since ? { at: { gte: since } } : {} }),
      resolve: (query, _root, { since }) =>
        prisma().change.findMany({ ...query, where: since ? { at: { gte: since } } : {}, orderBy: { id: "asc" } }),
    },
    ChangeConnection,
  ),
);
