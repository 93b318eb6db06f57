#!/usr/bin/env bash
# PostgreSQL clients (docs/api.md, PostgreSQL clients) against a real `serve`
# with the demo loaded and [pgwire] on:
#   - psql and psycopg2: a dataset's current version, "name@N" and
#     "name@tag" after an append;
#   - psql: a count, a version by name, a parameterised query through \bind
#     (psql 16 and later), \copy (SELECT ...) TO a file, SHOW, and errors
#     with their SQLSTATEs (42P01, 42501 for DROP TABLE and COPY TO a file);
#   - psycopg2 (simple protocol): parameters, a named (server-side) cursor
#     fetching in batches, errors raised as psycopg2.errors classes;
#   - psycopg 3 (extended protocol): parameters bound by the server, binary
#     results, statements prepared after repeated use (pgwire_clients.py);
#   - what clients ask about the catalog: psql's \dt, \d NAME, \l and \dn,
#     version(); pandas read_sql and SQLAlchemy's inspector; a JDBC program
#     (PgwireJdbc.java, compiled here) with a PreparedStatement, typed
#     columns, DatabaseMetaData's tables and columns and a 42501 SQLState;
#   - hostile input: a malformed message, lengths that lie, a 100 MB startup
#     length, 10,000 parameters, 200 connections at once; each is refused
#     clearly and the server keeps serving;
#   - the metrics count PostgreSQL queries, and the server stops cleanly;
#   - with API tokens a token is the password (cleartext on loopback,
#     SCRAM-SHA-256 from another address); without tokens a listener off
#     loopback is refused.
#
#   tests/smoke/pgwire_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v psql >/dev/null || fail "psql is not installed (postgresql-client)"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3
OUT=$SMOKE_TMP/out
ERR=$SMOKE_TMP/err

pick_ports 1
PG_PORT=${PORTS[0]}
cat >"$SMOKE_TMP/lakehouse.toml" <<TOML
[pgwire]
listen = "127.0.0.1:$PG_PORT"
max_connections = 32
TOML
start_server serve serve --config "$SMOKE_TMP/lakehouse.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0
"$LH_BIN" demo >/dev/null 2>"$ERR" </dev/null || fail "lakehouse demo failed: $(cat "$ERR")"

# Runs psql with ARGS; sets RC, and OUT/ERR hold what it printed.
pg() {
  RC=0
  PGCONNECT_TIMEOUT=10 timeout 60 psql -X -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
    -U x -d lakehouse "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

case_begin "psql: a count and a version by name"
pg -c 'SELECT count(*) FROM candidates'
assert_eq 0 "$RC" "psql -c count: $(cat "$ERR")"
assert_eq 2000 "$(cat "$OUT")" "count(*) FROM candidates"
pg -c 'SELECT count(*) FROM "candidates@1"'
assert_eq 2000 "$(cat "$OUT")" "count(*) FROM \"candidates@1\""

case_begin "psql and psycopg2: a dataset's current version, \"name@N\" and \"name@tag\""
printf 'id,note\n1,first\n2,second\n' >"$SMOKE_TMP/notes1.csv"
printf 'id,note\n3,third\n4,fourth\n5,fifth\n' >"$SMOKE_TMP/notes2.csv"
"$LH_BIN" ingest --dataset notes "$SMOKE_TMP/notes1.csv" >/dev/null 2>"$ERR" ||
  fail "ingest notes: $(cat "$ERR")"
"$LH_BIN" tag notes first --version 1 >/dev/null 2>"$ERR" || fail "tag notes: $(cat "$ERR")"
"$LH_BIN" ingest --dataset notes --mode append "$SMOKE_TMP/notes2.csv" >/dev/null 2>"$ERR" ||
  fail "append notes: $(cat "$ERR")"
pg -c 'SELECT count(*) FROM notes'
assert_eq "0 5" "$RC $(cat "$OUT")" "the current version: $(cat "$ERR")"
pg -c 'SELECT count(*) FROM "notes@1"'
assert_eq "0 2" "$RC $(cat "$OUT")" "version 1: $(cat "$ERR")"
pg -c "SELECT string_agg(note, ',' ORDER BY id) FROM \"notes@first\""
assert_eq "0 first,second" "$RC $(cat "$OUT")" "the tag: $(cat "$ERR")"
pg -c 'SELECT count(*) FROM "notes@9"'
assert_eq 1 "$RC" "a version that does not exist fails"
assert_contains "$(cat "$ERR")" "notes" "the error names the dataset"
counts=$("$PYTHON" - "$PG_PORT" <<'PY'
import sys, psycopg2
conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="x", dbname="lakehouse")
cur = conn.cursor()
out = []
for table in ('notes', '"notes@1"', '"notes@first"', '"notes@2"'):
    cur.execute("SELECT count(*) FROM " + table + " WHERE id >= %s", (1,))
    out.append(str(cur.fetchone()[0]))
print(" ".join(out))
PY
)
assert_eq "5 2 2 5" "$counts" "psycopg2's counts of notes, @1, @first, @2"
# The catalog cases below list the demo's datasets alone.
"$LH_BIN" datasets delete notes >/dev/null 2>"$ERR" || fail "delete notes: $(cat "$ERR")"

