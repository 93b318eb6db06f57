#!/usr/bin/env bash
# Two `lakehouse serve` processes side by side on one S3 bucket (the S3
# protocol peer of storaged_s3_test.sh), as two machines behind a load
# balancer would run:
#   - a dataset ingested through A is queried through B;
#   - 10 appends through A and 10 through B at once land as 20 consecutive
#     versions with every row;
#   - A (started first) is the vector writer: its index writes reach B after
#     B's reload, and writes through B are refused with 409 naming A;
#   - both restart cleanly with the same roles and the same answers; a
#     killed writer restarted on its address takes its role back; nothing in
#     the bucket is ever skipped as damaged.
#
#   tests/smoke/side_by_side_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

# Fixed ports: a process's writer id is its host and listen address, which
# must stay the same across a restart.
pick_ports 3
PEER_PORT=${PORTS[0]}
A_PORT=${PORTS[1]}
B_PORT=${PORTS[2]}
start_s3_peer "$PEER_PORT" "$SMOKE_TMP/s3" lake SIDEKEY 'side/secret'
cat >"$SMOKE_TMP/lakehouse.toml" <<EOF
[storaged]
backend = "s3"
[s3]
endpoint = "$PEER"
bucket = "lake"
[vectord]
reload_interval_ms = 200
EOF

