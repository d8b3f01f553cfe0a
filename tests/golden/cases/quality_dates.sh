#!/bin/sh
# quality: implausible dates (before 1900, after 2099, a wait or pathway over
# 10 years: include/equitylens/quality.h) are a date problem of their own;
# rows rejected at import are always mentioned, even when their number is
# suppressed ("rejected at import *").
set -eu
export EQUITYLENS_DATA="$ROOT/data"
"$EQUITYLENS" synth --kind waiting_list --rows 400 --seed 9 --clean --out wl.csv -q
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("wl.csv", newline="")))
for i, r in enumerate(rows):
    if i % 4 == 1: r["rtt_start_date"] = "1800-01-01"      # 100 before 1900
    elif i % 8 == 2: r["rtt_start_date"] = "2013-01-01"    # 50 waits over 10 years
    elif i % 8 == 6: r["rtt_start_date"] = "2199-01-01"    # 50 after 2099 (and after the census date)
w = csv.DictWriter(open("wl_bad.csv", "w", newline=""), fieldnames=list(rows[0]))
w.writeheader(); w.writerows(rows)
PY
Q="$EQUITYLENS quality --kind waiting_list --today 2025-06-01 --disclosure suppress=off,round=1 --format json"
$Q --input wl_bad.csv > bad.json
$Q --input wl.csv > clean.json
python3 - <<'PY'
import json
def check(f, name):
    g = json.load(open(f))["groups"][0]
    return {d["check"]: d for d in g["dates"]}[name]
c = check("bad.json", "implausible_date")
assert c["failing"]["n"] == 200 and c["checked"]["n"] == 400, c
assert check("bad.json", "rtt_start_after_census_date")["failing"]["n"] == 50
assert check("clean.json", "implausible_date")["failing"]["n"] == 0
PY
"$EQUITYLENS" quality --kind waiting_list --today 2025-06-01 --input wl_bad.csv | grep -q "^implausible date or interval"
# rejected at import: shown when 8 or more, the mask when 1-7, never dropped
awk 'NR == 1 || NR > 4 { print; next } { print $0 ",x" }' wl.csv > rej3.csv
awk 'NR == 1 || NR > 21 { print; next } { print $0 ",x" }' wl.csv > rej20.csv
set +e
"$EQUITYLENS" quality --kind waiting_list --today 2025-06-01 --input rej3.csv > r3.txt 2>/dev/null
"$EQUITYLENS" quality --kind waiting_list --today 2025-06-01 --input rej20.csv > r20.txt 2>/dev/null
"$EQUITYLENS" quality --kind waiting_list --today 2025-06-01 --input rej3.csv --format json > r3.json 2>/dev/null
set -e
grep -q "rows read 400, rejected at import \*;" r3.txt || { head -3 r3.txt; echo "suppressed rejections not mentioned"; exit 1; }
grep -q "rows read 400, rejected at import 20;" r20.txt
"$EQUITYLENS" quality --kind waiting_list --today 2025-06-01 --input wl.csv | grep -q "rejected at import 0;"
python3 - <<'PY'
import json
ds = json.load(open("r3.json"))["dataset"]
assert ds["rows_rejected"] is None and ds["rows_rejected_suppressed"] == "primary", ds
PY
echo "quality_dates: ok"
