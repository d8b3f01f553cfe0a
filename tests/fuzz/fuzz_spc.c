/* fuzz_spc.c — SPC XmR computation (spc.h; owner: qa) on arbitrary series:
 * any values, rebase flags and options must give a status, never a crash;
 * a successful chart must be finite and ordered (lpl <= near_lpl <= mean <=
 * near_upl <= upl) with the flags agreeing with the limits. Series values near
 * DBL_MAX (whose limits overflow) must be refused, not charted.
 * Layout: byte 0 options, byte 1 fix_after_n, byte 2 target; then 9 bytes per
 * point: flag byte (bit 0 rebase, bit 1 small-integer value) + 8 value bytes. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/spc.h"

#define MAXN 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    el_spc_opts o;
    el_spc_opts_default(&o);
    o.screen_outliers = data[0] & 1;
    o.run_length = o.trend_length = (data[0] & 2) ? 6 : 7;
    o.two_in_three_beyond = (data[0] >> 2) & 1;
    o.direction = (el_spc_direction)(((data[0] >> 3) % 3) - 1);
    o.fix_after_n = data[1] % 16;
    if (data[2] & 0x80) { o.has_target = 1; o.target = (double)(int8_t)(data[2] << 1); }
    data += 3; size -= 3;
    size_t n = size / 9;
    if (n > MAXN) n = MAXN;
    static double y[MAXN];
    static unsigned char reb[MAXN];
    static el_spc_point p[MAXN];
    for (size_t i = 0; i < n; i++) {
        const uint8_t *q = data + 9 * i;
        reb[i] = q[0] & 1;
        if (q[0] & 2) y[i] = (double)(int8_t)q[1];
        else memcpy(&y[i], q + 1, sizeof y[i]);
    }
    el_spc_summary s;
    el_error e;
    el_error_clear(&e);
    el_status st = el_spc_compute(y, reb, n, &o, p, &s, &e);
    if (st != EL_OK) {
        if (!e.msg[0]) abort();                        /* every failure says why */
        return 0;
    }
    if (s.n != n || s.n_last_segment == 0 || s.n_last_segment > n) abort();
    for (size_t i = 0; i < n; i++) {
        const el_spc_point *a = &p[i];
        if (!isfinite(a->mean) || !isfinite(a->lpl) || !isfinite(a->upl) ||
            !isfinite(a->near_lpl) || !isfinite(a->near_upl))
            abort();
        if (!(a->lpl <= a->near_lpl && a->near_lpl <= a->mean && a->mean <= a->near_upl && a->near_upl <= a->upl))
            abort();
        if (a->outside_limits != (a->y > a->upl || a->y < a->lpl)) abort();
        if (a->relative_to_mean < -1 || a->relative_to_mean > 1) abort();
        if (i && a->segment < p[i - 1].segment) abort();
        if ((unsigned)a->cause > EL_SPC_CAUSE_RUN_BELOW || (unsigned)a->point_type > EL_SPC_POINT_NEUTRAL_LOW) abort();
        (void)el_spc_cause_name(a->cause);
        (void)el_spc_point_type_name(a->point_type);
    }
    (void)el_spc_variation_name(s.variation);
    (void)el_spc_assurance_name(s.assurance);
    return 0;
}
