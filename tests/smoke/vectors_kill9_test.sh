#!/usr/bin/env bash
# Acknowledged vector writes survive kill -9 at any moment: `serve` (whose
# vectord persists to the store as a base plus deltas, compacted often here)
# takes a stream of batch adds and item deletes from vector_writer.mjs and
# is killed with SIGKILL at a random point, six times over. After each
# restart every add the server acknowledged with persisted true is there
# with its vector, found by search at distance 0 and by a keyword search
# for its text (the index has a full-text part), and no acknowledged
# delete has come back; the index lists no damage.
#
#   tests/smoke/vectors_kill9_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

WRITER="$(dirname "$0")/vector_writer.mjs"
LOG="$SMOKE_TMP/acknowledged.log"
: >"$LOG"
pick_ports 1
# Compaction every few deltas, so kills land inside compactions too.
printf '[vectord]\ncompact_deltas = 4\n' >"$SMOKE_TMP/lakehouse.toml"
serve() {
  start_server serve serve --data "$SMOKE_TMP/data" --listen "127.0.0.1:${PORTS[0]}" \
    --config "$SMOKE_TMP/lakehouse.toml"
}

case_begin "create the index"
serve
http POST /v1/indexes -H 'Content-Type: application/json' \
  --data-binary '{"name":"kills","dim":8,"metric":"l2","full_text":true}'
assert_status 201 "create"

for round in 1 2 3 4 5 6; do
  case_begin "round $round: writes, then kill -9 mid-stream"
  node "$WRITER" write "${PORTS[0]}" kills "$LOG" "$round" >"$SMOKE_TMP/writer.out" 2>&1 &
  writer=$!
  smoke_track_pid "$writer"
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.4 + (r % 120) / 100 }')"
  kill9_server "$SERVER_PID"
  wait "$writer" || fail "the writer failed: $(cat "$SMOKE_TMP/writer.out")"

  case_begin "round $round: after the restart every acknowledged write holds"
  serve
  node "$WRITER" verify "${PORTS[0]}" kills "$LOG" >"$SMOKE_TMP/verify.out" 2>&1 ||
    fail "$(cat "$SMOKE_TMP/verify.out")"
  echo "    $(tail -1 "$SMOKE_TMP/verify.out")"
  http GET /v1/indexes
  assert_status 200 "list indexes"
  assert_not_contains "$HTTP_BODY" '"damaged"' "no damage after kill -9"
done
acknowledged=$(grep -c '^add ' "$LOG")
((acknowledged > 0)) || fail "no write was acknowledged in six rounds"
stop_server "$SERVER_PID"
echo "vectors kill -9: $acknowledged acknowledged adds over six kills, none lost"
