#!/bin/sh
# report_html: the board pack HTML from the fixed synthetic results validates
# with tidy (no errors, no warnings), has ordered headings, captioned tables
# with scoped headers, inline SVG charts with text alternatives, no external
# requests, the disclosure policy, and no count from 1 to 7.
set -eu
D="$ROOT/tests/golden/data/report"
"$EQUITYLENS" report -q --result "$D/waiting_list.json" --result "$D/appointments.json" \
    --result "$D/cancer.json" --format html --out out
test -s out/equity-report.html
if command -v tidy >/dev/null 2>&1; then
    tidy -errors -q out/equity-report.html || { echo "tidy reported problems"; exit 1; }
else
    echo "SKIP tidy validation: tidy not installed (Debian package tidy, scripts/setup.sh)"
fi
python3 "$D/check_report.py" html out/equity-report.html
# byte-stable: a second run gives the same file
"$EQUITYLENS" report -q --result "$D/waiting_list.json" --result "$D/appointments.json" \
    --result "$D/cancer.json" --format html --out out2
cmp out/equity-report.html out2/equity-report.html
# filters: only the DNA metric
"$EQUITYLENS" report -q --result "$D/appointments.json" --metrics dna_rate --format html --out out3
grep -q "DNA rate by IMD quintile" out3/equity-report.html
! grep -q "waiting over 18 weeks by" out3/equity-report.html
# a metric that is not there is an error, not an empty report
if "$EQUITYLENS" report -q --result "$D/appointments.json" --metrics no_such_metric --out out4 2>err.txt; then
    echo "expected failure for an unknown metric"; exit 1
fi
grep -q "none of the requested metrics" err.txt
# a result without provider strata cannot be filtered by provider
if "$EQUITYLENS" report -q --result "$D/appointments.json" --provider RXX --out out5 2>err.txt; then
    echo "expected failure for a provider filter the result cannot honour"; exit 1
fi
grep -q "no breakdown by provider" err.txt
# bad input names the file and position
printf '{"schema": "equitylens.analysis/1", ' > bad.json
if "$EQUITYLENS" report -q --result bad.json --out out6 2>err.txt; then echo "expected parse failure"; exit 1; fi
grep -q "bad.json:1" err.txt
"$EQUITYLENS" report --help | grep -q -- "--treatment-function"
