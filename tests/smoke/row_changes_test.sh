#!/usr/bin/env bash
# Datasets that change by row, end to end against `lakehouse serve`:
#   - upsert by key from the command line and over the API: rows replaced,
#     the rest inserted, counts in the answer, version 1 still as it was;
#   - bad keys (missing column, twice in the file, NULL) and bad predicates
#     (subquery, refused function, unknown column) are 4xx naming the problem
#     and make no version;
#   - delete by predicate, and a delete matching nothing makes no version;
#   - eight upserts racing over the API all land as consecutive versions,
#     none lost;
#   - compact keeps the rows in one file without deletes;
#   - kill -9 while upserts and deletes stream in: after a restart the
#     current version loads and holds exactly one row per key, and every
#     acknowledged change is in it.
#
#   tests/smoke/row_changes_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

IN="$SMOKE_TMP/in"
mkdir -p "$IN"
{
  echo id,name,rate
  for i in $(seq 1 200); do echo "$i,name$i,$i"; done
} >"$IN/people.csv"
printf '%s\n' id,name,rate 2,bobby,25 201,new,1 >"$IN/up.csv"
printf '%s\n' id,name,rate 7,a,1 7,b,2 >"$IN/twice.csv"
printf '%s\n' id,name,rate 8,a,1 ,b,2 >"$IN/null.csv"

query() { # SQL -> HTTP_BODY
  http POST /v1/query -H 'Content-Type: application/json' --data-binary "{\"sql\":$(json_quote "$1")}"
  assert_status 200 "$1"
}

upsert() { # FILE
  http POST "/v1/datasets/people/ingest?format=csv&mode=upsert&key=id" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$1"
}

delete_rows() { # PREDICATE
  http POST /v1/datasets/people/delete -H 'Content-Type: application/json' \
    --data-binary "{\"where\":$(json_quote "$1")}"
}

current_version() {
  http GET /v1/datasets/people
  json_num version
}

case_begin "start serve"
start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0

case_begin "upsert by key"
out=$("$LH_BIN" ingest "$IN/people.csv" --dataset people 2>&1) || fail "ingest failed: $out"
out=$("$LH_BIN" upsert "$IN/up.csv" --dataset people --key id 2>&1) || fail "upsert failed: $out"
assert_eq "people: version 2 (upsert, +1 row, 1 updated, 201 in all)" "$out" "lakehouse upsert output"
upsert "$IN/up.csv"
assert_status 201 "upsert over the API"
assert_eq 3 "$(json_num version)" "version of the second upsert"
assert_eq 2 "$(json_num rows_updated)" "rows_updated"
assert_eq 0 "$(json_num rows_inserted)" "rows_inserted"
query 'SELECT name, rate FROM people WHERE id = 2'
assert_contains "$HTTP_BODY" '"rows":[["bobby",25]]' "the upserted row"
query 'SELECT count(*) FROM people'
assert_contains "$HTTP_BODY" '"rows":[[201]]' "one row per key"
query 'SELECT name FROM "people@1" WHERE id = 2'
assert_contains "$HTTP_BODY" '"rows":[["name2"]]' "version 1 as it was"

case_begin "bad keys and predicates make no version"
http POST "/v1/datasets/people/ingest?format=csv&mode=upsert&key=ident" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$IN/up.csv"
assert_error 400 invalid_argument "a key column the dataset lacks"
assert_contains "$HTTP_BODY" 'ident' "names the column"
http POST "/v1/datasets/people/ingest?format=csv&mode=upsert" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$IN/up.csv"
assert_error 400 invalid_argument "upsert without key"
upsert "$IN/twice.csv"
assert_error 422 unprocessable "a key twice"
assert_contains "$HTTP_BODY" 'id=7 appears twice' "names the key"
assert_contains "$HTTP_BODY" 'line 2 and line 3' "names the lines"
upsert "$IN/null.csv"
assert_error 422 unprocessable "a NULL key"
assert_contains "$HTTP_BODY" 'NULL at line 3' "names the line"
delete_rows 'id IN (SELECT 1)'
assert_error 403 forbidden "a subquery"
delete_rows "read_text('/etc/passwd') <> ''"
assert_error 403 forbidden "a refused function"
delete_rows 'nosuch = 1'
assert_error 400 invalid_argument "an unknown column"
http POST /v1/datasets/people/delete -H 'Content-Type: application/json' --data-binary '{"where":1}'
assert_error 400 invalid_argument "a predicate that is no string"
assert_eq 3 "$(current_version)" "no version was made"

