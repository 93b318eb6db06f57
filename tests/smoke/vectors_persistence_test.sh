#!/usr/bin/env bash
# Vector index persistence against real processes: `lakehouse storaged` and
# `lakehouse vectord` with storaged_url, one config file. Vectors are made up
# deterministically (awk), dim 16: an l2 index of 300 and a cosine index of
# 200. The scenario:
#   - create and fill the indexes: every write answers persisted true and
#     each index is one object _vectors/NAME.lhv1 in storaged;
#   - kill -9 vectord and restart it: the same counts, every stored vector
#     finds its own id first at distance 0 (cosine: within 1e-4), deletes and
#     replacements kept;
#   - DELETE an index: its object is gone from storaged, and after a restart
#     so is the index;
#   - kill storaged: vectord goes on serving searches, writes answer 200 /
#     201 / 204 with persisted false, dropping an index is refused and keeps
#     it; restart storaged on the same root and port: a write answers
#     persisted true, and the indexes not written since are saved by
#     vectord's background retry (every 5 s); after kill -9 and a restart of
#     vectord everything is there, the writes made while storaged was down
#     included; a graceful storaged restart between two writes (dead pooled
#     connections) still persists the second;
#   - damaged objects under _vectors/ (flipped bytes, a truncated object,
#     garbage with a wrong magic, another index's object under the wrong
#     name, a key without .lhv1): vectord still starts, loads the good
#     indexes, lists the damaged ones in "skipped" with an error, logs them,
#     and leaves their bytes alone; creating an index of a skipped name
#     replaces the object.
#
#   tests/smoke/vectors_persistence_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v awk >/dev/null || fail "awk is not installed"

DIM=16
IN="$SMOKE_TMP/in"
SPLIT="$SMOKE_TMP/split"
mkdir -p "$IN" "$SPLIT"

# --- made-up vectors -----------------------------------------------------------------

# gen_vectors FILE PREFIX FIRST COUNT SEED: lines "ID VECTOR-JSON", ids
# PREFIX0001..., components in [-10, 10] with three decimals (Park-Miller,
# so any awk gives the same numbers).
gen_vectors() {
  awk -v prefix="$2" -v first="$3" -v count="$4" -v seed="$5" -v dim="$DIM" 'BEGIN {
    x = seed
    for (n = first; n < first + count; n++) {
      line = sprintf("%s%04d [", prefix, n)
      for (c = 0; c < dim; c++) {
        x = (x * 16807) % 2147483647
        line = line sprintf("%s%.3f", c ? "," : "", (x % 20001 - 10000) / 1000)
      }
      print line "]"
    }
  }' >"$1"
}

# The items JSON of lines FROM..TO (1-based) of a vector file, each with
# metadata {"n": line number in the file, "src": FILE's name}.
items_json() { # FILE FROM TO
  awk -v from="$2" -v to="$3" -v src="$(basename "$1")" '
    NR >= from && NR <= to {
      printf "%s{\"id\":\"%s\",\"vector\":%s,\"metadata\":{\"n\":%d,\"src\":\"%s\"}}", (NR > from ? "," : ""), $1, $2, NR, src
    }
    BEGIN { printf "{\"items\":[" }
    END { printf "]}" }' "$1"
}

# --- processes --------------------------------------------------------------------------

# A port that stays free while storaged is down, so it comes back on it.
pick_ports 1
STORAGED_PORT=${PORTS[0]}
CONFIG="$SPLIT/lakehouse.toml"
cat >"$CONFIG" <<EOF
# storaged and vectord, vectord persisting to storaged
[storaged]
listen = "127.0.0.1:$STORAGED_PORT"
root = "objects"

[vectord]
listen = "127.0.0.1:0"
storaged_url = "http://127.0.0.1:$STORAGED_PORT"
# Compact after every write, so the bases damaged below hold whole graphs.
compact_deltas = 1
EOF

STORAGED_PID="" STORE_URL="" VECTORD_PID="" VEC_URL=""

start_storaged() {
  SERVER_CWD=$SPLIT start_server storaged storaged --config "$CONFIG"
  STORAGED_PID=$SERVER_PID STORE_URL=$SERVER_URL
  assert_eq "http://127.0.0.1:$STORAGED_PORT" "$STORE_URL" "storaged's address"
}

