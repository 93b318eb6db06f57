#!/usr/bin/env bash
# Runs a GoogleTest binary as JOBS shards side by side, one process per shard
# rather than one per test: under the sanitizers a process takes most of a
# second to start, which per test would cost more than the tests. Prints only
# failures (gtest's brief mode) and one summary line per shard; exits non-zero
# if any shard fails or crashes.
#
#   scripts/gtest_shards.sh 2 build-asan/tests/unit/unit_tests [--gtest_filter=...]
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 JOBS TEST_BINARY [gtest flags...]" >&2
  exit 2
fi
jobs=$1
binary=$2
shift 2
[[ -x "$binary" ]] || { echo "$binary is not an executable" >&2; exit 2; }

pids=()
for ((i = 0; i < jobs; ++i)); do
  GTEST_TOTAL_SHARDS=$jobs GTEST_SHARD_INDEX=$i GTEST_BRIEF=1 "$binary" "$@" \
    > >(sed "s/^/[shard $i] /") 2>&1 &
  pids+=($!)
done
failed=0
for ((i = 0; i < jobs; ++i)); do
  if ! wait "${pids[$i]}"; then
    echo "shard $i of $jobs failed" >&2
    failed=1
  fi
done
exit $failed
