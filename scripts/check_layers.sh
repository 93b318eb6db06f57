#!/usr/bin/env bash
# Checks, without building, that every include in src/<part>/ names its own
# part or one the part declares in src/<part>/CMakeLists.txt (PARTS for
# headers, PARTS or PRIVATE_PARTS for sources, with what those pass on), so a
# wrong-way include is reported in a second rather than by a compiler.
set -euo pipefail
cd "$(dirname "$0")/../src"

# The parts a part's folder CMakeLists.txt lists under one keyword.
declared() {
  local part=$1 keyword=$2
  awk -v kw="$keyword" '
    $1 == kw { on = 1; for (i = 2; i <= NF; i++) print $i; next }
    $1 ~ /^[A-Z_]+$/ { on = 0 }
    on { for (i = 1; i <= NF; i++) print $i }' "$part/CMakeLists.txt" | tr -d ')'
}

# A part and everything its PARTS pass on, transitively.
reachable() {
  local todo=("$@") seen=" "
  while ((${#todo[@]})); do
    local p=${todo[0]}
    todo=("${todo[@]:1}")
    [[ $seen == *" $p "* ]] && continue
    seen+="$p "
    [[ -f $p/CMakeLists.txt ]] && mapfile -t -O "${#todo[@]}" todo < <(declared "$p" PARTS)
  done
  echo "$seen"
}

failed=0
# check ALLOWED FILE...: each include of FILE... names a part in ALLOWED.
check() {
  local allowed=$1 line file used
  shift
  (($#)) || return 0
  while IFS= read -r line; do
    file=${line%%:*}
    used=${line#*#include \"}
    used=${used%/}
    if [[ $allowed != *" $used "* ]]; then
      echo "$file includes $used/, which ${file%%/*}/CMakeLists.txt does not declare" >&2
      failed=1
    fi
  done < <(grep -Ho '^#include "[a-z_0-9]*/' "$@" || true)
}

for dir in */; do
  part=${dir%/}
  [[ -f $part/CMakeLists.txt ]] || continue
  mapfile -t public < <(declared "$part" PARTS)
  mapfile -t private < <(declared "$part" PRIVATE_PARTS)
  for_headers=$(reachable "$part" "${public[@]}")
  for_sources=$(reachable "$part" "${public[@]}" "${private[@]}")
  shopt -s nullglob
  check "$for_headers" "$part"/*.h
  check "$for_sources" "$part"/*.cpp
  shopt -u nullglob
done
if ((failed)); then
  echo "layers: fix the include, or declare the part in the folder's CMakeLists.txt (only parts on lower layers; docs/design.md)" >&2
  exit 1
fi
echo "layers: every include in src/ is declared"
