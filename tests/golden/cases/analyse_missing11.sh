#!/bin/sh
# analyse: "who is missing" on a dataset with LSOA 2011 codes only (no lsoa21
# column): catchment = the 15 Hull LSOA 2011s the rows come from (including
# split and merged LSOAs). Checked against an independent Python computation
# from the shipped data files: mid-2020 LSOA 2011 populations in five-year
# bands, IMD 2019 quintiles, indirect age standardisation, census 2021 ethnic
# groups on the LSOA 2021 parts (ONS lookup), Byar / exact Poisson limits,
# and the disclosure rules (observed counts rounded or suppressed; rates and
# ratios computed from the rounded counts; no exact totals in the notes).
set -eu
D="$ROOT/tests/golden/data/analysis"
export EQUITYLENS_DATA="$ROOT/data"
"$EQUITYLENS" analyse --input "$D/missing11_appointments.csv" --kind appointments --lens imd_quintile \
    --no-trends --format json --out m.json 2>err.txt
"$EQUITYLENS" analyse --input "$D/missing11_appointments.csv" --kind appointments --lens imd_quintile \
    --no-trends > m.txt 2>/dev/null
grep -q "^Who is missing: activity vs catchment population (15 LSOA 2011s" m.txt
grep -q "^  ethnic_group_census" m.txt
# catchment = a local authority (Hull): every LSOA 2011 in it
"$EQUITYLENS" analyse --input "$D/missing11_appointments.csv" --kind appointments --lens imd_quintile \
    --no-trends --catchment-la E06000010 --format json --out la.json 2>/dev/null
# --no-missing: no table
"$EQUITYLENS" analyse --input "$D/missing11_appointments.csv" --kind appointments --lens imd_quintile \
    --no-trends --no-missing --format json --out n.json 2>/dev/null
python3 - "$D/missing11_appointments.csv" "$ROOT/data" <<'PY'
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
data = sys.argv[2]
assert json.load(open("n.json"))["missing"] is None
pop = {}
for r in csv.DictReader(open(data + "/population/mid2020_lsoa11_persons_age5.csv", encoding="utf-8-sig")):
    pop[r["lsoa11_code"]] = [int(v) for v in list(r.values())[2:]]
imd = {}
with open(data + "/imd/iod2019_file1_imd_lsoa11.csv", encoding="utf-8-sig") as f:
    for r in csv.reader(f):
        if r[0].startswith("E01"): imd[r[0]] = int(r[5])
to21, to11 = {}, {}
for r in csv.DictReader(open(data + "/lookups/lsoa11_lsoa21_lad22_ew.csv", encoding="utf-8-sig")):
    to21.setdefault(r["lsoa11_code"], set()).add(r["lsoa21_code"])
    to11.setdefault(r["lsoa21_code"], set()).add(r["lsoa11_code"])
eth21 = {}
with open(data + "/population/census2021_lsoa21_ethnic_group_broad.csv", encoding="utf-8-sig") as f:
    rd = csv.reader(f); h = next(rd)
    col = {"Asian": 2, "Black": 3, "Mixed": 4, "White": 5, "Other": 6}
    assert h[2].startswith("Asian") and h[3].startswith("Black") and h[4].startswith("Mixed") and h[5] == "White" and h[6].startswith("Other")
    for r in rd: eth21[r[0]] = {k: int(r[i]) for k, i in col.items()}

