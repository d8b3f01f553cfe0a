#!/bin/sh
# bench/who.sh — WHO summary measures (owner: "who"): every measure over
# 10,000 indicator x dimension blocks (5,000 ordered blocks of 5 quintiles,
# 5,000 non-ordered blocks of 10 regions with a reference subgroup; 75,000
# subgroup rows), CSV and JSON output, at the default 1,000 simulations per
# block and at healthequal's 100. Run by bench/run.sh (BENCH_ONLY=who), or
# alone: BIN=build/equitylens OUT=bench/out SUMMARY=bench/out/summary.md sh bench/who.sh
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
PY=${PY:-python3}
. "$ROOT/bench/lib.sh"
IN=$OUT/who_blocks.csv
$PY - "$IN" <<'PY'
import random, sys
rng = random.Random(1)
with open(sys.argv[1], "w") as f:
    f.write("indicator,dimension,subgroup,subgroup_order,estimate,se,population,favourable_indicator,"
            "ordered_dimension,indicator_scale,reference_subgroup,setting_average\n")
    for b in range(10000):
        ordered = b % 2 == 0
        fav = rng.random() < 0.7
        for j in range(5 if ordered else 10):
            est = min(99, max(1, 50 + (j * 5 if ordered else rng.gauss(0, 10)) + rng.gauss(0, 3)))
            f.write(f"ind{b // 2},{'wealth' if ordered else 'region'},g{j},{j + 1 if ordered else ''},"
                    f"{est:.4f},{rng.uniform(0.5, 3):.4f},{rng.randint(100, 5000)},{int(fav)},{int(ordered)},100,"
                    f"{1 if (not ordered and j == 0) else 0},60\n")
PY
echo "WHO summary measures: 10,000 blocks, 75,000 rows ($IN)"
TIMES=$OUT/who_times.txt
: > "$TIMES"
export TIMES
best_of 3 who_csv "$BIN" summarise "$IN" -o "$OUT/who_out.csv"
best_of 3 who_json "$BIN" summarise "$IN" --format json -o "$OUT/who_out.json"
best_of 3 who_csv_reps100 "$BIN" summarise "$IN" --reps 100 -o "$OUT/who_out100.csv"
rows=$(($(wc -l < "$OUT/who_out.csv") - 1))
# 5,000 ordered blocks x 8 measures + 5,000 non-ordered blocks x 17 measures
want=125000
status=ok; [ "$rows" -eq "$want" ] || status="WRONG: $rows result rows, expected $want"
echo "  result rows: $rows ($status)"
{
    echo
    echo "## WHO summary measures (bench/who.sh)"
    echo
    echo "10,000 indicator x dimension blocks (75,000 subgroup rows), all 21 measures where applicable; result rows: $rows ($status)."
    echo
    echo "| run | best wall s | peak RSS KiB |"
    echo "|---|---|---|"
    awk '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$TIMES"
} >> "$SUMMARY"
