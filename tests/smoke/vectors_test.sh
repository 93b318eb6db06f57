#!/usr/bin/env bash
# Vectors (docs/api.md, Vectors) end to end over HTTP. One scenario runs twice:
#   - against `lakehouse vectord --config FILE` with an empty storaged_url
#     (ephemeral: nothing read from or written to any store; every write
#     answers persisted false), on its own port;
#   - against `lakehouse serve --data DIR`, whose indexes persist to DIR's
#     store (every write answers persisted true, the index is an object
#     _vectors/NAME.lhv1, and a restart keeps it).
# The scenario:
#   - create l2, cosine and ip indexes: 201 and every field echoed back;
#     bad names, dims, m, ef values and metrics are 400 and create nothing;
#     a second create is 409;
#   - add items with metadata (added, count, persisted), search: nearest
#     first with exact distances, its own vector at distance 0, metadata in
#     the hits, k respected, a per-search ef accepted (and a bad one refused);
#   - get an item (vector and metadata), delete it (204 with
#     X-Lakehouse-Persisted, then 404, gone from searches), upsert an existing
#     id (vector and metadata replaced, count unchanged);
#   - bad batches (wrong dimension, duplicate id, empty id, missing id,
#     non-object metadata, a non-number component, a zero vector for cosine)
#     are 400 naming the bad item's position, and add nothing, not even the
#     good items before it;
#   - unknown indexes are 404 on every route; DELETE of an index is 204, then
#     404.
#
#   tests/smoke/vectors_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v awk >/dev/null || fail "awk is not installed"

MODE=""      # vectord | serve
PERSISTED="" # what every write must answer: false | true

# --- helpers ------------------------------------------------------------------------

post_json() { # PATH BODY
  http POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}



error_message() { json_str message <<<"$HTTP_BODY"; }

# |VALUE| <= TOLERANCE
near_zero() { # VALUE TOLERANCE
  awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t && -v <= t) }'
}

create_index() { # BODY
  post_json /v1/indexes "$1"
}

expect_index() { # NAME DIM METRIC M EFC EFS COUNT (against the last response)
  assert_eq "$1" "$(json_str name <<<"$HTTP_BODY")" "index name"
  assert_eq "$2" "$(json_num dim)" "index dim"
  assert_eq "$3" "$(json_str metric <<<"$HTTP_BODY")" "index metric"
  assert_eq "$4" "$(json_num m)" "index m"
  assert_eq "$5" "$(json_num ef_construction)" "index ef_construction"
  assert_eq "$6" "$(json_num ef_search)" "index ef_search"
  assert_eq "$7" "$(json_num count)" "index count"
}

add_items() { # INDEX ITEMS-JSON
  post_json "/v1/indexes/$1/vectors" "{\"items\":$2}"
}

expect_added() { # INDEX ITEMS-JSON ADDED COUNT
  add_items "$1" "$2"
  assert_status 200 "add to $1"
  assert_eq "$3" "$(json_num added)" "added"
  assert_eq "$4" "$(json_num count)" "count after the add"
  assert_eq "$PERSISTED" "$(json_bool persisted)" "persisted of the add"
}

# The count of INDEX, into COUNT.
index_count() { # INDEX
  http GET "/v1/indexes/$1"
  assert_status 200 "GET /v1/indexes/$1"
  COUNT=$(json_num count)
}

# search INDEX BODY: sets HIT_IDS and HIT_DISTS (one per line, in order).
search() {
  post_json "/v1/indexes/$1/search" "$2"
  assert_status 200 "search $1 with $2"
  HIT_IDS=$(json_strs id <<<"$HTTP_BODY")
  HIT_DISTS=$(json_nums distance <<<"$HTTP_BODY")
}

# A batch that must be refused: 400 invalid_argument naming "item POS", the
# index's count unchanged and no id of the batch added.
refused_batch() { # INDEX POS NEEDLE ITEMS-JSON NEW-IDS...
  local index=$1 pos=$2 needle=$3 items=$4 before id
  shift 4
  index_count "$index"
  before=$COUNT
  add_items "$index" "$items"
  assert_error 400 invalid_argument "bad batch ($needle) into $index"
  local message
  message=$(error_message)
  assert_contains "$message" "item $pos:" "the message names the bad item"
  assert_contains "$message" "$needle" "the message says what is wrong"
  index_count "$index"
  assert_eq "$before" "$COUNT" "count after a refused batch ($needle)"
  for id in "$@"; do
    http GET "/v1/indexes/$index/vectors/$id"
    assert_error 404 not_found "item $id of a refused batch ($needle)"
  done
}

