/* test_spc.c — the SPC rules against the reference's own rule-level vectors
 * (tests/golden/data/spc/rule_*.csv, copied from NHSRplotthedots 0.2.2 and
 * nhspy-plotthedots tests), plus limits, precedence and the divergence options.
 * Run from the repository root (make check does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "equitylens/csv.h"
#include "equitylens/parse.h"
#include "equitylens/spc.h"

#define DIR "tests/golden/data/spc/"

static size_t split_ints(const char *s, int *out, size_t cap)
{
    size_t n = 0;
    char *dup = strdup(s), *save = NULL;
    for (char *t = strtok_r(dup, ";", &save); t && n < cap; t = strtok_r(NULL, ";", &save)) out[n++] = atoi(t);
    free(dup);
    return n;
}

static size_t split_dbl(const char *s, double *out, size_t cap)
{
    size_t n = 0;
    char *dup = strdup(s), *save = NULL;
    for (char *t = strtok_r(dup, ";", &save); t && n < cap; t = strtok_r(NULL, ";", &save)) out[n++] = atof(t);
    free(dup);
    return n;
}

typedef void (*case_fn)(el_csv *c, int *ncases);

static void each_case(const char *file, case_fn fn)
{
    el_error e;
    el_csv *c = el_csv_open(file, NULL, &e);
    assert_non_null(c);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);  /* header */
    int n = 0;
    while (el_csv_next(c, &e) == EL_CSV_ROW) fn(c, &n);
    assert_true(n > 3);
    el_csv_close(c);
}

static void run_case(el_csv *c, int *n)
{
    int in[128], exp[128], got[128];
    size_t k = split_ints(el_csv_field(c, 3), in, 128);
    assert_int_equal(split_ints(el_csv_field(c, 4), exp, 128), k);
    el_spc_rule_run(in, k, 7, got);
    for (size_t i = 0; i < k; i++) assert_int_equal(got[i], exp[i]);
    (*n)++;
}
static void test_rule_run(void **st) { (void)st; each_case(DIR "rule_seven_point_one_side_mean.csv", run_case); }

static void trend_case(el_csv *c, int *n)
{
    double y[128]; int exp[128], got[128];
    size_t k = split_dbl(el_csv_field(c, 3), y, 128);
    assert_int_equal(split_ints(el_csv_field(c, 4), exp, 128), k);
    el_spc_rule_trend(y, k, 7, got);
    for (size_t i = 0; i < k; i++) assert_int_equal(got[i], exp[i]);
    (*n)++;
}
static void test_rule_trend(void **st) { (void)st; each_case(DIR "rule_seven_point_trend.csv", trend_case); }

static void partof_case(el_csv *c, int *n)
{
    int in[128], exp[128], got[128];
    size_t k = split_ints(el_csv_field(c, 3), in, 128);
    assert_int_equal(split_ints(el_csv_field(c, 4), exp, 128), k);
    el_spc_part_of(in, k, 7, got);
    for (size_t i = 0; i < k; i++) assert_int_equal(got[i], exp[i]);
    (*n)++;
}
static void test_part_of_seven(void **st)
{
    (void)st;
    el_error e;
    el_csv *c = el_csv_open(DIR "rule_part_of_seven.csv", NULL, &e);
    assert_non_null(c);
    el_csv_next(c, &e);
    int n = 0;
    while (el_csv_next(c, &e) == EL_CSV_ROW) partof_case(c, &n);
    assert_int_equal(n, 5);
    el_csv_close(c);
}

static void window_case(el_csv *c, int *n)
{
    int cl[128], rtm[128], exp[128], got[128];
    size_t k = split_ints(el_csv_field(c, 3), cl, 128);
    assert_int_equal(split_ints(el_csv_field(c, 4), rtm, 128), k);
    assert_int_equal(split_ints(el_csv_field(c, 5), exp, 128), k);
    el_spc_two_in_three_window(cl, rtm, k, got);
    for (size_t i = 0; i < k; i++) assert_int_equal(got[i], exp[i]);
    (*n)++;
}
static void test_two_in_three(void **st) { (void)st; each_case(DIR "rule_two_in_three.csv", window_case); }

