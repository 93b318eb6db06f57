#!/usr/bin/env bash
# Split-mode storage smoke: the object checks of storage_test.sh against a
# `lakehouse storaged --config FILE` process (root relative to the config
# file's folder, not the working directory), restart durability, the size
# limit from [storaged], and config errors that must stop storaged with a
# message naming the file, the line and the key.
#
#   tests/smoke/storaged_test.sh build/lakehouse
set -euo pipefail
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/object_checks.sh"

SPLIT="$SMOKE_TMP/split"
ELSEWHERE="$SMOKE_TMP/elsewhere" # the working directory: must stay empty
mkdir -p "$SPLIT" "$ELSEWHERE"
cat >"$SPLIT/lakehouse.toml" <<'EOF'
# storaged alone, on a free port
[storaged]
listen = "127.0.0.1:0"
root = "objects"
EOF

SERVER_CWD=$ELSEWHERE start_server storaged storaged --config "$SPLIT/lakehouse.toml"
STORAGED_PID=$SERVER_PID

check_health
check_objects

case_begin "root is relative to the config file"
[[ -d "$SPLIT/objects" ]] || fail "no $SPLIT/objects directory"
n_files=$(find "$SPLIT/objects" -type f | grep -c .) || true
((n_files >= 3)) || fail "only $n_files files under $SPLIT/objects"
assert_eq "" "$(ls -A "$ELSEWHERE")" "files in storaged's working directory"

check_conditional_put
check_hostile_keys "$SMOKE_TMP" "$SPLIT/objects"
check_key_encoding
check_listing

# ------------------------------------------------------------------------------
case_begin "restart keeps data"
list_everything
before_restart=$HTTP_BODY
stop_server "$STORAGED_PID"
SERVER_CWD=$ELSEWHERE start_server storaged storaged --config "$SPLIT/lakehouse.toml"
STORAGED_PID=$SERVER_PID
check_survivors "$before_restart"
stop_server "$STORAGED_PID" INT

# ------------------------------------------------------------------------------
LIMITED="$SMOKE_TMP/limited"
mkdir -p "$LIMITED"
cat >"$LIMITED/lakehouse.toml" <<'EOF'
[storaged]
listen = "127.0.0.1:0"
root = "store"
max_object_bytes = 1048576
EOF
start_server limited storaged --config "$LIMITED/lakehouse.toml"
check_size_limit 1048576 "$LIMITED/store"
stop_server "$SERVER_PID"

# ------------------------------------------------------------------------------
case_begin "bad config stops storaged"
# Runs storaged on a config that must be refused; sets BAD_OUT, BAD_ERR.
run_bad_config() { # FILE
  local rc=0
  timeout 10 "$LH_BIN" storaged --config "$1" >"$SMOKE_TMP/bad.out" 2>"$SMOKE_TMP/bad.err" </dev/null || rc=$?
  BAD_OUT=$(cat "$SMOKE_TMP/bad.out")
  BAD_ERR=$(cat "$SMOKE_TMP/bad.err")
  ((rc != 124)) || fail "storaged kept running on $1"
  ((rc != 0)) || fail "storaged exited 0 on $1; stderr: $(smoke_show "$BAD_ERR")"
  assert_not_contains "$BAD_OUT$BAD_ERR" "listening on" "storaged listened with $1"
}

BAD="$SMOKE_TMP/bad"
mkdir -p "$BAD"
printf '[storaged]\nlisten = "127.0.0.1:0"\nrooot = "x"\n' >"$BAD/typo.toml"
run_bad_config "$BAD/typo.toml"
assert_contains "$BAD_ERR" rooot "stderr names the unknown key"
assert_contains "$BAD_ERR" "$BAD/typo.toml:3" "stderr names the file and the line"
[[ ! -e "$BAD/x" && ! -e "$BAD/data" ]] || fail "storaged created a store with a bad config"

printf '[storaged]\nlisten = "127.0.0.1:0"\n\n[storagd]\nroot = "x"\n' >"$BAD/section.toml"
run_bad_config "$BAD/section.toml"
assert_contains "$BAD_ERR" storagd "stderr names the unknown section"
assert_contains "$BAD_ERR" "$BAD/section.toml:4" "stderr names the file and the line of the section"

printf '[storaged]\nlisten = "127.0.0.1:0"\nmax_object_bytes = "big"\n' >"$BAD/type.toml"
run_bad_config "$BAD/type.toml"
assert_contains "$BAD_ERR" max_object_bytes "stderr names the mistyped key"
assert_contains "$BAD_ERR" "$BAD/type.toml:3" "stderr names the file and the line of the mistyped key"

printf '[storaged]\nlisten = "127.0.0.1:0"\nmax_object_bytes = 0\n' >"$BAD/range.toml"
run_bad_config "$BAD/range.toml"
assert_contains "$BAD_ERR" max_object_bytes "stderr names the out-of-range key"

printf '[storaged]\nlisten = "no-port-here"\n' >"$BAD/listen.toml"
run_bad_config "$BAD/listen.toml"
assert_contains "$BAD_ERR" listen "stderr names the bad listen address"

printf '[storaged]\nlisten = "127.0.0.1:0\n' >"$BAD/syntax.toml"
run_bad_config "$BAD/syntax.toml"
assert_contains "$BAD_ERR" "$BAD/syntax.toml:2" "stderr names the file and line of a TOML syntax error"

run_bad_config "$BAD/does-not-exist.toml"
assert_contains "$BAD_ERR" does-not-exist.toml "stderr names the missing config file"

echo "PASS [$SMOKE_NAME]"
