#!/bin/sh
# phe_dsr_isr — directly standardised rates (Dobson; ESP2013 built in, own
# standard populations, ESP1976, non-independent events) and indirectly
# standardised ratios/rates against PHEindicatormethods 2.1.0; invalid inputs
# must fail naming the row.
set -eu
D="$ROOT/tests/golden/data/phe"
E="$EQUITYLENS"
C="python3 $D/compare.py"
F="python3 $D/filter.py"
L="value lower95_0cl upper95_0cl lower99_8cl upper99_8cl"
R=$D/dsr__test_DSR_results.csv

# DSR with the standard population as a column, per 10000 and 100000
for m in 10000 100000; do
    $E ci --method dsr --group-by area --numerator count --denominator pop --stdpop esp2013 \
        --ageband ageband --confidence 95,99.8 --multiplier $m $D/dsr__test_multiarea_esp.csv > o.csv
    $F $R "statistic=dsr per $m" > x1.csv
    $F $R "statistic=dsr NA for total count < 10" method=Dobson > x2.csv
    python3 -c "import sys; a=open('x1.csv').read().splitlines(); b=open('x2.csv').read().splitlines()[1:]; print('\n'.join(a[:3]+b[:1]))" > x.csv
    $C o.csv x.csv --key area=area total_count total_pop $L
done
# the built-in ESP2013 gives the same (rows matched by position)
$E ci --method dsr --group-by area --numerator count --denominator pop --confidence 95,99.8 \
    --multiplier 10000 $D/dsr__test_multiarea_esp.csv > o2.csv
$E ci --method dsr --group-by area --numerator count --denominator pop --stdpop esp2013 \
    --confidence 95,99.8 --multiplier 10000 $D/dsr__test_multiarea_esp.csv > o1.csv
cmp o1.csv o2.csv
# data/esp2013.csv matches the reference's esp2013 vector
$C $ROOT/data/esp2013.csv $D/dsr__esp2013.csv ageband_start esp2013

# ESP1976: 95% limits match. The reference's expected 99.8% limits for this
# case are 10x the value's scale (lower 7659 for a DSR of 859 per 10000) -
# a slip in its fixture; we assert ours are exactly one tenth of them.
$E ci --method dsr --stdpop esp1976 --confidence 95,99.8 --multiplier 10000 $D/dsr__test_DSR_1976.csv > o.csv
$F $R area=testdata_1976 "statistic=dsr per 10000" > x.csv
$C o.csv x.csv total_count total_pop value lower95_0cl upper95_0cl
python3 - o.csv x.csv <<'PY'
import csv, sys
o = next(csv.DictReader(open(sys.argv[1]))); x = next(csv.DictReader(open(sys.argv[2])))
for c in ('lower99_8cl', 'upper99_8cl'):
    a, b = float(o[c]), float(x[c]) / 10
    assert abs(a - b) <= 1e-8 * abs(b), (c, a, b)
    assert float(o['lower99_8cl']) < float(o['value']) < float(o['upper99_8cl'])
print('ESP1976 99.8% limits = reference / 10 (documented fixture slip)')
PY

# non-independent events (persons with exactly f events); expected rounded to 8 dp
$E ci --method dsr --group-by area --ageband ageband --freq freq --persons persons \
    --denominator pop --stdpop esp2013 --confidence 95,99.8 $D/dsr__test_DSR_nonind.csv > o.csv
$F $R "method=Dobson, with confidence adjusted for non-independent events" > x.csv
$C o.csv x.csv --key area=area --atol 5e-8 total_count total_pop $L statistic method

# the same from an events column (events = freq x persons) instead of persons
python3 - $D/dsr__test_DSR_nonind.csv > ev.csv <<'PY'
import csv, sys
R = list(csv.DictReader(open(sys.argv[1])))
print('area,ageband,pop,freq,events,esp2013')
for r in R:
    ev = 'NA' if r['persons'] == 'NA' else str(int(r['freq']) * int(r['persons']))
    print(f"{r['area']},{r['ageband']},{r['pop']},{r['freq']},{ev},{r['esp2013']}")
PY
$E ci --method dsr --group-by area --ageband ageband --freq freq --numerator events \
    --denominator pop --stdpop esp2013 --confidence 95,99.8 ev.csv > o2.csv
