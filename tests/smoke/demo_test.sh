#!/usr/bin/env bash
# `lakehouse demo` (docs/api.md, Command line) against a real `serve`:
#   - the first run creates the five datasets, and SQL counts the rows it
#     printed; joins across candidates, clients, jobs, placements and
#     timesheets find every reference and consistent numbers;
#   - a second run (through $LAKEHOUSE_URL) says "unchanged" for each and adds
#     no version; another scale replaces every dataset, and going back
#     replaces them again with the first run's data; a deleted dataset is
#     created again;
#   - an unreachable --url and a server that refuses the upload exit
#     non-zero with the reason.
#
#   tests/smoke/demo_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

command -v awk >/dev/null || fail "awk is not installed"

TABLES=(candidates clients jobs placements timesheets)
OUT=$SMOKE_TMP/out
ERR=$SMOKE_TMP/err

# Runs the client; sets RC, and OUT/ERR hold what it printed.
lh() {
  RC=0
  "$LH_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

# The one value a single-cell query answers.
sql_value() {
  lh sql "$1" --format csv
  [[ $RC == 0 ]] || fail "sql '$1' failed: $(cat "$ERR")"
  sed -n 2p "$OUT" | tr -d '\r'
}

# Runs `lakehouse demo ARGS...` like lh, keeping its output in DEMO_OUT too.
DEMO_OUT=$SMOKE_TMP/demo.out
demo() {
  lh demo "$@"
  cp "$OUT" "$DEMO_OUT"
}

# The last demo's line for a dataset: "  NAME WHAT version N ROWS rows".
demo_field() { # NAME FIELD(2=what, 4=version, 5=rows)
  awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$DEMO_OUT"
}

# The current version of every table, "name=version ..." from GET /v1/datasets.
versions() {
  local t out=""
  for t in "${TABLES[@]}"; do
    http GET "/v1/datasets/$t"
    assert_status 200 "GET /v1/datasets/$t"
    out+="$t=$(json_nums version <<<"$HTTP_BODY" | first_line) "
  done
  printf '%s' "$out"
}

start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0

case_begin "first run creates every dataset"
demo --url "$SERVER_URL"
assert_eq 0 "$RC" "demo exit code ($(cat "$ERR"))"
declare -A ROWS
for t in "${TABLES[@]}"; do
  assert_eq created "$(demo_field "$t" 2)" "$t is created"
  assert_eq 1 "$(demo_field "$t" 4)" "$t's version"
  ROWS[$t]=$(demo_field "$t" 5)
done
assert_eq 2000 "${ROWS[candidates]}" "candidates at scale 1"
assert_eq 200 "${ROWS[clients]}" "clients at scale 1"
assert_eq 1000 "${ROWS[jobs]}" "jobs at scale 1"
assert_eq 1500 "${ROWS[placements]}" "placements at scale 1"
((ROWS[timesheets] > 15000)) || fail "only ${ROWS[timesheets]} timesheets"
total=$((ROWS[candidates] + ROWS[clients] + ROWS[jobs] + ROWS[placements] + ROWS[timesheets]))
assert_contains "$(grep "^demo:" "$DEMO_OUT")" "5 datasets, $total rows (5 created, 0 replaced, 0 unchanged)" "summary"

case_begin "SQL sees the rows the demo printed"
for t in "${TABLES[@]}"; do
  assert_eq "${ROWS[$t]}" "$(sql_value "SELECT count(*) FROM $t")" "count(*) of $t"
  http GET "/v1/datasets/$t"
  assert_eq "${ROWS[$t]}" "$(json_nums rows <<<"$HTTP_BODY" | first_line)" "rows of GET /v1/datasets/$t"
done
lh datasets candidates
assert_contains "$(cat "$OUT")" "candidates.csv" "the source file name is recorded"

case_begin "joins across the tables are consistent"
assert_eq "${ROWS[placements]}" "$(sql_value "SELECT count(*) FROM placements p
  JOIN candidates c ON c.id = p.candidate_id JOIN jobs j ON j.id = p.job_id
  JOIN clients k ON k.id = j.client_id")" "every placement joins a candidate, a job and its client"
assert_eq "${ROWS[timesheets]}" "$(sql_value "SELECT count(*) FROM timesheets t
  JOIN placements p ON p.id = t.placement_id")" "every timesheet joins its placement"
assert_eq 0 "$(sql_value "SELECT count(*) FROM timesheets t JOIN placements p ON p.id = t.placement_id
  WHERE t.week_ending < p.start_date OR t.week_ending - 6 > coalesce(p.end_date, DATE '2025-06-30')
     OR t.week_ending > DATE '2025-06-30'")" "timesheets fall within their placement"
assert_eq 0 "$(sql_value "SELECT count(*) FROM placements p JOIN jobs j ON j.id = p.job_id
  JOIN candidates c ON c.id = p.candidate_id
  WHERE p.bill_rate NOT BETWEEN j.rate_min AND j.rate_max OR p.pay_rate >= p.bill_rate
     OR c.title <> j.title OR p.start_date < j.opened_on")" "placements fit their job"
assert_eq "$(sql_value "SELECT count(DISTINCT job_id) FROM placements")" \
  "$(sql_value "SELECT count(*) FROM jobs WHERE status = 'filled'")" "filled jobs are the placed ones"
# The same total billed, summed two ways.
assert_eq "$(sql_value "SELECT round(sum(amount), 2) FROM timesheets")" \
  "$(sql_value "SELECT round(sum(s), 2) FROM (SELECT c.state, sum(t.amount) AS s FROM timesheets t
     JOIN placements p ON p.id = t.placement_id JOIN candidates c ON c.id = p.candidate_id
     GROUP BY c.state)")" "billing by candidate state adds up to the total"
assert_eq 0 "$(sql_value "SELECT count(*) FROM candidates WHERE length(resume) < 150
  OR position(title IN resume) = 0")" "every resume is a few sentences naming the role"

case_begin "the demo's text indexes search by meaning and join in SQL"
assert_contains "$(cat "$DEMO_OUT")" "created candidates_resume from candidates@1: 2000 items" "resume index"
assert_contains "$(cat "$DEMO_OUT")" "created jobs_description from jobs@1: ${ROWS[jobs]} items" "job index"
http GET /v1/indexes/candidates_resume
assert_status 200 "GET the resume index"
assert_contains "$HTTP_BODY" '"source":{"dataset":"candidates","id_column":"id"' "it names its dataset"
# Every hit joins back to its candidate, nearest first.
assert_eq 20 "$(sql_value "SELECT count(*) FROM vector_search('candidates_resume', 'registered nurse', 20) s
  JOIN candidates c ON c.id = s.id")" "20 hits join 20 candidates"
assert_eq 0 "$(sql_value "SELECT count(*) FROM (SELECT distance, lag(distance) OVER () AS before
  FROM vector_search('jobs_description', 'forklift operator', 10)) WHERE distance < before")" \
  "hits come nearest first"
# Text searches are hybrid: keyword and vector ranks fused, terms highlighted.
http POST /v1/indexes/candidates_resume/search -H 'Content-Type: application/json' \
  --data-binary '{"text":"C++ developer","k":3,"highlight":true}'
assert_status 200 "hybrid search of the resumes"
assert_contains "$HTTP_BODY" '"mode":"hybrid"' "hybrid by default"
assert_contains "$HTTP_BODY" '"keyword_rank":1' "a keyword rank"
assert_contains "$HTTP_BODY" '"c++"' "c++ is a term as written"
lh sql "SELECT * FROM vector_search('no_such_index', 'x', 5)"
assert_ne 0 "$RC" "an unknown index is an error"
assert_contains "$(cat "$ERR")" "no_such_index" "naming the index"
# A filter inside the search answers 20 TX nurses; a WHERE after it keeps
# only the TX ones among the 20 nearest of every state.
assert_eq 20 "$(sql_value "SELECT count(*) FROM vector_search('candidates_resume', 'registered nurse', 20,
  filter := '{\"state\": \"TX\"}') s JOIN candidates c ON c.id = s.id WHERE c.state = 'TX'")" \
  "filter := finds 20 TX candidates"
after_where=$(sql_value "SELECT count(*) FROM vector_search('candidates_resume', 'registered nurse', 20) s
  JOIN candidates c ON c.id = s.id WHERE c.state = 'TX'")
[[ $after_where -lt 20 ]] || fail "a WHERE after the search keeps fewer than 20 (kept $after_where)"
lh sql "SELECT * FROM vector_search('candidates_resume', 'x', 5, filter := '{\"state\": [1]}')"
assert_ne 0 "$RC" "a filter the search cannot use is an error"
assert_contains "$(cat "$ERR")" 'filter on "state"' "naming the field"
# The demo's text indexes have a full-text part: keywords and both fused.
assert_eq 20 "$(sql_value "SELECT count(*) FROM hybrid_search('candidates_resume', 'registered nurse', 20) s
  JOIN candidates c ON c.id = s.id WHERE s.vector_rank IS NOT NULL OR s.keyword_rank IS NOT NULL")" \
  "hybrid_search: 20 hits join 20 candidates, each placed by a ranker"
assert_eq 0 "$(sql_value "SELECT count(*) FROM (SELECT score, keyword_rank, distance, vector_rank,
  lag(score) OVER () AS before, row_number() OVER () AS n
  FROM text_search('jobs_description', 'forklift', 10))
  WHERE score > before OR keyword_rank <> n OR distance IS NOT NULL OR vector_rank IS NOT NULL")" \
  "text_search: best first, keyword_rank numbered, no distance"
lh sql "SELECT * FROM text_search('no_such_index', 'x', 5)"
assert_ne 0 "$RC" "text_search of an unknown index is an error"
assert_contains "$(cat "$ERR")" "no_such_index" "naming the index"

case_begin "second run changes nothing"
before=$(versions)
RC=0
LAKEHOUSE_URL=$SERVER_URL "$LH_BIN" demo >"$DEMO_OUT" 2>"$ERR" </dev/null || RC=$?
assert_eq 0 "$RC" "second demo exit code ($(cat "$ERR"))"
for t in "${TABLES[@]}"; do
  assert_eq unchanged "$(demo_field "$t" 2)" "$t is unchanged"
  assert_eq "${ROWS[$t]}" "$(demo_field "$t" 5)" "$t's rows"
done
assert_contains "$(grep "^demo:" "$DEMO_OUT")" "(0 created, 0 replaced, 5 unchanged)" "summary"
assert_eq "$before" "$(versions)" "no dataset has a new version"
assert_contains "$(cat "$DEMO_OUT")" "refreshed candidates_resume from candidates@1: 2000 items (0 embedded, 0 removed" \
  "the indexes are refreshed with nothing to embed"

case_begin "another scale replaces, and back"
demo --scale 2
assert_eq 0 "$RC" "scale 2 exit code ($(cat "$ERR"))"
for t in "${TABLES[@]}"; do assert_eq replaced "$(demo_field "$t" 2)" "$t at scale 2"; done
assert_eq 4000 "$(sql_value "SELECT count(*) FROM candidates")" "candidates at scale 2"
assert_contains "$(cat "$DEMO_OUT")" "refreshed candidates_resume from candidates@2: 4000 items" \
  "the resume index follows the new version"
demo
assert_eq 0 "$RC" "back to scale 1 exit code ($(cat "$ERR"))"
for t in "${TABLES[@]}"; do
  assert_eq replaced "$(demo_field "$t" 2)" "$t back at scale 1"
  assert_eq 3 "$(demo_field "$t" 4)" "$t's version"
  assert_eq "${ROWS[$t]}" "$(sql_value "SELECT count(*) FROM $t")" "$t's rows back at scale 1"
done
assert_eq 0 "$(sql_value "SELECT count(*) FROM (SELECT * FROM \"candidates@1\"
  EXCEPT ALL SELECT * FROM candidates)")" "the same candidates as the first run"
demo
assert_contains "$(grep "^demo:" "$DEMO_OUT")" "5 unchanged" "unchanged once more"

case_begin "a deleted dataset is created again"
http DELETE /v1/datasets/clients
assert_status 204 "DELETE /v1/datasets/clients"
demo
assert_eq 0 "$RC" "demo exit code ($(cat "$ERR"))"
assert_eq created "$(demo_field clients 2)" "clients is created again"
assert_eq unchanged "$(demo_field jobs 2)" "jobs is left alone"
assert_eq "${ROWS[clients]}" "$(sql_value "SELECT count(*) FROM clients")" "clients' rows"

case_begin "failures exit non-zero with the reason"
demo --url http://127.0.0.1:1
assert_ne 0 "$RC" "an unreachable server fails"
assert_contains "$(cat "$ERR")" "cannot reach http://127.0.0.1:1" "names the URL"
demo --scale 0
assert_ne 0 "$RC" "scale 0 is refused"
stop_server "$SERVER_PID"
# A server that refuses uploads over 100 kB: candidates (about 1 MB) is 413.
printf '[catalogd]\nmax_ingest_bytes = 100000\n' >"$SMOKE_TMP/small.toml"
start_server small serve --data "$SMOKE_TMP/small" --listen 127.0.0.1:0 --config "$SMOKE_TMP/small.toml"
demo
assert_eq 1 "$RC" "a refused upload fails"
assert_contains "$(cat "$ERR")" "loading candidates failed" "names the dataset"
assert_contains "$(cat "$ERR")" "HTTP 413" "gives the server's answer"
http GET /v1/datasets/candidates
assert_status 404 "nothing was committed"
stop_server "$SERVER_PID"
