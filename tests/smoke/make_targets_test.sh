#!/usr/bin/env bash
# The Makefile's set-up targets build only what they run: `make run`, the
# smoke tests and the browser tests build the lakehouse binary alone (the unit
# tests and benchmarks cost minutes a first run need not spend), and `make
# run` passes LISTEN and DATA through to the server.
#
#   tests/smoke/make_targets_test.sh build/lakehouse
source "$(dirname "$0")/lib.sh" "$@"

repo=$(cd "$(dirname "$0")/../.." && pwd)
command -v make >/dev/null || fail "make is not installed"

# make -n prints the recipes without running them; BUILD points at an
# empty folder so the configure step is printed too.
plan() { make -s -n -C "$repo" "$@" BUILD="$SMOKE_TMP/build" 2>&1; }

for target in run smoke e2e; do
  case_begin "make $target builds the binary alone"
  out=$(plan "$target")
  assert_contains "$out" "--target lakehouse" "make $target builds the lakehouse target"
  assert_not_contains "$out" "unit_tests" "make $target builds no unit tests"
  assert_not_contains "$out" "_bench" "make $target builds no benchmarks"
done

case_begin "make run serves where LISTEN and DATA say"
out=$(plan run LISTEN=127.0.0.1:18123 DATA=/srv/lake)
assert_contains "$out" "run_with_demo.sh $SMOKE_TMP/build/lakehouse /srv/lake 127.0.0.1:18123" \
  "make run passes DATA and LISTEN to the server"

case_begin "make test runs the unit tests under the sanitizers"
out=$(plan test)
assert_contains "$out" "build-asan/tests/unit/unit_tests" "make test runs the sanitized unit tests"
