#!/usr/bin/env bash
# Tags and restore end to end, against `lakehouse serve`:
#   - ingest v1 (3 rows), append v2 (5 rows), overwrite v3 (2 rows); tag v1
#     as "baseline" over the API and another tag from the command line;
#   - "people@baseline" over POST /v1/query reads v1's rows and names
#     version 1 as the one it read, whatever came after;
#   - vacuum --keep 1 removes v2 but keeps the tagged v1 and its data file,
#     which still answers;
#   - restore to the tag makes a new version with operation "restore" and
#     v1's rows, the current one from then on; the command line restores by
#     version;
#   - a bad tag name is 400, an unknown tag 404, over the API and in SQL; the
#     command line exits non-zero with the server's message.
#
#   tests/smoke/tags_restore_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

IN="$SMOKE_TMP/in"
mkdir -p "$IN"
printf '%s\n' id,name 1,Ada 2,Bob 3,Cy >"$IN/v1.csv"
printf '%s\n' id,name 4,Di 5,Ed >"$IN/v2.csv"
printf '%s\n' id,name 6,Fay 7,Gus >"$IN/v3.csv"

ingest() { # FILE MODE VERSION ROWS
  http POST "/v1/datasets/people/ingest?format=csv&mode=$2&file_name=$(basename "$1")" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$1"
  assert_status 201 "ingest $(basename "$1")"
  assert_eq "$3" "$(json_num version)" "version of $(basename "$1")"
  assert_eq "$4" "$(json_num rows)" "rows after $(basename "$1")"
}

# The query must answer exactly ROWS having read exactly VERSIONS (JSON).
expect_rows() { # SQL ROWS VERSIONS
  http POST /v1/query -H 'Content-Type: application/json' --data-binary "{\"sql\":$(json_quote "$1")}"
  assert_status 200 "$1"
  assert_contains "$HTTP_BODY" "\"rows\":$2," "$1: rows"
  assert_contains "$HTTP_BODY" "\"versions\":$3" "$1: versions read"
}

expect_query_error() { # STATUS CODE SQL
  http POST /v1/query -H 'Content-Type: application/json' --data-binary "{\"sql\":$(json_quote "$3")}"
  assert_error "$1" "$2" "$3"
}

put_tag() { # TAG BODY
  http PUT "/v1/datasets/people/tags/$1" -H 'Content-Type: application/json' --data-binary "$2"
}

restore() { # BODY
  http POST /v1/datasets/people/restore -H 'Content-Type: application/json' --data-binary "$1"
}

case_begin "start serve"
start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0

case_begin "three versions"
ingest "$IN/v1.csv" append 1 3
ingest "$IN/v2.csv" append 2 5
ingest "$IN/v3.csv" overwrite 3 2

case_begin "tag version 1"
put_tag baseline '{"version": 1}'
assert_status 200 "PUT tags/baseline"
assert_eq '{"dataset":"people","tag":"baseline","version":1}' "$HTTP_BODY" "PUT tags/baseline answer"
out=$("$LH_BIN" tag people start --version 1 2>&1) || fail "lakehouse tag failed: $out"
assert_eq "people: tag start -> version 1" "$out" "lakehouse tag output"
http GET /v1/datasets/people/tags
assert_status 200 "GET tags"
assert_eq $'baseline\nstart' "$(json_strs tag <<<"$HTTP_BODY")" "tags listed by name"
out=$("$LH_BIN" tags people 2>&1) || fail "lakehouse tags failed: $out"
grep -Eq '^baseline +1 ' <<<"$out" || fail "lakehouse tags does not list baseline at 1: $(smoke_show "$out")"
out=$("$LH_BIN" untag people start 2>&1) || fail "lakehouse untag failed: $out"
assert_eq "people: removed tag start" "$out" "lakehouse untag output"
http GET /v1/datasets/people/tags
assert_eq baseline "$(json_strs tag <<<"$HTTP_BODY")" "tags after untag"
# Tags are no datasets and no versions.
http GET /v1/datasets
assert_eq people "$(json_strs name <<<"$HTTP_BODY")" "datasets listed"
http GET /v1/datasets/people/versions
assert_eq $'1\n2\n3' "$(json_nums version <<<"$HTTP_BODY")" "versions listed"

