/* test_inequality.c — unit tests for the WHO summary measures (inequality.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/inequality.h"
#include "../../src/core/inequality_impl.h"   /* el_ineq_quantile_select */

static int rel_close(double a, double b, double tol) { return fabs(a - b) <= tol * fabs(b) + 1e-300; }
#define REL(a, b, tol) assert_true(rel_close((a), (b), (tol)))

/* healthequal's test frame test__ordered5. */
static const double O5_POP[] = {78, 91, 162, 103, 105};
static const double O5_EST[] = {20, 30, 40, 50, 60};
static const double O5_SE[] = {5, 7, 10, 12, 14};

static void fill(el_ineq_subgroup *g, size_t n, const double *est, const double *se,
                 const double *pop, int ordered)
{
    for (size_t i = 0; i < n; i++) {
        memset(&g[i], 0, sizeof g[i]);
        g[i].label = "g";
        g[i].line = (long)i + 2;
        g[i].est = est[i];
        g[i].se = se ? se[i] : NAN;
        g[i].pop = pop ? pop[i] : NAN;
        g[i].order = ordered ? (double)i + 1 : NAN;
    }
}

static el_ineq_block blk(int fav, int ordered, double scale)
{
    el_ineq_block b = {.favourable = fav, .ordered = ordered, .scale = scale, .setting_average = NAN};
    return b;
}

static void test_names(void **st)
{
    (void)st;
    el_ineq_measure m;
    for (int i = 0; i < EL_INEQ_COUNT; i++) {
        assert_int_equal(el_ineq_measure_parse(el_ineq_measure_name((el_ineq_measure)i), &m), 0);
        assert_int_equal(m, i);
    }
    assert_int_equal(el_ineq_measure_parse("THEIL", &m), 0);
    assert_int_equal(m, EL_INEQ_TI);
    assert_int_equal(el_ineq_measure_parse("gini", &m), -1);
    uint32_t mask;
    el_error e;
    assert_int_equal(el_ineq_measures_parse("d, SII,mld", &mask, &e), EL_OK);
    assert_int_equal(mask, EL_INEQ_BIT(EL_INEQ_D) | EL_INEQ_BIT(EL_INEQ_SII) | EL_INEQ_BIT(EL_INEQ_MLD));
    assert_int_equal(el_ineq_measures_parse("all", &mask, &e), EL_OK);
    assert_int_equal(mask, EL_INEQ_ALL);
    assert_int_equal(el_ineq_measures_parse("d,nope", &mask, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "nope"));
    assert_int_equal(el_ineq_measures_parse("", &mask, &e), EL_ERR_INVALID);
    assert_int_equal(el_ineq_measure_applies(EL_INEQ_SII), 1);
    assert_int_equal(el_ineq_measure_applies(EL_INEQ_BGV), 2);
    assert_int_equal(el_ineq_measure_applies(EL_INEQ_PAF), 3);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quickselect quantiles equal the sorted type-7 quantiles exactly, ties included. */
static void test_quantile_select(void **st)
{
    (void)st;
    double a[257], b[257];
    uint32_t s = 12345;
    const double ps[] = {0, 0.025, 0.5, 0.975, 1};
    for (size_t n = 1; n <= 257; n += 32) {
        for (int rep = 0; rep < 4; rep++) {
            for (size_t i = 0; i < n; i++) {
                s = s * 1664525u + 1013904223u;
                a[i] = rep == 3 ? (double)(s >> 29) : (double)(s >> 8) / 16777216.0;   /* rep 3: many ties */
            }
            memcpy(b, a, n * sizeof *a);
            qsort(b, n, sizeof *b, cmp_d);
            for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
                double t[257];
                memcpy(t, a, n * sizeof *a);
                assert_true(el_ineq_quantile_select(t, n, ps[k]) == el_ineq_quantile7(b, n, ps[k]));
            }
        }
    }
    assert_true(isnan(el_ineq_quantile_select(a, 0, 0.5)));
}

