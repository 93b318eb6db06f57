#!/usr/bin/env bash
# The front door (D6, part): `lakehouse gateway` in front of storaged,
# catalogd, queryd and vectord as separate processes, and `serve`, both with
# API tokens:
#   - every API group answers through the gateway (objects, datasets and
#     ingest, query, vectors), bodies streamed both ways;
#   - tokens: none -> 401, too low a scope -> 403, enough -> the service's
#     answer; /healthz stays public;
#   - /healthz?deep=1 checks each service; a killed service gives 503
#     naming it, on its routes and in the deep health check, and everything
#     works again once it is back;
#   - the system's key spaces (_catalog/, data/, _vectors/, _lakehouse/) are
#     refused on the object API to every token, escaped or not, and hidden
#     from listings; storaged's internal routes are not forwarded (404);
#   - /healthz?deep=1 needs a read token and shows no server path;
#   - a damaged manifest is listed as damaged, never a 500 of the listing,
#     the UI overview or deep health;
#   - /metrics counts requests by route;
#   - without tokens, serve does not agree to listen beyond loopback.
#
#   tests/smoke/gateway_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

READ=rrrrrrrrrrrrrrrrrrrrrrrr
WRITE=wwwwwwwwwwwwwwwwwwwwwwww
ADMIN=aaaaaaaaaaaaaaaaaaaaaaaa
SPLIT=$SMOKE_TMP/split
mkdir -p "$SPLIT"
printf 'reader read %s\nwriter write %s\nboss admin %s\n' "$READ" "$WRITE" "$ADMIN" >"$SPLIT/tokens"
pick_ports 5
cat >"$SPLIT/lakehouse.toml" <<EOF
[auth]
token_file = "tokens"
[storaged]
listen = "127.0.0.1:${PORTS[0]}"
root = "objects"
[catalogd]
listen = "127.0.0.1:${PORTS[1]}"
storaged_url = "http://127.0.0.1:${PORTS[0]}"
scratch = "scratch/catalogd"
vectord_url = "http://127.0.0.1:${PORTS[3]}"
[queryd]
listen = "127.0.0.1:${PORTS[2]}"
catalogd_url = "http://127.0.0.1:${PORTS[1]}"
storaged_url = "http://127.0.0.1:${PORTS[0]}"
scratch = "scratch/queryd"
vectord_url = "http://127.0.0.1:${PORTS[3]}"
[vectord]
listen = "127.0.0.1:${PORTS[3]}"
storaged_url = "http://127.0.0.1:${PORTS[0]}"
queryd_url = "http://127.0.0.1:${PORTS[2]}"
[gateway]
listen = "127.0.0.1:${PORTS[4]}"
storaged_url = "http://127.0.0.1:${PORTS[0]}"
catalogd_url = "http://127.0.0.1:${PORTS[1]}"
queryd_url = "http://127.0.0.1:${PORTS[2]}"
vectord_url = "http://127.0.0.1:${PORTS[3]}"
EOF

# as TOKEN METHOD PATH [curl args]: one request, with a bearer token if set.
as() {
  local token=$1
  shift
  if [[ -n "$token" ]]; then
    http "$@" -H "Authorization: Bearer $token"
  else
    http "$@"
  fi
}

start() { # NAME: one service of the split config
  SERVER_CWD=$SPLIT start_server "$1" "$1" --config "$SPLIT/lakehouse.toml"
}

