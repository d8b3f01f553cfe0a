#!/bin/sh
# import_readonly.sh — read-only commands never create a store at a mistyped
# path nor add equitylens tables to another application's SQLite file; a
# refused import into a store path that did not exist leaves no file behind.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
python3 -c "import sqlite3; c = sqlite3.connect('other.db'); c.execute('create table t(x)'); c.commit()"
cp other.db other.orig
for cmd in "datasets" "analyse --kind appointments --format json" "quality" "report --out rep"; do
    set +e; $EQUITYLENS $cmd --db typo.db > out.txt 2>&1; rc=$?; set -e
    cat out.txt
    [ "$rc" -ne 0 ] || fail "$cmd --db typo.db: exit 0"
    grep -q "no store" out.txt || fail "$cmd: no 'no store' message"
    [ ! -e typo.db ] || fail "$cmd created typo.db"
    set +e; $EQUITYLENS $cmd --db other.db > out.txt 2>&1; rc=$?; set -e
    cat out.txt
    [ "$rc" -ne 0 ] || fail "$cmd --db other.db: exit 0"
    grep -q "other.db: not an equitylens store" out.txt || fail "$cmd: no 'not an equitylens store' message"
    cmp other.db other.orig || fail "$cmd changed other.db"
    [ ! -e other.db-wal ] || fail "$cmd left other.db-wal"
done
# a refused import into a new store path leaves nothing behind
printf 'appointment_id,patient_id\nA1,P1\n' > bad.csv
set +e; $EQUITYLENS import bad.csv --kind appointments --db new.db --data-dir "$ROOT/data" > out.txt 2>&1; rc=$?; set -e
cat out.txt
[ "$rc" -eq 1 ] || fail "bad import exit $rc"
grep -q "no store was created at new.db" out.txt
ls new.db* 2>/dev/null && fail "refused import left a store file"
cat > ok.csv <<'CSV'
appointment_id,patient_id,appointment_date,attended_or_did_not_attend
A1,P1,2024-01-02,5
A2,P2,2024-01-03,3
CSV
set +e; $EQUITYLENS import ok.csv --kind appointments --db new.db --data-dir "$ROOT/data" --rejects /nonexistent-dir/r.csv > out.txt 2>&1; rc=$?; set -e
[ "$rc" -eq 1 ] || fail "import with unwritable rejects exit $rc"
ls new.db* 2>/dev/null && fail "refused import left a store file"
# an existing store stays and still works read-only; a refused import keeps it
$EQUITYLENS import ok.csv --kind appointments --db new.db --data-dir "$ROOT/data" -q > /dev/null
set +e; $EQUITYLENS import bad.csv --kind appointments --db new.db --data-dir "$ROOT/data" > /dev/null 2>&1; set -e
[ -f new.db ] || fail "refused import removed an existing store"
$EQUITYLENS datasets --db new.db --format csv | grep -q '^1,appointments,2,2,0,'
# a failed write of the list is an error, not exit 0
set +e; $EQUITYLENS datasets --db new.db > /dev/full 2> err.txt; rc=$?; set -e
cat err.txt
[ "$rc" -eq 1 ] && grep -q "cannot write the list" err.txt || fail "datasets > /dev/full: exit $rc"
echo ok
