#!/bin/sh
# import_chunks.sh — the streaming import's chunk size changes nothing that
# is stored: the same extract imported with --chunk-rows 1, 97 and the
# default gives, decoded straight from each SQLite file with Python
# (tests/golden/data/import/elstore.py), the same value in every field of
# every row (text through the segments' dictionaries), the same summary and
# the same data-quality report; bad --chunk-rows values are usage errors.
set -eu
export EQUITYLENS_KEY_FILE="$T/key"
"$EQUITYLENS" synth --kind waiting_list --rows 2500 --seed 11 --lsoa21 --out wl.csv --data-dir "$ROOT/data" -q
for c in 1 97 default; do
    opt=""
    [ "$c" = default ] || opt="--chunk-rows $c"
    set +e
    # shellcheck disable=SC2086
    "$EQUITYLENS" import wl.csv --kind waiting_list --db "c$c.db" --data-dir "$ROOT/data" $opt > "c$c.out" 2>&1
    rc=$?
    set -e
    [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || { cat "c$c.out"; echo "FAIL: import --chunk-rows $c exit $rc"; exit 1; }
    sed "s/c$c\.db/STORE/" "c$c.out" > "c$c.sum"
    "$EQUITYLENS" quality --db "c$c.db" --format json > "c$c.q.json"
done
cmp c1.sum cdefault.sum
cmp c97.sum cdefault.sum
cmp c1.q.json cdefault.q.json
cmp c97.q.json cdefault.q.json
python3 - <<'PY'
import os, sqlite3, sys
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'golden', 'data', 'import'))
import elstore
NA = -2**31
def decoded(db):
    con = sqlite3.connect(db)
    fields = dict(con.execute("SELECT field, has FROM dataset_fields WHERE dataset_id = 1"))
    out = {}
    for f in fields:
        col, dct = elstore.column(con, 1, f), elstore.dictionary(con, 1, f)
        out[f] = (fields[f], [None if v == NA else (dct[v] if dct else v) for v in col])
    segs = con.execute("SELECT count(DISTINCT segment) FROM dataset_segments WHERE dataset_id = 1").fetchone()[0]
    return out, segs
d1, s1 = decoded('c1.db')
d97, s97 = decoded('c97.db')
dd, sd = decoded('cdefault.db')
rows = len(dd['pathway_id'][1])
assert rows > 2000, rows
assert (s1, s97, sd) == (rows, -(-rows // 97), 1), (s1, s97, sd, rows)
assert d1 == dd, "chunk 1 differs"
assert d97 == dd, "chunk 97 differs"
print(f"{rows} rows, {len(dd)} fields identical with 1-row, 97-row and one chunk")
PY
for bad in 0 -5 16777217 x; do
    set +e; "$EQUITYLENS" import wl.csv --kind waiting_list --db bad.db --chunk-rows "$bad" > bad.out 2>&1; rc=$?; set -e
    [ "$rc" -eq 2 ] || { cat bad.out; echo "FAIL: --chunk-rows $bad exit $rc"; exit 1; }
    grep -q "chunk-rows must be" bad.out
done
echo ok
