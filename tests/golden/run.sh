#!/bin/sh
# run.sh — golden CLI tests. Every tests/golden/cases/*.sh is a test: it runs
# $EQUITYLENS on fixed inputs and compares with expected output, exiting
# non-zero on any difference. Each runs in its own scratch directory ($T).
set -u
: "${EQUITYLENS:?set EQUITYLENS to the binary under test}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT EQUITYLENS
pass=0; fail=0; failed=""
for t in "$ROOT"/tests/golden/cases/*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    T=$(mktemp -d "${TMPDIR:-/tmp}/elgold.XXXXXX")
    if (cd "$T" && T="$T" sh "$t") >"$T.log" 2>&1; then
        pass=$((pass + 1)); echo "  ok   $name"
    else
        fail=$((fail + 1)); failed="$failed $name"; echo "  FAIL $name"; sed 's/^/       /' "$T.log" | tail -40
    fi
    rm -rf "$T" "$T.log"
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "golden failures:$failed"; exit 1; }
