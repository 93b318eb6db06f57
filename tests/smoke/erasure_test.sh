#!/usr/bin/env bash
# Erasure end to end against `lakehouse serve`:
#   - a value erased by key is gone from every version (a tagged one, one
#     with deletion vectors, the current one) and from the raw bytes of
#     every object under the data folder, the dataset's text index included;
#     before the erasure the same scan finds it;
#   - the CLI answers what it did, `lakehouse erasures` and the dataset page
#     list it with its predicate, and bad predicates are 4xx;
#   - kill -9 at random moments of an erasure of a larger dataset: after a
#     restart no erasure is left pending, and every version either lacks
#     every erased row or holds every one (all or nothing), then the same
#     erasure run again completes.
#
#   tests/smoke/erasure_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

SECRET=zzz-forget-me-31c4e
IN="$SMOKE_TMP/in"
mkdir -p "$IN"
{
  echo id,name,resume
  for i in $(seq 1 300); do
    if ((i == 77)); then echo "77,$SECRET,nurse with $SECRET in the notes"; else echo "$i,name$i,welder number $i"; fi
  done
} >"$IN/people.csv"
printf '%s\n' id,name,resume "301,late,forklift driver" >"$IN/more.csv"
printf '%s\n' id,name,resume "300,renamed,crane operator" >"$IN/up.csv"

query() { # SQL -> HTTP_BODY
  http POST /v1/query -H 'Content-Type: application/json' --data-binary "{\"sql\":$(json_quote "$1")}"
  assert_status 200 "$1"
}
count() { # SQL -> the single number it answers
  query "$1"
  grep -o '"rows":\[\[[0-9]*\]\]' <<<"$HTTP_BODY" | grep -o '[0-9][0-9]*' | tail -1
}
erase() { # DATASET PREDICATE
  http POST "/v1/datasets/$1/erase" -H 'Content-Type: application/json' \
    --data-binary "{\"where\":$(json_quote "$2")}"
}
objects_holding() { # NEEDLE -> the object files holding it
  grep -rl --binary-files=binary -F "$1" "$SMOKE_TMP/data/objects" || true
}

case_begin "start serve"
start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0

case_begin "a history with a tag, deletes and a text index"
"$LH_BIN" ingest "$IN/people.csv" --dataset people >/dev/null
"$LH_BIN" tag people baseline --version 1 >/dev/null
"$LH_BIN" ingest "$IN/more.csv" --dataset people >/dev/null
"$LH_BIN" upsert "$IN/up.csv" --dataset people --key id >/dev/null
"$LH_BIN" delete people --where "id = 5" >/dev/null
http POST /v1/datasets/people/indexes -H 'Content-Type: application/json' \
  --data-binary '{"index":"people_resume","id_column":"id","text_column":"resume"}'
assert_status 201 "index create"
assert_ne "" "$(objects_holding "$SECRET")" "the scan sees the value before the erasure"

case_begin "bad erasures are 4xx and change nothing"
erase people 'id IN (SELECT 1)'
[[ $HTTP_STATUS == 4* ]] || fail "a subquery: status $HTTP_STATUS"
erase people 'nosuch = 1'
assert_error 400 invalid_argument "an unknown column"
assert_contains "$HTTP_BODY" nosuch "the message names the column"
erase nobody 'id = 1'
assert_status 404 "an unknown dataset"
http GET /v1/datasets/people
assert_eq 4 "$(json_num version)" "no version made"

case_begin "erase by key"
out=$("$LH_BIN" erase people --where "id = 77" 2>&1) || fail "lakehouse erase failed: $out"
assert_contains "$out" "people: 1 row erased from 1 file; 4 versions rewritten, new version 5" "erase output"
assert_contains "$out" "index people_resume dropped 1 item" "the text index dropped the row"
assert_eq "" "$(objects_holding "$SECRET")" "no object holds the erased value"
for v in 1 2 3 4 5 baseline; do
  assert_eq 0 "$(count "SELECT count(*) FROM \"people@$v\" WHERE id = 77")" "people@$v lacks id 77"
done
assert_eq 299 "$(count 'SELECT count(*) FROM "people@1"')" "version 1 holds its other rows"
assert_eq 299 "$(count 'SELECT count(*) FROM people')" "the current version: 301 less id 5 and id 77"
assert_eq 1 "$(count "SELECT count(*) FROM people WHERE id = 300 AND name = 'renamed'")" "the upsert survives"
http POST /v1/indexes/people_resume/search -H 'Content-Type: application/json' \
  --data-binary '{"text":"nurse notes","k":300}'
assert_status 200 "search"
assert_not_contains "$HTTP_BODY" '"id":"77"' "the index no longer finds id 77"
out=$("$LH_BIN" erasures people 2>&1) || fail "lakehouse erasures failed: $out"
assert_contains "$out" "done  1 row  where id = 77" "the log lists it"
http GET /ui/datasets/people
assert_status 200 "dataset page"
assert_contains "$HTTP_BODY" 'id = 77' "the page lists the erasure"

case_begin "kill -9 during erasures"
{
  echo id,grp,note
  for i in $(seq 1 60000); do echo "$i,$((i % 10)),note for row $i of the big table"; done
} >"$IN/big.csv"
for part in 1 2 3 4 5; do "$LH_BIN" ingest "$IN/big.csv" --dataset big --force >/dev/null; done
for grp in 1 2 3; do
  curl -sS --max-time 60 -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data-binary "{\"where\":\"grp = $grp\"}" "$SERVER_URL/v1/datasets/big/erase" \
    >/dev/null 2>&1 &
  eraser=$!
  smoke_track_pid "$eraser"
  sleep "0.$((RANDOM % 6))$((RANDOM % 10))"
  kill9_server "$SERVER_PID"
  wait "$eraser" 2>/dev/null || true
  start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0
  http GET /v1/datasets/big/erasures
  assert_status 200 "erasures after the restart"
  assert_not_contains "$HTTP_BODY" '"pending"' "grp $grp: nothing left pending"
  http GET /v1/datasets/big
  last=$(json_num version)
  first=$(count "SELECT count(*) FROM \"big@1\" WHERE grp = $grp")
  [[ $first == 0 || $first == 6000 ]] || fail "grp $grp: version 1 holds $first of its 6000 rows"
  for v in $(seq 2 "$last"); do
    n=$(count "SELECT count(*) FROM \"big@$v\" WHERE grp = $grp")
    [[ $n == 0 || $first != 0 ]] || fail "grp $grp: version 1 erased but version $v holds $n"
    [[ $n != 0 || $first == 0 ]] || fail "grp $grp: version $v erased but version 1 holds $first"
  done
  echo "  [$SMOKE_NAME] grp $grp: $([[ $first == 0 ]] && echo finished || echo undone) after kill -9"
  erase big "grp = $grp"
  [[ $HTTP_STATUS == 200 || $HTTP_STATUS == 201 ]] || fail "erase again: $HTTP_STATUS $HTTP_BODY"
  assert_eq 0 "$(count "SELECT count(*) FROM \"big@1\" WHERE grp = $grp")" "grp $grp erased from version 1"
  assert_eq $((300000 - 30000 * grp)) "$(count 'SELECT count(*) FROM big')" "grp $grp erased from the current version"
done

case_begin "stop"
stop_server "$SERVER_PID"

echo "PASS [$SMOKE_NAME]"