cmp o.csv o2.csv

# invalid inputs: negative count, zero population, negative population, negative standard population
for i in 1 3 4; do
    if $E ci --method dsr --stdpop stdpop $D/dsr_isr__test_err$i.csv > o.csv 2> err.txt; then echo "err$i accepted"; exit 1; fi
    cat err.txt
done
grep -q 'dsr_isr__test_err4.csv:7:4: stdpop' err.txt
$E ci --method dsr --stdpop stdpop $D/dsr_isr__test_err1.csv 2>&1 | grep -q 'err1.csv:7:2: count: count -26'
$E ci --method dsr --stdpop stdpop $D/dsr_isr__test_err3.csv 2>&1 | grep -q 'err3.csv:3:3: pop'
if $E ci --method dsr --group-by area $D/dsr_isr__test_err2.csv > o.csv 2> err.txt; then echo "zero pop accepted"; exit 1; fi
grep -q 'dsr_isr__test_err2.csv:3:3: pop' err.txt
printf 'area,ageband,count,pop,std\nA,0-4,10,NA,5\nA,5-9,10,100,5\n' > miss.csv
if $E ci --method dsr --group-by area --stdpop std miss.csv > o.csv 2> err.txt; then echo "missing pop accepted"; exit 1; fi
grep -q 'miss.csv:2:4: pop: population missing' err.txt
# mismatched age bands between groups
printf 'area,ageband,count,pop,std\nA,0-4,10,100,5\nA,5-9,10,100,5\nB,0-4,10,100,5\nB,10-14,10,100,5\n' > mm.csv
if $E ci --method dsr --group-by area --ageband ageband --stdpop std mm.csv > o.csv 2> err.txt; then echo "mismatched bands accepted"; exit 1; fi
grep -q 'mm.csv:5:2: ageband' err.txt
# ESP2013 needs 19 bands
head -10 $D/dsr__test_DSR_1976.csv > short.csv
if $E ci --method dsr short.csv > o.csv 2> err.txt; then echo "9 bands vs ESP2013 accepted"; exit 1; fi
grep -q '19 age bands' err.txt

# ISR: own reference columns, reference file, observed totals
IR=$D/isr__test_ISR_results.csv
$E ci --method isr --isr-type rate --group-by area --confidence 95,99.8 $D/isr__test_ISR_ownref.csv > o.csv
$C o.csv $IR --rows 1:3 observed expected ref_rate $L method statistic
$E ci --method isr --isr-type rate --multiplier 1000 --group-by area --confidence 95,99.8 \
    --ref $D/isr__test_ISR_refdata.csv $D/dsr__test_multiarea_esp.csv > o.csv
$C o.csv $IR --rows 4:6 observed expected ref_rate $L method statistic
$E ci --method isr --group-by area --confidence 95,99.8 --ref $D/isr__test_ISR_refdata.csv $D/dsr__test_multiarea_esp.csv > o.csv
$C o.csv $IR --rows 7:9 observed expected $L method statistic
$E ci --method isr --multiplier 100 --group-by area --confidence 95,99.8 --ref $D/isr__test_ISR_refdata.csv \
    --observed $D/isr__test_ISR_lookup.csv --denominator pop $D/dsr__test_multiarea_esp.csv > o.csv
$C o.csv $IR --rows 10:12 observed expected $L method statistic
# zero population is allowed in an ISR (adds nothing to the expected count)
$E ci --method isr --isr-type rate --group-by area --ref $D/isr__test_ISR_refdata.csv $D/dsr_isr__test_err2.csv > o.csv
$C o.csv $IR --rows 13:14 observed expected ref_rate value lower95_0cl upper95_0cl
$E ci --method isr --multiplier 100 --group-by area --ref $D/isr__test_ISR_refdata.csv $D/dsr_isr__test_err2.csv > o.csv
$C o.csv $IR --rows 15:16 observed expected value lower95_0cl upper95_0cl
if $E ci --method isr --ref $D/isr__test_ISR_refdata.csv $D/dsr_isr__test_err1.csv > o.csv 2> err.txt; then echo "isr negative count accepted"; exit 1; fi
grep -q 'err1.csv:7:2: count' err.txt
echo "phe_dsr_isr ok"
