#!/usr/bin/env bash
# `lakehouse vectors ...` (docs/api.md, Command line) against a real `serve`:
# create, add from NDJSON (in several batches, and from stdin), list, show,
# search (table and json), get, delete an item and the index; and each
# failure exits non-zero with the server's message.
#
#   tests/smoke/vectors_cli_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v awk >/dev/null || fail "awk is not installed"

start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0
OUT=$SMOKE_TMP/out
ERR=$SMOKE_TMP/err

# Runs the client; sets RC, and OUT/ERR hold what it printed.
lh() {
  RC=0
  "$LH_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

case_begin "create"
lh vectors create people --dim 3 --metric l2 --m 8
assert_eq 0 "$RC" "create exit code ($(cat "$ERR"))"
assert_contains "$(cat "$OUT")" "created people (dim 3, l2)" "create output"

case_begin "add from a file in batches"
awk 'BEGIN { for (i = 1; i <= 2500; i++) printf "{\"id\":\"p%d\",\"vector\":[%d,%d,1],\"metadata\":{\"n\":%d}}\n", i, i, i % 7, i }' >"$SMOKE_TMP/items.ndjson"
lh vectors add people "$SMOKE_TMP/items.ndjson" --batch 1000
assert_eq 0 "$RC" "add exit code ($(cat "$ERR"))"
assert_contains "$(cat "$OUT")" "added 2500 items to people (now 2500)" "add output"

case_begin "add from stdin"
RC=0
echo '{"id":"extra","vector":[0,0,9],"metadata":{"n":0}}' |
  "$LH_BIN" vectors add people - >"$OUT" 2>"$ERR" || RC=$?
assert_eq 0 "$RC" "stdin add exit code ($(cat "$ERR"))"
assert_contains "$(cat "$OUT")" "(now 2501)" "stdin add output"

case_begin "list and show"
lh vectors list
assert_eq 0 "$RC" "list exit code"
assert_contains "$(cat "$OUT")" "people" "list names the index"
assert_contains "$(grep people "$OUT")" "2501" "list gives the count"
assert_contains "$(grep people "$OUT")" "true" "list says it is persisted"
lh vectors show people
assert_contains "$(cat "$OUT")" '"m": 8' "show gives the parameters"

case_begin "search"
lh vectors search people --vector '[10,3,1]' -k 3
assert_eq 0 "$RC" "search exit code ($(cat "$ERR"))"
assert_eq "p10" "$(awk 'NR == 3 { print $1 }' "$OUT")" "nearest first, in a table"
assert_contains "$(sed -n 3p "$OUT")" '{"n":10}' "metadata in the table"
lh vectors search people --vector '[10,3,1]' -k 2 --format json
assert_eq "p10" "$(json_str id <"$OUT")" "json output"
assert_eq 2 "$(json_strs id <"$OUT" | wc -l)" "k respected"

case_begin "get and delete an item"
lh vectors get people p10
assert_eq 0 "$RC" "get exit code"
assert_contains "$(cat "$OUT")" '"vector":[10.0,3.0,1.0]' "get gives the vector"
lh vectors delete people p10
assert_eq 0 "$RC" "delete item exit code"
lh vectors get people p10
assert_eq 1 "$RC" "get of a deleted item fails"
assert_contains "$(cat "$ERR")" 'no item "p10" (HTTP 404)' "the server's message"

case_begin "failures carry the server's message"
RC=0
echo '{"id":"bad","vector":[1,2]}' | "$LH_BIN" vectors add people - >"$OUT" 2>"$ERR" || RC=$?
assert_ne 0 "$RC" "a bad batch fails"
assert_contains "$(cat "$ERR")" "item 0: vector has 2 components" "names the bad item"
lh vectors create people --dim 3
assert_ne 0 "$RC" "a second create fails"
assert_contains "$(cat "$ERR")" "HTTP 409" "409 reported"
lh vectors search nope --vector '[1,2,3]'
assert_eq 1 "$RC" "unknown index"
lh vectors search people --vector 'not json'
assert_eq 2 "$RC" "a bad --vector is a usage error"
lh vectors list --url http://127.0.0.1:1
assert_eq 3 "$RC" "an unreachable server"

case_begin "delete the index"
lh vectors delete people
assert_eq 0 "$RC" "delete index exit code"
lh vectors show people
assert_eq 1 "$RC" "gone"

stop_server "$SERVER_PID"
echo "PASS [$SMOKE_NAME]"
