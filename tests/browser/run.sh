#!/bin/sh
# run.sh — real-browser tests (Playwright driving Debian's chromium). Every
# tests/browser/*.test.mjs is run with node; $1 is the equitylens binary.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:?usage: run.sh path/to/equitylens}
n=0
for t in "$ROOT"/tests/browser/*.test.mjs; do
    [ -e "$t" ] || continue
    echo "== browser $(basename "$t")"
    EQUITYLENS="$BIN" ROOT="$ROOT" node "$t"
    n=$((n + 1))
done
echo "browser: $n test file(s) passed"
