#!/bin/sh
# bench/report.sh — the full report of a 500,000-pathway waiting list
# (owner: fastjob; subcommands owned by analysis and report): a synthetic
# waiting list from `equitylens synth`, then `equitylens analyse --input`
# (every metric through every lens, gaps, adjusted gaps, summary measures,
# who is missing, trends) to the JSON result, then `equitylens report` to
# HTML + XLSX. Times each step and the two together, with peak memory.
# BENCH_WL_ROWS overrides the 500,000. Run by bench/run.sh (BENCH_ONLY=report),
# or alone: BIN=build/equitylens OUT=bench/out SUMMARY=bench/out/summary.md sh bench/report.sh
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
N=${BENCH_WL_ROWS:-500000}
. "$ROOT/bench/lib.sh"
IN=$OUT/waiting_list_$N.csv
if [ ! -s "$IN" ]; then
    echo "report: writing $N synthetic waiting-list pathways to $IN"
    "$BIN" synth --kind waiting_list --rows "$N" --seed 1 --out "$IN" --data-dir "$ROOT/data" -q || exit 1
fi
TIMES=$OUT/report_times.txt
: > "$TIMES"
export TIMES
echo "report: $N-pathway waiting list -> analyse -> report (html, xlsx)"
best_of 1 analyse "$BIN" analyse --input "$IN" --kind waiting_list --data-dir "$ROOT/data" --format json --out "$OUT/report_result.json"
best_of 1 report "$BIN" report --result "$OUT/report_result.json" --format html,xlsx --out "$OUT/report_pack" -q
ta=$(awk '$1=="analyse"{print $2}' "$TIMES"); ra=$(awk '$1=="analyse"{print $3}' "$TIMES"); ca=$(awk '$1=="analyse"{print $4}' "$TIMES")
tr=$(awk '$1=="report"{print $2}' "$TIMES"); rr=$(awk '$1=="report"{print $3}' "$TIMES"); cr=$(awk '$1=="report"{print $4}' "$TIMES")
tot=$(awk "BEGIN{printf \"%.2f\", $ta + $tr}")
echo "  analyse + report: $tot s"
{
    echo
    echo "## Full report of a $N-pathway waiting list (bench/report.sh)"
    echo
    echo "| step | wall s | peak RSS MiB | exit |"
    echo "|---|---:|---:|---:|"
    echo "| analyse --input (JSON result) | $ta | $((ra / 1024)) | $ca |"
    echo "| report (HTML + XLSX) | $tr | $((rr / 1024)) | $cr |"
    echo "| **total** | **$tot** | | |"
} >> "$SUMMARY"
[ "$ca" -eq 0 ] && [ "$cr" -eq 0 ]
