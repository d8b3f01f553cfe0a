#!/bin/sh
# qa_ci_conf100.sh — the documented 100% confidence behaviour of `ci`
# (docs/methods/phe.md, as PHEindicatormethods: qchisq(1) = Inf): exact rate
# upper limits are Inf (null in JSON), exact lower 0, Byar lower missing;
# Wilson limits are 0 and 1.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf 'area,numerator,denominator\nA,0,1000\nB,3,1000\nC,25,1000\n' > c.csv
"$EQUITYLENS" ci --method rate --confidence 1 c.csv > r.csv
cat > want_r.csv <<'W'
area,numerator,denominator,value,lower100_0cl,upper100_0cl,statistic,method
A,0,1000,0,0,Inf,rate per 100000,Exact
B,3,1000,300,0,Inf,rate per 100000,Exact
C,25,1000,2500,NA,Inf,rate per 100000,Byars
W
cmp -s r.csv want_r.csv || { diff want_r.csv r.csv; fail "rate at 100%"; }
"$EQUITYLENS" ci --method rate --confidence 100 --format json c.csv > r.json
python3 - <<'PY'
import json
rows = json.load(open('r.json'))
assert [r['upper100_0cl'] for r in rows] == [None, None, None], rows
assert [r['lower100_0cl'] for r in rows] == [0, 0, None], rows
PY
"$EQUITYLENS" ci --method proportion --confidence 1 c.csv > p.csv
awk -F, 'NR > 1 && ($5 != 0 || $6 != 1) { bad = 1 } END { exit bad }' p.csv || { cat p.csv; fail "Wilson at 100%"; }
echo "qa_ci_conf100 ok"
