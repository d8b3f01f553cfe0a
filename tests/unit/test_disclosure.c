/* test_disclosure.c — disclosure control: policy, rounding, and the proof
 * that no count 1..7 can be recovered from a protected table, by an
 * independent brute-force attacker that enumerates every integer table
 * consistent with the published output (including row/column/grand totals,
 * i.e. "total minus the others" differencing). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/disclosure.h"

static void test_policy(void **st)
{
    (void)st;
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    char buf[400];
    el_disclosure_policy_describe(&p, buf, sizeof buf);
    assert_non_null(strstr(buf, "counts 1\xe2\x80\x93" "7 shown as *"));
    assert_non_null(strstr(buf, "nearest 5"));
    assert_int_equal(el_disclosure_round(&p, 0), 0);
    assert_int_equal(el_disclosure_round(&p, 8), 10);
    assert_int_equal(el_disclosure_round(&p, 12), 10);
    assert_int_equal(el_disclosure_round(&p, 13), 15);
    int64_t pub;
    assert_int_equal(el_disclosure_count(&p, 7, &pub), EL_DC_PRIMARY);
    assert_int_equal(el_disclosure_count(&p, 0, &pub), EL_DC_SHOWN);
    assert_int_equal(pub, 0);
    assert_int_equal(el_disclosure_count(&p, 22, &pub), EL_DC_SHOWN);
    assert_int_equal(pub, 20);
    assert_true(el_dc_publishable(EL_DC_SHOWN, EL_DC_SHOWN));
    assert_false(el_dc_publishable(EL_DC_SHOWN, EL_DC_SECONDARY));
    assert_false(el_dc_publishable(EL_DC_PRIMARY, EL_DC_SHOWN));
    assert_true(el_disclosure_round_value(&p, 12.345) == 12.3);
    el_error e;
    assert_int_equal(el_disclosure_policy_parse(&p, "suppress=1-9,round=10,mask=c,decimals=2", &e), EL_OK);
    assert_int_equal(p.suppress_max, 9);
    assert_int_equal(p.round_to, 10);
    assert_string_equal(p.mask, "c");
    assert_int_equal(el_disclosure_policy_parse(&p, "round=0", &e), EL_ERR_INVALID);
    assert_int_equal(el_disclosure_policy_parse(&p, "colour=red", &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "colour"));
    assert_int_equal(p.round_to, 10); /* unchanged on error */
    assert_int_equal(el_disclosure_policy_parse(&p, "suppress=off", &e), EL_OK);
    assert_int_equal(el_disclosure_count(&p, 3, &pub), EL_DC_SHOWN);
}

/* ---- independent brute-force attacker ---- */
#define BIG 1000000
typedef struct {
    size_t R, C;
    int64_t lo[5][5], hi[5][5];   /* bounds per grid cell from published output only */
    int64_t cell[4][4];
    int64_t rs[4], cs[4];
    /* feasible values seen per primary inner/margin cell: bitmask of value 1..7 */
    unsigned seen[5][5];
} attacker;

static void bounds_from_output(attacker *a, const el_dc_table *t, const el_disclosure_policy *p,
                               int rowtot, int coltot)
{
    for (size_t i = 0; i <= a->R; i++)
        for (size_t j = 0; j <= a->C; j++) {
            int pub = (i < a->R && j < a->C) || (i == a->R && j == a->C) ||
                      (j == a->C ? rowtot : coltot);
            el_dc_state s = el_dc_table_state(t, i, j);
            int64_t lo, hi;
            if (!pub) { lo = 0; hi = BIG; }
            else if (s == EL_DC_PRIMARY) { lo = p->suppress_min; hi = p->suppress_max; }
            else if (s == EL_DC_SECONDARY) { lo = p->suppress_max + 1; hi = BIG; }
            else {
                int64_t r = el_dc_table_published(t, i, j);
                int64_t k = p->round_to;
                lo = k > 1 ? r - k / 2 : r;
                hi = k > 1 ? r - k / 2 + k - 1 : r;
                if (lo < 0) lo = 0;
                if (lo >= p->suppress_min && lo <= p->suppress_max) lo = p->suppress_max + 1;
                if (hi >= p->suppress_min && hi <= p->suppress_max) hi = p->suppress_min - 1;
            }
            a->lo[i][j] = lo; a->hi[i][j] = hi;
        }
    memset(a->seen, 0, sizeof a->seen);
}

static void record(attacker *a, size_t i, size_t j, int64_t v)
{
    if (v >= 1 && v <= 7) a->seen[i][j] |= 1u << v;
    else a->seen[i][j] |= 1u;  /* some value outside 1..7 */
}

