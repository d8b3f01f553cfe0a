/* quantile.h — assignment of areas to quantiles (e.g. deprivation deciles)
 * by the PHE/OHID method (PHEindicatormethods 2.1.0 phe_quantile; OHID
 * Technical Guide "Assigning deprivation categories"). docs/methods/phe.md.
 * (owner: phe helper)
 *
 * One call = one grouping set. Arrays are borrowed. Pure computation. */
#ifndef EQUITYLENS_QUANTILE_H
#define EQUITYLENS_QUANTILE_H
#include <stddef.h>
#include "equitylens/error.h"

/* Assign each of n values to a quantile 1..nquantiles:
 *   rank = rank of the (adjusted) value, ties → minimum rank;
 *   q = floor((k+1) − ceil((N+1−rank)/(N/k))), 0 → 1,
 * N = number of non-missing values, k = nquantiles. With invert, ranks use
 * max − value, so the highest value goes to quantile 1 (the reference's
 * default, invert = TRUE).
 *
 * invert_per_row: optional per-row polarity flags (NULL → use invert for all
 * rows). When given, every row must carry the same flag, otherwise
 * EL_ERR_INVALID ("invert field values must take the same logical value for
 * each grouping set"), err->line = 1-based index of the first row that
 * differs from row 1.
 *
 * quantile[i] = 0 for a missing (NAN) value, and for every row when N <
 * nquantiles (too few areas: the reference returns NA and warns);
 * *too_few (may be NULL) is then set to 1. nquantiles must be 2..1000. */
el_status el_quantile_assign(const double *values, size_t n, int nquantiles, int invert,
                             const int *invert_per_row, int *quantile, int *too_few,
                             el_error *err);

#endif