static void part23_case(el_csv *c, int *n)
{
    int cl[128], rtm[128], exp[128], w[128];
    size_t k = split_ints(el_csv_field(c, 3), cl, 128);
    assert_int_equal(split_ints(el_csv_field(c, 4), rtm, 128), k);
    assert_int_equal(split_ints(el_csv_field(c, 5), exp, 128), k);
    el_spc_two_in_three_window(cl, rtm, k, w);
    for (size_t i = 0; i < k; i++) assert_int_equal(w[i] && cl[i], exp[i]);
    (*n)++;
}
static void test_part_of_two_in_three(void **st) { (void)st; each_case(DIR "rule_part_of_two_in_three.csv", part23_case); }

static void test_limits_and_precedence(void **st)
{
    (void)st;
    /* 1..10 then a drop: trend of 10 increasing points, last point below LCL */
    double y[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -40};
    el_spc_point p[12]; el_spc_summary s; el_spc_opts o; el_error e;
    el_spc_opts_default(&o);
    o.direction = EL_SPC_DECREASE;
    assert_int_equal(el_spc_compute(y, NULL, 12, &o, p, &s, &e), EL_OK);
    assert_int_equal(p[0].cause, EL_SPC_CAUSE_TREND_INCREASING);
    assert_int_equal(p[0].point_type, EL_SPC_POINT_CONCERN);   /* increasing is bad when lower is better */
    assert_int_equal(p[11].cause, EL_SPC_CAUSE_BELOW_LCL);      /* outside beats trend */
    assert_int_equal(s.variation, EL_SPC_VAR_IMPROVEMENT_LOW);
    assert_int_equal(s.short_series, 1);
    /* mean and limits by hand: AMR after screening */
    double mean = 0; for (int i = 0; i < 12; i++) mean += y[i]; mean /= 12;
    assert_true(fabs(p[5].mean - mean) < 1e-12);
}

static void test_options_rebase_and_errors(void **st)
{
    (void)st;
    double y[26]; unsigned char reb[26] = {0};
    for (int i = 0; i < 26; i++) y[i] = (i < 13 ? 10 : 20) + (i % 3);
    reb[13] = 1;
    el_spc_point p[26]; el_spc_summary s; el_spc_opts o; el_error e;
    el_spc_opts_default(&o);
    assert_int_equal(el_spc_compute(y, reb, 26, &o, p, &s, &e), EL_OK);
    assert_int_equal(p[0].segment, 0);
    assert_int_equal(p[25].segment, 1);
    assert_true(fabs(p[0].mean - 11.0) < 0.1 && fabs(p[25].mean - 21.0) < 0.1);
    assert_int_equal(s.n_last_segment, 13);
    /* run length 6: six points above the mean are a run */
    int rtm[6] = {1, 1, 1, 1, 1, 1}, out[6];
    el_spc_rule_run(rtm, 6, 6, out);
    assert_int_equal(out[5], 1);
    el_spc_rule_run(rtm, 6, 7, out);
    assert_int_equal(out[5], 0);
    /* errors name the point */
    double bad[3] = {1, NAN, 2};
    assert_int_equal(el_spc_compute(bad, NULL, 3, &o, p, &s, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 2);
    reb[1] = 1;
    assert_int_equal(el_spc_compute(y, reb, 26, &o, p, &s, &e), EL_ERR_INVALID);  /* 1-point segment */
    /* two-in-three beyond option: a point beyond 3 sigma counts as close */
    double z[20] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 5, 5};
    o.two_in_three_beyond = 1;
    assert_int_equal(el_spc_compute(z, NULL, 20, &o, p, &s, &e), EL_OK);
    assert_int_equal(p[18].close_to_limits, 1);
    o.two_in_three_beyond = 0;
    assert_int_equal(el_spc_compute(z, NULL, 20, &o, p, &s, &e), EL_OK);
    assert_int_equal(p[18].close_to_limits, 0);
    assert_int_equal(el_spc_assurance_of(1, 3, 4, EL_SPC_INCREASE), EL_SPC_ASSURE_FAIL);
    assert_int_equal(el_spc_assurance_of(5, 7, 4, EL_SPC_DECREASE), EL_SPC_ASSURE_FAIL);
    assert_int_equal(el_spc_assurance_of(1, 5, 4, EL_SPC_NEUTRAL), EL_SPC_ASSURE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_run),
        cmocka_unit_test(test_rule_trend),
        cmocka_unit_test(test_part_of_seven),
        cmocka_unit_test(test_two_in_three),
        cmocka_unit_test(test_part_of_two_in_three),
        cmocka_unit_test(test_limits_and_precedence),
        cmocka_unit_test(test_options_rebase_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
