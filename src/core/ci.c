/* ci.c — see include/equitylens/ci.h and docs/methods/phe.md. */
#include "equitylens/ci.h"
#include "equitylens/distrib.h"
#include <math.h>

const char *el_ci_method_name(el_ci_method m)
{
    switch (m) {
    case EL_CI_WILSON: return "Wilson";
    case EL_CI_BYAR: return "Byars";
    case EL_CI_EXACT: return "Exact";
    case EL_CI_T: return "Student's t-distribution";
    case EL_CI_DOBSON: return "Dobson";
    case EL_CI_NONE: break;
    }
    return "";
}

static void nan2(double *a, double *b)
{
    if (a) *a = NAN;
    if (b) *b = NAN;
}

static void est_missing(el_estimate *o)
{
    if (!o) return;
    o->value = o->lower = o->upper = NAN;
    o->method = EL_CI_NONE;
}

/* level and z for a confidence; fills err on failure */
static el_status conf_z(double confidence, double *level, double *z, el_error *err)
{
    el_status s = el_confidence_level(confidence, level, err);
    if (s != EL_OK) return s;
    *z = el_norm_quantile(1.0 - (1.0 - *level) / 2.0);
    return EL_OK;
}

el_status el_wilson(double x, double n, double confidence,
                    double *lower, double *upper, el_error *err)
{
    nan2(lower, upper);
    double level, z;
    el_status s = conf_z(confidence, &level, &z, err);
    if (s != EL_OK) return s;
    if (isnan(x) || isnan(n)) return EL_OK;
    if (!(x >= 0.0) || isinf(x))
        return el_error_set(err, EL_ERR_INVALID, "numerator %g must be a finite number >= 0", x);
    if (!(n > 0.0) || isinf(n))
        return el_error_set(err, EL_ERR_INVALID, "denominator %g must be a finite number > 0", n);
    if (x > n)
        return el_error_set(err, EL_ERR_INVALID,
                            "numerator %g exceeds denominator %g for a proportion", x, n);
    if (level == 1.0) {
        if (lower) *lower = 0.0;
        if (upper) *upper = 1.0;
        return EL_OK;
    }
    double z2 = z * z;
    double root = z * sqrt(z2 + 4.0 * x * (1.0 - x / n));
    double den = 2.0 * (n + z2);
    if (lower) *lower = (2.0 * x + z2 - root) / den;
    if (upper) *upper = (2.0 * x + z2 + root) / den;
    return EL_OK;
}

static el_status check_count(double x, el_error *err)
{
    if (!(x >= 0.0) || isinf(x))
        return el_error_set(err, EL_ERR_INVALID, "count %g must be a finite number >= 0", x);
    return EL_OK;
}

/* The start both count intervals share: bounds set to NaN, the confidence checked, and a
 * count that is not NaN checked (a NaN count returns EL_OK, leaving the bounds NaN). */
static el_status count_start(double x, double confidence, double *lower, double *upper,
                             double *level, double *z, el_error *err)
{
    nan2(lower, upper);
    el_status s = conf_z(confidence, level, z, err);
    if (s != EL_OK) return s;
    if (isnan(x)) return EL_OK;
    return check_count(x, err);
}

el_status el_byar(double x, double confidence, double *lower, double *upper, el_error *err)
{
    double level, z;
    el_status s = count_start(x, confidence, lower, upper, &level, &z, err);
    if (s != EL_OK || isnan(x)) return s;
    if (lower && x > 0.0 && !isinf(z)) {
        double t = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * sqrt(x));
        double l = x * t * t * t;
        *lower = l >= 0.0 ? l : NAN;
    }
    if (upper) {
        double x1 = x + 1.0;
        double t = 1.0 - 1.0 / (9.0 * x1) + z / (3.0 * sqrt(x1));
        *upper = x1 * t * t * t;
    }
    return EL_OK;
}

el_status el_exact_poisson(double x, double confidence, double *lower, double *upper, el_error *err)
{
    double level, z;
    el_status s = count_start(x, confidence, lower, upper, &level, &z, err);
    if (s != EL_OK || isnan(x)) return s;
    double a = (1.0 - level) / 2.0;
    if (lower) *lower = x == 0.0 ? 0.0 : el_chisq_quantile(a, 2.0 * x) / 2.0;
    if (upper) *upper = el_chisq_quantile(1.0 - a, 2.0 * x + 2.0) / 2.0;
    return EL_OK;
}

