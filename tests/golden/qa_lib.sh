# qa_lib.sh — helpers sourced by the qa_synth, qa_dnajob and qa_summarise
# golden cases (owner: fix-misc). Not a test itself (run.sh runs cases/*.sh).
#   fail MSG             print FAIL: MSG and exit 1
#   t RC PATTERN CMD...  run $EQUITYLENS CMD (stdout > out.txt, stderr >
#                        err.txt); want exit RC, no sanitizer report and
#                        PATTERN (grep -E, empty = any) on stderr
export ASAN_OPTIONS="${ASAN_OPTIONS:-}"
fail() { echo "FAIL: $*"; exit 1; }
t() {
    want=$1; pat=$2; shift 2
    set +e; "$EQUITYLENS" "$@" > out.txt 2> err.txt; rc=$?; set -e
    if grep -q -E 'Sanitizer|runtime error' err.txt; then cat err.txt; fail "$*: sanitizer report"; fi
    [ "$rc" -eq "$want" ] || { cat err.txt; fail "$*: exit $rc, expected $want"; }
    [ -z "$pat" ] || grep -q -E -- "$pat" err.txt || { cat err.txt; fail "$*: no /$pat/ on stderr"; }
}
