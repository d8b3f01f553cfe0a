/* test_analysis.c — unit tests of the analysis engine: interval helpers
 * against published values, lens grouping (Z and 99 own rows), metric
 * definitions, gaps, adjustment, disclosure of the whole result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/analysis.h"
#include "equitylens/analysis_output.h"
#include "equitylens/parse.h"
#include "../../src/core/analysis_internal.h"

static void near(double a, double b, double tol)
{
    if (!(fabs(a - b) <= tol)) fail_msg("%.6f != %.6f (tol %g)", a, b, tol);
}

static void test_intervals(void **st)
{
    (void)st;
    /* Newcombe (1998) Stat Med 17:873, Table II, example (a): 56/70 - 48/80,
     * method 10 (hybrid score): 0.0524 to 0.3339 */
    el_interval d = an_newcombe(56, 70, 48, 80, 0.95);
    near(d.value, 20.0, 1e-9);
    near(d.lower, 5.24, 0.01);
    near(d.upper, 33.39, 0.01);
    /* Wilson, 81/263 (Newcombe 1998 single-proportion example): 0.2553 to 0.3662 */
    el_interval w = an_wilson_pct(81, 263, 0.95);
    near(w.lower, 25.53, 0.01);
    near(w.upper, 36.62, 0.01);
    /* order statistics: the 95% interval of the median of 100 values is
     * x(40) to x(61) (e.g. Conover, Practical Nonparametric Statistics) */
    double x[100];
    for (int i = 0; i < 100; i++) x[i] = i + 1;
    el_interval m = an_quantile_ci(x, 100, 0.5, 0.95);
    near(m.value, 50.5, 1e-9);
    near(m.lower, 40, 1e-9);
    near(m.upper, 61, 1e-9);
    /* Mantel–Haenszel with one stratum: RR equals the crude ratio and the
     * Greenland–Robins variance reduces to Katz's */
    double x1 = 30, n1 = 100, x0 = 20, n0 = 120;
    el_interval rd, rr;
    int used;
    an_mantel_haenszel(&x1, &n1, &x0, &n0, 1, 0.95, &rd, &rr, &used);
    el_interval k = an_katz(30, 100, 20, 120, 0.95);
    assert_int_equal(used, 1);
    near(rr.value, k.value, 1e-12);
    near(rr.lower, k.lower, 1e-9);
    near(rr.upper, k.upper, 1e-9);
    near(rd.value, 100 * (0.3 - 20.0 / 120), 1e-9);
    /* two strata with the same risks: MH RD is that common difference */
    double X1[2] = {10, 40}, N1[2] = {50, 200}, X0[2] = {5, 10}, N0[2] = {50, 100};
    an_mantel_haenszel(X1, N1, X0, N0, 2, 0.95, &rd, &rr, &used);
    near(rd.value, 10.0, 1e-9);
    near(rr.value, 2.0, 1e-9);
    assert_true(rd.lower < 10 && rd.upper > 10);
    /* Welch: equal means → difference 0 inside the interval, p = 1 */
    double p;
    el_interval wd = an_welch(5, 4, 30, 5, 9, 40, 0.95, &p);
    near(wd.value, 0, 1e-12);
    near(p, 1.0, 1e-9);
}

/* A small hand-made appointments dataset. */
static el_dataset *make_appts(void)
{
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    el_field fs[] = {EL_F_ATTENDED_OR_DID_NOT_ATTEND, EL_F_ETHNIC_CATEGORY, EL_F_IMD_QUINTILE,
                     EL_F_TREATMENT_FUNCTION_CODE, EL_F_PERSON_STATED_GENDER_CODE, EL_F_APPOINTMENT_DATE};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) el_dataset_set_has(d, fs[i], 1);
    /* quintile q: 200 rows; DNA (3) in 10*q of them for q<5, 10 for q=5; */
    static const char *eth[] = {"A", "H", "M", "Z", "99"};
    for (int q = 1; q <= 5; q++)
        for (int i = 0; i < 200; i++) {
            size_t r = el_dataset_add_row(d);
            int dna = i < (q == 5 ? 10 : 10 * (6 - q));
            el_dataset_set_str(d, r, EL_F_ATTENDED_OR_DID_NOT_ATTEND, dna ? (i % 2 ? "3" : "7") : (i % 3 ? "5" : "6"));
            el_dataset_set_str(d, r, EL_F_ETHNIC_CATEGORY, eth[i % 5]);
            el_dataset_set(d, r, EL_F_IMD_QUINTILE, q);
            el_dataset_set_str(d, r, EL_F_TREATMENT_FUNCTION_CODE, i % 2 ? "100" : "110");
            el_dataset_set_str(d, r, EL_F_PERSON_STATED_GENDER_CODE, i % 2 ? "1" : "2");
            el_dataset_set(d, r, EL_F_APPOINTMENT_DATE, 20000 + (i % 90));
        }
    /* 5 cancelled rows (not in the DNA denominator) and 3 rows with no quintile */
    for (int i = 0; i < 8; i++) {
        size_t r = el_dataset_add_row(d);
        el_dataset_set_str(d, r, EL_F_ATTENDED_OR_DID_NOT_ATTEND, i < 5 ? "2" : "5");
        el_dataset_set_str(d, r, EL_F_ETHNIC_CATEGORY, "A");
        if (i < 5) el_dataset_set(d, r, EL_F_IMD_QUINTILE, 1);
        el_dataset_set_str(d, r, EL_F_TREATMENT_FUNCTION_CODE, "100");
        el_dataset_set_str(d, r, EL_F_PERSON_STATED_GENDER_CODE, "1");
        el_dataset_set(d, r, EL_F_APPOINTMENT_DATE, 20000);
    }
    return d;
}

