#!/bin/sh
# import_synth.sh — synthetic extracts of every kind (equitylens synth, with
# injected data-quality problems) are imported exactly: the stored columns,
# decoded straight from the SQLite file with Python, equal the CSV row by row
# (dates as days since 1970-01-01, codes and text through the dictionaries,
# flags Y/N as 1/0, blanks as missing); the summary's ethnicity and LSOA
# counts equal Python's count of the file.
set -eu
export EQUITYLENS_KEY_FILE="$T/key"
DB="$T/el.db"
id=0
for kind in appointments waiting_list cancer_pathways; do
    "$EQUITYLENS" synth --kind "$kind" --rows 3000 --seed 5 --out "$kind.csv" --data-dir "$ROOT/data" -q
    set +e
    "$EQUITYLENS" import "$kind.csv" --kind "$kind" --db "$DB" --data-dir "$ROOT/data" > "$kind.out" 2>&1
    rc=$?
    set -e
    cat "$kind.out"
    [ "$rc" -eq 0 ] || { echo "FAIL: $kind import exit $rc"; exit 1; }
    id=$((id + 1))
    python3 - "$kind.csv" "$DB" "$id" "$kind.out" "$kind.csv.truth.json" <<'PY'
import csv, collections, datetime, json, re, sqlite3, struct, sys
path, db, dsid, out, truth = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = list(csv.DictReader(open(path, newline='', encoding='utf-8')))
con = sqlite3.connect(db)
NA = -2**31
fields = {f: has for f, has in con.execute("SELECT field, has FROM dataset_fields WHERE dataset_id=?", (dsid,))}
nrows = con.execute("SELECT nrows FROM datasets WHERE id=?", (dsid,)).fetchone()[0]
assert nrows == len(rows), (nrows, len(rows))
import os
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'golden', 'data', 'import'))
import elstore  # decodes the stored segments independently of the program
def column(f):
    return elstore.column(con, dsid, f)
def dictionary(f):
    return elstore.dictionary(con, dsid, f)
EPOCH = datetime.date(1970, 1, 1)
DATES = {'appointment_date', 'referral_request_received_date', 'rtt_start_date', 'census_date', 'referral_date',
         'diagnosis_communicated_date', 'first_treatment_date', 'birth_date'}
INTS = {'age'}
FLAGS = {'learning_disability', 'autism', 'serious_mental_illness', 'inclusion_health_group',
         'interpreter_required', 'reasonable_adjustment'}
checked = 0
for col in rows[0].keys():
    if col not in fields:
        sys.exit(f"column {col} of the file is not stored")
    vals = column(col)
    dct = None if col in DATES | INTS | FLAGS else dictionary(col)
    for i, r in enumerate(rows):
        raw = r[col].strip()
        if raw == '': want = None
        elif col in DATES: want = (datetime.date.fromisoformat(raw) - EPOCH).days
        elif col in INTS: want = int(raw)
        elif col in FLAGS: want = {'Y': 1, 'N': 0}[raw]
        else: want = raw
        v = vals[i]
        got = None if v == NA else (v if dct is None else dct[v])
        if got != want:
            sys.exit(f"row {i + 2} column {col}: stored {got!r}, file {want!r}")
        checked += 1
# summary counts = Python's count of the file = the generator's truth
t = json.load(open(truth))
assert t['rows'] == len(rows), (t['rows'], len(rows))
eth = collections.Counter(r.get('ethnic_category', '').strip() for r in rows)
lsoa = [r.get('lsoa11', '').strip() for r in rows]
blank = sum(1 for x in lsoa if x == '')
malformed = sum(1 for x in lsoa if x and not re.fullmatch(r'[EW]01\d{6}', x))
txt = open(out).read()
m = re.search(r'(\d+) not stated \(Z\), (\d+) not known \(99/blank\)', txt)
assert (int(m.group(1)), int(m.group(2))) == (eth['Z'], eth['99'] + eth['']), (m.groups(), eth)
m = re.search(r'LSOA unmatched\s+(\d+) blank, (\d+) malformed', txt)
assert (int(m.group(1)), int(m.group(2))) == (blank, malformed), m.groups()
assert re.search(r'rows accepted\s+%d\b' % len(rows), txt)
print(f"ok: {path}: {len(rows)} rows, {checked} values equal to the file; Z {eth['Z']}, 99 {eth['99']}, blank {eth['']}, "
      f"LSOA blank {blank}, malformed {malformed}")
PY
done