A_URL="http://127.0.0.1:$A_PORT"
B_URL="http://127.0.0.1:$B_PORT"
start_a() {
  start_server a serve --data "$SMOKE_TMP/a" --listen "127.0.0.1:$A_PORT" --config "$SMOKE_TMP/lakehouse.toml"
  A_PID=$SERVER_PID
}
start_b() {
  start_server b serve --data "$SMOKE_TMP/b" --listen "127.0.0.1:$B_PORT" --config "$SMOKE_TMP/lakehouse.toml"
  B_PID=$SERVER_PID
}
logs_of() { cat "$SMOKE_TMP/logs/$1.err" "$SMOKE_TMP/logs/$1.out"; }
all_logs() { cat "$SMOKE_TMP"/logs/*; }

sql_csv() { # URL SQL; CSV lines end in CRLF
  "$LH_BIN" sql "$2" --url "$1" --format csv | tr -d '\r'
}

case_begin "two serve processes start on one bucket; the first writes vectors"
start_a
start_b
assert_contains "$(logs_of a)" "s3 bucket lake" "A logs its S3 backend"
assert_contains "$(logs_of a)" "writes _vectors/" "A is the vector writer"
assert_contains "$(logs_of b)" "read-only" "B is a vector reader"
assert_contains "$(logs_of b)" "127.0.0.1:$A_PORT" "B names the writer"
[[ ! -e "$SMOKE_TMP/a/objects" && ! -e "$SMOKE_TMP/b/objects" ]] ||
  fail "a serve process on S3 wrote a local object store"

# ------------------------------------------------------------------------------
case_begin "a dataset ingested through A is queried through B"
printf 'id,name\n1,ada\n2,grace\n3,edsger\n' >"$SMOKE_TMP/people.csv"
"$LH_BIN" ingest "$SMOKE_TMP/people.csv" --dataset people --url "$A_URL" >/dev/null ||
  fail "ingest through A"
out=$(sql_csv "$B_URL" "SELECT count(*) AS n FROM people") || fail "query through B"
assert_contains "$out" "3" "rows seen by B"
# B now remembers version 1; a second commit through A is still seen by B's
# next query (no cached "current version").
"$LH_BIN" ingest "$SMOKE_TMP/people.csv" --dataset people --mode append --force --url "$A_URL" >/dev/null ||
  fail "append through A"
out=$(sql_csv "$B_URL" "SELECT count(*) AS n FROM people")
assert_eq $'n\n6' "$out" "B's next query sees A's new version"

# ------------------------------------------------------------------------------
case_begin "concurrent appends through A and B land as consecutive versions"
printf 'id,name\n100,x\n' >"$SMOKE_TMP/one.csv"
appends() { # URL WHO
  local i
  for i in $(seq 1 10); do
    "$LH_BIN" ingest "$SMOKE_TMP/one.csv" --dataset people --mode append --force --url "$1" \
      >"$SMOKE_TMP/append-$2-$i.out" 2>&1 || echo "append $2 $i failed" >>"$SMOKE_TMP/append-failures"
  done
}
appends "$A_URL" a &
pa=$!
appends "$B_URL" b &
pb=$!
wait "$pa" "$pb"
[[ ! -e "$SMOKE_TMP/append-failures" ]] ||
  fail "$(cat "$SMOKE_TMP/append-failures") $(cat "$SMOKE_TMP"/append-*.out | head -5)"
for url in "$A_URL" "$B_URL"; do
  URL=$url http GET /v1/datasets/people/versions
  assert_status 200 "versions through $url"
  versions=$(json_nums version <<<"$HTTP_BODY" | sort -n | tr '\n' ' ')
  assert_eq "$(seq 1 22 | tr '\n' ' ')" "$versions" "22 consecutive versions through $url"
  out=$(sql_csv "$url" "SELECT count(*) AS n, count(*) FILTER (WHERE id = 100) AS added FROM people")
  assert_eq $'n,added\n26,20' "$out" "rows through $url"
done

# ------------------------------------------------------------------------------
case_begin "vector writes through the writer reach the reader; the reader refuses writes"
URL=$A_URL http POST /v1/indexes -H 'Content-Type: application/json' \
  --data '{"name":"pets","dim":3,"metric":"l2"}'
assert_status 201 "create through A"
URL=$A_URL http POST /v1/indexes/pets/vectors -H 'Content-Type: application/json' \
  --data '{"items":[{"id":"cat","vector":[1,0,0],"metadata":{"legs":4}},{"id":"bird","vector":[0,1,0]},{"id":"fish","vector":[0,0,1]}]}'
assert_status 200 "add through A"
wait_for_count() { # URL INDEX COUNT
  local deadline=$((SECONDS + 10))
  while :; do
    URL=$1 http GET "/v1/indexes/$2"
    [[ "$HTTP_STATUS" == 200 && "$(json_num count)" == "$3" ]] && return 0
    ((SECONDS < deadline)) || fail "index $2 on $1 never reached $3 items: $(smoke_show "$HTTP_BODY")"
    sleep 0.1
  done
}
wait_for_count "$B_URL" pets 3
URL=$B_URL http POST /v1/indexes/pets/search -H 'Content-Type: application/json' \
  --data '{"vector":[0.9,0.1,0],"k":1}'
assert_status 200 "search through B"
assert_eq "cat" "$(json_str id <<<"$HTTP_BODY")" "B's nearest"

URL=$B_URL http POST /v1/indexes/pets/vectors -H 'Content-Type: application/json' \
  --data '{"items":[{"id":"dog","vector":[1,0.1,0]}]}'
assert_error 409 '*' "add through B"
assert_contains "$HTTP_BODY" "127.0.0.1:$A_PORT" "the refusal names the writer"
URL=$B_URL http POST /v1/indexes -H 'Content-Type: application/json' \
  --data '{"name":"mine","dim":3}'
assert_error 409 '*' "create through B"
URL=$B_URL http DELETE /v1/indexes/pets
assert_error 409 '*' "drop through B"
URL=$A_URL http GET /v1/indexes/pets
assert_eq "3" "$(json_num count)" "the writer's index is untouched"
URL=$A_URL http GET /v1/indexes/mine
assert_status 404 "nothing was created through B"

# Later writes and a drop follow.
URL=$A_URL http DELETE /v1/indexes/pets/vectors/fish
assert_status 204 "remove through A"
wait_for_count "$B_URL" pets 2
URL=$A_URL http POST /v1/indexes -H 'Content-Type: application/json' --data '{"name":"gone","dim":2}'
assert_status 201 "create a second index"
wait_for_count "$B_URL" gone 0
URL=$A_URL http DELETE /v1/indexes/gone
assert_status 204 "drop through A"
deadline=$((SECONDS + 10))
until URL=$B_URL http GET /v1/indexes/gone && [[ "$HTTP_STATUS" == 404 ]]; do
  ((SECONDS < deadline)) || fail "B still has the dropped index"
  sleep 0.1
done

# ------------------------------------------------------------------------------
case_begin "both restart with the same roles and answers"
stop_server "$B_PID"
stop_server "$A_PID"
start_a
start_b
assert_contains "$(logs_of a)" "writes _vectors/" "A writes again"
assert_contains "$(logs_of b)" "read-only" "B reads again"
for url in "$A_URL" "$B_URL"; do
  out=$(sql_csv "$url" "SELECT count(*) AS n FROM people")
  assert_eq $'n\n26' "$out" "rows through $url after the restart"
  wait_for_count "$url" pets 2
done

case_begin "a killed writer restarted on its address takes its role back"
kill9_server "$A_PID"
start_a
assert_contains "$(logs_of a)" "took back the writer claim" "A takes its claim back"
URL=$A_URL http POST /v1/indexes/pets/vectors -H 'Content-Type: application/json' \
  --data '{"items":[{"id":"dog","vector":[1,0.1,0]}]}'
assert_status 200 "add through the restarted writer"
wait_for_count "$B_URL" pets 3

case_begin "nothing in the bucket was skipped as damaged"
assert_not_contains "$(all_logs)" "skipped" "logs of every process"
URL=$B_URL http GET /v1/datasets
assert_contains "$HTTP_BODY" '"name":"people"' "datasets through B"
stop_server "$B_PID"
stop_server "$A_PID"

echo "PASS [$SMOKE_NAME]"
