"""compare_dna.py — check that DNA-job result files agree EXACTLY (bench/run.sh).

usage: python3 bench/compare_dna.py REFERENCE.csv OTHER.csv [OTHER.csv ...]
Each file: lens,imd_quintile,ethnic_group,dna,appointments[,...]; lines
starting with '#' are skipped; groups with 0 appointments are ignored (the
peers do not list empty groups). Exit 1 on any difference."""
import csv
import sys


def load(path):
    out = {}
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(line for line in f if not line.startswith("#"))]
    head = rows[0]
    ix = {k: head.index(k) for k in ("lens", "imd_quintile", "ethnic_group", "dna", "appointments")}
    for r in rows[1:]:
        if not r:
            continue
        app = int(r[ix["appointments"]])
        if app == 0:
            continue
        key = (r[ix["lens"]], r[ix["imd_quintile"]], r[ix["ethnic_group"]])
        if key in out:
            raise SystemExit(f"{path}: duplicate group {key}")
        out[key] = (int(r[ix["dna"]]), app)
    return out


ref_path = sys.argv[1]
ref = load(ref_path)
bad = 0
for p in sys.argv[2:]:
    other = load(p)
    diff = sorted(k for k in set(ref) | set(other) if ref.get(k) != other.get(k))
    if diff:
        bad = 1
        print(f"DIFFER: {p} vs {ref_path}: {len(diff)} groups, e.g.")
        for k in diff[:5]:
            print(f"   {k}: {ref.get(k)} vs {other.get(k)}")
    else:
        print(f"equal: {p} ({len(other)} groups, exact dna and appointment counts)")
sys.exit(bad)
