#!/usr/bin/env bash
# The command line as a new user meets it (docs/api.md, Command line),
# against a real `serve`:
#   - tables line up by the columns text takes on a terminal: accented,
#     decomposed and CJK names leave the next column where it belongs;
#   - a server that cannot be reached: exit 3, the reason in words and where
#     to point the client;
#   - counted nouns agree with their number ("1 row", "1 version");
#   - index create / refresh on a terminal count rows, not bytes, and say
#     created, refreshed or rebuilt;
#   - datasets delete, and its unknown dataset;
#   - search by text as a table, CSV and JSON, with a filter and a mode; a
#     bad filter is refused before any request;
#   - the bash completion script, made from the command definitions;
#   - ingest's CSV options (--encoding, --delimiter, --skip, --null,
#     --dateformat) and --force for a file sent twice.
#
#   tests/smoke/cli_usability_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v script >/dev/null || fail "script (util-linux) is not installed"

start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0
OUT=$SMOKE_TMP/out
ERR=$SMOKE_TMP/err
IN=$SMOKE_TMP/in
mkdir -p "$IN"

# Runs the client; sets RC, and OUT/ERR hold what it printed.
lh() {
  RC=0
  "$LH_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

case_begin "tables pad by display width"
# José Núñez (13 bytes, 10 columns), Zoë with a combining diaeresis (5
# bytes, 3 columns), 王小明 (9 bytes, 6 columns).
printf 'id,name,state\n1,Ada,CA\n2,Jos\xc3\xa9 N\xc3\xba\xc3\xb1ez,TX\n3,Zoe\xcc\x88,NY\n4,\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e,WA\n' \
  >"$IN/people.csv"
lh ingest "$IN/people.csv" --dataset people
assert_eq 0 "$RC" "ingest exit code ($(cat "$ERR"))"
lh sql "SELECT name, state, id FROM people ORDER BY id"
assert_eq 0 "$RC" "sql exit code ($(cat "$ERR"))"
expected=$(printf '%s\n' \
  'name        state  id' \
  '----------  -----  --' \
  'Ada         CA      1' \
  $'Jos\xc3\xa9 N\xc3\xba\xc3\xb1ez  TX      2' \
  $'Zoe\xcc\x88         NY      3' \
  $'\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e      WA      4')
assert_eq "$expected" "$(cat "$OUT")" "the table"

case_begin "an unreachable server"
pick_ports 1
closed=${PORTS[0]}
lh datasets --url "http://127.0.0.1:$closed"
assert_eq 3 "$RC" "exit code"
assert_contains "$(cat "$ERR")" "error: cannot reach http://127.0.0.1:$closed: connection refused" \
  "the reason in words"
assert_contains "$(cat "$ERR")" \
  'is `lakehouse serve` running there? Point the client elsewhere with --url or LAKEHOUSE_URL' \
  "the hint"
RC=0
LAKEHOUSE_URL="http://127.0.0.1:$closed" "$LH_BIN" sql "SELECT 1" >"$OUT" 2>"$ERR" </dev/null || RC=$?
assert_eq 3 "$RC" "exit code through LAKEHOUSE_URL"
assert_contains "$(cat "$ERR")" "connection refused" "the reason through LAKEHOUSE_URL"

case_begin "one row, one version"
printf 'id,name\n1,Solo\n' >"$IN/solo.csv"
lh ingest "$IN/solo.csv" --dataset solo
assert_eq "solo: version 1 (create, +1 row, 1 in all)" "$(cat "$OUT")" "ingest of one row"
lh sql "SELECT id FROM solo"
assert_contains "$(cat "$ERR")" "(1 row; read solo@1;" "sql's count"
lh datasets solo
assert_contains "$(cat "$OUT")" "solo @ version 1: 1 row, " "datasets NAME"
lh delete solo --where "id = 1"
assert_eq "solo: 1 row deleted; version 2 (0 rows)" "$(cat "$OUT")" "delete of one row"

case_begin "index progress counts rows on a terminal"
{
  echo id,text,state
  for i in $(seq 1 2500); do
    if ((i % 2)); then echo "$i,python data engineer $i,TX"; else echo "$i,registered nurse on nights $i,CA"; fi
  done
} >"$IN/notes.csv"
lh ingest "$IN/notes.csv" --dataset notes
assert_eq 0 "$RC" "ingest notes ($(cat "$ERR"))"
# script(1) gives the client a terminal, where it draws its progress bars.
on_terminal() {
  local command
  printf -v command '%q ' "$LH_BIN" "$@"
  RC=0
  script -qec "$command" /dev/null </dev/null >"$OUT" 2>"$ERR" || RC=$?
  tr '\r' '\n' <"$OUT" >"$OUT.lines"
}
on_terminal index create notes notes_text --text text
assert_eq 0 "$RC" "index create exit code ($(cat "$OUT"))"
grep -Eq '^embedding \[[#.]+\] +[0-9]+% [0-9,]+ / 2,500 rows' "$OUT.lines" ||
  fail "no embedding bar counting rows: $(smoke_show "$(cat "$OUT.lines")")"
grep -Eq '^reading .* / 2,500 rows' "$OUT.lines" ||
  fail "no reading bar counting rows: $(smoke_show "$(cat "$OUT.lines")")"
assert_not_contains "$(cat "$OUT.lines")" " B / " "rows are not shown as bytes"
assert_contains "$(cat "$OUT.lines")" "created notes_text from notes@1: 2500 items (2500 embedded" \
  "the verb of a first build"
lh index refresh notes_text
assert_contains "$(cat "$OUT")" "refreshed notes_text from notes@1: 2500 items (0 embedded" \
  "the verb of a refresh"
lh index refresh notes_text --rebuild
assert_contains "$(cat "$OUT")" "rebuilt notes_text from notes@1: 2500 items (2500 embedded" \
  "the verb of a rebuild"
lh index create notes notes_text --text text --rebuild
assert_contains "$(cat "$OUT")" "rebuilt notes_text" "the verb of create --rebuild"

# The keyword part's options reach the server; without one, keyword search is refused.
lh index create notes notes_plain --text text --stemmer none --k1 1.5 --b 0.3
assert_eq 0 "$RC" "create with full-text options ($(cat "$ERR"))"
http GET /v1/indexes/notes_plain
assert_contains "$HTTP_BODY" '"full_text":{"b":0.3,"k1":1.5,"stemmer":"none"}' "its parameters"
lh index create notes notes_plain --text text --no-full-text
assert_contains "$(cat "$OUT")" "rebuilt notes_plain" "turning the keyword part off rebuilds"
lh search notes_plain "nurse" --mode keyword
assert_eq 1 "$RC" "keyword search of an index without a keyword part"
assert_contains "$(cat "$ERR")" "needs a full-text part" "says why"
lh index create notes notes_plain --text text --stemmer french
assert_ne 0 "$RC" "an unknown stemmer is refused before any request"
assert_contains "$(cat "$ERR")" "--stemmer: french not in {english,none}" "naming the choices"

case_begin "datasets delete"
lh datasets delete solo
assert_eq 0 "$RC" "exit code ($(cat "$ERR"))"
assert_eq 'deleted dataset solo: version 3 records the deletion; version 2 (0 rows) stays readable as "solo@2" until vacuumed' \
  "$(cat "$OUT")" "what was deleted"
http GET /v1/datasets/solo
assert_status 404 "the dataset is gone"
lh sql 'SELECT count(*) AS n FROM "solo@1"' --format csv
assert_eq 1 "$(sed -n 2p "$OUT" | tr -d '\r')" "an earlier version still reads"
lh datasets delete solo
assert_eq 1 "$RC" "a deleted dataset cannot be deleted again"
assert_contains "$(cat "$ERR")" "dataset \"solo\" does not exist (HTTP 404)" "the server's message"
lh datasets delete nosuch
assert_eq 1 "$RC" "an unknown dataset"
assert_contains "$(cat "$ERR")" "dataset \"nosuch\" does not exist (HTTP 404)" "the server's message"
lh datasets people
assert_eq 0 "$RC" "datasets NAME still shows a dataset"

case_begin "search by text"
lh search notes_text "python data engineer" -k 3 --mode vector
assert_eq 0 "$RC" "exit code ($(cat "$ERR"))"
assert_eq "rank  id" "$(head -1 "$OUT" | cut -c1-8)" "rank and id come first"
assert_contains "$(head -1 "$OUT")" "score   distance  state" "the score and distance, then the metadata"
assert_eq "1 2 3" "$(awk 'NR > 2 { printf "%s%s", (NR > 3 ? " " : ""), $1 }' "$OUT")" "ranked 1 to 3"
assert_eq "TX TX TX" "$(awk 'NR > 2 { printf "%s%s", (NR > 3 ? " " : ""), $5 }' "$OUT")" \
  "the nearest are the python rows"
# By default a text search is hybrid: both rankers' ranks, a dash where one
# did not find the hit.
lh search notes_text "python data engineer 7" -k 3 --highlight
assert_eq 0 "$RC" "hybrid exit code ($(cat "$ERR"))"
assert_contains "$(head -1 "$OUT")" "distance  vector_rank  keyword_rank  matched" "the hybrid columns"
assert_eq "7 1" "$(awk 'NR == 3 { print $2, $6 }' "$OUT")" \
  "the one row saying 7 is first, and first by keywords"
assert_contains "$(sed -n 3p "$OUT")" "7 data engin python" "its matched terms, stemmed"
lh search notes_text "nurse" -k 2 --format csv --mode vector
assert_eq $'rank,id,score,distance,state\r' "$(head -1 "$OUT")" "CSV header"
assert_eq 3 "$(wc -l <"$OUT")" "CSV rows"
lh search notes_text "nurse" -k 2 --format csv --mode keyword
assert_eq $'rank,id,score,distance,state\r' "$(head -1 "$OUT")" "keyword CSV header"
assert_contains "$(sed -n 2p "$OUT")" ",," "no distance by keyword"
lh search notes_text "nurse" -k 2 --format json
assert_eq 2 "$(json_strs id <"$OUT" | wc -l)" "JSON results"
lh search notes_text "nurse" -k 5 --filter '{"state": "TX"}'
assert_eq 0 "$RC" "filtered search ($(cat "$ERR"))"
assert_eq "TX TX TX TX TX" "$(awk 'NR > 2 { printf "%s%s", (NR > 3 ? " " : ""), $NF }' "$OUT")" \
  "only rows passing the filter"
# Refused before any request: the URL leads nowhere, which would exit 3.
lh search notes_text nurse --filter '{"state": ' --url "http://127.0.0.1:$closed"
assert_eq 2 "$RC" "a filter that is not JSON"
assert_contains "$(cat "$ERR")" "--filter is not JSON: parse error at line 1, column 11" \
  "names where it broke"
lh search notes_text nurse --filter '["TX"]' --url "http://127.0.0.1:$closed"
assert_eq 2 "$RC" "a filter that is not an object"
assert_contains "$(cat "$ERR")" "--filter must be a JSON object" "says what it must be"
# The mode is the server's to judge: one it does not know is its 400.
lh search notes_text nurse --mode no_such_mode
assert_eq 1 "$RC" "an unknown mode"
assert_contains "$(cat "$ERR")" "(HTTP 400)" "the server's refusal"
lh search no_such_index nurse
assert_eq 1 "$RC" "an unknown index"
assert_contains "$(cat "$ERR")" "no_such_index" "named"

case_begin "bash completion"
lh completion bash
assert_eq 0 "$RC" "completion exit code ($(cat "$ERR"))"
cp "$OUT" "$SMOKE_TMP/completion.bash"
# COMPREPLY, one per line, for the words typed (the last one being completed).
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lakehouse
           printf "%s\n" "${COMPREPLY[@]}"' _ "$SMOKE_TMP/completion.bash" "$@"
}
assert_eq datasets "$(complete_words lakehouse da)" "a subcommand"
assert_eq delete "$(complete_words lakehouse datasets '')" "a sub-subcommand"
assert_eq "create refresh" "$(complete_words lakehouse index '' | tr '\n' ' ' | sed 's/ $//')" \
  "index's subcommands"
