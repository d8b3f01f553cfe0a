#!/bin/sh
# report_from_store: synthetic extracts of every kind are imported and the
# board pack is produced straight from the store (analysis run by the
# report). The workbook's numbers equal those of `equitylens analyse` on the
# same datasets; the HTML validates; no count 1-7 anywhere.
set -eu
D="$ROOT/tests/golden/data/report"
export EQUITYLENS_DATA="$ROOT/data"
n=0
for k in appointments waiting_list cancer_pathways; do
    "$EQUITYLENS" synth -q --kind "$k" --rows 2500 --seed 11 --out "$k.csv"
    "$EQUITYLENS" import "$k.csv" --kind "$k" --db t.db >/dev/null
    n=$((n + 1))
    "$EQUITYLENS" analyse --db t.db --dataset "$n" --lens imd_quintile --lens ethnic_group \
        --data-dir "$ROOT/data" --format json --out "r$n.json"
done
"$EQUITYLENS" report --db t.db --dataset 1 --dataset 2 --dataset 3 --data-dir "$ROOT/data" \
    --format html,xlsx --out out > log.txt
cat log.txt
grep -q "disclosure check: .* 0 suppressed, 0 rounded, 0 secondary" log.txt   # analysis output already compliant
if command -v tidy >/dev/null 2>&1; then tidy -errors -q out/equity-report.html; fi
python3 "$D/check_report.py" html out/equity-report.html
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import openpyxl" 2>/dev/null; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
    "$PY" "$D/check_report.py" xlsx out/equity-report.xlsx r1.json r2.json r3.json
else
    echo "SKIP xlsx read-back: python3-openpyxl not installed"
fi
# the latest dataset of each kind is the default
"$EQUITYLENS" report -q --db t.db --data-dir "$ROOT/data" --format html --out out2
cmp out/equity-report.html out2/equity-report.html
# provider filter runs the analysis on that provider's rows only
prov=$(python3 -c "import csv; r=csv.DictReader(open('appointments.csv')); print(next(r)['provider_code'])")
"$EQUITYLENS" report -q --db t.db --dataset 1 --provider "$prov" --data-dir "$ROOT/data" --format html --out out3
grep -q "Provider: $prov" out3/equity-report.html
if "$EQUITYLENS" report -q --db t.db --dataset 1 --provider NOSUCH --format html --out out4 2>err.txt; then
    echo "expected failure for an unknown provider"; exit 1
fi
grep -q "no rows with provider_code = NOSUCH" err.txt
