#!/usr/bin/env bash
# Iceberg readers nobody here wrote read every snapshot Lakehouse publishes,
# against a real `serve` whose [iceberg] location is a loopback file server
# over the store's root (iceberg_file_server.mjs):
#   - a history built over the HTTP API: a CSV create, an append, an
#     overwrite, an append with schema=evolve (a new column), an upsert by
#     key (deletion vectors: Iceberg position deletes), a row delete, a tag,
#     a restore to a version before the new column and one to a version with
#     deletion vectors, the dataset deleted (a tombstone version, which has
#     no snapshot to read) and created again with fewer columns and a new
#     one; ints, doubles, strings, a date, a timestamp, a boolean and NULLs;
#   - icebird (iceberg_read_snapshots.mjs) reads each version N from
#     v<N>.metadata.json, the latest from version-hint.text and from the REST
#     catalog's load-table answer, and must return exactly the rows of
#     SELECT * FROM "name@N"; every object any metadata names answers 200
#     with its stated size, every position delete names (by the spec's
#     field ids) a live data file of its snapshot, a row in it, and a data
#     sequence number it applies to, and the name mapping covers data files
#     without Parquet field ids;
#   - Debian's python3-avro checks every manifest and manifest list against
#     the spec (tests/iceberg/check_manifests.py);
#   - after a vacuum: the removed versions' metadata JSON is gone (404), the
#     kept versions (the tagged one included) still read identically, no
#     metadata names a missing object, and every column keeps its field id.
# Needs node and scripts/iceberg-readers installed (scripts/bootstrap.sh),
# and /usr/bin/python3 with python3-avro.
#
#   tests/smoke/iceberg_readers_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

HERE=$(cd "$(dirname "$0")" && pwd)
DEPS=${LAKEHOUSE_DEPS_DIR:-${LAKEHOUSE_CACHE:-$HOME/.cache/lakehouse}/deps}
READERS=${ICEBERG_READERS_DIR:-$DEPS/iceberg-readers}
command -v node >/dev/null || fail "node is not installed: run scripts/bootstrap.sh"
[[ -f "$READERS/node_modules/icebird/package.json" ]] ||
  fail "icebird is not installed in $READERS: run scripts/bootstrap.sh"
PYTHON=/usr/bin/python3
if ! { [[ -x $PYTHON ]] && "$PYTHON" -c 'import avro' 2>/dev/null; }; then
  fail "/usr/bin/python3 with avro is needed (python3-avro): run scripts/bootstrap.sh"
fi

DATASET=staff
DATA=$SMOKE_TMP/data
ROOT=$DATA/objects # the local store's root under --data (cli/service_commands.cpp)
IN=$SMOKE_TMP/in
mkdir -p "$IN"

pick_ports 1
FILES_PORT=${PORTS[0]}
FILES_URL="http://127.0.0.1:$FILES_PORT"

case_begin "start the file server and serve"
mkdir -p "$ROOT"
node "$HERE/iceberg_file_server.mjs" "$ROOT" "$FILES_PORT" >"$SMOKE_TMP/files.log" 2>&1 &
smoke_track_pid $!
deadline=$((SECONDS + SMOKE_START_TIMEOUT))
until grep -q '^listening on' "$SMOKE_TMP/files.log" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "the file server did not start: $(smoke_show "$(cat "$SMOKE_TMP/files.log")")"
  sleep 0.05
done
cat >"$SMOKE_TMP/lakehouse.toml" <<TOML
[iceberg]
location = "$FILES_URL"
TOML
start_server serve serve --config "$SMOKE_TMP/lakehouse.toml" --data "$DATA" --listen 127.0.0.1:0

# --- the history -------------------------------------------------------------------

ingest() { # FILE QUERY VERSION
  http POST "/v1/datasets/$DATASET/ingest?format=csv&file_name=$(basename "$1")&$2" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$1"
  assert_status 201 "ingest $(basename "$1") ($2)"
  assert_eq "$3" "$(json_num version)" "version of $(basename "$1")"
}

post_json() { # ROUTE BODY
  http POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}

