#!/usr/bin/env bash
# `make run`: serve with the staffing demo data loaded.
#
#   scripts/run_with_demo.sh build/lakehouse DATA_DIR HOST:PORT
#
# Starts `lakehouse serve` in the background, waits for /healthz, loads the
# demo data with `lakehouse demo` (a few seconds on an empty data directory;
# nothing is added when it is already loaded), then waits on the server.
# Ctrl-C or SIGTERM stops the server cleanly: it is sent SIGTERM, because a
# script's background job ignores SIGINT, so the terminal's Ctrl-C alone
# would not reach it. Exits with the server's status; if the demo data
# cannot be loaded, stops the server and exits 1.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 PATH/TO/lakehouse DATA_DIR HOST:PORT" >&2
  exit 2
fi
bin=$1 data=$2 listen=$3
url=http://$listen
command -v curl >/dev/null || {
  echo "$0: curl is not installed (scripts/bootstrap.sh installs it)" >&2
  exit 2
}

"$bin" serve --data "$data" --listen "$listen" &
pid=$!
stopping=0
stop() {
  stopping=1
  kill -TERM "$pid" 2>/dev/null || true
}
trap stop INT TERM

# Waits for the server to exit and exits with its status. A trapped signal
# interrupts `wait` (status > 128) while the server is still stopping, so
# wait again until it is gone.
finish() {
  local rc
  while :; do
    rc=0
    wait "$pid" || rc=$?
    kill -0 "$pid" 2>/dev/null || exit "$rc"
  done
}

deadline=$((SECONDS + 60))
until curl -sf --max-time 2 -o /dev/null "$url/healthz"; do
  if ! kill -0 "$pid" 2>/dev/null || ((stopping)); then
    finish
  fi
  if ((SECONDS >= deadline)); then
    echo "$0: the server did not answer $url/healthz within 60 s; stopping it" >&2
    stop
    finish
  fi
  sleep 0.1
done

if ((!stopping)); then
  if ! "$bin" demo --url "$url"; then
    ((stopping)) && finish # interrupted: not a failure to load
    echo "$0: the demo data could not be loaded; stopping the server" >&2
    stop
    wait "$pid" || true
    exit 1
  fi
  echo "serving $url with the demo data; Ctrl-C stops" >&2
fi
finish
