import type { Context } from "../builder.ts";
import { userError } from "../builder.ts";
import type { ApiKeyScope } from "../generated/prisma/client.ts";
import type { VerifiedKey } from "./keys.ts";

const rank: Record<ApiKeyScope, number> = { READ: 0, WRITE: 1, ADMIN: 2 };

/** Header a browser must send with a mutation (checked by inputPlugin); a cross-site form or image cannot set it. */
export const CSRF_HEADER = "x-graphql-yoga-csrf";

/**
 * The caller's key when it has at least `scope`; otherwise a top-level error that names what is
 * missing (never the key itself). Browser writes without the CSRF header never get here (inputPlugin).
 */
export function requireScope(ctx: Context, scope: ApiKeyScope): VerifiedKey {
  const { credentials } = ctx;
  if (!credentials.key) {
    throw credentials.presented
      ? userError("The API key is not valid or has been revoked; ask a curator for a new one", "UNAUTHENTICATED")
      : userError("This operation needs an API key: send it as the header Authorization: Bearer <key>", "UNAUTHENTICATED");
  }
  if (rank[credentials.key.scope] < rank[scope])
    throw userError(`This operation needs a key with the ${scope} scope; this key has ${credentials.key.scope}`, "FORBIDDEN");
  return credentials.key;
}
