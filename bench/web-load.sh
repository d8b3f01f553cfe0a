#!/bin/sh
# web-load.sh — load test of the analysis API of `equitylens serve` with wrk
# (Debian package wrk): 30 s, 64 connections, 2 threads, on loopback only.
#   bench/web-load.sh [path/to/equitylens] [rows]
# Synthesises an outpatient extract (default 20,000 rows), imports it into a
# scratch store, makes an analyst token, starts the server on a free loopback
# port, warms the analysis cache with one request, then runs wrk against
#   GET /api/v1/datasets/1/analysis?metric=dna_rate&lens=imd_quintile
# with the token (so every request is authenticated and role-checked). Prints
# wrk's latency distribution; the figures are kept in bench/RESULTS-web.md.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/build/equitylens}
ROWS=${2:-20000}
DURATION=${DURATION:-30s}
CONNS=${CONNS:-64}
command -v wrk >/dev/null || { echo "web-load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/elweb.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
export EQUITYLENS_DATA="$ROOT/data" EQUITYLENS_KEY_FILE="$T/key"
"$BIN" synth --kind appointments --rows "$ROWS" --seed 3 --out "$T/appt.csv" >/dev/null 2>&1
"$BIN" import --db "$T/web.db" --kind appointments "$T/appt.csv" >/dev/null
echo "load test password" | "$BIN" user add loadtest --role analyst --db "$T/web.db" >/dev/null
TOKEN=$("$BIN" user token loadtest --label web-load --db "$T/web.db" 2>/dev/null)
"$BIN" serve --db "$T/web.db" --port 0 --port-file "$T/port" --access-log "$T/access.log" \
    --threads "${THREADS:-4}" --assets "$ROOT/node_modules/nhsuk-frontend/dist/nhsuk" 2>"$T/serve.err" &
PID=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port")
URL="http://127.0.0.1:$PORT/api/v1/datasets/1/analysis?metric=dna_rate&lens=imd_quintile"
python3 - "$URL" "$TOKEN" "$ROWS" <<'PY'
import sys, time, urllib.request
t = time.time()
r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]}), timeout=600)
body = r.read()
print(f"first request (computes and caches the analysis of {sys.argv[3]} rows): HTTP {r.status}, {len(body)} bytes, {time.time() - t:.2f} s")
PY
echo "wrk -t2 -c$CONNS -d$DURATION --latency  GET /api/v1/datasets/1/analysis?metric=dna_rate&lens=imd_quintile (Bearer token)"
wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$URL"
lines=$(wc -l < "$T/access.log")
bad=$(grep -c '"status":[^2]' "$T/access.log" || true)
echo "access log: $lines lines, $bad with a status other than 2xx"
kill -TERM "$PID"; rc=0; wait "$PID" || rc=$?; PID=""
echo "server stopped on SIGTERM with exit status $rc"
grep -v "listening on" "$T/serve.err" | head -20 || true