case_begin "delete by predicate"
out=$("$LH_BIN" delete people --where 'rate > 190 AND id <= 200' 2>&1) || fail "delete failed: $out"
assert_eq "people: 10 rows deleted; version 4 (191 rows)" "$out" "lakehouse delete output"
delete_rows 'id > 100000'
assert_status 200 "a delete matching nothing"
assert_eq 0 "$(json_num rows_deleted)" "rows_deleted"
assert_eq 4 "$(current_version)" "a delete matching nothing makes no version"

upsert_versions() { # the number of versions made by an upsert
  http GET /v1/datasets/people/versions
  grep -o '"operation":"upsert"' <<<"$HTTP_BODY" | wc -l
}

case_begin "racing upserts all land"
upserts_before=$(upsert_versions)
pids=()
for w in $(seq 1 8); do
  printf '%s\n' id,name,rate "$((1000 + w)),racer$w,$w" "5,five$w,5" >"$IN/race$w.csv"
  curl -sS --max-time 60 -o "$IN/race$w.out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/octet-stream' --data-binary "@$IN/race$w.csv" \
    "$SERVER_URL/v1/datasets/people/ingest?format=csv&mode=upsert&key=id" >"$IN/race$w.code" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for w in $(seq 1 8); do assert_eq 201 "$(cat "$IN/race$w.code")" "racer $w"; done
# Eight upsert versions; an upsert that left eight small files also
# merged them, as a compact version of its own.
assert_eq $((upserts_before + 8)) "$(upsert_versions)" "eight upsert versions"
raced=$(current_version)
query 'SELECT count(*), count(DISTINCT id) FROM people WHERE id > 1000 OR id = 5'
assert_contains "$HTTP_BODY" '"rows":[[9,9]]' "every racer's row, and one row for the shared key"

case_begin "compact"
out=$("$LH_BIN" compact people 2>&1) || fail "compact failed: $out"
if [[ $out == *"nothing to compact"* ]]; then
  # The last racing upsert merged every file already.
  http GET /v1/datasets/people
  assert_contains "$HTTP_BODY" '"operation":"compact"' "nothing to compact after a merge"
else
  assert_contains "$out" "people: version $((raced + 1)) (compact" "lakehouse compact output"
fi
http GET /v1/datasets/people
assert_not_contains "$HTTP_BODY" '"deletes"' "no deletes after compaction"
query 'SELECT count(*), sum(rate) FROM people'
before=$HTTP_BODY
query "SELECT count(*), sum(rate) FROM \"people@$raced\""
assert_eq "$(sed 's/"elapsed_ms":[0-9.]*//; s/"versions":.*//' <<<"$before")" \
  "$(sed 's/"elapsed_ms":[0-9.]*//; s/"versions":.*//' <<<"$HTTP_BODY")" "same rows as before"

case_begin "kill -9 during changes"
acked="$SMOKE_TMP/acked"
: >"$acked"
for round in 1 2 3; do
  (
    i=0
    while true; do
      i=$((i + 1))
      key=$((round * 10000 + i))
      printf '%s\n' id,name,rate "$key,k$round,$i" "3,three$round$i,3" >"$IN/stream.csv"
      code=$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' -X POST \
        -H 'Content-Type: application/octet-stream' --data-binary "@$IN/stream.csv" \
        "$SERVER_URL/v1/datasets/people/ingest?format=csv&mode=upsert&key=id" 2>/dev/null) || break
      [[ $code == 201 ]] && echo "$key" >>"$acked"
    done
  ) &
  writer=$!
  smoke_track_pid "$writer"
  sleep "0.$((RANDOM % 9 + 1))"
  kill9_server "$SERVER_PID"
  wait "$writer" 2>/dev/null || true
  start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0
  query 'SELECT count(*) - count(DISTINCT id) FROM people'
  assert_contains "$HTTP_BODY" '"rows":[[0]]' "round $round: one row per key after kill -9"
  while read -r key; do
    query "SELECT count(*) FROM people WHERE id = $key"
    assert_contains "$HTTP_BODY" '"rows":[[1]]' "round $round: acknowledged upsert of $key"
  done <"$acked"
done
echo "  [$SMOKE_NAME] $(wc -l <"$acked") acknowledged upserts over three kills, none lost"

case_begin "stop"
stop_server "$SERVER_PID"

echo "PASS [$SMOKE_NAME]"