start_vectord() {
  SERVER_CWD=$SPLIT start_server vectord vectord --config "$CONFIG"
  VECTORD_PID=$SERVER_PID VEC_URL=$SERVER_URL
  VECTORD_LOG=$(cat "$SMOKE_TMP/logs/vectord.err" "$SMOKE_TMP/logs/vectord.out")
  assert_contains "$VECTORD_LOG" "persisting to storaged at http://127.0.0.1:$STORAGED_PORT" "vectord's log"
}

restart_vectord_hard() {
  kill9_server "$VECTORD_PID"
  start_vectord
}

# --- HTTP helpers ------------------------------------------------------------------------

vec() { URL=$VEC_URL http "$@"; }
store() { URL=$STORE_URL http "$@"; }
# _vectors/ is the system's own key space: the public object API refuses it,
# so this test, standing in for a damaged disk, uses storaged's internal
# routes (the ones vectord itself uses).
store_put() { # KEY BODY (curl --data-binary syntax: @file or text)
  store PUT "/v1/internal/objects/$1" -H 'Content-Type: application/octet-stream' --data-binary "$2"
}

vec_post() { # PATH BODY
  vec POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}
vec_post_file() { # PATH FILE
  vec POST "$1" -H 'Content-Type: application/json' --data-binary "@$2"
}



create_index() { # NAME METRIC PERSISTED
  vec_post /v1/indexes "{\"name\":\"$1\",\"dim\":$DIM,\"metric\":\"$2\",\"m\":24,\"ef_construction\":300,\"ef_search\":50}"
  assert_status 201 "create $1"
  assert_eq "$1" "$(json_str name <<<"$HTTP_BODY")" "name of the created index"
  assert_eq 0 "$(json_num count)" "count of the created index"
  assert_eq "$3" "$(json_bool persisted)" "persisted of create $1"
}

# add_lines INDEX FILE FROM TO COUNT PERSISTED: adds lines FROM..TO of FILE.
add_lines() {
  items_json "$2" "$3" "$4" >"$SMOKE_TMP/batch.json"
  vec_post_file "/v1/indexes/$1/vectors" "$SMOKE_TMP/batch.json"
  assert_status 200 "add lines $3..$4 of $(basename "$2") to $1"
  assert_eq $(($4 - $3 + 1)) "$(json_num added)" "added"
  assert_eq "$5" "$(json_num count)" "count after the add to $1"
  assert_eq "$6" "$(json_bool persisted)" "persisted of the add to $1"
}

delete_item() { # INDEX ID PERSISTED
  vec DELETE "/v1/indexes/$1/vectors/$2"
  assert_status 204 "DELETE item $2 of $1"
  assert_eq "$3" "$(header_value X-Lakehouse-Persisted)" "X-Lakehouse-Persisted of deleting $2 from $1"
}

# expect_index NAME COUNT PERSISTED
expect_index() {
  vec GET "/v1/indexes/$1"
  assert_status 200 "GET /v1/indexes/$1"
  assert_eq "$2" "$(json_num count)" "count of $1"
  assert_eq "$3" "$(json_bool persisted)" "persisted of $1"
}

# Waits (up to 15 s: vectord retries unsaved indexes every 5 s) until INDEX
# reports persisted true with no write sent, then checks its COUNT.
wait_persisted() { # INDEX COUNT
  local deadline=$((SECONDS + 15))
  while :; do
    vec GET "/v1/indexes/$1"
    assert_status 200 "GET /v1/indexes/$1"
    [[ "$(json_bool persisted)" == true ]] && break
    ((SECONDS < deadline)) || fail "$1 still not persisted 15 s after storaged came back"
    sleep 0.2
  done
  assert_eq "$2" "$(json_num count)" "count of $1 once persisted"
}

