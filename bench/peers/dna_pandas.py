"""dna_pandas.py — the DNA job in pandas, for bench/run.sh.

usage: python3 bench/peers/dna_pandas.py APPOINTMENTS.csv IMD.csv OUT.csv
Same definitions as docs/dna-job.md ("Exact definition")."""
import sys

import pandas as pd

file, imd_path, out = sys.argv[1:4]
T = " \t\r"
imd = pd.read_csv(imd_path, usecols=[0, 5], dtype=str, keep_default_na=False, encoding="utf-8-sig")
imd.columns = ["lsoa", "decile"]
lookup = dict(zip(imd["lsoa"], imd["decile"].astype(int)))
d = pd.read_csv(file, usecols=["attended_or_did_not_attend", "ethnic_category", "lsoa11"],
                dtype=str, keep_default_na=False, na_filter=False)
att = d["attended_or_did_not_attend"].str.strip(T)
keep = att.isin(["5", "6", "3", "7"])
d = d[keep]
att = att[keep]
eth = d["ethnic_category"].str.strip(T)
lsoa = d["lsoa11"].str.strip(T)
groups = {"A": "white", "B": "white", "C": "white", "D": "mixed", "E": "mixed", "F": "mixed", "G": "mixed",
          "H": "asian", "J": "asian", "K": "asian", "L": "asian", "M": "black", "N": "black", "P": "black",
          "R": "other", "S": "other", "Z": "not_stated", "99": "not_known", "": "not_known"}
g = eth.map(groups).fillna("invalid")
dec = lsoa.map(lookup)
q = ((dec + 1) // 2).astype("Int64").astype(str).where(dec.notna(), "unknown")
x = pd.DataFrame({"q": q.values, "g": g.values, "dna": att.isin(["3", "7"]).astype("int64").values})
cross = x.groupby(["q", "g"]).agg(dna=("dna", "sum"), appointments=("dna", "size")).reset_index()
rows = [("imd_quintile_x_ethnic_group", r.q, r.g, r.dna, r.appointments) for r in cross.itertuples()]
for lens, key in (("imd_quintile", "q"), ("ethnic_group", "g")):
    m = cross.groupby(key)[["dna", "appointments"]].sum().reset_index()
    for r in m.itertuples():
        k = getattr(r, key)
        rows.append((lens, k if key == "q" else "all", k if key == "g" else "all", r.dna, r.appointments))
rows.append(("total", "all", "all", int(cross["dna"].sum()), int(cross["appointments"].sum())))
rows.sort()
with open(out, "w") as f:
    f.write("lens,imd_quintile,ethnic_group,dna,appointments\n")
    for r in rows:
        f.write(",".join(str(v) for v in r) + "\n")
