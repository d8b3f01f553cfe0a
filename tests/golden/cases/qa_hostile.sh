#!/bin/sh
# qa_hostile.sh — hostile-input matrix (owner: qa) for the subcommands that
# read files: ci, spc, summarise, quality, analyse, dna-job, report --result,
# plus synth's argument checks. For each input the exit status is asserted and
# the error must name the file with its line (and column where there is one).
# Covered: empty file, header only, ragged row, truncated inside a quote,
# invalid UTF-8, NUL bytes / binary junk, a 10 MB field, CRLF + BOM (must give
# the same answer as the plain file), numbers that overflow, NaN / inf text,
# negative counts, a missing column, a directory, a missing file, '-' stdin and
# a directory on stdin. import has its own matrix (import_hostile.sh).
set -eu
export ASAN_OPTIONS="${ASAN_OPTIONS:-}"
export EQUITYLENS_DATA="$ROOT/data"
n=0
fail() { echo "FAIL: $*"; exit 1; }
# t RC PATTERN CMD...: run CMD, want exit RC and PATTERN (grep -E) on stderr
t() {
    want=$1; pat=$2; shift 2
    set +e; "$EQUITYLENS" "$@" > out.txt 2> err.txt; rc=$?; set -e
    n=$((n + 1))
    if grep -q -E 'Sanitizer|runtime error' err.txt; then cat err.txt; fail "$*: sanitizer report"; fi
    [ "$rc" -eq "$want" ] || { cat err.txt; fail "$*: exit $rc, expected $want"; }
    [ -z "$pat" ] || grep -q -E -- "$pat" err.txt || { cat err.txt; fail "$*: no /$pat/ on stderr"; }
}

