#!/bin/sh
# web_http — equitylens serve over a real socket: authentication, CSRF, roles,
# SQL injection / path traversal, oversized / malformed / interrupted uploads,
# throttling, audit trail, access log, graceful shutdown (tests/golden/data/web/http_test.py).
set -eu
cp "$ROOT/tests/golden/data/web/good.csv" "$T/good.csv"
EQUITYLENS_DATA="$ROOT/data" "$EQUITYLENS" synth --kind appointments --rows 12000 --seed 11 --out "$T/big.csv" >/dev/null 2>&1
python3 "$ROOT/tests/golden/data/web/http_test.py"
