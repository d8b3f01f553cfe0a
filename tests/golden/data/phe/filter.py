#!/usr/bin/env python3
"""filter.py — copy a CSV keeping rows that match every COL=VAL (or COL<NUM)
condition, and optionally only rows A:B (1-based). Used by the phe golden
tests to cut anchor files into per-case inputs. (owner: phe helper)
usage: filter.py IN.csv [--rows A:B] [COL=VAL | COL<NUM] ... > OUT.csv"""
import csv, sys
args = sys.argv[1:]
src = args.pop(0)
rows = None
if args[:1] == ['--rows']:
    a, b = args[1].split(':'); rows = (int(a), int(b)); args = args[2:]
R = list(csv.DictReader(open(src, newline='')))
hdr = list(R[0].keys()) if R else []
if rows: R = R[rows[0] - 1:rows[1]]
for c in args:
    if '<' in c and ('=' not in c or c.index('<') < c.index('=')):
        k, v = c.split('<', 1); R = [r for r in R if r[k] != 'NA' and float(r[k]) < float(v)]
    else:
        k, v = c.split('=', 1); R = [r for r in R if r[k] == v]
w = csv.DictWriter(sys.stdout, fieldnames=hdr, lineterminator='\n')
w.writeheader()
for r in R: w.writerow(r)
