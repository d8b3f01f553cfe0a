#!/bin/sh
# import_hes.sh — import NHS Digital's artificial HES OP sample with the shipped
# mapping, then check counts against figures computed independently by
# python3's csv module from the raw file, and decode the stored columns
# straight from the SQLite store (not through equitylens) to check them too.
set -eu
DATA="$ROOT/tests/golden/data/import/artificial_hes_op_0304_first1000.csv"
export EQUITYLENS_KEY_FILE="$T/key"     # never touch the user's key
DB="$T/el.db"

set +e
"$EQUITYLENS" import "$DATA" --mapping "$ROOT/mappings/hes-outpatients.map" --db "$DB" \
    --rejects "$T/rejects.csv" --data-dir "$ROOT/data" > out.txt 2> err.txt
rc=$?
set -e
cat out.txt err.txt
[ "$rc" -eq 0 ] || { echo "import exit $rc, expected 0"; exit 1; }

# the mapping looked up by name from the repository's mappings/ directory works too,
# and importing the identical file again is refused (exit 1), store unchanged
set +e
(cd "$ROOT" && "$EQUITYLENS" import "$DATA" --mapping hes-outpatients --db "$DB" --data-dir "$ROOT/data") > dup.txt 2>&1
rc=$?
set -e
cat dup.txt
[ "$rc" -eq 1 ] || { echo "duplicate import exit $rc, expected 1"; exit 1; }
grep -q "identical file already imported as dataset 1" dup.txt
"$EQUITYLENS" datasets --db "$DB" --format csv > ds.csv
cat ds.csv
[ "$(wc -l < ds.csv)" -eq 2 ] || { echo "expected exactly one dataset"; exit 1; }

python3 - "$DATA" "$DB" out.txt "$T/rejects.csv" ds.csv <<'PY'
import csv, collections, hashlib, sqlite3, struct, sys, re
data, db, out, rej, ds = sys.argv[1:]
rows = list(csv.DictReader(open(data, newline='', encoding='utf-8')))
n = len(rows)
fail = []
def check(what, got, want):
    if got != want: fail.append(f"{what}: got {got!r}, want {want!r}")

# --- independent expectations, from the raw file and the documented mapping ---
att = collections.Counter(r['ATTENDED'] for r in rows)
check("ATTENDED raw", dict(att), {'5': 806, '3': 91, '4': 51, '2': 40, '6': 12})   # data/README.md figures
eth = collections.Counter({'X': '99'}.get(r['ETHNOS'], r['ETHNOS']) for r in rows)
sex = collections.Counter({'0': 'X'}.get(r['SEX'], r['SEX']) for r in rows)
def age(v):
    if v == '': return None
    a = int(float(v))
    return 0 if 7001 <= a <= 7007 else a
ages = collections.Counter(age(r['APPTAGE']) for r in rows)
reqnull = sum(1 for r in rows if r['REQDATE'] in ('1800-01-01', '1801-01-01', ''))
lsoa_blank = sum(1 for r in rows if r['LSOA11'] in ('', 'Z99999999', 'E99999999'))
patients = len(set(r['PSEUDO_HESID'] for r in rows))
sha = hashlib.sha256(open(data, 'rb').read()).hexdigest()

# --- the summary printed by equitylens import ---
txt = open(out).read()
def num(label):
    m = re.search(r'^\s*' + label + r'\s+(\d+)', txt, re.M)
    return int(m.group(1)) if m else None
check("rows read", num('rows read'), n)
check("rows accepted", num('rows accepted'), n)
check("rows rejected", num('rows rejected'), 0)
check("sha256 printed", re.search(r'sha256\s+([0-9a-f]{64})', txt).group(1), sha)
m = re.search(r'(\d+) not stated \(Z\), (\d+) not known', txt)
check("ethnicity not stated/not known", (int(m.group(1)), int(m.group(2))), (eth['Z'], eth['99']))
m = re.search(r'(\d+) blank, ', txt)
check("LSOA blank", int(m.group(1)), lsoa_blank)

# --- rejects file: header only ---
rl = list(csv.reader(open(rej, newline='')))
check("rejects header", rl[0][:4], ['line', 'column', 'field', 'reason'])
check("rejects rows", len(rl) - 1, 0)

# --- datasets listing ---
d = list(csv.DictReader(open(ds, newline='')))
check("datasets listing", (d[0]['id'], d[0]['kind'], d[0]['rows_read'], d[0]['rows_accepted'],
       d[0]['rows_rejected'], d[0]['mapping'], d[0]['imd_edition'], d[0]['sha256']),
      ('1', 'appointments', str(n), str(n), '0', 'hes-outpatients', '2019', sha))

# --- decode the store directly ---
con = sqlite3.connect(db)
nrows = con.execute("SELECT nrows FROM datasets WHERE id = 1").fetchone()[0]
check("stored rows", nrows, n)
import os
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'golden', 'data', 'import'))
import elstore  # decodes the stored segments independently of the program
def column(field):
    return elstore.column(con, 1, field)
def dictionary(field):
    return elstore.dictionary(con, 1, field)
NA = -2**31
def decoded(field):
    dct = dictionary(field)
    return collections.Counter(None if v == NA else dct[v] for v in column(field))
check("attended stored", dict(decoded('attended_or_did_not_attend')), dict(att))
check("ethnic_category stored", dict(decoded('ethnic_category')), dict(eth))
check("sex stored", dict(decoded('person_stated_gender_code')), dict(sex))
check("age stored", dict(collections.Counter(None if v == NA else v for v in column('age'))), dict(ages))
check("referral date nulls", sum(1 for v in column('referral_request_received_date') if v == NA), reqnull)
check("patients", len(dictionary('patient_id')), patients)
check("appointment ids unique", len(dictionary('appointment_id')), n)
# first row, by hand: APPTDATE 2004-03-31 = 12508 days since 1970-01-01
check("first appointment date", column('appointment_date')[0], 12508)
check("first age", column('age')[0], 54)
fields = set(f for (f,) in con.execute("SELECT field FROM dataset_fields WHERE dataset_id=1"))
for f in ('imd_decile', 'imd_quintile', 'core20', 'ethnic_group', 'age_band'):
    if f not in fields: fail.append(f"derived field {f} not stored")
if 'nhs_number_hash' in fields: fail.append("nhs_number_hash stored but the file has no NHS numbers")
if fail:
    print("\n".join(fail)); sys.exit(1)
print(f"ok: {n} rows; attended {dict(att)}; ethnic {dict(eth)}; sex {dict(sex)}")
PY
