#!/usr/bin/env bash
# The README's five-minute tour, run as written: every command of its
# indented blocks (from "A five-minute tour" to the next heading), against a
# real `serve` with the demo data loaded, must exit 0. Optional flags shown
# in [brackets] are left out, `build/lakehouse` is the binary under test and
# the documented address is the server's. Commands run in one scratch folder
# in order, so files one writes (tx.csv) are there for the next.
#
#   tests/smoke/readme_tour_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

readme=$(cd "$(dirname "$0")/../.." && pwd)/README.md
command -v python3 >/dev/null || fail "python3 is not installed"

start_server serve serve --data "$SMOKE_TMP/data" --listen 127.0.0.1:0
case_begin "the demo loads"
"$LH_BIN" demo >"$SMOKE_TMP/demo.out" 2>&1 || fail "lakehouse demo failed: $(cat "$SMOKE_TMP/demo.out")"

# One command per line: continuation lines (indented deeper) joined, comments
# and [optional parts] removed.
commands=$(python3 - "$readme" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
tour = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
commands = []
for line in tour.splitlines():
    if line.startswith("      ") and commands:
        commands[-1] += " " + line.strip()
    elif line.startswith("    ") and line.strip():
        commands.append(line.strip())
for command in commands:
    command = re.sub(r"\s+#\s.*$", "", command)       # a trailing comment
    command = re.sub(r"\s\[-[^\]]*\]", "", command)  # [--optional parts]
    print(command)
PY
)
[[ -n "$commands" ]] || fail "no commands found in the README's tour"

cd "$SMOKE_TMP"
count=0
while IFS= read -r command; do
  count=$((count + 1))
  command=${command//build\/lakehouse/$LH_BIN}
  command=${command//http:\/\/127.0.0.1:8080/$SERVER_URL}
  command=${command//localhost:8080/$SERVER_URL}
  [[ "$command" == curl* ]] && command="curl -sS --fail-with-body ${command#curl }"
  case_begin "tour command $count: ${command//$LH_BIN/lakehouse}"
  if ! output=$(bash -c "$command" 2>&1 </dev/null); then
    fail "exited non-zero: $output"
  fi
done <<<"$commands"
((count >= 15)) || fail "only $count commands found in the tour"
