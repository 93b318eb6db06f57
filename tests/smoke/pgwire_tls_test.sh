#!/usr/bin/env bash
# PostgreSQL clients over TLS (docs/api.md, PostgreSQL clients) against a real
# `serve` with API tokens and [pgwire] tls_cert/tls_key, a self-signed
# certificate made here with the openssl command:
#   - psql with sslmode=require counts the demo's rows, and \conninfo shows
#     the connection is TLS; sslmode=disable still works (plain text on
#     loopback) unless tls_required, which refuses it clearly (28000);
#   - psycopg2 with sslmode=verify-full (the certificate names 127.0.0.1),
#     and a cancel of its running query;
#   - from the machine's other address a token goes in cleartext over TLS;
#   - a client sending garbage instead of a ClientHello is dropped, and the
#     server keeps serving;
#   - a certificate that cannot be read makes serve exit non-zero, naming it.
#
#   tests/smoke/pgwire_tls_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v psql >/dev/null || fail "psql is not installed (postgresql-client)"
command -v openssl >/dev/null || fail "openssl is not installed"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3
OUT=$SMOKE_TMP/out
ERR=$SMOKE_TMP/err
READ=0123456789abcdef0123
WRITE=wwwwwwwwwwwwwwwwwwwwwwww

case_begin "a self-signed certificate for 127.0.0.1 and localhost (openssl)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$SMOKE_TMP/key.pem" -out "$SMOKE_TMP/cert.pem" >"$OUT" 2>&1 ||
  fail "openssl req: $(cat "$OUT")"
printf 'ci read %s\nloader write %s\n' "$READ" "$WRITE" >"$SMOKE_TMP/tokens"

# Writes $SMOKE_TMP/NAME.toml: tokens, [pgwire] on every address with TLS,
# and the extra [pgwire] lines given.
pg_config() { # NAME PORT [LINES]
  cat >"$SMOKE_TMP/$1.toml" <<TOML
[auth]
token_file = "tokens"
[pgwire]
listen = "0.0.0.0:$2"
tls_cert = "cert.pem"
tls_key = "key.pem"
${3:-}
TOML
}

# Runs psql with the connection string CONNINFO and then ARGS; sets RC, and
# OUT/ERR hold what it printed.
pg() { # CONNINFO ARGS...
  local conninfo=$1
  shift
  RC=0
  PGCONNECT_TIMEOUT=10 timeout 60 psql -X -A -t -v ON_ERROR_STOP=1 "$conninfo" "$@" \
    >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

pick_ports 1
PG_PORT=${PORTS[0]}
pg_config offered "$PG_PORT"
start_server offered serve --config "$SMOKE_TMP/offered.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0
LAKEHOUSE_TOKEN=$WRITE "$LH_BIN" demo >/dev/null 2>"$ERR" </dev/null ||
  fail "lakehouse demo failed: $(cat "$ERR")"
assert_contains "$(cat "$SMOKE_TMP/logs/offered.err" "$SMOKE_TMP/logs/offered.out")" \
  "(TLS offered)" "the log says TLS is offered"
CONN="host=127.0.0.1 port=$PG_PORT user=ci password=$READ dbname=lakehouse"

case_begin "psql sslmode=require: a count over TLS"
pg "$CONN sslmode=require" -c 'SELECT count(*) FROM candidates'
assert_eq 0 "$RC" "psql sslmode=require: $(cat "$ERR")"
assert_eq 2000 "$(cat "$OUT")" "count(*) FROM candidates"
pg "$CONN sslmode=require" -c '\conninfo'
assert_contains "$(cat "$OUT")" "SSL connection (protocol: TLSv1.3" "\\conninfo"
echo "  [$SMOKE_NAME] $(grep 'SSL connection' "$OUT")"

case_begin "psql sslmode=disable: plain text on loopback while TLS is not required"
pg "$CONN sslmode=disable" -c 'SELECT count(*) FROM candidates'
assert_eq 0 "$RC" "psql sslmode=disable: $(cat "$ERR")"
assert_eq 2000 "$(cat "$OUT")" "count(*) in plain text"
pg "$CONN sslmode=disable" -c '\conninfo'
assert_not_contains "$(cat "$OUT")" "SSL connection" "\\conninfo in plain text"

case_begin "psql sslmode=verify-full against the certificate"
pg "$CONN sslmode=verify-full sslrootcert=$SMOKE_TMP/cert.pem" -c 'SELECT 1'
assert_eq 0 "$RC" "psql sslmode=verify-full: $(cat "$ERR")"
pg "$CONN password=not-a-token sslmode=require" -c 'SELECT 1'
assert_contains "$(cat "$ERR")" "password authentication failed" "a wrong token over TLS"

case_begin "from another address a token goes in cleartext over TLS"
other=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v '^127\.' | grep -v ':' | head -1 || true)
if [[ -n $other ]]; then
  pg "host=$other port=$PG_PORT user=ci password=$READ dbname=lakehouse sslmode=require" \
    -c 'SELECT count(*) FROM candidates'
  assert_eq 0 "$RC" "psql from $other over TLS: $(cat "$ERR")"
  assert_eq 2000 "$(cat "$OUT")" "count(*) from $other over TLS"
  # A digest-only token has no SCRAM verifier: only a cleartext password
  # can use it, which off loopback TLS now allows.
  digest=$(printf 'digest-token-0123456' | sha256sum | cut -d' ' -f1)
  printf 'old read sha256:%s\n' "$digest" >>"$SMOKE_TMP/tokens"
