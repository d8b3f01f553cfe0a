"""reference.py — independent DNA-job computation for the golden tests.

Reads the extract with Python's csv module (RFC 4180 quoting, quoted
newlines, CRLF) and applies the definitions of docs/dna-job.md:
  rows: a physical record; an empty record (blank line) or one holding only
        spaces/tabs/CR (unquoted) is a blank line, not a row
  rejected: field count != header's, or attended code not a valid code
  excluded: attended code 0, 2, 4 or 9
  counted:  5, 6, 3, 7; DNA = 3 or 7
  quintile: (decile + 1) // 2 of the trimmed lsoa11, else 'unknown'
  group:    NHS broad group of the trimmed ethnic_category
Values are trimmed of spaces, tabs and CR.

usage: reference.py EXTRACT.csv IMD.csv CODE_COL DECILE_COL > counts.csv
prints lens,imd_quintile,ethnic_group,dna,appointments (groups with
appointments > 0) and, on stderr-free line 'rows,...' accounting in a
second file given by the env var REF_ACCOUNTING if set."""
import csv
import json
import os
import sys

T = " \t\r"
GROUP = {}
for c in "ABC": GROUP[c] = "white"
for c in "DEFG": GROUP[c] = "mixed"
for c in "HJKL": GROUP[c] = "asian"
for c in "MNP": GROUP[c] = "black"
for c in "RS": GROUP[c] = "other"
GROUP["Z"] = "not_stated"
GROUP["99"] = "not_known"
GROUP[""] = "not_known"

csv.field_size_limit(1 << 30)
path, imd_path, code_col, dec_col = sys.argv[1:5]
with open(imd_path, newline="", encoding="utf-8-sig") as f:
    r = csv.DictReader(f)
    imd = {row[code_col]: int(row[dec_col]) for row in r}

counts = {}
acc = {"read": 0, "counted": 0, "excluded": 0, "rejected": 0, "blank": 0, "lsoa_missing": 0,
       "lsoa_unmatched": 0, "reject_lines": []}
with open(path, newline="", encoding="utf-8") as f:
    first = f.read(1)
    if first != "\ufeff":
        f.seek(0)
    rd = csv.reader(f)
    header = [h.strip(" \t") for h in next(rd)]
    ia = header.index("attended_or_did_not_attend")
    ie = header.index("ethnic_category")
    il = header.index("lsoa11")
    prev_line = rd.line_num
    for row in rd:
        start = prev_line + 1
        prev_line = rd.line_num
        if len(row) == 0 or (len(row) == 1 and row[0].strip(T) == "" and len(header) != 1):
            acc["blank"] += 1
            continue
        acc["read"] += 1
        if len(row) != len(header):
            acc["rejected"] += 1
            acc["reject_lines"].append(start)
            continue
        a = row[ia].strip(T)
        if a in ("0", "2", "4", "9"):
            acc["excluded"] += 1
            continue
        if a not in ("5", "6", "3", "7"):
            acc["rejected"] += 1
            acc["reject_lines"].append(start)
            continue
        acc["counted"] += 1
        g = GROUP.get(row[ie].strip(T), "invalid")
        l = row[il].strip(T)
        if l == "":
            q = "unknown"
            acc["lsoa_missing"] += 1
        elif l in imd:
            q = str((imd[l] + 1) // 2)
        else:
            q = "unknown"
            acc["lsoa_unmatched"] += 1
        dna = 1 if a in ("3", "7") else 0
        for key in (("imd_quintile_x_ethnic_group", q, g), ("imd_quintile", q, "all"),
                    ("ethnic_group", "all", g), ("total", "all", "all")):
            d, n = counts.get(key, (0, 0))
            counts[key] = (d + dna, n + 1)

print("lens,imd_quintile,ethnic_group,dna,appointments")
for k in sorted(counts):
    print(",".join(k) + f",{counts[k][0]},{counts[k][1]}")
if os.environ.get("REF_ACCOUNTING"):
    with open(os.environ["REF_ACCOUNTING"], "w") as f:
        json.dump(acc, f)
