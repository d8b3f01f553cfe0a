#!/bin/sh
# dnajob_fallback: a quoted field of ~300 KB with 5,000 newlines in the middle
# of the file makes the 2-thread split land inside quotes; the job must
# notice, fall back to a sequential read, and still give the exact counts.
# Also: unterminated quote at end of file, a custom IMD file (non-standard
# codes), disclosure control on by default, and clear errors.
set -eu
D=$ROOT/tests/golden/data/dnajob
IMD=$ROOT/data/imd/iod2019_file1_imd_lsoa11.csv
python3 "$D/make_extract.py" 6000 11 "$IMD" ex.csv --giant-quote
python3 "$D/reference.py" ex.csv "$IMD" "LSOA code (2011)" "Index of Multiple Deprivation (IMD) Decile" > ref.csv
"$EQUITYLENS" dna-job --imd "$IMD" --threads 2 --no-suppress --format json ex.csv > got.json || true
python3 - got.json <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
assert g["reader"]["threads"] == 2 and g["reader"]["sequential_fallback"] is True, g["reader"]
PY
"$EQUITYLENS" dna-job --imd "$IMD" --threads 2 --no-suppress --format csv --quiet --out got.csv ex.csv || true
python3 "$ROOT/bench/compare_dna.py" ref.csv got.csv

# unterminated quote at the end: one rejected row, named by its line
printf 'attended_or_did_not_attend,ethnic_category,lsoa11\n3,A,E01000001\n5,"B,E01000002\n' > open.csv
rc=0; "$EQUITYLENS" dna-job --imd "$IMD" --format json --no-suppress open.csv > open.json || rc=$?
[ $rc -eq 3 ] || { echo "unterminated: exit $rc"; exit 1; }
python3 - open.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["rows"]
assert r["read"] == 2 and r["counted"] == 1 and r["rejected"] == 1, r
assert r["rejected_by_reason"]["unterminated_quote"] == 1
assert r["first_rejects"][0]["line"] == 3, r["first_rejects"]
PY

# a custom IMD file with its own column names, including a code that is not
# shaped like an LSOA code (hash path)
printf 'code,dec\nE01000001,1\nQQ1234567,10\nE01000002,4\n' > imd.csv
printf 'attended_or_did_not_attend,ethnic_category,lsoa11\n3,A,E01000001\n5,A,QQ1234567\n7,Z,E01000002\n6,99,E01000003\n5,,\n' > small.csv
"$EQUITYLENS" dna-job --imd imd.csv --imd-code-col code --imd-decile-col dec --no-suppress --format csv --quiet small.csv > small.out
grep -qx 'imd_quintile,1,all,1,1,100.000000' small.out
grep -qx 'imd_quintile,5,all,0,1,0.000000' small.out
grep -qx 'imd_quintile,2,all,1,1,100.000000' small.out
grep -qx 'imd_quintile,unknown,all,0,2,0.000000' small.out
grep -qx 'ethnic_group,all,not_known,0,2,0.000000' small.out

# default output passes disclosure control: counts 1-7 never appear
"$EQUITYLENS" dna-job --imd imd.csv --imd-code-col code --imd-decile-col dec --format csv small.csv > safe.out 2>/dev/null
head -1 safe.out | grep -q '^# Disclosure control'
python3 - safe.out <<'PY'
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
for r in rows:
    for k in ("dna", "appointments"):
        v = r[k]
        assert v == "*" or int(v) == 0 or int(v) >= 8, (r, k)
print("no small counts published")
PY

# errors: missing column, missing file
printf 'a,b\n1,2\n' > nocol.csv
rc=0; "$EQUITYLENS" dna-job --imd "$IMD" nocol.csv 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -q "attended_or_did_not_attend" err.txt
rc=0; "$EQUITYLENS" dna-job --imd "$IMD" does-not-exist.csv 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -q "does-not-exist.csv" err.txt
rc=0; "$EQUITYLENS" dna-job --threads 0 x.csv 2>/dev/null || rc=$?
[ $rc -eq 2 ]
echo "fallback, unterminated, custom IMD, disclosure and errors ok"