else
  echo "  [$SMOKE_NAME] (no address beside loopback: not tried)"
fi

case_begin "garbage instead of a ClientHello is dropped; the server keeps serving"
$PYTHON "$(dirname "$0")/pgwire_tls_clients.py" garbage "$PG_PORT" >"$OUT" 2>"$ERR" ||
  fail "garbage: $(cat "$OUT" "$ERR")"
pg "$CONN sslmode=require" -c 'SELECT 1'
assert_eq 1 "$(cat "$OUT")" "psql still served over TLS: $(cat "$ERR")"
stop_server "$SERVER_PID"

case_begin "tls_required: plain text is refused with 28000, TLS and cancels work"
pg_config required "$PG_PORT" "tls_required = true"
start_server required serve --config "$SMOKE_TMP/required.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0
pg "$CONN sslmode=disable" -v VERBOSITY=verbose -c 'SELECT 1'
assert_ne 0 "$RC" "sslmode=disable is refused"
# (psql does not print a connection failure's SQLSTATE; the unit test
# PgTlsServerTest.WithTlsRequiredAPlainStartupGetsFatal28000 checks it.)
assert_contains "$(cat "$ERR")" "TLS is required" "the message"
echo "  [$SMOKE_NAME] $(head -1 "$ERR")"
pg "$CONN sslmode=require" -c 'SELECT count(*) FROM candidates'
assert_eq 2000 "$(cat "$OUT")" "count(*) over TLS with tls_required: $(cat "$ERR")"
$PYTHON -c 'import psycopg2' 2>/dev/null || fail "python3-psycopg2 is not installed"
$PYTHON "$(dirname "$0")/pgwire_tls_clients.py" verify "$PG_PORT" "$READ" "$SMOKE_TMP/cert.pem" \
  >"$OUT" 2>"$ERR" || fail "psycopg2 verify-full: $(cat "$OUT" "$ERR")"
sed "s/^/  [$SMOKE_NAME] /" "$OUT"
if [[ -n $other ]]; then
  pg "host=$other port=$PG_PORT user=old password=digest-token-0123456 dbname=lakehouse sslmode=require" \
    -c 'SELECT 1'
  assert_eq 1 "$(cat "$OUT")" "a digest-only token from $other over TLS: $(cat "$ERR")"
fi
stop_server "$SERVER_PID"

case_begin "a certificate that cannot be read stops serve, naming the file"
pg_config missing "$PG_PORT"
sed -i 's/tls_cert = "cert.pem"/tls_cert = "nosuch.pem"/' "$SMOKE_TMP/missing.toml"
RC=0
timeout 30 "$LH_BIN" serve --config "$SMOKE_TMP/missing.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0 >"$OUT" 2>"$ERR" </dev/null || RC=$?
assert_ne 0 "$RC" "serve exits non-zero"
assert_contains "$(cat "$ERR" "$OUT")" "$SMOKE_TMP/nosuch.pem" "the file named"
echo "  [$SMOKE_NAME] $(grep -h nosuch.pem "$ERR" "$OUT" | head -1)"
pg_config mismatched "$PG_PORT"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=other" \
  -keyout "$SMOKE_TMP/other-key.pem" -out "$SMOKE_TMP/other-cert.pem" >/dev/null 2>&1
sed -i 's/tls_key = "key.pem"/tls_key = "other-key.pem"/' "$SMOKE_TMP/mismatched.toml"
RC=0
timeout 30 "$LH_BIN" serve --config "$SMOKE_TMP/mismatched.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0 >"$OUT" 2>"$ERR" </dev/null || RC=$?
assert_ne 0 "$RC" "serve exits non-zero on a key of another certificate"
assert_contains "$(cat "$ERR" "$OUT")" "does not match" "the reason"