case_begin "psql: \\bind (psql 16 and later) runs a parameterised query"
expected=$("$LH_BIN" sql "SELECT name FROM candidates WHERE id = 7" --format csv | sed -n 2p | tr -d '\r')
psql_major=$(psql --version | awk '{print $3}' | cut -d. -f1)
if ((psql_major >= 16)); then
  # -c takes SQL or one backslash command, not both: the mix goes in a file.
  echo 'SELECT name FROM candidates WHERE id = $1 \bind 7 \g' >"$SMOKE_TMP/bind.sql"
  pg -f "$SMOKE_TMP/bind.sql"
  assert_eq 0 "$RC" "\\bind: $(cat "$ERR")"
  assert_eq "$expected" "$(cat "$OUT")" "the name of candidate 7"
else
  echo "  [$SMOKE_NAME] (psql $psql_major has no \\bind; psycopg 3 below covers the extended protocol)"
fi

case_begin "psql: \\copy (SELECT ...) TO a file"
pg -c "\\copy (SELECT id, state FROM candidates WHERE id <= 3 ORDER BY id) TO '$SMOKE_TMP/copy.csv' WITH CSV HEADER"
assert_eq 0 "$RC" "\\copy: $(cat "$ERR")"
assert_eq "id,state" "$(head -1 "$SMOKE_TMP/copy.csv")" "the header line"
assert_eq 4 "$(wc -l <"$SMOKE_TMP/copy.csv")" "a header and three rows"

case_begin "psql: session commands"
pg -c 'SET application_name = smoke' -c 'SHOW application_name' -c 'SHOW server_version'
assert_eq 0 "$RC" "SET/SHOW: $(cat "$ERR")"
assert_contains "$(cat "$OUT")" "smoke" "SHOW application_name"
assert_contains "$(cat "$OUT")" "Lakehouse" "SHOW server_version"

case_begin "psql: errors carry SQLSTATEs and the server's message"
pg -v VERBOSITY=verbose -c 'SELECT * FROM nosuch'
assert_ne 0 "$RC" "an unknown table fails"
assert_contains "$(cat "$ERR")" "42P01" "an unknown table"
pg -v VERBOSITY=verbose -c 'DROP TABLE candidates'
assert_contains "$(cat "$ERR")" "42501" "DROP TABLE"
pg -v VERBOSITY=verbose -c "COPY (SELECT 1) TO '$SMOKE_TMP/x'"
assert_contains "$(cat "$ERR")" "42501" "COPY TO a server file"
[[ ! -e $SMOKE_TMP/x ]] || fail "COPY wrote a file on the server"

case_begin "psycopg2 (simple protocol)"
$PYTHON -c 'import psycopg2' 2>/dev/null || fail "python3-psycopg2 is not installed"
$PYTHON "$(dirname "$0")/pgwire_clients.py" psycopg2 "$PG_PORT" >"$OUT" 2>"$ERR" ||
  fail "psycopg2: $(cat "$OUT" "$ERR")"

