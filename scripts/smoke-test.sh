#!/usr/bin/env bash
# Starts `npm start` on a fresh embedded data folder, asks one real GraphQL question over HTTP,
# checks GraphiQL is served without a CDN and a CSV export streams, then stops the server with
# SIGTERM and checks it shut down cleanly (exit 0, data folder lock released).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=${SMOKE_PORT:-4517}
log="$work/server.log"
trap 'kill -TERM -- -"$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

DATA_DIR="$work/data" PORT=$port HOST=127.0.0.1 setsid npm start >"$log" 2>&1 &
pid=$!

query='{"query":"{ institutes(first: 5) { totalCount edges { node { name(lang: EN) foundedYear } } } }"}'
for _ in $(seq 1 120); do
  if answer=$(curl -sf -H 'content-type: application/json' --data "$query" "http://127.0.0.1:$port/graphql"); then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "server exited early:"; cat "$log"; exit 1; fi
  sleep 0.5
done
echo "answer: $answer"
grep -q '"name":"A.B. Bekturov Institute of Chemical Sciences"' <<<"$answer" || { echo "unexpected answer"; cat "$log"; exit 1; }

page=$(curl -sf -H 'accept: text/html' "http://127.0.0.1:$port/graphql")
grep -qi "graphiql" <<<"$page" || { echo "GraphiQL page missing"; exit 1; }
if grep -Eq 'https?://(unpkg|cdn\.jsdelivr|esm\.sh)' <<<"$page"; then echo "GraphiQL loads assets from a CDN"; exit 1; fi

csv_headers=$(curl -sf -D - -o "$work/fundings.csv" "http://127.0.0.1:$port/export/fundings.csv?amountDisclosed=true")
grep -qi '^link: <https://creativecommons.org/licenses/by/4.0/>; rel="license"' <<<"$csv_headers" || { echo "export lacks the licence link"; exit 1; }
[ "$(wc -l <"$work/fundings.csv")" -eq 5 ] || { echo "unexpected export:"; cat "$work/fundings.csv"; exit 1; }

# Signal the server process itself (the newest in the group: npm and tsx do not forward signals
# reliably), then wait for npm to exit with it.
pkill -TERM -n -g "$pid" -f "src/server.ts"
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$pid" 2>/dev/null; then echo "server did not stop within 10 s"; cat "$log"; exit 1; fi
wait "$pid" || { echo "npm start exited with status $?"; cat "$log"; exit 1; }
grep -q '"msg":"stopped"' "$log" || { echo "no clean shutdown in the log:"; cat "$log"; exit 1; }
[ ! -e "$work/data/server.lock" ] || { echo "data folder lock not released"; exit 1; }
echo "smoke test passed: fresh embedded database seeded, query answered, GraphiQL served locally, CSV export streamed, clean shutdown"
