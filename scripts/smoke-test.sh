#!/usr/bin/env bash
# Starts `npm start` on a fresh embedded data folder, asks one real GraphQL question over HTTP,
# checks GraphiQL is served without a CDN and a CSV export streams, stops the server with SIGTERM
# and checks it shut down cleanly (exit 0, data folder lock released); then starts it again on the
# same folder, which must reopen the data without seeding it again.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
port=${SMOKE_PORT:-4517}
pid=
trap '[ -n "$pid" ] && kill -TERM -- -"$pid" 2>/dev/null; rm -rf "$work"' EXIT

fail() { echo "smoke test failed: $1"; cat "$work/server.log"; exit 1; }

start_query_stop() {
  DATA_DIR="$work/data" PORT=$port HOST=127.0.0.1 setsid npm start >"$work/server.log" 2>&1 &
  pid=$!
  local query='{"query":"{ institutes(first: 5) { totalCount edges { node { name(lang: EN) foundedYear } } } }"}'
  local answer=
  for _ in $(seq 1 120); do
    answer=$(curl -sf -H 'content-type: application/json' --data "$query" "http://127.0.0.1:$port/graphql") && break
    kill -0 "$pid" 2>/dev/null || fail "server exited early"
    sleep 0.5
  done
  echo "answer: $answer"
  grep -q '"name":"A.B. Bekturov Institute of Chemical Sciences"' <<<"$answer" || fail "unexpected answer"

  local page
  page=$(curl -sf -H 'accept: text/html' "http://127.0.0.1:$port/graphql")
  grep -qi "graphiql" <<<"$page" || fail "GraphiQL page missing"
  if grep -Eq 'https?://(unpkg|cdn\.jsdelivr|esm\.sh)' <<<"$page"; then fail "GraphiQL loads assets from a CDN"; fi

  local csv_headers
  csv_headers=$(curl -sf -D - -o "$work/fundings.csv" "http://127.0.0.1:$port/export/fundings.csv?amountDisclosed=true")
  grep -qi '^link: <https://creativecommons.org/licenses/by/4.0/>; rel="license"' <<<"$csv_headers" || fail "export lacks the licence link"
  local count rows
  count=$(curl -sf -H 'content-type: application/json' --data '{"query":"{ fundings(filter: { amountDisclosed: true }) { totalCount } }"}' "http://127.0.0.1:$port/graphql" | grep -o '"totalCount":[0-9]*' | cut -d: -f2)
  rows=$(curl -sf "http://127.0.0.1:$port/export/fundings.ndjson?amountDisclosed=true" | wc -l)
  [ -n "$count" ] && [ "$count" -gt 0 ] && [ "$rows" -eq "$count" ] || fail "the export has $rows rows where the API counts ${count:-none}"

  # Signal the server process itself (the newest in the group: npm and tsx do not forward signals
  # reliably), then wait for npm to exit with it.
  pkill -TERM -n -g "$pid" -f "src/server.ts"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && fail "server did not stop within 10 s"
  wait "$pid" || fail "npm start exited with status $?"
  pid=
  grep -q '"msg":"stopped"' "$work/server.log" || fail "no clean shutdown in the log"
  [ ! -e "$work/data/server.lock" ] || fail "data folder lock not released"
}

start_query_stop
grep -q "loading the seed dataset" "$work/server.log" || fail "the first start did not seed the new database"
start_query_stop
grep -q "loading the seed dataset" "$work/server.log" && fail "the second start seeded again"
echo "smoke test passed: new embedded database seeded, query answered, GraphiQL served locally, clean shutdown, CSV export streamed, restart reused the data"