case_begin "psycopg 3 (extended protocol: parameters, binary results, prepared statements)"
$PYTHON -c 'import psycopg' 2>/dev/null || fail "python3-psycopg is not installed"
$PYTHON "$(dirname "$0")/pgwire_clients.py" psycopg3 "$PG_PORT" "$expected" >"$OUT" 2>"$ERR" ||
  fail "psycopg 3: $(cat "$OUT" "$ERR")"

case_begin "psql: \\dt, \\d candidates, \\l and \\dn read the catalog"
pg -c '\dt'
assert_eq 0 "$RC" "\\dt: $(cat "$ERR")"
assert_eq "candidates clients jobs placements timesheets" \
  "$(cut -d'|' -f2 "$OUT" | tr '\n' ' ' | sed 's/ $//')" "\\dt lists the datasets"
pg -c '\d candidates'
assert_eq 0 "$RC" "\\d candidates: $(cat "$ERR")"
assert_contains "$(cat "$OUT")" "id|bigint" "\\d candidates: id"
assert_contains "$(cat "$OUT")" "name|text" "\\d candidates: name"
assert_contains "$(cat "$OUT")" "desired_rate|double precision" "\\d candidates: desired_rate"
pg -c '\l'
assert_eq 0 "$RC" "\\l: $(cat "$ERR")"
assert_contains "$(cat "$OUT")" "lakehouse|lakehouse|UTF8" "\\l lists lakehouse"
pg -c '\dn'
assert_eq "public|lakehouse" "$(cat "$OUT")" "\\dn lists public"
pg -c 'SELECT version(), current_database(), current_schema(), count(*) FROM candidates'
assert_contains "$(cat "$OUT")" "PostgreSQL 15.0 (Lakehouse" "version()"
assert_contains "$(cat "$OUT")" "|lakehouse|public|2000" "current_database(), current_schema()"
pg -v VERBOSITY=verbose -c 'SELECT count(*) FROM pg_class, candidates'
assert_contains "$(cat "$ERR")" "0A000" "a catalog table beside a dataset"
pg -v VERBOSITY=verbose -c "SELECT * FROM read_csv('/etc/passwd') WHERE pg_backend_pid() > 0"
assert_contains "$(cat "$ERR")" "42501" "the catalog's database reads no file"

case_begin "pandas read_sql and SQLAlchemy's inspector"
$PYTHON -c 'import sqlalchemy, pandas' 2>/dev/null ||
  fail "python3-sqlalchemy or python3-pandas is not installed"
$PYTHON "$(dirname "$0")/pgwire_clients.py" catalog "$PG_PORT" >"$OUT" 2>"$ERR" ||
  fail "catalog: $(cat "$OUT" "$ERR")"

case_begin "JDBC: a PreparedStatement, typed columns, DatabaseMetaData, SQLState"
JDBC_JAR=/usr/share/java/postgresql.jar
command -v javac >/dev/null || fail "javac is not installed (default-jdk-headless)"
[[ -f $JDBC_JAR ]] || fail "$JDBC_JAR is missing (libpostgresql-jdbc-java)"
mkdir -p "$SMOKE_TMP/jdbc"
javac -d "$SMOKE_TMP/jdbc" "$(dirname "$0")/PgwireJdbc.java" 2>"$ERR" || fail "javac: $(cat "$ERR")"
timeout 120 java -cp "$SMOKE_TMP/jdbc:$JDBC_JAR" PgwireJdbc "$PG_PORT" >"$OUT" 2>"$ERR" ||
  fail "JDBC: $(cat "$OUT" "$ERR")"
assert_contains "$(cat "$OUT")" "row candidates 7 $expected true" "candidate 7 by parameter"
assert_contains "$(cat "$OUT")" "row \"candidates@1\" 7 $expected true" "candidate 7 of version 1"
assert_eq "candidates clients jobs placements timesheets" \
  "$(grep '^table ' "$OUT" | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')" "getTables"
assert_contains "$(cat "$OUT")" "column id int8 -5" "getColumns: id BIGINT"
assert_contains "$(cat "$OUT")" "column name text 12" "getColumns: name VARCHAR"
assert_contains "$(cat "$OUT")" "column desired_rate float8 8" "getColumns: desired_rate DOUBLE"
assert_contains "$(cat "$OUT")" "fence 42501" "a fenced statement's SQLState"

