/* sii.c — see include/equitylens/sii.h and docs/methods/phe.md. */
#include "equitylens/sii.h"
#include "equitylens/distrib.h"
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SII_MAXQ 100

void el_sii_opts_default(el_sii_opts *o)
{
    memset(o, 0, sizeof *o);
    o->value_type = EL_SII_NORMAL;
    o->multiplier = 1.0;
    o->repetitions = 100000;
    o->seed = 1;
    o->confidence[0] = 0.95;
    o->nconf = 1;
}

static double fwd(el_sii_value_type t, double v)
{
    if (t == EL_SII_RATE) return log(v);
    if (t == EL_SII_PROPORTION) return log(v / (1.0 - v));
    return v;
}

static double inv(el_sii_value_type t, double v)
{
    if (t == EL_SII_RATE) return exp(v);
    if (t == EL_SII_PROPORTION) return 1.0 / (1.0 + exp(-v));
    return v;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct { double q; size_t i; } qi;

static int cmp_qi(const void *a, const void *b)
{
    const qi *x = a, *y = b;
    return (x->q > y->q) - (x->q < y->q);
}

/* msg is a fixed text; v (the offending number) is appended */
static el_status row_err(el_error *err, size_t i, const char *field, const char *msg, double v)
{
    return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, field, "%s (got %g)", msg, v);
}

