/* distrib.h — probability distribution quantiles and CDFs used by the
 * statistics core (owner: phe helper; shared by every statistics module).
 *
 * Thin, documented wrappers over GSL (gsl_cdf_*) so that every module gets
 * the same conventions: quantile functions take a lower-tail probability p in
 * (0,1); out-of-range arguments give NAN (never abort: GSL's error handler is
 * not involved). Pure functions, no state, thread-safe.
 *
 * Confidence levels are accepted as a fraction (0.95) or a percentage (95):
 * el_confidence_level() normalises them. */
#ifndef EQUITYLENS_DISTRIB_H
#define EQUITYLENS_DISTRIB_H
#include "equitylens/error.h"

/* Standard normal: Φ(x) and Φ⁻¹(p). el_norm_quantile(0)= -INF, (1)= +INF. */
double el_norm_cdf(double x);
double el_norm_quantile(double p);

/* Student's t with df > 0 degrees of freedom: lower-tail quantile / CDF. */
double el_t_quantile(double p, double df);
double el_t_cdf(double x, double df);

/* Chi-square with df > 0: lower-tail quantile / CDF. el_chisq_quantile(p, 0)
 * is 0 (degenerate distribution at 0, as R's qchisq). */
double el_chisq_quantile(double p, double df);
double el_chisq_cdf(double x, double df);

/* Poisson CDF P(X <= k) for mean mu >= 0 (k may be negative → 0). */
double el_poisson_cdf(double k, double mu);
/* Binomial CDF P(X <= k), n trials, success probability p. */
double el_binomial_cdf(double k, double n, double p);

/* Normalise a confidence level: values in (0,1] are fractions, values in
 * (1,100] are percentages (95 → 0.95). Anything else (<= 0, > 100, NAN) is
 * EL_ERR_INVALID with a message. */
el_status el_confidence_level(double conf, double *level, el_error *err);

/* Two-sided critical value z = Φ⁻¹(1 − (1 − level)/2) for a confidence given
 * as 0.95 or 95. Returns NAN for an invalid level; +INF for level 1. */
double el_z_for_confidence(double conf);

#endif