catch = sorted({r["lsoa11"] for r in rows if r["lsoa11"] in pop})
assert len(catch) == 15
Q = lambda c: (imd[c] + 1) // 2
band = lambda a: min(a // 5, 18)
obs = [r for r in rows if r["lsoa11"] in pop]
popb = [sum(pop[c][k] for c in catch) for k in range(19)]
ob = [sum(1 for r in obs if band(int(r["age"])) == k) for k in range(19)]
z = 1.959963984540054
def pcdf(k, mu):
    s = t = math.exp(-mu)
    for i in range(1, k + 1): t *= mu / i; s += t
    return s
def bis(f, lo, hi):
    for _ in range(200):
        m = (lo + hi) / 2
        if f(m): hi = m
        else: lo = m
    return (lo + hi) / 2
def limits(o):
    if o < 10:   # exact (Garwood)
        lo = 0.0 if o == 0 else bis(lambda m: 1 - pcdf(o - 1, m) > 0.025, 0, 100)
        hi = bis(lambda m: pcdf(o, m) < 0.025, 0, 100)
        return lo, hi
    return (o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3,
            (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3)
def shown(o):    # disclosure: 1-7 suppressed, else nearest 5
    return None if 1 <= o <= 7 else 5 * round(o / 5)
def close(a, b, rel=2e-3, ab=2e-3):
    return a is not None and abs(a - b) <= ab + rel * abs(b)
def check(table, want):
    got = {g["key"]: g for g in table["groups"]}
    assert sorted(got) == sorted(want), (table["lens"], sorted(got))
    for k, (o, p, e) in want.items():
        g = got[k]
        assert g["population"] == p, (table["lens"], k, g["population"], p)
        assert g["observed"] == shown(o), (table["lens"], k, g["observed"], o)
        if g["observed"] is None: continue
        assert close(g["expected"], e, 1e-3, 0.06), (table["lens"], k, g["expected"], e)
        # rates, ratios and limits come from the published (rounded) count:
        # from the exact one their decimals would give it back
        o = shown(o)
        r = g["rate_per_1000"]
        lo, hi = limits(o)
        assert close(r["value"], 1000 * o / p), (k, r, o, p)
        assert close(r["lower"], 1000 * lo / p) and close(r["upper"], 1000 * hi / p), (k, r, lo, hi)
        x = g["ratio"]
        assert close(x["value"], o / e) and close(x["lower"], lo / e) and close(x["upper"], hi / e), (k, x, o, e, lo, hi)
        assert x["method"] == ("exact-poisson" if o < 10 else "byar"), x
m = json.load(open("m.json"))["missing"]
assert m["catchment"] == {"by": "lsoa", "lsoa_vintage": 2011, "lsoas": 15, "population": sum(popb)}, m["catchment"]
T = {t["lens"]: t for t in m["tables"]}
assert sorted(T) == ["age_group_census", "ethnic_group_census", "imd_quintile"], sorted(T)
# IMD quintile, indirectly standardised: expected = sum over bands of the
# catchment's band rate x the quintile's band population
want = {}
for q in range(1, 6):
    pq = [sum(pop[c][k] for c in catch if Q(c) == q) for k in range(19)]
    e = sum(ob[k] / popb[k] * pq[k] for k in range(19) if popb[k])
    want[str(q)] = (sum(1 for r in obs if Q(r["lsoa11"]) == q), sum(pq), e)
assert abs(sum(w[2] for w in want.values()) - len(obs)) < 1e-6
check(T["imd_quintile"], want)
# age groups, crude
groups = {"0-14": range(0, 3), "15-24": range(3, 5), "25-34": range(5, 7), "35-49": range(7, 10),
          "50-64": range(10, 13), "65+": range(13, 19)}
tot = sum(popb)
check(T["age_group_census"], {g: (sum(ob[k] for k in ks), sum(popb[k] for k in ks),
                                  len(obs) / tot * sum(popb[k] for k in ks)) for g, ks in groups.items()})
# ethnic group: census 2021 on the LSOA 2021s the catchment maps to, crude
parts = sorted(set().union(*(to21[c] for c in catch)))
assert len(parts) == 16, parts
pe = {k: sum(eth21[p][k] for p in parts) for k in ("White", "Mixed", "Asian", "Black", "Other")}
cg = {"White": "ABC", "Mixed": "DEFG", "Asian": "HJKLR", "Black": "MNP", "Other": "S"}
oe = {k: sum(1 for r in obs if len(r["ethnic_category"]) == 1 and r["ethnic_category"] in v) for k, v in cg.items()}
ot, pt = sum(oe.values()), sum(pe.values())
check(T["ethnic_group_census"], {k: (oe[k], pe[k], ot / pt * pe[k]) for k in pe})
outside = [p for p in parts if not to11[p] <= set(catch)]
notes = " ".join(m["notes"])
assert "%d of those LSOA 2021s" % len(outside) in notes and len(outside) == 1, (outside, notes)
assert "16 LSOA 2021s that the catchment's 15 LSOA 2011s" in notes
# no exact activity totals in the notes (with them, a suppressed group
# would follow by subtraction)
import re
unknown = len(obs) - ot
for num in re.findall(r"\d+", notes):
    assert int(num) not in (len(obs), unknown, len(rows)), ("exact total in a note", num, notes)
# LA catchment: all 166 LSOA 2011s of Hull (ONS LSOA 2011 -> LAD 2022 lookup)
hull = sorted(r["lsoa11_code"] for r in csv.DictReader(open(data + "/lookups/lsoa11_sicbl22_icb22_lad22_en.csv",
              encoding="utf-8-sig")) if r["ltla22_code"] == "E06000010" and r["lsoa11_code"] in pop)
L = json.load(open("la.json"))["missing"]
assert L["catchment"] == {"by": "la", "lsoa_vintage": 2011, "lsoas": len(hull),
                          "population": sum(sum(pop[c]) for c in hull)}, (L["catchment"], len(hull))
TL = {t["lens"]: t for t in L["tables"]}
for q in range(1, 6):
    g = [x for x in TL["imd_quintile"]["groups"] if x["key"] == str(q)][0]
    assert g["population"] == sum(sum(pop[c]) for c in hull if Q(c) == q), (q, g)
print("who is missing (LSOA 2011): ok")
PY
