#!/bin/sh
# equitylens summarise: bad input gives a clear error naming the file, line
# and field (exit 1); usage errors exit 2; measures that cannot be computed
# carry a note, and --strict turns them into errors.
set -u
fail=0
H="indicator,dimension,subgroup,subgroup_order,estimate,se,population,favourable_indicator,ordered_dimension,indicator_scale,reference_subgroup"
# expect CODE PATTERN FILE [options...]: exit code and a stderr pattern
expect() {
    code=$1; pat=$2; shift 2
    "$EQUITYLENS" summarise "$@" >out.txt 2>err.txt
    rc=$?
    if [ "$rc" -ne "$code" ] || ! grep -q -- "$pat" err.txt; then
        echo "FAIL: summarise $* -> exit $rc (want $code), stderr:"; cat err.txt
        fail=1
    else
        echo "ok   exit $code: $(head -c 160 err.txt)"
    fi
}
good() {   # good FILE [options...]: must succeed
    if ! "$EQUITYLENS" summarise "$@" >out.txt 2>err.txt; then
        echo "FAIL: summarise $* failed:"; cat err.txt; fail=1
    fi
}
has() {    # has PATTERN: stdout of the last run contains it
    if grep -q -- "$1" out.txt; then echo "ok   output has: $1"; else echo "FAIL: output lacks: $1"; cat out.txt; fail=1; fi
}

printf '%s\n' "$H" "u5,wealth,Q1,1,50,2,100,0,1,1000,0" "u5,wealth,Q2,2,40,2,0,0,1,1000,0" "u5,wealth,Q3,3,30,2,100,0,1,1000,0" >zero.csv
expect 1 'zero.csv:3:.*population.*must be > 0' zero.csv
sed 's/,0,0,1,1000,0$/,-5,0,1,1000,0/' zero.csv >neg.csv
expect 1 'neg.csv:3:.*population must be > 0 (got -5)' neg.csv

printf '%s\n' "$H" "u5,wealth,Q1,1,50,2,100,0,1,1000,0" "u5,wealth,Q2,2,NA,2,100,0,1,1000,0" "u5,wealth,Q3,3,30,2,100,0,1,1000,0" >noest.csv
expect 1 "noest.csv:3:.*estimate.*subgroup 'Q2': estimate is missing" noest.csv

printf '%s\n' "$H" "u5,wealth,Q1,1,50,2,100,0,1,1000,0" "u5,wealth,Q2,2,40,2,100,0,1,1000,0" "u5,wealth,Q3,2,30,2,100,0,1,1000,0" >dup.csv
expect 1 'dup.csv:4:.*subgroup_order 2 is used twice' dup.csv

printf '%s\n' "$H" "u5,region,A,,50,2,100,0,0,1000,1" "u5,region,B,,40,2,100,0,0,1000,1" "u5,region,C,,30,2,100,0,0,1000,0" >tworef.csv
expect 1 'tworef.csv:3:.*second reference subgroup' tworef.csv

printf '%s\n' "indicator,dimension,subgroup,estimate,se,population,ordered_dimension" "u5,region,A,50,2,100,0" >nofav.csv
expect 1 "required column 'favourable_indicator' not found" nofav.csv

printf '%s\n' "$H" "u5,wealth,Q1,1,50,abc,100,0,1,1000,0" >badse.csv
expect 1 "badse.csv:2:6: se: not a number: 'abc'" badse.csv

printf '%s\n' "$H" "u5,wealth,Q1,1,50,2,100,0,1,1000,0" "u5,wealth,Q2,2,40,2,100,1,1,1000,0" >incons.csv
expect 1 'incons.csv:3:8: favourable_indicator: favourable_indicator differs from the block.s first row (line 2)' incons.csv

printf '%s\n' "$H" "u5,wealth,Q1,1,50,2,100,0,1,1000,0" "u5,wealth,Q2,2,40,2,,0,1,1000,0" "u5,wealth,Q3,3,30,2,100,0,1,1000,0" >partpop.csv
expect 1 'partpop.csv:3:.*population missing here but given for other subgroups' partpop.csv

printf '%s\n' "$H" "u5,wealth,Q1,1,50,2,100,0,1,1000,0" "u5,wealth,\"Q2,2,40" >unterminated.csv
expect 1 'unterminated.csv:3' unterminated.csv

