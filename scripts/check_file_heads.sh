#!/usr/bin/env bash
# Checks that every source file in src/ opens with a one-line comment saying
# what the file does, so a reader knows a file's job before reading it.
set -euo pipefail
cd "$(dirname "$0")/.."
failed=0
while IFS= read -r file; do
  if [[ "$(head -c 3 "$file")" != "// " ]]; then
    echo "$file: the first line must be a // comment stating the file's job" >&2
    failed=1
  fi
done < <(git ls-files 'src/*.cpp' 'src/*.h')
exit $failed
