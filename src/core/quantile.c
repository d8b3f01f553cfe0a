/* quantile.c — see include/equitylens/quantile.h. */
#include "equitylens/quantile.h"
#include <math.h>
#include <stdlib.h>

typedef struct { double v; size_t i; } vi;

static int cmp_vi(const void *a, const void *b)
{
    const vi *x = a, *y = b;
    if (x->v < y->v) return -1;
    if (x->v > y->v) return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

el_status el_quantile_assign(const double *values, size_t n, int nquantiles, int invert,
                             const int *invert_per_row, int *quantile, int *too_few,
                             el_error *err)
{
    if (too_few) *too_few = 0;
    if (nquantiles < 2 || nquantiles > 1000)
        return el_error_set(err, EL_ERR_INVALID, "number of quantiles %d must be between 2 and 1000", nquantiles);
    for (size_t i = 0; i < n; i++) quantile[i] = 0;
    if (n == 0) return EL_OK;
    if (invert_per_row) {
        for (size_t i = 1; i < n; i++)
            if ((invert_per_row[i] != 0) != (invert_per_row[0] != 0))
                return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, "invert",
                                   "invert (polarity) values must take the same logical value for each "
                                   "grouping set: this row differs from the group's first row");
        invert = invert_per_row[0] != 0;
    }
    size_t N = 0;
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isinf(values[i]))
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, "value",
                               "value in row %zu is infinite", i + 1);
        if (!isnan(values[i])) { N++; if (values[i] > mx) mx = values[i]; }
    }
    if (N < (size_t)nquantiles) {
        if (too_few && N > 0) *too_few = 1;
        return EL_OK;
    }
    vi *a = malloc(N * sizeof *a);
    if (!a) return el_error_set(err, EL_ERR_NOMEM, "out of memory assigning quantiles");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i])) { a[m].v = invert ? mx - values[i] : values[i]; a[m].i = i; m++; }
    qsort(a, N, sizeof *a, cmp_vi);
    double k = nquantiles, dN = (double)N;
    size_t rank = 1;
    for (size_t j = 0; j < N; j++) {
        if (j > 0 && a[j].v != a[j - 1].v) rank = j + 1;   /* ties → minimum rank */
        double q = floor((k + 1.0) - ceil(((dN + 1.0) - (double)rank) / (dN / k)));
        quantile[a[j].i] = q < 1.0 ? 1 : (int)q;
    }
    free(a);
    return EL_OK;
}
