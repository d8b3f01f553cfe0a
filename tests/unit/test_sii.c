/* test_sii.c — SII/RII: closed-form fit, simulation reproducibility, speed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "equitylens/sii.h"

/* area1 of sii__SII_test_data.csv rows 1-10 (life expectancy, SE given) */
static const double POP[10] = {7291, 7997, 6748, 6356, 6377, 6487, 6521, 6645, 6771, 6796};

static void fill(el_sii_row *r, int n, double slope)
{
    for (int i = 0; i < n; i++) {
        r[i].quantile = i + 1;
        r[i].population = POP[i % 10];
        r[i].value = 70 + slope * i;
        r[i].count = NAN;
        r[i].se = 0.5;
        r[i].lower = r[i].upper = NAN;
    }
}

static void test_exact_line(void **st)
{
    (void)st;
    /* equal populations and an exactly linear gradient: SII = the gradient over ranks 0..1 */
    el_sii_row r[10];
    fill(r, 10, 1.0);
    for (int i = 0; i < 10; i++) r[i].population = 100;
    el_sii_opts o;
    el_sii_opts_default(&o);
    o.repetitions = 1000;
    el_sii_result res;
    assert_int_equal(el_sii(r, 10, &o, &res, NULL), EL_OK);
    /* value = 70 + i, rank b = (i + 0.5)/10 → value = 69.5 + 10 b */
    assert_true(fabs(res.sii - 10.0) < 1e-10);
    assert_true(fabs(res.intercept - 69.5) < 1e-10);
    assert_true(fabs(res.rii - 79.5 / 69.5) < 1e-12);
    assert_true(res.sii_lower[0] < 10.0 && 10.0 < res.sii_upper[0]);
    /* order of rows does not matter (sorted by quantile label) */
    el_sii_row rev[10];
    for (int i = 0; i < 10; i++) rev[i] = r[9 - i];
    el_sii_result res2;
    assert_int_equal(el_sii(rev, 10, &o, &res2, NULL), EL_OK);
    assert_true(fabs(res2.sii - res.sii) < 1e-12);
    /* negative multiplier flips SII and inverts RII, limits swapped */
    o.multiplier = -1;
    assert_int_equal(el_sii(r, 10, &o, &res2, NULL), EL_OK);
    assert_true(fabs(res2.sii + 10.0) < 1e-10);
    assert_true(fabs(res2.rii - 69.5 / 79.5) < 1e-12);
    assert_true(fabs(res2.sii_lower[0] + res.sii_upper[0]) < 1e-9);
}

static void test_reproducible_and_fast(void **st)
{
    (void)st;
    el_sii_row r[10];
    fill(r, 10, -0.8);
    el_sii_opts o;
    el_sii_opts_default(&o);
    o.seed = 12345;
    o.nconf = 2; o.confidence[0] = 95; o.confidence[1] = 99.8;
    el_sii_result a, b;
    clock_t t0 = clock();
    assert_int_equal(el_sii(r, 10, &o, &a, NULL), EL_OK);   /* 100,000 repetitions */
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("100000 SII repetitions on 10 quantiles: %.3f s CPU\n", secs);
    assert_true(secs < 1.0);
    assert_int_equal(el_sii(r, 10, &o, &b, NULL), EL_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.sii_lower[1] < a.sii_lower[0] && a.sii_upper[0] < a.sii_upper[1]);
    o.seed = 1;
    assert_int_equal(el_sii(r, 10, &o, &b, NULL), EL_OK);
    assert_true(a.sii == b.sii && a.sii_lower[0] != b.sii_lower[0]);
}

static void test_types_and_errors(void **st)
{
    (void)st;
    el_sii_row r[10];
    fill(r, 10, 0.01);
    el_sii_opts o;
    el_sii_opts_default(&o);
    o.repetitions = 1000;
    el_error e;
    el_sii_result res;
    /* proportions from counts, se from 95% limits on the logit scale */
    o.value_type = EL_SII_PROPORTION;
    for (int i = 0; i < 10; i++) {
        r[i].value = NAN; r[i].count = 0.1 * POP[i] * (1 + 0.05 * i); r[i].se = NAN;
        double p = r[i].count / POP[i];
        r[i].lower = p * 0.9; r[i].upper = p * 1.1;
    }
    assert_int_equal(el_sii(r, 10, &o, &res, &e), EL_OK);
    assert_true(res.sii > 0 && res.rii > 1);
    o.transform = 1;
    el_sii_result tr;
    assert_int_equal(el_sii(r, 10, &o, &tr, &e), EL_OK);
    assert_true(fabs(tr.sii - (tr.rii * tr.intercept - tr.intercept)) < 1e-12);
    o.transform = 0;
    r[3].upper = 1.5;
    assert_int_equal(el_sii(r, 10, &o, &res, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 4);
    r[3].upper = 0.2; r[6].population = 0;
    assert_int_equal(el_sii(r, 10, &o, &res, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 7); assert_string_equal(e.field, "population");
    r[6].population = 100;
    assert_int_equal(el_sii(r, 4, &o, &res, &e), EL_ERR_INVALID);     /* too few quantiles */
    r[2].quantile = 2;
    assert_int_equal(el_sii(r, 10, &o, &res, &e), EL_ERR_INVALID);    /* duplicate quantile */
    r[2].quantile = 3;
    o.repetitions = 10;
    assert_int_equal(el_sii(r, 10, &o, &res, &e), EL_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_line),
        cmocka_unit_test(test_reproducible_and_fast),
        cmocka_unit_test(test_types_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
