#!/usr/bin/env bash
# Datasets and SQL end to end, against real processes. One scenario runs
# twice: against `lakehouse serve`, and with storaged, catalogd and queryd as
# three processes sharing one config file (catalogd starts alone on storaged
# and ingests before queryd exists). The scenario:
#   - ingest a CSV (create), an append, an overwrite: each 201 answer, the
#     dataset listing, the version history with its source file names, and
#     the command line's ingest and datasets;
#   - failed ingests (ragged row, empty body, invalid UTF-8, a value that does
#     not fit its column, a schema clash, malformed JSON, bad parameters) are
#     4xx with a useful message and leave no version, no object (the listings
#     of data/ and _catalog/ are byte-identical) and no spool file;
#   - queries of the current and every past version, `as_of` pins and the
#     versions each answer read, with answers worked out by hand; the command
#     line's CSV output byte for byte;
#   - the fence: file access, COPY, CREATE (also through EXPLAIN ANALYZE),
#     ATTACH, INSTALL, SET and PRAGMA are 403 and leave nothing behind;
#   - SIGTERM stops every process with exit 0, and a restart on the same data
#     gives the same answers, past versions included, and the same metadata;
#   - delete keeps past versions readable until vacuum removes them;
#   - concurrent appends to a fresh dataset all land, as consecutive versions.
#
#   tests/smoke/datasets_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

# --- input files ------------------------------------------------------------------
IN="$SMOKE_TMP/in"
mkdir -p "$IN"
# v1, create: 5 rows, sum(rate) = 200.75
printf '%s\n' id,name,state,rate 1,Ada,CA,50.5 2,Bob,NY,40 3,Cy,CA,30.25 4,Di,TX,60 5,Ed,NY,20 \
  >"$IN/candidates_jan.csv"
# v2, append: 3 more rows, 8 in all, sum(rate) = 229.75
printf '%s\n' id,name,state,rate 6,Fay,WA,12.5 7,Gus,CA,7.5 8,Hal,NY,9 >"$IN/candidates_feb.csv"
# v3, overwrite: 2 rows, sum(rate) = 100.5
printf '%s\n' id,name,state,rate 9,Ivy,OR,100 10,Jo,CA,0.5 >"$IN/candidates_mar.csv"
# Refused inputs.
printf '%s\n' id,name,state,rate 11,Kim,CA,10 12,Lu,WA,15,extra 13,Mo,NY,5 >"$IN/ragged.csv"
: >"$IN/empty.csv"
printf 'id,name,state,rate\n11,Kim,CA,10\n12,L\xffu,WA,15\n' >"$IN/latin1.csv"
printf '\xff' >"$IN/ff.csv"
printf '%s\n' id,name,state,rate 11,Kim,CA,10 12,Lu,WA,sixty >"$IN/sixty.csv"
printf '%s\n' id,fullname,state,rate 11,Kim,CA,10 >"$IN/renamed.csv"
printf '%s\n' id,name,state 11,Kim,CA >"$IN/narrow.csv"
printf '{"id": 11, "name": "Kim", "state": "CA", "rate": ' >"$IN/cut.json"
printf '[{"id": 11, "name": "Kim", "state": "CA", "rate": 1.5},\n' >"$IN/unclosed.json"
printf '%s\n' id,title,city 1,Nurse,Boston 2,Welder,Tulsa 3,Clerk,Reno >"$IN/job_orders.csv"

# --- where the API lives -----------------------------------------------------------
MODE=""            # serve | split
INGEST_URL=""      # datasets and ingest
QUERY_URL=""       # /v1/query
STORE_ROOT=""      # the local store's directory (data/ and _catalog/ are read from disk)
CATALOG_SCRATCH="" # the ingest spool: empty between ingests


