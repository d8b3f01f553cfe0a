#!/bin/sh
# bench/api.sh — load on the analysis API with wrk (owner: fastjob): runs the
# web application's own load test, bench/web-load.sh (a store with a synthetic
# extract, an API token, `equitylens serve` on loopback, then wrk -t2 -c64
# -d30s --latency on /api/v1/datasets/ID/analysis; figures in
# bench/RESULTS-web.md), and records its requests/s, p99 and errors in the summary.
# Run by bench/run.sh (BENCH_ONLY=api), or alone:
#   BIN=build/equitylens OUT=bench/out SUMMARY=bench/out/summary.md sh bench/api.sh
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$ROOT/bench/lib.sh"
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
        apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq wrk >/dev/null 2>&1; }
    fi
    command -v wrk >/dev/null 2>&1 || { echo "bench: SKIP API load: wrk not installed"; echo "- API load: skipped (wrk missing)" >> "$SUMMARY"; exit 0; }
fi
echo "API load: bench/web-load.sh (web helper)"
sh "$ROOT/bench/web-load.sh" "$BIN" > "$OUT/api_wrk.txt" 2>&1
rc=$?
sed 's/^/  /' "$OUT/api_wrk.txt"
rps=$(awk '/Requests\/sec/{print $2}' "$OUT/api_wrk.txt")
p99=$(awk '$1=="99%"{print $2}' "$OUT/api_wrk.txt")
non2xx=$(awk '/Non-2xx/{print $NF}' "$OUT/api_wrk.txt"); [ -n "$non2xx" ] || non2xx=0
sock=$(grep -o 'Socket errors.*' "$OUT/api_wrk.txt" || echo "Socket errors: none")
{
    echo
    echo "## API load (bench/web-load.sh via bench/api.sh)"
    echo
    echo "$(grep -m1 '^wrk ' "$OUT/api_wrk.txt"): $rps requests/s, p99 $p99; non-2xx: $non2xx; $sock (exit $rc)."
} >> "$SUMMARY"
exit $rc
