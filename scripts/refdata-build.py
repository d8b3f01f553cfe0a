#!/usr/bin/env python3
"""refdata-build.py — rebuild data/ (the shipped reference data) from the
project's shared reference-data collection (owner: refdata).

usage: python3 scripts/refdata-build.py SHARED_DATA_DIR OUT_DATA_DIR

Every output value is copied from the source unchanged. The only changes are:
columns the product does not use are dropped, two long census tables are
pivoted to one row per LSOA (one column per category, the column header being
the source category text verbatim), and the mid-2020 single-year-of-age
estimates are summed into 5-year bands (0-4 ... 85-89, 90+). Each step checks
its own totals against the source and stops on any difference.
Provenance of every file: data/README.md.
"""
import csv, os, shutil, sys

src, out = sys.argv[1], sys.argv[2]

def rd(path):
    with open(os.path.join(src, path), newline='', encoding='utf-8-sig') as f:
        return list(csv.DictReader(f))

def wr(path, header, rows):
    p = os.path.join(out, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {path}: {len(rows)} rows")

def copy(path):
    p = os.path.join(out, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    shutil.copyfile(os.path.join(src, path), p)
    print(f"copied {path}")

def trim(path, cols, newpath=None):
    rows = rd(path)
    wr(newpath or path, cols, [[r[c] for c in cols] for r in rows])

# byte copies
copy('imd/iod2019_file1_imd_lsoa11.csv')
copy('lookups/lsoa11_lsoa21_lad22_ew.csv')
copy('lookups/sicbl22_icb22_nhser22_en.csv')
copy('lookups/ods_etr_nhs_trusts.csv')
for f in sorted(os.listdir(os.path.join(src, 'codes'))):
    copy('codes/' + f)

# column trims (values unchanged)
trim('imd/iod2025_imd_domains_lsoa21.csv', ['lsoa21_code', 'IMD_decile', 'IMD_rank', 'IMD_score'],
     'imd/iod2025_imd_lsoa21.csv')
trim('lookups/lsoa11_sicbl22_icb22_lad22_en.csv',
     ['lsoa11_code', 'sicbl22_code', 'sicbl22_code_h', 'sicbl22_name', 'icb22_code', 'icb22_code_h',
      'icb22_name', 'ltla22_code', 'ltla22_name'])
trim('lookups/lsoa21_sicbl24_icb24_en.csv',
     ['lsoa21_code', 'sicbl24_code', 'sicbl24_code_nhs', 'sicbl24_name', 'icb24_code', 'icb24_code_nhs',
      'icb24_name'])
trim('lookups/lsoa21_ward24_lad24_ew.csv', ['lsoa21_code', 'ltla24_code', 'ltla24_name'],
     'lookups/lsoa21_lad24_ew.csv')

# pivots (values unchanged)
def pivot(path, newpath, catcol, valcol, extra=None):
    rows = rd(path)
    cats, by, order, ext = [], {}, [], {}
    for r in rows:
        c = r[catcol]
        if c not in cats:
            cats.append(c)
        k = r['lsoa21_code']
        if k not in by:
            by[k] = {}
            order.append(k)
            if extra:
                ext[k] = r[extra]
        elif extra and ext[k] != r[extra]:
            sys.exit(f"{path}: {extra} differs within {k}")
        if c in by[k]:
            sys.exit(f"{path}: duplicate {k} {c}")
        by[k][c] = r[valcol]
    head = ['lsoa21_code'] + ([extra] if extra else []) + cats
    outrows = [[k] + ([ext[k]] if extra else []) + [by[k][c] for c in cats] for k in order]
    if sum(int(r[valcol]) for r in rows) != sum(int(v) for r in outrows for v in r[len(head) - len(cats):]):
        sys.exit(f"{path}: totals differ after pivot")
    wr(newpath, head, outrows)

pivot('population/census2021_lsoa21_age6_usual_residents.csv',
      'population/census2021_lsoa21_age6.csv', 'age_group', 'usual_residents')
pivot('population/census2021_ts021_lsoa21_ethnic_group_broad.csv',
      'population/census2021_lsoa21_ethnic_group_broad.csv', 'ethnic_group', 'n', 'total_residents')

# mid-2020 single year of age → 5-year bands (sums of the published single years)
rows = rd('population/mid2020_lsoa11_persons_single_year_of_age.csv')
bands = [(a, a + 4) for a in range(0, 90, 5)]
head = ['lsoa11_code', 'total_population'] + [f'{a}-{b}' for a, b in bands] + ['90+']
outrows = []
for r in rows:
    vals = [sum(int(r[str(y)]) for y in range(a, b + 1)) for a, b in bands] + [int(r['90+'])]
    if sum(vals) != int(r['total_population']):
        sys.exit(f"mid2020: bands do not add up to total for {r['lsoa11_code']}")
    outrows.append([r['lsoa11_code'], r['total_population']] + vals)
wr('population/mid2020_lsoa11_persons_age5.csv', head, outrows)
