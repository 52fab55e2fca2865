// Corrections: anyone may report an error in a record, without a key; reports are stored for
// curators (who list and resolve them with a WRITE key) and never published automatically.
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { z } from "zod";
import { requireScope } from "../auth/guard.ts";
import { builder, pageSize } from "../builder.ts";
import { prisma } from "../db.ts";
import type { Correction as CorrectionRow } from "../generated/prisma/client.ts";
import { CorrectionStatus } from "../generated/prisma/enums.ts";
import { recordTypeOf } from "../records/registry.ts";
import { UserError, type UserErrorValue } from "./curation.ts";

/** Reports accepted from one client address: `count` at once, then `count` a period. */
export const CORRECTION_LIMIT = { count: 5, periodMs: 10 * 60 * 1000 };

const CorrectionStatusEnum = builder.enumType(CorrectionStatus, {
  name: "CorrectionStatus",
  description: "Where a reader's correction stands",
  values: {
    OPEN: { description: "Not yet looked at by a curator" },
    ACCEPTED: { description: "A curator agreed and changed the record (see its history)" },
    REJECTED: { description: "A curator found the record right as it is" },
  },
});

const Correction = builder.prismaObject("Correction", {
  description: "A reader's report of an error in a record; seen only by curators",
  fields: (t) => ({
    id: t.id({ description: "ID of the report, for correctionResolve", resolve: (c) => encodeGlobalID("Correction", c.id) }),
    recordId: t.id({
      description: "Global ID of the record the report is about",
      resolve: (c) => encodeGlobalID(c.recordType, c.recordId),
    }),
    recordType: t.exposeString("recordType", { description: "Type of the record, such as Organization" }),
    message: t.exposeString("message", { description: "What the reader says is wrong" }),
    sourceUrl: t.exposeString("sourceUrl", { nullable: true, description: "Source the reader gives for the correction" }),
    contact: t.exposeString("contact", { nullable: true, description: "How to reach the reader, if they gave it" }),
    status: t.expose("status", { type: CorrectionStatusEnum, description: "Whether a curator has resolved it" }),
    resolution: t.exposeString("resolution", { nullable: true, description: "Curator's answer" }),
    resolvedBy: t.exposeString("resolvedBy", { nullable: true, description: "Name of the curator's key that resolved it" }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true, description: "When it was resolved" }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was submitted" }),
  }),
});

const CorrectionConnection = builder.connectionObject(
  { type: Correction, name: "CorrectionConnection", description: "Page of corrections" },
  { name: "CorrectionEdge", description: "Correction in a page, with its cursor" },
);

const submitFields = z.object({
  message: z.string().trim().min(10, "expected at least 10 characters saying what is wrong").max(4000, "expected at most 4000 characters"),
  sourceUrl: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
    .max(2000, "expected at most 2000 characters")
    .nullish(),
  contact: z.string().trim().max(200, "expected at most 200 characters").nullish(),
});

const CorrectionSubmitInput = builder.inputType("CorrectionSubmitInput", {
  description: "A reader's report of an error",
  fields: (t) => ({
    recordId: t.id({ required: true, description: "Global ID of the record that is wrong (its `id` field)" }),
    message: t.string({ required: true, description: "What is wrong and what is right, 10 to 4000 characters" }),
    sourceUrl: t.string({ description: "Address of a source that shows the right fact" }),
    contact: t.string({ description: "How a curator can reach you (optional, at most 200 characters; never published)" }),
  }),
});

