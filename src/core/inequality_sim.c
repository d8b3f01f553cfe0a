/* inequality_sim.c — Monte Carlo limits of the WHO summary measures
 * (owner: "who"): truncated-normal draws per subgroup, the simulated
 * measures recomputed from each draw, type-7 quantiles. See
 * docs/methods/who.md ("Simulated limits"). */
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "equitylens/distrib.h"
#include "inequality_impl.h"

/* The measures whose limits are simulated, in the order of ctx->sim rows. */
static const el_ineq_measure k_sim[] = {EL_INEQ_BGSD, EL_INEQ_COV, EL_INEQ_MDMU, EL_INEQ_MDMW,
                                        EL_INEQ_MDBU, EL_INEQ_MDBW, EL_INEQ_MDRU, EL_INEQ_MDRW,
                                        EL_INEQ_IDISU, EL_INEQ_IDISW};
#define NSIM (sizeof k_sim / sizeof k_sim[0])
_Static_assert(NSIM == EL_INEQ_NSIM, "k_sim and EL_INEQ_NSIM disagree");

/* k-th smallest (0-based) of a[0..n-1], partially reordering a (Hoare quickselect). */
static double select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double piv = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < piv) i++;
            while (a[j] > piv) j--;
            if (i <= j) {
                double t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return a[k];
    }
    return a[k];
}

double el_ineq_quantile_select(double *a, size_t n, double p)
{
    if (n == 0) return NAN;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return select_kth(a, n, n - 1);
    double xlo = select_kth(a, n, lo);
    double xhi = a[lo + 1];                 /* after selection, a[lo+1..] >= xlo */
    for (size_t i = lo + 2; i < n; i++) if (a[i] < xhi) xhi = a[i];
    return xlo + (h - (double)lo) * (xhi - xlo);
}

/* Draw from N(mu, sd) truncated to [lo, hi]: rejection (as healthequal),
 * falling back to the inverse-CDF method when the range is improbable. */
static double draw_trunc(gsl_rng *rng, double mu, double sd, double lo, double hi)
{
    if (!(sd > 0)) return mu;
    for (int t = 0; t < 64; t++) {
        double v = mu + gsl_ran_gaussian_ziggurat(rng, sd);
        if (v >= lo && v <= hi) return v;
    }
    double plo = el_norm_cdf((lo - mu) / sd), phi = el_norm_cdf((hi - mu) / sd);
    if (!(phi > plo)) return mu < lo ? lo : (mu > hi ? hi : mu);
    double v = mu + sd * el_norm_quantile(plo + (phi - plo) * gsl_rng_uniform_pos(rng));
    return v < lo ? lo : (v > hi ? hi : v);
}

void el_ineq_simulate(el_ineq_ctx *c, const el_ineq_blockinfo *b, uint32_t want, el_ineq_result *out)
{
    size_t n = b->n;
    const double *y = c->y, *se = c->se, *sh = c->sh;
    int reps = c->o.reps;
    double lo = 0, hi = b->scale == 100 ? 100 : INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (y[k] < lo) lo = -INFINITY;
        if (y[k] > hi) hi = INFINITY;
    }
    int fixed_mu = !b->has_pop || (c->o.average == EL_AVG_SETTING && isfinite(b->sa));
    gsl_rng_set(c->rng, (unsigned long)c->o.seed);
    double *draw = c->draw;
    for (int r = 0; r < reps; r++) {
        for (size_t k = 0; k < n; k++) draw[k] = draw_trunc(c->rng, y[k], se[k], lo, hi);
        double msim = 0, dmax = draw[0], dmin = draw[0];
        for (size_t k = 0; k < n; k++) {
            if (b->has_pop) msim += sh[k] * draw[k];
            if (draw[k] > dmax) dmax = draw[k];
            if (draw[k] < dmin) dmin = draw[k];
        }
        double mavg = fixed_mu ? b->sa : msim;
        double best = b->fav ? dmax : dmin;
        double dref = b->ref >= 0 ? draw[b->ref] : NAN;
        double ss = 0, au = 0, aw = 0, bu = 0, bw = 0, ru = 0, rw = 0;
        for (size_t k = 0; k < n; k++) {
            double w = b->has_pop ? sh[k] : 0;
            ss += w * (draw[k] - msim) * (draw[k] - msim);
            au += fabs(draw[k] - mavg);
            aw += w * fabs(draw[k] - mavg);
            bu += fabs(draw[k] - best);
            bw += w * fabs(draw[k] - best);
            ru += fabs(draw[k] - dref);
            rw += w * fabs(draw[k] - dref);
        }
        double v[NSIM] = {sqrt(ss), 100 * sqrt(ss) / msim, au / (double)n, aw,
                          bu / (double)n, bw, ru / (double)n, rw,
                          100 * au / (double)n / mavg, 100 * aw / mavg};
        for (size_t s = 0; s < NSIM; s++) c->sim[s * (size_t)reps + (size_t)r] = v[s];
    }
    double alo = (1 - c->level) / 2, ahi = 1 - alo;
    for (size_t s = 0; s < NSIM; s++) {
        el_ineq_measure m = k_sim[s];
        if (!(want & EL_INEQ_BIT(m)) || out[m].state != EL_INEQ_OK) continue;
        size_t nf = 0;
        for (int r = 0; r < reps; r++) {
            double v = c->sim[s * (size_t)reps + (size_t)r];
            if (isfinite(v)) c->tmp[nf++] = v;
        }
        if (nf < (size_t)reps) {
            char t[200];
            snprintf(t, sizeof t, "%zu of %d simulations gave no finite value and were dropped", (size_t)reps - nf, reps);
            el_ineq_note(&out[m], t);
        }
        if (nf == 0) continue;
        out[m].lower = el_ineq_quantile_select(c->tmp, nf, alo);
        out[m].upper = el_ineq_quantile_select(c->tmp, nf, ahi);
        out[m].ci = EL_INEQ_CI_SIMULATION;
    }
}

