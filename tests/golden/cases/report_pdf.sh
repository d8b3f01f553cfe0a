#!/bin/sh
# report_pdf: the PDF made from the HTML by headless Chromium has the expected
# pages: every section on its own page(s), in board order, policy on page 1.
set -eu
D="$ROOT/tests/golden/data/report"
if ! command -v chromium >/dev/null 2>&1 && [ -z "${EL_CHROMIUM:-}" ]; then
    echo "SKIP report_pdf: chromium not installed (Debian package chromium, scripts/setup.sh)"; exit 0
fi
if ! command -v pdftotext >/dev/null 2>&1; then
    echo "SKIP report_pdf: pdftotext not installed (Debian package poppler-utils)"; exit 0
fi
"$EQUITYLENS" report -q --result "$D/waiting_list.json" --result "$D/appointments.json" \
    --result "$D/cancer.json" --format pdf --out out
test -s out/equity-report.pdf
test ! -e out/equity-report.html   # pdf only: the intermediate HTML is removed
mkdir -p txt
n=$(pdfinfo out/equity-report.pdf | awk '/^Pages:/{print $2}')
i=1
while [ "$i" -le "$n" ]; do pdftotext -layout -f "$i" -l "$i" out/equity-report.pdf "txt/page-$i.txt"; i=$((i + 1)); done
python3 "$D/check_report.py" pdf txt
# the PDF carries exactly the counts of the HTML it is printed from, and the
# HTML has no count 1-7 (check_report.py html)
"$EQUITYLENS" report -q --result "$D/waiting_list.json" --result "$D/appointments.json" \
    --result "$D/cancer.json" --format html --out h
python3 "$D/check_report.py" html h/equity-report.html
python3 "$D/check_report.py" pdf txt h/equity-report.html
# A4 portrait
pdfinfo out/equity-report.pdf | grep -q "Page size:.*(A4)"
