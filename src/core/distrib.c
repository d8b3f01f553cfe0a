/* distrib.c — see include/equitylens/distrib.h. Domain checks happen here so
 * that GSL's error handler (which aborts by default) is never reached for
 * arguments outside a distribution's support. */
#include "equitylens/distrib.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>

/* above this many degrees of freedom the Wilson-Hilferty approximation is
 * used (see el_chisq_quantile) */
#define EL_CHISQ_LARGE_DF 1e6

static int bad_p(double p) { return !(p >= 0.0 && p <= 1.0); }

double el_norm_cdf(double x)
{
    if (isnan(x)) return NAN;
    return gsl_cdf_ugaussian_P(x);
}

double el_norm_quantile(double p)
{
    if (bad_p(p)) return NAN;
    if (p == 0.0) return -INFINITY;
    if (p == 1.0) return INFINITY;
    return gsl_cdf_ugaussian_Pinv(p);
}

double el_t_quantile(double p, double df)
{
    if (bad_p(p) || !(df > 0.0)) return NAN;
    if (isinf(df)) return el_norm_quantile(p);
    if (p == 0.0) return -INFINITY;
    if (p == 1.0) return INFINITY;
    return gsl_cdf_tdist_Pinv(p, df);
}

double el_t_cdf(double x, double df)
{
    if (isnan(x) || !(df > 0.0)) return NAN;
    return gsl_cdf_tdist_P(x, df);
}

/* Chi-square quantile by safeguarded Newton iteration on the CDF (lower tail
 * for p <= 0.5, upper tail otherwise, for accuracy), bracketed so that it
 * always converges. GSL's gsl_cdf_chisq_Pinv is not used because it can
 * fail to converge for large df and then calls the (aborting) GSL error
 * handler. Relative accuracy ~1e-15. */
double el_chisq_quantile(double p, double df)
{
    if (bad_p(p) || !(df >= 0.0) || isinf(df)) return NAN;
    if (df == 0.0 || p == 0.0) return 0.0;
    if (p == 1.0) return INFINITY;
    if (df >= EL_CHISQ_LARGE_DF) {
        /* Wilson-Hilferty: relative error < 6e-10 here (it falls as df^-1.5),
         * and GSL's incomplete gamma can fail (and abort) in this range */
        double z0 = gsl_cdf_ugaussian_Pinv(p), h0 = 2.0 / (9.0 * df), t0 = 1.0 - h0 + z0 * sqrt(h0);
        return t0 > 0.0 ? df * t0 * t0 * t0 : 0.0;
    }
    int upper = p > 0.5;
    double q = 1.0 - p;
    /* initial guess: Wilson-Hilferty, or the small-x series when that fails */
    double z = gsl_cdf_ugaussian_Pinv(p), h = 2.0 / (9.0 * df);
    double t = 1.0 - h + z * sqrt(h), x = df * t * t * t;
    if (!(x > 0.0) || x < 0.05 * df) {
        double a = df / 2.0;
        double lx = (log(p) + lgamma(a + 1.0) + a * log(2.0)) / a;
        if (lx < -700.0 && !upper) return 0.0;   /* below the smallest double: the quantile is 0 */
        x = exp(lx);
    }
    if (!(x > 0.0) || !isfinite(x)) x = df;
    double lo = 0.0, hi = INFINITY;
    for (int it = 0; it < 300; it++) {
        /* f > 0 means x is above the quantile */
        double f = upper ? q - gsl_cdf_chisq_Q(x, df) : gsl_cdf_chisq_P(x, df) - p;
        if (f > 0.0) hi = x; else if (f < 0.0) lo = x; else return x;
        double d = gsl_ran_chisq_pdf(x, df), nx = d > 0.0 ? x - f / d : NAN;
        if (!(nx > lo && nx < hi) || !isfinite(nx))
            nx = isinf(hi) ? (x > 0.0 ? 2.0 * x : 1.0) : 0.5 * (lo + hi);
        if (fabs(nx - x) <= 1e-15 * fabs(x) || (isfinite(hi) && hi - lo <= 4e-16 * hi)) return nx;
        x = nx;
    }
    return x;
}

/* Wilson-Hilferty normal approximation of the chi-square CDF (large df) */
static double wh_cdf(double x, double df)
{
    double h = 2.0 / (9.0 * df);
    return gsl_cdf_ugaussian_P((cbrt(x / df) - (1.0 - h)) / sqrt(h));
}

double el_chisq_cdf(double x, double df)
{
    if (isnan(x) || !(df > 0.0) || isinf(df)) return NAN;
    if (x <= 0.0) return 0.0;
    if (isinf(x)) return 1.0;
    if (df >= EL_CHISQ_LARGE_DF) return wh_cdf(x, df);
    return gsl_cdf_chisq_P(x, df);
}

double el_poisson_cdf(double k, double mu)
{
    if (isnan(k) || !(mu >= 0.0) || isinf(mu)) return NAN;
    k = floor(k);
    if (k < 0.0) return 0.0;
    if (mu == 0.0) return 1.0;
    /* P(X <= k) = Q(k+1, mu) = P(chi2(2k+2) > 2mu) */
    if (2.0 * k + 2.0 >= EL_CHISQ_LARGE_DF || mu >= EL_CHISQ_LARGE_DF / 2.0)
        return 1.0 - wh_cdf(2.0 * mu, 2.0 * k + 2.0);
    return gsl_cdf_gamma_Q(mu, k + 1.0, 1.0);
}

double el_binomial_cdf(double k, double n, double p)
{
    if (isnan(k) || !(n >= 0.0) || bad_p(p) || n > 4294967295.0) return NAN;
    k = floor(k);
    if (k < 0.0) return 0.0;
    if (k >= n) return 1.0;
    return gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n);
}

el_status el_confidence_level(double conf, double *level, el_error *err)
{
    double l = NAN;
    if (conf > 0.0 && conf <= 1.0) l = conf;
    else if (conf > 1.0 && conf <= 100.0) l = conf / 100.0;
    if (level) *level = l;
    if (isnan(l))
        return el_error_set(err, EL_ERR_INVALID,
                            "confidence level %g is not a fraction in (0,1] or a percentage in (1,100]", conf);
    return EL_OK;
}

double el_z_for_confidence(double conf)
{
    double l;
    if (el_confidence_level(conf, &l, NULL) != EL_OK) return NAN;
    return el_norm_quantile(1.0 - (1.0 - l) / 2.0);
}
