/* standardise.c — see include/equitylens/standardise.h, docs/methods/phe.md. */
#include "equitylens/standardise.h"
#include <math.h>

const double el_esp2013[EL_ESP2013_BANDS] = {
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000};
const int el_esp2013_start[EL_ESP2013_BANDS] = {
    0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90};

static el_status bad_at(el_error *err, size_t i, const char *field, const char *what, double v)
{
    return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, field,
                       "%s %g in category %zu %s", field, v, i + 1, what);
}

static void dsr_missing(el_dsr_result *o)
{
    o->total_count = o->total_pop = o->value = o->lower = o->upper = o->variance = NAN;
}

static el_status std_weights(const double *stdpop, size_t nbands, const double **w, double *sumw,
                             el_error *err)
{
    if (!stdpop) {
        if (nbands != EL_ESP2013_BANDS)
            return el_error_set(err, EL_ERR_INVALID,
                                "the ESP2013 standard population has %d age bands but the group has %zu rows "
                                "(rows must be the 19 bands 0-4 … 90+ in order, or give a standard population column)",
                                EL_ESP2013_BANDS, nbands);
        stdpop = el_esp2013;
    }
    double s = 0.0;
    for (size_t i = 0; i < nbands; i++) {
        if (!(stdpop[i] >= 0.0) || isinf(stdpop[i]))
            return bad_at(err, i, "stdpop", "must be a finite number >= 0", stdpop[i]);
        s += stdpop[i];
    }
    if (!(s > 0.0)) return el_error_set(err, EL_ERR_INVALID, "standard populations sum to zero");
    *w = stdpop;
    *sumw = s;
    return EL_OK;
}

static el_status dobson(double value_rate, double var, double O, double confidence, double multiplier,
                        el_dsr_result *out, el_error *err)
{
    double bl, bu;
    el_status s = el_byar(O, confidence, &bl, &bu, err);
    if (s != EL_OK) return s;
    out->variance = var;
    if (O < 10.0) {
        out->value = out->lower = out->upper = NAN;
        return EL_OK;
    }
    double k = sqrt(var / O);
    out->value = value_rate * multiplier;
    out->lower = (value_rate + k * (bl - O)) * multiplier;
    out->upper = (value_rate + k * (bu - O)) * multiplier;
    return EL_OK;
}

static el_status check_common(size_t nbands, double multiplier, el_error *err)
{
    if (nbands == 0) return el_error_set(err, EL_ERR_INVALID, "no standardisation categories");
    if (!isfinite(multiplier)) return el_error_set(err, EL_ERR_INVALID, "multiplier must be finite");
    return EL_OK;
}

/* The start both DSR functions share: the result set to missing, the band count and
 * multiplier checked, the standard-population weights taken. */
static el_status dsr_start(const double *stdpop, size_t nbands, double multiplier, el_dsr_result *out,
                           const double **w, double *sumw, el_error *err)
{
    dsr_missing(out);
    el_status s = check_common(nbands, multiplier, err);
    if (s != EL_OK) return s;
    return std_weights(stdpop, nbands, w, sumw, err);
}

/* population n[i] of category i: present, finite and > 0 */
static el_status check_pop(const double *n, size_t i, el_error *err)
{
    if (isnan(n[i]))
        return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, "pop",
                           "population missing in category %zu", i + 1);
    if (!(n[i] > 0.0) || isinf(n[i])) return bad_at(err, i, "pop", "must be > 0", n[i]);
    return EL_OK;
}

el_status el_dsr(const double *x, const double *n, const double *stdpop, size_t nbands,
                 double confidence, double multiplier, el_dsr_result *out, el_error *err)
{
    el_dsr_result tmp;
    if (!out) out = &tmp;
    const double *w;
    double sumw;
    el_status s = dsr_start(stdpop, nbands, multiplier, out, &w, &sumw, err);
    if (s != EL_OK) return s;
    double O = 0.0, N = 0.0, wr = 0.0, sq = 0.0;
    for (size_t i = 0; i < nbands; i++) {
        double xi = isnan(x[i]) ? 0.0 : x[i];
        if (!(xi >= 0.0) || isinf(xi)) return bad_at(err, i, "count", "must be a finite number >= 0", x[i]);
        if ((s = check_pop(n, i, err)) != EL_OK) return s;
        double r = w[i] / n[i];
        O += xi;
        N += n[i];
        wr += xi * r;
        sq += xi * r * r;
    }
    out->total_count = O;
    out->total_pop = N;
    return dobson(wr / sumw, sq / (sumw * sumw), O, confidence, multiplier, out, err);
}

