#!/usr/bin/env bash
# The Python client (clients/python, docs/python.md) against real `serve`s:
#   - `pip install --no-build-isolation --no-index` of clients/python works
#     offline into a fresh venv (built by Debian's setuptools), and that
#     installed copy, not the source tree, is what the tests import;
#   - pytest runs clients/python/tests with this binary as $LAKEHOUSE_BIN:
#     sql (rows, columns, limit, as_of, "name@N", df()), ingest of a file, a
#     DataFrame and an unseekable stream with progress, overwrite and
#     upsert, datasets and versions, embed, search of a dataset index and of
#     the demo's, and the typed errors (bad SQL 400, DROP 403, unknown
#     dataset 404, duplicate append 409, wrong token 401, too low a scope
#     403 on an upload, connection refused, no answer).
#
#   tests/smoke/python_client_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
# Nothing the run writes lands in the source tree: no bytecode, no pytest
# cache, and pip builds from a copy (it builds a local folder in place).
export PYTHONDONTWRITEBYTECODE=1

case_begin "a Python with pytest and pandas"
# Debian's python3 first: scripts/bootstrap.sh installs pytest and pandas
# for it, and a python3 earlier on PATH (pyenv) may lack them.
PYTHON=""
for candidate in ${LAKEHOUSE_PYTHON:-} /usr/bin/python3 python3; do
  if "$candidate" -c 'import pytest, pandas, venv, setuptools' 2>/dev/null; then
    PYTHON=$candidate
    break
  fi
done
[[ -n "$PYTHON" ]] || fail "no python3 with pytest, pandas, venv and setuptools: run scripts/bootstrap.sh"

case_begin "pip installs the package offline"
VENV=$SMOKE_TMP/venv
# Site packages shared: the venv sees Debian's pytest, pandas, setuptools and
# wheel, and pip must fetch nothing.
"$PYTHON" -m venv --system-site-packages "$VENV" >"$SMOKE_TMP/venv.log" 2>&1 ||
  fail "python3 -m venv failed: $(smoke_show "$(cat "$SMOKE_TMP/venv.log")")"
mkdir -p "$SMOKE_TMP/src"
cp -r "$REPO/clients/python" "$SMOKE_TMP/src/"
rm -rf "$SMOKE_TMP/src/python/build" "$SMOKE_TMP/src/python/"*.egg-info
"$VENV/bin/python" -m pip install --no-build-isolation --no-index --no-cache-dir \
  --disable-pip-version-check "$SMOKE_TMP/src/python" >"$SMOKE_TMP/pip.log" 2>&1 ||
  fail "pip install failed: $(smoke_show "$(cat "$SMOKE_TMP/pip.log")")"
assert_contains "$(cat "$SMOKE_TMP/pip.log")" "Successfully installed lakehouse-" "pip's report"
rm -rf "$SMOKE_TMP/src"
installed=$(cd "$SMOKE_TMP" && "$VENV/bin/python" -c 'import lakehouse; print(lakehouse.__file__)')
assert_contains "$installed" "$VENV/" "lakehouse is imported from the venv"
version=$(cd "$SMOKE_TMP" && "$VENV/bin/python" -c 'import lakehouse; print(lakehouse.__version__)')
shown=$(cd "$SMOKE_TMP" && "$VENV/bin/python" -m pip show lakehouse 2>/dev/null | grep '^Version:')
assert_eq "Version: $version" "$shown" "pip show lakehouse"

case_begin "pytest against real servers"
# The fixtures start their own servers (conftest.py); the run is bounded so a
# hung server fails the smoke instead of hanging it.
rc=0
(cd "$SMOKE_TMP" && LAKEHOUSE_BIN=$LH_BIN timeout 900 "$VENV/bin/python" -m pytest \
  -p no:cacheprovider -q -rs --basetemp "$SMOKE_TMP/pytest" "$REPO/clients/python/tests") || rc=$?
[[ $rc == 0 ]] || fail "pytest exited $rc"
echo "PASS [$SMOKE_NAME]"
