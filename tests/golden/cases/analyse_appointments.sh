#!/bin/sh
# analyse: DNA rates by ethnic group and IMD quintile from a CSV extract,
# checked against an independent Python computation (Wilson intervals, IMD
# 2019 lookup), plus the disclosure-control properties of every output and
# byte-stable JSON.
set -eu
D="$ROOT/tests/golden/data/analysis"
export EQUITYLENS_DATA="$ROOT/data"
"$EQUITYLENS" analyse --help | grep -q -- "--disclosure SPEC"
if "$EQUITYLENS" analyse --bogus 2>/dev/null; then echo "bad option accepted"; exit 1; fi
set +e; "$EQUITYLENS" analyse --input "$D/appointments.csv" 2>/dev/null; rc=$?; set -e
[ "$rc" -eq 2 ] || { echo "--input without --kind: exit $rc, want 2"; exit 1; }
"$EQUITYLENS" analyse --input "$D/appointments.csv" --kind appointments --lens ethnic_group \
    --lens imd_quintile --cross imd_quintile,ethnic_group --lens sex --format json --out a.json 2>err.txt
"$EQUITYLENS" analyse --input "$D/appointments.csv" --kind appointments --lens ethnic_group \
    --lens imd_quintile --cross imd_quintile,ethnic_group --lens sex --format json --out b.json 2>/dev/null
