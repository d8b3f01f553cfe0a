#!/usr/bin/env python3
"""compare.py — numeric comparison of `equitylens ci` output with the
PHEindicatormethods 2.1.0 expected values (owner: phe helper).

usage: compare.py OUT.csv EXPECTED.csv [options] outcol=expcol ...
  --rtol R          relative tolerance (default 1e-8)
  --atol A          absolute tolerance (default 0; for rounded expected values)
  --key OUT=EXP     match rows by key columns instead of by position
  --rows A:B        use expected rows A..B (1-based, inclusive)
  --where COL=VAL   use only expected rows where COL == VAL (repeatable)
  --skip-na-exp     ignore pairs whose expected value is NA
A pair compares as text when either side is not a number (e.g. method names).
NA must match NA. Exit status 1 on any mismatch, with every mismatch listed."""
import csv, math, sys

def num(s):
    try:
        v = float(s)
        return v if math.isfinite(v) else None
    except ValueError:
        return None

def main(argv):
    out, exp, *rest = argv
    rtol, atol, key, rows, where, skipna, pairs = 1e-8, 0.0, None, None, [], False, []
    it = iter(rest)
    for a in it:
        if a == '--rtol': rtol = float(next(it))
        elif a == '--atol': atol = float(next(it))
        elif a == '--key': key = next(it).split('=')
        elif a == '--rows': x, y = next(it).split(':'); rows = (int(x), int(y))
        elif a == '--where': where.append(next(it).split('=', 1))
        elif a == '--skip-na-exp': skipna = True
        else: pairs.append(a.split('=', 1) if '=' in a else (a, a))
    O = list(csv.DictReader(open(out, newline='')))
    E = list(csv.DictReader(open(exp, newline='')))
    if rows: E = E[rows[0] - 1:rows[1]]
    for c, v in where: E = [r for r in E if r[c] == v]
    if key:
        idx = {r[key[0]]: r for r in O}
        matched = [(idx.get(e[key[1]]), e) for e in E]
    else:
        if len(O) != len(E):
            print(f'row count differs: output {len(O)}, expected {len(E)}'); return 1
        matched = list(zip(O, E))
    bad = checked = 0
    for i, (o, e) in enumerate(matched, 1):
        if o is None:
            print(f'expected row {i}: key {e[key[1]]} missing from output'); bad += 1; continue
        for oc, ec in pairs:
            if oc not in o: print(f'output has no column {oc}'); return 1
            a, b = o[oc], e[ec]
            if b == 'NA' and skipna: continue
            checked += 1
            if b == 'NA' or a == 'NA':
                if a != b: print(f'row {i} {oc}: got {a}, expected {b}'); bad += 1
                continue
            x, y = num(a), num(b)
            if x is None or y is None:
                if a != b: print(f'row {i} {oc}: got {a!r}, expected {b!r}'); bad += 1
                continue
            if abs(x - y) > max(rtol * max(abs(x), abs(y)), atol):
                print(f'row {i} {oc}: got {x!r}, expected {y!r} (diff {abs(x-y):.3g})'); bad += 1
    print(f'{out} vs {exp}: {checked} values checked, {bad} mismatches')
    return 1 if bad or not checked else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