static void test_quantile7_and_scale(void **st)
{
    (void)st;
    const double x[] = {1, 2, 3, 4};
    REL(el_ineq_quantile7(x, 4, 0.5), 2.5, 1e-15);
    REL(el_ineq_quantile7(x, 4, 0.025), 1.075, 1e-15);
    REL(el_ineq_quantile7(x, 4, 1.0), 4, 1e-15);
    assert_true(isnan(el_ineq_quantile7(x, 0, 0.5)));
    el_ineq_subgroup g[2];
    const double e1[] = {0.2, 0.9}, e2[] = {5, 60}, e3[] = {5, 350}, e4[] = {5, 2e7};
    el_ineq_block b = blk(1, 0, NAN);
    fill(g, 2, e1, NULL, NULL, 0); assert_true(el_ineq_scale(&b, g, 2) == 1);
    fill(g, 2, e2, NULL, NULL, 0); assert_true(el_ineq_scale(&b, g, 2) == 100);
    fill(g, 2, e3, NULL, NULL, 0); assert_true(el_ineq_scale(&b, g, 2) == 1000);
    fill(g, 2, e4, NULL, NULL, 0); assert_true(el_ineq_scale(&b, g, 2) == 1e6);
    b.scale = 1000;
    assert_true(el_ineq_scale(&b, g, 2) == 1000);
}

/* The anchors of healthequal's tests (docs/methods/who.md). */
static void test_ordered_anchor(void **st)
{
    (void)st;
    el_ineq_subgroup g[5];
    fill(g, 5, O5_EST, O5_SE, O5_POP, 1);
    el_ineq_block b = blk(1, 1, 100);
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    o.sii_method = EL_SII_HEALTHEQUAL;
    el_error e;
    el_ineq_ctx *c = el_ineq_ctx_new(&o, &e);
    assert_non_null(c);
    el_ineq_result r[EL_INEQ_COUNT];
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_OK);
    REL(r[EL_INEQ_ACI].est, 7.3284202, 1e-7);
    REL(r[EL_INEQ_ACI].se, 0.29368517, 1e-6);
    REL(r[EL_INEQ_RCI].est, 0.17776859, 1e-6);
    REL(r[EL_INEQ_SII].est, 44.44502, 1e-6);
    REL(r[EL_INEQ_SII].se, 100 * 0.02190822, 1e-6);     /* reported on the indicator scale */
    REL(r[EL_INEQ_RII].est, 3.159506, 1e-6);
    REL(r[EL_INEQ_RII].se, 0.07644001, 1e-6);
    assert_int_equal(r[EL_INEQ_RII].ci, EL_INEQ_CI_NORMAL_LOG);
    REL(r[EL_INEQ_PAF].est, 45.544548, 1e-6);
    REL(r[EL_INEQ_PAF].se, 100 * 0.10689361, 1e-6);     /* healthequal: fraction scale */
    REL(r[EL_INEQ_PAR].est, 18.775509, 1e-6);
    REL(r[EL_INEQ_PAR].se, 4.4066348, 1e-6);
    /* D and R: most advantaged (order 5) vs most disadvantaged (order 1). */
    REL(r[EL_INEQ_D].est, 40, 1e-15);
    REL(r[EL_INEQ_D].se, sqrt(14 * 14 + 5 * 5), 1e-15);
    REL(r[EL_INEQ_R].est, 3, 1e-15);
    assert_int_equal(r[EL_INEQ_BGV].state, EL_INEQ_NOT_APPLICABLE);
    assert_int_equal(r[EL_INEQ_D].state, EL_INEQ_OK);

    /* The default logistic fit weights populations once: a different SII. */
    el_ineq_ctx_free(c);
    c = el_ineq_ctx_new(NULL, &e);
    el_ineq_result d[EL_INEQ_COUNT];
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_BIT(EL_INEQ_SII), d, &e), EL_OK);
    assert_true(fabs(d[EL_INEQ_SII].est - r[EL_INEQ_SII].est) > 0.1);
    assert_int_equal(d[EL_INEQ_ACI].state, EL_INEQ_SKIPPED);

    /* ... and is invariant to the population's unit; shuffled input rows are sorted by order. */
    el_ineq_subgroup h[5];
    for (int i = 0; i < 5; i++) { h[i] = g[4 - i]; h[i].pop = g[4 - i].pop / 539.0; }
    el_ineq_result s[EL_INEQ_COUNT];
    assert_int_equal(el_ineq_compute(c, &b, h, 5, EL_INEQ_BIT(EL_INEQ_SII) | EL_INEQ_BIT(EL_INEQ_ACI), s, &e), EL_OK);
    REL(s[EL_INEQ_SII].est, d[EL_INEQ_SII].est, 1e-10);
    REL(s[EL_INEQ_SII].se, d[EL_INEQ_SII].se, 1e-9);
    REL(s[EL_INEQ_ACI].est, r[EL_INEQ_ACI].est, 1e-12);
    assert_true(h[0].est == 60);   /* input not modified */
    el_ineq_ctx_free(c);
}