case_begin "query the tag"
expect_rows 'SELECT count(*) AS n FROM "people@baseline"' '[[3]]' '{"people":1}'
expect_rows 'SELECT count(*) AS n FROM people' '[[2]]' '{"people":3}'

case_begin "vacuum keeps the tagged version"
out=$("$LH_BIN" vacuum people --keep 1 2>&1) || fail "lakehouse vacuum failed: $out"
assert_eq "people: removed 1 version and 1 data file; kept tagged version 1" "$out" \
  "lakehouse vacuum output"
expect_rows 'SELECT count(*) AS n, min(name) AS first FROM "people@baseline"' '[[3,"Ada"]]' \
  '{"people":1}'
expect_query_error 404 not_found 'SELECT count(*) FROM "people@2"'
http GET /v1/datasets/people/versions/1
assert_status 200 "the tagged version after vacuum"

case_begin "restore to the tag"
restore '{"tag": "baseline"}'
assert_status 200 "restore to baseline"
assert_eq 4 "$(json_num version)" "version of the restore"
assert_eq restore "$(json_str operation <<<"$HTTP_BODY")" "operation of the restore"
assert_eq 1 "$(json_num restored_from)" "restored_from"
assert_eq 3 "$(json_num rows)" "rows of the restore"
assert_eq 3 "$(json_num inserted)" "counted as inserted"
assert_eq 2 "$(json_num deleted)" "counted as deleted"
expect_rows 'SELECT count(*) AS n FROM people' '[[3]]' '{"people":4}'
http GET /v1/datasets/people/versions/4
assert_eq restore "$(json_str operation <<<"$HTTP_BODY")" "version 4 in the history"
out=$("$LH_BIN" restore people --version 3 2>&1) || fail "lakehouse restore failed: $out"
assert_eq "people: version 5 (restore of version 3, 2 rows)" "$out" "lakehouse restore output"
expect_rows 'SELECT count(*) AS n FROM people' '[[2]]' '{"people":5}'

case_begin "bad and unknown tags"
put_tag Bad_Tag '{"version": 1}'
assert_error 400 invalid_argument "a tag name with capitals"
assert_contains "$HTTP_BODY" '[a-z][a-z0-9_.-]{0,62}' "the rule in the message"
put_tag fine '{"version": "1"}'
assert_error 400 invalid_argument "a version that is a string"
assert_contains "$HTTP_BODY" '\"version\"' "the field in the message"
put_tag fine '{"version": 2}'
assert_error 404 not_found "a vacuumed version"
restore '{"tag": "nope"}'
assert_error 404 not_found "restore to an unknown tag"
restore '{"version": 1, "tag": "baseline"}'
assert_error 400 invalid_argument "restore to a version and a tag"
expect_query_error 404 not_found 'SELECT * FROM "people@nope"'
rc=0
out=$("$LH_BIN" tag people Bad --version 1 2>&1) || rc=$?
assert_ne 0 "$rc" "lakehouse tag of a bad name exit code"
assert_contains "$out" "must match" "lakehouse tag of a bad name prints the server's message"
rc=0
out=$("$LH_BIN" restore people --tag nope 2>&1) || rc=$?
assert_ne 0 "$rc" "lakehouse restore to an unknown tag exit code"
assert_contains "$out" "nope" "lakehouse restore to an unknown tag prints the server's message"
rc=0
out=$("$LH_BIN" restore people 2>&1) || rc=$?
assert_eq 2 "$rc" "lakehouse restore without --version or --tag exit code"

case_begin "stop"
stop_server "$SERVER_PID"

echo "PASS [$SMOKE_NAME]"