el_status el_poisson_limits(double x, double confidence, double *lower, double *upper,
                            el_ci_method *method, el_error *err)
{
    if (method) *method = EL_CI_NONE;
    if (isnan(x)) {
        nan2(lower, upper);
        double level;
        return el_confidence_level(confidence, &level, err);
    }
    el_ci_method m = x < 10.0 ? EL_CI_EXACT : EL_CI_BYAR;
    el_status s = m == EL_CI_EXACT ? el_exact_poisson(x, confidence, lower, upper, err)
                                   : el_byar(x, confidence, lower, upper, err);
    if (s == EL_OK && method) *method = m;
    return s;
}

el_status el_proportion_ci(double x, double n, double confidence, double multiplier,
                           el_estimate *out, el_error *err)
{
    est_missing(out);
    if (isnan(multiplier) || isinf(multiplier))
        return el_error_set(err, EL_ERR_INVALID, "multiplier must be a finite number");
    double l, u;
    el_status s = el_wilson(x, n, confidence, &l, &u, err);
    if (s != EL_OK || isnan(x) || isnan(n)) return s;
    if (out) {
        out->value = x / n * multiplier;
        out->lower = l * multiplier;
        out->upper = u * multiplier;
        out->method = EL_CI_WILSON;
    }
    return EL_OK;
}

el_status el_rate_ci(double x, double n, double confidence, double multiplier,
                     el_estimate *out, el_error *err)
{
    est_missing(out);
    if (isnan(multiplier) || isinf(multiplier))
        return el_error_set(err, EL_ERR_INVALID, "multiplier must be a finite number");
    double level;
    el_status s = el_confidence_level(confidence, &level, err);
    if (s != EL_OK) return s;
    if (!isnan(x) && (s = check_count(x, err)) != EL_OK) return s;
    if (!isnan(n) && (!(n > 0.0) || isinf(n)))
        return el_error_set(err, EL_ERR_INVALID, "denominator %g must be a finite number > 0", n);
    if (isnan(x) || isnan(n)) {
        if (out && !isnan(x)) out->method = x < 10.0 ? EL_CI_EXACT : EL_CI_BYAR;
        return EL_OK;
    }
    double l, u;
    el_ci_method m;
    if ((s = el_poisson_limits(x, confidence, &l, &u, &m, err)) != EL_OK) return s;
    if (out) {
        out->value = x / n * multiplier;
        out->lower = l / n * multiplier;
        out->upper = u / n * multiplier;
        out->method = m;
    }
    return EL_OK;
}

el_status el_mean_ci(double mean, double sd, double n, double confidence,
                     el_estimate *out, el_error *err)
{
    est_missing(out);
    double level;
    el_status s = el_confidence_level(confidence, &level, err);
    if (s != EL_OK) return s;
    if (isnan(mean) || isnan(sd) || isnan(n)) return EL_OK;
    if (!(n >= 2.0) || isinf(n))
        return el_error_set(err, EL_ERR_INVALID, "a mean's interval needs at least 2 values (n = %g)", n);
    if (!(sd >= 0.0) || isinf(sd) || isinf(mean))
        return el_error_set(err, EL_ERR_INVALID, "standard deviation %g must be finite and >= 0", sd);
    double t = fabs(el_t_quantile((1.0 - level) / 2.0, n - 1.0));
    double h = t * sd / sqrt(n);
    if (out) {
        out->value = mean;
        out->lower = mean - h;
        out->upper = mean + h;
        out->method = EL_CI_T;
    }
    return EL_OK;
}

el_status el_mean_ci_values(const double *values, long n, double confidence,
                            el_estimate *out, double *sum_out, double *sd_out, el_error *err)
{
    est_missing(out);
    if (sum_out) *sum_out = NAN;
    if (sd_out) *sd_out = NAN;
    if (n < 2 || !values)
        return el_error_set(err, EL_ERR_INVALID, "a mean's interval needs at least 2 values (n = %ld)", n);
    double sum = 0.0;
    for (long i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return el_error_at(err, EL_ERR_INVALID, NULL, i + 1, 0, NULL,
                               "value %ld is missing or not finite", i + 1);
        sum += values[i];
    }
    double mean = sum / (double)n, ss = 0.0;
    for (long i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
    double sd = sqrt(ss / (double)(n - 1));
    if (sum_out) *sum_out = sum;
    if (sd_out) *sd_out = sd;
    return el_mean_ci(mean, sd, (double)n, confidence, out, err);
}
