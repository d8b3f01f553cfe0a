#!/bin/sh
# qa_synth.sh — synth output-file hostility (QA findings): --out and --truth
# naming one file is refused (also through a symlink) and the existing file
# is left as it was; an extract that cannot be created gives the reason; when
# the truth cannot be created no extract is left behind; a failed write of
# the extract leaves neither file.
set -eu
. "$ROOT/tests/golden/qa_lib.sh"
export EQUITYLENS_DATA="$ROOT/data"
S="synth --kind appointments --rows 5 -q"
# same file, neither existing yet
rm -f s.csv
t 1 'same file' $S --out s.csv --truth s.csv
[ ! -e s.csv ] || fail "same file (new): s.csv left behind"
# same file, existing: refused before anything is written
echo keep > s.csv
t 1 's\.csv: --truth and --out name the same file' $S --out s.csv --truth s.csv
[ "$(cat s.csv)" = keep ] || fail "same file (existing): s.csv was modified"
t 1 'same file' $S --out s.csv --truth ./s.csv
ln -s s.csv link.json
t 1 'same file' $S --out s.csv --truth link.json
[ "$(cat s.csv)" = keep ] || fail "same file (symlink): s.csv was modified"
# the extract cannot be created: the reason is given, no truth is left
rm -f d.truth.json
t 1 '/: cannot create the extract file: Is a directory' $S --out / --truth d.truth.json
[ ! -e d.truth.json ] || fail "--out /: truth file left behind"
# the truth cannot be created: no extract is written
rm -f e.csv
t 1 'nonexist/t\.json: cannot create the truth file: No such file or directory' $S --out e.csv --truth nonexist/t.json
[ ! -e e.csv ] || fail "--truth nonexist/: extract left behind"
# a failed write gives the reason and removes the truth file
if [ -w /dev/full ]; then
    rm -f f.json
    t 1 'write failed: No space left on device' $S --out /dev/full --truth f.json
    [ ! -e f.json ] || fail "/dev/full: truth file left behind"
    t 1 'cannot write the truth file: No space left on device' $S --out g.csv --truth /dev/full
    [ ! -e g.csv ] || fail "truth /dev/full: extract left behind"
fi
# the normal case still writes both
t 0 '' $S --out ok.csv --truth ok.json
[ -s ok.csv ] && [ -s ok.json ] || fail "normal run: files missing"
t 0 '' $S --out ok2.csv
[ -s ok2.csv ] && [ -s ok2.csv.truth.json ] || fail "default truth path: files missing"
cmp -s ok.csv ok2.csv || fail "extract differs with --truth"
echo "qa_synth ok"