static const el_an_result *find(const el_analysis *a, el_metric_id m, const char *lens)
{
    for (size_t r = 0; r < a->nresults; r++)
        if (a->results[r].metric == m && !strcmp(a->lenses[a->results[r].lens].id, lens) && !a->results[r].stratum_field[0])
            return &a->results[r];
    return NULL;
}

static void test_engine(void **st)
{
    (void)st;
    el_dataset *d = make_appts();
    el_analysis_opts o;
    el_analysis_opts_default(&o);
    el_error err;
    assert_int_equal(el_analysis_opts_add_lens(&o, "imd_quintile", &err), EL_OK);
    assert_int_equal(el_analysis_opts_add_lens(&o, "ethnic_category", &err), EL_OK);
    assert_int_equal(el_analysis_opts_add_lens(&o, "ethnic_group", &err), EL_OK);
    assert_int_equal(el_analysis_opts_add_lens(&o, "imd_quintile,sex", &err), EL_OK);
    assert_int_equal(el_analysis_opts_add_lens(&o, "nonsense", &err), EL_ERR_INVALID);
    assert_int_equal(el_analysis_opts_metrics(&o, "dna_rate,patient_cancellation_rate", &err), EL_OK);
    o.reps = 20;
    el_analysis *a = NULL;
    assert_int_equal(el_analysis_run(d, NULL, &o, &a, &err), EL_OK);
    /* lenses: quintile has 5 groups + unknown (3 rows) */
    assert_string_equal(a->lenses[0].id, "imd_quintile");
    assert_int_equal(a->lenses[0].ngroups, 6);
    assert_true(a->lenses[0].groups[5].unknown);
    assert_int_equal(a->lenses[0].groups[5].n, 3);
    assert_int_equal(a->lenses[0].ref, 4);       /* quintile 5 */
    /* ethnic category: A, H, M, Z, 99 in that order, Z and 99 their own rows */
    const el_an_lens *ec = &a->lenses[1];
    assert_int_equal(ec->ngroups, 5);
    assert_string_equal(ec->groups[3].key, "Z");
    assert_string_equal(ec->groups[4].key, "99");
    assert_false(ec->groups[4].unknown);
    /* ethnic group derived from the category when there is no ethnic_group column */
    const el_an_lens *eg = &a->lenses[2];
    assert_string_equal(eg->groups[0].key, "White");
    assert_string_equal(eg->groups[eg->ngroups - 1].key, "Not known");
    /* crossed lens: 6 x 4? sex has 1, 2 only here -> 6 x 2 */
    assert_string_equal(a->lenses[3].id, "imd_quintile x sex");
    assert_int_equal(a->lenses[3].ngroups, 12);
    /* DNA: quintile 1 = 50/200 (codes 3 and 7 over 3,5,6,7), cancelled rows excluded */
    const el_an_result *r = find(a, EL_M_DNA, "imd_quintile");
    assert_non_null(r);
    assert_int_equal(r->groups[0].n, 200);
    assert_int_equal(r->groups[0].x, 50);
    near(r->groups[0].value.value, 25.0, 1e-9);
    el_interval wil = an_wilson_pct(50, 200, 0.95);
    near(r->groups[0].value.lower, wil.lower, 1e-9);
    /* gap quintile 1 vs 5: 25% vs 5% */
    assert_true(r->ngaps == 4);
    assert_int_equal(r->gaps[0].group, 0);
    near(r->gaps[0].diff.value, 20.0, 1e-9);
    near(r->gaps[0].ratio.value, 5.0, 1e-9);
    assert_true(r->gaps[0].significant);
    assert_true(r->gaps[0].has_adjusted);
    /* DNAs split evenly across the two treatment functions: adjusted = raw */
    near(r->gaps[0].adj_diff.value, 20.0, 1e-6);
    /* excess: every group at 5% → 50+40+30+20 - 800*0.05 = 100 (+ unknown: 0 - 3*0.05) */
    assert_true(r->has_excess);
    near(r->excess.value, 100 - 0.15, 1e-9);
    near(r->cost, (100 - 0.15) * 120, 1e-6);
    /* ordered lens: SII present and negative (more DNAs in the most deprived) */
    int found = 0;
    for (size_t k = 0; k < r->nineq; k++)
        if (!strcmp(r->ineq[k].name, "sii")) { found = 1; assert_true(r->ineq[k].iv.value < 0); }
    assert_true(found);
    /* patient cancellations: 5 of 205 booked in quintile 1 */
    const el_an_result *pc = find(a, EL_M_PATIENT_CANCEL, "imd_quintile");
    assert_int_equal(pc->groups[0].n, 205);
    assert_int_equal(pc->groups[0].x, 5);
    /* trends: one series per known group, months 2024-10 .. 2024-12; the
     * rows of 2025-01-01 (beyond the 99th centile of dates) are left out
     * with a note */
    assert_true(a->ntrends >= 1);
    assert_int_equal(a->trends[0].series[0].npoints, 3);
    assert_string_equal(a->trends[0].series[0].points[0].period, "2024-10");
    int noted = 0;
    for (size_t i = 0; i < a->nnotes; i++) noted += strstr(a->notes[i], "left out") != NULL;
    assert_int_equal(noted, 1);

    /* writers refuse undisclosed results */
    json_t *j = NULL;
    assert_int_equal(el_analysis_to_json(a, "t", &j, &err), EL_ERR_INVALID);
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    assert_int_equal(el_analysis_disclose(a, &p, &err), EL_OK);
    /* after disclosure: quintile-1 cancellations (5) suppressed and its rate too */
    assert_int_equal(pc->groups[0].st_x, EL_DC_PRIMARY);
    assert_int_equal(pc->groups[0].x, -1);
    assert_true(isnan(pc->groups[0].value.value));
    /* the unknown group (3 rows) is suppressed in the lens table, and so is
     * another group so that it cannot be recovered from the total */
    assert_int_equal(a->lenses[0].groups[5].st, EL_DC_PRIMARY);
    int sec = 0;
    for (size_t g = 0; g < 5; g++) sec += a->lenses[0].groups[g].st == EL_DC_SECONDARY;
    assert_int_equal(sec, 1);
    /* DNA denominators: the unknown group (3) is primary, so the smallest
     * other group is hidden too; shown counts are rounded to 5 */
    assert_int_equal(r->groups[5].st_n, EL_DC_PRIMARY);
    sec = 0;
    for (size_t g = 0; g < 5; g++) {
        if (r->groups[g].st_n == EL_DC_SECONDARY) { sec++; assert_int_equal(r->groups[g].n, -1); continue; }
        assert_int_equal(r->groups[g].n % 5, 0);
        assert_true(r->groups[g].n >= 0);
    }
    assert_int_equal(sec, 1);
    assert_int_equal(el_analysis_to_json(a, "t", &j, &err), EL_OK);
    char *s = json_dumps(j, EL_ANALYSIS_JSON_FLAGS);
    assert_non_null(strstr(s, "\"policy\": \"Disclosure control: counts 1"));
    assert_non_null(strstr(s, "\"suppressed\": \"primary\""));
    free(s);
    json_decref(j);
    assert_int_equal(el_analysis_disclose(a, &p, &err), EL_ERR_INVALID);  /* exactly once */
    el_analysis_free(a);
    el_dataset_free(d);
}