refused_create() { # NEEDLE BODY
  create_index "$2"
  assert_error 400 invalid_argument "create $2"
  assert_contains "$(error_message)" "$1" "the message of create $2"
}

# --- the scenario -----------------------------------------------------------------------

scenario() {
  case_begin "$MODE: create indexes"
  http GET /v1/indexes
  assert_status 200 "GET /v1/indexes"
  assert_contains "$HTTP_BODY" '"indexes":[]' "indexes before any create"
  assert_contains "$HTTP_BODY" '"skipped":[]' "skipped objects"
  local persistent=false
  [[ $MODE == serve ]] && persistent=true
  assert_eq "$persistent" "$(json_bool persistent)" "persistent"

  create_index '{"name":"docs","dim":4,"metric":"l2","m":8,"ef_construction":64,"ef_search":32}'
  assert_status 201 "create docs"
  expect_index docs 4 l2 8 64 32 0
  assert_eq "$PERSISTED" "$(json_bool persisted)" "persisted of create docs"
  create_index '{"name":"notes","dim":3,"metric":"cosine"}'
  assert_status 201 "create notes"
  assert_eq notes "$(json_str name <<<"$HTTP_BODY")" "name of notes"
  assert_eq cosine "$(json_str metric <<<"$HTTP_BODY")" "metric of notes"
  assert_eq 0 "$(json_num count)" "count of notes"
  create_index '{"name":"dots_2","dim":2,"metric":"ip","m":4,"ef_construction":1,"ef_search":1}'
  assert_status 201 "create dots_2"
  expect_index dots_2 2 ip 4 1 1 0

  http GET /v1/indexes/docs
  assert_status 200 "GET /v1/indexes/docs"
  expect_index docs 4 l2 8 64 32 0
  assert_eq "$PERSISTED" "$(json_bool persisted)" "persisted of docs"
  http GET /v1/indexes
  assert_eq $'docs\ndots_2\nnotes' "$(json_strs name <<<"$HTTP_BODY")" "listed names, by name"
  assert_eq $'l2\nip\ncosine' "$(json_strs metric <<<"$HTTP_BODY")" "listed metrics"

  case_begin "$MODE: bad create requests are 400 and create nothing"
  refused_create 'index name' '{"name":"Bad-Name","dim":4}'
  refused_create 'index name' '{"name":"","dim":4}'
  refused_create 'index name' '{"name":"9lives","dim":4}'
  refused_create 'index name' '{"name":"a/b","dim":4}'
  refused_create '"name"' '{"dim":4}'
  refused_create '"name"' '{"name":7,"dim":4}'
  refused_create 'dim' '{"name":"nodim"}'
  refused_create 'dim' '{"name":"zerodim","dim":0}'
  refused_create 'dim' '{"name":"hugedim","dim":4097}'
  refused_create 'dim' '{"name":"negdim","dim":-1}'
  refused_create 'dim' '{"name":"strdim","dim":"4"}'
  refused_create 'dim' '{"name":"fracdim","dim":2.5}'
  refused_create 'm' '{"name":"smallm","dim":4,"m":2}'
  refused_create 'm' '{"name":"bigm","dim":4,"m":65}'
  refused_create 'ef_construction' '{"name":"zeroefc","dim":4,"ef_construction":0}'
  refused_create 'ef_search' '{"name":"bigefs","dim":4,"ef_search":10001}'
  refused_create 'metric' '{"name":"badmetric","dim":4,"metric":"hamming"}'
  refused_create 'metric' '{"name":"nummetric","dim":4,"metric":1}'
  refused_create 'JSON object' '{"name":"cut","dim":4'
  refused_create 'JSON object' '[{"name":"arr","dim":4}]'
  http GET /v1/indexes
  assert_eq $'docs\ndots_2\nnotes' "$(json_strs name <<<"$HTTP_BODY")" "indexes after refused creates"

  case_begin "$MODE: a second create of a name is 409"
  create_index '{"name":"docs","dim":8,"metric":"cosine"}'
  assert_error 409 conflict "create docs again"
  http GET /v1/indexes/docs
  expect_index docs 4 l2 8 64 32 0

  case_begin "$MODE: add items with metadata"
  expect_added docs '[
    {"id":"a","vector":[0,0,0,0],"metadata":{"tag":"origin","n":1}},
    {"id":"b","vector":[1,0,0,0],"metadata":{"tag":"x"}},
    {"id":"c","vector":[0,2,0,0]}]' 3 3
  expect_added docs '[
    {"id":"d","vector":[0,0,3,0],"metadata":{"tag":"z","nested":{"k":[1,2]}}},
    {"id":"e","vector":[1,1,1,1],"metadata":null},
    {"id":"doc 7/x","vector":[0,0,0,-4],"metadata":{"tag":"slashed"}}]' 3 6
  expect_added docs '[]' 0 6
  index_count docs
  assert_eq 6 "$COUNT" "count of docs"
  assert_eq "$PERSISTED" "$(json_bool persisted)" "persisted of docs after adds"
  http GET /v1/indexes
  assert_contains "$HTTP_BODY" "{\"count\":6,\"dim\":4,\"metric\":\"l2\",\"name\":\"docs\",\"persisted\":$PERSISTED}" \
    "docs in the listing"

  case_begin "$MODE: l2 search: nearest first, exact squared distances, metadata"
  # From (0.25,0,0,0): a 0.0625, b 0.5625, e 3.5625, c 4.0625, d 9.0625, doc 7/x 16.0625
  search docs '{"vector":[0.25,0,0,0],"k":3}'
  assert_eq $'a\nb\ne' "$HIT_IDS" "ids, k=3"
  assert_eq $'0.0625\n0.5625\n3.5625' "$HIT_DISTS" "distances, k=3"
  assert_contains "$HTTP_BODY" '"id":"a","metadata":{"n":1,"tag":"origin"}' "metadata of a in the hits"
  assert_contains "$HTTP_BODY" '"id":"b","metadata":{"tag":"x"}' "metadata of b in the hits"
  assert_contains "$HTTP_BODY" '"id":"e","metadata":{}' "null metadata comes back as {}"
  search docs '{"vector":[0.25,0,0,0],"k":1}'
  assert_eq a "$HIT_IDS" "ids, k=1"
  search docs '{"vector":[0.25,0,0,0],"k":100}'
  assert_eq $'a\nb\ne\nc\nd\ndoc 7/x' "$HIT_IDS" "ids, k over the count"
  assert_eq $'0.0625\n0.5625\n3.5625\n4.0625\n9.0625\n16.0625' "$HIT_DISTS" "distances, k over the count"
  search docs '{"vector":[0.25,0,0,0]}'
  assert_eq 6 "$(grep -c . <<<"$HIT_IDS")" "default k returns all 6 of 6"
  # Every stored vector finds itself first, at distance 0.
  local v
  for v in 'a [0,0,0,0]' 'b [1,0,0,0]' 'c [0,2,0,0]' 'd [0,0,3,0]' 'e [1,1,1,1]' 'doc 7/x [0,0,0,-4]'; do
    search docs "{\"vector\":${v##* },\"k\":2}"
    assert_eq "${v% *}" "$(first_line <<<"$HIT_IDS")" "nearest to ${v##* }"
    assert_eq 0.0 "$(first_line <<<"$HIT_DISTS")" "distance of ${v% *} to itself"
  done
  search docs '{"vector":[0,1.75,0,0],"k":2,"ef":200}'
  assert_eq $'c\na' "$HIT_IDS" "ids with a per-search ef"
  assert_eq $'0.0625\n3.0625' "$HIT_DISTS" "distances with a per-search ef"
  search docs '{"vector":[0,1.75,0,0],"k":2,"ef":1}'
  assert_eq 2 "$(grep -c . <<<"$HIT_IDS")" "ef below k still gives k hits"
  search docs '{"vector":[0,1.75,0,0],"k":2,"ef":null}'
  assert_eq $'c\na' "$HIT_IDS" "ids with ef null"

  case_begin "$MODE: bad searches are 400"
  local body
  for body in '{"vector":[0,0,0],"k":2}' '{"vector":[0,0,0,0,0]}' '{"vector":[0,0,0,0],"k":0}' \
    '{"vector":[0,0,0,0],"k":-1}' '{"vector":[0,0,0,0],"k":10001}' '{"vector":[0,0,0,0],"ef":0}' \
    '{"vector":[0,0,0,0],"ef":"big"}' '{"vector":[0,"x",0,0]}' '{"vector":"0,0,0,0"}' '{"k":2}' '{"vector":[0,0,1e39,0]}' \
    '{"vector":[0,0,0,0]' '[]'; do
    post_json /v1/indexes/docs/search "$body"
    assert_error 400 invalid_argument "search docs with $body"
  done

  case_begin "$MODE: get an item"
  http GET /v1/indexes/docs/vectors/a
  assert_status 200 "GET item a"
  assert_eq a "$(json_str id <<<"$HTTP_BODY")" "id of a"
  assert_contains "$HTTP_BODY" '"vector":[0.0,0.0,0.0,0.0]' "vector of a"
  assert_contains "$HTTP_BODY" '"metadata":{"n":1,"tag":"origin"}' "metadata of a"
  http GET /v1/indexes/docs/vectors/d
  assert_status 200 "GET item d"
  assert_contains "$HTTP_BODY" '"vector":[0.0,0.0,3.0,0.0]' "vector of d"
  assert_contains "$HTTP_BODY" '"metadata":{"nested":{"k":[1,2]},"tag":"z"}' "metadata of d"
  http GET /v1/indexes/docs/vectors/c
  assert_contains "$HTTP_BODY" '"metadata":{}' "an item added without metadata"
  http GET "/v1/indexes/docs/vectors/$(encode_path 'doc 7/x')"
  assert_status 200 "GET item 'doc 7/x' (space and slash in the id)"
  assert_eq 'doc 7/x' "$(json_str id <<<"$HTTP_BODY")" "id of 'doc 7/x'"
  assert_contains "$HTTP_BODY" '"vector":[0.0,0.0,0.0,-4.0]' "vector of 'doc 7/x'"
  http GET /v1/indexes/docs/vectors/nosuch
  assert_error 404 not_found "GET an unknown item"

  case_begin "$MODE: delete an item"
  http DELETE /v1/indexes/docs/vectors/b
  assert_status 204 "DELETE item b"
  assert_eq "" "$HTTP_BODY" "body of the 204"
  assert_eq "$PERSISTED" "$(header_value X-Lakehouse-Persisted)" "X-Lakehouse-Persisted of the delete"
  http GET /v1/indexes/docs/vectors/b
  assert_error 404 not_found "GET a deleted item"
  index_count docs
  assert_eq 5 "$COUNT" "count after the delete"
  search docs '{"vector":[1,0,0,0],"k":10}'
  assert_not_contains "$HIT_IDS" b "a deleted item in the hits"
  assert_eq 5 "$(grep -c . <<<"$HIT_IDS")" "hits after the delete"
  assert_eq a "$(first_line <<<"$HIT_IDS")" "nearest to b's old vector after the delete"
  http DELETE /v1/indexes/docs/vectors/b
  assert_error 404 not_found "DELETE a deleted item"
  http DELETE "/v1/indexes/docs/vectors/$(encode_path 'doc 7/x')"
  assert_status 204 "DELETE item 'doc 7/x'"
  index_count docs
  assert_eq 4 "$COUNT" "count after the second delete"
  # A deleted id can come back.
  expect_added docs '[{"id":"b","vector":[1,0,0,0],"metadata":{"tag":"back"}}]' 1 5
  search docs '{"vector":[1,0,0,0],"k":1}'
  assert_eq b "$HIT_IDS" "a re-added item is found"
  assert_contains "$HTTP_BODY" '"metadata":{"tag":"back"}' "the re-added item's metadata"

  case_begin "$MODE: adding an existing id replaces it"
  expect_added docs '[{"id":"c","vector":[0,0,0,5],"metadata":{"tag":"moved"}}]' 1 5
  http GET /v1/indexes/docs/vectors/c
  assert_contains "$HTTP_BODY" '"vector":[0.0,0.0,0.0,5.0]' "vector of the replaced item"
  assert_contains "$HTTP_BODY" '"metadata":{"tag":"moved"}' "metadata of the replaced item"
  search docs '{"vector":[0,0,0,5],"k":1}'
  assert_eq c "$HIT_IDS" "the replaced item at its new place"
  assert_eq 0.0 "$HIT_DISTS" "distance of the replaced item at its new place"
  search docs '{"vector":[0,2,0,0],"k":5}'
  assert_eq a "$(first_line <<<"$HIT_IDS")" "nearest to c's old place"
  assert_eq 1 "$(grep -c '^c$' <<<"$HIT_IDS")" "c appears once in the hits"
  assert_eq 29.0 "$(sed -n 5p <<<"$HIT_DISTS")" "c's distance from its old place"

  case_begin "$MODE: bad batches are 400 naming the item, and add nothing"
  refused_batch docs 1 "3 components" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g","vector":[1,2,3]}]' f g
  refused_batch docs 2 "5 components" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"c","vector":[9,9,9,9]},{"id":"g","vector":[1,2,3,4,5]}]' f g
  refused_batch docs 1 "appears twice" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"f","vector":[4,3,2,1]}]' f
  refused_batch docs 1 "empty" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"","vector":[4,3,2,1]}]' f
  refused_batch docs 1 '"id"' \
    '[{"id":"f","vector":[1,2,3,4]},{"vector":[4,3,2,1]}]' f
  refused_batch docs 1 '"id"' \
    '[{"id":"f","vector":[1,2,3,4]},{"id":7,"vector":[4,3,2,1]}]' f
  refused_batch docs 1 '"vector"' \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g"}]' f g
  refused_batch docs 0 '"id"' '["f"]' f
  refused_batch docs 1 "metadata" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g","vector":[4,3,2,1],"metadata":[1,2]}]' f g
  refused_batch docs 1 "metadata" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g","vector":[4,3,2,1],"metadata":"text"}]' f g
  refused_batch docs 1 "component 2" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g","vector":[4,3,"2",1]}]' f g
  refused_batch docs 1 "array" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g","vector":"4,3,2,1"}]' f g
  # JSON has no NaN or infinity, but 1e39 is past float's range: it becomes inf.
  refused_batch docs 1 "component 3 is not a finite number" \
    '[{"id":"f","vector":[1,2,3,4]},{"id":"g","vector":[4,3,2,1e39]}]' f g
  refused_batch docs 0 "0 components" '[{"id":"f","vector":[]}]' f
  local long_id
  long_id=$(printf 'x%.0s' $(seq 257))
  refused_batch docs 1 "257 bytes" \
    "[{\"id\":\"f\",\"vector\":[1,2,3,4]},{\"id\":\"$long_id\",\"vector\":[4,3,2,1]}]" f "$long_id"
  refused_batch docs 1 "metadata exceeds" \
    "[{\"id\":\"f\",\"vector\":[1,2,3,4]},{\"id\":\"g\",\"vector\":[4,3,2,1],\"metadata\":{\"s\":\"$(head -c 66000 /dev/zero | tr '\0' x)\"}}]" f g
  refused_batch docs 256 "5 components" \
    "[$(for i in $(seq 0 255); do printf '{"id":"bulk%d","vector":[%d,0,0,1]},' "$i" "$i"; done){\"id\":\"bulk256\",\"vector\":[1,0,0,0,0],\"metadata\":{}}]" \
    bulk0 bulk100 bulk255 bulk256
  # The replace in the refused batch above did not happen either.
  http GET /v1/indexes/docs/vectors/c
  assert_contains "$HTTP_BODY" '"vector":[0.0,0.0,0.0,5.0]' "c after a refused batch that replaced it"
  for body in '{"items":{"id":"f"}}' '{"itemz":[]}' '{"items":[]' '[1]' ''; do
    post_json /v1/indexes/docs/vectors "$body"
    assert_error 400 invalid_argument "add body $(smoke_show "$body")"
  done
  index_count docs
  assert_eq 5 "$COUNT" "count after refused batches"

  case_begin "$MODE: cosine index"
  expect_added notes '[
    {"id":"p","vector":[1,0,0],"metadata":{"lang":"en"}},
    {"id":"q","vector":[0,3,0],"metadata":{"lang":"de"}},
    {"id":"r","vector":[1,1,0]},
    {"id":"s","vector":[-2,0,0]}]' 4 4
  # From (2,0,0): p 0 (same direction, any length), r 1-cos45 ~ 0.2929, q 1, s 2
  search notes '{"vector":[2,0,0],"k":4}'
  assert_eq $'p\nr\nq\ns' "$HIT_IDS" "cosine ids in order"
  local d expected i=0
  for expected in 0 0.29289 1 2; do
    i=$((i + 1))
    d=$(sed -n "${i}p" <<<"$HIT_DISTS")
    near_zero "$(awk -v d="$d" -v e="$expected" 'BEGIN { print d - e }')" 1e-4 ||
      fail "cosine distance $i: expected about $expected, got $d"
  done
  http GET /v1/indexes/notes/vectors/q
  assert_contains "$HTTP_BODY" '"vector":[0.0,3.0,0.0]' "a cosine item comes back at its length"
  assert_contains "$HTTP_BODY" '"metadata":{"lang":"de"}' "metadata of q"
  refused_batch notes 1 "zero vector" \
    '[{"id":"t","vector":[0,1,1]},{"id":"u","vector":[0,0,0]}]' t u
  refused_batch notes 0 "zero vector" '[{"id":"u","vector":[0,0,0],"metadata":{}}]' u
  post_json /v1/indexes/notes/search '{"vector":[0,0,0]}'
  assert_error 400 invalid_argument "a zero query for cosine"
  index_count notes
  assert_eq 4 "$COUNT" "count of notes"

  case_begin "$MODE: inner product index"
  expect_added dots_2 '[{"id":"u","vector":[1,0]},{"id":"v","vector":[0,0.5]},{"id":"w","vector":[-1,0]}]' 3 3
  search dots_2 '{"vector":[1,0.5],"k":3}'
  # 1 - dot: u 0, v 0.75, w 2
  assert_eq $'u\nv\nw' "$HIT_IDS" "ip ids in order"
  assert_eq $'0.0\n0.75\n2.0' "$HIT_DISTS" "ip distances"

  case_begin "$MODE: unknown indexes are 404"
  http GET /v1/indexes/nosuch
  assert_error 404 not_found "GET /v1/indexes/nosuch"
  http DELETE /v1/indexes/nosuch
  assert_error 404 not_found "DELETE /v1/indexes/nosuch"
  add_items nosuch '[{"id":"a","vector":[1,0,0,0]}]'
  assert_error 404 not_found "add to nosuch"
  post_json /v1/indexes/nosuch/search '{"vector":[1,0,0,0]}'
  assert_error 404 not_found "search nosuch"
  http GET /v1/indexes/nosuch/vectors/a
  assert_error 404 not_found "GET an item of nosuch"
  http DELETE /v1/indexes/nosuch/vectors/a
  assert_error 404 not_found "DELETE an item of nosuch"

  if [[ $MODE == serve ]]; then
    case_begin "serve: each index is one stored base plus its deltas; a restart keeps them"
    # _vectors/ is the system's own key space, which the object API refuses
    # (403): look in the local store's directory instead.
    http GET /v1/objects -G --data-urlencode prefix=_vectors/
    assert_error 403 forbidden "the object API does not list _vectors/"
    # Bases are NAME.lhv1; each index's deltas are under NAME/d/.
    assert_eq $'docs.lhv1\ndots_2.lhv1\nnotes.lhv1' \
      "$(ls "$SMOKE_TMP/serve-data/objects/_vectors%2F" | grep -v '%2F$')" "bases under _vectors/"
    stop_server "$SERVER_PID"
    start_serve
    http GET /v1/indexes
    assert_eq $'docs\ndots_2\nnotes' "$(json_strs name <<<"$HTTP_BODY")" "indexes after the restart"
    assert_eq $'5\n3\n4' "$(json_nums count <<<"$HTTP_BODY")" "counts after the restart"
    assert_contains "$HTTP_BODY" '"skipped":[]' "skipped after the restart"
    http GET /v1/indexes/docs
    expect_index docs 4 l2 8 64 32 5
    assert_eq true "$(json_bool persisted)" "persisted of docs after the restart"
    search docs '{"vector":[0.25,0,0,0],"k":5}'
    assert_eq $'a\nb\ne\nd\nc' "$HIT_IDS" "docs search after the restart"
    assert_contains "$HTTP_BODY" '"id":"b","metadata":{"tag":"back"}' "metadata after the restart"
    http GET /v1/indexes/docs/vectors/b
    assert_status 200 "GET b after the restart"
    assert_contains "$HTTP_BODY" '"vector":[1.0,0.0,0.0,0.0]' "vector of b after the restart"
    http GET /v1/indexes/docs/vectors/c
    assert_contains "$HTTP_BODY" '"vector":[0.0,0.0,0.0,5.0]' "replaced vector after the restart"
  fi

  case_begin "$MODE: delete an index"
  http DELETE /v1/indexes/docs
  assert_status 204 "DELETE /v1/indexes/docs"
  http GET /v1/indexes/docs
  assert_error 404 not_found "GET a deleted index"
  http DELETE /v1/indexes/docs
  assert_error 404 not_found "DELETE a deleted index"
  post_json /v1/indexes/docs/search '{"vector":[1,0,0,0]}'
  assert_error 404 not_found "search a deleted index"
  http GET /v1/indexes
  assert_eq $'dots_2\nnotes' "$(json_strs name <<<"$HTTP_BODY")" "indexes after the delete"
  if [[ $MODE == serve ]]; then
    [[ ! -e "$SMOKE_TMP/serve-data/objects/_vectors%2F/docs.lhv1" ]] ||
      fail "the deleted index's object is still stored"
    [[ -f "$SMOKE_TMP/serve-data/objects/_vectors%2F/notes.lhv1" ]] ||
      fail "another index's object is gone"
  fi
  # The name is free again, and starts empty.
  create_index '{"name":"docs","dim":2,"metric":"l2"}'
  assert_status 201 "create docs again after its delete"
  expect_index docs 2 l2 16 200 64 0
  http GET /v1/indexes/docs/vectors/a
  assert_error 404 not_found "an item of the old docs"
}

