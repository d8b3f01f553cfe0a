"""make_extract.py — a hostile-but-valid appointments extract for the dna-job
golden tests (deterministic for a seed).

usage: make_extract.py ROWS SEED IMD.csv OUT.csv [--giant-quote]
Mixes: LF and CRLF line ends, a BOM, fields quoted at random (codes too),
quoted commas, doubled quotes and quoted newlines in a notes column, spaces
around codes, missing / unknown / lower-case LSOAs, invalid ethnic and
attended codes, blank lines, ragged rows. --giant-quote puts one row with a
~300 KB quoted multi-line field in the middle of the file, so a 2-thread
split lands inside quotes (the sequential fallback)."""
import random
import sys

rows, seed, imd_path, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
giant = "--giant-quote" in sys.argv
rnd = random.Random(seed)
codes = []
with open(imd_path, encoding="utf-8-sig") as f:
    next(f)
    for line in f:
        codes.append(line.split(",", 1)[0])
ETH = list("ABCDEFGHJKLMNPRSZ") + ["99", "", "X", "a", "I", "O", "999"]
ATT = ["5"] * 40 + ["6", "3", "3", "3", "7", "2", "4", "0", "9", "1", "8", "", "55", "x"]


def q(v, p=0.15):
    if rnd.random() < p:
        return '"' + v.replace('"', '""') + '"'
    return v


header = ["appointment_id", "patient_id", "appointment_date", "attended_or_did_not_attend",
          "notes", "ethnic_category", "provider_code", "lsoa11"]
with open(out, "w", newline="", encoding="utf-8") as f:
    f.write("\ufeff" + ",".join(header) + "\r\n")
    for i in range(rows):
        eol = "\r\n" if rnd.random() < 0.5 else "\n"
        if rnd.random() < 0.005:
            f.write(eol)  # blank line
            continue
        u = rnd.random()
        if u < 0.05:
            lsoa = ""
        elif u < 0.07:
            lsoa = "W01" + "%06d" % rnd.randrange(10**6)
        elif u < 0.08:
            lsoa = rnd.choice(codes).lower()
        elif u < 0.085:
            lsoa = "NOTALSOA"
        else:
            lsoa = rnd.choice(codes)
        if rnd.random() < 0.05:
            lsoa = " " + lsoa + " "
        att = rnd.choice(ATT)
        if rnd.random() < 0.03:
            att = " " + att
        eth = rnd.choice(ETH)
        notes = ""
        v = rnd.random()
        if v < 0.05:
            notes = '"said ""busy"", rebooked"'
        elif v < 0.08:
            notes = '"line one\nline two, with comma\r\nline three"'
        elif v < 0.10:
            notes = "plain note"
        if giant and i == rows // 2:
            notes = '"' + "\n".join("x" * 60 + "," for _ in range(5000)) + '"'
        fields = [q("A%07d" % i), "P%06d" % rnd.randrange(10**6), "2024-05-01", q(att), notes, q(eth),
                  "RAL", q(lsoa, 0.1)]
        if rnd.random() < 0.004:
            fields = fields[:-1]  # ragged: one field short
        elif rnd.random() < 0.004:
            fields = fields + ["extra"]
        f.write(",".join(fields) + eol)
    # last row without a final newline
    f.write("A9999999,P1,2024-05-01,3,,M,RAL," + codes[0])
