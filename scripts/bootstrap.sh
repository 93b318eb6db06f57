#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test Lakehouse:
# Debian packages (apt) and the pinned npm-hosted dependencies (verified by
# their sha512 integrity) unpacked into a cache outside the repository.
# Re-running is cheap: nothing is installed or fetched twice.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LAKEHOUSE_CACHE:-$HOME/.cache/lakehouse}"
deps="$cache/deps"

debian_packages=(
  nodejs
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  clang-format clang-tidy
  libcpp-httplib-dev nlohmann-json3-dev libtomlplusplus-dev libspdlog-dev
  libfmt-dev libcli11-dev libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libfaiss-dev liblapack-dev libblas-dev
  libkainjow-mustache-dev libutf8proc-dev libstemmer-dev chromium
  # the Python client's smoke test: an offline pip install into a venv, then pytest
  python3 python3-venv python3-pip python3-setuptools python3-wheel python3-pytest python3-pandas
  # the PostgreSQL listener's smoke test: real clients
  postgresql-client python3-psycopg2 python3-psycopg python3-sqlalchemy
  libpostgresql-jdbc-java default-jdk-headless
  # bench/query's PostgreSQL client (libpq, linked into query_bench only)
  libpq-dev
  # Iceberg manifests are Avro (Avro C); its smoke test reads them back with Python's avro
  libavro-dev python3-avro
)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  for p in "${debian_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  # npm ships inside some nodejs builds and as its own package in Debian's.
  if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
  fi
  if ((${#missing[@]} == 0)); then
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Prints the sha512 integrity string npm uses ("sha512-<base64>") of a file.
integrity_of() {
  printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

# Fetches name@version with `npm pack` into the cache, checks its integrity,
# and unpacks it to $deps/<sanitised name>/.
fetch_npm_package() {
  local spec="$1" want="$2"
  # "@scope/name@1.2" -> "scope_name-1.2"
  local dir_name="${spec#@}"
  dir_name="${dir_name//\//_}"
  dir_name="${dir_name/@/-}"
  local dest="$deps/$dir_name"
  if [[ -f "$dest/.verified" && "$(cat "$dest/.verified")" == "$want" ]]; then
    return
  fi
  log "fetching $spec"
  local tmp
  tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/npm.log") || {
    cat "$tmp/npm.log" >&2
    rm -rf "$tmp"
    log "npm pack $spec failed"
    exit 1
  }
  local tgz
  tgz="$(ls "$tmp"/*.tgz)"
  local got
  got="$(integrity_of "$tgz")"
  if [[ "$got" != "$want" ]]; then
    rm -rf "$tmp"
    log "integrity mismatch for $spec: expected $want, got $got"
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest"
  rm -rf "$tmp"
  printf '%s' "$want" >"$dest/.verified"
}

install_npm_dependencies() {
  mkdir -p "$deps"
  while read -r spec integrity; do
    [[ -z "$spec" || "$spec" == \#* ]] && continue
    fetch_npm_package "$spec" "$integrity"
  done <"$here/deps.lock"
}

# The npm-hosted peers with dependencies of their own are installed with
# `npm ci` from scripts/<name>/package-lock.json, which pins every transitive
# version and its sha512 integrity (npm refuses a mismatch), into $deps/<name>.
# The lock file's own hash marks a finished install; npm's cache makes a re-run
# work offline. Extra arguments go to npm ci.
install_locked_npm_tree() {
  local name="$1"
  shift
  local src="$here/$name"
  local dest="$deps/$name"
  local want
  want="$(integrity_of "$src/package-lock.json")"
  if [[ -f "$dest/.verified" && "$(cat "$dest/.verified")" == "$want" ]]; then
    return
  fi
  log "installing $name (npm ci)"
  local tmp
  tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
  cp "$src/package.json" "$src/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline "$@" >"$tmp/npm.log" 2>&1) || {
    cat "$tmp/npm.log" >&2
    rm -rf "$tmp"
    log "npm ci for $name failed"
    exit 1
  }
  rm -f "$tmp/npm.log"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  printf '%s' "$want" >"$dest/.verified"
}

# LanceDB, the row-change bench's peer (bench/changes), with the native build
# for x86-64 glibc Linux, the one machine this pins. Its optional embedding
# packages (transformers, openai) are in the lock, as npm records every
# optional dependency, but never installed: the bench does not embed. Elsewhere
# it is skipped and the bench reports its peer unavailable.
install_lancedb() {
  if [[ "$(uname -sm)" != "Linux x86_64" ]] || ! ldd --version 2>&1 | grep -qi 'glibc\|gnu libc'; then
    log "skipping LanceDB: its pinned native build is for x86-64 glibc Linux"
    return
  fi
  install_locked_npm_tree lancedb --omit=optional
}

install_debian_packages
install_npm_dependencies
install_locked_npm_tree s3rver  # the S3 tests' protocol peer
install_locked_npm_tree iceberg-readers  # the Iceberg catalog smoke's clients (iceberg-js, icebird)
install_lancedb
echo "$deps"
