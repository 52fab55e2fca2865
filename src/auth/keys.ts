// API keys for curators. The secret is shown once, at creation; only its SHA-256 hash is stored
// (a random 256-bit secret needs no slow hash). Keys never appear in logs or error messages.
import { createHash, randomBytes } from "node:crypto";
import { prisma } from "../db.ts";
import type { ApiKeyScope, PrismaClient } from "../generated/prisma/client.ts";
import { IMPORT_ACTOR, SEED_ACTOR } from "../import/write.ts";

export interface VerifiedKey {
  id: number;
  name: string;
  scope: ApiKeyScope;
}

const TOKEN = /^kzg_[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a key and returns its secret, which is not stored and cannot be shown again. */
export async function createApiKey(client: PrismaClient, name: string, scope: ApiKeyScope): Promise<string> {
  // The change log tells curators' changes from the tools' by this name.
  if (name === SEED_ACTOR || name === IMPORT_ACTOR)
    throw new Error(`"${name}" names a command-line tool in the change log; choose another name for the key`);
  const token = `kzg_${randomBytes(32).toString("base64url")}`;
  await client.apiKey.create({ data: { name, scope, hash: hashToken(token) } });
  return token;
}

/** Revokes the key with this name; false when there is no such active key. */
export async function revokeApiKey(client: PrismaClient, name: string): Promise<boolean> {
  const { count } = await client.apiKey.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: new Date() } });
  return count > 0;
}

/** The active key a token belongs to; null for an unknown, malformed or revoked token. */
export async function verifyApiKey(token: string): Promise<VerifiedKey | null> {
  if (!TOKEN.test(token)) return null;
  // On the primary: a revoked key must stop working at once, not when a replica catches up.
  const key = await prisma()
    .$primary()
    .apiKey.findUnique({ where: { hash: hashToken(token) }, select: { id: true, name: true, scope: true, revokedAt: true } });
  if (!key || key.revokedAt) return null;
  return { id: key.id, name: key.name, scope: key.scope };
}

/** What a request says about its caller: no key, a valid key, or a key that was refused. */
export type Credentials = { key: VerifiedKey } | { key: null; presented: boolean };

/** The caller of a request, from its `Authorization: Bearer <key>` header, checked with `verify`. */
export async function credentialsOf(
  request: Request,
  verify: (token: string) => Promise<VerifiedKey | null> | VerifiedKey | null,
): Promise<Credentials> {
  const header = request.headers.get("authorization");
  if (!header) return { key: null, presented: false };
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  const key = match ? await verify(match[1]) : null;
  return key ? { key } : { key: null, presented: true };
}