static void dfs(attacker *a, size_t k)
{
    size_t R = a->R, C = a->C;
    if (k == R * C) {
        int64_t g = 0;
        for (size_t j = 0; j < C; j++) {
            if (a->cs[j] < a->lo[R][j] || a->cs[j] > a->hi[R][j]) return;
            g += a->cs[j];
        }
        if (g < a->lo[R][C] || g > a->hi[R][C]) return;
        for (size_t i = 0; i < R; i++) for (size_t j = 0; j < C; j++) record(a, i, j, a->cell[i][j]);
        for (size_t i = 0; i < R; i++) record(a, i, C, a->rs[i]);
        for (size_t j = 0; j < C; j++) record(a, R, j, a->cs[j]);
        record(a, R, C, g);
        return;
    }
    size_t i = k / C, j = k % C;
    int64_t hi = a->hi[i][j];
    if (hi > a->hi[R][C]) hi = a->hi[R][C];
    for (int64_t v = a->lo[i][j]; v <= hi; v++) {
        if (a->cs[j] + v > a->hi[R][j]) break;
        if (a->rs[i] + v > a->hi[i][C]) break;
        a->cell[i][j] = v; a->rs[i] += v; a->cs[j] += v;
        int ok = 1;
        if (j == C - 1 && (a->rs[i] < a->lo[i][C] || a->rs[i] > a->hi[i][C])) ok = 0;
        if (ok) dfs(a, k + 1);
        a->rs[i] -= v; a->cs[j] -= v;
    }
}

/* Count primary cells the brute-force attacker pins to one value. */
static int brute_exposed(const el_dc_table *t, const el_disclosure_policy *p, int rowtot, int coltot,
                         size_t R, size_t C)
{
    attacker a;
    memset(&a, 0, sizeof a);
    a.R = R; a.C = C;
    bounds_from_output(&a, t, p, rowtot, coltot);
    dfs(&a, 0);
    int exposed = 0;
    for (size_t i = 0; i <= R; i++)
        for (size_t j = 0; j <= C; j++) {
            if (el_dc_table_state(t, i, j) != EL_DC_PRIMARY) continue;
            int64_t truth = el_dc_table_true(t, i, j);
            assert_true(a.seen[i][j] & (1u << truth));      /* the truth is feasible */
            if (__builtin_popcount(a.seen[i][j]) == 1) exposed++;
            /* the exact (flow) attacker agrees with brute force on the range */
            int64_t lo, hi;
            assert_int_equal(el_dc_table_feasible_range(t, p, i, j, &lo, &hi), EL_OK);
            unsigned m = 0;
            for (int64_t v = lo; v <= hi && v <= 7; v++) m |= 1u << v;
            assert_int_equal(m, a.seen[i][j]);
        }
    return exposed;
}

static int64_t draw(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    unsigned r = (*s >> 16) % 100;
    if (r < 30) return 0;
    if (r < 70) return 1 + (*s >> 8) % 7;   /* small: 1..7 */
    return 8 + (*s >> 4) % 12;                /* 8..19 */
}

static void run_brute(const el_disclosure_policy *p, int secondary_expected_safe, int *exposed_total)
{
    static const size_t shapes[][4] = { {3, 1, 0, 1}, {4, 1, 0, 1}, {2, 2, 1, 1}, {2, 3, 1, 1}, {3, 2, 1, 1} };
    unsigned seed = 12345;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t R = shapes[s][0], C = shapes[s][1];
        int rt = (int)shapes[s][2], ct = (int)shapes[s][3];
        int reps = R * C >= 6 ? 40 : 120;
        for (int rep = 0; rep < reps; rep++) {
            el_dc_table *t = el_dc_table_new(R, C, rt, ct);
            assert_non_null(t);
            for (size_t i = 0; i < R; i++) for (size_t j = 0; j < C; j++) el_dc_table_set(t, i, j, draw(&seed));
            assert_int_equal(el_dc_table_protect(t, p, NULL), EL_OK);
            int ex = brute_exposed(t, p, rt, ct, R, C);
            if (secondary_expected_safe) {
                assert_int_equal(ex, 0);
                assert_int_equal(el_dc_table_audit(t, p), 0);
            }
            *exposed_total += ex;
            el_dc_table_free(t);
        }
    }
}

static void test_no_small_count_recoverable(void **st)
{
    (void)st;
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    int ex = 0;
    run_brute(&p, 1, &ex);               /* default: suppress 1-7, round 5 */
    assert_int_equal(ex, 0);
    assert_int_equal(el_disclosure_policy_parse(&p, "round=1", NULL), EL_OK);
    ex = 0;
    run_brute(&p, 1, &ex);               /* no rounding: differencing is exact */
    assert_int_equal(ex, 0);
}

/* The brute-force attacker has teeth: without secondary suppression it does
 * recover small counts by differencing totals. */