# Every API group through $SERVER_URL with the tokens enforced.
exercise() {
  local what=$1
  case_begin "$what: tokens and scopes"
  as "" GET /v1/datasets
  assert_status 401 "no token"
  as "not-a-real-token-000000" GET /v1/datasets
  assert_status 401 "unknown token"
  as "$READ" GET /v1/datasets
  assert_status 200 "read may list"
  as "$READ" PUT /v1/objects/notes/a.txt --data-binary "hello"
  assert_status 403 "read may not write"
  as "" GET /healthz
  assert_status 200 "health is public"

  case_begin "$what: objects through the front door"
  head -c 3000000 /dev/urandom >"$SMOKE_TMP/blob"
  as "$WRITE" PUT /v1/objects/notes/blob.bin --data-binary @"$SMOKE_TMP/blob"
  assert_status 201 "PUT streamed through"
  as "$READ" GET /v1/objects/notes/blob.bin -o "$SMOKE_TMP/blob.back"
  assert_status 200 "GET"
  cmp -s "$SMOKE_TMP/blob" "$SMOKE_TMP/blob.back" || fail "the object came back different"
  as "$READ" HEAD /v1/objects/notes/blob.bin
  assert_status 200 "HEAD"
  as "$READ" GET "/v1/objects?prefix=notes/"
  assert_contains "$HTTP_BODY" '"notes/blob.bin"' "list"

  case_begin "$what: ingest and query"
  printf 'id,name,state\n1,Ada,TX\n2,Grace,CA\n3,Linus,TX\n' >"$SMOKE_TMP/people.csv"
  as "$WRITE" POST "/v1/datasets/people/ingest?format=csv" --data-binary @"$SMOKE_TMP/people.csv"
  assert_status 201 "ingest through the front door"
  as "$READ" POST /v1/query -H 'Content-Type: application/json' \
    --data-binary '{"sql":"SELECT count(*) AS n FROM people WHERE state = '\''TX'\''"}'
  assert_status 200 "query"
  assert_contains "$HTTP_BODY" '[2]' "query answer"
  as "$WRITE" DELETE /v1/datasets/people
  assert_status 403 "write may not delete a dataset"
  as "$WRITE" POST /v1/datasets/people/erase --data-binary '{"where":"id = 2"}'
  assert_status 403 "write may not erase"
  as "$ADMIN" POST /v1/datasets/people/erase --data-binary '{"where":"id = 2"}'
  assert_status 201 "admin erases"
  assert_contains "$HTTP_BODY" '"indexes":[]' "vectord was told: no index is built from people"
  as "$READ" GET /v1/datasets/people/erasures
  assert_status 200 "read lists erasures"
  assert_contains "$HTTP_BODY" '"where":"id = 2"' "the erasure log"
  as "$READ" POST /v1/query -H 'Content-Type: application/json' \
    --data-binary '{"sql":"SELECT count(*) AS n FROM \"people@1\""}'
  assert_contains "$HTTP_BODY" '[2]' "version 1 lost the erased row"

  case_begin "$what: the system's keys are not the object API's"
  local manifest=_catalog/people/v/0000000001.json token
  for token in "$WRITE" "$ADMIN"; do
    as "$token" DELETE "/v1/objects/$manifest"
    assert_error 403 forbidden "DELETE a manifest"
    assert_contains "$HTTP_BODY" '_catalog/' "the refusal names the reserved prefix"
    as "$token" DELETE "/v1/objects/%5Fcatalog%2Fpeople%2Fv%2F0000000001.json"
    assert_error 403 forbidden "DELETE a manifest, escaped"
    as "$token" PUT "/v1/objects/_catalog/forged/v/0000000001.json" -H 'If-None-Match: *' \
      --data-binary '{}'
    assert_status 403 "put-if-absent of a forged manifest"
    as "$token" GET "/v1/objects/$manifest"
    assert_status 403 "GET a manifest"
    as "$token" HEAD "/v1/objects/$manifest"
    assert_status 403 "HEAD a manifest"
    as "$token" GET "/v1/objects?prefix=data/"
    assert_error 403 forbidden "list the data files"
    as "$token" GET "/v1/objects?prefix="
    assert_status 200 "list everything"
    assert_contains "$HTTP_BODY" '"notes/blob.bin"' "the user's keys are listed"
    assert_not_contains "$HTTP_BODY" '"_catalog/' "manifests are not"
    assert_not_contains "$HTTP_BODY" '"data/' "data files are not"
    as "$token" GET "/v1/objects?prefix=_"
    assert_not_contains "$HTTP_BODY" '"_' "nor anything else of the system's"
    as "$token" GET "/v1/internal/objects/$manifest"
    assert_status 404 "storaged's internal routes are not the front door's"
    as "$token" DELETE "/v1/internal/objects/$manifest"
    assert_status 404 "not even to delete"
  done
  as "$READ" GET /v1/datasets/people
  assert_status 200 "the dataset is intact"
  as "$READ" POST /v1/query -H 'Content-Type: application/json' \
    --data-binary '{"sql":"SELECT count(*) AS n FROM people"}'
  assert_contains "$HTTP_BODY" '[2]' "and its rows (less the erased one)"

  case_begin "$what: vectors"
  as "$WRITE" POST /v1/indexes -H 'Content-Type: application/json' \
    --data-binary '{"name":"g","dim":2,"metric":"l2"}'
  assert_status 201 "create index"
  as "$WRITE" POST /v1/indexes/g/vectors -H 'Content-Type: application/json' \
    --data-binary '{"items":[{"id":"a","vector":[0,0]},{"id":"b","vector":[5,5]}]}'
  assert_status 200 "add"
  as "$READ" POST /v1/indexes/g/search -H 'Content-Type: application/json' \
    --data-binary '{"vector":[4,4],"k":1}'
  assert_contains "$HTTP_BODY" '"id":"b"' "search"
  as "$WRITE" DELETE /v1/indexes/g
  assert_status 403 "write may not drop an index"
  as "$ADMIN" DELETE /v1/indexes/g
  assert_status 204 "admin drops it"

  case_begin "$what: metrics"
  as "$READ" GET /metrics
  assert_status 200 "metrics"
  assert_contains "$HTTP_BODY" 'lakehouse_http_requests_total{route="/v1/query",method="POST",status="200"}' "query counted"
  assert_contains "$HTTP_BODY" 'route="/v1/objects/{key*}"' "routes by template"
  assert_not_contains "$HTTP_BODY" 'notes/blob.bin' "no raw paths"
}

