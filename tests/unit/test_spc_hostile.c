/* test_spc_hostile.c — regression tests (owner: qa) for SPC on hostile
 * series: values near DBL_MAX used to give limits of -inf/+inf and a chart of
 * nonsense; now an error naming the segment. A one-point series says so
 * (not "rebase segment"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/spc.h"

static void test_overflowing_values_refused(void **st)
{
    (void)st;
    double y[19];
    for (int i = 0; i < 19; i++) y[i] = i % 2 ? -1e308 : 1e308;
    el_spc_point p[19];
    el_spc_summary s;
    el_error e;
    el_error_clear(&e);
    assert_int_equal(el_spc_compute(y, NULL, 19, NULL, p, &s, &e), EL_ERR_RANGE);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "overflow"));
    /* large but representable values still chart */
    for (int i = 0; i < 19; i++) y[i] = (i % 2 ? -1 : 1) * 1e300;
    assert_int_equal(el_spc_compute(y, NULL, 19, NULL, p, &s, &e), EL_OK);
    assert_true(p[0].upl > 1e300 && p[0].lpl < -1e300);
}

static void test_overflow_in_second_segment_names_it(void **st)
{
    (void)st;
    double y[6] = {1, 2, 3, 1e308, -1e308, 1e308};
    unsigned char reb[6] = {0, 0, 0, 1, 0, 0};
    el_spc_point p[6];
    el_spc_summary s;
    el_error e;
    el_error_clear(&e);
    assert_int_equal(el_spc_compute(y, reb, 6, NULL, p, &s, &e), EL_ERR_RANGE);
    assert_int_equal(e.line, 4);
}

static void test_one_point(void **st)
{
    (void)st;
    double y[1] = {5};
    el_spc_point p[1];
    el_spc_summary s;
    el_error e;
    el_error_clear(&e);
    assert_int_equal(el_spc_compute(y, NULL, 1, NULL, p, &s, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "only one point"));
    assert_null(strstr(e.msg, "rebase"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overflowing_values_refused),
        cmocka_unit_test(test_overflow_in_second_segment_names_it),
        cmocka_unit_test(test_one_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
