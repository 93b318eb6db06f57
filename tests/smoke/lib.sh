# Shared helpers of the end-to-end smoke scripts; sourced, never run.
#
#   source "$(dirname "$0")/lib.sh" "$@"     # $1 = the lakehouse binary
#
# Needs only bash, curl, coreutils and find. Every script gets:
#   SMOKE_TMP            a private temp dir, removed on exit
#   start_server NAME ARGS...   runs `lakehouse ARGS...` in the background,
#                        waits for its "listening on" line and /healthz, and
#                        sets SERVER_URL, SERVER_PID (also LAKEHOUSE_URL)
#   stop_server PID [SIG]  SIGTERM (or SIG), then waits; fails unless it exits 0
#   kill9_server PID     SIGKILL, then reaps it
#   http METHOD KEY-PATH [curl args]   one request; sets HTTP_STATUS, HTTP_BODY
#   pick_ports [N]       N free loopback ports into PORTS
#   assert_* / fail      print "FAIL [script] case: message" and exit 1
# An EXIT trap kills whatever server or helper is still running and removes
# the temp dir, whether the script passes, fails or is interrupted.

set -euo pipefail
shopt -s inherit_errexit
export LC_ALL=C # byte order for sort, byte semantics for ${#s}

SMOKE_NAME=$(basename "$0" .sh)
SMOKE_CASE="setup"
SMOKE_PIDS=()

if [[ $# -lt 1 || -z "$1" ]]; then
  echo "usage: $0 PATH/TO/lakehouse" >&2
  exit 2
fi
LH_BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [[ ! -x "$LH_BIN" ]]; then
  echo "FAIL [$SMOKE_NAME] setup: $1 is not an executable" >&2
  exit 2
fi
for tool in curl sha256sum head cmp mktemp od dd stat timeout tr sort find; do
  command -v "$tool" >/dev/null || {
    echo "FAIL [$SMOKE_NAME] setup: $tool is not installed" >&2
    exit 2
  }
done

SMOKE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-smoke.XXXXXX")

# Seconds to wait for a server to come up or go down.
SMOKE_START_TIMEOUT=${SMOKE_START_TIMEOUT:-15}
SMOKE_STOP_TIMEOUT=${SMOKE_STOP_TIMEOUT:-15}
# Upper bound of any single curl call, so a hung server fails the test
# instead of hanging it.
SMOKE_CURL_TIMEOUT=${SMOKE_CURL_TIMEOUT:-30}

smoke_cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${SMOKE_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ $rc -ne 0 && -n "${SMOKE_KEEP_TMP:-}" ]]; then
    echo "[$SMOKE_NAME] kept $SMOKE_TMP" >&2
  else
    rm -rf "$SMOKE_TMP"
  fi
  exit "$rc"
}
trap smoke_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Remembers a background process (server or helper) so the trap ends it.
smoke_track_pid() { SMOKE_PIDS+=("$1"); }

# --- reporting --------------------------------------------------------------

# Names the case the following assertions belong to.
case_begin() {
  SMOKE_CASE=$1
  echo "  [$SMOKE_NAME] $SMOKE_CASE"
}

fail() {
  echo "FAIL [$SMOKE_NAME] $SMOKE_CASE: $*" >&2
  if [[ -n "${SERVER_LOG_HINT:-}" ]]; then
    echo "  (server logs: $SERVER_LOG_HINT; set SMOKE_KEEP_TMP=1 to keep them)" >&2
  fi
  exit 1
}

