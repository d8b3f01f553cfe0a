#!/bin/sh
# bench/import.sh — `equitylens import` speed and peak memory (owner: import):
# a synthetic appointments extract of BENCH_ROWS rows (default 10,000,000)
# from `equitylens synth`, imported into a fresh SQLite store with the
# canonical mapping, enrichment (IMD 2019, LA/ICB, ethnic group, age band)
# and the store write, end to end, streamed in chunks (docs/import.md,
# "Streaming"). Prints wall time, rows/s and peak RSS (bounded: it must not
# grow with BENCH_ROWS). Results: bench/RESULTS-import.md.
# Run by bench/run.sh (BENCH_ONLY=import), or alone:
#   BIN=build/equitylens OUT=bench/out SUMMARY=bench/out/summary.md sh bench/import.sh
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
ROWS=${BENCH_ROWS:-10000000}
REPEAT=${BENCH_IMPORT_REPEAT:-1}
. "$ROOT/bench/lib.sh"
IN=$OUT/import_appointments_$ROWS.csv
if [ ! -s "$IN" ]; then
    echo "import: writing $ROWS synthetic appointments to $IN"
    "$BIN" synth --kind appointments --rows "$ROWS" --seed 1 --out "$IN" --data-dir "$ROOT/data" -q || exit 1
fi
DB=$OUT/import_bench.db
KEY=$OUT/import_bench.key
TIMES=$OUT/import_times.txt
: > "$TIMES"
export TIMES
# a fresh store for every run (otherwise the second run is a duplicate)
# BENCH_IMPORT_ARGS: extra import options, e.g. "--chunk-rows 65536"
best_of "$REPEAT" import sh -c "rm -f '$DB' '$DB-wal' '$DB-shm'; exec '$BIN' import '$IN' --kind appointments --db '$DB' --key-file '$KEY' --data-dir '$ROOT/data' -q ${BENCH_IMPORT_ARGS:-}"
read -r _ secs rss rc < "$TIMES"
bytes=$(wc -c < "$IN")
rate=$(awk "BEGIN{ if ($secs > 0) printf \"%.0f\", $ROWS / $secs; else print 0 }")
mbs=$(awk "BEGIN{ if ($secs > 0) printf \"%.1f\", $bytes / 1048576 / $secs; else print 0 }")
dbsz=$(du -k "$DB" 2>/dev/null | cut -f1)
echo "  import: $ROWS rows in $secs s = $rate rows/s ($mbs MiB/s of CSV), peak RSS $((rss / 1024)) MiB, store $((dbsz / 1024)) MiB, exit $rc"
echo "- import (canonical appointments, enrichment + SQLite store): $ROWS rows in $secs s = $rate rows/s, $mbs MiB/s, peak RSS $((rss / 1024)) MiB, store $((dbsz / 1024)) MiB (exit $rc)" >> "$SUMMARY"