el_status el_sii(const el_sii_row *rows, size_t n, const el_sii_opts *opts,
                 el_sii_result *out, el_error *err)
{
    el_sii_opts def;
    if (!opts) { el_sii_opts_default(&def); opts = &def; }
    el_sii_result tmp;
    if (!out) out = &tmp;
    memset(out, 0, sizeof *out);
    out->sii = out->rii = out->intercept = NAN;
    el_sii_value_type vt = opts->value_type;
    if (vt != EL_SII_NORMAL && vt != EL_SII_RATE && vt != EL_SII_PROPORTION)
        return el_error_set(err, EL_ERR_INVALID, "value type %d must be 0 (normal), 1 (rate) or 2 (proportion)", (int)vt);
    if (n < 5 || n > SII_MAXQ)
        return el_error_set(err, EL_ERR_INVALID, "number of quantiles %zu must be between 5 and 100", n);
    if (opts->repetitions < 1000 || opts->repetitions > 100000000L)
        return el_error_set(err, EL_ERR_INVALID, "repetitions %ld must be between 1000 and 100000000", opts->repetitions);
    if (!isfinite(opts->multiplier) || opts->multiplier == 0.0)
        return el_error_set(err, EL_ERR_INVALID, "multiplier must be a finite non-zero number");
    if (opts->nconf < 1 || opts->nconf > EL_SII_MAXCONF)
        return el_error_set(err, EL_ERR_INVALID, "between 1 and %d confidence levels", EL_SII_MAXCONF);
    double level[EL_SII_MAXCONF];
    for (size_t c = 0; c < opts->nconf; c++) {
        el_status s = el_confidence_level(opts->confidence[c], &level[c], err);
        if (s != EL_OK) return s;
        if (level[c] < 0.5 || level[c] > 0.9999)
            return el_error_set(err, EL_ERR_INVALID, "SII confidence %g must be between 50%% and 99.99%%", opts->confidence[c]);
    }
    int transform = opts->transform && vt != EL_SII_NORMAL;

    /* order by quantile label */
    qi ord[SII_MAXQ];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(rows[i].quantile)) return row_err(err, i, "quantile", "quantile label is not a number", rows[i].quantile);
        ord[i].q = rows[i].quantile;
        ord[i].i = i;
    }
    qsort(ord, n, sizeof ord[0], cmp_qi);
    for (size_t k = 1; k < n; k++)
        if (ord[k].q == ord[k - 1].q) return row_err(err, ord[k].i, "quantile", "quantile appears twice in one area", ord[k].q);

    /* per-quantile inputs in quantile order */
    double a[SII_MAXQ], b[SII_MAXQ], vt_[SII_MAXQ], se[SII_MAXQ], v[SII_MAXQ];
    double N = 0.0;
    for (size_t k = 0; k < n; k++) {
        const el_sii_row *r = &rows[ord[k].i];
        size_t i = ord[k].i;
        if (!(r->population > 0.0) || !isfinite(r->population))
            return row_err(err, i, "population", "population must be > 0 (zero, negative or missing)", r->population);
        N += r->population;
        double val = r->value;
        if (isnan(val) && vt == EL_SII_PROPORTION && !isnan(r->count)) {
            if (!(r->count > 0.0) || r->count > r->population)
                return row_err(err, i, "count", "count must be > 0 and <= population", r->count);
            val = r->count / r->population;
        }
        if (!isfinite(val)) return row_err(err, i, "value", "value is missing or not finite", val);
        if (vt == EL_SII_RATE && !(val > 0.0)) return row_err(err, i, "value", "rate must be > 0 (log scale)", val);
        if (vt == EL_SII_PROPORTION && !(val > 0.0 && val < 1.0))
            return row_err(err, i, "value", "proportion must be strictly between 0 and 1", val);
        v[k] = val;
        vt_[k] = fwd(vt, val);
        if (vt == EL_SII_PROPORTION && ((!isnan(r->lower) && !(r->lower >= 0.0 && r->lower <= 1.0)) ||
                                        (!isnan(r->upper) && !(r->upper >= 0.0 && r->upper <= 1.0))))
            return row_err(err, i, isnan(r->lower) || (r->lower >= 0.0 && r->lower <= 1.0) ? "upper_cl" : "lower_cl",
                           "confidence limit proportions must be between 0 and 1",
                           isnan(r->lower) || (r->lower >= 0.0 && r->lower <= 1.0) ? r->upper : r->lower);
        if (!isnan(r->se)) {
            if (!(r->se >= 0.0) || isinf(r->se)) return row_err(err, i, "se", "standard error must be >= 0", r->se);
            se[k] = r->se;
        } else {
            double l = r->lower, u = r->upper;
            if (!isfinite(l) || !isfinite(u))
                return row_err(err, i, "lower_cl", "needs a standard error or both 95% limits (lower)", l);
            if (vt == EL_SII_PROPORTION && !(l > 0.0 && l < 1.0 && u > 0.0 && u < 1.0))
                return row_err(err, i, "lower_cl", "proportion limits must be between 0 and 1 (lower)", l);
            if (vt == EL_SII_RATE && !(l > 0.0 && u > 0.0))
                return row_err(err, i, "lower_cl", "rate limits must be > 0 (lower)", l);
            if (u < l) return row_err(err, i, "upper_cl", "upper limit below lower limit (upper)", u);
            /* the reference fixes z at 95% here whatever the SII confidence */
            se[k] = (fwd(vt, u) - fwd(vt, l)) / 1.959963984540054 / 2.0;
        }
    }
    /* population shares and ridit scores */
    double cum = 0.0;
    for (size_t k = 0; k < n; k++) {
        a[k] = rows[ord[k].i].population / N;
        b[k] = cum + a[k] / 2.0;
        cum += a[k];
    }
    /* closed-form WLS of √a·y on √a and b√a (no intercept term):
     * normal equations with S11 = Σa = 1, S12 = Σab, S22 = Σab² */
    double S11 = 0, S12 = 0, S22 = 0;
    for (size_t k = 0; k < n; k++) { S11 += a[k]; S12 += a[k] * b[k]; S22 += a[k] * b[k] * b[k]; }
    double det = S11 * S22 - S12 * S12;
    if (!(det > 0.0)) return el_error_set(err, EL_ERR_RANGE, "degenerate ranks: SII undefined");
    double c1[SII_MAXQ], c2[SII_MAXQ];  /* intercept = Σc1·y, slope = Σc2·y */
    for (size_t k = 0; k < n; k++) {
        c1[k] = a[k] * (S22 - S12 * b[k]) / det;
        c2[k] = a[k] * (S11 * b[k] - S12) / det;
    }
    double m = opts->multiplier;
    {
        double icpt = 0, slope = 0;
        for (size_t k = 0; k < n; k++) {
            double y = transform ? vt_[k] : v[k];
            icpt += c1[k] * y; slope += c2[k] * y;
        }
        double sii, rii, y0;
        if (transform) {
            y0 = inv(vt, icpt);
            double y1 = inv(vt, icpt + slope);
            sii = y1 - y0; rii = y1 / y0;
        } else {
            y0 = icpt; sii = slope; rii = (icpt + slope) / icpt;
        }
        out->sii = sii * m;
        out->rii = m < 0 ? 1.0 / rii : rii;
        out->intercept = y0;
    }
    out->nquantiles = (int)n;
    out->nconf = opts->nconf;

    /* simulation: workspace allocated once */
    size_t R = (size_t)opts->repetitions;
    double *ss = malloc(R * sizeof *ss), *rr = malloc(R * sizeof *rr);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!ss || !rr || !rng) {
        free(ss); free(rr); if (rng) gsl_rng_free(rng);
        return el_error_set(err, EL_ERR_NOMEM, "out of memory for %zu SII repetitions", R);
    }
    gsl_rng_set(rng, (unsigned long)opts->seed);
    for (size_t r = 0; r < R; r++) {
        double icpt = 0, slope = 0;
        for (size_t k = 0; k < n; k++) {
            double y = vt_[k] + gsl_ran_gaussian_ziggurat(rng, se[k]);
            if (!transform) y = inv(vt, y);
            icpt += c1[k] * y; slope += c2[k] * y;
        }
        if (transform) {
            double y0 = inv(vt, icpt), y1 = inv(vt, icpt + slope);
            ss[r] = y1 - y0; rr[r] = y1 / y0;
        } else {
            ss[r] = slope; rr[r] = (icpt + slope) / icpt;
        }
    }
    gsl_rng_free(rng);
    qsort(ss, R, sizeof *ss, cmp_d);
    qsort(rr, R, sizeof *rr, cmp_d);
    for (size_t c = 0; c < opts->nconf; c++) {
        double al = (1.0 - level[c]) / 2.0;
        long lo = lround((double)R * al), hi = lround((double)R * (1.0 - al));
        if (lo < 1) lo = 1;
        if (hi > (long)R) hi = (long)R;
        double sl = ss[lo - 1], su = ss[hi - 1], rl = rr[lo - 1], ru = rr[hi - 1];
        if (m < 0) {
            out->sii_lower[c] = su * m; out->sii_upper[c] = sl * m;
            out->rii_lower[c] = 1.0 / ru; out->rii_upper[c] = 1.0 / rl;
        } else {
            out->sii_lower[c] = sl * m; out->sii_upper[c] = su * m;
            out->rii_lower[c] = rl; out->rii_upper[c] = ru;
        }
    }
    free(ss); free(rr);
    return EL_OK;
}