# The error message of the last response, all its lines.
error_message() {
  local raw
  raw=$(grep -o '"message":"\([^"\\]\|\\.\)*"' <<<"$HTTP_BODY" | first_line) || true
  raw=${raw#\"message\":\"}
  json_unescape "${raw%\"}"
}

# --- ingest ---------------------------------------------------------------------------

# ingest NAME FILE [QUERY]: POST the file to the ingest route.
ingest() {
  local name=$1 file=$2 query=${3:-format=csv}
  URL=$INGEST_URL http POST "/v1/datasets/$name/ingest?$query&file_name=$(basename "$file")" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$file"
}

expect_ingest() { # NAME FILE QUERY VERSION OPERATION ROWS_ADDED ROWS
  ingest "$1" "$2" "$3"
  assert_status 201 "ingest $(basename "$2") into $1"
  assert_eq "$1" "$(json_str dataset <<<"$HTTP_BODY")" "dataset of the ingest"
  assert_eq "$4" "$(json_num version)" "version of the ingest"
  assert_eq "$5" "$(json_str operation <<<"$HTTP_BODY")" "operation of the ingest"
  assert_eq "$6" "$(json_num rows_added)" "rows_added of the ingest"
  assert_eq "$7" "$(json_num rows)" "rows of the ingest"
}

# The version of a dataset, "none" when it does not exist (404), or "HTTP
# STATUS" when the name is refused.
dataset_version() { # NAME -> DATASET_VERSION
  URL=$INGEST_URL http GET "/v1/datasets/$1"
  if [[ "$HTTP_STATUS" == 404 ]]; then
    assert_error 404 not_found "GET /v1/datasets/$1 of a missing dataset"
    DATASET_VERSION=none
  elif [[ "$HTTP_STATUS" == 4* ]]; then
    assert_error "$HTTP_STATUS" "*" "GET /v1/datasets/$1"
    DATASET_VERSION="HTTP $HTTP_STATUS"
  else
    assert_status 200 "GET /v1/datasets/$1"
    DATASET_VERSION=$(json_num version)
  fi
}

# "KEY SIZE MTIME" of every object under PREFIX, read from the local store's
# directory: data/ and _catalog/ are the system's own key spaces, which the
# object API refuses to list. Each key segment but the last is a directory
# "<segment>%2F"; names starting with '.' are temp files.
store_keys() { # PREFIX
  local dir=${1//\//%2F/}
  [[ -d "$STORE_ROOT/$dir" ]] || return 0
  (cd "$STORE_ROOT" && find "$dir" -type f ! -name '.*' -printf '%p %s %T@\n') |
    sed 's#%2F/#/#g' | sort
}

# Every object under data/ and _catalog/ as storage holds them, into SNAPSHOT.
store_snapshot() {
  SNAPSHOT="$(store_keys data/)"$'\n'"$(store_keys _catalog/)"
}

assert_spool_empty() { # message
  [[ -d "$CATALOG_SCRATCH" ]] || fail "$1: no ingest scratch directory $CATALOG_SCRATCH"
  local left
  # files/ is the cache of data files that row changes read (empty on a
  # local store, which is read in place), not spool.
  left=$(find "$CATALOG_SCRATCH" -mindepth 1 -not -path "$CATALOG_SCRATCH/files" \
    -not -path "$CATALOG_SCRATCH/files/*" | head -5)
  assert_eq "" "$left" "$1: files left in the ingest scratch directory"
}

# An ingest that must be refused with STATUS and CODE, a message containing
# NEEDLE, and leave the dataset's version, every object and the spool as they
# were.
refused_ingest() { # STATUS CODE NEEDLE NAME FILE QUERY
  local status=$1 code=$2 needle=$3 name=$4 file=$5 query=$6 before version_before what
  what="ingest $(basename "$file") ($query) into $name"
  store_snapshot
  before=$SNAPSHOT
  dataset_version "$name"
  version_before=$DATASET_VERSION
  ingest "$name" "$file" "$query"
  assert_error "$status" "$code" "$what"
  assert_contains "$(error_message)" "$needle" "$what: the message"
  dataset_version "$name"
  assert_eq "$version_before" "$DATASET_VERSION" "$what: the dataset's version after"
  store_snapshot
  assert_eq "$before" "$SNAPSHOT" "$what: objects under data/ and _catalog/ after"
  assert_spool_empty "$what"
}

# --- query ----------------------------------------------------------------------------

query() { # SQL [AS_OF-JSON [FORMAT]]
  local body
  body="{\"sql\":$(json_quote "$1")"
  [[ -n "${2:-}" ]] && body+=",\"as_of\":$2"
  [[ -n "${3:-}" ]] && body+=",\"format\":\"$3\""
  body+="}"
  URL=$QUERY_URL http POST /v1/query -H 'Content-Type: application/json' --data-binary "$body"
}

# The query must answer exactly ROWS (the JSON of "rows") having read exactly
# VERSIONS (the JSON of "versions").
expect_rows() { # SQL ROWS VERSIONS [AS_OF-JSON]
  local what="$1${4:+ as of $4}" rows versions
  query "$1" "${4:-}"
  assert_status 200 "$what"
  assert_not_contains "$HTTP_BODY" '"error":' "$what: error in the result's tail"
  rows=${HTTP_BODY#*\"rows\":}
  rows=${rows%,\"elapsed_ms\":*}
  versions=${HTTP_BODY#*\"versions\":}
  versions=${versions%%\}*}\}
  assert_eq "$2" "$rows" "$what: rows"
  assert_eq "$3" "$versions" "$what: versions read"
  assert_eq false "$(grep -o '"truncated":[a-z]*' <<<"$HTTP_BODY" | sed 's/.*://')" "$what: truncated"
}

expect_query_error() { # STATUS CODE SQL
  query "$3"
  assert_error "$1" "$2" "$3"
}

# The answers about candidates after its three versions, by hand from the CSVs.
check_history() {
  case_begin "$MODE: current and past versions answer exactly"
  expect_rows 'SELECT count(*) AS n FROM candidates' '[[2]]' '{"candidates":3}'
  expect_rows 'SELECT count(*) AS n FROM "candidates@1"' '[[5]]' '{"candidates":1}'
  expect_rows 'SELECT count(*) AS n FROM "candidates@2"' '[[8]]' '{"candidates":2}'
  expect_rows 'SELECT count(*) AS n FROM "candidates@3"' '[[2]]' '{"candidates":3}'
  expect_rows 'SELECT sum(rate) AS total FROM "candidates@1"' '[[200.75]]' '{"candidates":1}'
  expect_rows 'SELECT sum(rate) AS total FROM "candidates@2"' '[[229.75]]' '{"candidates":2}'
  expect_rows 'SELECT sum(rate) AS total FROM candidates' '[[100.5]]' '{"candidates":3}'
  expect_rows 'SELECT id, name, state, rate FROM candidates ORDER BY id' \
    '[[9,"Ivy","OR",100],[10,"Jo","CA",0.5]]' '{"candidates":3}'
  expect_rows 'SELECT state, count(*) AS n, sum(rate) AS total FROM "candidates@2" GROUP BY state ORDER BY state' \
    '[["CA",3,88.25],["NY",3,69],["TX",1,60],["WA",1,12.5]]' '{"candidates":2}'
  expect_rows 'SELECT state, count(*) AS n, sum(rate) AS total FROM "candidates@1" GROUP BY ALL ORDER BY ALL' \
    '[["CA",2,80.75],["NY",2,60],["TX",1,60]]' '{"candidates":1}'
  # Rows of v2 that v1 lacked: exactly the append.
  expect_rows 'SELECT name FROM "candidates@2" EXCEPT SELECT name FROM "candidates@1" ORDER BY name' \
    '[["Fay"],["Gus"],["Hal"]]' '{"candidates":2,"candidates@1":1}'

  case_begin "$MODE: as_of pins a version for the whole query"
  expect_rows 'SELECT count(*) AS n FROM candidates' '[[8]]' '{"candidates":2}' '{"candidates":2}'
  expect_rows 'SELECT count(*) AS n, sum(rate) AS total FROM candidates' '[[5,200.75]]' \
    '{"candidates":1}' '{"candidates":1}'
  # A self-join under a pin reads the pinned version on both sides.
  expect_rows 'SELECT count(*) AS n FROM candidates a JOIN candidates b USING (state)' \
    '[[20]]' '{"candidates":2}' '{"candidates":2}'
  query 'SELECT count(*) FROM candidates' '{"candidates":9}'
  assert_error 404 not_found "as_of a version that does not exist"
}

# --- processes -------------------------------------------------------------------------

DATA="$SMOKE_TMP/serve-data"
SPLIT="$SMOKE_TMP/split"
SERVE_PID="" STORAGED_PID="" CATALOGD_PID="" QUERYD_PID=""

start_serve() {
  start_server serve serve --data "$DATA" --listen 127.0.0.1:0
  SERVE_PID=$SERVER_PID # set by start_server (lib.sh)
  INGEST_URL=$SERVER_URL QUERY_URL=$SERVER_URL STORE_ROOT="$DATA/objects"
  CATALOG_SCRATCH="$DATA/scratch/ingest"
}

write_split_config() {
  mkdir -p "$SPLIT"
  cat >"$SPLIT/lakehouse.toml" <<EOF
# storaged, catalogd and queryd as three processes
[storaged]
listen = "127.0.0.1:${PORTS[0]}"
root = "objects"

[catalogd]
listen = "127.0.0.1:${PORTS[1]}"
storaged_url = "http://127.0.0.1:${PORTS[0]}"
scratch = "scratch/catalogd"

[queryd]
listen = "127.0.0.1:${PORTS[2]}"
catalogd_url = "http://127.0.0.1:${PORTS[1]}"
storaged_url = "http://127.0.0.1:${PORTS[0]}"
scratch = "scratch/queryd"
EOF
}

start_storaged_catalogd() {
  SERVER_CWD=$SMOKE_TMP start_server storaged storaged --config "$SPLIT/lakehouse.toml"
  STORAGED_PID=$SERVER_PID STORE_ROOT="$SPLIT/objects"
  assert_eq "http://127.0.0.1:${PORTS[0]}" "$SERVER_URL" "storaged's address"
  SERVER_CWD=$SMOKE_TMP start_server catalogd catalogd --config "$SPLIT/lakehouse.toml"
  CATALOGD_PID=$SERVER_PID INGEST_URL=$SERVER_URL
  assert_eq "http://127.0.0.1:${PORTS[1]}" "$INGEST_URL" "catalogd's address"
  CATALOG_SCRATCH="$SPLIT/scratch/catalogd"
}

start_queryd() {
  SERVER_CWD=$SMOKE_TMP start_server queryd queryd --config "$SPLIT/lakehouse.toml"
  QUERYD_PID=$SERVER_PID QUERY_URL=$SERVER_URL
  assert_eq "http://127.0.0.1:${PORTS[2]}" "$QUERY_URL" "queryd's address"
}

start_all() {
  if [[ $MODE == serve ]]; then
    start_serve
  else
    start_storaged_catalogd
    start_queryd
  fi
}

# SIGTERM to every process, clients of the others first; each must exit 0.
stop_all() {
  if [[ $MODE == serve ]]; then
    stop_server "$SERVE_PID"
  else
    stop_server "$QUERYD_PID"
    stop_server "$CATALOGD_PID"
    stop_server "$STORAGED_PID"
  fi
}

# --- the scenario ------------------------------------------------------------------------

# Ingest and catalog: needs only INGEST_URL (and STORE_ROOT to list objects).
scenario_catalog() {
  case_begin "$MODE: create, append, overwrite"
  dataset_version candidates
  assert_eq none "$DATASET_VERSION" "candidates before any ingest"
  expect_ingest candidates "$IN/candidates_jan.csv" format=csv 1 create 5 5
  expect_ingest candidates "$IN/candidates_feb.csv" "format=csv&mode=append" 2 append 3 8
  expect_ingest candidates "$IN/candidates_mar.csv" "format=csv&mode=overwrite" 3 overwrite 2 2
  assert_spool_empty "after three ingests"

  case_begin "$MODE: dataset listing and history"
  URL=$INGEST_URL http GET /v1/datasets
  assert_status 200 "GET /v1/datasets"
  local entry
  entry=$(grep -o '{[^{}]*"name":"candidates"[^{}]*}' <<<"$HTTP_BODY") || fail "candidates not listed: $(smoke_show "$HTTP_BODY")"
  assert_eq 3 "$(json_nums version <<<"$entry")" "listed version"
  assert_eq 2 "$(json_nums rows <<<"$entry")" "listed rows"

  URL=$INGEST_URL http GET /v1/datasets/candidates
  assert_status 200 "GET /v1/datasets/candidates"
  assert_eq 3 "$(json_num version)" "current version"
  assert_contains "$HTTP_BODY" '"schema":[{"name":"id","type":"BIGINT"},{"name":"name","type":"VARCHAR"},{"name":"state","type":"VARCHAR"},{"name":"rate","type":"DOUBLE"}]' "schema"

  URL=$INGEST_URL http GET /v1/datasets/candidates/versions
  assert_status 200 "GET /v1/datasets/candidates/versions"
  assert_eq $'create\nappend\noverwrite' "$(json_strs operation <<<"$HTTP_BODY")" "operations in order"
  assert_eq $'candidates_jan.csv\ncandidates_feb.csv\ncandidates_mar.csv' \
    "$(json_strs file_name <<<"$HTTP_BODY")" "source file names in order"
  assert_eq $'1\n2\n3' "$(json_nums version <<<"$HTTP_BODY")" "version numbers"
  assert_eq $'1\n2' "$(json_nums parent <<<"$HTTP_BODY")" "parents (v1 has none)"
  local jan_sha
  jan_sha=$(sha256_of "$IN/candidates_jan.csv")
  assert_eq "$jan_sha" "$(json_str sha256 <<<"$HTTP_BODY")" "sha256 of v1's source"

  URL=$INGEST_URL http GET /v1/datasets/candidates/versions/2
  assert_status 200 "GET version 2"
  assert_eq append "$(json_str operation <<<"$HTTP_BODY")" "operation of version 2"
  URL=$INGEST_URL http GET /v1/datasets/candidates/versions/7
  assert_error 404 not_found "a version that does not exist"

  # Every version's manifest and data file is in storage.
  store_snapshot
  local n_manifests n_files
  n_manifests=$(grep -c '^_catalog/candidates/v/[0-9]\{10\}\.json ' <<<"$SNAPSHOT") || true
  n_files=$(grep -c '^data/candidates/[^ ]*\.parquet ' <<<"$SNAPSHOT") || true
  assert_eq 3 "$n_manifests" "manifests in storage"
  assert_eq 3 "$n_files" "data files in storage"

  case_begin "$MODE: command line ingest and datasets"
  local out rc=0
  out=$("$LH_BIN" ingest "$IN/job_orders.csv" --dataset job_orders --url "$INGEST_URL" 2>&1) || rc=$?
  assert_eq 0 "$rc" "lakehouse ingest exit code (output: $out)"
  assert_eq "job_orders: version 1 (create, +3 rows, 3 in all)" "$out" "lakehouse ingest output"
  out=$("$LH_BIN" datasets --url "$INGEST_URL" 2>&1) || fail "lakehouse datasets failed: $out"
  grep -Eq '^candidates +3 +2 ' <<<"$out" || fail "lakehouse datasets does not list candidates at 3: $(smoke_show "$out")"
  grep -Eq '^job_orders +1 +3 ' <<<"$out" || fail "lakehouse datasets does not list job_orders at 1: $(smoke_show "$out")"
  out=$("$LH_BIN" datasets candidates --url "$INGEST_URL" 2>&1) || fail "lakehouse datasets candidates failed: $out"
  assert_contains "$out" "candidates @ version 3: 2 rows" "lakehouse datasets candidates"
  grep -Eq '^ +2 +append +8 .*candidates_feb\.csv$' <<<"$out" || fail "version 2 line missing: $(smoke_show "$out")"
  rc=0
  out=$("$LH_BIN" ingest "$IN/ragged.csv" --dataset candidates --url "$INGEST_URL" 2>&1) || rc=$?
  assert_ne 0 "$rc" "lakehouse ingest of a ragged CSV exit code"
  assert_contains "$out" "line 3" "lakehouse ingest of a ragged CSV prints the server's message"

  case_begin "$MODE: failed ingests leave nothing behind"
  refused_ingest 400 invalid_argument "line 3" candidates "$IN/ragged.csv" "format=csv&mode=append"
  refused_ingest 400 invalid_argument "line 3" candidates "$IN/ragged.csv" "format=csv&mode=overwrite"
  refused_ingest 400 invalid_argument "empty" candidates "$IN/empty.csv" "format=csv"
  refused_ingest 400 invalid_argument "is not UTF-8" candidates "$IN/latin1.csv" "format=csv"
  refused_ingest 400 invalid_argument "line 3, byte 5 (0xFF)" candidates "$IN/latin1.csv" "format=csv&mode=overwrite"
  refused_ingest 400 invalid_argument "is not UTF-8" candidates "$IN/ff.csv" "format=csv&mode=overwrite"
  refused_ingest 400 invalid_argument "sixty" candidates "$IN/sixty.csv" "format=csv"
  refused_ingest 422 unprocessable "fullname" candidates "$IN/renamed.csv" "format=csv"
  refused_ingest 422 unprocessable "columns" candidates "$IN/narrow.csv" "format=csv"
  refused_ingest 400 invalid_argument "Malformed JSON" candidates "$IN/cut.json" "format=json"
  refused_ingest 400 invalid_argument "JSON" candidates "$IN/unclosed.json" "format=json"
  refused_ingest 400 invalid_argument "format" candidates "$IN/candidates_mar.csv" "format=xml"
  refused_ingest 400 invalid_argument "mode" candidates "$IN/candidates_mar.csv" "format=csv&mode=replace"
  # A failed first ingest does not create the dataset.
  refused_ingest 400 invalid_argument "line 3" fresh "$IN/ragged.csv" "format=csv"
  refused_ingest 400 invalid_argument "Malformed JSON" fresh "$IN/cut.json" "format=json"
  refused_ingest 400 invalid_argument "dataset name" Bad-Name "$IN/candidates_mar.csv" "format=csv"
  URL=$INGEST_URL http GET /v1/datasets
  assert_not_contains "$HTTP_BODY" '"fresh"' "a failed first ingest is listed"
}

scenario_query() {
  check_history

  case_begin "$MODE: command line sql"
  local out rc=0 expected
  out=$("$LH_BIN" sql 'SELECT state, count(*) AS n, sum(rate) AS total FROM "candidates@2" GROUP BY state ORDER BY state' \
    --url "$QUERY_URL" --format csv 2>"$SMOKE_TMP/sql.err"; echo .) || rc=$?
  assert_eq 0 "$rc" "lakehouse sql exit code ($(cat "$SMOKE_TMP/sql.err"))"
  # CSV results are RFC 4180: CRLF line ends.
  expected=$'state,n,total\r\nCA,3,88.25\r\nNY,3,69\r\nTX,1,60\r\nWA,1,12.5\r\n.'
  assert_eq "$expected" "$out" "lakehouse sql --format csv output"
  out=$("$LH_BIN" sql 'SELECT count(*) AS n, sum(rate) AS total FROM candidates' --as-of candidates=1 \
    --url "$QUERY_URL" --format csv 2>&1; echo .) || fail "lakehouse sql --as-of failed: $out"
  assert_eq $'n,total\r\n5,200.75\r\n.' "$out" "lakehouse sql --as-of output"
  rc=0
  out=$("$LH_BIN" sql 'SELECT * FROM nosuch' --url "$QUERY_URL" --format csv 2>&1) || rc=$?
  assert_ne 0 "$rc" "lakehouse sql of an unknown dataset exit code"
  assert_contains "$out" nosuch "lakehouse sql of an unknown dataset prints the server's message"

  case_begin "$MODE: CSV results name their versions in a header"
  query 'SELECT id, name FROM "candidates@1" WHERE rate > 35 ORDER BY id' "" csv
  assert_status 200 "CSV query"
  assert_eq $'id,name\r\n1,Ada\r\n2,Bob\r\n4,Di\r' "$HTTP_BODY" "CSV body"
  assert_eq "candidates=1" "$(header_value X-Lakehouse-Versions)" "X-Lakehouse-Versions"

  case_begin "$MODE: the fence refuses with 403"
  local sql copied="$SMOKE_TMP/copied_by_query.csv"
  for sql in \
    "SELECT * FROM read_csv('/etc/passwd')" \
    "SELECT * FROM read_text('/etc/hostname')" \
    "SELECT * FROM glob('/*')" \
    "COPY (SELECT 1) TO '$copied'" \
    "COPY candidates TO '$copied'" \
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '$copied'" \
    'CREATE TABLE t AS SELECT 1' \
    'CREATE TABLE candidates AS SELECT 42 AS id' \
    'EXPLAIN ANALYZE CREATE TABLE candidates AS SELECT 42 AS id' \
    'EXPLAIN ANALYZE CREATE MACRO evil(x) AS x + 1' \
    'EXPLAIN (ANALYZE) CREATE TABLE t AS SELECT 1' \
    'EXPLAIN /* comment */ ANALYSE DROP TABLE IF EXISTS candidates' \
    "ATTACH '$SMOKE_TMP/attached.db' AS other" \
    'INSTALL httpfs' \
    'LOAD httpfs' \
    'SET threads = 1' \
    'SET enable_external_access = true' \
    'RESET lock_configuration' \
    'PRAGMA enable_profiling' \
    'CALL pragma_version()'; do
    expect_query_error 403 forbidden "$sql"
  done
  [[ ! -e "$copied" ]] || fail "COPY wrote $copied"
  [[ ! -e "$SMOKE_TMP/attached.db" ]] || fail "ATTACH created a database file"
  # Nothing the refused statements tried is visible afterwards.
  expect_rows 'SELECT count(*) AS n FROM candidates' '[[2]]' '{"candidates":3}'
  expect_query_error 404 not_found 'SELECT * FROM t'
  # A function the fence does not know is refused before DuckDB binds it:
  # whatever the refused EXPLAIN ANALYZE tried, the name cannot be called.
  query 'SELECT evil(1)'
  assert_error 403 forbidden "a macro created through EXPLAIN ANALYZE"
  # Still allowed: plain EXPLAIN, and EXPLAIN ANALYZE of a SELECT.
  query 'EXPLAIN SELECT count(*) FROM candidates'
  assert_status 200 "EXPLAIN of a SELECT"
  query 'EXPLAIN ANALYZE SELECT count(*) FROM candidates'
  assert_status 200 "EXPLAIN ANALYZE of a SELECT"

  case_begin "$MODE: unknown datasets and versions are 404"
  expect_query_error 404 not_found 'SELECT * FROM nosuch'
  expect_query_error 404 not_found 'SELECT * FROM "candidates@99"'
  expect_query_error 404 not_found 'SELECT * FROM "nosuch@1"'
  expect_query_error 400 invalid_argument 'SELECT 1; SELECT 2'
}

# Everything a restart must keep, as text: metadata and exact answers.
capture_state() {
  STATE=""
  local path
  for path in /v1/datasets /v1/datasets/candidates /v1/datasets/candidates/versions \
    /v1/datasets/job_orders/versions; do
    URL=$INGEST_URL http GET "$path"
    assert_status 200 "GET $path"
    STATE+="$HTTP_BODY"$'\n'
  done
  store_snapshot
  STATE+=$SNAPSHOT
}

scenario_restart() {
  case_begin "$MODE: SIGTERM stops every process with exit 0; a restart keeps everything"
  capture_state
  local before=$STATE
  stop_all
  start_all
  capture_state
  assert_eq "$before" "$STATE" "datasets, versions and objects after the restart"
  check_history
  expect_rows 'SELECT title FROM job_orders ORDER BY id' '[["Nurse"],["Welder"],["Clerk"]]' '{"job_orders":1}'
}

scenario_delete() {
  case_begin "$MODE: delete keeps past versions until vacuum"
  URL=$INGEST_URL http DELETE /v1/datasets/candidates
  assert_status 204 "DELETE /v1/datasets/candidates"
  dataset_version candidates
  assert_eq none "$DATASET_VERSION" "candidates after delete"
  URL=$INGEST_URL http GET /v1/datasets
  assert_not_contains "$HTTP_BODY" '"name":"candidates"' "a deleted dataset is listed"
  URL=$INGEST_URL http GET /v1/datasets/candidates/versions
  assert_eq $'create\nappend\noverwrite\ndelete' "$(json_strs operation <<<"$HTTP_BODY")" "operations after delete"
  expect_query_error 404 not_found 'SELECT count(*) FROM candidates'
  expect_rows 'SELECT count(*) AS n FROM "candidates@2"' '[[8]]' '{"candidates":2}'
  expect_rows 'SELECT count(*) AS n FROM candidates' '[[5]]' '{"candidates":1}' '{"candidates":1}'

  local out rc=0
  out=$("$LH_BIN" vacuum candidates --keep 1 --url "$INGEST_URL" 2>&1) || rc=$?
  assert_eq 0 "$rc" "lakehouse vacuum exit code (output: $out)"
  assert_eq "candidates: removed 3 versions and 3 data files" "$out" "lakehouse vacuum output"
  expect_query_error 404 not_found 'SELECT count(*) FROM "candidates@2"'
  expect_query_error 404 not_found 'SELECT count(*) FROM "candidates@1"'
  assert_eq "" "$(store_keys data/candidates/)" "data files of candidates after vacuum"
  assert_eq _catalog/candidates/v/0000000004.json "$(store_keys _catalog/candidates/ | cut -d' ' -f1)" \
    "manifests after vacuum"
  # Other datasets are untouched.
  expect_rows 'SELECT count(*) AS n FROM job_orders' '[[3]]' '{"job_orders":1}'

  case_begin "$MODE: an ingest after delete starts the dataset again"
  expect_ingest candidates "$IN/candidates_jan.csv" format=csv 5 create 5 5
  expect_rows 'SELECT count(*) AS n, sum(rate) AS total FROM candidates' '[[5,200.75]]' '{"candidates":5}'
}

scenario_concurrent_appends() {
  case_begin "$MODE: concurrent appends all land as consecutive versions"
  local i pids=() status
  for i in 1 2 3 4; do
    printf 'id,what\n%d,event%d\n' "$i" "$i" >"$IN/event$i.csv"
  done
  for i in 1 2 3 4; do
    curl -sS --max-time "$SMOKE_CURL_TIMEOUT" -o "$SMOKE_TMP/append$i.body" -w '%{http_code}' \
      -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$IN/event$i.csv" \
      "$INGEST_URL/v1/datasets/events/ingest?format=csv&mode=append&file_name=event$i.csv" \
      >"$SMOKE_TMP/append$i.status" &
    pids+=($!)
    smoke_track_pid "$!"
  done
  for i in 1 2 3 4; do
    wait "${pids[i - 1]}" || fail "concurrent append $i: curl failed"
  done
  local got_versions=()
  for i in 1 2 3 4; do
    status=$(cat "$SMOKE_TMP/append$i.status")
    HTTP_BODY=$(cat "$SMOKE_TMP/append$i.body")
    assert_eq 201 "$status" "concurrent append $i status (body $(smoke_show "$HTTP_BODY"))"
    assert_eq 1 "$(json_num rows_added)" "concurrent append $i rows_added"
    got_versions+=("$(json_num version)")
  done
  assert_eq $'1\n2\n3\n4' "$(printf '%s\n' "${got_versions[@]}" | sort -n)" "versions answered to the appends"
  URL=$INGEST_URL http GET /v1/datasets/events/versions
  assert_eq $'1\n2\n3\n4' "$(json_nums version <<<"$HTTP_BODY")" "version numbers"
  assert_eq $'1\n2\n3' "$(json_nums parent <<<"$HTTP_BODY")" "parents"
  assert_eq $'create\nappend\nappend\nappend' "$(json_strs operation <<<"$HTTP_BODY")" "operations"
  assert_eq $'event1.csv\nevent2.csv\nevent3.csv\nevent4.csv' \
    "$(json_strs file_name <<<"$HTTP_BODY" | sort)" "each append's source recorded once"
  expect_rows 'SELECT count(*) AS n, CAST(sum(id) AS BIGINT) AS ids, count(DISTINCT what) AS whats FROM events' \
    '[[4,10,4]]' '{"events":4}'
  for i in 1 2 3 4; do
    expect_rows "SELECT count(*) AS n FROM \"events@$i\"" "[[$i]]" "{\"events\":$i}"
  done
  assert_spool_empty "after concurrent appends"
}

# Upsert, delete and compact through catalogd; queryd (in split mode its own
# process, reading deletion vectors through storaged) answers the changes.
scenario_row_changes() {
  case_begin "$MODE: upsert, delete and compact"
  printf 'id,what\n2,changed\n9,added\n' >"$IN/events_up.csv"
  ingest events "$IN/events_up.csv" "format=csv&mode=upsert&key=id"
  assert_status 201 "upsert into events"
  assert_eq 1 "$(json_num rows_updated)" "rows_updated"
  assert_eq 1 "$(json_num rows_inserted)" "rows_inserted"
  URL=$INGEST_URL http POST /v1/datasets/events/delete -H 'Content-Type: application/json' \
    --data-binary '{"where": "id = 3"}'
  assert_status 201 "delete from events"
  expect_rows 'SELECT CAST(sum(id) AS BIGINT) AS ids, count(*) AS n FROM events WHERE what <> '"'"'changed'"'"'' \
    '[[14,3]]' '{"events":6}'
  expect_rows 'SELECT what FROM events WHERE id = 2' '[["changed"]]' '{"events":6}'
  expect_rows 'SELECT count(*) AS n FROM "events@4"' '[[4]]' '{"events":4}'
  URL=$INGEST_URL http POST /v1/datasets/events/compact
  assert_status 201 "compact events"
  expect_rows 'SELECT count(*) AS n FROM events' '[[4]]' '{"events":7}'
  assert_spool_empty "after row changes"
}

run_scenario() {
  scenario_catalog
  if [[ $MODE == split ]]; then
    case_begin "split: catalogd serves no queries; queryd starts on the catalog"
    URL=$INGEST_URL http POST /v1/query -H 'Content-Type: application/json' --data-binary '{"sql":"SELECT 1"}'
    assert_error 404 '*' "POST /v1/query to catalogd"
    start_queryd
    URL=$QUERY_URL http POST /v1/datasets/x/ingest?format=csv --data-binary "@$IN/candidates_jan.csv"
    assert_error 404 '*' "ingest through queryd"
  fi
  scenario_query
  scenario_restart
  scenario_delete
  scenario_concurrent_appends
  scenario_row_changes
  case_begin "$MODE: stop"
  stop_all
}

# ------------------------------------------------------------------------------------------
MODE="serve"
case_begin "serve: start"
start_serve
run_scenario

MODE="split"
case_begin "split: start storaged and catalogd"
pick_ports
write_split_config
start_storaged_catalogd
run_scenario
[[ -d "$SPLIT/objects/data%2F/candidates%2F" ]] || fail "storaged's root is not where the config says"

echo "PASS [$SMOKE_NAME]"
