/* inequality_impl.h — private to src/core/inequality*.c (owner: "who"):
 * the context's layout, what validation learned about a block, the
 * regression fits behind ACI/RCI and SII/RII (inequality_regress.c) and the
 * Monte Carlo limits (inequality_sim.c). Not a public API (the unit test
 * includes it to test the quantile selection directly). */
#ifndef EQUITYLENS_INEQUALITY_IMPL_H
#define EQUITYLENS_INEQUALITY_IMPL_H
#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "equitylens/inequality.h"

/* Two-parameter fit y ~ b0 + b1·x with its 2×2 covariance matrix. */
typedef struct el_ineq_fit2 {
    double b0, b1;
    double v00, v01, v11;
    int iterations;
} el_ineq_fit2;

/* Weighted least squares of y on x (weights w > 0), classical covariance
 * (residual variance Σw·e²/(n−2)). Returns 0, or -1 if the design is singular. */
int el_ineq_wls(const double *x, const double *y, const double *w, size_t n, el_ineq_fit2 *fit);

/* SII/RII fit on rank x of proportions p in [0,1] with prior weights w:
 * logistic (quasi-binomial IRLS) or linear (WLS); covariance is the
 * heteroscedasticity-consistent HC1 sandwich n/(n−2)·B·M·B. Returns 0, or -1
 * with a reason in why (no convergence, separation, singular design). */
int el_ineq_fit_sii(int logistic, const double *x, const double *p, const double *w,
                    size_t n, el_ineq_fit2 *fit, char *why, size_t whycap);

/* The simulated measures (limits by Monte Carlo), in the order of the rows
 * of ctx->sim. */
#define EL_INEQ_NSIM 10
#define EL_INEQ_SIMULATED (EL_INEQ_BIT(EL_INEQ_BGSD) | EL_INEQ_BIT(EL_INEQ_COV) | \
    EL_INEQ_BIT(EL_INEQ_MDMU) | EL_INEQ_BIT(EL_INEQ_MDMW) | EL_INEQ_BIT(EL_INEQ_MDBU) | \
    EL_INEQ_BIT(EL_INEQ_MDBW) | EL_INEQ_BIT(EL_INEQ_MDRU) | EL_INEQ_BIT(EL_INEQ_MDRW) | \
    EL_INEQ_BIT(EL_INEQ_IDISU) | EL_INEQ_BIT(EL_INEQ_IDISW))

typedef struct { double order; size_t i; } el_ineq_ordidx;

struct el_ineq_ctx {
    el_ineq_opts o;
    double level, z;
    gsl_rng *rng;
    size_t cap;          /* subgroup capacity of the arrays below */
    el_ineq_ordidx *ord;
    size_t *idx;         /* sorted position -> input row */
    double *y, *se, *pop, *sh, *rank, *p, *w, *draw;
    double *sim;         /* EL_INEQ_NSIM * reps simulated values */
    double *tmp;         /* reps, for quantiles */
};

/* What validation learned about a block (indices are sorted positions). */
typedef struct {
    size_t n;
    int has_pop, has_se, ordered, fav;
    long se_missing_line;       /* first row without an SE */
    const char *se_missing_label;
    long ref;                   /* sorted index of the reference, -1 if none */
    double N, mu_pop, mu_avg, scale, sa;
    size_t imax, imin, best;
} el_ineq_blockinfo;

/* Set r->note to s unless a note is already there. */
void el_ineq_note(el_ineq_result *r, const char *s);

/* Monte Carlo limits of the simulated measures in `want` whose out[] state
 * is EL_INEQ_OK (inequality_sim.c). Uses ctx->y, se, sh and the RNG. */
void el_ineq_simulate(el_ineq_ctx *c, const el_ineq_blockinfo *b, uint32_t want, el_ineq_result *out);

/* Type-7 quantile (as el_ineq_quantile7) of the n values in a, which need not
 * be sorted and are reordered (quickselect, O(n)). NAN when n == 0. */
double el_ineq_quantile_select(double *a, size_t n, double p);

#endif
