/* fuzz_summarise.c — HEAT/healthequal input reader (heat.h) and the WHO
 * measures (inequality.h): any bytes must be read or rejected with an error,
 * never crash; every accepted block must compute or be rejected cleanly, and
 * computed values must respect the basic invariants (non-negative SEs,
 * lower <= upper). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "equitylens/csv.h"
#include "equitylens/heat.h"
#include "equitylens/inequality.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    el_csv *c = el_csv_open_mem(data, size, "fuzz", NULL);
    if (!c) return 0;
    el_error err;
    el_heat_data *d = NULL;
    el_status st = el_heat_read(c, NULL, NULL, 0, &d, &err);
    el_csv_close(c);
    if (st != EL_OK) {
        if (d) abort();
        return 0;
    }
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    o.reps = 20;   /* keep each input fast */
    el_ineq_ctx *ctx = el_ineq_ctx_new(&o, &err);
    if (!ctx) abort();
    size_t rows = 0;
    for (size_t b = 0; b < el_heat_nblocks(d); b++) {
        size_t n;
        const el_ineq_subgroup *g = el_heat_block_rows(d, b, &n);
        rows += n;
        if (n > 200) continue;
        el_ineq_result r[EL_INEQ_COUNT];
        if (el_ineq_compute(ctx, el_heat_block(d, b), g, n, EL_INEQ_ALL, r, &err) != EL_OK) continue;
        for (int m = 0; m < EL_INEQ_COUNT; m++) {
            if (r[m].state != EL_INEQ_OK) continue;
            if (r[m].se < 0) abort();
            if (!isnan(r[m].lower) && !isnan(r[m].upper) && !(r[m].lower <= r[m].upper)) abort();
        }
    }
    if (rows != el_heat_nrows(d)) abort();
    el_ineq_ctx_free(ctx);
    el_heat_free(d);
    return 0;
}
