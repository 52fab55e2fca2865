#!/usr/bin/env bash
# Writes Prisma migration SQL offline. Prisma 7's `migrate` needs a native schema engine that
# cannot be downloaded here, so this runs Prisma 6.19's CLI, whose WASM schema engine works
# through a driver adapter, against an in-memory PGlite. The tool lives in its own folder outside
# the project so its `prisma` never shadows the project's Prisma 7.
#
#   scripts/migration-diff.sh             print the SQL the migrations lack
#   scripts/migration-diff.sh --new NAME  write it to prisma/migrations/<UTC timestamp>_NAME/
#   scripts/migration-diff.sh --check     exit 0 if migrations and schema agree, else 1 (SQL on stdout)
# Exit status 2: usage error or Prisma failed (e.g. a migration does not apply to the shadow database).
set -euo pipefail

mode=print name=
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  --new) mode=new name="${2:?usage: $0 --new NAME}"
         [[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "NAME must match [A-Za-z0-9_]+" >&2; exit 2; } ;;
  *) echo "usage: $0 [--check | --new NAME]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
migrations="$root/prisma/migrations"
tool="${PRISMA_MIGRATE_TOOL_DIR:-${TMPDIR:-/tmp}/prisma-migrate-tool}"
packages="prisma@6.19.3 pglite-prisma-adapter@0.6.1 @electric-sql/pglite@0.5.14"

if [[ "$(cat "$tool/.installed" 2>/dev/null)" != "$packages" ]]; then
  echo "Installing $packages into $tool ..." >&2
  mkdir -p "$tool"
  # Own package.json so npm does not climb to an enclosing project.
  echo '{ "private": true, "type": "module" }' > "$tool/package.json"
  (cd "$tool" && npm install --no-audit --no-fund $packages) >&2 || exit 2
  echo "$packages" > "$tool/.installed"
fi

cat > "$tool/prisma.config.ts" <<'TS'
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

// pglite-prisma-adapter 0.6.1 as the schema engine needs it: scripts must be awaited (errors
// were lost), parameterless statements may hold several commands (only exec allows that), and
// each in-memory database must be closed or the process never exits.
async function shimmed(db: PGlite) {
  const adapter: any = await new PrismaPGlite(db).connect();
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeScript = async (sql: string) => {
    try { await db.exec(sql); } catch (e) { adapter.onError(e); }
  };
  adapter.executeRaw = async (query: { sql: string; args: unknown[] }) => {
    if (query.args.length > 0) return executeRaw(query);
    try {
      const results = await db.exec(query.sql);
      return results.reduce((n, r) => n + (r.affectedRows ?? 0), 0);
    } catch (e) { adapter.onError(e); }
  };
  adapter.dispose = () => db.close();
  return adapter;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => ({
    provider: "postgres",
    adapterName: "pglite-prisma-adapter",
    // The migrations create the extensions the server uses, so the shadow database needs them.
    connect: () => shimmed(new PGlite({ extensions: { pg_trgm } })),
    connectToShadowDb: () => shimmed(new PGlite({ extensions: { pg_trgm } })),
  }),
});
TS
touch "$tool/dummy-query-engine"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Prisma 6 requires a url in the datasource. The generators are dropped: the diff does not use
# them, and Prisma 6 need not understand Prisma 7's generator settings.
awk '
  /^[[:space:]]*generator[[:space:]]+[A-Za-z0-9_]+[[:space:]]*\{/ { skip = 1 }
  skip { if (/^[[:space:]]*\}/) skip = 0; next }
  /^[[:space:]]*datasource[[:space:]]+[A-Za-z0-9_]+[[:space:]]*\{/ { ds = 1; url = 0 }
  ds && /^[[:space:]]*url[[:space:]]*=/ { url = 1 }
  ds && /^[[:space:]]*\}/ { if (!url) print "  url = env(\"DATABASE_URL\")"; ds = 0 }
  { print }
' "$root/prisma/schema.prisma" > "$work/schema.prisma"

if [[ -d "$migrations" ]]; then from=(--from-migrations "$migrations"); else from=(--from-empty); fi

start=$SECONDS
(
  cd "$tool"
  DATABASE_URL="postgresql://unused@localhost/unused" \
  PRISMA_QUERY_ENGINE_LIBRARY="$tool/dummy-query-engine" \
  PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 \
    node_modules/.bin/prisma migrate diff --config "$tool/prisma.config.ts" \
      "${from[@]}" --to-schema-datamodel "$work/schema.prisma" --script
) > "$work/diff.sql" || { echo "prisma migrate diff failed (see above)" >&2; exit 2; }
echo "prisma migrate diff took $((SECONDS - start)) s" >&2

empty=0
grep -q '^-- This is an empty migration\.' "$work/diff.sql" && empty=1

case "$mode" in
  print) cat "$work/diff.sql" ;;
  check)
    if ((empty)); then echo "Migrations and schema.prisma agree." >&2; exit 0; fi
    echo "The migrations lack this SQL (create it with: $0 --new NAME):" >&2
    cat "$work/diff.sql"; exit 1 ;;
  new)
    ((empty)) && echo "Schema and migrations agree: writing an empty migration for hand-written SQL." >&2
    dir="$migrations/$(date -u +%Y%m%d%H%M%S)_$name"
    mkdir -p "$dir"
    [[ -f "$migrations/migration_lock.toml" ]] || printf '%s\n' \
      '# Please do not edit this file manually' \
      '# It should be added in your version-control system (e.g., Git)' \
      'provider = "postgresql"' > "$migrations/migration_lock.toml"
    cp "$work/diff.sql" "$dir/migration.sql"
    echo "Wrote ${dir#"$root"/}/migration.sql" >&2 ;;
esac