cmp a.json b.json
"$EQUITYLENS" analyse --input "$D/appointments.csv" --kind appointments --lens ethnic_group > a.txt 2>/dev/null
head -2 a.txt | grep -q "^Disclosure control: counts 1–7 shown as \*"
tail -1 a.txt | grep -q "^Disclosure control:"
"$EQUITYLENS" analyse --input "$D/appointments.csv" --kind appointments --lens imd_quintile --format csv --out csvout 2>/dev/null
for f in csvout/*.csv; do head -1 "$f" | grep -q "^# Disclosure control:" || { echo "$f: no policy line"; exit 1; }; done
# a stricter policy is applied and printed
"$EQUITYLENS" analyse --input "$D/appointments.csv" --kind appointments --lens ethnic_category \
    --disclosure suppress=1-9,round=10 --format json --out c.json 2>/dev/null
"$EQUITYLENS" analyse --input "$D/waiting_list.csv" --kind waiting_list --lens imd_quintile --lens ethnic_group \
    --format json --out w.json 2>/dev/null
python3 - "$D/appointments.csv" "$ROOT/data/imd/iod2019_file1_imd_lsoa11.csv" <<'PY'
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
imd = {}
with open(sys.argv[2], encoding="utf-8-sig") as f:
    for r in csv.reader(f):
        if r[0].startswith("E01"): imd[r[0]] = int(r[5])
def grp(c):
    if c in ("", "99"): return "Not known"
    if c == "Z": return "Not stated"
    for g, cs in (("White","ABC"),("Mixed","DEFG"),("Asian","HJKL"),("Black","MNP"),("Other","RS")):
        if len(c) == 1 and c in cs: return g
    return None
def wilson(x, n, z=1.959963984540054):
    p = x / n
    a = 2*x + z*z; b = z*math.sqrt(z*z + 4*x*(1-p)); c = 2*(n + z*z)
    return 100*(a-b)/c, 100*(a+b)/c
a = json.load(open("a.json"))
# rows the import accepts: the analysis counts what it was given; compare only
# the ethnic-group DNA rates, which do not depend on rejected-row handling when
# no row is rejected
res = {(r["metric"], r["lens"], (r["stratum"] or {}).get("value")): r for r in a["results"]}
pol = a["disclosure"]
assert pol["policy"].startswith("Disclosure control: counts 1–7 shown as *"), pol
def check_counts(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("n", "numerator", "observed", "longest", "all", "total", "n_longest", "n_all", "rows") and isinstance(v, int):
                assert not (1 <= v <= 7), (path, k, v)
                assert v % 5 == 0, (path, k, v)
            check_counts(v, path + "/" + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj): check_counts(v, path + "[%d]" % i)
check_counts(a)
# no line (groups with a published total) has exactly one suppressed count
for L in a["lenses"]:
    if L["total"] is not None:
        s = sum(1 for g in L["groups"] if g["suppressed"])
        assert s != 1, ("lens", L["lens"], s)
for r in a["results"]:
    for key in ("n", "numerator"):
        if r["overall"].get(key) is None and key == "numerator" and r["kind"] != "proportion": continue
        s = sum(1 for g in r["groups"] if g.get(key) is None)
        if r["overall"].get(key) is not None: assert s != 1, (r["metric"], r["lens"], key, s)
    for g in r["groups"]:
        if g["suppressed"]: assert g["value"] is None and g["lower"] is None
# independent DNA rates by ethnic group (every row accepted in this fixture?)
acc = [r for r in rows]
x = {}; n = {}; pat = {}
for r in acc:
    c = r["attended_or_did_not_attend"]
    if c not in ("3", "5", "6", "7"): continue
    g = grp(r["ethnic_category"])
    y = c in ("3", "7")
    n[g] = n.get(g, 0) + 1; x[g] = x.get(g, 0) + y
    ym = pat.setdefault(g, {}).setdefault(r["patient_id"], [0, 0]); ym[0] += y; ym[1] += 1
def deff(g):
    # design effect of clustering by patient (ratio-estimator variance / binomial)
    N, X, C = n[g], x[g], len(pat[g]); p = X / N
    if C < 2 or C >= N or not 0 < p < 1: return 1.0
    ss = sum((yy - p * mm) ** 2 for yy, mm in pat[g].values())
    return max(1.0, (C / (C - 1) * ss / N ** 2) / (p * (1 - p) / N))
R = res[("dna_rate", "ethnic_group", None)]
checked = 0
for g in R["groups"]:
    k = g["key"]
    if g["suppressed"] or k not in n: continue
    de = deff(k)
    want = 100 * x[k] / n[k]; lo, hi = wilson(x[k] / de, n[k] / de)
    assert abs(g["design_effect"] - de) < 0.0006, (k, g["design_effect"], de)
    assert abs(g["value"] - round(want, 1)) < 0.051, (k, g["value"], want)
    assert abs(g["lower"] - lo) < 0.051 and abs(g["upper"] - hi) < 0.051, (k, g, lo, hi)
    assert g["n"] == 5 * round(n[k] / 5 + 1e-9) or abs(g["n"] - n[k]) <= 2, (k, g["n"], n[k])
    checked += 1
assert checked >= 3, checked
# IMD quintile (IMD 2019 on LSOA 2011; unmatched = unknown)
xq = {}; nq = {}
for r in acc:
    c = r["attended_or_did_not_attend"]
    if c not in ("3", "5", "6", "7"): continue
    d = imd.get(r["lsoa11"])
    q = str((d + 1) // 2) if d else "unknown"
    nq[q] = nq.get(q, 0) + 1; xq[q] = xq.get(q, 0) + (c in ("3", "7"))
R = res[("dna_rate", "imd_quintile", None)]
for g in R["groups"]:
    if g["suppressed"] or g["key"] == "unknown": continue
    k = g["key"]
    assert abs(g["value"] - round(100 * xq[k] / nq[k], 1)) < 0.051, (k, g["value"], xq[k], nq[k])
# gaps carry adjusted values and the excess cost is at £120 a DNA
G = R["gaps"][0]
assert G["adjusted"] is not None and G["difference"]["method"] == "newcombe", G
assert R["excess"]["cost_per_event"] == 120
c = json.load(open("c.json"))
assert c["disclosure"]["round_to"] == 10 and "counts 1–9" in c["disclosure"]["policy"]
for L in c["lenses"]:
    for g in L["groups"]:
        if g["n"] is not None: assert g["n"] % 10 == 0 and not (1 <= g["n"] <= 9)
keys = [g["key"] for g in c["lenses"][0]["groups"]]
assert "Z" in keys and "99" in keys, keys
w = json.load(open("w.json"))
m = [r for r in w["results"] if r["metric"] == "wait_weeks" and r["lens"] == "imd_quintile" and r["stratum"] is None][0]
assert m["overall"]["median"]["method"] == "order-statistic"
assert w["longest_waiters"]["tables"][0]["df"] >= 1
strata = {(r["stratum"] or {}).get("value") for r in w["results"]}
assert len(strata) > 1, strata
print("ok", checked)
PY
# from the store: import, then analyse the latest dataset version
"$EQUITYLENS" import "$D/waiting_list.csv" --kind waiting_list --db t.db >/dev/null 2>&1
"$EQUITYLENS" analyse --db t.db --lens imd_quintile --metric wait_weeks,over_52_weeks --format json --out s.json 2>/dev/null
python3 - <<'PY'
import json
s = json.load(open("s.json"))
assert s["dataset"]["source"] == "dataset 1", s["dataset"]
assert {r["metric"] for r in s["results"]} == {"wait_weeks", "over_52_weeks"}
L = s["lenses"][0]
ref = [g for g in L["groups"] if g["key"] == L["reference"]][0]
assert ref["suppressed"] is None, "reference group kept visible when another secondary cell exists"
PY
# two waiting-list snapshots analysed together: results for the latest census
# date, trends over both
"$EQUITYLENS" import "$D/waiting_list_2025-06.csv" --kind waiting_list --db t.db >/dev/null 2>&1
"$EQUITYLENS" analyse --db t.db --dataset 1 --dataset 2 --lens imd_quintile --metric over_18_weeks \
    --no-priority-strata --format json --out m.json 2>/dev/null
python3 - <<'PY'
import json
m = json.load(open("m.json"))
assert m["dataset"]["source"] == "dataset 1,2" and m["dataset"]["census_date"] == "2025-06-30", m["dataset"]
assert any("latest" in n for n in m["notes"]), m["notes"]
t = m["trends"][0]
assert t["metric"] == "over_18_weeks" and len(t["series"][0]["points"]) >= 2, t
overall = m["results"][0]["overall"]["n"]
assert 590 <= overall <= 600, overall      # the latest snapshot only (600 rows, some rejected/undated)
PY
# an extract with a header and no rows: a clean, complete (empty) result
head -1 "$D/appointments.csv" > empty.csv
"$EQUITYLENS" analyse --input empty.csv --kind appointments --format json --out e.json
python3 -c "import json; e = json.load(open('e.json')); assert e['dataset']['rows'] == 0 and e['results'], e['dataset']"
# the fast DNA job and the analysis engine agree on the same file (published,
# disclosed figures: DNA rate and rounded counts by IMD quintile)
"$EQUITYLENS" dna-job "$D/appointments.csv" --format json --quiet --out j.json
"$EQUITYLENS" analyse --input "$D/appointments.csv" --kind appointments --lens imd_quintile --metric dna_rate \
    --format json --out q.json 2>/dev/null
python3 - <<'PY'
import json
j = {g["imd_quintile"]: g for g in json.load(open("j.json"))["groups"] if g["lens"] == "imd_quintile"}
q = json.load(open("q.json"))["results"][0]
n = 0
for g in q["groups"]:
    k = g["key"]
    if g["suppressed"] or k not in j or j[k]["suppressed"]: continue
    assert g["n"] == j[k]["appointments"] and g["numerator"] == j[k]["dna"], (k, g, j[k])
    assert abs(g["value"] - j[k]["dna_rate"]["value"]) < 1e-9, (k, g["value"], j[k]["dna_rate"])
    n += 1
assert n >= 4, n
PY
