#!/bin/sh
# phe_proportion_rate — proportion (Wilson), crude rate (exact/Byar), Byar and
# Wilson limits and means against PHEindicatormethods 2.1.0 expected values
# (tests/golden/data/phe, copied from /work/shared/anchors/phe). rtol 1e-8.
set -eu
D="$ROOT/tests/golden/data/phe"
E="$EQUITYLENS"
C="python3 $D/compare.py"
F="python3 $D/filter.py"
L="value lower95_0cl upper95_0cl lower99_8cl upper99_8cl"

# proportion: rows at multiplier 1 (incl. missing inputs) and 100
$F $D/proportion__test_Prop.csv multiplier=1 > p1.csv
$E ci --method proportion --confidence 95,99.8 p1.csv > o.csv
$C o.csv $D/proportion__test_Prop.csv --where multiplier=1 $L statistic Numerator Denominator
$F $D/proportion__test_Prop.csv multiplier=100 > p100.csv
$E ci --method proportion --confidence 0.95,0.998 --multiplier 100 p100.csv > o.csv
$C o.csv $D/proportion__test_Prop.csv --where multiplier=100 $L statistic
# grouped by Area: x and n summed first
$E ci --method proportion --group-by Area $D/proportion__test_Prop.csv > o.csv
$C o.csv $D/proportion__test_Prop_g_results.csv --key Area=Area value lower95_0cl=lowercl upper95_0cl=uppercl Numerator Denominator

# rate: per 100 (rows 1-8) and per 100000 (9-20, incl. missing and x > n)
$F $D/rate__test_Rate.csv multiplier=100 > r100.csv
$E ci --method rate --confidence 95,99.8 --multiplier 100 r100.csv > o.csv
$C o.csv $D/rate__test_Rate.csv --where multiplier=100 $L statistic method
$F $D/rate__test_Rate.csv multiplier=100000 > r1e5.csv
$E ci --method rate --confidence 95,99.8 r1e5.csv > o.csv
$C o.csv $D/rate__test_Rate.csv --where multiplier=100000 $L statistic
$E ci --method rate --group-by Area $D/rate__test_Rate.csv > o.csv
$C o.csv $D/rate__test_Rate_g_results.csv --key Area=Area value lower95_0cl=lowercl upper95_0cl=uppercl

# standalone Byar and Wilson limits (a negative Byar lower limit is NA)
for conf in 95 99.8; do
    lab=$(echo "$conf" | sed 's/\./_/; s/^95$/95_0/')
    $F $D/wilson_byars__test_BW.csv method=Byars "confidence=$conf%" > b.csv
    $E ci --method byar --confidence "$conf" b.csv > o.csv
    $C o.csv b.csv lower${lab}cl=lowercl upper${lab}cl=uppercl
    $F $D/wilson_byars__test_BW.csv method=Wilson "confidence=$conf%" > w.csv
    $E ci --method wilson --confidence "$conf" w.csv > o.csv
    $C o.csv w.csv lower${lab}cl=lowercl upper${lab}cl=uppercl
done

# mean with Student's t limits, grouped and not
$E ci --method mean --group-by area --confidence 95,99.8 $D/mean__test_Mean.csv > o.csv
$C o.csv $D/mean__test_Mean_results.csv --rows 1:2 --key area=area value_sum value_count stdev $L method
$E ci --method mean --confidence 95,99.8 --value values $D/mean__test_Mean.csv > o.csv
$C o.csv $D/mean__test_Mean_results.csv --where "area=No grouping" value_sum value_count stdev $L

# JSON carries the same numbers (null for missing)
$E ci --method proportion --format json p1.csv > o.json
python3 - o.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d[0]['lower95_0cl'] == 0.0017674320641406511, d[0]
assert d[-1]['value'] is None and d[-1]['method'] == ''
assert list(d[0].keys()) == sorted(d[0].keys())
print('json ok')
PY

# invalid input: numerator > denominator names the file line
printf 'Area,Numerator,Denominator\nA,5,10\nB,12,10\n' > bad.csv
if $E ci --method proportion bad.csv > o.csv 2> err.txt; then echo "x > n accepted"; exit 1; fi
grep -q 'bad.csv:3' err.txt || { cat err.txt; exit 1; }
[ ! -s o.csv ] || { echo "partial output written on error"; exit 1; }
printf 'Area,Numerator,Denominator\nA,-1,10\n' > neg.csv
if $E ci --method rate neg.csv > o.csv 2> err.txt; then echo "negative count accepted"; exit 1; fi
grep -q 'neg.csv:2' err.txt
printf 'Area,Numerator,Denominator\nA,x1,10\n' > txt.csv
if $E ci --method rate txt.csv > o.csv 2> err.txt; then echo "text accepted"; exit 1; fi
grep -q 'txt.csv:2:2: Numerator' err.txt
# command line: help exits 0 and documents every method; usage errors exit 2
$E ci --help > help.txt
for m in proportion rate mean byar wilson dsr isr quantile funnel-prop funnel-rate sii; do
    grep -q "^  $m " help.txt || { echo "help lacks $m"; exit 1; }
done
set +e
$E ci p1.csv 2>/dev/null; [ $? -eq 2 ] || { echo "missing --method not a usage error"; exit 1; }
$E ci --method nope p1.csv 2>/dev/null; [ $? -eq 2 ] || exit 1
$E ci --method rate --confidence 150 p1.csv 2>/dev/null; [ $? -eq 2 ] || exit 1
$E ci --method rate missing-file.csv 2>/dev/null; [ $? -eq 1 ] || exit 1
set -e
# standard input and -o
$E ci --method proportion -o out.csv - < p1.csv
$E ci --method proportion p1.csv | cmp - out.csv
echo "phe_proportion_rate ok"