start_serve() {
  start_server serve serve --data "$SMOKE_TMP/serve-data" --listen 127.0.0.1:0
}

# --------------------------------------------------------------------------------------
MODE=vectord PERSISTED=false
case_begin "vectord: start, ephemeral"
mkdir -p "$SMOKE_TMP/vectord"
cat >"$SMOKE_TMP/vectord/lakehouse.toml" <<'EOF'
# vectord alone: in memory, on a free port
[vectord]
listen = "127.0.0.1:0"
storaged_url = ""
EOF
SERVER_CWD="$SMOKE_TMP/vectord" start_server vectord vectord --config "$SMOKE_TMP/vectord/lakehouse.toml"
VECTORD_PID=$SERVER_PID
grep -q 'ephemeral' "$SMOKE_TMP/logs/vectord.err" "$SMOKE_TMP/logs/vectord.out" ||
  fail "vectord does not log that its indexes are ephemeral"
scenario
http GET /v1/objects
assert_error 404 '*' "vectord serves no objects"
case_begin "vectord: stop; nothing is kept"
stop_server "$VECTORD_PID"
assert_eq "lakehouse.toml" "$(ls -A "$SMOKE_TMP/vectord")" "files vectord left in its folder"
SERVER_CWD="$SMOKE_TMP/vectord" start_server vectord vectord --config "$SMOKE_TMP/vectord/lakehouse.toml"
http GET /v1/indexes
assert_contains "$HTTP_BODY" '"indexes":[]' "indexes after an ephemeral vectord restarts"
stop_server "$SERVER_PID"

MODE=serve PERSISTED=true
case_begin "serve: start"
start_serve
scenario
stop_server "$SERVER_PID"

echo "PASS [$SMOKE_NAME]"
