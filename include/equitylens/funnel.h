/* funnel.h — funnel-plot control limits as in the PHE/OHID Fingertips
 * technical guidance and PHEindicatormethods 2.1.0 (phe_funnels /
 * calculate_funnel_limits, phe_funnel_significance): proportions by the
 * closed-form inverse of the Wilson score interval, rates and ratios by
 * exact Poisson limits. docs/methods/phe.md. (owner: phe helper)
 *
 * Probabilities: 2σ limits use p = 0.975, 3σ limits p = 0.999.
 * Pure computation; arrays are borrowed. */
#ifndef EQUITYLENS_FUNNEL_H
#define EQUITYLENS_FUNNEL_H
#include <stddef.h>
#include "equitylens/error.h"

#define EL_FUNNEL_POINTS 100

typedef struct el_funnel_point {
    double population;     /* denominator (or expected count) on the x axis */
    double lower2, upper2; /* 2σ (p = 0.975) limits */
    double lower3, upper3; /* 3σ (p = 0.999) limits */
    double baseline;       /* average × multiplier */
} el_funnel_point;

/* Proportion funnel limit at one population for average proportion av:
 * the value y such that the Wilson interval of y at z = Φ⁻¹(p) just reaches
 * av (the "sigma_adjustment" of the reference), times multiplier.
 * side < 0 lower, side > 0 upper. Not clamped. */
double el_funnel_prop_limit(double p, double population, double av, int side, double multiplier);

/* The reference's 100-point table for a proportion funnel: av = Σx/Σn; axis
 * from max(1, floor-rounded 0.95·min n) (0 when max n > 2·min n) to the
 * ceiling-rounded 1.05·max n, geometric steps of at least 1; limits clamped
 * to [0, multiplier]. Requires 0 <= x <= n, n > 0 (err->line = 1-based row).
 * out must hold EL_FUNNEL_POINTS entries. *average (may be NULL) = av. */
el_status el_funnel_prop_table(const double *x, const double *n, size_t count, double multiplier,
                               el_funnel_point *out, double *average, el_error *err);

typedef enum {
    EL_FUNNEL_NOT_SIG = 0,
    EL_FUNNEL_LOW_0025, EL_FUNNEL_LOW_0001,
    EL_FUNNEL_HIGH_0025, EL_FUNNEL_HIGH_0001
} el_funnel_sig;

/* "Low (0.001)", "Low (0.025)", "High (0.001)", "High (0.025)", "Not significant" */
const char *el_funnel_sig_name(el_funnel_sig s);

/* Significance of one proportion x/n against the funnel for average av. */
el_funnel_sig el_funnel_prop_significance(double x, double n, double av);

/* Exact Poisson funnel limits for an expected count e > 0 at probability p:
 * count-scale limits lo = χ²(1−p; 2e)/2, hi = χ²(p; 2e+2)/2 (continuous in
 * e). For a ratio, divide by e; for a rate per multiplier with denominator
 * n, multiply the ratio by the target rate. */
el_status el_funnel_poisson_limits(double e, double p, double *lo, double *hi, el_error *err);

/* 100-point table for a rate or ratio funnel. x observed counts, n
 * denominators (population for rates, expected counts for ratios).
 * ratio = 0 (rate): target = Σx/Σn × multiplier, axis over n,
 *   limits = exact(target/multiplier·n)/n × multiplier.
 * ratio = 1: target = 1 (× multiplier), axis over expected counts,
 *   limits = exact(e)/e × multiplier.
 * Axis as el_funnel_prop_table; limits clamped below at 0. */
el_status el_funnel_poisson_table(const double *x, const double *n, size_t count, int ratio,
                                  double multiplier, el_funnel_point *out, double *target,
                                  el_error *err);

/* Significance of a count x with denominator n against a Poisson funnel
 * (rate: expected = target_rate/multiplier·n; ratio: expected = n). */
el_funnel_sig el_funnel_poisson_significance(double x, double n, int ratio, double target_rate,
                                             double multiplier);

#endif