case_begin "split: start"
start storaged
start catalogd
start queryd
QUERYD_PID=$SERVER_PID
start vectord
start gateway
GATEWAY_URL=$SERVER_URL
exercise split

case_begin "split: deep health"
as "" GET "/healthz?deep=1"
assert_status 401 "deep health needs a token"
as "$READ" GET "/healthz?deep=1"
assert_status 200 "all healthy"
assert_contains "$HTTP_BODY" '"queryd":{' "queryd checked"

case_begin "split: a service down"
kill9_server "$QUERYD_PID"
as "$READ" POST /v1/query -H 'Content-Type: application/json' --data-binary '{"sql":"SELECT 1"}'
assert_error 503 unavailable "queryd down"
assert_contains "$HTTP_BODY" "queryd at http://127.0.0.1:${PORTS[2]}" "names the service"
as "$READ" GET "/healthz?deep=1"
assert_status 503 "deep health sees it"
assert_contains "$HTTP_BODY" "queryd" "deep health names it"
as "$READ" GET /v1/datasets
assert_status 200 "the rest still answers"
start queryd
SERVER_URL=$GATEWAY_URL
as "$READ" POST /v1/query -H 'Content-Type: application/json' --data-binary '{"sql":"SELECT 41 + 1 AS x"}'
assert_status 200 "back again"
assert_contains "$HTTP_BODY" '[42]' "answers again"

case_begin "split: the CLI through the gateway"
RC=0
LAKEHOUSE_TOKEN=$READ "$LH_BIN" sql "SELECT count(*) AS n FROM people" --url "$GATEWAY_URL" \
  >"$SMOKE_TMP/cli.out" 2>&1 || RC=$?
assert_eq 0 "$RC" "sql with a token ($(cat "$SMOKE_TMP/cli.out"))"
RC=0
LAKEHOUSE_TOKEN= "$LH_BIN" sql "SELECT 1" --url "$GATEWAY_URL" >"$SMOKE_TMP/cli.out" 2>&1 || RC=$?
assert_eq 1 "$RC" "sql without a token fails"
assert_contains "$(cat "$SMOKE_TMP/cli.out")" "HTTP 401" "the server's message"

