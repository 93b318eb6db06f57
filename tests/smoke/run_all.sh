#!/usr/bin/env bash
# Runs every tests/smoke/*_test.sh against one lakehouse binary, SMOKE_JOBS
# at a time (default 2), printing PASS/FAIL per script as each ends (with the
# failing script's output) and, last, exactly one line "N passed, M failed".
# Exits non-zero if any script failed. Each script has its own data folder
# and picks free ports, so scripts may run side by side.
#
#   tests/smoke/run_all.sh build/lakehouse
#   SMOKE_ONLY=storage tests/smoke/run_all.sh build/lakehouse   # names containing "storage"
#   SMOKE_JOBS=1 tests/smoke/run_all.sh build/lakehouse         # one after another
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 PATH/TO/lakehouse" >&2
  exit 2
fi
binary=$1
if [[ ! -x "$binary" ]]; then
  echo "$binary is not an executable (build first: make build)" >&2
  exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
here=$(cd "$(dirname "$0")" && pwd)

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-smoke-logs.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT

shopt -s nullglob
scripts=("$here"/*_test.sh)
if [[ ${#scripts[@]} -eq 0 ]]; then
  echo "no smoke scripts in $here" >&2
  exit 2
fi
selected=()
for script in "${scripts[@]}"; do
  name=$(basename "$script" .sh)
  if [[ -n "${SMOKE_ONLY:-}" && "$name" != *"$SMOKE_ONLY"* ]]; then continue; fi
  selected+=("$script")
done
if [[ ${#selected[@]} -eq 0 ]]; then
  echo "no smoke script matches SMOKE_ONLY=${SMOKE_ONLY:-}" >&2
  exit 2
fi
# Reverse order of names starts the long vectors_* scripts first, so the
# short ones fill in around them.
mapfile -t selected < <(printf '%s\n' "${selected[@]}" | sort -r)

# One script: its output to a log, "rc seconds" to NAME.rc, and one report,
# written at once so that reports of scripts ending together do not mix.
run_one() {
  local script=$1 name start rc=0 report
  name=$(basename "$script" .sh)
  start=$SECONDS
  bash "$script" "$binary" >"$log_dir/$name.log" 2>&1 </dev/null || rc=$?
  echo "$rc" >"$log_dir/$name.rc"
  if [[ $rc -eq 0 ]]; then
    report="PASS $name ($((SECONDS - start))s)"
  else
    report="FAIL $name (exit $rc, $((SECONDS - start))s)"$'\n'$(sed 's/^/    | /' "$log_dir/$name.log")
  fi
  printf '%s\n' "$report"
}
export -f run_one
export binary log_dir

total_start=$SECONDS
printf '%s\0' "${selected[@]}" | xargs -0 -n 1 -P "${SMOKE_JOBS:-2}" bash -c 'run_one "$1"' _ || true

passed=0
failed=0
failed_names=()
for script in "${selected[@]}"; do
  name=$(basename "$script" .sh)
  if [[ "$(cat "$log_dir/$name.rc" 2>/dev/null)" == 0 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
  fi
done

echo "smoke: $((SECONDS - total_start))s in all${failed_names[*]:+; failed: ${failed_names[*]}}"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
