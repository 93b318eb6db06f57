#!/usr/bin/env bash
# Runs every tests/smoke/*_test.sh against one lakehouse binary, one after
# another, printing PASS/FAIL per script (with the failing script's output)
# and, last, exactly one line "N passed, M failed". Exits non-zero if any
# script failed.
#
#   tests/smoke/run_all.sh build/lakehouse
#   SMOKE_ONLY=storage tests/smoke/run_all.sh build/lakehouse   # names containing "storage"
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

passed=0
failed=0
failed_names=()
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-smoke-logs.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT

shopt -s nullglob
scripts=("$here"/*_test.sh)
if [[ ${#scripts[@]} -eq 0 ]]; then
  echo "no smoke scripts in $here" >&2
  exit 2
fi

total_start=$SECONDS
for script in "${scripts[@]}"; do
  name=$(basename "$script" .sh)
  if [[ -n "${SMOKE_ONLY:-}" && "$name" != *"$SMOKE_ONLY"* ]]; then continue; fi
  start=$SECONDS
  rc=0
  bash "$script" "$binary" >"$log_dir/$name.log" 2>&1 </dev/null || rc=$?
  elapsed=$((SECONDS - start))
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    echo "PASS $name (${elapsed}s)"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "FAIL $name (exit $rc, ${elapsed}s)"
    sed 's/^/    | /' "$log_dir/$name.log"
  fi
done

echo "smoke: $((SECONDS - total_start))s in all${failed_names[*]:+; failed: ${failed_names[*]}}"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