python3 - <<'PY'
import random
random.seed(20261122)
def w(n, b): open(n, 'wb').write(b if isinstance(b, bytes) else b.encode())
junk = bytes(random.getrandbits(8) for _ in range(100000))
w('empty.csv', '')
w('junk.bin', junk)
big = 'x' * (10 * 1024 * 1024)
# --- ci (aggregated counts)
ci = 'area,numerator,denominator\nA,1,10\nB,25,400\nC,7,90\n'
w('ci.csv', ci)
w('ci_crlf_bom.csv', '\ufeff' + ci.replace('\n', '\r\n'))
w('ci_hdr.csv', 'area,numerator,denominator\n')
w('ci_ragged.csv', 'area,numerator,denominator\nA,1,10\nB,25\n')
w('ci_trunc.csv', 'area,numerator,denominator\nA,1,10\n"B,25,400\n')
w('ci_utf8.csv', b'area,numerator,denominator\nA,1,10\n\xe9,2,20\n')
w('ci_nul.csv', b'area,numerator,denominator\nA,1\x00,10\n')
w('ci_big.csv', 'area,numerator,denominator\nA,1,10\n' + big + ',2,20\n')
w('ci_huge.csv', 'area,numerator,denominator\nA,1e308,10\n')
w('ci_inf.csv', 'area,numerator,denominator\nA,1,10\nB,inf,10\n')
w('ci_neg.csv', 'area,numerator,denominator\nA,-5,10\n')
w('ci_nocol.csv', 'area,num,den\nA,1,10\n')
w('ci_junkrow.csv', b'area,numerator,denominator\n' + junk[:2000])
# --- spc (a series)
spc = 'date,value\n' + ''.join(f'2024-01-{d:02d},{(d * 7) % 11}\n' for d in range(1, 21))
w('spc.csv', spc)
w('spc_crlf_bom.csv', '\ufeff' + spc.replace('\n', '\r\n'))
w('spc_hdr.csv', 'date,value\n')
w('spc_one.csv', 'date,value\n2024-01-01,3\n')
w('spc_ragged.csv', 'date,value\n2024-01-01,1\n2024-01-02\n')
w('spc_trunc.csv', 'date,value\n2024-01-01,1\n"2024-01-02,2\n')
w('spc_utf8.csv', b'date,value\n2024-01-01,1\n2024-01-02,\xff\n')
w('spc_big.csv', 'date,value\n2024-01-01,' + big + '\n')
w('spc_huge.csv', 'date,value\n' + ''.join(f'2024-01-{d:02d},{"1e308" if d % 2 else "-1e308"}\n' for d in range(1, 21)))
w('spc_nan.csv', 'date,value\n2024-01-01,1\n2024-01-02,nan\n')
w('spc_baddate.csv', 'date,value\n2024-01-01,1\n2024-02-30,2\n')
w('spc_nocol.csv', 'when,measure\n2024-01-01,1\n')
# --- summarise (HEAT layout)
hdr = 'indicator,dimension,subgroup,subgroup_order,estimate,se,population,favourable_indicator,ordered_dimension,indicator_scale\n'
rows = ''.join(f'ind,wealth,Q{q},{q},{50 + 5 * q},1.5,{1000 + 100 * q},1,1,100\n' for q in range(1, 6))
w('who.csv', hdr + rows)
w('who_crlf_bom.csv', '\ufeff' + (hdr + rows).replace('\n', '\r\n'))
w('who_trunc.csv', hdr + rows + '"ind,wealth,Q6,6,80,1.5,1600,1,1,100\n')
w('who_utf8.csv', (hdr + rows).encode().replace(b'Q3', b'Q\xc33'))
w('who_nul.csv', (hdr + rows).encode().replace(b'Q4', b'Q\x004'))
w('who_big.csv', hdr + rows + 'ind,wealth,' + big + ',6,80,1.5,1600,1,1,100\n')
w('who_inf.csv', hdr + rows.replace(',65,', ',inf,'))
w('who_negpop.csv', hdr + rows.replace(',1300,', ',-1300,'))
w('who_fav.csv', hdr + rows.replace(',1,1,100', ',7,1,100'))
w('who_noest.csv', hdr.replace('estimate', 'est_x') + rows)
# --- appointments extract (canonical layout)
ah = 'appointment_id,patient_id,appointment_date,attended_or_did_not_attend,ethnic_category,age,lsoa11\n'
ar = ''.join(f'A{i},P{i},2024-0{1 + i % 9}-1{i % 10},{[5, 3, 6, 7][i % 4]},{"ABCHJKMNRSZ"[i % 11]},{20 + i},E0100000{1 + i % 5}\n' for i in range(40))
w('appt.csv', ah + ar)
w('appt_crlf_bom.csv', '\ufeff' + (ah + ar).replace('\n', '\r\n'))
w('appt_trunc.csv', ah + ar[:len(ar) // 2] + '"A99,P')
w('appt_nocol.csv', ah.replace('attended_or_did_not_attend', 'attendance') + ar)
w('appt_dupcol.csv', ah.replace('ethnic_category', 'age') + ar)
w('appt_junkhdr.csv', junk[:5000])
# --- analysis results for report
w('res_trunc.json', '{"schema": "equitylens.analysis/1", "results": [{"metric": "dna')
w('res_array.json', '[1, 2, 3]')
w('res_deep.json', '[' * 100000 + ']' * 100000)
PY

# ---------------------------------------------------------------- ci
"$EQUITYLENS" ci --method proportion ci.csv > plain.out
"$EQUITYLENS" ci --method proportion ci_crlf_bom.csv > crlf.out
cmp -s plain.out crlf.out || fail "ci: CRLF + BOM gives a different answer"
"$EQUITYLENS" ci --method proportion - < ci.csv > stdin.out
cmp -s plain.out stdin.out || fail "ci: '-' (stdin) gives a different answer"
m="--method proportion"
t 1 'empty\.csv:1: empty input'                       ci $m empty.csv
t 1 'ci_hdr\.csv:2: no data rows'                      ci $m ci_hdr.csv
t 1 'ci_ragged\.csv:3: row has 2 fields'               ci $m ci_ragged.csv
t 1 'ci_trunc\.csv:3:1: unterminated quoted field'     ci $m ci_trunc.csv
t 1 'ci_utf8\.csv:3:1: invalid UTF-8'                  ci $m ci_utf8.csv
t 1 'ci_nul\.csv:2:2: NUL byte'                        ci $m ci_nul.csv
t 1 'ci_big\.csv:3: record longer than 1048576 bytes'  ci $m ci_big.csv
t 1 "ci_huge\.csv:2:2: numerator: '1e308' is out of range" ci --method rate ci_huge.csv
t 1 "ci_inf\.csv:3:2: numerator: 'inf' is not a number" ci --method rate ci_inf.csv
t 1 'ci_neg\.csv:2: numerator -5 must be a finite number >= 0' ci $m ci_neg.csv
t 1 'ci_nocol\.csv:1: no numerator column'             ci $m ci_nocol.csv
t 1 'junk\.bin:1:1: (NUL byte|invalid UTF-8)'                          ci $m junk.bin
t 1 'ci_junkrow\.csv:[0-9]+(:[0-9]+)?: '               ci $m ci_junkrow.csv
t 1 '/: cannot read: Is a directory'                   ci $m /
t 1 'no-such\.csv: cannot open: No such file'          ci $m no-such.csv
set +e; "$EQUITYLENS" ci $m - < / > out.txt 2> err.txt; rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q 'Is a directory' err.txt || fail "ci: a directory on stdin: exit $rc"
t 2 'confidence'                                       ci $m --confidence 150 ci.csv
t 2 ''                                                 ci --method nonsense ci.csv
t 1 '/: cannot write: Is a directory'                   ci $m -o / ci.csv
if [ -w /dev/full ]; then
    set +e; "$EQUITYLENS" ci $m ci.csv > /dev/full 2> err.txt; rc=$?; set -e
    [ "$rc" -eq 1 ] && grep -q 'standard output: write failed' err.txt || fail "ci: a full disk must fail (exit $rc)"
    set +e; "$EQUITYLENS" spc spc.csv > /dev/full 2> err.txt; rc=$?; set -e
    [ "$rc" -eq 1 ] && grep -q 'error writing standard output' err.txt || fail "spc: a full disk must fail (exit $rc)"
fi
t 2 'bad --multiplier'                                 ci --method rate --multiplier 1e308 ci.csv
t 1 "--group-by ',,' names no column"                  ci --method rate --group-by ,, ci.csv

# ---------------------------------------------------------------- spc
"$EQUITYLENS" spc spc.csv > plain.out 2> /dev/null
"$EQUITYLENS" spc spc_crlf_bom.csv > crlf.out 2> /dev/null
cmp -s plain.out crlf.out || fail "spc: CRLF + BOM gives a different answer"
"$EQUITYLENS" spc - < spc.csv > stdin.out 2> /dev/null
cmp -s plain.out stdin.out || fail "spc: stdin gives a different answer"
t 1 'empty\.csv:1: empty input'                        spc empty.csv
t 1 'spc_hdr\.csv: no data rows'                       spc spc_hdr.csv
t 1 'spc_one\.csv:2: the series has only one point'    spc spc_one.csv
t 1 'spc_ragged\.csv:3: row has 1 fields'              spc spc_ragged.csv
t 1 'spc_trunc\.csv:3:1: unterminated quoted field'    spc spc_trunc.csv
t 1 'spc_utf8\.csv:3:2: invalid UTF-8'                 spc spc_utf8.csv
t 1 'spc_big\.csv:2: record longer than 1048576 bytes' spc spc_big.csv
t 1 'spc_huge\.csv:2: values too large in magnitude'   spc spc_huge.csv
[ ! -s out.txt ] || fail "spc: partial output written before an error"
t 1 'spc_huge\.csv:2: values too large'                spc --out spc_out.csv spc_huge.csv
[ ! -e spc_out.csv ] || fail "spc: --out file created by a failed run"
t 1 "spc_nan\.csv:3:2: value: value 'nan' is not a number" spc spc_nan.csv
t 1 "spc_baddate\.csv:3:1: date '2024-02-30'"          spc spc_baddate.csv
t 1 'spc_nocol\.csv:1: value: column not found'        spc spc_nocol.csv
t 1 'junk\.bin:1:1: (NUL byte|invalid UTF-8)'                          spc junk.bin
t 1 '/: cannot read: Is a directory'                   spc /
t 1 'no-such\.csv: cannot open'                        spc no-such.csv
t 2 ''                                                 spc --run-length 99 spc.csv
t 2 '--date-format must be'                            spc --date-format bogus spc.csv

# ---------------------------------------------------------------- summarise
s="summarise --reps 20"
"$EQUITYLENS" $s who.csv > plain.out
"$EQUITYLENS" $s who_crlf_bom.csv > crlf.out
cmp -s plain.out crlf.out || fail "summarise: CRLF + BOM gives a different answer"
"$EQUITYLENS" $s - < who.csv > stdin.out
cmp -s plain.out stdin.out || fail "summarise: stdin gives a different answer"
t 1 'empty\.csv:1: empty input'                        $s empty.csv
t 1 'who_trunc\.csv:7:1: unterminated quoted field'    $s who_trunc.csv
t 1 'who_utf8\.csv:4:3: invalid UTF-8'                 $s who_utf8.csv
t 1 'who_nul\.csv:5:3: NUL byte'                       $s who_nul.csv
t 1 'who_big\.csv:7: record longer than 1048576 bytes' $s who_big.csv
t 1 "who_inf\.csv:4:5: estimate: not a number: 'inf'"  $s who_inf.csv
t 1 'who_negpop\.csv:4: population: .*must be > 0'     $s who_negpop.csv
t 1 "who_fav\.csv:2:8: favourable_indicator: must be 0 or 1 \(got '7'\)" $s who_fav.csv
t 1 "who_noest\.csv:1: estimate: required column 'estimate' not found" $s who_noest.csv
t 1 'junk\.bin:1:1: (NUL byte|invalid UTF-8)'                          $s junk.bin
t 1 '/: cannot read: Is a directory'                   $s /
t 1 'no-such\.csv: cannot open'                        $s no-such.csv
t 2 'confidence level 150'                             $s --conf 150 who.csv

# ---------------------------------------------------------------- dna-job
"$EQUITYLENS" dna-job --no-suppress --format csv --quiet appt.csv > plain.out
"$EQUITYLENS" dna-job --no-suppress --format csv --quiet appt_crlf_bom.csv > crlf.out
cmp -s plain.out crlf.out || fail "dna-job: CRLF + BOM gives a different answer"
"$EQUITYLENS" dna-job --no-suppress --format csv --quiet - < appt.csv > stdin.out
cmp -s plain.out stdin.out || fail "dna-job: stdin gives a different answer"
t 1 'empty\.csv: empty input'                          dna-job empty.csv
t 3 ''                                                 dna-job --no-suppress appt_trunc.csv
grep -q 'appt_trunc\.csv:22: rejected: malformed quoting' out.txt || fail "dna-job: truncated row not listed"
grep -qE 'rows read 21 = counted [0-9]+ \+ excluded [0-9]+ \+ rejected 1' out.txt || fail "dna-job: accounting"
t 1 "appt_nocol\.csv:1: attended_or_did_not_attend: header has no column" dna-job appt_nocol.csv
t 1 'junk\.bin:1: '                                    dna-job junk.bin
t 1 '/: read failed: Is a directory'                   dna-job /
t 1 'no-such\.csv: cannot open'                        dna-job no-such.csv

# ---------------------------------------------------------------- quality / analyse (--input)
for cmd in "quality --today 2025-01-01" "analyse --no-missing --no-trends --reps 20"; do
    t 1 'empty\.csv:1: file is empty'                  $cmd --kind appointments --input empty.csv
    t 1 'appt_trunc\.csv:22: .*looks truncated'        $cmd --kind appointments --input appt_trunc.csv
    t 1 "appt_nocol\.csv:1: attended_or_did_not_attend: required field" $cmd --kind appointments --input appt_nocol.csv
    t 1 "appt_dupcol\.csv:1:5: age: column 'age' appears more than once" $cmd --kind appointments --input appt_dupcol.csv
    t 1 'appt_junkhdr\.csv:1(:[0-9]+)?: '              $cmd --kind appointments --input appt_junkhdr.csv
    t 1 '/: is a directory'                            $cmd --kind appointments --input /
    t 1 'no-such\.csv: cannot open'                    $cmd --kind appointments --input no-such.csv
done
"$EQUITYLENS" quality --today 2025-01-01 --kind appointments --input appt.csv --format json > plain.out
"$EQUITYLENS" quality --today 2025-01-01 --kind appointments --input appt_crlf_bom.csv --format json > crlf.out
python3 - <<'PY'
import json
a, b = json.load(open('plain.out')), json.load(open('crlf.out'))
def strip(o):   # the file name differs; everything else must be equal
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k not in ('input', 'file', 'source', 'path', 'sha256', 'name')}
    if isinstance(o, list): return [strip(x) for x in o]
    return o
assert strip(a) == strip(b), "quality: CRLF + BOM gives a different report"
PY

# ---------------------------------------------------------------- report --result
mkdir -p rep
t 1 'empty\.csv:1: '                                   report --result empty.csv --out rep
t 1 'res_trunc\.json:1:[0-9]+: premature end of input' report --result res_trunc.json --out rep
t 1 'not a JSON object'                                report --result res_array.json --out rep
t 1 'res_deep\.json:1:[0-9]+: maximum parsing depth'   report --result res_deep.json --out rep
t 1 'junk\.bin:1(:[0-9]+)?: '                          report --result junk.bin --out rep
[ -z "$(ls rep)" ] || fail "report: files written by a failed run: $(ls rep)"

# ---------------------------------------------------------------- synth arguments
t 2 "--rows must be a whole number >= 0, not '-5'"     synth --kind appointments --rows -5 -q
t 2 "--rows must be a whole number >= 0, not '1e3'"    synth --kind appointments --rows 1e3 -q
t 2 '--seed must be 0\.\.4294967295'                   synth --kind appointments --rows 5 --seed 99999999999999999999 -q
t 2 'dates must be valid YYYY-MM-DD'                   synth --kind appointments --rows 5 --period-start 2024-02-30 -q
t 1 'period ends before it starts'                     synth --kind appointments --rows 5 --period-start 2025-01-01 --period-end 2024-01-01 -q
t 1 '/: cannot create'                                 synth --kind appointments --rows 5 --out / -q
t 2 "unknown or incomplete option '--seed'"            synth --kind appointments --rows 5 --seed

echo "qa_hostile: $n hostile runs behaved"
