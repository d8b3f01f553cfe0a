/* test_ci.c — unit tests for distrib.h and ci.h (expected values from
 * PHEindicatormethods 2.1.0 test fixtures, tests/golden/data/phe). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/ci.h"
#include "equitylens/distrib.h"

static void near(double got, double want, double rtol)
{
    if (isnan(want)) { assert_true(isnan(got)); return; }
    double d = fabs(got - want), m = fmax(fabs(got), fabs(want));
    if (d > rtol * m) fail_msg("got %.17g want %.17g", got, want);
}

static void test_distrib(void **st)
{
    (void)st;
    near(el_norm_quantile(0.975), 1.959963984540054, 1e-14);
    near(el_norm_cdf(1.959963984540054), 0.975, 1e-14);
    near(el_t_quantile(0.975, 7), 2.3646242515927849, 1e-12);
    near(el_chisq_quantile(0.025, 2), 0.050635615968579746, 1e-13);
    near(el_chisq_quantile(0.999, 12), 32.909490407360323, 1e-13);
    /* large df (GSL's own inverse can abort here): check by the CDF */
    near(el_chisq_cdf(el_chisq_quantile(0.001, 400000), 400000), 0.001, 1e-9);
    near(el_chisq_quantile(0.001, 400000), 397241.71, 1e-7);
    assert_true(el_chisq_quantile(0.5, 0) == 0.0);
    assert_true(isnan(el_chisq_quantile(1.5, 3)));
    assert_true(isnan(el_norm_quantile(-0.1)));
    near(el_chisq_cdf(el_chisq_quantile(0.3, 5.5), 5.5), 0.3, 1e-13);
    near(el_poisson_cdf(3, 2.5), 0.7575761331330659, 1e-12);
    double l;
    assert_int_equal(el_confidence_level(95, &l, NULL), EL_OK); near(l, 0.95, 0);
    assert_int_equal(el_confidence_level(0.998, &l, NULL), EL_OK); near(l, 0.998, 0);
    el_error e;
    assert_int_equal(el_confidence_level(0, &l, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "confidence"));
    assert_int_equal(el_confidence_level(120, &l, NULL), EL_ERR_INVALID);
    near(el_z_for_confidence(99.8), 3.090232306167813, 1e-13);
}

static void test_byar_wilson(void **st)
{
    (void)st;
    double lo, hi;
    assert_int_equal(el_byar(65, 95, &lo, &hi, NULL), EL_OK);
    near(lo, 50.163187710459454, 1e-12); near(hi, 82.849138545939837, 1e-12);
    assert_int_equal(el_byar(1045, 0.998, &lo, &hi, NULL), EL_OK);
    near(lo, 947.94070356103737, 1e-12); near(hi, 1148.8061609880331, 1e-12);
    assert_int_equal(el_byar(1, 99.8, &lo, &hi, NULL), EL_OK);
    assert_true(isnan(lo)); near(hi, 9.362180217908362, 1e-12);   /* negative lower → missing */
    assert_int_equal(el_wilson(0.445, 1, 95, &lo, &hi, NULL), EL_OK);
    near(lo, 0.043817447720588223, 1e-12); near(hi, 0.93346212769791559, 1e-12);
    assert_int_equal(el_wilson(5, 10, 100, &lo, &hi, NULL), EL_OK);
    assert_true(lo == 0.0 && hi == 1.0);
    el_error e;
    assert_int_equal(el_wilson(11, 10, 95, &lo, &hi, &e), EL_ERR_INVALID);
    assert_true(isnan(lo));
    assert_int_equal(el_byar(-1, 95, &lo, &hi, &e), EL_ERR_INVALID);
    assert_int_equal(el_exact_poisson(0, 95, &lo, &hi, NULL), EL_OK);
    assert_true(lo == 0.0); near(hi, 3.6888794541139354, 1e-12);
}

static void test_indicators(void **st)
{
    (void)st;
    el_estimate e;
    el_error err;
    assert_int_equal(el_proportion_ci(9856, 12345, 95, 100, &e, NULL), EL_OK);
    near(e.value, 79.837991089509913, 1e-14);
    near(e.lower, 79.1210175290907, 1e-12); near(e.upper, 80.536400736149091, 1e-12);
    assert_int_equal(e.method, EL_CI_WILSON);
    assert_int_equal(el_proportion_ci(NAN, 100, 95, 1, &e, NULL), EL_OK);   /* missing in, missing out */
    assert_true(isnan(e.value) && isnan(e.lower) && e.method == EL_CI_NONE);
    assert_int_equal(el_rate_ci(5, 100, 99.8, 100000, &e, NULL), EL_OK);
    near(e.lower, 739.37173191783893, 1e-12); near(e.upper, 16454.745203680104, 1e-12);
    assert_string_equal(el_ci_method_name(e.method), "Exact");
    assert_int_equal(el_rate_ci(250, 220, 95, 100000, &e, NULL), EL_OK);   /* x > n allowed for rates */
    near(e.lower, 99984.947385328764, 1e-12);
    assert_string_equal(el_ci_method_name(e.method), "Byars");
    assert_int_equal(el_rate_ci(5, 0, 95, 100000, &e, &err), EL_ERR_INVALID);
    assert_non_null(strstr(err.msg, "denominator"));
    assert_int_equal(el_mean_ci(53.704345000000011, 20.975575257709309, 8, 95, &e, NULL), EL_OK);
    near(e.lower, 36.168325241336504, 1e-12); near(e.upper, 71.240364758663517, 1e-12);
    double v[] = {1, 2, 3, NAN}, sum, sd;
    assert_int_equal(el_mean_ci_values(v, 3, 95, &e, &sum, &sd, NULL), EL_OK);
    near(sum, 6, 0); near(sd, 1, 1e-15); near(e.value, 2, 1e-15);
    assert_int_equal(el_mean_ci_values(v, 4, 95, &e, NULL, NULL, &err), EL_ERR_INVALID);
    assert_int_equal(err.line, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distrib),
        cmocka_unit_test(test_byar_wilson),
        cmocka_unit_test(test_indicators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
