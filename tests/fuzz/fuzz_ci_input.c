/* fuzz_ci_input.c — aggregated-data input for the PHE methods (owner: phe
 * helper). Any CSV bytes are read with el_csv/el_parse the way `equitylens ci`
 * reads them (missing → NAN), and the columns are fed to every core method
 * (ci.h, standardise.h, quantile.h, funnel.h, sii.h). Each call must return
 * a status, never crash, and a successful interval must be ordered. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/ci.h"
#include "equitylens/csv.h"
#include "equitylens/funnel.h"
#include "equitylens/parse.h"
#include "equitylens/quantile.h"
#include "equitylens/sii.h"
#include "equitylens/standardise.h"

#define MAXR 128

static void ordered(double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi) && lo > hi + 1e-12 * fabs(hi) + 1e-300) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    el_csv_opts o;
    el_csv_opts_default(&o);
    o.max_record = 4096;
    el_csv *c = el_csv_open_mem(data, size, "fuzz", &o);
    if (!c) return 0;
    static double col[4][MAXR];
    size_t n = 0;
    el_error err;
    el_csv_result r;
    while (n < MAXR && (r = el_csv_next(c, &err)) != EL_CSV_EOF && r != EL_CSV_FATAL) {
        if (r != EL_CSV_ROW) continue;
        for (size_t k = 0; k < 4; k++) {
            double v;
            col[k][n] = el_parse_double(el_csv_field(c, k), 0, &v) == 0 ? v : NAN;
        }
        n++;
    }
    el_csv_close(c);
    if (n == 0) return 0;
    double *x = col[0], *d = col[1], *w = col[2], *q = col[3];
    double conf = isfinite(w[0]) ? w[0] : 95;
    for (size_t i = 0; i < n; i++) {
        el_estimate e;
        double lo, hi;
        if (el_proportion_ci(x[i], d[i], conf, 100, &e, NULL) == EL_OK) ordered(e.lower, e.upper);
        if (el_rate_ci(x[i], d[i], conf, 1e5, &e, NULL) == EL_OK) ordered(e.lower, e.upper);
        if (el_byar(x[i], 99.8, &lo, &hi, NULL) == EL_OK) ordered(lo, hi);
        if (el_wilson(x[i], d[i], 95, &lo, &hi, NULL) == EL_OK) ordered(lo, hi);
        if (el_exact_poisson(fabs(x[i]), 95, &lo, &hi, NULL) == EL_OK) ordered(lo, hi);
    }
    el_estimate e;
    if (n >= 2 && el_mean_ci_values(x, (long)n, conf, &e, NULL, NULL, NULL) == EL_OK) ordered(e.lower, e.upper);
    el_dsr_result dr;
    if (el_dsr(x, d, w, n, 95, 1e5, &dr, NULL) == EL_OK) ordered(dr.lower, dr.upper);
    if (n == EL_ESP2013_BANDS) el_dsr(x, d, NULL, n, 95, 1e5, &dr, NULL);
    size_t band[MAXR];
    for (size_t i = 0; i < n; i++) band[i] = isfinite(q[i]) && q[i] >= 0 && q[i] < 1e6 ? (size_t)q[i] : 0;
    if (el_dsr_nonind(d, w, n, band, q, x, n, 99.8, 1e5, &dr, NULL) == EL_OK) ordered(dr.lower, dr.upper);
    el_isr_result ir;
    if (el_isr(x, d, w, q, n, NAN, EL_ISR_RATE, 1e5, 95, &ir, NULL) == EL_OK) ordered(ir.lower, ir.upper);
    el_isr(NULL, d, w, q, n, x[0], EL_ISR_RATIO, 100, 99.8, &ir, NULL);
    int qq[MAXR], few;
    int nq = isfinite(q[0]) && q[0] > -5 && q[0] < 2000 ? (int)q[0] : 10;
    el_quantile_assign(x, n, nq, 1, NULL, qq, &few, NULL);
    int inv[MAXR];
    for (size_t i = 0; i < n; i++) inv[i] = isfinite(w[i]) && w[i] > 0;
    el_quantile_assign(d, n, 4, 0, inv, qq, &few, NULL);
    el_funnel_point pts[EL_FUNNEL_POINTS];
    double base;
    if (el_funnel_prop_table(x, d, n, 100, pts, &base, NULL) == EL_OK) {
        for (int j = 0; j < EL_FUNNEL_POINTS; j++) ordered(pts[j].lower3, pts[j].upper3);
        el_funnel_prop_significance(x[0], d[0], base);
    }
    if (el_funnel_poisson_table(x, d, n, n % 2, 1e5, pts, &base, NULL) == EL_OK)
        for (int j = 0; j < EL_FUNNEL_POINTS; j++) ordered(pts[j].lower2, pts[j].upper2);
    if (n >= 5 && n <= 20) {
        el_sii_row rows[20];
        for (size_t i = 0; i < n; i++) {
            rows[i] = (el_sii_row){.quantile = q[i], .population = d[i], .value = x[i], .count = x[i],
                                   .se = w[i], .lower = NAN, .upper = NAN};
        }
        el_sii_opts so;
        el_sii_opts_default(&so);
        so.repetitions = 1000;
        so.value_type = (el_sii_value_type)(n % 3);
        so.transform = (int)(n % 2);
        el_sii_result sr;
        if (el_sii(rows, n, &so, &sr, NULL) == EL_OK) ordered(sr.sii_lower[0], sr.sii_upper[0]);
    }
    return 0;
}
