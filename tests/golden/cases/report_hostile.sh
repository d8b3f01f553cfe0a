#!/bin/sh
# report_hostile: result files the report did not write are checked before
# anything is rendered; each refusal names the file and the JSON path, exit 1,
# and no report is left behind.
set -eu
D="$ROOT/tests/golden/data/report"

# refuse: the command must fail (exit 1) and stderr must contain the text
refuse() {
    want=$1; shift
    rc=0
    "$EQUITYLENS" report -q "$@" --format html --out refused 2>err.txt || rc=$?
    if [ "$rc" -ne 1 ]; then echo "expected exit 1 for $*, got $rc"; cat err.txt; exit 1; fi
    grep -qF -- "$want" err.txt || { echo "expected '$want' for $*, got:"; cat err.txt; exit 1; }
    if [ -e refused/equity-report.html ]; then echo "a report was written for $*"; exit 1; fi
}

# fuzz_report crash (strcmp on a NULL lens label): lenses without an id
printf '{"schema":"equitylens.analysis/","lenses":[{"reference":""},{"reference":""}]}' > nolens.json
refuse "nolens.json: lenses[0]: no 'lens' id" --result nolens.json
