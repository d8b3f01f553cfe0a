#!/bin/sh
# import_nhs.sh — NHS numbers are pseudonymised at import: the key file is
# created 0600 on first use, valid numbers (Modulus 11) become a keyed hash,
# invalid ones are counted and blanked, the clear number is nowhere in the
# store or the rejects file, the same key gives the same hash on a second
# import, and a key file readable by others is refused. Also: Ctrl-C during
# an import leaves the store consistent (all or nothing).
set -eu
DB="$T/el.db"
# the default key location: ~/.config/equitylens/pseudonym.key (the only key
# path whose missing directories are created)
mkdir -p "$T/home"
export HOME="$T/home"
unset EQUITYLENS_KEY_FILE
KEY="$T/home/.config/equitylens/pseudonym.key"
cat > nhs.csv <<'CSV'
appointment_id,patient_id,appointment_date,attended_or_did_not_attend,nhs_number,ethnic_category
A1,P1,2024-01-02,5,9434765919,A
A2,P2,2024-01-03,3,943 476 5919,Z
A3,P3,2024-01-04,5,4010232137,99
A4,P4,2024-01-05,5,9434765918,A
A5,P5,2024-01-06,5,12345,A
A6,P6,2024-01-07,5,,A
A7,P7,2024-01-08,5,4010232137
CSV
set +e
"$EQUITYLENS" import nhs.csv --kind appointments --db "$DB" --data-dir "$ROOT/data" --rejects rej.csv > out.txt 2>&1
rc=$?
set -e
cat out.txt
[ "$rc" -eq 3 ] || { echo "exit $rc, expected 3 (one ragged row)"; exit 1; }
grep -q "NHS numbers     3 pseudonymised, 2 invalid (blanked); key $KEY (new key created" out.txt
[ -f "$KEY" ] || { echo "key file not created"; exit 1; }
[ "$(stat -c %a "$KEY")" = 600 ] || { echo "key file mode $(stat -c %a "$KEY"), expected 600"; exit 1; }
[ "$(stat -c %a "$T/home/.config/equitylens")" = 700 ] || { echo "key dir mode $(stat -c %a "$T/home/.config/equitylens"), expected 700"; exit 1; }
# the clear numbers appear nowhere in the store or the rejects file
for f in "$DB"* rej.csv; do
    if grep -a -q -e 9434765919 -e 4010232137 -e "943 476 5919" "$f"; then echo "FAIL: clear NHS number in $f"; exit 1; fi
done
grep -q '\[removed\]' rej.csv
# same content hash check, computed independently with Python's hashlib (BLAKE2b keyed)
python3 - "$DB" "$KEY" <<'PY'
import hashlib, sqlite3, struct, sys
db, keyf = sys.argv[1:]
key = bytes.fromhex(open(keyf).read().strip())
con = sqlite3.connect(db)
import os
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'golden', 'data', 'import'))
import elstore
col = elstore.column(con, 1, 'nhs_number_hash')
dct = elstore.dictionary(con, 1, 'nhs_number_hash')
h = lambda n: hashlib.blake2b(n.encode(), digest_size=32, key=key).hexdigest()
NA = -2**31
got = [None if v == NA else dct[v] for v in col]
want = [h('9434765919'), h('9434765919'), h('4010232137'), None, None, None]
assert got == want, (got, want)
print("hashes match hashlib.blake2b(key=...)")
PY
# a second import of different content with the same key links the same patient
sed 's/^A1,/B1,/' nhs.csv > nhs2.csv
set +e; "$EQUITYLENS" import nhs2.csv --kind appointments --db "$DB" --data-dir "$ROOT/data" -q > id.txt 2>&1; set -e
grep -q '^2$' id.txt || { cat id.txt; echo "FAIL: second import"; exit 1; }
python3 - "$DB" <<'PY'
import os, sqlite3, sys
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'golden', 'data', 'import'))
import elstore
con = sqlite3.connect(sys.argv[1])
d = [set(elstore.dictionary(con, i, 'nhs_number_hash')) for (i,) in con.execute("SELECT id FROM datasets ORDER BY id")]
assert d[0] == d[1] and len(d[0]) == 2, d
PY
# a key file readable by others is refused, and nothing is stored
chmod 644 "$KEY"
sed 's/^A1,/C1,/' nhs.csv > nhs3.csv
set +e; "$EQUITYLENS" import nhs3.csv --kind appointments --db "$DB" --data-dir "$ROOT/data" > out3.txt 2>&1; rc=$?; set -e
cat out3.txt
[ "$rc" -eq 1 ] && grep -q "readable by others" out3.txt
"$EQUITYLENS" datasets --db "$DB" --format csv | wc -l | grep -q '^3$'
# without NHS numbers no key is needed at all
chmod 600 "$KEY"
EQUITYLENS_KEY_FILE="$T/never/made.key" "$EQUITYLENS" import "$ROOT/tests/golden/data/import/artificial_hes_op_0304_first1000.csv" \
    --mapping "$ROOT/mappings/hes-outpatients.map" --db "$DB" --data-dir "$ROOT/data" -q > /dev/null
[ ! -e "$T/never" ] || { echo "FAIL: key created for a file without NHS numbers"; exit 1; }

# Ctrl-C: interrupt an import of a larger file; whatever the timing, the store
# holds either the complete new version or nothing of it
python3 - <<'PY'
with open('big.csv', 'w') as f:
    f.write("appointment_id,patient_id,appointment_date,attended_or_did_not_attend\n")
    for i in range(300000):
        f.write(f"A{i},P{i % 5000},2024-01-{1 + i % 28:02d},5\n")
PY
"$EQUITYLENS" datasets --db "$DB" --format csv > before.csv
"$EQUITYLENS" import big.csv --kind appointments --db "$DB" --data-dir "$ROOT/data" --chunk-rows 20000 -q > int.txt 2>&1 &
pid=$!
sleep 0.3
kill -INT "$pid" 2>/dev/null || true
set +e; wait "$pid"; rc=$?; set -e
cat int.txt
"$EQUITYLENS" datasets --db "$DB" --format csv > after.csv
if [ "$rc" -eq 0 ]; then
    echo "(import finished before the signal)"
    [ "$(wc -l < after.csv)" -eq $(( $(wc -l < before.csv) + 1 )) ]
    tail -1 after.csv | grep -q ',appointments,300000,300000,0,'
else
    [ "$rc" -eq 1 ] || { echo "FAIL: interrupted import exit $rc"; exit 1; }
    grep -q "interrupted" int.txt
    cmp before.csv after.csv
    python3 - "$DB" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
orphans = con.execute("SELECT count(*) FROM dataset_segments WHERE dataset_id NOT IN (SELECT id FROM datasets)").fetchone()[0]
assert orphans == 0, orphans
PY
    echo "(interrupted: store unchanged)"
fi
echo "ok"
