/* funnel.c — see include/equitylens/funnel.h. */
#include "equitylens/funnel.h"
#include "equitylens/distrib.h"
#include <math.h>

double el_funnel_prop_limit(double p, double population, double av, int side, double multiplier)
{
    double z = el_norm_quantile(p), z2 = z * z, N = population;
    double first = av * (N / z2 + 1.0);
    double t = -8.0 * av * (N / z2 + 1.0);
    double adj = sqrt(t * t - 64.0 * (1.0 / z2 + 1.0 / N) * av *
                                  (N * (av * (N / z2 + 2.0) - 1.0) + z2 * (av - 1.0)));
    double last = 1.0 / z2 + 1.0 / N;
    double r = side < 0 ? (first - adj / 8.0) / last : (first + adj / 8.0) / last;
    return r / N * multiplier;
}

/* number of decimal digits of a non-negative integer-valued double */
static int ndigits(double v)
{
    int k = 1;
    v = fabs(v);
    while (v >= 10.0 && k < 400) { v = floor(v / 10.0); k++; }
    return k;
}

static double signif_floor(double x)
{
    if (x == 0.0) return 0.0;
    double f = floor(x * 0.95);
    int n = ndigits(f) - 1;
    double p = pow(10.0, n);
    return floor(x * 0.95 / p) * p;
}

static double signif_ceiling(double x)
{
    if (x == 0.0) return 0.0;
    double c = ceil(x * 1.05);
    int n = ndigits(c) - 2;
    double p = pow(10.0, n);
    return ceil(x * 1.05 / p) * p;
}

/* R's round(): half to even on the double value */
static double r_round(double v) { return nearbyint(v); }

static void axis(double mn, double mx, double *pop)
{
    double amin = mx > 2.0 * mn ? 0.0 : signif_floor(mn);
    double amax = signif_ceiling(mx);
    pop[0] = amin > 1.0 ? amin : 1.0;
    for (int j = 2; j <= EL_FUNNEL_POINTS; j++) {
        double prev = pop[j - 2];
        double nx = r_round(pow(amax / prev, 1.0 / (101.0 - j)) * prev);
        pop[j - 1] = nx > prev + 1.0 ? nx : prev + 1.0;
    }
}

static el_status check_rows(const double *x, const double *n, size_t count, int prop,
                            double *sx, double *sn, double *mn, double *mx, el_error *err)
{
    if (count == 0) return el_error_set(err, EL_ERR_INVALID, "funnel needs at least one row");
    *sx = *sn = 0.0; *mn = INFINITY; *mx = -INFINITY;
    for (size_t i = 0; i < count; i++) {
        if (!(x[i] >= 0.0) || isinf(x[i]))
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, "numerator",
                               "numerator %g must be a finite number >= 0", x[i]);
        if (!(n[i] > 0.0) || isinf(n[i]))
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, "denominator",
                               "denominator %g must be a finite number > 0", n[i]);
        if (prop && x[i] > n[i])
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, "numerator",
                               "numerator %g exceeds denominator %g for a proportion", x[i], n[i]);
        *sx += x[i]; *sn += n[i];
        if (n[i] < *mn) *mn = n[i];
        if (n[i] > *mx) *mx = n[i];
    }
    return EL_OK;
}

el_status el_funnel_prop_table(const double *x, const double *n, size_t count, double multiplier,
                               el_funnel_point *out, double *average, el_error *err)
{
    if (!(multiplier > 0.0) || isinf(multiplier))
        return el_error_set(err, EL_ERR_INVALID, "funnel multiplier must be > 0");
    double sx, sn, mn, mx;
    el_status s = check_rows(x, n, count, 1, &sx, &sn, &mn, &mx, err);
    if (s != EL_OK) return s;
    double av = sx / sn;
    if (average) *average = av;
    double pop[EL_FUNNEL_POINTS];
    axis(mn, mx, pop);
    for (int j = 0; j < EL_FUNNEL_POINTS; j++) {
        el_funnel_point *o = &out[j];
        o->population = pop[j];
        o->lower2 = fmax(0.0, el_funnel_prop_limit(0.975, pop[j], av, -1, multiplier));
        o->upper2 = fmin(multiplier, el_funnel_prop_limit(0.975, pop[j], av, 1, multiplier));
        o->lower3 = fmax(0.0, el_funnel_prop_limit(0.999, pop[j], av, -1, multiplier));
        o->upper3 = fmin(multiplier, el_funnel_prop_limit(0.999, pop[j], av, 1, multiplier));
        o->baseline = av * multiplier;
    }
    return EL_OK;
}

