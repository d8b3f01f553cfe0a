#!/bin/sh
# qa_dnajob.sh — dna-job QA findings: a header naming a column it reads twice
# is refused like import refuses it; output that cannot be written gives the
# reason (strerror) and exit 1.
set -eu
. "$ROOT/tests/golden/qa_lib.sh"
export EQUITYLENS_DATA="$ROOT/data"
"$EQUITYLENS" synth --kind appointments --rows 300 --seed 3 --out appt.csv -q
t 0 '' dna-job --quiet --format csv appt.csv
sed '1s/provider_code/ethnic_category/' appt.csv > dup.csv
grep -q 'ethnic_category.*ethnic_category' dup.csv || fail "fixture: no duplicate column"
t 1 "dup\.csv:1:[0-9]+: ethnic_category: column 'ethnic_category' appears more than once in the header" dna-job dup.csv
t 1 "appears more than once" dna-job - < dup.csv
t 1 "appears more than once" dna-job --threads 1 dup.csv
sed '1s/provider_code/ATTENDED_OR_DID_NOT_ATTEND/' appt.csv > dup2.csv
t 1 "column 'attended_or_did_not_attend' appears more than once" dna-job dup2.csv
# a column that is not read may repeat
sed '1s/provider_code/appointment_date/' appt.csv > dup3.csv
t 0 '' dna-job --quiet --format csv dup3.csv
# output errors carry the reason
t 1 'cannot write /: Is a directory' dna-job --out / appt.csv
if [ -w /dev/full ]; then
    set +e; "$EQUITYLENS" dna-job appt.csv > /dev/full 2> err.txt; rc=$?; set -e
    [ "$rc" -eq 1 ] || fail "> /dev/full: exit $rc"
    grep -q 'No space left on device' err.txt || { cat err.txt; fail "> /dev/full: no reason"; }
fi
echo "qa_dnajob ok"
