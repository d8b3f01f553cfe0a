#!/bin/sh
# dnajob_counts: equitylens dna-job counts (raw, --no-suppress) on a generated
# 20k-row hostile extract (BOM, CRLF/LF, quoted codes, quoted commas and
# newlines, missing/unknown LSOAs, invalid codes, blank and ragged rows)
# must equal an independent python csv-module computation exactly, with
# 1, 2 and 4 threads and from standard input; the row accounting and the
# line numbers of rejected rows must match too.
set -eu
D=$ROOT/tests/golden/data/dnajob
IMD=$ROOT/data/imd/iod2019_file1_imd_lsoa11.csv
python3 "$D/make_extract.py" 20000 7 "$IMD" ex.csv
REF_ACCOUNTING=acc.json python3 "$D/reference.py" ex.csv "$IMD" "LSOA code (2011)" \
    "Index of Multiple Deprivation (IMD) Decile" > ref.csv
for t in 1 2 4; do
    rc=0
    "$EQUITYLENS" dna-job --imd "$IMD" --threads $t --no-suppress --format csv --quiet --out got$t.csv ex.csv || rc=$?
    [ $rc -eq 3 ] || { echo "threads $t: expected exit 3 (rows rejected), got $rc"; exit 1; }
    python3 "$ROOT/bench/compare_dna.py" ref.csv got$t.csv
done
rc=0
"$EQUITYLENS" dna-job --imd "$IMD" --no-suppress --format csv --quiet - < ex.csv > gotstdin.csv || rc=$?
[ $rc -eq 3 ] || { echo "stdin: expected exit 3, got $rc"; exit 1; }
python3 "$ROOT/bench/compare_dna.py" ref.csv gotstdin.csv
"$EQUITYLENS" dna-job --imd "$IMD" --threads 2 --no-suppress --format json ex.csv > got.json || true
python3 - acc.json got.json <<'PY'
import json, sys
ref = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
r = got["rows"]
assert got["raw_counts_unsafe_to_publish"] is True
for k in ("read", "counted", "excluded", "rejected", "lsoa_missing", "lsoa_unmatched"):
    assert r[k] == ref[k], (k, r[k], ref[k])
assert r["blank_lines"] == ref["blank"], (r["blank_lines"], ref["blank"])
assert r["read"] == r["counted"] + r["excluded"] + r["rejected"]
lines = [e["line"] for e in r["first_rejects"]]
assert lines == ref["reject_lines"][:len(lines)], (lines, ref["reject_lines"][:len(lines)])
assert len(lines) == min(20, ref["rejected"])
print("accounting and reject lines agree:", {k: r[k] for k in ("read", "counted", "excluded", "rejected")})
PY