assert_eq "--filter --format --help --highlight --mode --url" \
  "$(complete_words lakehouse search notes_text nurse -- | sort | tr '\n' ' ' | sed 's/ $//')" \
  "search's flags"
assert_eq "csv json table" \
  "$(complete_words lakehouse sql 'SELECT 1' --format '' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "an option's choices"
assert_eq demo "$(complete_words lakehouse --log-level debug dem)" \
  "an option's value is skipped"
assert_eq "$IN/people.csv" "$(complete_words lakehouse ingest "$IN/peo")" "a file argument"
assert_contains "$(cat "$SMOKE_TMP/completion.bash")" "complete -F _lakehouse lakehouse" \
  "bound to the command"

case_begin "CSV options and a repeated file"
# An export in Latin-1, with semicolons, a line of notes and NA for missing.
printf 'Exported 2026-12-01\nid;name;rate;start\n1;Jos\xe9;NA;31/12/2025\n2;Ana;40;01/02/2026\n' \
  >"$IN/export.csv"
lh ingest "$IN/export.csv" --dataset exported
assert_eq 1 "$RC" "without options the file is refused"
assert_contains "$(cat "$ERR")" "is not UTF-8" "the refusal names the encoding"
lh ingest "$IN/export.csv" --dataset exported --encoding latin-1 --delimiter ';' --skip 1 \
  --null NA --dateformat '%d/%m/%Y'
