#!/bin/sh
# report_xlsx: the workbook reads back (openpyxl) with the same numbers as the
# results, numbers stored as numbers with formats, a contents sheet first and
# a methods sheet last, suppressed cells marked "*" with a note, no count 1-7.
set -eu
D="$ROOT/tests/golden/data/report"
"$EQUITYLENS" report -q --result "$D/waiting_list.json" --result "$D/appointments.json" \
    --result "$D/cancer.json" --format xlsx --out out
test -s out/equity-report.xlsx
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import openpyxl" 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    echo "SKIP xlsx read-back: python3-openpyxl not installed (scripts/setup.sh installs it)"; exit 0
fi
"$PY" "$D/check_report.py" xlsx out/equity-report.xlsx "$D/waiting_list.json" "$D/appointments.json" "$D/cancer.json"
