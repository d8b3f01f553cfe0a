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

# impossible numbers (QA): every number negated; every float set to 1e308
python3 - "$D/appointments.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def walk(o, f):
    if isinstance(o, dict): return {k: walk(v, f) for k, v in o.items()}
    if isinstance(o, list): return [walk(v, f) for v in o]
    if isinstance(o, bool) or o is None or isinstance(o, str): return o
    return f(o)
json.dump(walk(doc, lambda v: -v), open("neg.json", "w"))
json.dump(walk(doc, lambda v: 1e308 if isinstance(v, float) else v), open("huge.json", "w"))
doc["options"]["confidence"] = 95
json.dump(doc, open("conf.json", "w"))
PY
refuse "neg.json: dataset.rows: must be a whole number from 0 to 1e15" --result neg.json
refuse "huge.json: " --result huge.json
refuse "must be between 0 and" --result huge.json
refuse "conf.json: options.confidence: must be between 0 and 1" --result conf.json
# the valid fixture still renders
"$EQUITYLENS" report -q --result "$D/appointments.json" --format html --out ok
test -s ok/equity-report.html
! grep -q -e nan -e '"inf' ok/equity-report.html

# a missing file: no "-1:-1" position (jansson's unknown); a directory says so
refuse "no-such-file.json: unable to open" --result no-such-file.json
! grep -q -- "-1" err.txt
mkdir adir
refuse "adir: is a directory" --result adir

# one result per kind (QA: the same file twice doubled every table)
refuse "a second appointments result (the first is $D/appointments.json); give one result per kind" \
    --result "$D/appointments.json" --result "$D/waiting_list.json" --result "$D/appointments.json"
