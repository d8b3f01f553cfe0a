#!/bin/sh
# bench/api.sh — load on the analysis API with wrk (owner: fastjob). When the
# web helper's bench/web-load.sh is present (it is: the authoritative API load
# test, figures in bench/RESULTS-web.md), this runs it and records its
# requests/s and p99 in the summary; otherwise the generic test below.
# A store with one imported synthetic appointments extract (BENCH_API_ROWS,
# default 20,000), an analyst account with an API token, `equitylens serve`
# on a free loopback port, then
#   wrk -t2 -c64 -d30s --latency -H 'Authorization: Bearer …' /api/v1/datasets/ID/analysis
# Prints requests/s, p50/p99 latency and errors (non-2xx, socket errors).
# BENCH_API_SECONDS overrides the 30 s. Run by bench/run.sh (BENCH_ONLY=api),
# or alone: BIN=build/equitylens OUT=bench/out SUMMARY=bench/out/summary.md sh bench/api.sh
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
OUT=${OUT:-$ROOT/bench/out}
SUMMARY=${SUMMARY:-$OUT/summary.md}
: "${BIN:?set BIN to the equitylens binary}"
mkdir -p "$OUT"
. "$ROOT/bench/lib.sh"
skip_unless_built serve "API load (serve)"
skip_unless_built user "API load (user)"
skip_unless_built import "API load (import)"
skip_unless_built synth "API load (synth)"
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
        apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq wrk >/dev/null 2>&1; }
    fi
    command -v wrk >/dev/null 2>&1 || { echo "bench: SKIP API load: wrk not installed"; echo "- API load: skipped (wrk missing)" >> "$SUMMARY"; exit 0; }
fi
if [ -f "$ROOT/bench/web-load.sh" ]; then
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
fi
N=${BENCH_API_ROWS:-20000}
SECS=${BENCH_API_SECONDS:-30}
DB=$OUT/api_bench.db
rm -f "$DB" "$DB-wal" "$DB-shm"
IN=$OUT/api_appointments_$N.csv
[ -s "$IN" ] || "$BIN" synth --kind appointments --rows "$N" --seed 2 --out "$IN" --data-dir "$ROOT/data" -q || exit 1
"$BIN" import "$IN" --kind appointments --db "$DB" --key-file "$OUT/api_bench.key" --data-dir "$ROOT/data" -q > "$OUT/api_import.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || { echo "bench: API load: import failed"; cat "$OUT/api_import.txt"; exit 1; }
printf 'bench-password-1234\n' | "$BIN" user add bench --role analyst --db "$DB" >/dev/null || exit 1
TOKEN=$("$BIN" user token bench --db "$DB" --label bench 2>/dev/null | grep -o 'elt_[0-9a-f]*' | head -1)
[ -n "$TOKEN" ] || { echo "bench: API load: could not create a token"; exit 1; }
PORTF=$OUT/api.port
rm -f "$PORTF"
EQUITYLENS_DATA="$ROOT/data" "$BIN" serve --db "$DB" --port 0 --port-file "$PORTF" --access-log /dev/null \
    --assets "$ROOT/node_modules/nhsuk-frontend/dist/nhsuk" > "$OUT/api_serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null; wait $SPID 2>/dev/null' EXIT INT TERM
i=0
while [ ! -s "$PORTF" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$PORTF" ] || { echo "bench: API load: server did not start"; cat "$OUT/api_serve.log"; exit 1; }
PORT=$(cat "$PORTF")
BASE=http://127.0.0.1:$PORT
ID=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/datasets" | grep -o '"id": *[0-9]*' | head -1 | grep -o '[0-9]*$')
[ -n "$ID" ] || ID=1
URL=$BASE/api/v1/datasets/$ID/analysis
code=$(curl -s -o "$OUT/api_first.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL")
echo "API load: GET $URL (first response $code), wrk -t2 -c64 -d${SECS}s"
note=""
if [ "$code" != 200 ]; then
    note=" NOT A VALID MEASUREMENT: the endpoint answered HTTP $code, so this times the error path."
    echo "bench: WARNING: first response HTTP $code (is the analysis API built?)"
fi
wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$URL" > "$OUT/api_wrk.txt" 2>&1
sed 's/^/  /' "$OUT/api_wrk.txt"
rps=$(awk '/Requests\/sec/{print $2}' "$OUT/api_wrk.txt")
p50=$(awk '$1=="50%"{print $2}' "$OUT/api_wrk.txt")
p99=$(awk '$1=="99%"{print $2}' "$OUT/api_wrk.txt")
non2xx=$(awk '/Non-2xx/{print $NF}' "$OUT/api_wrk.txt"); [ -n "$non2xx" ] || non2xx=0
sock=$(grep -o 'Socket errors.*' "$OUT/api_wrk.txt" || echo "Socket errors: none")
{
    echo
    echo "## API load (bench/api.sh)"
    echo
    echo "wrk -t2 -c64 -d${SECS}s on GET /api/v1/datasets/ID/analysis ($N-row appointments dataset, token auth, loopback), first response HTTP $code:"
    echo "$rps requests/s, latency p50 $p50, p99 $p99; non-2xx responses: $non2xx; $sock.$note"
} >> "$SUMMARY"