# Prints a value for a message: quoted, cut short when long.
smoke_show() {
  local s=$1
  if ((${#s} > 300)); then s="${s:0:300}... (${#1} bytes)"; fi
  printf '"%s"' "$s"
}

assert_eq() { # expected actual message
  [[ "$1" == "$2" ]] || fail "$3: expected $(smoke_show "$1"), got $(smoke_show "$2")"
}

assert_ne() { # unexpected actual message
  [[ "$1" != "$2" ]] || fail "$3: did not expect $(smoke_show "$2")"
}

assert_contains() { # haystack needle message
  [[ "$1" == *"$2"* ]] || fail "$3: $(smoke_show "$1") does not contain $(smoke_show "$2")"
}

assert_not_contains() { # haystack needle message
  [[ "$1" != *"$2"* ]] || fail "$3: $(smoke_show "$1") contains $(smoke_show "$2")"
}

# The last http call answered this status.
assert_status() { # expected-status message
  [[ "$HTTP_STATUS" == "$1" ]] ||
    fail "$2: expected HTTP $1, got HTTP $HTTP_STATUS with body $(smoke_show "$HTTP_BODY")"
}

# The last http call answered this status with the contract's JSON error
# shape {"error":{"code":CODE,"message":...}}; CODE '*' accepts any code.
assert_error() { # expected-status expected-code message
  assert_status "$1" "$3"
  [[ "$HTTP_BODY" == '{"error":{'* ]] || fail "$3: error body is not {\"error\":{...}}: $(smoke_show "$HTTP_BODY")"
  local code message
  code=$(json_str code <<<"$HTTP_BODY")
  message=$(json_str message <<<"$HTTP_BODY")
  if [[ "$2" == '*' ]]; then
    [[ -n "$code" ]] || fail "$3: error has no code: $(smoke_show "$HTTP_BODY")"
  else
    assert_eq "$2" "$code" "$3: error code"
  fi
  [[ -n "$message" ]] || fail "$3: error has no message: $(smoke_show "$HTTP_BODY")"
}

assert_file_sha() { # file expected-sha256 message
  local got
  got=$(sha256_of "$1")
  assert_eq "$2" "$got" "$3: sha256"
}

# --- ports ------------------------------------------------------------------

# True when something listens on 127.0.0.1:PORT (or it is bound at all).
port_taken() {
  local hex
  printf -v hex ':%04X ' "$1"
  if grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null; then return 0; fi
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# N distinct free ports (default 3) below the ephemeral range, so no port-0
# listener or outgoing connection takes them meanwhile, into PORTS. For
# services that must come back on the same port after a restart.
pick_ports() { # [N]
  local want=${1:-3} port tries=0
  PORTS=()
  while ((${#PORTS[@]} < want)); do
    ((++tries < 500)) || fail "no free ports found"
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ " ${PORTS[*]} " == *" $port "* ]] && continue
    port_taken "$port" && continue
    PORTS+=("$port")
  done
}

# --- servers ------------------------------------------------------------------

# Starts `lakehouse ARGS...` with stdout and stderr in $SMOKE_TMP/logs/NAME.out
# and NAME.err (in the directory $SERVER_CWD when set), waits for "listening
# on http://HOST:PORT" and /healthz = 200, and sets SERVER_URL and SERVER_PID.
start_server() {
  local name=$1
  shift
  mkdir -p "$SMOKE_TMP/logs"
  local out="$SMOKE_TMP/logs/$name.out" err="$SMOKE_TMP/logs/$name.err"
  # A restart under the same name keeps the earlier logs.
  [[ -e "$out" ]] && mv "$out" "$out.$(date +%s%N)"
  [[ -e "$err" ]] && mv "$err" "$err.$(date +%s%N)"
  (
    cd "${SERVER_CWD:-.}"
    exec "$LH_BIN" "$@" >"$out" 2>"$err" </dev/null
  ) &
  local pid=$!
  smoke_track_pid "$pid"
  SERVER_LOG_HINT="$SMOKE_TMP/logs/$name.{out,err}"

  local deadline=$((SECONDS + SMOKE_START_TIMEOUT)) line=""
  while :; do
    line=$(grep -ho 'listening on http://[^ ]*' "$err" "$out" 2>/dev/null | first_line) || true
    [[ -n "$line" ]] && break
    if ! smoke_alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      fail "server '$name' ($*) exited before listening; stderr: $(smoke_show "$(cat "$err")") stdout: $(smoke_show "$(cat "$out")")"
    fi
    ((SECONDS < deadline)) || fail "server '$name' did not log 'listening on' within ${SMOKE_START_TIMEOUT}s"
    sleep 0.05
  done
  SERVER_URL=${line#listening on }
  SERVER_URL=${SERVER_URL%/}
  [[ "$SERVER_URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "unexpected listen URL $(smoke_show "$SERVER_URL")"
  # shellcheck disable=SC2034 # for the scripts
  SERVER_PID=$pid
  export LAKEHOUSE_URL=$SERVER_URL

  local status
  while :; do
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$SERVER_URL/healthz") || true
    [[ "$status" == 200 ]] && break
    smoke_alive "$pid" || fail "server '$name' died before /healthz answered"
    ((SECONDS < deadline)) || fail "server '$name' /healthz did not answer 200 within ${SMOKE_START_TIMEOUT}s (last: $status)"
    sleep 0.05
  done
}

# True while PID runs (a child that exited but is not yet reaped is a zombie:
# kill -0 still succeeds on it, /proc shows state Z).
smoke_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ "${stat:0:1}" != Z ]]
}

# Waits up to SMOKE_STOP_TIMEOUT for PID to exit; sets SMOKE_EXIT_CODE.
smoke_wait_exit() {
  local pid=$1 deadline=$((SECONDS + SMOKE_STOP_TIMEOUT))
  while smoke_alive "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
  SMOKE_EXIT_CODE=0
  wait "$pid" 2>/dev/null || SMOKE_EXIT_CODE=$?
  return 0
}

# SIGTERM (or the given signal, e.g. INT); the server must stop within the
# timeout and exit 0.
stop_server() {
  local pid=$1 sig=${2:-TERM}
  kill -"$sig" "$pid" 2>/dev/null || fail "server $pid is not running"
  smoke_wait_exit "$pid" || fail "server $pid did not stop within ${SMOKE_STOP_TIMEOUT}s of SIG$sig"
  [[ "$SMOKE_EXIT_CODE" == 0 ]] || fail "server $pid exited with $SMOKE_EXIT_CODE after SIG$sig"
}

# SIGKILL: no chance to clean up.
kill9_server() {
  local pid=$1
  kill -KILL "$pid" 2>/dev/null || fail "server $pid is not running"
  # Reap it at once: a job killed by a signal and reaped later makes bash
  # print "Killed" noise.
  wait "$pid" 2>/dev/null || true
}

# --- HTTP ------------------------------------------------------------------------

# http METHOD PATH [curl args...]: one request to $SERVER_URL (or $URL when
# set). PATH is sent as is (--path-as-is: no dot-segment folding). Sets
# HTTP_STATUS, HTTP_BODY (text; binary bodies: pass -o FILE, then HTTP_BODY is
# empty) and leaves the response headers in $HTTP_HEADERS_FILE.
HTTP_HEADERS_FILE="$SMOKE_TMP/last.headers"
HTTP_BODY_FILE="$SMOKE_TMP/last.body"
http() {
  local method=$1 path=$2
  shift 2
  local base=${URL:-$SERVER_URL}
  local -a method_args=(-X "$method")
  local out=$HTTP_BODY_FILE arg
  for arg in "$@"; do [[ "$arg" == -o ]] && out=""; done
  # --head, not -X HEAD: curl must not wait for a body. It prints the
  # headers as the "body", so that goes nowhere.
  if [[ "$method" == HEAD ]]; then
    method_args=(--head)
    out=/dev/null
  fi
  : >"$HTTP_BODY_FILE"
  local -a out_args=()
  [[ -n "$out" ]] && out_args=(-o "$out")
  HTTP_STATUS=$(curl -sS --path-as-is --max-time "$SMOKE_CURL_TIMEOUT" "${method_args[@]}" \
    -D "$HTTP_HEADERS_FILE" "${out_args[@]}" -w '%{http_code}' "$@" "$base$path") ||
    fail "curl $method $path failed (exit $?)${HTTP_STATUS:+, status $HTTP_STATUS}"
  HTTP_BODY=$(cat "$HTTP_BODY_FILE")
}

# Value of a header of the last response (case-insensitive name), or "".
header_value() {
  local name line value=""
  name=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
  while IFS= read -r line; do
    line=${line%$'\r'}
    local lower
    lower=$(printf '%s' "${line%%:*}" | tr '[:upper:]' '[:lower:]')
    if [[ "$line" == *:* && "$lower" == "$name" ]]; then
      value=${line#*:}
      value=${value# }
    fi
  done <"$HTTP_HEADERS_FILE"
  printf '%s' "$value"
}

# PUT a file under an already path-encoded key: put_file KEY-PATH FILE [curl args].
put_file() {
  local key=$1 file=$2
  shift 2
  http PUT "/v1/objects/$key" -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$@"
}

# PUT a string: put_text KEY-PATH TEXT [curl args].
put_text() {
  local key=$1 text=$2
  shift 2
  http PUT "/v1/objects/$key" -H 'Content-Type: application/octet-stream' --data-binary "$text" "$@"
}

# GET into a file: get_file KEY-PATH FILE [curl args].
get_file() {
  local key=$1 file=$2
  shift 2
  http GET "/v1/objects/$key" -o "$file" "$@"
}

# GET /v1/objects with query parameters given as name=value (encoded by curl).
list_objects() {
  local -a args=()
  local p
  for p in "$@"; do args+=(--data-urlencode "$p"); done
  http GET /v1/objects -G "${args[@]}"
}

# Percent-encodes every byte but unreserved ones and '/' (an object key as a
# request path).
encode_path() {
  local hex out="" i byte
  hex=$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')
  for ((i = 0; i < ${#hex}; i += 2)); do
    byte=${hex:i:2}
    case $byte in
    2d | 2e | 2f | 3[0-9] | 4[1-9a-f] | 5[0-9a] | 5f | 6[1-9a-f] | 7[0-9a] | 7e)
      out+=$(printf '%b' "\\x$byte")
      ;;
    *) out+="%${byte^^}" ;;
    esac
  done
  printf '%s' "$out"
}

# --- JSON (flat, as the server writes it; no jq needed) ---------------------------

# Decodes the escapes of one JSON string body (without its quotes).
# A shell string as a JSON string literal (backslashes and quotes escaped).
json_quote() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

json_unescape() {
  local s=$1 out="" c
  while [[ "$s" == *\\* ]]; do
    out+=${s%%\\*}
    s=${s#*\\}
    c=${s:0:1}
    s=${s:1}
    # shellcheck disable=SC1003 # '\' is a backslash, not an escaped quote
    case $c in
    '"' | '\' | '/') out+=$c ;;
    n) out+=$'\n' ;;
    t) out+=$'\t' ;;
    r) out+=$'\r' ;;
    b) out+=$'\b' ;;
    f) out+=$'\f' ;;
    u)
      out+=$(printf '%b' "\\u${s:0:4}")
      s=${s:4}
      ;;
    *) out+="\\$c" ;;
    esac
  done
  printf '%s' "$out$s"
}

# Every string value of FIELD in the JSON on stdin, one per line, in order.
json_strs() {
  local raw
  { grep -o "\"$1\":\"\\([^\"\\\\]\\|\\\\.\\)*\"" || true; } | while IFS= read -r raw; do
    raw=${raw#\""$1"\":\"}
    json_unescape "${raw%\"}"
    echo
  done
}

# The first string value of FIELD in the JSON on stdin ("" if none).
json_str() { json_strs "$1" | first_line; }

# Every number value of FIELD in the JSON on stdin, one per line.
json_nums() { { grep -o "\"$1\":-\\?[0-9][0-9.eE+-]*" || true; } | sed "s/^\"$1\"://"; }

# The first number of FIELD in the last response ($HTTP_BODY).
json_num() { json_nums "$1" <<<"$HTTP_BODY" | first_line; }

# The first boolean of FIELD in the last response (true/false, "" if none).
json_bool() {
  local raw
  raw=$(grep -o "\"$1\":\\(true\\|false\\)" <<<"$HTTP_BODY" | first_line) || true
  printf '%s' "${raw#\""$1"\":}"
}

# "next" of a list page: the key, or the word null.
json_next() {
  local raw
  raw=$(grep -o '"next":\(null\|"\([^"\\]\|\\.\)*"\)') || true
  raw=${raw#\"next\":}
  if [[ "$raw" == null || -z "$raw" ]]; then
    printf 'null'
  else
    raw=${raw#\"}
    json_unescape "${raw%\"}"
  fi
}

# The first line of stdin, without its newline. Reads all of stdin, so the
# writer never dies of SIGPIPE (which pipefail would turn into a failure).
first_line() {
  local line=""
  IFS= read -r line || true
  cat >/dev/null
  printf '%s' "$line"
}

# --- files --------------------------------------------------------------------------

sha256_of() {
  local sum
  sum=$(sha256sum "$1")
  printf '%s' "${sum%% *}"
}

# A file of N random bytes.
random_file() { # path bytes
  head -c "$2" /dev/urandom >"$1"
  local size
  size=$(stat -c %s "$1")
  [[ "$size" == "$2" ]] || fail "could not make $2 random bytes in $1"
}

# Starts the S3 protocol peer of the tests (tests/s3/peer.mjs: s3rver,
# installed by scripts/bootstrap.sh, behind a front that verifies SigV4 and
# honours If-None-Match) on 127.0.0.1:PORT with its objects under DIR, and
# waits until it answers. Sets PEER (its URL) and exports the AWS_*
# credentials the lakehouse reads.
start_s3_peer() { # PORT DIR BUCKET ACCESS_KEY SECRET_KEY
  local port=$1 dir=$2 bucket=$3 access=$4 secret=$5
  local repo s3rver
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  s3rver="${LAKEHOUSE_CACHE:-$HOME/.cache/lakehouse}/deps/s3rver"
  [[ -f "$s3rver/node_modules/s3rver/package.json" ]] ||
    fail "s3rver is not installed in $s3rver: run scripts/bootstrap.sh"
  command -v node >/dev/null || fail "node is not installed: run scripts/bootstrap.sh"
  PEER="http://127.0.0.1:$port"
  # s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps
  # in its legacy provider.
  node --openssl-legacy-provider "$repo/tests/s3/peer.mjs" --modules "$s3rver" \
    --port "$port" --dir "$dir" --bucket "$bucket" \
    --access-key "$access" --secret-key "$secret" >"$SMOKE_TMP/peer.log" 2>&1 &
  smoke_track_pid $!
  local deadline=$((SECONDS + SMOKE_START_TIMEOUT))
  until curl -sf -o /dev/null --max-time 1 "$PEER/__peer/health"; do
    ((SECONDS < deadline)) || fail "the S3 peer did not start: $(smoke_show "$(cat "$SMOKE_TMP/peer.log")")"
    sleep 0.1
  done
  export AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1
}
