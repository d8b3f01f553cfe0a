#!/bin/sh
# phe_sii — slope and relative index of inequality against PHEindicatormethods
# 2.1.0: point estimates to 1e-8, simulated limits within 5%; reproducible for
# a seed; invalid inputs rejected naming the row.
set -eu
D="$ROOT/tests/golden/data/phe"
E="$EQUITYLENS"
F="python3 $D/filter.py"
python3 $D/sii_check.py "$E" "$D"

# same seed → byte-identical output; another seed → different limits, same point estimates
$F $D/sii__SII_test_data.csv --rows 1:20 > s.csv
$E ci --method sii --group-by Area --reps 5000 --seed 7 s.csv > a.csv
$E ci --method sii --group-by Area --reps 5000 --seed 7 s.csv > b.csv
cmp a.csv b.csv
$E ci --method sii --group-by Area --reps 5000 --seed 8 s.csv > c.csv
if cmp -s a.csv c.csv; then echo "seed has no effect"; exit 1; fi
cut -d, -f1-3 a.csv > a3; cut -d, -f1-3 c.csv > c3; cmp a3 c3

# transform option: fit on the log scale gives RII = exp(slope) (a ratio of fitted rates)
$F $D/sii__SII_test_data.csv --rows 71:90 > r.csv
$E ci --method sii --group-by Area --value-type 1 --transform --reps 2000 r.csv > t.csv
python3 - t.csv <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    sii, rii, i0 = float(r['sii']), float(r['rii']), float(r['intercept'])
    assert abs(sii - (rii * i0 - i0)) <= 1e-9 * abs(sii), r     # SII = g(int+b) - g(int)
    assert float(r['sii_lower95_0cl']) < sii < float(r['sii_upper95_0cl'])
print('transform ok')
PY

# invalid inputs (reference's error blocks): negative population, negative SE,
# proportion limits outside (0,1), missing population, too few quantiles
for blk in 151:160 161:170 171:180 201:210; do
    $F $D/sii__SII_test_data.csv --rows $blk > bad.csv
    vt=$(python3 -c "import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))['ValueType'])" bad.csv)
    [ "$blk" = 171:180 ] && vt=2     # the reference runs this block as proportions
    if $E ci --method sii --group-by Area --value-type "$vt" --reps 1000 bad.csv > o.csv 2> err.txt; then
        echo "block $blk accepted"; exit 1; fi
    grep -q 'bad.csv:[0-9]*:[0-9]*: ' err.txt || { cat err.txt; exit 1; }
    cat err.txt
done
$F $D/sii__SII_test_data.csv --rows 1:4 > few.csv
if $E ci --method sii --reps 1000 few.csv > o.csv 2> err.txt; then echo "4 quantiles accepted"; exit 1; fi
grep -q 'between 5 and 100' err.txt
echo "phe_sii ok"
