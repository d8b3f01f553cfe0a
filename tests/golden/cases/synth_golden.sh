#!/bin/sh
# synth_golden.sh — equitylens synth is byte-stable: the same kind, rows and
# seed give exactly the committed extract and truth (tests/golden/data/synth/),
# a different seed gives a different extract, and --help/usage errors behave.
set -eu
G="$ROOT/tests/golden/data/synth"
for k in appointments waiting_list cancer_pathways; do
    "$EQUITYLENS" synth --kind $k --rows 200 --seed 42 --out "$T/$k.csv" --data-dir "$ROOT/data" -q
    cmp "$T/$k.csv" "$G/${k}_200_seed42.csv" || { echo "$k extract differs from golden"; exit 1; }
    cmp "$T/$k.csv.truth.json" "$G/${k}_200_seed42.csv.truth.json" || { echo "$k truth differs from golden"; exit 1; }
    [ "$(wc -l < "$T/$k.csv")" -eq 201 ] || { echo "$k: expected 201 lines"; exit 1; }
    "$EQUITYLENS" synth --kind $k --rows 200 --seed 43 --data-dir "$ROOT/data" -q > "$T/$k.43.csv"
    if cmp -s "$T/$k.csv" "$T/$k.43.csv"; then echo "$k: seed 43 gave the same extract"; exit 1; fi
done
# stdout without --truth writes no truth file; --truth puts it where asked
"$EQUITYLENS" synth --kind appointments --rows 10 --seed 1 --truth "$T/t.json" --data-dir "$ROOT/data" -q > "$T/s.csv"
[ -s "$T/t.json" ] && [ "$(wc -l < "$T/s.csv")" -eq 11 ]
# --rows 0 writes just the header
"$EQUITYLENS" synth --kind cancer_pathways --rows 0 --data-dir "$ROOT/data" -q > "$T/h.csv"
[ "$(wc -l < "$T/h.csv")" -eq 1 ]
"$EQUITYLENS" synth --help | grep -q -- "--nhs-numbers"
# --lsoa21: every lsoa21 is one of the ONS lookup's LSOA 2021 codes for the row's lsoa11;
# --nhs-numbers: every number passes Modulus 11
"$EQUITYLENS" synth --kind waiting_list --rows 3000 --seed 5 --lsoa21 --nhs-numbers --data-dir "$ROOT/data" -q > l21.csv
python3 - "$ROOT/data/lookups/lsoa11_lsoa21_lad22_ew.csv" <<'PY'
import csv, sys
m = {}
for r in csv.DictReader(open(sys.argv[1], newline='')): m.setdefault(r['lsoa11_code'], set()).add(r['lsoa21_code'])
n = 0
for r in csv.DictReader(open('l21.csv', newline='')):
    if len(r['lsoa11']) == 9:
        assert r['lsoa21'] in m[r['lsoa11']], r
        n += 1
    else:
        assert r['lsoa21'] == r['lsoa11'], r      # blank or malformed in both columns
    d = [int(c) for c in r['nhs_number']]
    assert len(d) == 10 and r['nhs_number'].startswith('999')
    chk = 11 - sum(d[i] * (10 - i) for i in range(9)) % 11
    assert (0 if chk == 11 else chk) == d[9], r['nhs_number']
assert n > 2900
PY
set +e
"$EQUITYLENS" synth --kind nonsense --rows 5 > /dev/null 2>&1; [ $? -eq 2 ] || { echo "bad kind: expected exit 2"; exit 1; }
"$EQUITYLENS" synth --kind appointments > /dev/null 2>&1; [ $? -eq 2 ] || { echo "no rows: expected exit 2"; exit 1; }
"$EQUITYLENS" synth --kind appointments --rows 5 --data-dir "$T/none" > /dev/null 2> err.txt; rc=$?
set -e
[ $rc -eq 1 ] || { echo "missing data dir: expected exit 1"; exit 1; }
grep -q "iod2019_file1_imd_lsoa11.csv" err.txt
echo "synth golden ok"
