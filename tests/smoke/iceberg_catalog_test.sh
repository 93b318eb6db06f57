#!/usr/bin/env bash
# The Iceberg REST catalog (docs/api.md, "Iceberg REST catalog") against a
# real `serve` with API tokens and two datasets ingested over HTTP:
#   - curl: GET /iceberg/v1/config with a read token; without a token 401 in
#     the Iceberg error shape (NotAuthorizedException); a write with a read
#     token reaches the catalog and is 403 ForbiddenException;
#   - iceberg-js, a real Iceberg REST client (iceberg_catalog_clients.mjs):
#     namespaces, tables, each table's metadata-location, format-version 2
#     and current-snapshot-id against GET /v1/datasets/{name}'s version,
#     namespaceExists and tableExists both ways, and the errors of an unknown
#     table, an unknown namespace, create/commit/drop, and a missing or
#     wrong token;
#   - split mode: catalogd behind the gateway, the same client through the
#     gateway, a %1F namespace forwarded intact, a compressed answer whole.
# Needs node and scripts/iceberg-readers installed (scripts/bootstrap.sh).
#
#   tests/smoke/iceberg_catalog_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

HERE=$(cd "$(dirname "$0")" && pwd)
READERS="${LAKEHOUSE_CACHE:-$HOME/.cache/lakehouse}/deps/iceberg-readers"
command -v node >/dev/null || fail "node is not installed: run scripts/bootstrap.sh"
[[ -f "$READERS/node_modules/iceberg-js/package.json" ]] ||
  fail "iceberg-js is not installed in $READERS: run scripts/bootstrap.sh"

READ=rrrrrrrrrrrrrrrrrrrrrrrr
WRITE=wwwwwwwwwwwwwwwwwwwwwwww
printf 'reader read %s\nwriter write %s\n' "$READ" "$WRITE" >"$SMOKE_TMP/tokens"
cat >"$SMOKE_TMP/lakehouse.toml" <<TOML
[auth]
token_file = "tokens"
[iceberg]
namespace = "lakehouse"
TOML
start_server serve serve --config "$SMOKE_TMP/lakehouse.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0

case_begin "two datasets ingested over HTTP, one with a second version"
printf 'id,name,city\n1,Ada,London\n2,Grace,New York\n' >"$SMOKE_TMP/candidates.csv"
printf 'id,title\n10,Engineer\n11,Nurse\n12,Chef\n' >"$SMOKE_TMP/jobs.csv"
printf 'id,title\n13,Pilot\n' >"$SMOKE_TMP/more_jobs.csv"
http POST "/v1/datasets/candidates/ingest?format=csv" -H "Authorization: Bearer $WRITE" \
  --data-binary @"$SMOKE_TMP/candidates.csv"
assert_status 201 "ingest candidates"
http POST "/v1/datasets/jobs/ingest?format=csv" -H "Authorization: Bearer $WRITE" \
  --data-binary @"$SMOKE_TMP/jobs.csv"
assert_status 201 "ingest jobs"
http POST "/v1/datasets/jobs/ingest?format=csv&mode=append" -H "Authorization: Bearer $WRITE" \
  --data-binary @"$SMOKE_TMP/more_jobs.csv"
assert_status 201 "append to jobs"
assert_eq 2 "$(json_num version)" "jobs' version after the append"

case_begin "the catalog is served, with tokens enforced in its own error shape"
http GET /iceberg/v1/config -H "Authorization: Bearer $READ"
# Without a TableSource (cli/iceberg_setup.cpp) serve has no catalog, says
# so in its log, and this is a plain 404.
SERVED=$(grep -h 'iceberg:' "$SMOKE_TMP"/logs/serve.* || true)
assert_status 200 "GET /iceberg/v1/config (serve's log: $(smoke_show "$SERVED"))"
assert_contains "$HTTP_BODY" '"endpoints"' "the config lists its endpoints"
http GET /iceberg/v1/namespaces
assert_status 401 "no token"
assert_contains "$HTTP_BODY" '"type":"NotAuthorizedException"' "401 in the Iceberg shape"
assert_contains "$HTTP_BODY" '"code":401' "the code repeats the status"
http POST /iceberg/v1/namespaces/lakehouse/tables/jobs -H "Authorization: Bearer $READ" \
  -H 'Content-Type: application/json' --data '{"requirements": [], "updates": []}'
