"""report_dna.py — print the DNA-job bench table with ratios and targets (bench/run.sh).

usage: report_dna.py TIMES ROWS BYTES COMPARE_STATUS COMPARE_FILE"""
import sys

times_path, rows, size, eq, cmp_path = sys.argv[1:6]
rows, size, eq = int(rows), int(size), int(eq)
t = {}
for line in open(times_path):
    name, wall, rss, rc = line.split()
    t[name] = (float(wall), int(rss), int(rc))
el = t.get("equitylens")
cat = t.get("cat_")
print(f"## DNA job: {rows:,} rows, {size / 2**20:,.0f} MiB CSV, 2 threads\n")
print("| tool | wall s | peak RSS MiB | time / equitylens | rows/s |")
print("|---|---:|---:|---:|---:|")
for name in ("equitylens", "duckdb", "data.table", "pandas", "cat_"):
    if name not in t:
        continue
    w, rss, rc = t[name]
    label = "`cat FILE > /dev/null`" if name == "cat_" else name
    ratio = f"{w / el[0]:.2f}x" if el and el[0] > 0 else "-"
    rps = f"{rows / w:,.0f}" if w > 0 and name != "cat_" else "-"
    fail = "" if rc == 0 else f" (exit {rc})"
    print(f"| {label}{fail} | {w:.3f} | {rss / 1024:.0f} | {ratio} | {rps} |")
print()
checks = []
if el:
    if "duckdb" in t:
        r = t["duckdb"][0] / el[0]
        checks.append((r >= 4, f"{r:.1f}x faster than DuckDB (2 threads); target >= 4x"))
    if cat:
        r = el[0] / cat[0] if cat[0] > 0 else float("inf")
        checks.append((r <= 5, f"{r:.1f}x the time of `cat FILE > /dev/null`; target <= 5x"))
    checks.append((el[1] / 1024 < 300, f"peak RSS {el[1] / 1024:.0f} MiB; target < 300 MiB"))
if eq == 0:
    n = sum(1 for line in open(cmp_path) if line.startswith("equal"))
    checks.append((True, f"counts per group EXACTLY equal to all {n} peers that ran"))
elif eq == 1:
    checks.append((False, "counts DIFFER from a peer (see bench/out/dna_compare.txt)"))
else:
    checks.append((False, "no peer ran: exactness not checked"))
for ok, text in checks:
    print(f"- {'PASS' if ok else 'FAIL'}: {text}")
print()
