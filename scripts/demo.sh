#!/bin/sh
# demo.sh — the main job on the embedded default (owner: refdata).
#   sh scripts/demo.sh [BINARY]      (make demo runs it with build/equitylens)
# Synthesises a demo outpatient (appointments) extract and a waiting list over
# real LSOAs with known injected inequalities (docs/synth.md), imports both
# into the embedded SQLite store demo/equitylens.db (mapping, validation,
# keyed pseudonymisation of NHS numbers, IMD/Core20/ethnic group/age band
# enrichment), prints the data-quality report of the appointments dataset and
# says where every file went. Re-running starts the demo store afresh.
# Environment: EQUITYLENS_DEMO_DIR (default ./demo), DEMO_ROWS (default 50000).
set -eu
BIN=${1:-build/equitylens}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "demo: $BIN is not built (run make)" >&2; exit 1; }
DIR=${EQUITYLENS_DEMO_DIR:-demo}
ROWS=${DEMO_ROWS:-50000}
SEED=2025
TODAY=2025-04-30          # the extract's "today": a month after its period (2024-04-01..2025-03-31)
mkdir -p "$DIR"
DB=$DIR/equitylens.db
rm -f "$DB" "$DB-journal" "$DB-wal" "$DB-shm"

echo "== 1. synthesise (seed $SEED)"
"$BIN" synth --kind appointments --rows "$ROWS" --seed $SEED --nhs-numbers --out "$DIR/appointments.csv"
"$BIN" synth --kind waiting_list --rows $((ROWS * 2 / 5)) --seed $SEED --nhs-numbers --out "$DIR/waiting_list.csv"

# import exits 3 when it stored the dataset but rejected some rows: not a failure here
import() {
    rc=0
    "$BIN" import "$1" --kind "$2" --db "$DB" --key-file "$DIR/pseudonym.key" --rejects "$DIR/$2.rejects.csv" || rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc
}
echo
echo "== 2. import into $DB"
import "$DIR/appointments.csv" appointments
# the appointments dataset is the latest now: its report first, then the waiting list
Q="$BIN quality --db $DB --today $TODAY"
$Q --format json --out "$DIR/quality-appointments.json"
$Q --format csv --out "$DIR/quality-appointments.csv"
$Q --out "$DIR/quality-appointments.txt"
import "$DIR/waiting_list.csv" waiting_list
$Q --out "$DIR/quality-waiting_list.txt"

echo
echo "== 3. data-quality report (appointments)"
# the overall section on screen; by provider and treatment function in the file
awk '/^== provider_code/ {exit} {print}' "$DIR/quality-appointments.txt"
echo "(by provider and by treatment function: $DIR/quality-appointments.txt;"
echo " the waiting list's report: $DIR/quality-waiting_list.txt)"

echo
echo "== where the files went"
for f in appointments.csv appointments.csv.truth.json waiting_list.csv waiting_list.csv.truth.json \
         equitylens.db pseudonym.key appointments.rejects.csv waiting_list.rejects.csv \
         quality-appointments.txt quality-appointments.csv quality-appointments.json quality-waiting_list.txt; do
    [ -e "$DIR/$f" ] && printf '  %-34s %s\n' "$DIR/$f" "$(wc -c < "$DIR/$f" | tr -d ' ') bytes"
done
echo "  (the truth files hold the injected inequalities: docs/synth.md)"
echo "demo: done"
