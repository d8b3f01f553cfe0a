#!/bin/sh
# synth_truth.sh — the truth written beside a synthetic extract is right:
# python3 recomputes from the CSV alone (and the shipped IMD 2019 file) the
# DNA / wait / FDS figures by IMD quintile and ethnic group, checks they equal
# the truth's realised counts exactly and agree with the model's expected rates
# (|z| < 4.5), and checks the injected data-quality counts.
set -eu
for k in appointments waiting_list cancer_pathways; do
    "$EQUITYLENS" synth --kind $k --rows 60000 --seed 7 --out "$T/$k.csv" --data-dir "$ROOT/data" -q
done
python3 - "$ROOT/data/imd/iod2019_file1_imd_lsoa11.csv" "$T" <<'PY'
import csv, json, math, sys, datetime
imdf, T = sys.argv[1], sys.argv[2]
imd = {}
with open(imdf, encoding='utf-8-sig', newline='') as f:
    for r in csv.DictReader(f):
        imd[r['LSOA code (2011)']] = (int(r['Index of Multiple Deprivation (IMD) Decile']) + 1) // 2
GROUP = {}
for g, codes in {'White': 'ABC', 'Mixed': 'DEFG', 'Asian': 'HJKL', 'Black': 'MNP', 'Other': 'RS'}.items():
    for c in codes: GROUP[c] = g
GROUP.update({'Z': 'Not stated', '99': 'Not known', '': 'Not known'})
D = lambda s: datetime.date.fromisoformat(s)
fail = 0
def check(kind, nkey, evkey, ekey, rows):
    global fail
    t = json.load(open(f'{T}/{kind}.csv.truth.json'))
    for dim, key in (('by_imd_quintile', lambda r: str(imd[r['lsoa11']]) if r['lsoa11'] in imd else None),
                     ('by_ethnic_group', lambda r: GROUP[r['ethnic_category']])):
        n, ev = {}, {}
        for r, e in rows:
            k = key(r)
            if k is None: continue
            n[k] = n.get(k, 0) + 1; ev[k] = ev.get(k, 0) + e
        real = t['realised'][dim]
        for k in sorted(n):
            if real[k][nkey] != n[k] or real[k][evkey] != ev[k]:
                print(kind, dim, k, 'realised mismatch', real[k], n[k], ev[k]); fail = 1
            e = t['expected'][dim][k][ekey]
            z = (ev[k] / n[k] - e) / math.sqrt(e * (1 - e) / n[k])
            print(f'{kind:16s} {dim:16s} {k:10s} n={n[k]:6d} observed={ev[k]/n[k]:.4f} expected={e:.4f} z={z:+.2f}')
            if abs(z) > 4.5: fail = 1
    return t
rd = lambda k: list(csv.DictReader(open(f'{T}/{k}.csv', newline='')))
A = rd('appointments')
t = check('appointments', 'attended_or_dna', 'dna', 'dna_rate',
          [(r, r['attended_or_did_not_attend'] in ('3', '7')) for r in A if r['attended_or_did_not_attend'] in '3567'])
inj = t['injected']
blank = sum(1 for r in A if r['lsoa11'] == ''); bad = sum(1 for r in A if r['lsoa11'] and len(r['lsoa11']) != 9)
order = sum(1 for r in A if D(r['referral_request_received_date']) > D(r['appointment_date']))
future = sum(1 for r in A if D(r['appointment_date']) > D('2025-03-31'))
ids = {}
for r in A: ids[r['appointment_id']] = ids.get(r['appointment_id'], 0) + 1
dup = sum(c - 1 for c in ids.values())
got = (inj['lsoa_blank'], inj['lsoa_malformed'], inj['dates_out_of_order'], inj['date_in_future'], inj['duplicate_id'])
if got != (blank, bad, order, future, dup): print('appointments injected mismatch', got, (blank, bad, order, future, dup)); fail = 1
W = rd('waiting_list')
ok = [r for r in W if D(r['rtt_start_date']) <= D(r['census_date'])]
check('waiting_list', 'pathways', 'over_18_weeks', 'pct_over_18_weeks',
      [(r, (D(r['census_date']) - D(r['rtt_start_date'])).days > 126) for r in ok])
C = rd('cancer_pathways')
diag = [r for r in C if r['diagnosis_communicated_date'] and D(r['diagnosis_communicated_date']) >= D(r['referral_date'])]
check('cancer_pathways', 'diagnosed', 'fds_met', 'fds_rate',
      [(r, (D(r['diagnosis_communicated_date']) - D(r['referral_date'])).days <= 28) for r in diag])
sys.exit(fail)
PY
echo "synth truth ok"
