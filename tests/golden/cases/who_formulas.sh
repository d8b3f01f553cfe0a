#!/bin/sh
# Every deterministic WHO measure, recomputed independently in Python from the
# formulas in docs/methods/who.md, for every block of the healthequal sample
# data sets (favourable and adverse indicators, ordered and non-ordered
# dimensions, with and without a reference subgroup), through the CLI.
# Closed-form measures: relative 1e-10; regression measures: 1e-7.
# Also: logistic SII/RII do not depend on the unit of the population column
# (the healthequal reproduction does), --average setting, and --format json
# gives the same numbers as csv.
set -eu
D="$ROOT/tests/golden/data/who"
python3 - "$D" "$EQUITYLENS" <<'PY'
import csv, json, math, os, subprocess, sys
D, BIN = sys.argv[1], sys.argv[2]
Z = 1.959963984540054
fails = 0

def run(path, *opts, fmt="csv"):
    p = subprocess.run([BIN, "summarise", path, "--format", fmt, *opts], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("summarise failed: " + p.stderr)
    return p.stdout

def parse(text):
    out = {}
    for r in csv.DictReader(text.splitlines()):
        key = (r["indicator"], r["dimension"], r["measure"])
        out[key] = {k: (float(r[k]) if r[k] != "" else None) for k in ("estimate", "se", "lower", "upper")}
    return out

def num(x):
    return None if x in ("", "NA") else float(x)

def blocks(path):
    bl = {}
    for r in csv.DictReader(open(path)):
        key = (r.get("indicator", ""), r.get("dimension", ""))
        bl.setdefault(key, []).append(r)
    return bl

def expit(e): return 1 / (1 + math.exp(-e))

def wls(x, y, w):
    sw = sum(w); xb = sum(a * b for a, b in zip(w, x)) / sw; yb = sum(a * b for a, b in zip(w, y)) / sw
    sxx = sum(c * (a - xb) ** 2 for a, c in zip(x, w)); sxy = sum(c * (a - xb) * (b - yb) for a, b, c in zip(x, y, w))
    b1 = sxy / sxx; return yb - b1 * xb, b1, sw, xb, sxx

def hc1(x, w_work, scores, n):
    sw = sum(w_work); xb = sum(a * b for a, b in zip(w_work, x)) / sw
    sxx = sum(c * (a - xb) ** 2 for a, c in zip(x, w_work))
    B = [[1 / sw + xb * xb / sxx, -xb / sxx], [-xb / sxx, 1 / sxx]]
    M = [[sum(s * s for s in scores), sum(s * s * a for s, a in zip(scores, x))],
         [sum(s * s * a for s, a in zip(scores, x)), sum(s * s * a * a for s, a in zip(scores, x))]]
    BM = [[sum(B[i][k] * M[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    V = [[sum(BM[i][k] * B[k][j] for k in range(2)) * n / (n - 2) for j in range(2)] for i in range(2)]
    return V

def sii_fit(x, p, w, logistic):
    n = len(x)
    if not logistic:
        b0, b1, *_ = wls(x, p, w)
        return b0, b1, hc1(x, w, [c * (pp - b0 - b1 * a) for a, pp, c in zip(x, p, w)], n)
    mu = [(pp + 0.5) / 2 for pp in p]; eta = [math.log(m / (1 - m)) for m in mu]
    b0 = b1 = 0.0
    for it in range(100):
        W = [c * m * (1 - m) for c, m in zip(w, mu)]
        zz = [e + (pp - m) / (m * (1 - m)) for e, pp, m in zip(eta, p, mu)]
        nb0, nb1, *_ = wls(x, zz, W)
        done = abs(nb0 - b0) + abs(nb1 - b1) < 1e-14 * (1 + abs(nb0) + abs(nb1))
        b0, b1 = nb0, nb1
        eta = [b0 + b1 * a for a in x]; mu = [expit(e) for e in eta]
        if done: break
    W = [c * m * (1 - m) for c, m in zip(w, mu)]
    return b0, b1, hc1(x, W, [c * (pp - m) for c, pp, m in zip(w, p, mu)], n)

def quad(g, V): return g[0] ** 2 * V[0][0] + 2 * g[0] * g[1] * V[0][1] + g[1] ** 2 * V[1][1]

def expected(rows, average="population", sii="logistic"):
    fav = rows[0]["favourable_indicator"] == "1"; ordered = rows[0]["ordered_dimension"] == "1"
    scale = float(rows[0]["indicator_scale"]); sa = num(rows[0].get("setting_average", ""))
    if ordered: rows = sorted(rows, key=lambda r: float(r["subgroup_order"]))
    y = [float(r["estimate"]) for r in rows]; se = [float(r["se"]) for r in rows]
    pop = [float(r["population"]) for r in rows]; n = len(y); N = sum(pop); sh = [p / N for p in pop]
    ref = [i for i, r in enumerate(rows) if r.get("reference_subgroup", "0") == "1"]
    mu = sum(a * b for a, b in zip(sh, y))
    ma = sa if (average == "setting" and sa is not None) else mu
    imax = y.index(max(y)); imin = y.index(min(y)); best = imax if fav else imin
    E = {}
    if ordered: i1, i2 = (n - 1, 0) if fav else (0, n - 1)
    elif not ref: i1, i2 = imax, imin
    elif fav: i1, i2 = ref[0], imin
    else: i1, i2 = imax, ref[0]
    E["d"] = (y[i1] - y[i2], math.hypot(se[i1], se[i2]))
    R = y[i1] / y[i2]; E["r"] = (R, math.sqrt((se[i1] ** 2 + R * R * se[i2] ** 2) / y[i2] ** 2) / R)
    ir = n - 1 if ordered else best
    raw = ma and (y[ir] - ma)
    wrong = (fav and raw < 0) or (not fav and raw > 0)
    c = y[ir] / scale * pop[ir]; dd = pop[ir] - c; a = ma / scale * N - c; b = N - a - pop[ir]; NN = a + b + c + dd
    sef = math.sqrt(c * NN * (a * dd * (NN - c) + b * c * c) / ((a + c) ** 3 * (c + dd) ** 3))
    E["paf"] = (0.0 if wrong else 100 * raw / ma, 100 * sef)
    E["par"] = (0.0 if wrong else raw, abs(ma) * sef)
    if ordered:
        cum = 0; rank = []
        for p in pop: rank.append((cum + p / 2) / N); cum += p
        sig = sum(s * (r - 0.5) ** 2 for s, r in zip(sh, rank))
        b0, b1, sw, xb, sxx = wls(rank, y, pop)
        rss = sum(p * (v - b0 - b1 * r) ** 2 for p, v, r in zip(pop, y, rank))
        se_b1 = math.sqrt(rss / (n - 2) / sxx)
        E["aci"] = (2 * sig * b1, 2 * sig * se_b1); E["rci"] = (2 * sig * b1 / mu, 2 * sig * se_b1 / mu)
        p = [v / scale for v in y]
        b0, b1, V = sii_fit(rank, p, pop, sii == "logistic")
        if sii == "logistic":
            m0, m1 = expit(b0), expit(b0 + b1)
            g = (m1 * (1 - m1) - m0 * (1 - m0), m1 * (1 - m1)); h = (m0 - m1, 1 - m1)
        else:
            m0, m1 = b0, b0 + b1; g = (0, 1); h = (1 / m1 - 1 / m0, 1 / m1)
        E["sii"] = ((m1 - m0) * scale, math.sqrt(quad(g, V)) * scale)
        E["rii"] = (m1 / m0, math.sqrt(quad(h, V)))
        return E
    E["bgv"] = (sum(s * (v - mu) ** 2 for s, v in zip(sh, y)),
                math.sqrt(4 * sum(s * s * e * e * (v - mu) ** 2 for s, e, v in zip(sh, se, y))
                          + 2 * (sum(s * s * e * e for s, e in zip(sh, se)) ** 2 - sum(s ** 4 * e ** 4 for s, e in zip(sh, se))
                                 + sum(s * s * (1 - s) ** 2 * e ** 4 for s, e in zip(sh, se)))))
    bgsd = math.sqrt(E["bgv"][0])
    E["bgsd"] = (bgsd, None); E["cov"] = (100 * bgsd / mu, None)
    E["mdmu"] = (sum(abs(v - ma) for v in y) / n, None); E["mdmw"] = (sum(s * abs(v - ma) for s, v in zip(sh, y)), None)
    E["mdbu"] = (sum(abs(v - y[best]) for v in y) / n, None); E["mdbw"] = (sum(s * abs(v - y[best]) for s, v in zip(sh, y)), None)
    if ref:
        E["mdru"] = (sum(abs(v - y[ref[0]]) for v in y) / n, None); E["mdrw"] = (sum(s * abs(v - y[ref[0]]) for s, v in zip(sh, y)), None)
    E["idisu"] = (100 / n * sum(abs(v - ma) for v in y) / ma, None); E["idisw"] = (100 * sum(s * abs(v - ma) for s, v in zip(sh, y)) / ma, None)
    rr = [v / mu for v in y]
    tp = sum(r * (1 + math.log(r)) * s for r, s in zip(rr, sh))
    E["ti"] = (1000 * sum(s * r * math.log(r) for s, r in zip(sh, rr)),
               1000 * math.sqrt(sum((1 + math.log(r) - tp) ** 2 * s * s * e * e / mu ** 2 for r, s, e in zip(rr, sh, se))))
    E["mld"] = (1000 * sum(s * -math.log(r) for s, r in zip(sh, rr)),
                1000 * math.sqrt(sum(e * e * s * s / mu ** 2 * (1 - 1 / r) ** 2 for r, s, e in zip(rr, sh, se))))
    return E

def compare(label, got, exp):
    global fails
    n = 0
    for (ind, dim), E in exp.items():
        for m, (e, s) in E.items():
            g = got.get((ind, dim, m))
            tol = 1e-7 if m in ("aci", "rci", "sii", "rii") else 1e-10
            ok = g is not None and math.isclose(g["estimate"], e, rel_tol=tol, abs_tol=1e-12)
            if s is not None:
                ok = ok and g["se"] is not None and math.isclose(g["se"], s, rel_tol=tol, abs_tol=1e-12)
            n += 1
            if not ok:
                fails += 1
                print("FAIL", label, ind[:25], dim[:20], m, "got", g, "expected", e, s)
    print(label, "compared", n, "measures")

for f in ("data__OrderedSample.csv", "data__NonorderedSample.csv",
          "data__OrderedSampleMultipleind.csv", "data__NonorderedSampleMultipleind.csv"):
    path = os.path.join(D, f)
    bl = blocks(path)
    compare(f, parse(run(path)), {k: expected(v) for k, v in bl.items()})
    compare(f + " --sii-method linear", parse(run(path, "--sii-method", "linear")),
            {k: expected(v, sii="linear") for k, v in bl.items() if v[0]["ordered_dimension"] == "1"})
    compare(f + " --average setting", parse(run(path, "--average", "setting")),
            {k: expected(v, average="setting") for k, v in bl.items()})
    # json carries the same numbers as csv
    j = json.loads(run(path, fmt="json"))
    c = parse(run(path))
    for r in j["results"]:
        g = c[(r["indicator"], r["dimension"], r["measure"])]
        for k in ("estimate", "se", "lower", "upper"):
            if (r[k] is None) != (g[k] is None) or (r[k] is not None and r[k] != g[k]):
                fails += 1; print("FAIL json/csv", f, r["measure"], k, r[k], g[k])

# The logistic SII/RII must not depend on the unit of the population column
# (counts vs shares); the healthequal reproduction degenerates with shares.
src = os.path.join(D, "data__OrderedSample.csv")
rows = list(csv.DictReader(open(src)))
with open("shares.csv", "w", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=rows[0].keys()); w.writeheader()
    tot = sum(float(r["population"]) for r in rows)
    for r in rows: r = dict(r); r["population"] = repr(float(r["population"]) / tot); w.writerow(r)
for meth in ("logistic", "linear"):
    a = parse(run(src, "--sii-method", meth, "--measures", "sii,rii"))
    b = parse(run("shares.csv", "--sii-method", meth, "--measures", "sii,rii"))
    for k in a:
        for f in ("estimate", "se"):
            if not math.isclose(a[k][f], b[k][f], rel_tol=1e-9):
                fails += 1; print("FAIL population-unit invariance", meth, k, f, a[k][f], b[k][f])
h = parse(run("shares.csv", "--sii-method", "healthequal", "--measures", "sii"))
hs = next(iter(h.values()))
print("healthequal reproduction with population shares:", hs)
if hs["estimate"] is not None and math.isclose(hs["estimate"], next(iter(a.values()))["estimate"], rel_tol=1e-3):
    fails += 1; print("FAIL expected the healthequal reproduction to break down with population shares")
sys.exit(1 if fails else 0)
PY
