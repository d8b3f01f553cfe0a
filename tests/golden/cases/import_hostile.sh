#!/bin/sh
# import_hostile.sh — hostile extracts (ragged, truncated, wrong encoding,
# binary junk, a 10 MB single field, bad header, a missing file) give a clear
# error naming the file/line/field and leave the store exactly as it was;
# a file with a few bad rows is stored with exit 3 and every row accounted for.
set -eu
export EQUITYLENS_KEY_FILE="$T/key"
DB="$T/el.db"
HDR='appointment_id,patient_id,appointment_date,attended_or_did_not_attend,ethnic_category,age'
imp() {  # imp FILE EXPECTED_EXIT [options]: run an import, check its exit status
    f=$1; want=$2; shift 2
    set +e
    "$EQUITYLENS" import "$f" --kind appointments --db "$DB" --data-dir "$ROOT/data" "$@" > out.txt 2> err.txt
    rc=$?
    set -e
    echo "== $f (exit $rc)"; cat out.txt err.txt
    [ "$rc" -eq "$want" ] || { echo "FAIL: $f: exit $rc, expected $want"; exit 1; }
}
snapshot() { "$EQUITYLENS" datasets --db "$DB" --format csv > "$1"; }
unchanged() { snapshot now.csv; cmp -s before.csv now.csv || { echo "FAIL: store changed by $1"; diff before.csv now.csv; exit 1; }; }

# a good file first, so the store is not empty
printf '%s\nA1,P1,2024-01-02,5,A,54\nA2,P2,2024-01-03,3,Z,40\n' "$HDR" > good.csv
imp good.csv 0
snapshot before.csv

python3 - "$HDR" <<'PY'
import sys, random
hdr = sys.argv[1]
ok = "A%d,P%d,2024-01-02,5,A,54"
open('ragged.csv', 'w').write(hdr + "\n" + "".join(f"A{i},P{i},2024-01-02,5\n" for i in range(50)))
full = hdr + "\n" + "".join((ok % (i, i)) + "\n" for i in range(20))
open('truncated.csv', 'w').write(full[:len(full) // 2] + '"A99,P')          # cut mid-row inside a quote
open('latin1.csv', 'wb').write((hdr + "\n" + "".join(f"A{i},P{i},2024-01-02,5,Caf\xe9,54\n" for i in range(30))).encode('latin-1'))
open('utf16.csv', 'wb').write((hdr + "\nA1,P1,2024-01-02,5,A,54\n").encode('utf-16'))
random.seed(42)
open('junk.csv', 'wb').write(hdr.encode() + b"\n" + bytes(random.getrandbits(8) for _ in range(200000)))
open('junk_header.csv', 'wb').write(bytes(random.getrandbits(8) for _ in range(5000)))
with open('bigfield.csv', 'w') as f:
    f.write(hdr + "\n" + "A1," + "x" * (10 * 1024 * 1024) + ",2024-01-02,5,A,54\n")
open('noheader.csv', 'w').write("appointment_id,patient_id,attended_or_did_not_attend\nA1,P1,5\n")
open('empty.csv', 'w').write("")
# mostly good: 2 bad rows out of 10 (ragged, bad date) → stored, exit 3
rows = [ok % (i, i) for i in range(8)] + ["A8,P8,2024-01-02", "A9,P9,2024-13-01,5,A,1"]
open('somebad.csv', 'w').write(hdr + "\n" + "\n".join(rows) + "\n")
PY

imp ragged.csv 1;      grep -q "row has 4 fields; the header has 6" err.txt; unchanged ragged.csv
grep -q "50 of 50 rows rejected" err.txt
imp truncated.csv 1;   grep -q "truncated.csv:.*looks truncated" err.txt; unchanged truncated.csv
imp latin1.csv 1;      grep -qi "utf-8" err.txt; unchanged latin1.csv
imp utf16.csv 1;       unchanged utf16.csv
imp junk.csv 1;        unchanged junk.csv
imp junk_header.csv 1; unchanged junk_header.csv
imp bigfield.csv 1;    grep -q "longer than 1048576 bytes" err.txt; unchanged bigfield.csv
imp noheader.csv 1;    grep -q "noheader.csv:1: appointment_date: required field 'appointment_date'" err.txt; unchanged noheader.csv
imp empty.csv 1;       grep -q "empty" err.txt; unchanged empty.csv
imp missing.csv 1;     grep -q "missing.csv: cannot open" err.txt; unchanged missing.csv
imp good.csv 1;        grep -q "identical file already imported as dataset 1" err.txt; unchanged "re-import"
imp good.csv 1 --mapping "$T/no-such.map"; grep -q "not found" err.txt
unchanged "missing mapping"

# the rejects file survives a refused import so the analyst can see why
imp ragged.csv 1 --rejects rej.csv --force
[ "$(wc -l < rej.csv)" -eq 51 ] || { echo "FAIL: rejects file should have 50 rows + header"; exit 1; }
unchanged "refused with --rejects"

# a few bad rows: stored (exit 3), rows read = accepted + rejected, reasons with line and field
imp somebad.csv 3 --rejects rej2.csv
grep -q "rows read       10" out.txt
grep -q "rows accepted   8" out.txt
grep -q "rows rejected   2" out.txt
grep -q "somebad.csv:10: row has 3 fields; the header has 6" out.txt
grep -q "somebad.csv:11:3: appointment_date: '2024-13-01' is not a date in format YYYY-MM-DD" out.txt
python3 - <<'PY'
import csv
r = list(csv.reader(open('rej2.csv', newline='')))
assert r[0][:4] == ['line', 'column', 'field', 'reason'], r[0]
assert [x[0] for x in r[1:]] == ['10', '11'], r
assert r[2][2] == 'appointment_date' and r[2][4:] == ['A9', 'P9', '2024-13-01', '5', 'A', '1'], r[2]
PY
"$EQUITYLENS" datasets --db "$DB" --format csv > after.csv
cat after.csv
[ "$(wc -l < after.csv)" -eq 3 ] || { echo "FAIL: expected 2 datasets"; exit 1; }
grep -q '^2,appointments,10,8,2,' after.csv
echo "ok: hostile imports refused with clear errors; store unchanged"
