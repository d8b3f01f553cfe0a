/* ci.h — confidence intervals for single indicators, following the
 * conventions of PHEindicatormethods 2.1.0 (UKHSA/OHID): Wilson score
 * intervals for proportions, Byar's approximation and exact (chi-square)
 * Poisson limits for counts and rates, Student's t intervals for means.
 * Method notes with formulas and references: docs/methods/phe.md.
 * (owner: phe helper)
 *
 * Conventions (all functions):
 *  - `confidence` is 0.95 or 95 (see el_confidence_level in distrib.h).
 *  - Missing values are NAN. A NAN input gives NAN outputs and EL_OK
 *    (missing in, missing out, as the reference does).
 *  - Invalid inputs (negative counts, n <= 0, x > n for a proportion,
 *    bad confidence) return EL_ERR_INVALID and fill err (may be NULL).
 *    Outputs are then set to NAN.
 *  - Limits that the method cannot give (e.g. a negative Byar lower limit)
 *    are NAN ("missing"), never a made-up number.
 *  - Pure computation, no allocation, thread-safe. */
#ifndef EQUITYLENS_CI_H
#define EQUITYLENS_CI_H
#include "equitylens/error.h"

typedef enum {
    EL_CI_NONE = 0,   /* no interval (missing input) */
    EL_CI_WILSON,     /* Wilson score (proportions) */
    EL_CI_BYAR,       /* Byar's approximation to exact Poisson */
    EL_CI_EXACT,      /* exact Poisson via chi-square quantiles */
    EL_CI_T,          /* Student's t (means) */
    EL_CI_DOBSON      /* Dobson et al. (directly standardised rates) */
} el_ci_method;

/* Stable display names as the reference prints them:
 * "Wilson", "Byars", "Exact", "Student's t-distribution", "Dobson", "" */
const char *el_ci_method_name(el_ci_method m);

/* A point estimate with one two-sided interval. */
typedef struct el_estimate {
    double value;
    double lower;
    double upper;
    el_ci_method method;
} el_estimate;

/* --- limits on their natural scale (no multiplier) ---------------------- */

/* Wilson score limits for x successes out of n trials, as proportions:
 *   (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²)).
 * x need not be an integer (the reference allows 0.445 of 1). Requires
 * 0 <= x <= n, n > 0. Confidence 1 (100%) gives [0, 1]. */
el_status el_wilson(double x, double n, double confidence,
                    double *lower, double *upper, el_error *err);

/* Byar's approximation for a Poisson count x >= 0:
 *   L = x(1 − 1/(9x) − z/(3√x))³,  U = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³.
 * A negative L (or x = 0) gives lower = NAN. */
el_status el_byar(double x, double confidence,
                  double *lower, double *upper, el_error *err);

/* Exact Poisson limits for a count x >= 0 via chi-square quantiles:
 *   L = χ²(α/2; 2x)/2 (0 when x = 0),  U = χ²(1 − α/2; 2x + 2)/2. */
el_status el_exact_poisson(double x, double confidence,
                           double *lower, double *upper, el_error *err);

/* Poisson limits for a count as the PHE tools choose them: exact when
 * x < 10, Byar otherwise. *method (may be NULL) says which was used. */
el_status el_poisson_limits(double x, double confidence, double *lower,
                            double *upper, el_ci_method *method, el_error *err);

/* --- indicators ----------------------------------------------------------- */

/* Proportion x/n with Wilson limits, all times multiplier (1 = proportion,
 * 100 = percentage). */
el_status el_proportion_ci(double x, double n, double confidence,
                           double multiplier, el_estimate *out, el_error *err);

/* Crude rate x/n × multiplier (PHE default multiplier 100000). Limits exact
 * when x < 10, Byar otherwise, divided by n, times multiplier. x > n is
 * allowed. Requires x >= 0, n > 0. */
el_status el_rate_ci(double x, double n, double confidence,
                     double multiplier, el_estimate *out, el_error *err);

/* Mean with Student's t interval from summary statistics:
 *   mean ± |t(α/2, n−1)|·sd/√n. Requires n >= 2 and sd >= 0. */
el_status el_mean_ci(double mean, double sd, double n, double confidence,
                     el_estimate *out, el_error *err);

/* Mean, sd (n−1 denominator) and t interval of n values. A NAN value is an
 * error (say which index in err->line as index+1). n >= 2. sum_out/sd_out
 * may be NULL. */
el_status el_mean_ci_values(const double *values, long n, double confidence,
                            el_estimate *out, double *sum_out, double *sd_out,
                            el_error *err);

#endif
