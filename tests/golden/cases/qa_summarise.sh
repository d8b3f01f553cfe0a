#!/bin/sh
# qa_summarise.sh — summarise QA findings: a ragged row names its field count
# against the header's (file:line); a header-only file is "no data rows",
# exit 1; on a data error nothing is written (stdout or --output); a failed
# write prints the reason and exits 1.
set -eu
. "$ROOT/tests/golden/qa_lib.sh"
hdr='indicator,dimension,subgroup,subgroup_order,estimate,se,population,favourable_indicator,ordered_dimension,indicator_scale,setting_average'
{ echo "$hdr"; for q in 1 2 3 4 5; do echo "ind,wealth,Q$q,$q,$((50 + 5 * q)),1.5,$((1000 + 100 * q)),1,1,100,60"; done; } > w.csv
s="summarise --reps 20"
t 0 '' $s w.csv
cp out.txt good.out
[ "$(wc -l < good.out)" -gt 1 ] || fail "no result rows"
# ragged rows: too few and too many fields
{ head -3 w.csv; echo "ind,wealth,Q3"; tail -2 w.csv; } > ragged.csv
t 1 '^equitylens summarise: error: ragged\.csv:4: row has 3 fields; the header has 11$' $s ragged.csv
[ ! -s out.txt ] || fail "ragged: output written to stdout"
{ cat w.csv; echo "ind,wealth,Q6,6,80,1.5,1600,1,1,100,60,extra"; } > long.csv
t 1 'long\.csv:7: row has 12 fields; the header has 11' $s long.csv
# header only (and header + blank lines)
echo "$hdr" > hdr.csv
t 1 'hdr\.csv:2: no data rows' $s hdr.csv
[ ! -s out.txt ] || fail "header only: output written"
printf '%s\n\n\n' "$hdr" > hdr2.csv
t 1 'hdr2\.csv:2: no data rows' $s hdr2.csv
# a data error after good blocks: nothing on stdout, --output untouched
{ cat w.csv; for q in 1 2; do echo "ind2,wealth,Q$q,$q,50,1.5,1000,1,1,100,60"; done; echo "ind2,wealth,Q3,3,50,1.5,1000,0,1,100,60"; } > late.csv
t 1 'late\.csv:9:8: favourable_indicator: favourable_indicator differs' $s late.csv
[ ! -s out.txt ] || fail "late error: partial output on stdout"
echo keep > res.csv
t 1 'differs' $s --output res.csv late.csv
[ "$(cat res.csv)" = keep ] || fail "late error: --output was modified"
rm -f new.csv
t 1 'differs' $s --output new.csv late.csv
[ ! -e new.csv ] || fail "late error: --output file created"
# --strict failure: nothing written either
{ echo "$hdr"; echo "ind,wealth,Q1,1,50,,1000,1,1,100,60"; echo "ind,wealth,Q2,2,55,,1100,1,1,100,60"; } > nose.csv
t 1 'strict' $s --strict --output strict.csv nose.csv
[ ! -e strict.csv ] || fail "--strict failure: --output file created"
# the good file still gives the same bytes through --output and json works
t 0 '' $s --output ok.csv w.csv
cmp -s ok.csv good.out || fail "--output differs from stdout"
t 0 '' $s --format json w.csv
python3 -c "import json,sys; json.load(open('out.txt'))" || fail "json output not valid"
# write errors carry the reason
t 1 '/: cannot write: Is a directory' $s --output / w.csv
if [ -w /dev/full ]; then
    set +e; "$EQUITYLENS" $s w.csv > /dev/full 2> err.txt; rc=$?; set -e
    [ "$rc" -eq 1 ] || fail "> /dev/full: exit $rc"
    grep -q 'standard output: write failed: No space left on device' err.txt || { cat err.txt; fail "> /dev/full: no message"; }
    t 1 '/dev/full: write failed: No space left on device' $s --output /dev/full w.csv
fi
echo "qa_summarise ok"