el_status el_dsr_nonind(const double *n, const double *stdpop, size_t nbands,
                        const size_t *row_band, const double *row_freq,
                        const double *row_persons, size_t nrows,
                        double confidence, double multiplier,
                        el_dsr_result *out, el_error *err)
{
    el_dsr_result tmp;
    if (!out) out = &tmp;
    const double *w;
    double sumw;
    el_status s = dsr_start(stdpop, nbands, multiplier, out, &w, &sumw, err);
    if (s != EL_OK) return s;
    double N = 0.0;
    for (size_t i = 0; i < nbands; i++) {
        if ((s = check_pop(n, i, err)) != EL_OK) return s;
        N += n[i];
    }
    double O = 0.0, wr = 0.0, var = 0.0;
    for (size_t r = 0; r < nrows; r++) {
        size_t b = row_band[r];
        double f = row_freq[r], p = isnan(row_persons[r]) ? 0.0 : row_persons[r];
        if (b >= nbands)
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)r + 1, 0, "ageband",
                               "row %zu refers to category %zu of %zu", r + 1, b + 1, nbands);
        if (!(f >= 0.0) || isinf(f))
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)r + 1, 0, "freq",
                               "event frequency %g in row %zu must be a finite number >= 0", f, r + 1);
        if (!(p >= 0.0) || isinf(p))
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)r + 1, 0, "persons",
                               "persons %g in row %zu must be a finite number >= 0", p, r + 1);
        double q = w[b] / n[b];
        O += f * p;
        wr += f * p * q;
        var += f * f * p * q * q;
    }
    out->total_count = O;
    out->total_pop = N;
    return dobson(wr / sumw, var / (sumw * sumw), O, confidence, multiplier, out, err);
}

el_status el_isr(const double *x, const double *n, const double *x_ref, const double *n_ref,
                 size_t nbands, double observed_total, el_isr_kind kind, double scale,
                 double confidence, el_isr_result *out, el_error *err)
{
    el_isr_result tmp;
    if (!out) out = &tmp;
    out->observed = out->expected = out->ref_rate = out->value = out->lower = out->upper = NAN;
    out->method = EL_CI_NONE;
    el_status s = check_common(nbands, scale, err);
    if (s != EL_OK) return s;
    if (kind != EL_ISR_RATIO && kind != EL_ISR_RATE)
        return el_error_set(err, EL_ERR_INVALID, "unknown ISR kind %d", (int)kind);
    if (!x && isnan(observed_total))
        return el_error_set(err, EL_ERR_INVALID, "ISR needs counts or an observed total");
    double O = 0.0, E = 0.0, sxr = 0.0, snr = 0.0;
    for (size_t i = 0; i < nbands; i++) {
        if (x) {
            double xi = isnan(x[i]) ? 0.0 : x[i];
            if (!(xi >= 0.0) || isinf(xi)) return bad_at(err, i, "count", "must be a finite number >= 0", x[i]);
            O += xi;
        }
        /* as the reference: a missing population or reference count adds nothing */
        double ni = isnan(n[i]) ? 0.0 : n[i], xri = isnan(x_ref[i]) ? 0.0 : x_ref[i];
        if (!(ni >= 0.0) || isinf(ni)) return bad_at(err, i, "pop", "must be a finite number >= 0", n[i]);
        if (!(xri >= 0.0) || isinf(xri))
            return bad_at(err, i, "refcount", "must be a finite number >= 0", x_ref[i]);
        if (!(n_ref[i] > 0.0) || isinf(n_ref[i])) return bad_at(err, i, "refpop", "must be > 0", n_ref[i]);
        E += xri / n_ref[i] * ni;
        sxr += xri;
        snr += n_ref[i];
    }
    if (!isnan(observed_total)) {
        if (!(observed_total >= 0.0) || isinf(observed_total))
            return el_error_set(err, EL_ERR_INVALID, "observed total %g must be a finite number >= 0",
                                observed_total);
        O = observed_total;
    }
    out->observed = O;
    out->expected = E;
    if (!(E > 0.0))
        return el_error_set(err, EL_ERR_RANGE, "expected count is zero: the ratio is undefined");
    double l, u;
    el_ci_method m;
    if ((s = el_poisson_limits(O, confidence, &l, &u, &m, err)) != EL_OK) return s;
    double k = scale;
    if (kind == EL_ISR_RATE) {
        out->ref_rate = sxr / snr * scale;
        k = out->ref_rate;
    }
    out->value = O / E * k;
    out->lower = l / E * k;
    out->upper = u / E * k;
    out->method = m;
    return EL_OK;
}
