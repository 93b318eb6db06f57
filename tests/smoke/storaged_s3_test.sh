#!/usr/bin/env bash
# The storage smoke of storaged_test.sh with `[storaged] backend = "s3"`,
# against the S3 protocol peer (tests/s3/peer.mjs: s3rver, installed by
# scripts/bootstrap.sh, behind a front that verifies SigV4 and honours
# If-None-Match). Credentials come from the AWS_* environment variables.
# Also: restart durability (the data is in the bucket), the size limit, and
# storaged refusing to start on wrong credentials or on a store that ignores
# If-None-Match.
#
#   tests/smoke/storaged_s3_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/object_checks.sh"

PEER_DIR="$SMOKE_TMP/s3"
pick_ports 1
start_s3_peer "${PORTS[0]}" "$PEER_DIR" smoke SMOKEKEY 'smoke/secret'
SPLIT="$SMOKE_TMP/split"
mkdir -p "$SPLIT"
cat >"$SPLIT/lakehouse.toml" <<EOF
[storaged]
listen = "127.0.0.1:0"
backend = "s3"
[s3]
endpoint = "$PEER"
bucket = "smoke"
EOF

start_server storaged storaged --config "$SPLIT/lakehouse.toml"
STORAGED_PID=$SERVER_PID
assert_contains "$(cat "$SMOKE_TMP/logs/storaged.err" "$SMOKE_TMP/logs/storaged.out")" \
  "s3 bucket smoke" "storaged logs its S3 backend"

check_health
check_objects
check_conditional_put
check_hostile_keys "$SMOKE_TMP" "$PEER_DIR"
check_key_encoding
check_listing

case_begin "nothing is written beside the bucket"
[[ ! -e "$SPLIT/data" && ! -e "$SPLIT/objects" ]] || fail "storaged wrote a local store"

# ------------------------------------------------------------------------------
case_begin "restart keeps data"
list_everything
before_restart=$HTTP_BODY
stop_server "$STORAGED_PID"
start_server storaged storaged --config "$SPLIT/lakehouse.toml"
STORAGED_PID=$SERVER_PID
check_survivors "$before_restart"
stop_server "$STORAGED_PID" INT

# ------------------------------------------------------------------------------
LIMITED="$SMOKE_TMP/limited"
mkdir -p "$LIMITED"
sed 's/^backend = "s3"$/backend = "s3"\nmax_object_bytes = 1048576/' "$SPLIT/lakehouse.toml" >"$LIMITED/lakehouse.toml"
start_server limited storaged --config "$LIMITED/lakehouse.toml"
# No local temp files to look for (the directory stays empty); what a refused
# upload could leave behind on S3 is an unfinished multipart upload.
mkdir -p "$SMOKE_TMP/no-local-store"
check_size_limit 1048576 "$SMOKE_TMP/no-local-store"
uploads=$(find "$PEER_DIR/smoke/._S3rver_uploads" -mindepth 1 -maxdepth 1 2>/dev/null) || true
assert_eq "" "$uploads" "unfinished multipart uploads after refused PUTs"
stop_server "$SERVER_PID"

# ------------------------------------------------------------------------------
case_begin "wrong credentials stop storaged with a message naming the bucket"
rc=0
AWS_SECRET_ACCESS_KEY=wrong timeout 20 "$LH_BIN" storaged --config "$SPLIT/lakehouse.toml" \
  >"$SMOKE_TMP/bad.out" 2>"$SMOKE_TMP/bad.err" </dev/null || rc=$?
((rc != 0 && rc != 124)) || fail "storaged did not refuse wrong credentials (exit $rc)"
assert_contains "$(cat "$SMOKE_TMP/bad.err")" 'bucket "smoke"' "stderr names the bucket"
assert_contains "$(cat "$SMOKE_TMP/bad.err")" "$PEER" "stderr names the endpoint"

case_begin "a store that ignores If-None-Match stops storaged"
curl -sf -o /dev/null "$PEER/__peer/conditional?on=0" || fail "peer control"
rc=0
timeout 20 "$LH_BIN" storaged --config "$SPLIT/lakehouse.toml" \
  >"$SMOKE_TMP/bad.out" 2>"$SMOKE_TMP/bad.err" </dev/null || rc=$?
((rc != 0 && rc != 124)) || fail "storaged started on a store without conditional writes (exit $rc)"
assert_contains "$(cat "$SMOKE_TMP/bad.err")" "If-None-Match" "stderr says why"
curl -sf -o /dev/null "$PEER/__peer/conditional?on=1" || fail "peer control"

case_begin "backend = \"s3\" without [s3] is a config error"
printf '[storaged]\nlisten = "127.0.0.1:0"\nbackend = "s3"\n' >"$SMOKE_TMP/nos3.toml"
rc=0
timeout 10 "$LH_BIN" storaged --config "$SMOKE_TMP/nos3.toml" >/dev/null 2>"$SMOKE_TMP/bad.err" </dev/null || rc=$?
((rc != 0 && rc != 124)) || fail "storaged accepted backend = s3 without [s3]"
assert_contains "$(cat "$SMOKE_TMP/bad.err")" "endpoint and bucket" "stderr says what is missing"

echo "PASS [$SMOKE_NAME]"