static void test_attack_works_without_secondary(void **st)
{
    (void)st;
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    assert_int_equal(el_disclosure_policy_parse(&p, "round=1,secondary=off", NULL), EL_OK);
    int ex = 0;
    run_brute(&p, 0, &ex);
    assert_true(ex > 10);
    /* the textbook case: groups 3, 20, 30 and their total 53 */
    el_dc_table *t = el_dc_table_new(3, 1, 0, 1);
    el_dc_table_set(t, 0, 0, 3); el_dc_table_set(t, 1, 0, 20); el_dc_table_set(t, 2, 0, 30);
    assert_int_equal(el_dc_table_protect(t, &p, NULL), EL_OK);
    assert_int_equal(el_dc_table_audit(t, &p), 1);
    p.secondary = 1;
    assert_int_equal(el_dc_table_protect(t, &p, NULL), EL_OK);
    assert_int_equal(el_dc_table_audit(t, &p), 0);
    assert_int_equal(el_dc_table_state(t, 0, 0), EL_DC_PRIMARY);
    assert_int_equal(el_dc_table_state(t, 1, 0), EL_DC_SECONDARY);   /* the next smallest group */
    assert_int_equal(el_dc_table_published(t, 2, 0), 30);
    assert_int_equal(el_dc_table_published(t, 3, 0), 53);
    el_dc_table_free(t);
}

/* Larger tables (too big to enumerate): the exact flow audit finds nothing. */
static void test_large_tables_audited(void **st)
{
    (void)st;
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    unsigned seed = 777;
    for (int rep = 0; rep < 30; rep++) {
        size_t R = 3 + rep % 5, C = 2 + rep % 4;
        el_dc_table *t = el_dc_table_new(R, C, 1, 1);
        for (size_t i = 0; i < R; i++) for (size_t j = 0; j < C; j++) el_dc_table_set(t, i, j, draw(&seed) * (rep % 3 + 1));
        assert_int_equal(el_dc_table_protect(t, &p, NULL), EL_OK);
        assert_int_equal(el_dc_table_audit(t, &p), 0);
        for (size_t i = 0; i <= R; i++)
            for (size_t j = 0; j <= C; j++) {
                int64_t v = el_dc_table_true(t, i, j);
                if (v >= 1 && v <= 7) assert_int_not_equal(el_dc_table_state(t, i, j), EL_DC_SHOWN);
                if (el_dc_table_state(t, i, j) == EL_DC_SHOWN) assert_int_equal(el_dc_table_published(t, i, j) % 5, 0);
                else assert_int_equal(el_dc_table_published(t, i, j), -1);
            }
        el_dc_table_free(t);
    }
}

/* The audit's fast exact test (residual-graph reachability from the true
 * table) agrees with the max-flow attacker (el_dc_table_feasible_range) on
 * which primary cells are pinned: tables with and without secondary
 * suppression, several policies, one- and two-way shapes up to 6 x 5. */
static void test_audit_matches_flow(void **st)
{
    (void)st;
    static const char *specs[] = {
        "secondary=off", "round=1,secondary=off", "suppress=1-9,round=10,secondary=off",
        "round=100,secondary=off", "suppress=3-7,secondary=off", "suppress=2-4,round=1,secondary=off",
        "round=1", "suppress=3-7", "round=100",
    };
    unsigned seed = 4242;
    size_t pinned_seen = 0;
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        el_disclosure_policy p;
        el_disclosure_policy_default(&p);
        assert_int_equal(el_disclosure_policy_parse(&p, specs[s], NULL), EL_OK);
        for (int rep = 0; rep < 24; rep++) {
            size_t R = 1 + (size_t)rep % 6, C = 1 + (size_t)(rep / 6) % 5;
            int rt = C > 1 && rep % 4 != 0, ct = 1;
            el_dc_table *t = el_dc_table_new(R, C, rt, ct);
            assert_non_null(t);
            for (size_t i = 0; i < R; i++)
                for (size_t j = 0; j < C; j++) el_dc_table_set(t, i, j, draw(&seed) * (rep % 3 + 1));
            assert_int_equal(el_dc_table_protect(t, &p, NULL), EL_OK);
            size_t ref = 0;
            for (size_t i = 0; i <= R; i++)
                for (size_t j = 0; j <= C; j++) {
                    int pub = (i < R && j < C) || (i == R && j == C) || (j == C ? rt : ct);
                    if (!pub || el_dc_table_state(t, i, j) != EL_DC_PRIMARY) continue;
                    int64_t lo, hi;
                    assert_int_equal(el_dc_table_feasible_range(t, &p, i, j, &lo, &hi), EL_OK);
                    assert_true(lo <= el_dc_table_true(t, i, j) && el_dc_table_true(t, i, j) <= hi);
                    if (lo == hi) ref++;
                }
            assert_int_equal(el_dc_table_audit(t, &p), ref);
            if (p.secondary) assert_int_equal(ref, 0);
            pinned_seen += ref;
            el_dc_table_free(t);
        }
    }
    assert_true(pinned_seen > 20);  /* the comparison covered pinned cells too */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_no_small_count_recoverable),
        cmocka_unit_test(test_attack_works_without_secondary),
        cmocka_unit_test(test_large_tables_audited),
        cmocka_unit_test(test_audit_matches_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