assert_eq 0 "$RC" "with the options it ingests ($(cat "$ERR"))"
lh sql "SELECT name, rate IS NULL AS missing, CAST(start AS VARCHAR) AS day FROM exported ORDER BY id" \
  --format csv
assert_eq $'name,missing,day\nJosé,true,2025-12-31\nAna,false,2026-02-01' \
  "$(tr -d '\r' <"$OUT")" "the rows as the options read them"
lh ingest "$IN/export.csv" --dataset exported --encoding latin-1 --delimiter ';' --skip 1 \
  --null NA --dateformat '%d/%m/%Y'
assert_eq 1 "$RC" "the same file again is refused"
assert_contains "$(cat "$ERR")" "version 1 of exported" "the refusal names the version"
assert_contains "$(cat "$ERR")" "(HTTP 409)" "the refusal is a conflict"
lh ingest "$IN/export.csv" --dataset exported --encoding latin-1 --delimiter ';' --skip 1 \
  --null NA --dateformat '%d/%m/%Y' --force
assert_eq 0 "$RC" "--force appends it ($(cat "$ERR"))"
lh ingest "$IN/export.csv" --dataset exported --encoding ebcdic
assert_eq 1 "$RC" "an unknown encoding"
assert_contains "$(cat "$ERR")" "accepted: utf-8, latin-1" "the encodings accepted"

stop_server "$SERVER_PID"
echo "PASS [$SMOKE_NAME]"