: >empty.csv
expect 1 'empty input' empty.csv
expect 1 'cannot open\|No such file' does-not-exist.csv

# Missing SE: estimates still computed, limits empty with a note; --strict fails.
printf '%s\n' "$H" "sba,region,A,,60,,100,1,0,100,0" "sba,region,B,,70,3,200,1,0,100,1" "sba,region,C,,80,2,150,1,0,100,0" >nose.csv
good nose.csv
has "sba,region,bgv,"
has "no CI: se missing for subgroup 'A' (line 2)"
has "sba,region,mdru,"
expect 1 "nose.csv:2: indicator 'sba', dimension 'region': d: no CI: se missing for subgroup 'A' (line 2) (--strict)" nose.csv --strict
expect 1 "nose.csv:2: indicator 'sba', dimension 'region': bgv: no CI: se missing for subgroup 'A' (line 2) (--strict)" nose.csv --strict --measures bgv

# Two subgroups: D and R only; the rest say why; --strict fails.
printf '%s\n' "$H" "sba,sex,F,,60,2,100,1,0,100,0" "sba,sex,M,,70,3,200,1,0,100,0" >two.csv
good two.csv
has "sba,sex,d,10,"
has "sba,sex,bgv,,,,,,2,needs at least 3 subgroups (block has 2)"
expect 1 "bgv: needs at least 3 subgroups" two.csv --strict --measures d,bgv

# Measures asked for by name are reported where they do not apply, with a note.
good nose.csv --measures aci,d
has "sba,region,aci,,,,,,3,applies to ordered dimensions only"

# Zero estimate: MLD undefined, Theil without CI.
printf '%s\n' "$H" "x,region,A,,0,1,100,0,0,100,0" "x,region,B,,10,1,100,0,0,100,0" "x,region,C,,20,1,100,0,0,100,0" >zeroest.csv
good zeroest.csv --measures ti,mld
has "x,region,mld,,,,,,3,MLD undefined: an estimate is 0"
has "the delta-method SE is undefined when an estimate is 0"

# Logistic SII needs proportions: an estimate above the scale is refused with advice.
printf '%s\n' "$H" "x,q,1,1,50,1,100,1,1,10,0" "x,q,2,2,12,1,100,1,1,10,0" "x,q,3,3,9,1,100,1,1,10,0" >overscale.csv
good overscale.csv --measures sii
has "use --sii-method linear"
good overscale.csv --measures sii --sii-method linear
has "x,q,sii,-"

# --col maps other column names; the anchors' names (est, pop, scaleval, row) work directly.
printf '%s\n' "ind,dim,grp,ord,value,stderr,n,fav,ordered" "a,q,1,1,10,1,100,1,1" "a,q,2,2,20,1,100,1,1" "a,q,3,3,30,1,100,1,1" >mapped.csv
good mapped.csv --col indicator=ind --col dimension=dim --col subgroup=grp --col subgroup_order=ord \
    --col estimate=value --col se=stderr --col population=n --col favourable_indicator=fav --col ordered_dimension=ordered
has "a,q,aci,"
expect 1 "header has no column 'nope'" mapped.csv --col estimate=nope
expect 1 "unknown field 'bogus'" mapped.csv --col bogus=value

# Standard input; errors from it are reported as <stdin>.
if "$EQUITYLENS" summarise - <nose.csv >out.txt 2>err.txt && "$EQUITYLENS" summarise nose.csv >ref.txt 2>/dev/null && cmp -s out.txt ref.txt; then
    echo "ok   stdin gives the same output"
else
    echo "FAIL: stdin output differs"; fail=1
fi
"$EQUITYLENS" summarise <zero.csv >/dev/null 2>err.txt
grep -q '<stdin>:3:' err.txt && echo "ok   stdin error names <stdin>:3" || { echo "FAIL stdin error:"; cat err.txt; fail=1; }

# Usage errors.
expect 2 "--format must be csv or json" nose.csv --format xml
expect 2 "unknown measure 'foo'" nose.csv --measures d,foo
expect 2 "--reps must be an integer" nose.csv --reps 5
expect 2 "--sii-method must be" nose.csv --sii-method probit
expect 2 "confidence" nose.csv --conf 150
expect 2 "--col takes NAME=COLUMN" nose.csv --col estimate
"$EQUITYLENS" summarise --help | grep -q -- "--sii-method" || { echo "FAIL: --help"; fail=1; }
exit $fail
