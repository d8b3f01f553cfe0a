/* test_quantile_funnel.c — PHE quantile assignment and funnel limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/funnel.h"
#include "equitylens/quantile.h"

static void test_quantiles(void **st)
{
    (void)st;
    double v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    int q[10], few;
    assert_int_equal(el_quantile_assign(v, 10, 5, 0, NULL, q, &few, NULL), EL_OK);
    int want[10] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (int i = 0; i < 10; i++) assert_int_equal(q[i], want[i]);
    /* invert: highest value → quantile 1 */
    assert_int_equal(el_quantile_assign(v, 10, 5, 1, NULL, q, &few, NULL), EL_OK);
    assert_int_equal(q[9], 1); assert_int_equal(q[0], 5);
    /* ties share the minimum rank; missing values get 0 */
    double t[6] = {5, 5, 5, 1, NAN, 2};
    assert_int_equal(el_quantile_assign(t, 6, 2, 0, NULL, q, &few, NULL), EL_OK);
    assert_int_equal(q[4], 0);
    assert_int_equal(q[0], q[1]); assert_int_equal(q[1], q[2]);
    assert_int_equal(q[3], 1);
    /* too few values: all 0 and flagged */
    assert_int_equal(el_quantile_assign(v, 3, 5, 0, NULL, q, &few, NULL), EL_OK);
    assert_int_equal(few, 1); assert_int_equal(q[0], 0);
    /* polarity must be constant within the group */
    int inv[4] = {1, 1, 0, 1};
    el_error e;
    assert_int_equal(el_quantile_assign(v, 4, 2, 1, inv, q, &few, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 3);
    assert_int_equal(el_quantile_assign(v, 4, 1, 1, NULL, q, &few, &e), EL_ERR_INVALID);
}

static void test_funnel_prop(void **st)
{
    (void)st;
    /* the limit is where the Wilson interval of the limit touches the average */
    double av = 0.8, n = 5000;
    double lo = el_funnel_prop_limit(0.975, n, av, -1, 1), hi = el_funnel_prop_limit(0.975, n, av, 1, 1);
    assert_true(lo < av && av < hi);
    double z = 1.959963984540054, x = lo * n;
    double wu = (2 * x + z * z + z * sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z));
    assert_true(fabs(wu - av) < 1e-12);
    double xs[3] = {35078.488, 24803.6256, 50050.7443}, ns[3] = {41980, 31824, 61921};
    el_funnel_point pts[EL_FUNNEL_POINTS];
    double base;
    assert_int_equal(el_funnel_prop_table(xs, ns, 3, 100, pts, &base, NULL), EL_OK);
    assert_true(pts[0].population >= 1);
    for (int j = 1; j < EL_FUNNEL_POINTS; j++) {
        assert_true(pts[j].population > pts[j - 1].population);
        assert_true(pts[j].upper2 <= pts[j - 1].upper2 + 1e-12);
        assert_true(pts[j].lower3 <= pts[j].lower2 && pts[j].upper2 <= pts[j].upper3);
    }
    assert_int_equal(el_funnel_prop_significance(24803.6256, 31824, base), EL_FUNNEL_LOW_0001);
    assert_string_equal(el_funnel_sig_name(EL_FUNNEL_HIGH_0025), "High (0.025)");
    el_error e;
    double bad[1] = {5}, badn[1] = {4};
    assert_int_equal(el_funnel_prop_table(bad, badn, 1, 100, pts, NULL, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 1);
}

static void test_funnel_poisson(void **st)
{
    (void)st;
    double lo, hi;
    assert_int_equal(el_funnel_poisson_limits(20, 0.975, &lo, &hi, NULL), EL_OK);
    assert_true(lo < 20 && hi > 20);
    assert_int_equal(el_funnel_poisson_limits(0, 0.975, &lo, &hi, NULL), EL_ERR_INVALID);
    double x[2] = {30, 80}, n[2] = {10000, 20000};
    el_funnel_point pts[EL_FUNNEL_POINTS];
    double target;
    assert_int_equal(el_funnel_poisson_table(x, n, 2, 0, 100000, pts, &target, NULL), EL_OK);
    assert_true(fabs(target - 110.0 / 30000 * 1e5) < 1e-9);
    assert_int_equal(el_funnel_poisson_significance(300, 10000, 0, target, 100000), EL_FUNNEL_HIGH_0001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_funnel_prop),
        cmocka_unit_test(test_funnel_poisson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
