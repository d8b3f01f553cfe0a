/* analysis_internal.h — private to src/core/analysis*.c (owner: analysis
 * helper): statistics helpers shared by the analysis translation units. */
#ifndef EQUITYLENS_ANALYSIS_INTERNAL_H
#define EQUITYLENS_ANALYSIS_INTERNAL_H
#include <stddef.h>
#include "equitylens/analysis.h"

el_interval an_iv_na(void);
el_interval an_iv(double v, double lo, double hi, const char *method);

/* Wilson interval for x/n in percent. */
el_interval an_wilson_pct(double x, double n, double conf);
/* Newcombe (1998, method 10) hybrid score interval for p1 − p2, percentage points. */
el_interval an_newcombe(double x1, double n1, double x2, double n2, double conf);
/* Katz log interval for (x1/n1)/(x2/n2); 0.5 added to every cell when a count is 0. */
el_interval an_katz(double x1, double n1, double x2, double n2, double conf);
/* Two-sided p of the pooled two-proportion z test. */
double an_two_prop_p(double x1, double n1, double x2, double n2);
/* Welch interval for m1 − m2 and two-sided p. */
el_interval an_welch(double m1, double v1, double n1, double m2, double v2, double n2, double conf,
                     double *p);
/* Delta-method log interval for m1 / m2 (v = sample variances). */
el_interval an_ratio_means(double m1, double v1, double n1, double m2, double v2, double n2, double conf);
/* Type-7 quantile of sorted x with the distribution-free order-statistic
 * (binomial) interval. */
el_interval an_quantile_ci(const double *sorted, size_t n, double q, double conf);

/* Stratified 2-group comparison. Arrays of k strata: x1,n1 (group), x0,n0
 * (reference). Mantel–Haenszel risk difference (Sato 1989 variance) and
 * risk ratio (Greenland–Robins 1985 variance), percentage points / ratio.
 * *used = strata with both groups present. */
void an_mantel_haenszel(const double *x1, const double *n1, const double *x0, const double *n0, size_t k,
                        double conf, el_interval *rd, el_interval *rr, int *used);
/* Direct standardisation of two groups' means to weights w (pooled stratum
 * sizes) over strata where both groups have rows: difference (z interval)
 * and ratio (delta-method log interval). s1/ss1: sum and sum of squares. */
void an_direct_std(const double *s1, const double *ss1, const double *n1, const double *s0,
                   const double *ss0, const double *n0, const double *w, size_t k, double conf,
                   double var1_fallback, double var0_fallback, el_interval *diff, el_interval *ratio,
                   int *used);

/* Summary measures of inequality (analysis_ineq.c, wraps inequality.h).
 * est/se per group (NAN est = skip), pop = n, order 1.. (ordered lenses),
 * ref = reference index or -1. */
void an_inequality(const double *est, const double *se, const double *pop, const int *order, size_t n,
                   int ref, int ordered, int favourable, double conf, uint64_t seed, int reps,
                   el_an_ineq *out, size_t *nout);

/* Append a note to a->notes (silently dropped when the notes are full). */
void an_add_note(el_analysis *a, const char *s);

/* Outcome per row for one metric: y = -1 not eligible, else 0/1; w = weeks
 * waited (continuous metric only, NAN when not eligible). */
typedef struct {
    signed char *y;
    float *w;
} an_outcome;

/* Everything the extra sections (analysis_extra.c) need from the run. */
typedef struct {
    const el_dataset *d;
    const el_refdata *ref;            /* may be NULL */
    const el_analysis_opts *o;
    el_analysis *a;
    int32_t **rowmaps;                /* group per row, per lens */
    const an_outcome *oc;             /* per metric (y NULL when not computed) */
} an_extras_ctx;

/* Longest waiters, who is missing, trends. */
el_status an_extras(an_extras_ctx *X, el_error *err);

/* Disclosure of the extra sections (analysis_extra.c). */
el_status an_disclose_extras(el_analysis *a, const el_disclosure_policy *p, el_error *err);
/* 1-D protection of counts with their total (analysis_disclose.c). */
el_status an_protect_vec(const int64_t *cnt, size_t n, const el_disclosure_policy *p, el_dc_state *st,
                         int64_t *pub, el_dc_state *tst, int64_t *tpub, el_error *err);
#endif
