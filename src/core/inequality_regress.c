/* inequality_regress.c — the regressions behind ACI/RCI and SII/RII
 * (owner: "who"). See inequality_impl.h and docs/methods/who.md. */
#include <math.h>
#include <stdio.h>
#include "inequality_impl.h"

/* Weighted sums for a 2-parameter design (1, x). */
typedef struct { double sw, xbar, sxx; } design2;

static int design(const double *x, const double *w, size_t n, design2 *d)
{
    double sw = 0, swx = 0;
    for (size_t i = 0; i < n; i++) { sw += w[i]; swx += w[i] * x[i]; }
    if (!(sw > 0)) return -1;
    double xbar = swx / sw, sxx = 0;
    for (size_t i = 0; i < n; i++) { double dx = x[i] - xbar; sxx += w[i] * dx * dx; }
    if (!(sxx > 0) || !isfinite(sxx)) return -1;
    d->sw = sw; d->xbar = xbar; d->sxx = sxx;
    return 0;
}

static void wls_coef(const double *x, const double *y, const double *w, size_t n,
                     const design2 *d, double *b0, double *b1)
{
    double sy = 0;
    for (size_t i = 0; i < n; i++) sy += w[i] * y[i];
    double ybar = sy / d->sw, sxy = 0;
    for (size_t i = 0; i < n; i++) sxy += w[i] * (x[i] - d->xbar) * (y[i] - ybar);
    *b1 = sxy / d->sxx;
    *b0 = ybar - *b1 * d->xbar;
}

int el_ineq_wls(const double *x, const double *y, const double *w, size_t n, el_ineq_fit2 *fit)
{
    design2 d;
    if (n < 2 || design(x, w, n, &d) != 0) return -1;
    wls_coef(x, y, w, n, &d, &fit->b0, &fit->b1);
    double rss = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - fit->b0 - fit->b1 * x[i];
        rss += w[i] * e * e;
    }
    double s2 = n > 2 ? rss / (double)(n - 2) : NAN;
    fit->v11 = s2 / d.sxx;
    fit->v00 = s2 * (1.0 / d.sw + d.xbar * d.xbar / d.sxx);
    fit->v01 = -s2 * d.xbar / d.sxx;
    fit->iterations = 1;
    return 0;
}

static double expit(double e)
{
    if (e >= 0) return 1.0 / (1.0 + exp(-e));
    double t = exp(e);
    return t / (1.0 + t);
}

/* HC1 sandwich V = n/(n-2) · B · M · B with B = (X'WX)^-1 given through the
 * weighted design sums (sw, xbar, sxx) and M = Σ s s', s_i = score_i·(1, x_i). */
static void hc1(double sw, double xb, double sxx, double m00, double m01, double m11,
                size_t n, el_ineq_fit2 *fit)
{
    double b00 = 1.0 / sw + xb * xb / sxx, b01 = -xb / sxx, b11 = 1.0 / sxx;
    double t00 = b00 * m00 + b01 * m01, t01 = b00 * m01 + b01 * m11;
    double t10 = b01 * m00 + b11 * m01, t11 = b01 * m01 + b11 * m11;
    double k = (double)n / (double)(n - 2);
    fit->v00 = k * (t00 * b00 + t01 * b01);
    fit->v01 = k * (t00 * b01 + t01 * b11);
    fit->v11 = k * (t10 * b01 + t11 * b11);
}

/* Working quantities of observation i at the current state of IRLS:
 * mu, mu(1-mu) and the working response z = eta + (p - mu)/(mu(1-mu)).
 * 1 - mu is computed as expit(-eta), and p - mu as (p - 1) + (1 - mu) when
 * mu > 1/2, so that fits with proportions near 0 or 1 keep full precision. */
static void working(int have, double b0, double b1, double x, double p,
                    double *mu, double *v, double *z)
{
    double eta, m, om;
    if (have) {
        eta = b0 + b1 * x;
        m = expit(eta);
        om = expit(-eta);
    } else {
        m = (p + 0.5) / 2.0;
        om = 1 - m;
        eta = log(m / om);
    }
    double r = m > 0.5 ? (p - 1) + om : p - m;
    *mu = m;
    *v = m * om;
    *z = eta + r / (m * om);
}

