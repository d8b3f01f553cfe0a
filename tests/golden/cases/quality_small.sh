#!/bin/sh
# quality_small.sh — data-quality report of a small hand-made waiting list
# (tests/golden/data/quality/waiting_list_small.csv; every expected figure was
# checked by hand against the rows, see the comments in docs/quality.md):
#  1. text with disclosure control off equals the committed expected report;
#  2. JSON and CSV carry the same numbers as the text (python3 cross-check);
#  3. with the default policy no count 1-7 appears and shown counts are
#     multiples of 5; suppressed values are null with "suppressed" set;
#  4. the store path (import, then quality --db) gives the same CSV.
set -eu
D="$ROOT/tests/golden/data/quality"
cp "$D/waiting_list_small.csv" .
OFF="--disclosure suppress=off,round=1"
Q="$EQUITYLENS quality --input waiting_list_small.csv --kind waiting_list --today 2025-04-01 --data-dir $ROOT/data"
$Q $OFF > report.txt
diff -u "$D/waiting_list_small.expected.txt" report.txt
$Q $OFF --format json > report.json
$Q $OFF --format csv > report.csv
$Q --format json > default.json
python3 - <<'PY'
import csv, json
j = json.load(open('report.json'))
assert j['schema'] == 'equitylens.quality/1'
rows = list(csv.DictReader(open('report.csv', newline='')))
idx = {(r['by'], r['group'], r['section'], r['item'], r['measure']): r['value'] for r in rows}
n = 0
for g in j['groups']:
    for f in g['fields']:
        for c in ('valid', 'not_stated', 'not_known', 'invalid'):
            assert idx[(g['by'], g['key'], 'field', f['field'], c + '_n')] == str(f[c]['n'])
            assert idx[(g['by'], g['key'], 'field', f['field'], c + '_pct')] == '%.1f' % f[c]['pct']
            n += 1
    for d in g['dates']:
        assert idx[(g['by'], g['key'], 'date', d['check'], 'failing_n')] == str(d['failing']['n'])
    assert idx[(g['by'], g['key'], 'lsoa', 'lsoa', 'match_rate_pct')] == '%.1f' % g['lsoa']['match_rate_pct']
o = j['groups'][0]
assert o['key'] == 'all' and o['rows']['n'] == 8
assert o['lsoa']['matched']['n'] == 4 and o['lsoa']['wales']['n'] == 1 and o['lsoa']['not_found']['n'] == 1
assert abs(o['lsoa']['match_rate_pct'] - 57.1) < 1e-9
assert o['duplicates']['rows']['n'] == 2
print('csv/json agree on', n, 'field cells')
d = json.load(open('default.json'))
def walk(x, path=''):
    if isinstance(x, dict):
        if 'suppressed' in x and 'n' in x:
            if x['suppressed'] is None:
                assert x['n'] == 0 or (x['n'] >= 8 and x['n'] % 5 == 0), (path, x)
            else:
                assert x['n'] is None and x.get('pct') is None, (path, x)
        for k, v in x.items(): walk(v, path + '/' + k)
    elif isinstance(x, list):
        for i, v in enumerate(x): walk(v, path + '/' + str(i))
walk(d)
assert d['groups'][0]['lsoa']['matched']['suppressed'] == 'primary'
print('default policy: no small counts published')
PY
export EQUITYLENS_KEY_FILE="$T/key"
set +e
"$EQUITYLENS" import waiting_list_small.csv --kind waiting_list --db el.db --data-dir "$ROOT/data" > imp.txt 2>&1
rc=$?
set -e
[ $rc -eq 0 ] || { cat imp.txt; echo "import exit $rc"; exit 1; }
"$EQUITYLENS" quality --db el.db --today 2025-04-01 $OFF --format csv > store.csv
cmp report.csv store.csv
# no store: an error, and no empty store is created
set +e
"$EQUITYLENS" quality --db missing.db > /dev/null 2> miss.txt; rc=$?
set -e
[ $rc -eq 1 ] && [ ! -e missing.db ] && grep -q "no store there" miss.txt
# a header-only extract: 0 rows, percentages not computable ("-"), exit 0
head -1 waiting_list_small.csv > empty.csv
"$EQUITYLENS" quality --input empty.csv --kind waiting_list --today 2025-04-01 --data-dir "$ROOT/data" > empty.txt
grep -q "^rows: 0;" empty.txt && grep -q "^patient_id  *- *- *- *-$" empty.txt
# --by keeps only the groups asked for
$Q $OFF --by treatment_function_code | grep "^== " > by.txt
[ "$(wc -l < by.txt)" -eq 4 ] && ! grep -q "overall\|provider_code" by.txt
echo "quality small ok"