case_begin "split: the demo through the gateway"
RC=0
LAKEHOUSE_TOKEN=$WRITE "$LH_BIN" demo --url "$GATEWAY_URL" >"$SMOKE_TMP/demo.out" 2>&1 || RC=$?
assert_eq 0 "$RC" "demo through the gateway ($(cat "$SMOKE_TMP/demo.out"))"
as "$READ" POST /v1/query -H 'Content-Type: application/json' --data-binary \
  '{"sql":"SELECT (SELECT count(*) FROM candidates), (SELECT count(*) FROM placements p JOIN candidates c ON c.id = p.candidate_id JOIN jobs j ON j.id = p.job_id)"}'
assert_status 200 "demo query"
assert_contains "$HTTP_BODY" '[2000,1500]' "2,000 candidates and 1,500 placements, every one joined"
# vectord read the candidates from queryd to build the index, and queryd's
# vector_search() asks vectord: the join crosses three processes.
assert_contains "$(cat "$SMOKE_TMP/demo.out")" "created candidates_resume from candidates@1: 2000 items" \
  "vectord built the resume index from queryd's rows"
as "$READ" POST /v1/query -H 'Content-Type: application/json' --data-binary \
  "{\"sql\":\"SELECT count(*) FROM vector_search('candidates_resume', 'forklift warehouse', 25) s JOIN candidates c ON c.id = s.id\"}"
assert_status 200 "vector_search joined through the gateway"
assert_contains "$HTTP_BODY" '"rows":[[25]]' "25 hits, each joined to its candidate"
# queryd sends the filter to vectord, which applies it inside the search.
as "$READ" POST /v1/query -H 'Content-Type: application/json' --data-binary \
  "{\"sql\":\"SELECT count(*) FROM vector_search('candidates_resume', 'forklift warehouse', 25, filter := '{\\\"state\\\": \\\"TX\\\"}') s JOIN candidates c ON c.id = s.id WHERE c.state = 'TX'\"}"
assert_status 200 "vector_search with a filter through the gateway"
assert_contains "$HTTP_BODY" '"rows":[[25]]' "25 TX hits, each joined to a TX candidate"
# The resume index has a full-text part: by default a text search fuses the
# vector and keyword rankings, and each hit says both ranks.
as "$READ" POST /v1/indexes/candidates_resume/search -H 'Content-Type: application/json' \
  --data-binary '{"text":"Class A CDL","k":5,"highlight":true}'
assert_status 200 "hybrid search through the gateway"
assert_contains "$HTTP_BODY" '"mode":"hybrid"' "hybrid is the default for text"
assert_contains "$HTTP_BODY" '"keyword_rank":1' "the best keyword match has its rank"
assert_contains "$HTTP_BODY" '"matched":["a","cdl","class"]' "and its matched terms"
as "$READ" POST /v1/indexes/candidates_resume/search -H 'Content-Type: application/json' \
  --data-binary '{"text":"forklift","mode":"keyword","k":5,"filter":{"state":"TX"}}'
assert_status 200 "keyword search with a filter through the gateway"
assert_eq 5 "$(printf '%s' "$HTTP_BODY" | grep -o '"state":"TX"' | wc -l)" "5 TX hits by keyword"
as "$READ" POST /v1/indexes/candidates_resume/search -H 'Content-Type: application/json' \
  --data-binary '{"text":"forklift","mode":"fuzzy"}'
assert_status 400 "an unknown mode"
# hybrid_search asks vectord in its mode: keywords and vectors fused there.
as "$READ" POST /v1/query -H 'Content-Type: application/json' --data-binary \
  "{\"sql\":\"SELECT count(*), count(s.keyword_rank) > 0 FROM hybrid_search('candidates_resume', 'forklift warehouse', 25) s JOIN candidates c ON c.id = s.id\"}"