# Every STEP-th line of FILE (all when STEP is 1), searched in INDEX, finds
# its own id first at distance 0 (within TOLERANCE). At least MIN (50) vectors
# are searched, or all of them.
expect_self_hits() { # INDEX FILE STEP TOLERANCE [MIN]
  local index=$1 file=$2 step=$3 tol=$4 min=${5:-50} id vector n=0 checked=0 first d
  while read -r id vector; do
    n=$((n + 1))
    ((n % step == 0 || step == 1)) || continue
    vec_post "/v1/indexes/$index/search" "{\"vector\":$vector,\"k\":3,\"ef\":128}"
    assert_status 200 "search $index for $id"
    # The first "id" and "distance" in the answer are the nearest hit's (ids
    # here need no JSON escapes; bash matching spares two subshells a search).
    first="" d=""
    [[ "$HTTP_BODY" =~ \"id\":\"([^\"]*)\" ]] && first=${BASH_REMATCH[1]}
    [[ "$HTTP_BODY" =~ \"distance\":(-?[0-9][0-9.eE+-]*) ]] && d=${BASH_REMATCH[1]}
    assert_eq "$id" "$first" "nearest in $index to the vector of $id"
    if [[ "$tol" == 0 ]]; then
      assert_eq 0.0 "$d" "distance of $id to itself in $index"
    else
      awk -v d="$d" -v t="$tol" 'BEGIN { exit !(d <= t && -d <= t) }' ||
        fail "distance of $id to itself in $index: expected |d| <= $tol, got $d"
    fi
    assert_contains "$HTTP_BODY" "\"id\":\"$id\",\"metadata\":{\"n\":" "metadata of $id in the hit"
    checked=$((checked + 1))
  done <"$file"
  ((checked >= min || checked == n)) || fail "only $checked vectors of $file searched"
}

# Lines of FILE without the item ID (after a delete).
drop_line() { # FILE ID
  { grep -v "^$2 " "$1" || true; } >"$1.tmp"
  mv "$1.tmp" "$1"
}

object_status() { # INDEX -> HTTP status of HEAD of its object in storaged
  store HEAD "/v1/internal/objects/_vectors/$1.lhv1"
  printf '%s' "$HTTP_STATUS"
}

# The {"error","key"} entry of KEY in the "skipped" list of the last response.
skipped_entry() { # KEY
  grep -o "{\"error\":\"\\([^\"\\\\]\\|\\\\.\\)*\",\"key\":\"$1\"}" <<<"$HTTP_BODY" | first_line
}

# --- the scenario ------------------------------------------------------------------------

case_begin "start storaged and vectord"
# Expected contents of each index, as vector files: what searches must find.
gen_vectors "$IN/points" p 1 300 12345
gen_vectors "$IN/angles" a 1 200 777
gen_vectors "$IN/doomed" d 1 20 4242
gen_vectors "$IN/points_more" p 9001 3 99
gen_vectors "$IN/late" l 1 30 31337
gen_vectors "$IN/junk" j 1 30 555
cp "$IN/points" "$IN/points.expected"
cp "$IN/angles" "$IN/angles.expected"
start_storaged
start_vectord
vec GET /v1/indexes
assert_status 200 "GET /v1/indexes"
assert_eq '{"indexes":[],"persistent":true,"skipped":[]}' "$HTTP_BODY" "indexes of a fresh store"

case_begin "create and fill: every write is persisted"
create_index points l2 true
create_index angles cosine true
create_index doomed l2 true
add_lines points "$IN/points" 1 260 260 true # over 256: spread over threads
add_lines points "$IN/points" 261 300 300 true
add_lines angles "$IN/angles" 1 100 100 true
add_lines angles "$IN/angles" 101 200 200 true
add_lines doomed "$IN/doomed" 1 20 20 true
delete_item points p0007 true
delete_item points p0100 true
drop_line "$IN/points.expected" p0007
drop_line "$IN/points.expected" p0100
delete_item angles a0050 true
drop_line "$IN/angles.expected" a0050
# Replace p0010 with p0010's vector... of another seed, and new metadata.
gen_vectors "$IN/replacement" p 10 1 2024
items_json "$IN/replacement" 1 1 >"$SMOKE_TMP/batch.json"
vec_post_file /v1/indexes/points/vectors "$SMOKE_TMP/batch.json"
assert_status 200 "replace p0010"
assert_eq 298 "$(json_num count)" "count after replacing p0010"
assert_eq true "$(json_bool persisted)" "persisted of replacing p0010"
{ grep -v '^p0010 ' "$IN/points.expected" || true; cat "$IN/replacement"; } >"$IN/points.tmp"
mv "$IN/points.tmp" "$IN/points.expected"
expect_index points 298 true
expect_index angles 199 true
store GET /v1/internal/objects -G --data-urlencode prefix=_vectors/
assert_status 200 "list _vectors/ in storaged"
# One base per index; its deltas live under _vectors/NAME/d/.
assert_eq $'_vectors/angles.lhv1\n_vectors/doomed.lhv1\n_vectors/points.lhv1' \
  "$(json_strs key <<<"$HTTP_BODY" | grep -v '/d/')" "index bases in storaged"
expect_self_hits points "$IN/points.expected" 5 0

case_begin "kill -9 vectord and restart: everything is back"
restart_vectord_hard
assert_contains "$VECTORD_LOG" "loaded index points (298 items)" "vectord's log"
assert_contains "$VECTORD_LOG" "loaded index angles (199 items)" "vectord's log"
vec GET /v1/indexes
assert_contains "$HTTP_BODY" '"skipped":[]' "skipped after the restart"
assert_eq $'angles\ndoomed\npoints' "$(json_strs name <<<"$HTTP_BODY")" "indexes after the restart"
assert_eq $'199\n20\n298' "$(json_nums count <<<"$HTTP_BODY")" "counts after the restart"
expect_index points 298 true
vec GET /v1/indexes/points
assert_eq 24 "$(json_num m)" "m after the restart"
assert_eq 300 "$(json_num ef_construction)" "ef_construction after the restart"
assert_eq 50 "$(json_num ef_search)" "ef_search after the restart"
assert_eq l2 "$(json_str metric <<<"$HTTP_BODY")" "metric after the restart"
expect_index angles 199 true
vec GET /v1/indexes/angles
assert_eq cosine "$(json_str metric <<<"$HTTP_BODY")" "metric of angles after the restart"
expect_self_hits points "$IN/points.expected" 1 0
expect_self_hits angles "$IN/angles.expected" 1 1e-4
for id in p0007 p0100; do
  vec GET "/v1/indexes/points/vectors/$id"
  assert_error 404 not_found "deleted item $id after the restart"
done
vec GET /v1/indexes/points/vectors/p0010
assert_status 200 "GET p0010 after the restart"
assert_contains "$HTTP_BODY" '"metadata":{"n":1,"src":"replacement"}' "metadata of the replaced p0010"
first_given=$(cut -d " " -f2 "$IN/replacement" | tr -d "[]" | cut -d, -f1)
first_got=$(grep -o '"vector":\[[^],]*' <<<"$HTTP_BODY" | sed 's/.*\[//')
awk -v a="$first_given" -v b="$first_got" 'BEGIN { exit !(a - b < 1e-4 && b - a < 1e-4) }' ||
  fail "first component of the replaced p0010: expected $first_given, got $first_got"

case_begin "DELETE an index removes its object, for good"
assert_eq 200 "$(object_status doomed)" "HEAD of doomed's object before the delete"
vec DELETE /v1/indexes/doomed
assert_status 204 "DELETE /v1/indexes/doomed"
assert_eq 404 "$(object_status doomed)" "HEAD of doomed's object after the delete"
restart_vectord_hard
vec GET /v1/indexes/doomed
assert_error 404 not_found "doomed after a restart"
vec GET /v1/indexes
assert_eq $'angles\npoints' "$(json_strs name <<<"$HTTP_BODY")" "indexes after dropping doomed and a restart"
assert_contains "$HTTP_BODY" '"skipped":[]' "skipped after dropping doomed"

case_begin "storaged down: vectord serves, writes answer persisted false"
kill9_server "$STORAGED_PID"
expect_self_hits points "$IN/points.expected" 25 0 5
expect_self_hits angles "$IN/angles.expected" 20 1e-4 5
add_lines points "$IN/points_more" 1 2 300 false
head -2 "$IN/points_more" >>"$IN/points.expected"
delete_item angles a0003 false
drop_line "$IN/angles.expected" a0003
expect_index points 300 false
expect_index angles 198 false
vec_post /v1/indexes "{\"name\":\"late\",\"dim\":$DIM,\"metric\":\"l2\"}"
assert_status 201 "create late while storaged is down"
assert_eq false "$(json_bool persisted)" "persisted of creating late while storaged is down"
add_lines late "$IN/late" 1 20 20 false
vec GET /v1/indexes
assert_contains "$HTTP_BODY" '"count":20,"dim":16,"metric":"l2","name":"late","persisted":false' "late in the listing"
# Dropping needs the store: it is refused and the index stays.
vec DELETE /v1/indexes/angles
[[ "$HTTP_STATUS" == 5* ]] || fail "DELETE /v1/indexes/angles with storaged down: expected 5xx, got $HTTP_STATUS $(smoke_show "$HTTP_BODY")"
assert_error "$HTTP_STATUS" '*' "DELETE /v1/indexes/angles with storaged down"
expect_index angles 198 false
expect_self_hits points "$IN/points.expected" 30 0 5
VECTORD_LOG=$(cat "$SMOKE_TMP/logs/vectord.err" "$SMOKE_TMP/logs/vectord.out")
assert_contains "$VECTORD_LOG" "save of index points failed" "vectord's log"
assert_contains "$VECTORD_LOG" "save of index late failed" "vectord's log"

case_begin "storaged back on the same root and port: a write is persisted, a retry saves the rest"
start_storaged
add_lines points "$IN/points_more" 3 3 301 true
tail -1 "$IN/points_more" >>"$IN/points.expected"
expect_index points 301 true
# angles (an item deleted) and late (created and filled) have had no write
# since storaged came back: vectord's background retry saves them.
wait_persisted angles 198
wait_persisted late 20
assert_eq 200 "$(object_status late)" "late's object, saved by the retry"

case_begin "kill -9 vectord and restart: what the retry saved is there"
restart_vectord_hard
expect_index late 20 true
head -20 "$IN/late" >"$IN/late.first20"
expect_self_hits late "$IN/late.first20" 1 0
expect_index angles 198 true
vec GET /v1/indexes/angles/vectors/a0003
assert_error 404 not_found "item a0003, deleted while storaged was down"
expect_index points 301 true

case_begin "more writes after storaged's return are persisted"
delete_item angles a0004 true
drop_line "$IN/angles.expected" a0004
expect_index angles 197 true
add_lines late "$IN/late" 21 30 30 true
expect_index late 30 true
assert_eq 200 "$(object_status late)" "late's object after a write"

case_begin "storaged restarts between two writes: the second is persisted"
# vectord's pooled connections to the old storaged are dead now. (kill -9:
# SIGTERM would wait out the idle keep-alive connection, about 5 s.)
kill9_server "$STORAGED_PID"
start_storaged
delete_item late l0030 true
drop_line "$IN/late" l0030
expect_index late 29 true

case_begin "kill -9 vectord and restart: the writes made while storaged was down are there"
restart_vectord_hard
vec GET /v1/indexes
assert_eq $'angles\nlate\npoints' "$(json_strs name <<<"$HTTP_BODY")" "indexes after the restart"
assert_eq $'197\n29\n301' "$(json_nums count <<<"$HTTP_BODY")" "counts after the restart"
assert_contains "$HTTP_BODY" '"skipped":[]' "skipped after the restart"
expect_self_hits points "$IN/points.expected" 1 0
expect_self_hits angles "$IN/angles.expected" 3 1e-4
expect_self_hits late "$IN/late" 1 0
for id in a0003 a0004 a0050; do
  vec GET "/v1/indexes/angles/vectors/$id"
  assert_error 404 not_found "deleted item $id after the restart"
done
for id in p9001 p9002 p9003; do
  vec GET "/v1/indexes/points/vectors/$id"
  assert_status 200 "item $id after the restart"
done

case_begin "damaged objects are skipped, listed and logged; the rest loads"
for name in bitrot cut junk; do
  create_index "$name" l2 true
  add_lines "$name" "$IN/points" 1 40 40 true
done
# Background compaction folds each index's deltas into its base.
for _ in $(seq 100); do
  store GET /v1/internal/objects -G --data-urlencode prefix=_vectors/
  grep -q '/d/' <<<"$(json_strs key <<<"$HTTP_BODY")" || break
  sleep 0.1
done
assert_eq "" "$(json_strs key <<<"$HTTP_BODY" | grep '/d/' || true)" "deltas left after compaction"
kill9_server "$VECTORD_PID"
for name in bitrot cut junk points; do
  store GET "/v1/internal/objects/_vectors/$name.lhv1" -o "$SMOKE_TMP/$name.lhv1"
  assert_status 200 "GET the object of $name"
done
head -c 4 "$SMOKE_TMP/bitrot.lhv1" | cmp -s - <(printf LHV1) || fail "an index object does not start with LHV1"
# bitrot: 16 bytes in the middle flipped (inside the graph, after the envelope).
size=$(stat -c %s "$SMOKE_TMP/bitrot.lhv1")
middle=$((size / 2))
od -An -v -tx1 -j "$middle" -N 16 "$SMOKE_TMP/bitrot.lhv1" | tr -s ' \n' '\n' | grep . |
  while read -r byte; do printf '%b' "\\x$(printf '%02x' $((0x$byte ^ 0xff)))"; done >"$SMOKE_TMP/flipped"
assert_eq 16 "$(stat -c %s "$SMOKE_TMP/flipped")" "flipped bytes"
dd if="$SMOKE_TMP/flipped" of="$SMOKE_TMP/bitrot.lhv1" bs=1 seek="$middle" conv=notrunc status=none
assert_eq "$size" "$(stat -c %s "$SMOKE_TMP/bitrot.lhv1")" "size of bitrot after flipping"
# cut: the first half only.
head -c "$(($(stat -c %s "$SMOKE_TMP/cut.lhv1") / 2))" "$SMOKE_TMP/cut.lhv1" >"$SMOKE_TMP/cut.half"
mv "$SMOKE_TMP/cut.half" "$SMOKE_TMP/cut.lhv1"
# junk: not an index at all.
printf 'this is not an index, just some text\n' >"$SMOKE_TMP/junk.lhv1"
for name in bitrot cut junk; do
  store_put "_vectors/$name.lhv1" "@$SMOKE_TMP/$name.lhv1"
  assert_status 201 "PUT the damaged object of $name"
done
# A valid index under another index's name, and a key that is no index.
store_put _vectors/copy.lhv1 "@$SMOKE_TMP/points.lhv1"
assert_status 201 "PUT points' object as copy"
store_put _vectors/notes.txt 'not an index'
assert_status 201 "PUT _vectors/notes.txt"
declare -A damaged_sha
for name in bitrot cut junk; do damaged_sha[$name]=$(sha256_of "$SMOKE_TMP/$name.lhv1"); done

start_vectord
vec GET /v1/indexes
assert_status 200 "GET /v1/indexes with damaged objects"
assert_eq $'angles\nlate\npoints' "$(json_strs name <<<"$HTTP_BODY")" "indexes loaded beside damaged objects"
assert_eq $'197\n29\n301' "$(json_nums count <<<"$HTTP_BODY")" "counts beside damaged objects"
assert_eq $'_vectors/bitrot.lhv1\n_vectors/copy.lhv1\n_vectors/cut.lhv1\n_vectors/junk.lhv1\n_vectors/notes.txt' \
  "$(json_strs key <<<"$HTTP_BODY")" "skipped keys"
for key in bitrot.lhv1 copy.lhv1 cut.lhv1 junk.lhv1 notes.txt; do
  entry=$(skipped_entry "_vectors/$key")
  [[ -n "$entry" ]] || fail "no skipped entry with an error for _vectors/$key in $(smoke_show "$HTTP_BODY")"
  error=$(json_str error <<<"$entry")
  [[ -n "$error" ]] || fail "empty error for _vectors/$key"
  assert_contains "$VECTORD_LOG" "skipped _vectors/$key" "vectord's log"
done
assert_contains "$(json_str error <<<"$(skipped_entry _vectors/bitrot.lhv1)")" sha256 "error of bitrot"
assert_contains "$(json_str error <<<"$(skipped_entry _vectors/junk.lhv1)")" magic "error of junk"
assert_contains "$(json_str error <<<"$(skipped_entry _vectors/cut.lhv1)")" LHV1 "error of cut"
assert_contains "$(json_str error <<<"$(skipped_entry _vectors/copy.lhv1)")" points "error of copy"
assert_contains "$(json_str error <<<"$(skipped_entry _vectors/notes.txt)")" lhv1 "error of notes.txt"
for name in bitrot cut junk copy; do
  vec GET "/v1/indexes/$name"
  assert_error 404 not_found "a skipped index"
done
expect_self_hits points "$IN/points.expected" 4 0
expect_self_hits angles "$IN/angles.expected" 3 1e-4
# The damaged objects are left as they are.
for name in bitrot cut junk; do
  store GET "/v1/internal/objects/_vectors/$name.lhv1" -o "$SMOKE_TMP/again.lhv1"
  assert_status 200 "GET the damaged object of $name"
  assert_file_sha "$SMOKE_TMP/again.lhv1" "${damaged_sha[$name]}" "the damaged object of $name after the restart"
done

case_begin "creating an index of a skipped name replaces the damaged object"
create_index junk l2 true
vec GET /v1/indexes
assert_eq $'_vectors/bitrot.lhv1\n_vectors/copy.lhv1\n_vectors/cut.lhv1\n_vectors/notes.txt' \
  "$(json_strs key <<<"$HTTP_BODY")" "skipped keys after re-creating junk"
add_lines junk "$IN/junk" 1 30 30 true
restart_vectord_hard
vec GET /v1/indexes
assert_eq $'angles\njunk\nlate\npoints' "$(json_strs name <<<"$HTTP_BODY")" "indexes after re-creating junk"
assert_eq $'197\n30\n29\n301' "$(json_nums count <<<"$HTTP_BODY")" "counts after re-creating junk"
expect_self_hits junk "$IN/junk" 1 0

case_begin "stop"
stop_server "$VECTORD_PID"
stop_server "$STORAGED_PID"

echo "PASS [$SMOKE_NAME]"
