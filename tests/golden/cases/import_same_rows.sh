#!/bin/sh
# import_same_rows.sh — a copy of an imported extract that differs only in
# line ends (CRLF), a byte-order mark or quoting has the same parsed rows
# (content hash) and is refused like the identical file; --force stores it;
# a file with one changed cell is a new version.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
export EQUITYLENS_KEY_FILE="$T/key"
cat > a.csv <<'CSV'
appointment_id,patient_id,appointment_date,attended_or_did_not_attend,ethnic_category
A1,P1,2024-01-02,5,A
A2,P2,2024-01-03,3,Z
A3,P3
CSV
python3 - <<'PY'
src = open('a.csv', 'rb').read()
open('crlf.csv', 'wb').write(b'\xef\xbb\xbf' + src.replace(b'\n', b'\r\n'))
open('quoted.csv', 'wb').write(src.replace(b'A2,P2', b'"A2","P2"'))
open('changed.csv', 'wb').write(src.replace(b'A2,P2', b'A2,P9'))
PY
imp() { "$EQUITYLENS" import "$@" --kind appointments --db s.db --data-dir "$ROOT/data"; }
set +e; imp a.csv -q > id.txt 2>&1; rc=$?; set -e
[ "$rc" -eq 3 ] && grep -qx 1 id.txt || { cat id.txt; fail "first import exit $rc"; }
for f in crlf.csv quoted.csv; do
    set +e; imp $f > out.txt 2>&1; rc=$?; set -e
    cat out.txt
    [ "$rc" -eq 1 ] || fail "$f: exit $rc, expected 1"
    grep -q "the same rows were already imported as dataset 1 (a.csv" out.txt || fail "$f: message"
    grep -q "the store is unchanged" out.txt
done
"$EQUITYLENS" datasets --db s.db --format csv | wc -l | grep -qx 2 || fail "a refused copy was stored"
set +e; imp changed.csv -q > id.txt 2>&1; rc=$?; set -e
grep -qx 2 id.txt || { cat id.txt; fail "changed file not stored"; }
set +e; imp crlf.csv --force -q > id.txt 2>&1; rc=$?; set -e
grep -qx 3 id.txt || { cat id.txt; fail "--force did not store the copy"; }
echo ok