const char *el_funnel_sig_name(el_funnel_sig s)
{
    switch (s) {
    case EL_FUNNEL_LOW_0001: return "Low (0.001)";
    case EL_FUNNEL_LOW_0025: return "Low (0.025)";
    case EL_FUNNEL_HIGH_0001: return "High (0.001)";
    case EL_FUNNEL_HIGH_0025: return "High (0.025)";
    case EL_FUNNEL_NOT_SIG: break;
    }
    return "Not significant";
}

el_funnel_sig el_funnel_prop_significance(double x, double n, double av)
{
    double v = x / n;
    if (v < el_funnel_prop_limit(0.999, n, av, -1, 1.0)) return EL_FUNNEL_LOW_0001;
    if (v < el_funnel_prop_limit(0.975, n, av, -1, 1.0)) return EL_FUNNEL_LOW_0025;
    if (v > el_funnel_prop_limit(0.999, n, av, 1, 1.0)) return EL_FUNNEL_HIGH_0001;
    if (v > el_funnel_prop_limit(0.975, n, av, 1, 1.0)) return EL_FUNNEL_HIGH_0025;
    return EL_FUNNEL_NOT_SIG;
}

el_status el_funnel_poisson_limits(double e, double p, double *lo, double *hi, el_error *err)
{
    if (!(e > 0.0) || isinf(e))
        return el_error_set(err, EL_ERR_INVALID, "expected count %g must be a finite number > 0", e);
    if (!(p > 0.5 && p < 1.0))
        return el_error_set(err, EL_ERR_INVALID, "funnel probability %g must be in (0.5, 1)", p);
    if (lo) *lo = el_chisq_quantile(1.0 - p, 2.0 * e) / 2.0;
    if (hi) *hi = el_chisq_quantile(p, 2.0 * e + 2.0) / 2.0;
    return EL_OK;
}

el_status el_funnel_poisson_table(const double *x, const double *n, size_t count, int ratio,
                                  double multiplier, el_funnel_point *out, double *target,
                                  el_error *err)
{
    if (!(multiplier > 0.0) || isinf(multiplier))
        return el_error_set(err, EL_ERR_INVALID, "funnel multiplier must be > 0");
    double sx, sn, mn, mx;
    el_status s = check_rows(x, n, count, 0, &sx, &sn, &mn, &mx, err);
    if (s != EL_OK) return s;
    double rate = ratio ? 1.0 : sx / sn;    /* per unit of denominator */
    if (!(rate > 0.0)) return el_error_set(err, EL_ERR_RANGE, "all counts are zero: no Poisson funnel");
    if (target) *target = rate * multiplier;
    double pop[EL_FUNNEL_POINTS];
    axis(mn, mx, pop);
    for (int j = 0; j < EL_FUNNEL_POINTS; j++) {
        double e = rate * pop[j], l2, u2, l3, u3;
        if ((s = el_funnel_poisson_limits(e, 0.975, &l2, &u2, err)) != EL_OK) return s;
        if ((s = el_funnel_poisson_limits(e, 0.999, &l3, &u3, err)) != EL_OK) return s;
        double k = multiplier / pop[j];
        el_funnel_point *o = &out[j];
        o->population = pop[j];
        o->lower2 = fmax(0.0, l2 * k);
        o->upper2 = u2 * k;
        o->lower3 = fmax(0.0, l3 * k);
        o->upper3 = u3 * k;
        o->baseline = rate * multiplier;
    }
    return EL_OK;
}

el_funnel_sig el_funnel_poisson_significance(double x, double n, int ratio, double target_rate,
                                             double multiplier)
{
    double e = ratio ? n : target_rate / multiplier * n, l2 = NAN, u2 = NAN, l3 = NAN, u3 = NAN;
    if (el_funnel_poisson_limits(e, 0.975, &l2, &u2, NULL) != EL_OK) return EL_FUNNEL_NOT_SIG;
    el_funnel_poisson_limits(e, 0.999, &l3, &u3, NULL);
    if (x < l3) return EL_FUNNEL_LOW_0001;
    if (x < l2) return EL_FUNNEL_LOW_0025;
    if (x > u3) return EL_FUNNEL_HIGH_0001;
    if (x > u2) return EL_FUNNEL_HIGH_0025;
    return EL_FUNNEL_NOT_SIG;
}
