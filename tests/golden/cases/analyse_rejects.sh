#!/bin/sh
# analyse --input with rejected rows follows import's rule: every row
# rejected -> exit 1; more than --max-rejected-pct (default 50) rejected ->
# exit 1 writing nothing; some rejected -> written, exit 3, with a rejection
# summary on stderr; the rejected rows count nowhere in the result.
set -eu
D="$ROOT/tests/golden/data/analysis"
export EQUITYLENS_DATA="$ROOT/data"
A="--kind appointments --lens imd_quintile --no-missing --reps 20 --format json"
"$EQUITYLENS" analyse --help | grep -q -- "--max-rejected-pct P"
"$EQUITYLENS" analyse --help | grep -q "^3 written, but some --input rows were rejected"
run() {   # run WANT_RC OUT_FILE args...: exit status check
    want=$1; o=$2; shift 2
    set +e; "$EQUITYLENS" analyse "$@" --out "$o" 2>err.txt; rc=$?; set -e
    [ "$rc" -eq "$want" ] || { echo "analyse $*: exit $rc, want $want"; cat err.txt; exit 1; }
}
# every data row broken (a 16th field): exit 1, nothing written
awk 'NR == 1 { print; next } { print $0 ",x" }' "$D/appointments.csv" > all.csv
run 1 all.json --input all.csv $A
grep -q "all.csv: all 1500 rows rejected; nothing to analyse" err.txt
[ ! -e all.json ] || { echo "all rows rejected, yet all.json written"; exit 1; }
# 60% rejected: over the default 50%, nothing written; allowed with 100
awk 'NR == 1 || NR % 5 == 0 || NR % 5 == 1 { print; next } { print $0 ",x" }' "$D/appointments.csv" > most.csv
run 1 most.json --input most.csv $A
grep -q "900 of 1500 rows rejected (more than 50%)" err.txt
[ ! -e most.json ] || { echo "most rows rejected, yet most.json written"; exit 1; }
run 3 most.json --input most.csv $A --max-rejected-pct 100
[ -s most.json ]
run 1 most2.json --input most.csv $A --max-rejected-pct 59.9
run 3 most2.json --input most.csv $A --max-rejected-pct 60
# 20% rejected: written, exit 3, summary on stderr naming lines
awk 'NR == 1 || NR % 5 { print; next } { print $0 ",x" }' "$D/appointments.csv" > some.csv
run 3 some.json --input some.csv $A
grep -q "300 of 1500 rows rejected; by field: (whole record) 300" err.txt
grep -q "^  line 5: row has 16 fields; the header has 15" err.txt
# the result equals that of the file without the rejected rows
awk 'NR == 1 || NR % 5' "$D/appointments.csv" > kept.csv
run 0 kept.json --input kept.csv $A
[ ! -s err.txt ] || { echo "clean file: stderr not empty"; cat err.txt; exit 1; }
python3 - <<'PY'
import json
a, b = json.load(open("some.json")), json.load(open("kept.json"))
for j in (a, b): j["dataset"].pop("source")
assert a == b, "rejected rows changed the result"
PY
set +e; "$EQUITYLENS" analyse --input some.csv $A --max-rejected-pct 101 2>/dev/null; rc=$?; set -e
[ "$rc" -eq 2 ] || { echo "--max-rejected-pct 101: exit $rc, want 2"; exit 1; }
echo "analyse_rejects: ok"