static void test_linear_sii_exact(void **st)
{
    (void)st;
    /* y = 10 + 40 * rank exactly (equal populations: ranks 0.1, 0.3, ..., 0.9). */
    double est[5], pop[5] = {1, 1, 1, 1, 1};
    for (int i = 0; i < 5; i++) est[i] = 10 + 40 * (0.1 + 0.2 * i);
    el_ineq_subgroup g[5];
    fill(g, 5, est, NULL, pop, 1);
    el_ineq_block b = blk(1, 1, 100);
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    o.sii_method = EL_SII_LINEAR;
    el_error e;
    el_ineq_ctx *c = el_ineq_ctx_new(&o, &e);
    el_ineq_result r[EL_INEQ_COUNT];
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_BIT(EL_INEQ_SII) | EL_INEQ_BIT(EL_INEQ_RII), r, &e), EL_OK);
    REL(r[EL_INEQ_SII].est, 40, 1e-12);
    assert_true(r[EL_INEQ_SII].se < 1e-10);
    REL(r[EL_INEQ_RII].est, 50.0 / 10.0, 1e-12);
    el_ineq_ctx_free(c);
}

static void test_pairs_and_polarity(void **st)
{
    (void)st;
    const double est[] = {30, 10, 50, 20}, se[] = {1, 2, 3, 4}, pop[] = {100, 100, 100, 100};
    el_ineq_subgroup g[4];
    fill(g, 4, est, se, pop, 0);
    el_ineq_ctx *c = el_ineq_ctx_new(NULL, NULL);
    el_ineq_result r[EL_INEQ_COUNT];
    uint32_t m = EL_INEQ_BIT(EL_INEQ_D) | EL_INEQ_BIT(EL_INEQ_R) | EL_INEQ_BIT(EL_INEQ_PAF) |
                 EL_INEQ_BIT(EL_INEQ_PAR) | EL_INEQ_BIT(EL_INEQ_MDBU) | EL_INEQ_BIT(EL_INEQ_MDRU);
    el_ineq_block b = blk(1, 0, 100);
    /* non-ordered, no reference: max - min whatever the polarity */
    assert_int_equal(el_ineq_compute(c, &b, g, 4, m, r, NULL), EL_OK);
    REL(r[EL_INEQ_D].est, 40, 1e-15);
    REL(r[EL_INEQ_R].est, 5, 1e-15);
    REL(r[EL_INEQ_PAF].est, 100 * (50 - 27.5) / 27.5, 1e-14);   /* best = max for favourable */
    REL(r[EL_INEQ_MDBU].est, (20 + 40 + 0 + 30) / 4.0, 1e-15);
    assert_int_equal(r[EL_INEQ_MDRU].state, EL_INEQ_NA);
    assert_non_null(strstr(r[EL_INEQ_MDRU].note, "no reference subgroup"));
    b.favourable = 0;
    assert_int_equal(el_ineq_compute(c, &b, g, 4, m, r, NULL), EL_OK);
    REL(r[EL_INEQ_D].est, 40, 1e-15);
    REL(r[EL_INEQ_PAF].est, 100 * (10 - 27.5) / 27.5, 1e-14);   /* best = min for adverse */
    REL(r[EL_INEQ_PAR].est, 10 - 27.5, 1e-14);
    REL(r[EL_INEQ_MDBU].est, (20 + 0 + 40 + 10) / 4.0, 1e-15);
    /* with a reference (subgroup 0, 30): favourable ref - worst(min); adverse worst(max) - ref */
    g[0].reference = 1;
    b.favourable = 1;
    assert_int_equal(el_ineq_compute(c, &b, g, 4, m, r, NULL), EL_OK);
    REL(r[EL_INEQ_D].est, 30 - 10, 1e-15);
    REL(r[EL_INEQ_D].se, sqrt(1 + 4), 1e-15);
    REL(r[EL_INEQ_R].est, 3, 1e-15);
    REL(r[EL_INEQ_MDRU].est, (0 + 20 + 20 + 10) / 4.0, 1e-15);
    b.favourable = 0;
    assert_int_equal(el_ineq_compute(c, &b, g, 4, m, r, NULL), EL_OK);
    REL(r[EL_INEQ_D].est, 50 - 30, 1e-15);
    /* ordered, adverse: most disadvantaged (order 1) minus most advantaged */
    fill(g, 4, est, se, pop, 1);
    b = blk(0, 1, 100);
    assert_int_equal(el_ineq_compute(c, &b, g, 4, m, r, NULL), EL_OK);
    REL(r[EL_INEQ_D].est, 30 - 20, 1e-15);
    /* PAF against the most advantaged (order 4 = 20) for an adverse indicator: 20 < mean → negative */
    REL(r[EL_INEQ_PAF].est, 100 * (20 - 27.5) / 27.5, 1e-14);
    /* favourable with the most advantaged below the mean → clamped to 0 */
    b.favourable = 1;
    assert_int_equal(el_ineq_compute(c, &b, g, 4, m, r, NULL), EL_OK);
    assert_true(r[EL_INEQ_PAF].est == 0 && r[EL_INEQ_PAR].est == 0);
    el_ineq_ctx_free(c);
}