# Every column type once, NULLs in each nullable column, values distinct
# across versions so a row read from the wrong file shows. Column names are
# Avro-compatible ([A-Za-z_][A-Za-z0-9_]*): icebird 0.3.1 looks a Parquet
# column up by the sanitised field name (src/read.js, sanitize), so it
# reads a column named "home city" or "2nd" as NULL from any file that keeps
# the real name, as DuckDB's do.
cat >"$IN/v1.csv" <<'CSV'
id,name,score,joined,seen_at,active
1,Ada,91.5,2021-03-04,2024-01-02 03:04:05,true
2,Bob,0.1,2020-02-29,2024-01-02 13:14:15.250,false
3,,-7.25,,2023-12-31 23:59:59,true
4,Dee,,2019-07-01,,
5,Eve,1234567.875,1999-12-31,2000-01-01 00:00:00,false
CSV
cat >"$IN/v2.csv" <<'CSV'
id,name,score,joined,seen_at,active
6,Fay,3.0,2022-06-15,2024-06-15 12:00:00,true
7,Gus,,2022-06-16,2024-06-16 12:30:00,
8,Hal,2.5,2022-06-17,,false
CSV
cat >"$IN/v3.csv" <<'CSV'
id,name,score,joined,seen_at,active
10,Ivy,10.5,2023-01-01,2025-01-01 01:01:01,true
11,Jon,11.5,2023-01-02,2025-01-02 02:02:02,false
12,Kim,,2023-01-03,2025-01-03 03:03:03,true
13,,13.25,2023-01-04,,false
14,Lou,-14.5,,2025-01-05 05:05:05,
15,Max,15.125,2023-01-06,2025-01-06 06:06:06,true
CSV
# A new column, level; the earlier files read it as NULL.
cat >"$IN/v4.csv" <<'CSV'
id,name,score,joined,seen_at,active,level
16,Ned,16.5,2024-02-01,2025-02-01 16:16:16,true,3
17,Oda,,2024-02-02,2025-02-02 17:17:17,false,
18,Pam,18.75,2024-02-03,,true,-2
CSV
# Updates rows of two files (11 from the overwrite, 16 from the evolved
# append) and inserts one: deletion vectors on both files.
cat >"$IN/v5.csv" <<'CSV'
id,name,score,joined,seen_at,active,level
11,Jon Updated,111.5,2023-11-02,2025-11-02 02:02:02,true,7
16,Ned Updated,,2024-12-01,2025-12-01 16:16:16,false,
19,Quin,19.5,2024-02-04,2025-02-04 19:19:19,false,9
CSV
# After the deletion: the same names keep their types (a field id keeps its
# type for the table's life), one column is new.
cat >"$IN/v10.csv" <<'CSV'
id,name,score,note
20,Rae,20.5,first again
21,,-21.0,
22,Sol,,last
CSV

case_begin "history: create, append, overwrite, evolve, upsert, delete rows"
ingest "$IN/v1.csv" "mode=append" 1
ingest "$IN/v2.csv" "mode=append" 2
ingest "$IN/v3.csv" "mode=overwrite" 3
ingest "$IN/v4.csv" "mode=append&schema=evolve" 4
ingest "$IN/v5.csv" "mode=upsert&key=id" 5
assert_eq 2 "$(json_num rows_updated)" "rows updated by the upsert"
assert_eq 1 "$(json_num rows_inserted)" "rows inserted by the upsert"
post_json "/v1/datasets/$DATASET/delete" '{"where": "id = 12 OR id = 17 OR score < 0"}'
assert_status 201 "delete rows"
assert_eq 6 "$(json_num version)" "version of the row delete"
assert_eq 3 "$(json_num rows_deleted)" "rows deleted (12, 14, 17)"

case_begin "history: a tag and two restores"
http PUT "/v1/datasets/$DATASET/tags/overwritten" -H 'Content-Type: application/json' \
  --data-binary '{"version": 3}'
assert_status 200 "tag version 3"
# Back to version 2: its files and its schema, without the evolved column.
post_json "/v1/datasets/$DATASET/restore" '{"version": 2}'
assert_status 200 "restore version 2"
assert_eq 7 "$(json_num version)" "version of the restore"
# Back to the upsert: its files come back with their deletion vectors.
post_json "/v1/datasets/$DATASET/restore" '{"version": 5}'
assert_status 200 "restore version 5"
assert_eq 8 "$(json_num version)" "version of the second restore"