int el_ineq_fit_sii(int logistic, const double *x, const double *p, const double *w,
                    size_t n, el_ineq_fit2 *fit, char *why, size_t whycap)
{
    design2 d;
    if (n < 3) { snprintf(why, whycap, "needs at least 3 subgroups"); return -1; }
    if (design(x, w, n, &d) != 0) { snprintf(why, whycap, "singular design (all ranks equal)"); return -1; }
    if (!logistic) {
        wls_coef(x, p, w, n, &d, &fit->b0, &fit->b1);
        fit->iterations = 1;
        double m00 = 0, m01 = 0, m11 = 0;
        for (size_t i = 0; i < n; i++) {
            double sc = w[i] * (p[i] - fit->b0 - fit->b1 * x[i]);
            m00 += sc * sc; m01 += sc * sc * x[i]; m11 += sc * sc * x[i] * x[i];
        }
        hc1(d.sw, d.xbar, d.sxx, m00, m01, m11, n, fit);
        return 0;
    }
    int all0 = 1, all1 = 1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] > 0) all0 = 0;
        if (p[i] < 1) all1 = 0;
    }
    if (all0 || all1) {
        snprintf(why, whycap, "logistic fit impossible: every estimate is %s",
                 all0 ? "0" : "at the scale maximum");
        return -1;
    }
    /* IRLS (Fisher scoring = Newton for the canonical logit link): each
     * iteration is a WLS of the working response z on x with working weights
     * w·mu(1-mu), recomputed from the current coefficients. */
    double b0 = 0, b1 = 0;
    int have = 0, it;
    for (it = 1; it <= 200; it++) {
        double sw = 0, swx = 0, swz = 0, mu, v, z;
        for (size_t i = 0; i < n; i++) {
            working(have, b0, b1, x[i], p[i], &mu, &v, &z);
            double W = w[i] * v;
            sw += W; swx += W * x[i]; swz += W * z;
        }
        if (!(sw > 0) || !isfinite(sw)) break;
        double xb = swx / sw, zb = swz / sw, sxx = 0, sxz = 0;
        for (size_t i = 0; i < n; i++) {
            working(have, b0, b1, x[i], p[i], &mu, &v, &z);
            double W = w[i] * v, dx = x[i] - xb;
            sxx += W * dx * dx; sxz += W * dx * (z - zb);
        }
        if (!(sxx > 0)) break;
        double nb1 = sxz / sxx, nb0 = zb - nb1 * xb;
        if (!isfinite(nb0) || !isfinite(nb1)) break;
        double delta = fabs(nb0 - b0) + fabs(nb1 - b1);
        b0 = nb0; b1 = nb1;
        double size = 1 + fabs(b0) + fabs(b1);
        /* converged; after 50 iterations accept the rounding-noise floor */
        if (have && (delta <= 1e-13 * size || (it > 50 && delta <= 1e-9 * size))) { have = 2; break; }
        have = 1;
    }
    if (have != 2 || fabs(b0) + fabs(b1) > 50) {
        snprintf(why, whycap, "logistic fit did not converge (separation, or estimates at 0 or the scale maximum)");
        return -1;
    }
    fit->b0 = b0; fit->b1 = b1; fit->iterations = it;
    /* Sandwich at the solution: working weights w·mu(1-mu), scores w·(p-mu). */
    double sw = 0, swx = 0;
    double mu, v, z;
    for (size_t i = 0; i < n; i++) {
        working(1, b0, b1, x[i], p[i], &mu, &v, &z);
        sw += w[i] * v; swx += w[i] * v * x[i];
    }
    double xb = swx / sw, sxx = 0, m00 = 0, m01 = 0, m11 = 0;
    for (size_t i = 0; i < n; i++) {
        working(1, b0, b1, x[i], p[i], &mu, &v, &z);
        double dx = x[i] - xb, eta = b0 + b1 * x[i];
        sxx += w[i] * v * dx * dx;
        double sc = w[i] * (z - eta) * v;      /* = w·(p - mu), accurately */
        m00 += sc * sc; m01 += sc * sc * x[i]; m11 += sc * sc * x[i] * x[i];
    }
    hc1(sw, xb, sxx, m00, m01, m11, n, fit);
    return 0;
}