static void test_errors_name_the_row(void **st)
{
    (void)st;
    el_ineq_subgroup g[5];
    fill(g, 5, O5_EST, O5_SE, O5_POP, 1);
    el_ineq_block b = blk(1, 1, 100);
    el_ineq_ctx *c = el_ineq_ctx_new(NULL, NULL);
    el_ineq_result r[EL_INEQ_COUNT];
    el_error e;
    g[2].pop = 0;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 4);
    assert_string_equal(e.field, "population");
    g[2].pop = NAN;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "missing here but given"));
    g[2].pop = 162;
    g[3].est = NAN;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 5);
    assert_string_equal(e.field, "estimate");
    g[3].est = 50;
    g[1].se = -1;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    assert_string_equal(e.field, "se");
    g[1].se = 7;
    g[4].order = 1;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    assert_string_equal(e.field, "subgroup_order");
    g[4].order = 5;
    g[0].reference = g[1].reference = 1;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    assert_int_equal(e.line, 3);
    g[0].reference = g[1].reference = 0;
    assert_int_equal(el_ineq_compute(c, &b, g, 0, EL_INEQ_ALL, r, &e), EL_ERR_INVALID);
    /* measure-level problems are notes, not errors */
    assert_int_equal(el_ineq_compute(c, &b, g, 2, EL_INEQ_ALL, r, &e), EL_OK);
    assert_int_equal(r[EL_INEQ_D].state, EL_INEQ_OK);
    assert_int_equal(r[EL_INEQ_SII].state, EL_INEQ_NA);
    assert_non_null(strstr(r[EL_INEQ_SII].note, "at least 3"));
    for (int i = 0; i < 5; i++) g[i].pop = NAN;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_OK);
    assert_int_equal(r[EL_INEQ_ACI].state, EL_INEQ_NA);
    assert_non_null(strstr(r[EL_INEQ_ACI].note, "population"));
    assert_int_equal(r[EL_INEQ_PAF].state, EL_INEQ_NA);   /* no population, no setting average */
    b.setting_average = 41;
    assert_int_equal(el_ineq_compute(c, &b, g, 5, EL_INEQ_ALL, r, &e), EL_OK);
    REL(r[EL_INEQ_PAR].est, 60 - 41, 1e-15);
    assert_true(isnan(r[EL_INEQ_PAR].se));                /* Walter's SE needs populations */
    /* invalid options */
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    o.reps = 3;
    assert_null(el_ineq_ctx_new(&o, &e));
    el_ineq_opts_default(&o);
    o.conf_level = 0;
    assert_null(el_ineq_ctx_new(&o, &e));
    el_ineq_ctx_free(NULL);
    el_ineq_ctx_free(c);
}

static void test_logistic_edge(void **st)
{
    (void)st;
    const double zero[] = {0, 0, 0}, over[] = {20, 150, 30}, pop[] = {10, 10, 10}, se[] = {1, 1, 1};
    el_ineq_subgroup g[3];
    el_ineq_block b = blk(1, 1, 100);
    el_ineq_ctx *c = el_ineq_ctx_new(NULL, NULL);
    el_ineq_result r[EL_INEQ_COUNT];
    fill(g, 3, zero, se, pop, 1);
    assert_int_equal(el_ineq_compute(c, &b, g, 3, EL_INEQ_BIT(EL_INEQ_SII), r, NULL), EL_OK);
    assert_int_equal(r[EL_INEQ_SII].state, EL_INEQ_NA);
    fill(g, 3, over, se, pop, 1);
    assert_int_equal(el_ineq_compute(c, &b, g, 3, EL_INEQ_BIT(EL_INEQ_SII), r, NULL), EL_OK);
    assert_int_equal(r[EL_INEQ_SII].state, EL_INEQ_NA);
    assert_non_null(strstr(r[EL_INEQ_SII].note, "linear"));
    /* proportions a hair below 1: the fit must still converge (no rounding-noise stall) */
    const double near1[] = {100, 99.9999, 100};
    fill(g, 3, near1, se, pop, 1);
    assert_int_equal(el_ineq_compute(c, &b, g, 3, EL_INEQ_BIT(EL_INEQ_SII) | EL_INEQ_BIT(EL_INEQ_RII), r, NULL), EL_OK);
    assert_int_equal(r[EL_INEQ_SII].state, EL_INEQ_OK);
    assert_true(fabs(r[EL_INEQ_SII].est) < 1e-6);
    REL(r[EL_INEQ_RII].est, 1, 1e-9);
    /* quasi-complete separation (0, 0, 50): refused with a note, not a wild number */
    const double sep[] = {0, 0, 50};
    fill(g, 3, sep, se, pop, 1);
    assert_int_equal(el_ineq_compute(c, &b, g, 3, EL_INEQ_BIT(EL_INEQ_SII), r, NULL), EL_OK);
    assert_int_equal(r[EL_INEQ_SII].state, EL_INEQ_NA);
    assert_non_null(strstr(r[EL_INEQ_SII].note, "converge"));
    el_ineq_ctx_free(c);
}