assert_status 403 "a commit with a read token"
assert_contains "$HTTP_BODY" '"type":"ForbiddenException"' "403 in the Iceberg shape"
assert_contains "$HTTP_BODY" 'POST /v1/datasets/jobs/ingest' "the refusal names the route to use"

case_begin "iceberg-js: namespaces, tables, metadata and errors"
OUT=$SMOKE_TMP/iceberg-js.out
RC=0
timeout 120 node "$HERE/iceberg_catalog_clients.mjs" --modules "$READERS" --url "$SERVER_URL" \
  --token "$READ" --namespace lakehouse --tables candidates,jobs >"$OUT" 2>&1 || RC=$?
assert_eq 0 "$RC" "iceberg_catalog_clients.mjs: $(smoke_show "$(grep -v '^ok ' "$OUT")")"
assert_contains "$(cat "$OUT")" "all iceberg-js checks passed" "the client's last line"

case_begin "serve stops cleanly"
stop_server "$SERVER_PID"

case_begin "split mode: the gateway forwards /iceberg/v1/ to catalogd"
SPLIT=$SMOKE_TMP/split
mkdir -p "$SPLIT"
cp "$SMOKE_TMP/tokens" "$SPLIT/tokens"
pick_ports 2
cat >"$SPLIT/lakehouse.toml" <<TOML
[auth]
token_file = "tokens"
[storaged]
root = "objects"
[catalogd]
listen = "127.0.0.1:${PORTS[0]}"
storage = "direct"
scratch = "scratch/catalogd"
[gateway]
listen = "127.0.0.1:${PORTS[1]}"
catalogd_url = "http://127.0.0.1:${PORTS[0]}"
TOML
start_server catalogd catalogd --config "$SPLIT/lakehouse.toml"
CATALOGD_PID=$SERVER_PID
start_server gateway gateway --config "$SPLIT/lakehouse.toml"
http POST "/v1/datasets/people/ingest?format=csv" -H "Authorization: Bearer $WRITE" \
  --data-binary @"$SMOKE_TMP/candidates.csv"
assert_status 201 "ingest through the gateway"
http GET /iceberg/v1/namespaces/lakehouse%1Fsub -H "Authorization: Bearer $READ"
assert_status 404 "a two-level namespace through the gateway"
assert_contains "$HTTP_BODY" 'Namespace does not exist: lakehouse.sub' "%1F reaches catalogd intact"
# Iceberg clients (node's fetch, Java's) ask for compressed answers.
http GET /iceberg/v1/config -H "Authorization: Bearer $READ" --compressed
assert_status 200 "config through the gateway, compressed"
assert_contains "$HTTP_BODY" '"endpoints"' "a compressed answer arrives whole through the gateway"
http GET /iceberg/v1/config
assert_status 401 "the gateway's front door refuses without a token"
assert_contains "$HTTP_BODY" '"type":"NotAuthorizedException"' "in the Iceberg shape"
RC=0
timeout 120 node "$HERE/iceberg_catalog_clients.mjs" --modules "$READERS" --url "$SERVER_URL" \
  --token "$READ" --namespace lakehouse --tables people >"$OUT" 2>&1 || RC=$?
assert_eq 0 "$RC" "iceberg_catalog_clients.mjs through the gateway: $(smoke_show "$(grep -v '^ok ' "$OUT")")"
stop_server "$SERVER_PID"
stop_server "$CATALOGD_PID"
