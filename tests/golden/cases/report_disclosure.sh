#!/bin/sh
# report_disclosure: results that are NOT compliant (small counts published,
# counts not rounded, a lone suppressed group) are fixed by the report's own
# check before anything is written: no count 1-7 in HTML, XLSX or PDF text,
# none recoverable by subtracting the other groups from the total.
set -eu
D="$ROOT/tests/golden/data/report"
python3 - "$D/appointments.json" leaky.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
r = d["results"][1]                        # DNA rate by ethnic group
for g in r["groups"]:
    if g["key"] == "Other":                # publish a small count, unsuppressed
        g.update(n=6, numerator=3, value=50.0, lower=18.8, upper=81.2, suppressed=None)
    if g["key"] == "Mixed":
        g["n"] = 2403                      # not rounded
for l in d["lenses"]:
    for g in l["groups"]:
        if g["key"] == "unknown": g.update(n=None, share=None, suppressed="primary")
json.dump(d, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
"$EQUITYLENS" report --result leaky.json --format html,xlsx --out out > log.txt
cat log.txt
grep -q "the input was not compliant; fixed" log.txt
grep -q "Disclosure control: counts 1" log.txt
python3 "$D/check_report.py" html out/equity-report.html
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import openpyxl" 2>/dev/null; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
    "$PY" - out/equity-report.xlsx <<'PY'
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1])
bad = []
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            if c.number_format == "#,##0" and isinstance(c.value, (int, float)):
                if 1 <= c.value <= 7: bad.append((ws.title, c.coordinate, c.value))
                if c.value % 5: bad.append((ws.title, c.coordinate, c.value))
    # no lone suppressed denominator in a table of groups
    head = [c.value for c in ws[5]] if ws.max_row >= 5 else []
    if "Denominator" in head:
        k = head.index("Denominator")
        rows = [r for r in ws.iter_rows(min_row=6) if r[0].value and r[k].value is not None]
        total = [r[k].value for r in rows if r[0].value == "All groups"]
        col = [r[k].value for r in rows if r[0].value != "All groups"]
        if col.count("*") == 1 and total and isinstance(total[0], (int, float)):
            bad.append((ws.title, "lone suppressed group beside a published total"))
if bad: print("FAIL", bad); sys.exit(1)
print("xlsx: no count 1-7, all counts rounded, no lone suppressed group")
PY
fi
# the small group's rate (50.0) must not survive anywhere
! grep -q ">50.0 (18.8" out/equity-report.html
# a stricter policy given on the command line is enforced and printed
"$EQUITYLENS" report --result "$D/appointments.json" --disclosure suppress=1-9,round=10 --format html --out strict > log2.txt
grep -q "counts 1–9 shown as \*" log2.txt
grep -q "nearest 10" strict/equity-report.html
python3 - strict/equity-report.html <<'PY'
import re, sys
cells = re.findall(r'<td class="n c">([^<]*)</td>', open(sys.argv[1], encoding="utf-8").read())
vals = [int(c.replace(",", "")) for c in cells if c not in ("*", "\u2014", "")]
bad = [v for v in vals if v % 10 or 1 <= v <= 9]
if bad or len(vals) < 10: print("FAIL", bad[:5], len(vals)); sys.exit(1)
print("strict policy: %d counts, all multiples of 10" % len(vals))
PY
