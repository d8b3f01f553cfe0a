/* inequality_impl.h — private to src/core/inequality*.c (owner: "who").
 * The regression fits behind ACI/RCI and SII/RII. Not a public API. */
#ifndef EQUITYLENS_INEQUALITY_IMPL_H
#define EQUITYLENS_INEQUALITY_IMPL_H
#include <stddef.h>
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

#endif