case_begin "hostile input, and 200 connections at once"
$PYTHON "$(dirname "$0")/pgwire_clients.py" hostile "$PG_PORT" >"$OUT" 2>"$ERR" ||
  fail "hostile: $(cat "$OUT" "$ERR")"
pg -c 'SELECT 1'
assert_eq 1 "$(cat "$OUT")" "psql still served"

case_begin "metrics count PostgreSQL queries"
http GET /metrics
assert_status 200 "GET /metrics"
queries=$(grep '^lakehouse_pgwire_queries_total ' <<<"$HTTP_BODY" | awk '{print $2}')
[[ -n $queries && $queries -ge 5 ]] || fail "lakehouse_pgwire_queries_total is $(smoke_show "$queries")"
assert_contains "$HTTP_BODY" "lakehouse_pgwire_connections_refused_total" "refusals counted"

case_begin "the server stops cleanly with a client connected"
(sleep 30 | psql -X -h 127.0.0.1 -p "$PG_PORT" -U x -d lakehouse >/dev/null 2>&1) &
smoke_track_pid $!
sleep 0.5
stop_server "$SERVER_PID"

case_begin "with tokens: a token is the password, SCRAM-SHA-256 off loopback"
pick_ports 1
TOKEN_PORT=${PORTS[0]}
digest=$(printf 'digest-token-0123456' | sha256sum | cut -d' ' -f1)
printf 'ci read 0123456789abcdef0123\nold read sha256:%s\n' "$digest" >"$SMOKE_TMP/tokens"
cat >"$SMOKE_TMP/tokens.toml" <<TOML
[auth]
token_file = "tokens"
[pgwire]
listen = "0.0.0.0:$TOKEN_PORT"
TOML
start_server tokens serve --config "$SMOKE_TMP/tokens.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0
# Runs psql at HOST with PASSWORD; sets RC, OUT and ERR.
pg_as() {
  RC=0
  PGPASSWORD=$2 PGCONNECT_TIMEOUT=10 timeout 60 psql -X -A -t -h "$1" -p "$TOKEN_PORT" -U ci \
    -d lakehouse -c 'SELECT count(*) FROM candidates' >"$OUT" 2>"$ERR" </dev/null || RC=$?
}
pg_as 127.0.0.1 0123456789abcdef0123
assert_eq 2000 "$(cat "$OUT")" "a token as the password on loopback: $(cat "$ERR")"
pg_as 127.0.0.1 digest-token-0123456
assert_eq 2000 "$(cat "$OUT")" "a token given as a digest, on loopback: $(cat "$ERR")"
pg_as 127.0.0.1 not-a-token
assert_contains "$(cat "$ERR")" "password authentication failed" "a wrong password"
other=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v '^127\.' | grep -v ':' | head -1 || true)
if [[ -n $other ]]; then
  pg_as "$other" 0123456789abcdef0123
  assert_eq 2000 "$(cat "$OUT")" "SCRAM-SHA-256 from $other: $(cat "$ERR")"
  pg_as "$other" not-a-token
  assert_contains "$(cat "$ERR")" "password authentication failed" "a wrong SCRAM proof"
  pg_as "$other" digest-token-0123456
  assert_contains "$(cat "$ERR")" "password authentication failed" "a digest-only token off loopback"
else
  echo "  [$SMOKE_NAME] (no address beside loopback: SCRAM not tried)"
fi
stop_server "$SERVER_PID"

case_begin "without tokens, a PostgreSQL listener off loopback is refused"
cat >"$SMOKE_TMP/open.toml" <<TOML
[pgwire]
listen = "0.0.0.0:$TOKEN_PORT"
TOML
RC=0
timeout 30 "$LH_BIN" serve --config "$SMOKE_TMP/open.toml" --data "$SMOKE_TMP/data" \
  --listen 127.0.0.1:0 >"$OUT" 2>"$ERR" </dev/null || RC=$?
assert_ne 0 "$RC" "serve exits"
assert_contains "$(cat "$ERR" "$OUT")" "without API tokens" "the reason"
