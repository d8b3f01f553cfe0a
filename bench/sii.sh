#!/bin/sh
# bench/sii.sh — `equitylens ci --method sii`: the slope and relative index of
# inequality (PHE method) on 10 quantiles with 100,000 simulation
# repetitions (owner: fastjob; method owner: phe). Also 100 groups of 10
# deciles at the same repetitions, to show the per-group cost.
# Run by bench/run.sh (BENCH_ONLY=sii), or alone:
#   BIN=build/equitylens OUT=bench/out SUMMARY=bench/out/summary.md sh bench/sii.sh
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$ROOT/bench/lib.sh"
IN=$OUT/sii_deciles.csv
IN1K=$OUT/sii_deciles_100groups.csv
awk 'BEGIN {
    print "area,quantile,population,value,se";
    for (q = 1; q <= 10; q++) printf "E1,%d,%d,%.3f,%.4f\n", q, 50000 + 731 * q, 720 - 31.5 * q, 9 + q / 7;
}' > "$IN"
awk 'BEGIN {
    print "area,quantile,population,value,se";
    for (g = 1; g <= 100; g++) for (q = 1; q <= 10; q++)
        printf "A%04d,%d,%d,%.3f,%.4f\n", g, q, 40000 + 97 * g + 731 * q, 700 - 30 * q + (g % 17), 8 + q / 7 + (g % 5) / 10;
}' > "$IN1K"
echo "SII: 10 quantiles, 100,000 repetitions ($IN)"
TIMES=$OUT/sii_times.txt
: > "$TIMES"
export TIMES
best_of 3 sii_10q "$BIN" ci --method sii --group-by area --value-type 0 --reps 100000 --seed 1 "$IN"
best_of 1 sii_100x10q "$BIN" ci --method sii --group-by area --value-type 0 --reps 100000 --seed 1 "$IN1K"
lines=$(($(wc -l < "$OUT/sii_10q.stdout")))
read -r _ t1 r1 c1 < "$TIMES"
t2=$(awk 'NR==2{print $2}' "$TIMES"); r2=$(awk 'NR==2{print $3}' "$TIMES"); c2=$(awk 'NR==2{print $4}' "$TIMES")
{
    echo
    echo "## SII / RII (bench/sii.sh)"
    echo
    echo "\`equitylens ci --method sii --reps 100000\`, 10 quantiles: $t1 s (best of 3), peak RSS $((r1 / 1024)) MiB, exit $c1;"
    echo "100 groups x 10 quantiles: $t2 s, peak RSS $((r2 / 1024)) MiB, exit $c2."
} >> "$SUMMARY"
[ "$c1" -eq 0 ] && [ "$lines" -ge 2 ]
