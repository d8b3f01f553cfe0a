#!/bin/sh
# import_key.sh — a store remembers the fingerprint of the key its NHS-number
# pseudonyms were made with (BLAKE2b keyed with the key over a fixed label,
# checked here with Python's hashlib; the key itself is not in the store), so
# a different or mistyped key file is refused instead of silently breaking
# the linkage; a new key is only generated while the store has no
# pseudonymised dataset, and missing directories of a --key-file /
# $EQUITYLENS_KEY_FILE path are never created.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
unset EQUITYLENS_KEY_FILE
export HOME="$T/nohome"    # must not be touched: every key path below is explicit
DB="$T/k.db"
mkdir -m 700 keys
cat > a.csv <<'CSV'
appointment_id,patient_id,appointment_date,attended_or_did_not_attend,nhs_number
A1,P1,2024-01-02,5,9434765919
A2,P2,2024-01-03,3,4010232137
CSV
sed 's/^A/B/' a.csv > b.csv
sed 's/^A/C/' a.csv > c.csv
imp() { "$EQUITYLENS" import "$@" --kind appointments --db "$DB" --data-dir "$ROOT/data"; }
# a key path under a missing directory: refused, nothing created
set +e; EQUITYLENS_KEY_FILE="$T/nonexist/sub/ka" imp a.csv > out.txt 2>&1; rc=$?; set -e
cat out.txt
[ "$rc" -eq 1 ] || fail "key under a missing directory: exit $rc"
[ ! -e "$T/nonexist" ] || fail "missing key directory was created"
[ ! -e "$DB" ] || fail "refused import left a store"
# first import: key ka is created and its fingerprint recorded
EQUITYLENS_KEY_FILE=keys/ka imp a.csv -q > id.txt
grep -qx 1 id.txt
[ -f keys/ka ] || fail "key not created"
python3 - "$DB" keys/ka <<'PY'
import hashlib, sqlite3, sys
db, kf = sys.argv[1:]
key = bytes.fromhex(open(kf).read().strip())
con = sqlite3.connect(db)
meta = dict(con.execute("SELECT key, value FROM el_meta"))
want = hashlib.blake2b(b"equitylens pseudonym key fingerprint v1", digest_size=32, key=key).hexdigest()
assert meta.get("pseudonym_key_fingerprint") == want, meta
for v in meta.values():
    assert key.hex() not in v.lower(), "key in the store"
print("fingerprint ok")
PY
cp "$DB" before.db
# another key (existing file): refused, store unchanged
python3 -c "import os; print(os.urandom(32).hex())" > keys/kb; chmod 600 keys/kb
set +e; imp b.csv --key-file keys/kb > out.txt 2>&1; rc=$?; set -e
cat out.txt
[ "$rc" -eq 1 ] || fail "other key: exit $rc"
grep -q "key file keys/kb is not the key this store's NHS-number pseudonyms were made with" out.txt
# a mistyped key path: refused, no new key made
set +e; EQUITYLENS_KEY_FILE=keys/kx imp b.csv > out.txt 2>&1; rc=$?; set -e
cat out.txt
[ "$rc" -eq 1 ] || fail "missing key: exit $rc"
grep -q "keys/kx: no key file there, and the store already holds NHS-number pseudonyms" out.txt
[ ! -e keys/kx ] || fail "a new key was generated for a store with pseudonyms"
"$EQUITYLENS" datasets --db "$DB" --format csv | wc -l | grep -qx 2 || fail "a refused import stored something"
# the right key: accepted and linked
imp b.csv --key-file keys/ka -q | grep -qx 2
python3 - "$DB" <<'PY'
import os, sqlite3, sys
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'golden', 'data', 'import'))
import elstore
con = sqlite3.connect(sys.argv[1])
d = [set(elstore.dictionary(con, i, 'nhs_number_hash')) for (i,) in con.execute("SELECT id FROM datasets ORDER BY id")]
assert d[0] == d[1] and len(d[0]) == 2, d
PY
# a file without NHS numbers needs no key, whatever the store holds
printf 'appointment_id,patient_id,appointment_date,attended_or_did_not_attend\nD1,P1,2024-01-02,5\n' > d.csv
EQUITYLENS_KEY_FILE=keys/none imp d.csv -q | grep -qx 3
[ ! -e keys/none ] || fail "key created for a file without NHS numbers"
# a store made before fingerprints (pseudonyms, no fingerprint): no new key, the given key is recorded
python3 - before.db <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1]); con.execute("DELETE FROM el_meta WHERE key = 'pseudonym_key_fingerprint'"); con.commit()
PY
set +e; "$EQUITYLENS" import c.csv --kind appointments --db before.db --data-dir "$ROOT/data" --key-file keys/ky > out.txt 2>&1; rc=$?; set -e
[ "$rc" -eq 1 ] && [ ! -e keys/ky ] || fail "legacy store: a new key was created"
"$EQUITYLENS" import c.csv --kind appointments --db before.db --data-dir "$ROOT/data" --key-file keys/ka -q | grep -qx 2
python3 -c "import sqlite3,sys; v=sqlite3.connect('before.db').execute(\"select value from el_meta where key='pseudonym_key_fingerprint'\").fetchone(); assert v, 'no fingerprint recorded'"
[ ! -e "$T/nohome" ] || fail "HOME was touched"
echo ok
