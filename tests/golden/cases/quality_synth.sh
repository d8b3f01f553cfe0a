#!/bin/sh
# quality_synth.sh — the data-quality report of a synthetic appointments
# extract agrees with figures python3 computes independently from the raw CSV
# (and the shipped IMD 2019 file): ethnic category and gender completeness,
# LSOA match, appointment-before-referral and future dates, duplicated
# appointment ids; overall and by provider. Disclosure control off so the
# exact figures can be compared.
set -eu
"$EQUITYLENS" synth --kind appointments --rows 8000 --seed 11 --out a.csv --data-dir "$ROOT/data" -q
"$EQUITYLENS" quality --input a.csv --kind appointments --today 2025-04-30 --data-dir "$ROOT/data" \
    --disclosure suppress=off,round=1 --format csv > q.csv
python3 - "$ROOT/data/imd/iod2019_file1_imd_lsoa11.csv" <<'PY'
import csv, sys, datetime
imd = set()
with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:
    for r in csv.DictReader(f): imd.add(r['LSOA code (2011)'])
A = list(csv.DictReader(open('a.csv', newline='')))
Q = {(r['by'], r['group'], r['section'], r['item'], r['measure']): r['value'] for r in csv.DictReader(open('q.csv', newline=''))}
D = datetime.date.fromisoformat
today = D('2025-04-30')
ids = {}
for r in A: ids[r['appointment_id']] = ids.get(r['appointment_id'], 0) + 1
def expect(rows):
    n = len(rows)
    pct = lambda k: '%.1f' % (100.0 * k / n)
    e = {}
    eth = [r['ethnic_category'] for r in rows]
    e[('field', 'ethnic_category', 'valid_n')] = sum(c in list('ABCDEFGHJKLMNPRS') for c in eth)
    e[('field', 'ethnic_category', 'not_stated_n')] = sum(c == 'Z' for c in eth)
    e[('field', 'ethnic_category', 'not_known_n')] = sum(c in ('99', '') for c in eth)
    e[('field', 'person_stated_gender_code', 'not_known_n')] = sum(r['person_stated_gender_code'] == 'X' for r in rows)
    e[('lsoa', 'lsoa', 'matched_n')] = sum(r['lsoa11'] in imd for r in rows)
    e[('lsoa', 'lsoa', 'blank_n')] = sum(r['lsoa11'] == '' for r in rows)
    e[('lsoa', 'lsoa', 'malformed_n')] = sum(r['lsoa11'] != '' and len(r['lsoa11']) != 9 for r in rows)
    e[('date', 'appointment_before_referral', 'failing_n')] = sum(D(r['appointment_date']) < D(r['referral_request_received_date']) for r in rows)
    e[('date', 'date_after_today', 'failing_n')] = sum(D(r['appointment_date']) > today or D(r['referral_request_received_date']) > today for r in rows)
    e[('duplicates', 'appointment_id', 'rows_n')] = sum(ids[r['appointment_id']] > 1 for r in rows)
    e[('rows', '', 'rows_n')] = n
    out = {k: str(v) for k, v in e.items()}
    for k, v in e.items():
        if k[2].endswith('_n') and k[0] != 'rows' and k[0] != 'date':
            out[(k[0], k[1], k[2][:-2] + '_pct')] = pct(v)
    return out
groups = [('overall', 'all', A)] + [('provider_code', p, [r for r in A if r['provider_code'] == p])
                                     for p in sorted({r['provider_code'] for r in A})]
bad = 0
for by, key, rows in groups:
    for (sec, item, meas), v in sorted(expect(rows).items()):
        got = Q.get((by, key, sec, item, meas))
        if got != v:
            # percentages: allow a last-digit difference from rounding ties
            if meas.endswith('_pct') and got is not None and abs(float(got) - float(v)) <= 0.1 + 1e-9:
                continue
            print('MISMATCH', by, key, sec, item, meas, 'equitylens', got, 'python', v); bad = 1
    print(by, key, len(rows), 'rows checked')
sys.exit(bad)
PY
echo "quality synth ok"
