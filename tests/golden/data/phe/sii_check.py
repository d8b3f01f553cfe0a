#!/usr/bin/env python3
"""sii_check.py — run `equitylens ci --method sii` on each test block of
sii__SII_test_data.csv (PHEindicatormethods 2.1.0 testSII.R) and compare:
SII, RII and intercept to 1e-8 (deterministic), simulated limits within 5%
(the reference's own tolerance). (owner: phe helper)
usage: sii_check.py EQUITYLENS DATA_DIR"""
import csv, io, subprocess, sys

E, D = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f'{D}/sii__SII_test_data.csv', newline='')))
hdr = list(rows[0].keys())

# (first row, last row, options, column suffixes compared: (ours, theirs))
CASES = [
    (1, 20, ['--value-type', '0', '--se', 'StandardError'], 'se'),
    (1, 20, ['--value-type', '0'], 'cl'),
    (21, 40, ['--value-type', '0', '--confidence', '0.99'], 'cl'),
    (21, 40, ['--value-type', '0', '--confidence', '99', '--se', 'StandardError'], 'se'),
    (41, 60, ['--value-type', '0', '--se', 'StandardError', '--reps', '100000'], 'se'),
    (61, 70, ['--value-type', '0', '--se', 'StandardError'], 'se'),
    (71, 90, ['--value-type', '1', '--se', 'StandardError'], 'se'),
    (71, 90, ['--value-type', '1'], 'cl'),
    (91, 110, ['--value-type', '2', '--se', 'StandardError'], 'se'),
    (91, 110, ['--value-type', '2'], 'cl'),
    (91, 110, ['--value-type', '2', '--value', 'nonexistent', '--count', 'Count'], 'count'),
    (111, 130, ['--value-type', '2', '--multiplier', '100'], 'cl'),
    (131, 150, ['--value-type', '2', '--multiplier', '-100'], 'cl'),
    (226, 245, ['--value-type', '0', '--se', 'StandardError', '--confidence', '95,99'], 'se'),
    (246, 265, ['--value-type', '0'], 'cl'),
    (266, 285, ['--value-type', '1'], 'cl'),
    (286, 305, ['--value-type', '1'], 'cl'),   # the reference's own test uses type 1 here
]

def block_csv(a, b, drop_value=False, drop_se=False):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=hdr, lineterminator='\n')
    w.writeheader()
    for r in rows[a - 1:b]:
        r = dict(r)
        if drop_se: r['StandardError'] = 'NA'
        if drop_value: r['Value'] = 'NA'
        w.writerow(r)
    return buf.getvalue()

def run(a, b, opts, mode):
    opts = list(opts)
    if '--value' in opts:   # proportions from Count/Population only
        i = opts.index('--value'); del opts[i:i + 2]
    data = block_csv(a, b, drop_value=(mode == 'count'), drop_se=(mode != 'se'))
    args = [E, 'ci', '--method', 'sii', '--group-by', 'Area', '--reps', '10000', '--seed', '42'] + opts + ['-']
    p = subprocess.run(args, input=data, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f'rows {a}-{b} {opts}: exit {p.returncode}: {p.stderr}')
    return {r['Area']: r for r in csv.DictReader(io.StringIO(p.stdout))}

def close(x, y, rtol):
    return abs(x - y) <= rtol * max(abs(x), abs(y))

bad = checked = 0
for a, b, opts, mode in CASES:
    out = run(a, b, opts, mode)
    confs = opts[opts.index('--confidence') + 1].split(',') if '--confidence' in opts else ['95']
    labs = []
    for c in confs:
        v = float(c); v = v * 100 if v <= 1 else v
        labs.append(f'{v:.2f}'.rstrip('0').replace('.', '_') + ('0' if f'{v:.2f}'.rstrip('0').endswith('.') else ''))
    for e in rows[a - 1:b]:
        if e['sii'] == 'NA': continue
        o = out.get(e['Area'])
        if o is None: print(f'rows {a}-{b}: area {e["Area"]} missing'); bad += 1; continue
        pairs = [('sii', 'sii', 1e-8), ('rii', 'rii', 1e-8)]
        if e['Intercept'] != 'NA': pairs.append(('intercept', 'Intercept', 1e-8))
        for k, lab in enumerate(labs, 1):
            for q in ('sii', 'rii'):
                pairs += [(f'{q}_lower{lab}cl', f'{q}_lowercl_{k}', 0.05), (f'{q}_upper{lab}cl', f'{q}_uppercl_{k}', 0.05)]
        for oc, ec, tol in pairs:
            if e[ec] == 'NA': continue
            checked += 1
            if oc not in o: print(f'rows {a}-{b}: no output column {oc}'); bad += 1; continue
            if not close(float(o[oc]), float(e[ec]), tol):
                print(f'rows {a}-{b} {e["Area"]} {opts}: {oc} = {o[oc]}, expected {e[ec]} (tol {tol})'); bad += 1
print(f'sii: {checked} values checked, {bad} mismatches')
sys.exit(1 if bad or checked < 100 else 0)