const CorrectionSubmitPayload = builder
  .objectRef<{ received: boolean; userErrors: UserErrorValue[] }>("CorrectionSubmitPayload")
  .implement({
    description: "Result of a correction report",
    fields: (t) => ({
      received: t.boolean({ description: "Whether the report was stored for curators", resolve: (p) => p.received }),
      userErrors: t.field({
        type: [UserError],
        description: "Why the report was refused; empty when it was received",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

const CorrectionResolveInput = builder.inputType("CorrectionResolveInput", {
  description: "A curator's decision on a correction",
  fields: (t) => ({
    id: t.id({ required: true, description: "ID of the correction" }),
    status: t.field({ type: CorrectionStatusEnum, required: true, description: "ACCEPTED or REJECTED" }),
    resolution: t.string({ required: true, description: "Curator's answer, such as what was changed" }),
  }),
});

const CorrectionResolvePayload = builder
  .objectRef<{ correction: CorrectionRow | null; userErrors: UserErrorValue[] }>("CorrectionResolvePayload")
  .implement({
    description: "Result of resolving a correction",
    fields: (t) => ({
      correction: t.field({
        type: Correction,
        nullable: true,
        description: "The correction after the decision",
        resolve: (p) => p.correction,
      }),
      userErrors: t.field({ type: [UserError], description: "Why the decision was refused", resolve: (p) => p.userErrors }),
    }),
  });

const refusedReport = (field: string, message: string, code: UserErrorValue["code"] = "INVALID") => ({
  received: false,
  userErrors: [{ field, message, code }],
});

builder.mutationFields((t) => ({
  correctionSubmit: t.field({
    type: CorrectionSubmitPayload,
    description: `Reports an error in a record, without a key; curators see it, it is never published automatically (${CORRECTION_LIMIT.count} reports per client address at once, then one every ${CORRECTION_LIMIT.periodMs / CORRECTION_LIMIT.count / 60000} minutes)`,
    args: { input: t.arg({ type: CorrectionSubmitInput, required: true, description: "The record, what is wrong and a source" }) },
    resolve: async (_root, { input }, ctx) => {
      let recordType: string;
      let recordId: number;
      try {
        const decoded = decodeGlobalID(String(input.recordId));
        recordType = decoded.typename;
        recordId = Number(decoded.id);
      } catch {
        return refusedReport("recordId", "expected the `id` of a record, as returned by a query");
      }
      const type = recordTypeOf(recordType);
      const exists = type && Number.isSafeInteger(recordId) && (await type.find(prisma(), { id: recordId }));
      if (!exists) return refusedReport("recordId", "no record has this ID", "NOT_FOUND");
      const fields = submitFields.safeParse({ message: input.message, sourceUrl: input.sourceUrl, contact: input.contact });
      if (!fields.success)
        return {
          received: false,
          userErrors: fields.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message, code: "INVALID" as const })),
        };
      const bucket = await ctx.rateLimits.take(`correction:${ctx.clientAddress}`, 1, CORRECTION_LIMIT.count, CORRECTION_LIMIT.periodMs);
      if (!bucket.allowed)
        return refusedReport("input", `too many reports from this address; try again in ${bucket.retryAfter} s`, "RATE_LIMITED");
      await prisma().correction.create({
        data: {
          recordType,
          recordId,
          message: fields.data.message,
          sourceUrl: fields.data.sourceUrl ?? null,
          contact: fields.data.contact || null,
        },
      });
      return { received: true, userErrors: [] };
    },
  }),
  correctionResolve: t.field({
    type: CorrectionResolvePayload,
    description: "Accepts or rejects a reader's correction (needs a WRITE key)",
    args: { input: t.arg({ type: CorrectionResolveInput, required: true, description: "Which correction, the decision and the answer" }) },
    resolve: async (_root, { input }, ctx) => {
      const key = requireScope(ctx, "WRITE");
      const refused = (field: string, message: string, code: UserErrorValue["code"]) => ({
        correction: null,
        userErrors: [{ field, message, code }],
      });
      let id: number;
      try {
        const decoded = decodeGlobalID(String(input.id));
        if (decoded.typename !== "Correction") throw new Error();
        id = Number(decoded.id);
      } catch {
        return refused("id", "expected the `id` of a correction", "INVALID");
      }
      if (input.status === "OPEN") return refused("status", "expected ACCEPTED or REJECTED", "INVALID");
      const resolution = input.resolution.trim();
      if (!resolution || resolution.length > 4000) return refused("resolution", "expected an answer of 1 to 4000 characters", "INVALID");
      const { count } = await prisma().correction.updateMany({
        where: { id },
        data: { status: input.status, resolution, resolvedBy: key.name, resolvedAt: new Date() },
      });
      if (!count) return refused("id", "no correction has this ID", "NOT_FOUND");
      return { correction: await prisma().correction.findUnique({ where: { id } }), userErrors: [] };
    },
  }),
}));

builder.queryField("corrections", (t) =>
  t.prismaConnection(
    {
      type: "Correction",
      ...pageSize,
      cursor: "id",
      description: "Readers' corrections, oldest first (curators only: needs a WRITE key)",
      args: { status: t.arg({ type: CorrectionStatusEnum, description: "Only corrections with this status" }) },
      totalCount: (_root, { status }) => prisma().correction.count({ where: status ? { status } : {} }),
      resolve: (query, _root, { status }, ctx) => {
        requireScope(ctx, "WRITE");
        return prisma().correction.findMany({ ...query, where: status ? { status } : {}, orderBy: { id: "asc" } });
      },
    },
    CorrectionConnection,
  ),
);
