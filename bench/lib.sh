# bench/lib.sh — helpers sourced by the bench scripts (POSIX sh).
#   best_of N NAME CMD...   run CMD N times; append "NAME best_wall_s max_rss_kib exit"
#                           to ${TIMES:-$OUT/dna_times.txt}; prints one line.
# Sourcing it also sets the defaults every entry script shares (run.sh sets
# them itself first): OUT (bench/out), SUMMARY ($OUT/summary.md), and checks BIN.
# The sourcing script sets ROOT (the repository) before sourcing.
OUT=${OUT:-$ROOT/bench/out}
SUMMARY=${SUMMARY:-$OUT/summary.md}
: "${BIN:?set BIN to the equitylens binary}"
mkdir -p "$OUT"

now_ns() { date +%s%N; }

best_of() {
    _n=$1; _name=$2; shift 2
    _best=""; _rss=0; _rc=0; _i=0
    _tf=${TMPDIR:-/tmp}/bench_time.$$
    while [ "$_i" -lt "$_n" ]; do
        _t0=$(now_ns)
        if [ -x /usr/bin/time ]; then
            /usr/bin/time -f "%M" -o "$_tf" "$@" > "$OUT/$_name.stdout" 2> "$OUT/$_name.stderr"; _rc=$?
        else
            "$@" > "$OUT/$_name.stdout" 2> "$OUT/$_name.stderr"; _rc=$?; echo 0 > "$_tf"
        fi
        _t1=$(now_ns)
        _w=$(( (_t1 - _t0) / 1000000 ))
        _m=$(tail -n 1 "$_tf" 2>/dev/null | tr -dc 0-9); [ -n "$_m" ] || _m=0
        [ "$_m" -gt "$_rss" ] && _rss=$_m
        if [ -z "$_best" ] || [ "$_w" -lt "$_best" ]; then _best=$_w; fi
        _i=$((_i + 1))
    done
    rm -f "$_tf"
    _s=$(awk "BEGIN{printf \"%.3f\", $_best/1000}")
    echo "$_name $_s $_rss $_rc" >> "${TIMES:-$OUT/dna_times.txt}"
    printf '  %-12s %8s s  peak RSS %7d KiB  exit %d%s\n' "$_name" "$_s" "$_rss" "$_rc" \
        "$([ "$_n" -gt 1 ] && echo "  (best of $_n)")"
    [ "$_rc" -eq 0 ] || { echo "  $_name stderr:"; tail -n 5 "$OUT/$_name.stderr" | sed 's/^/    /'; }
}