case_begin "history: the dataset deleted and created again"
http DELETE "/v1/datasets/$DATASET"
assert_status 204 "delete the dataset"
ingest "$IN/v10.csv" "mode=append" 10

# Every .avro object of the table, as files of the local store.
table_avro_files() {
  find "$ROOT/_iceberg%2F/$DATASET%2F" -type f -name '*.avro' | sort
}

# Runs the readers; READ_OUT holds their output. Extra arguments go to the
# .mjs. Then every object of the table on disk must be one the metadata
# names (or the publisher's own field-ids.json, the ids it has given): the
# publisher sweeps what nothing names any more.
read_snapshots() {
  READ_OUT=$SMOKE_TMP/read.out
  local rc=0 named=$SMOKE_TMP/named.txt
  timeout 300 node "$HERE/iceberg_read_snapshots.mjs" --modules "$READERS" --url "$SERVER_URL" \
    --files "$FILES_URL" --dataset "$DATASET" --named "$named" --ids "$SMOKE_TMP/ids.json" "$@" >"$READ_OUT" 2>&1 || rc=$?
  sed 's/^/    /' "$READ_OUT"
  [[ $rc -eq 0 ]] || fail "iceberg_read_snapshots.mjs exited $rc: $(grep -A40 '^FAIL' "$READ_OUT" || tail -20 "$READ_OUT")"
  local on_disk unnamed
  on_disk=$(cd "$ROOT" && find "_iceberg%2F/$DATASET%2F" -type f | sed 's/%2F\//\//g' | sort)
  unnamed=$(comm -23 <(printf '%s\n' "$on_disk" | grep -vx "_iceberg/$DATASET/field-ids.json") \
    <(sed "s|^$FILES_URL/||" "$named" | sort))
  [[ -z "$unnamed" ]] || fail "objects of the table that no kept metadata names: $unnamed"
}

check_manifests() {
  local files
  mapfile -t files < <(table_avro_files)
  ((${#files[@]} > 0)) || fail "no .avro files under _iceberg/$DATASET/"
  local out rc=0
  out=$("$PYTHON" "$HERE/../iceberg/check_manifests.py" "${files[@]}" 2>&1) || rc=$?
  [[ $rc -eq 0 ]] || fail "check_manifests.py exited $rc: $out"
  echo "    check_manifests.py: ${#files[@]} files pass"
}

case_begin "icebird reads versions 1 to 10 as SQL does (9 is a tombstone)"
http GET "/v1/datasets/$DATASET/versions"
mapfile -t BEFORE < <(json_nums version <<<"$HTTP_BODY")
assert_eq "1 2 3 4 5 6 7 8 9 10" "${BEFORE[*]}" "versions before the vacuum"
http HEAD "/v1/objects/_iceberg/$DATASET/metadata/version-hint.text"
assert_status 403 "_iceberg/ is a system space, closed to the object API"
read_snapshots
assert_contains "$(cat "$READ_OUT")" "all 9 versions match" "the readers' last line"

case_begin "the manifests pass the spec checker (python3-avro)"
check_manifests

case_begin "vacuum: removed versions' metadata gone, kept ones read the same"
http POST "/v1/datasets/$DATASET/vacuum?keep=3"
assert_status 200 "vacuum keep=3"
http GET "/v1/datasets/$DATASET/versions"
mapfile -t AFTER < <(json_nums version <<<"$HTTP_BODY")
# The newest three and the tagged version 3.
assert_eq "3 8 9 10" "${AFTER[*]}" "versions after the vacuum"
removed=()
for v in "${BEFORE[@]}"; do
  [[ " ${AFTER[*]} " == *" $v "* ]] || removed+=("$v")
done
read_snapshots --removed "$(
  IFS=,
  echo "${removed[*]}"
)"
assert_contains "$(cat "$READ_OUT")" "all 3 versions match" "the readers' last line after the vacuum"
assert_contains "$(cat "$READ_OUT")" "vacuumed versions 1, 2, 4, 5, 6, 7: no metadata JSON left" \
  "the vacuumed versions"
check_manifests

case_begin "stop"
stop_server "$SERVER_PID"

echo "PASS [$SMOKE_NAME]"