static void test_bad_reference(void **st)
{
    (void)st;
    el_dataset *d = make_appts();
    el_analysis_opts o;
    el_analysis_opts_default(&o);
    el_error err;
    assert_int_equal(el_analysis_opts_reference(&o, "imd_quintile=9", &err), EL_OK);
    assert_int_equal(el_analysis_opts_reference(&o, "nolens=1", &err), EL_ERR_INVALID);
    el_analysis *a = NULL;
    assert_int_equal(el_analysis_run(d, NULL, &o, &a, &err), EL_ERR_INVALID);
    assert_non_null(strstr(err.msg, "no group '9'"));
    assert_null(a);
    el_dataset_free(d);
}

/* Waiting list whose dates cannot all give a wait: 60 rows waiting 1..60
 * weeks, 20 with the RTT start after the census date, 2 implausible (start
 * 1800-01-01; a wait of 11 years). */
static const char *note_with(const el_analysis *a, const char *needle)
{
    for (size_t i = 0; i < a->nnotes; i++)
        if (strstr(a->notes[i], needle)) return a->notes[i];
    return NULL;
}

static void test_date_exclusions(void **st)
{
    (void)st;
    el_dataset *d = el_dataset_new(EL_KIND_WAITING_LIST);
    el_field fs[] = {EL_F_RTT_START_DATE, EL_F_CENSUS_DATE, EL_F_IMD_QUINTILE};
    for (size_t i = 0; i < 3; i++) el_dataset_set_has(d, fs[i], 1);
    int32_t census = el_days_from_civil(2025, 3, 31);
    for (int i = 0; i < 82; i++) {
        size_t r = el_dataset_add_row(d);
        int32_t start = i < 60 ? census - 7 * (i + 1) : i < 80 ? census + 1 + i
                      : i == 80 ? el_days_from_civil(1800, 1, 1) : census - 11 * 365;
        el_dataset_set(d, r, EL_F_RTT_START_DATE, start);
        el_dataset_set(d, r, EL_F_CENSUS_DATE, census);
        el_dataset_set(d, r, EL_F_IMD_QUINTILE, 1 + i % 5);
    }
    el_analysis_opts o;
    el_analysis_opts_default(&o);
    el_error err;
    assert_int_equal(el_analysis_opts_add_lens(&o, "imd_quintile", &err), EL_OK);
    assert_int_equal(el_analysis_opts_metrics(&o, "wait_weeks,over_52_weeks", &err), EL_OK);
    o.reps = 20;
    o.trends = 0;
    el_analysis *a = NULL;
    assert_int_equal(el_analysis_run(d, NULL, &o, &a, &err), EL_OK);
    const el_an_result *w = find(a, EL_M_WAIT, "imd_quintile");
    assert_non_null(w);
    assert_int_equal(w->overall.n, 60);
    assert_true(w->overall.value.value <= 60);   /* median of 1..60 weeks, not 11,700 */
    assert_int_equal(find(a, EL_M_OVER52, "imd_quintile")->overall.n, 60);
    assert_int_equal(a->nexclusions, 2);
    assert_int_equal(a->exclusions[0].n, 20);
    assert_int_equal(a->exclusions[1].n, 2);
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    assert_int_equal(el_analysis_disclose(a, &p, &err), EL_OK);
    /* the counts pass disclosure control: 20 shown, 2 suppressed */
    assert_non_null(note_with(a, "20 rows with RTT start after the census date excluded from wait metrics"));
    const char *imp = note_with(a, "rows with an implausible RTT start or census date");
    assert_non_null(imp);
    assert_true(imp[0] == '*' && imp[1] == ' ');
    assert_int_equal(a->exclusions[1].n, -1);
    el_analysis_free(a);
    el_dataset_free(d);

    /* cancer: diagnosis before referral, an implausible treatment date */
    d = el_dataset_new(EL_KIND_CANCER_PATHWAYS);
    el_field cf[] = {EL_F_REFERRAL_DATE, EL_F_DIAGNOSIS_COMMUNICATED_DATE, EL_F_FIRST_TREATMENT_DATE, EL_F_IMD_QUINTILE};
    for (size_t i = 0; i < 4; i++) el_dataset_set_has(d, cf[i], 1);
    for (int i = 0; i < 50; i++) {
        size_t r = el_dataset_add_row(d);
        int32_t ref = census - 100;
        el_dataset_set(d, r, EL_F_REFERRAL_DATE, ref);
        el_dataset_set(d, r, EL_F_DIAGNOSIS_COMMUNICATED_DATE, i < 10 ? ref - 5 : ref + i);
        el_dataset_set(d, r, EL_F_FIRST_TREATMENT_DATE, i < 15 ? el_days_from_civil(2150, 1, 1) : ref + 30 + i);
        el_dataset_set(d, r, EL_F_IMD_QUINTILE, 1 + i % 5);
    }
    el_analysis_opts_default(&o);
    assert_int_equal(el_analysis_opts_add_lens(&o, "imd_quintile", &err), EL_OK);
    o.reps = 20;
    o.trends = 0;
    assert_int_equal(el_analysis_run(d, NULL, &o, &a, &err), EL_OK);
    assert_int_equal(find(a, EL_M_FDS28, "imd_quintile")->overall.n, 40);
    assert_int_equal(find(a, EL_M_TREATED62, "imd_quintile")->overall.n, 35);
    assert_int_equal(el_analysis_disclose(a, &p, &err), EL_OK);
    assert_non_null(note_with(a, "10 pathways with the diagnosis communicated date before the referral date excluded from fds_28_days"));
    assert_non_null(note_with(a, "15 pathways with an implausible referral or first treatment date"));
    el_analysis_free(a);
    el_dataset_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_engine),
        cmocka_unit_test(test_bad_reference),
        cmocka_unit_test(test_date_exclusions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
