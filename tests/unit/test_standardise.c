/* test_standardise.c — DSR (Dobson), non-independent events, ISR; expected
 * values from PHEindicatormethods 2.1.0 fixtures (tests/golden/data/phe). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/standardise.h"

static void near(double got, double want, double rtol)
{
    double d = fabs(got - want), m = fmax(fabs(got), fabs(want));
    if (d > rtol * m) fail_msg("got %.17g want %.17g", got, want);
}

/* testdata_big from dsr__test_multiarea_esp.csv */
static const double X[19] = {127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91};
static const double N[19] = {636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207};

static void test_dsr(void **st)
{
    (void)st;
    el_dsr_result r;
    assert_int_equal(el_dsr(X, N, NULL, 19, 95, 10000, &r, NULL), EL_OK);
    near(r.total_count, 895, 0); near(r.total_pop, 8970, 0);
    near(r.value, 1043.0247991469423, 1e-12);
    near(r.lower, 971.770906798568, 1e-12); near(r.upper, 1117.894091547925, 1e-12);
    assert_int_equal(el_dsr(X, N, el_esp2013, 19, 99.8, 10000, &r, NULL), EL_OK);
    near(r.lower, 932.32878802199036, 1e-12);
    /* total count < 10: missing, not an error */
    double tiny[19] = {0}; tiny[0] = 9;
    assert_int_equal(el_dsr(tiny, N, NULL, 19, 95, 100000, &r, NULL), EL_OK);
    assert_true(isnan(r.value) && isnan(r.lower) && r.total_count == 9);
}

static void test_dsr_errors(void **st)
{
    (void)st;
    el_error e;
    double x[19], n[19], w[19];
    memcpy(x, X, sizeof x); memcpy(n, N, sizeof n); memcpy(w, el_esp2013, sizeof w);
    x[5] = -26;
    assert_int_equal(el_dsr(x, n, NULL, 19, 95, 1e5, NULL, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 6); assert_string_equal(e.field, "count");
    x[5] = 27; n[1] = 0;
    assert_int_equal(el_dsr(x, n, NULL, 19, 95, 1e5, NULL, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 2); assert_string_equal(e.field, "pop");
    n[1] = NAN;
    assert_int_equal(el_dsr(x, n, NULL, 19, 95, 1e5, NULL, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "missing"));
    n[1] = 558; w[5] = -6000;
    assert_int_equal(el_dsr(x, n, w, 19, 95, 1e5, NULL, &e), EL_ERR_INVALID);
    assert_string_equal(e.field, "stdpop");
    /* 18 bands cannot be matched to ESP2013 */
    assert_int_equal(el_dsr(x, n, NULL, 18, 95, 1e5, NULL, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "19"));
}

static void test_dsr_nonind(void **st)
{
    (void)st;
    /* two bands; persons with 1 and 2 events: events = 10 + 2*5 = 20 and 30 */
    double n[2] = {1000, 2000}, w[2] = {1, 1};
    size_t band[4] = {0, 0, 1, 1};
    double f[4] = {1, 2, 1, 3}, p[4] = {10, 5, 0, 10};
    el_dsr_result r;
    assert_int_equal(el_dsr_nonind(n, w, 2, band, f, p, 4, 95, 1, &r, NULL), EL_OK);
    near(r.total_count, 50, 0);
    near(r.value, (20.0 / 1000 + 30.0 / 2000) / 2, 1e-15);
    near(r.variance, (10 * 1e-6 + 4 * 5 * 1e-6 + 9 * 10 * 0.25e-6) / 4, 1e-14);
    /* with every person having one event it equals the independent DSR */
    double f1[2] = {1, 1}, p1[2] = {20, 30}, x[2] = {20, 30};
    size_t b1[2] = {0, 1};
    el_dsr_result a, b;
    assert_int_equal(el_dsr_nonind(n, w, 2, b1, f1, p1, 2, 95, 1, &a, NULL), EL_OK);
    assert_int_equal(el_dsr(x, n, w, 2, 95, 1, &b, NULL), EL_OK);
    near(a.lower, b.lower, 1e-14); near(a.upper, b.upper, 1e-14);
    el_error e;
    size_t badband[1] = {5};
    assert_int_equal(el_dsr_nonind(n, w, 2, badband, f1, p1, 1, 95, 1, &r, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 1);
}

static void test_isr(void **st)
{
    (void)st;
    static const double XR[19] = {10303, 2824, 0, 3615, 3641, 3490, 3789, 3213, 3031, 2771, 3089, 3490, 3595, 4745, 5514, 7125, 5694, 6210, 5757};
    static const double NR[19] = {50520, 57173, 60213, 54659, 44345, 50128, 62163, 67423, 62899, 55463, 60479, 49974, 44140, 40888, 37239, 30819, 18136, 15325, 13918};
    el_isr_result r;
    assert_int_equal(el_isr(X, N, XR, NR, 19, NAN, EL_ISR_RATE, 100000, 95, &r, NULL), EL_OK);
    near(r.expected, 835.88356123117433, 1e-13);
    near(r.ref_rate, 9349.88309221102, 1e-12);
    near(r.value, 10011.137622091057, 1e-12);
    near(r.lower, 9365.91600297888, 1e-12); near(r.upper, 10689.097582910616, 1e-12);
    assert_int_equal(r.method, EL_CI_BYAR);
    /* observed total given separately (x not needed), exact limits below 10 */
    assert_int_equal(el_isr(NULL, N, XR, NR, 19, 9, EL_ISR_RATIO, 100, 99.8, &r, NULL), EL_OK);
    near(r.value, 1.0767049882813684, 1e-12);
    near(r.lower, 0.2933930655068262, 1e-12); near(r.upper, 2.7105896514690211, 1e-12);
    assert_int_equal(r.method, EL_CI_EXACT);
    el_error e;
    double nn[19]; memcpy(nn, N, sizeof nn); nn[3] = -1;
    assert_int_equal(el_isr(X, nn, XR, NR, 19, NAN, EL_ISR_RATIO, 1, 95, &r, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dsr),
        cmocka_unit_test(test_dsr_errors),
        cmocka_unit_test(test_dsr_nonind),
        cmocka_unit_test(test_isr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
