#!/bin/sh
# bench/run.sh — what `make bench` runs:  sh bench/run.sh BIN
#
# 1. The 10-million-row DNA job, side by side in ONE run on the same file:
#    equitylens dna-job, DuckDB (Node API, 2 threads), R data.table (2 threads),
#    pandas, and `cat FILE > /dev/null`; checks that every tool's counts per
#    group are EXACTLY equal, prints times, ratios and peak memory.
# 2. The other bench entries (bench/*.sh): import, SII, WHO measures, report,
#    API load.
#
# It installs the peers itself when missing: Debian r-cran-data.table,
# python3-pandas and time (apt-get, as root), and npm @duckdb/node-api into
# bench/node_modules (bench/package.json).
#
# Environment:
#   BENCH_ROWS=N      rows in the extract (default 10000000)
#   BENCH_ONLY=dna    run only the DNA job (or: import, sii, who, report, api)
#   BENCH_REPEAT=N    timed runs of equitylens and cat (best of N, default 3)
#   BENCH_NO_INSTALL=1  never install anything; skip missing peers
# Outputs go to bench/out/ (not committed); a summary to bench/out/summary.md.
set -u
BIN=${1:?usage: sh bench/run.sh path/to/equitylens}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "bench: $BIN is not an executable (run make first)"; exit 1; }
ROWS=${BENCH_ROWS:-10000000}
ONLY=${BENCH_ONLY:-}
REPEAT=${BENCH_REPEAT:-3}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
export EQUITYLENS_DATA="$ROOT/data"
IMD=$ROOT/data/imd/iod2019_file1_imd_lsoa11.csv
[ -f "$IMD" ] || IMD=$ROOT/../shared/data/imd/iod2019_file1_imd_lsoa11.csv
SUMMARY=$OUT/summary.md
PY=/usr/bin/python3   # Debian's python3 (python3-pandas installs there)
[ -x $PY ] || PY=python3
export BIN ROOT OUT ROWS IMD SUMMARY PY
. "$ROOT/bench/lib.sh"

: > "$SUMMARY"
{
    echo "# equitylens bench run $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); command: sh bench/run.sh $1"
    echo
} >> "$SUMMARY"

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# ---------------------------------------------------------------- peers
install_peers() {
    [ "${BENCH_NO_INSTALL:-0}" = 1 ] && return 0
    pk=""
    command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(data.table)' >/dev/null 2>&1 || pk="$pk r-cran-data.table"
    $PY -c 'import pandas' >/dev/null 2>&1 || pk="$pk python3-pandas"
    [ -x /usr/bin/time ] || pk="$pk time"
    if [ -n "$pk" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "bench: installing Debian packages:$pk"
            apt-get update -qq >/dev/null 2>&1
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pk >/dev/null 2>&1 ||
                echo "bench: apt-get install$pk failed; the missing peers will be skipped"
        else
            echo "bench: missing$pk (not root: install them to compare); those peers will be skipped"
        fi
    fi
    if [ ! -d "$ROOT/bench/node_modules/@duckdb/node-api" ] && command -v npm >/dev/null 2>&1; then
        echo "bench: npm install @duckdb/node-api into bench/node_modules"
        (cd "$ROOT/bench" && npm install --no-audit --no-fund --silent >/dev/null 2>&1) ||
            echo "bench: npm install failed; DuckDB will be skipped"
    fi
}

# ---------------------------------------------------------------- data
gen_appointments() {   # $1 = rows, $2 = output file (equitylens synth; reused if present)
    if [ -s "$2" ]; then return 0; fi
    echo "bench: equitylens synth --kind appointments --rows $1 --seed 1 > $2"
    "$BIN" synth --kind appointments --rows "$1" --seed 1 --out "$2" >/dev/null || { rm -f "$2"; return 1; }
}

# ---------------------------------------------------------------- DNA job
bench_dna() {
    install_peers
    FILE=$OUT/appointments_$ROWS.csv
    gen_appointments "$ROWS" "$FILE" || { echo "bench: could not make the extract"; return 1; }
    size=$(stat -c %s "$FILE")
    echo "bench: DNA job on $FILE ($ROWS rows, $((size / 1048576)) MiB); page cache warmed first"
    cat "$FILE" > /dev/null
    : > "$OUT/dna_times.txt"
    best_of "$REPEAT" cat_ sh -c "cat '$FILE' > /dev/null"
    best_of "$REPEAT" equitylens "$BIN" dna-job --no-suppress --format csv --quiet --threads 2 \
        --imd "$IMD" --out "$OUT/dna_equitylens.csv" "$FILE"
    if [ -d "$ROOT/bench/node_modules/@duckdb/node-api" ] && command -v node >/dev/null; then
        best_of 1 duckdb sh -c "cd '$ROOT/bench' && node peers/dna_duckdb.mjs '$FILE' '$IMD' '$OUT/dna_duckdb.csv' 2"
    else echo "bench: DuckDB skipped (no bench/node_modules/@duckdb/node-api)"; fi
    if Rscript -e 'library(data.table)' >/dev/null 2>&1; then
        best_of 1 data.table Rscript "$ROOT/bench/peers/dna_datatable.R" "$FILE" "$IMD" "$OUT/dna_data.table.csv" 2
    else echo "bench: data.table skipped (r-cran-data.table missing)"; fi
    if $PY -c 'import pandas' >/dev/null 2>&1; then
        best_of 1 pandas $PY "$ROOT/bench/peers/dna_pandas.py" "$FILE" "$IMD" "$OUT/dna_pandas.csv"
    else echo "bench: pandas skipped (python3-pandas missing)"; fi
    others=""
    for p in duckdb data.table pandas; do [ -s "$OUT/dna_$p.csv" ] && others="$others $OUT/dna_$p.csv"; done
    echo "bench: exact comparison of counts per group (equitylens --no-suppress vs peers)"
    if [ -n "$others" ]; then
        $PY "$ROOT/bench/compare_dna.py" "$OUT/dna_equitylens.csv" $others > "$OUT/dna_compare.txt" 2>&1
        eq=$?
        cat "$OUT/dna_compare.txt"
    else eq=2; echo "bench: no peer ran; nothing to compare"; fi
    $PY "$ROOT/bench/report_dna.py" "$OUT/dna_times.txt" "$ROWS" "$size" "$eq" "$OUT/dna_compare.txt" | tee -a "$SUMMARY"
}

want dna && bench_dna
for b in import sii who report api; do
    if want "$b"; then
        echo
        sh "$ROOT/bench/$b.sh" || echo "bench: $b failed (exit $?)"
    fi
done
echo
echo "bench: summary in $SUMMARY"