assert_status 200 "hybrid_search joined through the gateway"
assert_contains "$HTTP_BODY" '"rows":[[25,true]]' "25 hits, each joined, some found by keywords"
RC=0
LAKEHOUSE_TOKEN=$WRITE "$LH_BIN" demo --url "$GATEWAY_URL" >"$SMOKE_TMP/demo.out" 2>&1 || RC=$?
assert_eq 0 "$RC" "second demo"
assert_contains "$(grep '^demo:' "$SMOKE_TMP/demo.out")" "5 unchanged" "idempotent through the gateway"
assert_contains "$(cat "$SMOKE_TMP/demo.out")" "refreshed candidates_resume from candidates@1: 2000 items (0 embedded, 0 removed" \
  "the second run re-embeds nothing"
RC=0
LAKEHOUSE_TOKEN=$READ "$LH_BIN" demo --url "$GATEWAY_URL" --scale 2 >"$SMOKE_TMP/demo.out" 2>&1 ||
  RC=$?
assert_ne 0 "$RC" "a read token cannot change the demo data"
# The refusal comes before the upload is read, so the client may see the
# connection close mid-upload instead of the 403; either way nothing changed.
as "$READ" GET /v1/datasets/candidates
assert_contains "$HTTP_BODY" '"rows":2000' "still the scale-1 data"

case_begin "serve with tokens"
printf '[auth]\ntoken_file = "%s/tokens"\n' "$SPLIT" >"$SMOKE_TMP/serve.toml"
start_server serve serve --data "$SMOKE_TMP/serve-data" --listen 127.0.0.1:0 --config "$SMOKE_TMP/serve.toml"
exercise serve
as "" GET "/healthz?deep=1"
assert_status 401 "serve's deep health needs a token"
as "$READ" GET "/healthz?deep=1"
assert_status 200 "serve's deep health"
assert_contains "$HTTP_BODY" '"storage":{' "storage checked"
assert_not_contains "$HTTP_BODY" "$SMOKE_TMP" "no server path in health"

case_begin "serve: a damaged manifest is reported, not a failure"
# Written straight into the local backend's directory, as a bad disk or a
# careless hand would (the object API refuses _catalog/).
damaged_dir="$SMOKE_TMP/serve-data/objects/_catalog%2F/zzz%2F/v%2F"
mkdir -p "$damaged_dir"
printf 'not a manifest {' >"$damaged_dir/0000000001.json"
as "$READ" GET /v1/datasets
assert_status 200 "the listing still answers"
assert_contains "$HTTP_BODY" '"name":"people"' "with the good datasets"
assert_contains "$HTTP_BODY" '"damaged":[{"error":' "and the damaged one"
assert_contains "$HTTP_BODY" '"key":"_catalog/zzz/v/0000000001.json"' "named by its key"
as "$READ" GET /v1/datasets/zzz
assert_error 500 io_error "the damaged dataset itself"
assert_contains "$HTTP_BODY" "_catalog/zzz/v/0000000001.json" "names the manifest"
as "$READ" GET / -H 'Accept: text/html'
assert_status 200 "the overview renders"
assert_contains "$HTTP_BODY" '_catalog/zzz/v/0000000001.json' "and shows the damage"
as "$READ" GET "/healthz?deep=1"
assert_status 200 "deep health is not broken by it"
rm -r "$SMOKE_TMP/serve-data/objects/_catalog%2F/zzz%2F"

case_begin "no tokens, no public listener"
RC=0
"$LH_BIN" serve --data "$SMOKE_TMP/open" --listen 0.0.0.0:0 >"$SMOKE_TMP/open.log" 2>&1 || RC=$?
assert_ne 0 "$RC" "serve on 0.0.0.0 without tokens refuses"
assert_contains "$(cat "$SMOKE_TMP/open.log")" "without API tokens" "says why"

echo "PASS [$SMOKE_NAME]"
