#!/usr/bin/env bash
# D1 smoke: object storage end to end against `lakehouse serve` on a free
# loopback port. Put/get/head/delete (empty and multi-MiB bodies, chunked,
# Range), conditional put, hostile keys (nothing written outside the data
# dir), key encoding round trips, listing order/prefix/pagination, the size
# limit from a config file, restart durability, and kill -9 crash safety.
#
#   tests/smoke/storage_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/object_checks.sh"

DATA="$SMOKE_TMP/d1/data"
mkdir -p "$SMOKE_TMP/d1"

start_server serve serve --data "$DATA" --listen 127.0.0.1:0
MAIN_PID=$SERVER_PID

check_health
check_objects
check_conditional_put
check_hostile_keys "$SMOKE_TMP" "$DATA/objects"
check_key_encoding
check_listing

# ------------------------------------------------------------------------------
case_begin "restart keeps data"
list_everything
before_restart=$HTTP_BODY
stop_server "$MAIN_PID"
if curl -s --max-time 2 -o /dev/null "$SERVER_URL/healthz"; then
  fail "the server still answers after SIGTERM"
fi
start_server serve serve --data "$DATA" --listen 127.0.0.1:0
MAIN_PID=$SERVER_PID
check_survivors "$before_restart"
stop_server "$MAIN_PID"

# ------------------------------------------------------------------------------
LIMITED="$SMOKE_TMP/limited"
mkdir -p "$LIMITED"
printf '[storaged]\nmax_object_bytes = 1048576\n' >"$LIMITED/lakehouse.toml"
start_server limited serve --data "$LIMITED/data" --listen 127.0.0.1:0 --config "$LIMITED/lakehouse.toml"
check_size_limit 1048576 "$LIMITED/data"
stop_server "$SERVER_PID"

# ------------------------------------------------------------------------------
case_begin "crash safety (kill -9 during large PUTs)"
CRASH="$SMOKE_TMP/crash"
mkdir -p "$CRASH/in"
start_server crash serve --data "$CRASH/data" --listen 127.0.0.1:0
CRASH_PID=$SERVER_PID

# Writes up to 40 objects of 4-8 MiB of random bytes one after another,
# recording each key's sha256 before sending it and its status after it;
# rate-limited so that the kill lands during an upload. Stops at the first
# failed request.
(
  for i in $(seq -w 1 40); do
    f="$CRASH/in/$i.bin"
    head -c $((4 * MIB + (RANDOM * 128) % (4 * MIB))) /dev/urandom >"$f"
    sum=$(sha256sum "$f")
    echo "crash/obj-$i ${sum%% *}" >>"$CRASH/manifest"
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --limit-rate 40M -X PUT \
      -H 'Content-Type: application/octet-stream' --data-binary "@$f" \
      "$SERVER_URL/v1/objects/crash/obj-$i") || break
    echo "crash/obj-$i $status" >>"$CRASH/acked"
    [[ "$status" == 201 ]] || break
  done
) &
WRITER_PID=$!
smoke_track_pid "$WRITER_PID"

acked_count() {
  local n=0
  [[ -f "$CRASH/acked" ]] && n=$(grep -c ' 201$' "$CRASH/acked" || true)
  echo "${n:-0}"
}
deadline=$((SECONDS + 20))
while (($(acked_count) < 3)); do
  ((SECONDS < deadline)) || fail "fewer than 3 PUTs completed within 20 s"
  smoke_alive "$WRITER_PID" || fail "the writer stopped early: $(cat "$CRASH/acked" 2>/dev/null || true)"
  sleep 0.02
done
# Kill while the next upload is in flight: its temp file exists.
deadline=$((SECONDS + 5))
until [[ -n "$(find "$CRASH/data" -name '.tmp-*' -print -quit)" ]] || ((SECONDS >= deadline)); do
  sleep 0.01
done
in_flight=$(find "$CRASH/data" -name '.tmp-*' | wc -l)
kill9_server "$CRASH_PID"
wait "$WRITER_PID" || true
sent=$(grep -c . "$CRASH/manifest")
acked=$(acked_count)
echo "    killed with $acked of $sent PUTs acknowledged, $in_flight upload(s) in flight"
((sent < 40)) || fail "all 40 PUTs finished before the kill; nothing was tested"
if grep -v ' 201$' "$CRASH/acked"; then fail "a PUT before the kill did not answer 201"; fi

start_server crash serve --data "$CRASH/data" --listen 127.0.0.1:0
CRASH_PID=$SERVER_PID
# The server's own vectord writer claim (_lakehouse/) is not one of the PUTs.
listed=$(walk_listing 7 | grep -v '^_lakehouse/' || true)
n_listed=$(grep -c . <<<"$listed") || true
((n_listed >= 1)) || fail "no object survived the crash"
while IFS= read -r key; do
  [[ "$key" != *.tmp-* ]] || fail "a temp file is listed: $key"
  want_sha=$(grep -F "$key " "$CRASH/manifest" | first_line)
  [[ -n "$want_sha" ]] || fail "listed key $(smoke_show "$key") was never written"
  get_file "$key" "$SMOKE_TMP/crash.get"
  assert_status 200 "GET $key after the crash"
  assert_file_sha "$SMOKE_TMP/crash.get" "${want_sha#* }" "bytes of $key after the crash (torn object?)"
  http HEAD "/v1/objects/$key"
  assert_eq "$(stat -c %s "$SMOKE_TMP/crash.get")" "$(header_value Content-Length)" "HEAD size of $key"
done <<<"$listed"
while read -r key _; do
  grep -qxF "$key" <<<"$listed" || fail "acknowledged object $key is missing after the crash"
done <"$CRASH/acked"
echo "    $n_listed objects after the restart, all intact"
temps=$(find "$CRASH/data" -name '.tmp-*') || true
assert_eq "" "$temps" "temp files on disk after the restart"
stop_server "$CRASH_PID"

echo "PASS [$SMOKE_NAME]"
