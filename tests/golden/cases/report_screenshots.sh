#!/bin/sh
# report_screenshots: headless Chromium renders the HTML board pack and the
# PDF pages are rasterised (pdftoppm) to PNGs a person can look at. With
# EL_UPDATE_SCREENSHOTS=1 the PNGs are saved to docs/screenshots/ (the README
# links them); otherwise they are written to the scratch directory and checked.
set -eu
D="$ROOT/tests/golden/data/report"
if ! command -v chromium >/dev/null 2>&1; then
    echo "SKIP report_screenshots: chromium not installed (Debian package chromium, scripts/setup.sh)"; exit 0
fi
if ! command -v pdftoppm >/dev/null 2>&1; then
    echo "SKIP report_screenshots: pdftoppm not installed (Debian package poppler-utils)"; exit 0
fi
OUT=shots
[ "${EL_UPDATE_SCREENSHOTS:-0}" = 1 ] && OUT="$ROOT/docs/screenshots"
mkdir -p "$OUT"
"$EQUITYLENS" report -q --result "$D/waiting_list.json" --result "$D/appointments.json" \
    --result "$D/cancer.json" --format html,pdf --out out
prof=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$prof" --hide-scrollbars --window-size=1200,1900 \
    --screenshot="$OUT/report-html.png" "file://$(pwd)/out/equity-report.html" >/dev/null 2>&1
rm -rf "$prof"
pdftoppm -r 80 -png -f 1 -l 1 -singlefile out/equity-report.pdf "$OUT/report-pdf-page1"
pdftoppm -r 80 -png -f 4 -l 4 -singlefile out/equity-report.pdf "$OUT/report-pdf-page4"
for f in report-html.png report-pdf-page1.png report-pdf-page4.png; do
    test -s "$OUT/$f"
    # a PNG signature and a plausible size (not a blank page: > 20 kB)
    head -c 8 "$OUT/$f" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$'
    [ "$(wc -c < "$OUT/$f")" -gt 20000 ] || { echo "$f looks blank"; exit 1; }
done
echo "screenshots in $OUT"