/* Simulated limits: reproducible per block whatever else was computed before
 * or alongside; zero SEs give degenerate limits at the estimate. */
static void test_simulation(void **st)
{
    (void)st;
    const double est[] = {61, 74, 58, 59, 72, 75}, se[] = {5, 3, 3, 3, 4, 9},
                 pop[] = {832, 931, 1468, 1021, 1039, 1515};
    el_ineq_subgroup g[6];
    fill(g, 6, est, se, pop, 0);
    g[2].reference = 1;
    el_ineq_block b = blk(1, 0, 100);
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    o.reps = 500;
    el_ineq_ctx *c = el_ineq_ctx_new(&o, NULL);
    el_ineq_result a[EL_INEQ_COUNT], r[EL_INEQ_COUNT];
    assert_int_equal(el_ineq_compute(c, &b, g, 6, EL_INEQ_ALL, a, NULL), EL_OK);
    for (int m = EL_INEQ_BGSD; m <= EL_INEQ_IDISW; m++) {
        if (m == EL_INEQ_BGV) continue;
        assert_int_equal(a[m].ci, EL_INEQ_CI_SIMULATION);
        assert_true(a[m].lower < a[m].upper);
        assert_true(isnan(a[m].se));
    }
    /* a big block in between, then only one measure: same limits */
    el_ineq_subgroup big[40];
    double be[40], bs[40], bp[40];
    for (int i = 0; i < 40; i++) { be[i] = 50 + i; bs[i] = 2; bp[i] = 10 + i; }
    fill(big, 40, be, bs, bp, 0);
    assert_int_equal(el_ineq_compute(c, &b, big, 40, EL_INEQ_ALL, r, NULL), EL_OK);
    assert_int_equal(el_ineq_compute(c, &b, g, 6, EL_INEQ_BIT(EL_INEQ_MDRW), r, NULL), EL_OK);
    assert_true(r[EL_INEQ_MDRW].lower == a[EL_INEQ_MDRW].lower);
    assert_true(r[EL_INEQ_MDRW].upper == a[EL_INEQ_MDRW].upper);
    /* zero SEs: every draw is the estimate */
    const double z[] = {0, 0, 0, 0, 0, 0};
    fill(g, 6, est, z, pop, 0);
    assert_int_equal(el_ineq_compute(c, &b, g, 6, EL_INEQ_BIT(EL_INEQ_MDMU) | EL_INEQ_BIT(EL_INEQ_COV), r, NULL), EL_OK);
    REL(r[EL_INEQ_MDMU].lower, r[EL_INEQ_MDMU].est, 1e-12);
    REL(r[EL_INEQ_COV].upper, r[EL_INEQ_COV].est, 1e-12);
    /* a missing SE: estimate but no limits, with the row named */
    fill(g, 6, est, se, pop, 0);
    g[4].se = NAN;
    assert_int_equal(el_ineq_compute(c, &b, g, 6, EL_INEQ_BIT(EL_INEQ_BGSD), r, NULL), EL_OK);
    assert_int_equal(r[EL_INEQ_BGSD].state, EL_INEQ_OK);
    assert_true(isnan(r[EL_INEQ_BGSD].lower));
    assert_non_null(strstr(r[EL_INEQ_BGSD].note, "line 6"));
    el_ineq_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_quantile7_and_scale),
        cmocka_unit_test(test_quantile_select),
        cmocka_unit_test(test_ordered_anchor),
        cmocka_unit_test(test_linear_sii_exact),
        cmocka_unit_test(test_pairs_and_polarity),
        cmocka_unit_test(test_errors_name_the_row),
        cmocka_unit_test(test_logistic_edge),
        cmocka_unit_test(test_simulation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
