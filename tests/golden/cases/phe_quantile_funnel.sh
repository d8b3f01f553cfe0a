#!/bin/sh
# phe_quantile_funnel — quantile assignment (PHE formula, ties = min,
# polarity, within groups) and proportion funnel limits/significance against
# PHEindicatormethods 2.1.0; plus exact-Poisson funnels (no reference
# vectors: checked against their defining property).
set -eu
D="$ROOT/tests/golden/data/phe"
E="$EQUITYLENS"
C="python3 $D/compare.py"
F="python3 $D/filter.py"
Q=$D/quantile__test_quantiles.csv

# within-region deciles, polarity from the Polarity field
$F $Q GroupSet=IndSexReg > q1.csv
$E ci --method quantile --group-by IndSexRef,ParentCode --invert-col Polarity q1.csv > o.csv 2> warn.txt
$C o.csv q1.csv quantile=QuantileInGrp
grep -q 'too few areas' warn.txt      # some regions have fewer than 10 areas → NA + warning
# septiles over all rows, polarity field constant
$F $Q GroupSet=IndSex > q2.csv
$E ci --method quantile --nquantiles 7 --invert-col Polarity q2.csv > o.csv
$C o.csv q2.csv quantile=QuantileInGrp
# quartiles, logical invert (default yes: highest value → quantile 1)
$F $Q GroupSet=None > q3.csv
$E ci --method quantile --nquantiles 4 q3.csv > o.csv
$C o.csv q3.csv quantile=QuantileInGrp
grep -q 'lowest quantile represents highest values' o.csv
# grouping by a constant column gives the same
$E ci --method quantile --nquantiles 4 --group-by GroupSet q3.csv > o2.csv
$C o2.csv q3.csv quantile=QuantileInGrp
# polarity varying within a grouping set must fail, naming the row and column
if $E ci --method quantile --invert-col Polarity $D/quantile__test_quantiles_fail.csv > o.csv 2> err.txt; then
    echo "varying polarity accepted"; exit 1; fi
grep -q 'quantile__test_quantiles_fail.csv:15:8: Polarity' err.txt

# proportion funnels: 100-point limits (expected rounded to 6 / 8 decimals)
P=$D/funnel__prop_inputs.csv
$E ci --method funnel-prop $P > o.csv
$C o.csv $D/funnel__prop_outputs.csv --atol 5e-7 Population lower_2s_limit upper_2s_limit lower_3s_limit upper_3s_limit baseline
$F $P 'denominator<31000' > small.csv
$E ci --method funnel-prop small.csv > o.csv
$C o.csv $D/funnel__prop_outputs_axis_variation.csv --atol 5e-9 Population lower_2s_limit upper_2s_limit lower_3s_limit upper_3s_limit baseline statistic method
$E ci --method funnel-prop --significance $P > o.csv
$C o.csv $P significance
# proportion funnel rejects x > n
printf 'a,numerator,denominator\nA,5,4\n' > bad.csv
if $E ci --method funnel-prop bad.csv > o.csv 2> err.txt; then echo "x > n accepted"; exit 1; fi
grep -q 'bad.csv:2:2: numerator' err.txt

# exact-Poisson funnels: a limit L at expected count e satisfies
# P(X >= L | e) = 0.025 for the lower 2-sigma limit (continuous chi-square form)
printf 'area,numerator,denominator\nA,30,10000\nB,80,20000\nC,5,3000\nD,200,25000\n' > r.csv
$E ci --method funnel-rate r.csv > o.csv
$E ci --method funnel-rate --significance r.csv > s.csv
$E ci --method funnel-rate --ratio r.csv > ratio.csv
python3 - o.csv s.csv ratio.csv <<'PY'
import csv, sys, math
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 100
base = 315 / 58000 * 1e5
for r in rows:
    n = float(r['Population']); assert abs(float(r['baseline']) - base) < 1e-9 * base
    lo2, hi2, lo3, hi3 = (float(r[k]) for k in ('lower_2s_limit', 'upper_2s_limit', 'lower_3s_limit', 'upper_3s_limit'))
    assert 0 <= lo3 <= lo2 <= base <= hi2 <= hi3, r
# limits narrow as the population grows
assert float(rows[-1]['upper_2s_limit']) < float(rows[10]['upper_2s_limit'])
sig = {r['area']: r['significance'] for r in csv.DictReader(open(sys.argv[2]))}
assert sig['D'].startswith('High'), sig       # 800 per 100000 vs 543
ratio = list(csv.DictReader(open(sys.argv[3])))
assert all(abs(float(r['baseline']) - 1) < 1e-12 for r in ratio)
print('poisson funnel ok', sig)
PY
echo "phe_quantile_funnel ok"
