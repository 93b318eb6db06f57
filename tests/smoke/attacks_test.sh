#!/usr/bin/env bash
# Attacks on a real `serve` with API tokens, each of which once killed the
# server, changed or leaked stored data, or locked other users out. After
# every attack the server must still answer and nothing stored may differ:
#   - JSON uploads nested 10,000 deep (once a stack overflow): 422;
#   - DuckDB's logging and file functions from a read-only SELECT: 403, and
#     other users' queries keep working;
#   - the object API with a write token against the system's own keys
#     (manifests, data files, indexes): 403, nothing deleted or forged;
#   - 100 connections trickling a header line a second and 20 trickling a
#     body, while /healthz and a query keep answering;
#   - ambiguous request framing (smuggling): 400 and the connection closed;
#   - a garbage manifest planted in the store: listed as damaged, nothing
#     else breaks;
#   - embed() over its text bound: 400, inside the query time limit;
#   - a CSV whose last row has an extra field: refused, not reinterpreted;
#   - a second server, or any service, on a port in use: refuses to start.
#
#   tests/smoke/attacks_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

READ=rrrrrrrrrrrrrrrrrrrrrrrr
WRITE=wwwwwwwwwwwwwwwwwwwwwwww
ADMIN=aaaaaaaaaaaaaaaaaaaaaaaa
DATA=$SMOKE_TMP/data
mkdir -p "$DATA"
printf 'reader read %s\nwriter write %s\nboss admin %s\n' "$READ" "$WRITE" "$ADMIN" >"$SMOKE_TMP/tokens"
printf '[auth]\ntoken_file = "%s/tokens"\n[queryd]\ntimeout_ms = 20000\n' "$SMOKE_TMP" >"$SMOKE_TMP/lakehouse.toml"
start_server serve serve --data "$DATA" --listen 127.0.0.1:0 --config "$SMOKE_TMP/lakehouse.toml"
PORT=${SERVER_URL##*:}

as() { # TOKEN METHOD PATH [curl args]
  local token=$1
  shift
  http "$@" -H "Authorization: Bearer $token"
}
query() { # TOKEN SQL: POST /v1/query
  local body
  body=$(node -e 'process.stdout.write(JSON.stringify({sql: process.argv[1]}))' "$2")
  as "$1" POST /v1/query -H 'Content-Type: application/json' --data-binary "$body"
}

case_begin "a dataset to protect"
printf 'id,name,rate\n1,Ann,50\n2,Bob,60\n3,Cy,70\n' >"$SMOKE_TMP/people.csv"
as "$WRITE" POST '/v1/datasets/people/ingest?format=csv' --data-binary "@$SMOKE_TMP/people.csv"
assert_status 201 "ingest people"
snapshot() {
  as "$READ" GET /v1/datasets/people
  assert_status 200 "GET people"
  DATASET_STATE=$HTTP_BODY
  query "$READ" 'SELECT count(*) AS n, sum(rate) AS total FROM people'
  assert_status 200 "count people"
  QUERY_STATE=$(printf '%s' "$HTTP_BODY" | sed 's/"elapsed_ms":[0-9.e+-]*,//')
  STORE_STATE=$(cd "$DATA" && find . -type f ! -name '.*' | grep -v zzz | sort | xargs sha256sum)
}
snapshot
BEFORE_DATASET=$DATASET_STATE BEFORE_QUERY=$QUERY_STATE BEFORE_STORE=$STORE_STATE
# Still answering, and nothing stored changed.
assert_unharmed() { # WHAT
  http GET /healthz
  assert_status 200 "$1: the server still answers"
  snapshot
  assert_eq "$BEFORE_DATASET" "$DATASET_STATE" "$1: the dataset is unchanged"
  assert_eq "$BEFORE_QUERY" "$QUERY_STATE" "$1: its rows are unchanged"
  assert_eq "$BEFORE_STORE" "$STORE_STATE" "$1: no stored file changed"
}

case_begin "nested JSON uploads"
for open in '{"a":' '['; do
  head -c 10000 /dev/zero | tr '\0' 'x' | sed "s/x/$open/g" >"$SMOKE_TMP/deep.json"
  as "$WRITE" POST '/v1/datasets/deep/ingest?format=json' --data-binary "@$SMOKE_TMP/deep.json"
  assert_error 422 unprocessable "nested $open x10000"
  assert_contains "$HTTP_BODY" "deep" "the error names the depth"
done
as "$READ" GET /v1/datasets/deep
assert_status 404 "nothing was created"
assert_unharmed "nested JSON"

case_begin "logging and file functions from a SELECT"
for sql in "SELECT * FROM enable_logging(storage='file', storage_path='$DATA/x')" \
  "SELECT * FROM enable_logging()" "SELECT * FROM duckdb_logs" \
  "SELECT * FROM glob('$DATA/**')" "SELECT * FROM read_parquet('$DATA/**/*.parquet')" \
  "SELECT current_setting('temp_directory')"; do
  query "$READ" "$sql"
  assert_error 403 forbidden "$sql"
  assert_not_contains "$HTTP_BODY" "$DATA" "no server path in the refusal of: $sql"
done
[[ ! -e "$DATA/x" ]] || fail "enable_logging wrote $DATA/x"
query "$READ" 'SELECT 1 AS one'
assert_status 200 "another user's query still runs"
assert_unharmed "logging functions"

case_begin "the object API against the system's keys, with a write token"
data_file=$(cd "$DATA" && find . -name '*.parquet' | head -1)
[[ -n "$data_file" ]] || fail "no data file found under $DATA"
data_key=$(basename "$data_file")
for token in "$WRITE" "$ADMIN"; do
  as "$token" DELETE /v1/objects/_catalog/people/v/0000000001.json
  assert_error 403 forbidden "delete a manifest"
  as "$token" PUT /v1/objects/_catalog/forged/v/0000000001.json -H 'If-None-Match: *' \
    --data-binary '{"forged": true}'
  assert_error 403 forbidden "put-if-absent a forged manifest"
  as "$token" DELETE "/v1/objects/data/people/$data_key"
  assert_error 403 forbidden "delete a data file"
  as "$token" DELETE /v1/objects/%5Fvectors/x.lhv1
  assert_error 403 forbidden "delete an index, escaped"
done
as "$READ" GET /v1/datasets/forged
assert_status 404 "no forged dataset"
assert_unharmed "object API"

case_begin "slow clients and ambiguous framing"
node "$(dirname "$0")/hostile_clients.mjs" slow "$PORT" "$READ" >"$SMOKE_TMP/slow.out" 2>&1 ||
  fail "others were not answered while slow clients held connections: $(cat "$SMOKE_TMP/slow.out")"
node "$(dirname "$0")/hostile_clients.mjs" framing "$PORT" "$READ" >"$SMOKE_TMP/framing.out" 2>&1 ||
  fail "ambiguous framing was not refused: $(cat "$SMOKE_TMP/framing.out")"
assert_unharmed "slow clients and framing"

case_begin "a garbage manifest planted in the store"
manifest_dir=$(cd "$DATA" && find . -type d -name 'people%2F' | head -1)
[[ -n "$manifest_dir" ]] || fail "no manifest folder for people under $DATA"
garbage_dir="$DATA/$(dirname "$manifest_dir")/zzz%2F/v%2F"
mkdir -p "$garbage_dir"
printf 'not a manifest {' >"$garbage_dir/0000000001.json"
as "$READ" GET /v1/datasets
assert_status 200 "the listing survives"
assert_contains "$HTTP_BODY" '"damaged"' "the listing reports the damage"
assert_contains "$HTTP_BODY" '"people"' "the good dataset is still listed"
as "$READ" GET '/healthz?deep=1'
assert_status 200 "deep health survives"
as "$READ" GET /
assert_status 200 "the UI overview survives"
assert_unharmed "planted manifest"

case_begin "embed() over its bound"
start=$SECONDS
query "$READ" "SELECT len(embed(repeat('abc def ', 30000000))) AS n"
assert_error 400 '*' "embed over the text bound"
((SECONDS - start < 20)) || fail "embed over the bound took $((SECONDS - start)) s, past the query's time limit"
assert_unharmed "embed"

case_begin "a CSV whose last row has an extra field"
printf 'id,name,rate\n1,Ann,50\n2,Bob,60\n3,Cy,70,oops\n' >"$SMOKE_TMP/bad.csv"
as "$WRITE" POST '/v1/datasets/badcsv/ingest?format=csv' --data-binary "@$SMOKE_TMP/bad.csv"
[[ "$HTTP_STATUS" == 4* ]] || fail "a bad last row was accepted: HTTP $HTTP_STATUS $(smoke_show "$HTTP_BODY")"
assert_contains "$HTTP_BODY" "line 4" "the error names the line"
assert_unharmed "bad CSV"

case_begin "a port in use"
expect_port_refused() { # WHAT ARGS...
  local what=$1 rc=0
  shift
  timeout 20 "$LH_BIN" "$@" >"$SMOKE_TMP/second.out" 2>&1 || rc=$?
  ((rc != 0 && rc != 124)) || fail "$what started on port $PORT in use (exit $rc)"
  assert_contains "$(cat "$SMOKE_TMP/second.out")" "$PORT" "$what names the port"
}
expect_port_refused "a second serve" serve --data "$SMOKE_TMP/other" --listen "127.0.0.1:$PORT"
for service in storaged catalogd queryd vectord gateway; do
  printf '[%s]\nlisten = "127.0.0.1:%s"\n' "$service" "$PORT" >"$SMOKE_TMP/$service.toml"
  expect_port_refused "$service" "$service" --config "$SMOKE_TMP/$service.toml"
done
assert_unharmed "port in use"

stop_server "$SERVER_PID"
echo "attacks: all refused, server unharmed"
