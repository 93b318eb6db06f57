#!/usr/bin/env bash
# Request framing: a request body the server does not read must never be
# parsed as a request of its own.
#
# Before the fix (ConsumeBody in src/server/http_server.h): when a PUT /v1/objects/{key} is refused before its body is read (invalid
# key, bad If-None-Match, Content-Length over max_object_bytes), the server
# answers and keeps the connection open without consuming the body; cpp-httplib
# 0.11 then parses the unread rest of the body as the NEXT REQUEST on the
# connection ("Connection: close" set by a handler does not close it in 0.11).
# Whoever controls a PUT body can so smuggle requests - here a DELETE - past
# anything that inspects requests one by one (a proxy, the gateway's pooled
# client, an access log).
#
#   tests/smoke/request_smuggling_test.sh build/lakehouse   # exit 0 = not affected
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

LIMITED="$SMOKE_TMP/limited"
mkdir -p "$LIMITED"
printf '[storaged]\nmax_object_bytes = 65536\n' >"$LIMITED/lakehouse.toml"
start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0 --config "$LIMITED/lakehouse.toml"
PORT=${SERVER_URL##*:}

# Sends one raw PUT whose body carries "DELETE /v1/objects/VICTIM" at byte
# 4096 of the connection (where cpp-httplib 0.11 resumes parsing after it
# dropped its 4 KiB read-ahead buffer), and checks VICTIM survives.
try_smuggle() { # CASE-NAME METHOD PATH EXTRA-HEADER DECLARED-LENGTH VICTIM
  local name=$1 method=$2 path=$3 extra=$4 declared=$5 victim=$6
  case_begin "$name"
  put_text "$victim" precious
  assert_status 201 "PUT $victim"

  local smuggled hdr pad body_len
  smuggled=$'DELETE /v1/objects/'"$victim"$' HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'
  # The header length depends on the Content-Length digits: fix them at 8.
  printf -v hdr '%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %08d\r\n\r\n' "$method" "$path" "$extra" 0
  pad=$((4096 - ${#hdr}))
  body_len=$((pad + ${#smuggled} + 1024))
  ((declared > 0)) || declared=$body_len
  printf -v hdr '%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %08d\r\n\r\n' "$method" "$path" "$extra" "$declared"
  {
    printf '%s' "$hdr"
    head -c "$pad" /dev/zero | tr '\0' A
    printf '%s' "$smuggled"
    head -c 1024 /dev/zero | tr '\0' B
  } >"$SMOKE_TMP/raw.req"

  exec 3<>"/dev/tcp/127.0.0.1/$PORT"
  cat "$SMOKE_TMP/raw.req" >&3
  timeout 1 cat <&3 >"$SMOKE_TMP/raw.resp" || true
  exec 3>&-

  local responses
  responses=$(grep -o 'HTTP/1\.1 [0-9][0-9][0-9]' "$SMOKE_TMP/raw.resp" | tr '\n' ' ') || true
  http GET "/v1/objects/$victim"
  if [[ "$HTTP_STATUS" != 200 ]]; then
    echo "BUG [$SMOKE_NAME] $name: the request body ran as a request: $victim is gone (GET: HTTP $HTTP_STATUS); status lines on the connection: $responses" >&2
    SMUGGLED=$((SMUGGLED + 1))
  elif [[ "$responses" == *" HTTP/1.1 "* ]]; then
    echo "BUG [$SMOKE_NAME] $name: several responses for one request: $responses" >&2
    SMUGGLED=$((SMUGGLED + 1))
  fi
}

SMUGGLED=0

try_smuggle "PUT, invalid key" PUT "/v1/objects/a//b" "" 0 victim1
try_smuggle "PUT, bad If-None-Match" PUT "/v1/objects/ok-key" $'If-None-Match: "etag"\r\n' 0 victim2
try_smuggle "PUT, Content-Length a little over the limit" PUT "/v1/objects/too-big" "" 70000 victim3
try_smuggle "PUT, Content-Length far over the limit" PUT "/v1/objects/too-big" "" 99999999 victim4
try_smuggle "GET with a body (httplib never reads GET bodies)" GET "/healthz" "" 0 victim6

# A chunked body that goes over the limit mid-stream: the store stops reading
# at the limit. Every 4 KiB boundary of the connection past the limit holds a
# smuggled DELETE, wherever the server resumes parsing.
case_begin "chunked body over the limit"
put_text victim5 precious
assert_status 201 "PUT victim5"
smuggled=$'DELETE /v1/objects/victim5 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'
total=$((256 * 1024))
printf -v hdr 'PUT /v1/objects/chunked-too-big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
printf -v size_line '%x\r\n' $((total - ${#hdr} - 7))
data_start=$((${#hdr} + ${#size_line}))
{
  printf '%s%s' "$hdr" "$size_line"
  # data from data_start to total, with the DELETE at each multiple of 4096
  # from 96 KiB on (past the 64 KiB limit)
  off=$data_start
  for ((b = 24; b * 4096 < total; b++)); do
    head -c $((b * 4096 - off)) /dev/zero | tr '\0' A
    printf '%s' "$smuggled"
    off=$((b * 4096 + ${#smuggled}))
  done
  head -c $((total - off)) /dev/zero | tr '\0' B
  printf '\r\n0\r\n\r\n'
} >"$SMOKE_TMP/raw.req"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
cat "$SMOKE_TMP/raw.req" >&3 2>/dev/null || true
timeout 1 cat <&3 >"$SMOKE_TMP/raw.resp" 2>/dev/null || true
exec 3>&-
responses=$(grep -o 'HTTP/1\.1 [0-9][0-9][0-9]' "$SMOKE_TMP/raw.resp" | tr '\n' ' ') || true
http GET /v1/objects/victim5
if [[ "$HTTP_STATUS" != 200 ]]; then
  echo "BUG [$SMOKE_NAME] chunked body over the limit: the request body ran as a request: victim5 is gone (GET: HTTP $HTTP_STATUS); status lines on the connection: $responses" >&2
  SMUGGLED=$((SMUGGLED + 1))
fi

((SMUGGLED == 0)) || fail "$SMUGGLED of 6 requests had their body run as a request"
echo "PASS [$SMOKE_NAME]"
