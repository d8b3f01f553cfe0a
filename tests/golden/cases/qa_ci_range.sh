#!/bin/sh
# qa_ci_range.sh — `equitylens ci` refuses numbers that would overflow to Inf
# (|x| > 1e15, or non-zero |x| < 1e-15 as a divisor), 'inf' and hexadecimal,
# naming file:line:column and the column, instead of printing Inf or a wrong
# value; the bounds themselves are still accepted. A header without rows is
# an error too (it used to exit 0 with no output at all).
set -eu
fail() { echo "FAIL: $*"; exit 1; }
refuse() {  # refuse FILE PATTERN [ci options]: exit 1 and PATTERN in the error
    f=$1; pat=$2; shift 2
    set +e; "$EQUITYLENS" ci "$@" "$f" > out.csv 2> err.txt; rc=$?; set -e
    cat err.txt
    [ "$rc" -eq 1 ] || fail "$f: exit $rc, expected 1"
    grep -q -- "$pat" err.txt || fail "$f: no '$pat' in the error"
    ! grep -qi 'inf' out.csv || fail "$f: Inf written"
}
printf 'numerator,denominator\n1e308,100\n' > huge.csv
refuse huge.csv "huge.csv:2:1: numerator: '1e308' is out of range" --method rate
printf 'numerator,denominator\n5,100\n1,1e16\n' > hugeden.csv
refuse hugeden.csv "hugeden.csv:3:2: denominator: '1e16' is out of range" --method proportion
printf 'numerator,denominator\n-1e300,100\n' > neg.csv
refuse neg.csv "neg.csv:2:1: numerator: '-1e300' is out of range" --method byar
printf 'numerator,denominator\ninf,100\n' > inf.csv
refuse inf.csv "inf.csv:2:1: numerator: 'inf' is not a number" --method rate
printf 'numerator,denominator\n0x10,100\n' > hex.csv
refuse hex.csv "hex.csv:2:1: numerator: '0x10' is not a number" --method rate
printf 'area,values\nA,1e300\nA,2\n' > mean.csv
refuse mean.csv "mean.csv:2:2: values: '1e300' is out of range" --method mean --group-by area
# DSR: a count of 1e308 in one age band used to give value Inf
printf 'area,count,pop,std\nA,1e308,636,5000\nA,25,558,5500\n' > dsr.csv
refuse dsr.csv "dsr.csv:2:2: count: '1e308' is out of range" --method dsr --group-by area --stdpop std
# a population of 1e-320 made count/pop overflow: DSR value Inf
printf 'area,count,pop,std\nA,127,1e-320,5000\nA,25,558,5500\n' > tiny.csv
refuse tiny.csv "tiny.csv:2:3: pop: '1e-320' is out of range" --method dsr --group-by area --stdpop std
printf 'numerator,denominator\n5,1e-300\n' > tinyden.csv
refuse tinyden.csv "tinyden.csv:2:2: denominator: '1e-300' is out of range" --method rate
# the bound itself is fine and gives finite numbers
printf 'numerator,denominator\n1e15,1e15\n0,1e-15\n' > edge.csv
"$EQUITYLENS" ci --method rate edge.csv > out.csv
cat out.csv
! grep -qi 'inf\|NA,' out.csv || fail "edge: non-finite output"
grep -q '^1e15,1e15,100000,' out.csv || fail "edge: numbers not echoed"
# a header and no rows used to exit 0 writing nothing at all
printf 'numerator,denominator\n' > hdr.csv
refuse hdr.csv "hdr.csv:2: no data rows" --method proportion
printf 'numerator,denominator\n\n\n' > blank.csv
refuse blank.csv "blank.csv:2: no data rows" --method rate
echo "qa_ci_range: ok"
