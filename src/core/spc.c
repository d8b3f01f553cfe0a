/* spc.c — XmR charts and the Making Data Count rules; see include/equitylens/spc.h
 * and docs/methods/spc.md. Written from the documented semantics of
 * NHSRplotthedots 0.2.2 (ptd_spc_standard, ptd_calculate_point_type,
 * ptd_calculate_assurance_type); no code copied. */
#include "equitylens/spc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SPC_LIMIT 2.66                   /* 3 / d2, d2 = 1.128 */
#define SPC_NEAR (2.0 * SPC_LIMIT / 3.0) /* the 2σ band */
#define SPC_SCREEN 3.267                 /* D4 for n = 2: MR upper range limit */

void el_spc_opts_default(el_spc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->screen_outliers = 1;
    o->run_length = 7;
    o->trend_length = 7;
    o->direction = EL_SPC_NEUTRAL;
}

static int sgn(double x) { return (x > 0) - (x < 0); }

void el_spc_rule_run(const int *rtm, size_t n, int L, int *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        if (i + 1 < (size_t)L || rtm[i] == 0) continue;
        int all = 1;
        for (int k = 1; k < L && all; k++) all = rtm[i - (size_t)k] == rtm[i];
        out[i] = all;
    }
}

void el_spc_rule_trend(const double *y, size_t n, int L, int *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        if (i + 1 < (size_t)L) continue;
        int up = 1, down = 1;
        for (int k = 0; k < L - 1; k++) {
            double d = y[i - (size_t)k] - y[i - (size_t)k - 1];
            if (!(d > 0)) up = 0;
            if (!(d < 0)) down = 0;
        }
        out[i] = up ? 1 : down ? -1 : 0;
    }
}

void el_spc_part_of(const int *flags, size_t n, int L, int *out)
{
    for (size_t i = 0; i < n; i++) {
        int any = 0;
        for (size_t k = i; k < n && k < i + (size_t)L && !any; k++) any = flags[k] != 0;
        out[i] = any;
    }
}

void el_spc_two_in_three_window(const int *close, const int *rtm, size_t n, int *out)
{
    for (size_t i = 0; i < n; i++) {
        int hit = 0;
        /* the three windows of 3 consecutive points that contain point i */
        for (int s = -2; s <= 0 && !hit; s++) {
            long a = (long)i + s;
            if (a < 0 || a + 2 >= (long)n) continue;
            int c = close[a] + close[a + 1] + close[a + 2];
            int r = rtm[a] + rtm[a + 1] + rtm[a + 2];
            hit = c >= 2 && abs(r) == 3;
        }
        out[i] = hit;
    }
}

el_spc_assurance el_spc_assurance_of(double lpl, double upl, double target, el_spc_direction d)
{
    if (d == EL_SPC_NEUTRAL) return EL_SPC_ASSURE_NONE;
    if (target > upl) return d == EL_SPC_INCREASE ? EL_SPC_ASSURE_FAIL : EL_SPC_ASSURE_PASS;
    if (target < lpl) return d == EL_SPC_INCREASE ? EL_SPC_ASSURE_PASS : EL_SPC_ASSURE_FAIL;
    return EL_SPC_ASSURE_INCONSISTENT;
}

el_spc_variation el_spc_variation_of(el_spc_point_type t, el_spc_direction d)
{
    switch (t) {
    case EL_SPC_POINT_IMPROVEMENT:
        return d == EL_SPC_DECREASE ? EL_SPC_VAR_IMPROVEMENT_LOW : EL_SPC_VAR_IMPROVEMENT_HIGH;
    case EL_SPC_POINT_CONCERN:
        return d == EL_SPC_DECREASE ? EL_SPC_VAR_CONCERN_HIGH : EL_SPC_VAR_CONCERN_LOW;
    case EL_SPC_POINT_NEUTRAL_HIGH: return EL_SPC_VAR_NEUTRAL_HIGH;
    case EL_SPC_POINT_NEUTRAL_LOW: return EL_SPC_VAR_NEUTRAL_LOW;
    case EL_SPC_POINT_COMMON: break;
    }
    return EL_SPC_VAR_COMMON;
}

const char *el_spc_cause_name(el_spc_cause c)
{
    static const char *const names[] = {
        "Common Cause", "Above UCL", "Below LCL",
        "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)",
        "2 in 3 Above CL", "2 in 3 Below CL", "7 Points Above CL", "7 Points Below CL"};
    return (unsigned)c < sizeof names / sizeof *names ? names[c] : "?";
}

const char *el_spc_point_type_name(el_spc_point_type t)
{
    static const char *const names[] = {"common_cause", "special_cause_improvement", "special_cause_concern",
                                        "special_cause_neutral_high", "special_cause_neutral_low"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

const char *el_spc_variation_name(el_spc_variation v)
{
    static const char *const names[] = {"common_cause", "improvement_high", "improvement_low", "concern_high",
                                        "concern_low", "neutral_high", "neutral_low"};
    return (unsigned)v < sizeof names / sizeof *names ? names[v] : "?";
}

const char *el_spc_assurance_name(el_spc_assurance a)
{
    static const char *const names[] = {"none", "consistent_pass", "consistent_fail", "inconsistent"};
    return (unsigned)a < sizeof names / sizeof *names ? names[a] : "?";
}

/* Mean and limits of one segment y[0..m). */
static void segment_limits(const double *y, size_t m, const el_spc_opts *o,
                           double *mean, double *amr_out)
{
    size_t nb = o->fix_after_n && o->fix_after_n < m ? o->fix_after_n : m;
    double s = 0;
    for (size_t i = 0; i < nb; i++) s += y[i];
    *mean = s / (double)nb;
    double amr = 0; size_t k = 0;
    for (size_t i = 1; i < nb; i++) { amr += fabs(y[i] - y[i - 1]); k++; }
    amr = k ? amr / (double)k : 0;
    if (o->screen_outliers && k) {
        double cut = SPC_SCREEN * amr, s2 = 0; size_t k2 = 0;
        for (size_t i = 1; i < nb; i++) {
            double mr = fabs(y[i] - y[i - 1]);
            if (mr < cut) { s2 += mr; k2++; }
        }
        /* every moving range screened out cannot happen (the smallest is below
         * 3.267 × the mean) except when all are equal, then keep the mean */
        amr = k2 ? s2 / (double)k2 : amr;
    }
    *amr_out = amr;
}

el_status el_spc_compute(const double *y, const unsigned char *rebase, size_t n,
                         const el_spc_opts *o, el_spc_point *out, el_spc_summary *sum,
                         el_error *err)
{
    el_spc_opts def;
    if (!o) { el_spc_opts_default(&def); o = &def; }
    if (n == 0) return el_error_set(err, EL_ERR_INVALID, "SPC needs at least 2 points; got none");
    if (o->run_length < 2 || o->run_length > 20 || o->trend_length < 2 || o->trend_length > 20)
        return el_error_set(err, EL_ERR_INVALID, "run and trend lengths must be between 2 and 20");
    if (o->fix_after_n == 1)
        return el_error_set(err, EL_ERR_INVALID, "the baseline needs at least 2 points (fix_after_n >= 2)");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return el_error_at(err, EL_ERR_INVALID, NULL, (long)i + 1, 0, NULL,
                               "point %zu has no numeric value", i + 1);

    int *tmp = malloc(6 * n * sizeof *tmp);
    if (!tmp) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    int *rtm = tmp, *close = tmp + n, *a = tmp + 2 * n, *b = tmp + 3 * n, *trend = tmp + 4 * n, *w = tmp + 5 * n;

    size_t start = 0; int seg = 0; el_status st = EL_OK;
    while (start < n) {
        size_t end = start + 1;
        while (end < n && !(rebase && rebase[end])) end++;
        size_t m = end - start;
        if (m < 2) {
            if (n == 1)
                st = el_error_at(err, EL_ERR_INVALID, NULL, 1, 0, NULL,
                                 "the series has only one point; SPC limits need at least 2");
            else
                st = el_error_at(err, EL_ERR_INVALID, NULL, (long)start + 1, 0, NULL,
                                 "rebase segment starting at point %zu has only one point; SPC limits need at least 2",
                                 start + 1);
            break;
        }
        const double *ys = y + start;
        el_spc_point *p = out + start;
        double mean, amr;
        segment_limits(ys, m, o, &mean, &amr);
        /* values near DBL_MAX: the mean, moving ranges or limits overflow to +-Inf and every
         * rule would compare against infinities; refuse rather than chart nonsense */
        if (!isfinite(mean) || !isfinite(amr) || !isfinite(mean - SPC_LIMIT * amr) ||
            !isfinite(mean + SPC_LIMIT * amr)) {
            st = el_error_at(err, EL_ERR_RANGE, NULL, (long)start + 1, 0, NULL,
                             "values too large in magnitude: the mean or the process limits of the "
                             "segment starting at point %zu overflow", start + 1);
            break;
        }
        for (size_t i = 0; i < m; i++) {
            p[i] = (el_spc_point){0};
            p[i].y = ys[i];
            p[i].segment = seg;
            p[i].mean = mean;
            p[i].lpl = mean - SPC_LIMIT * amr;
            p[i].upl = mean + SPC_LIMIT * amr;
            p[i].near_lpl = mean - SPC_NEAR * amr;
            p[i].near_upl = mean + SPC_NEAR * amr;
            p[i].outside_limits = ys[i] > p[i].upl || ys[i] < p[i].lpl;
            p[i].relative_to_mean = sgn(ys[i] - mean);
            int beyond2 = ys[i] < p[i].near_lpl || ys[i] > p[i].near_upl;
            close[i] = o->two_in_three_beyond ? beyond2 : (!p[i].outside_limits && beyond2);
            p[i].close_to_limits = close[i];
            rtm[i] = p[i].relative_to_mean;
        }
        /* trend (part of) */
        el_spc_rule_trend(ys, m, o->trend_length, a);
        el_spc_part_of(a, m, o->trend_length, trend);
        /* two in three: only the close points inside a triggering window */
        el_spc_two_in_three_window(close, rtm, m, w);
        /* run on one side of the mean (part of) */
        el_spc_rule_run(rtm, m, o->run_length, a);
        el_spc_part_of(a, m, o->run_length, b);
        for (size_t i = 0; i < m; i++) {
            p[i].rule_trend = trend[i];
            p[i].rule_two_in_three = w[i] && close[i];
            p[i].rule_run = b[i];
            el_spc_cause c = EL_SPC_CAUSE_COMMON;
            if (p[i].outside_limits) {
                c = p[i].relative_to_mean == 1 ? EL_SPC_CAUSE_ABOVE_UCL : EL_SPC_CAUSE_BELOW_LCL;
            } else if (trend[i]) {
                /* direction of the trend a point belongs to: the following step
                 * when the next point is in the trend too, else the preceding one */
                int dir;
                if (i + 1 < m && trend[i + 1]) dir = sgn(ys[i + 1] - ys[i]);
                else dir = i > 0 ? sgn(ys[i] - ys[i - 1]) : 0;
                c = dir == 1 ? EL_SPC_CAUSE_TREND_INCREASING : EL_SPC_CAUSE_TREND_DECREASING;
            } else if (p[i].rule_two_in_three) {
                c = p[i].relative_to_mean > 0 ? EL_SPC_CAUSE_TWO_IN_THREE_ABOVE : EL_SPC_CAUSE_TWO_IN_THREE_BELOW;
            } else if (p[i].rule_run) {
                c = p[i].relative_to_mean > 0 ? EL_SPC_CAUSE_RUN_ABOVE : EL_SPC_CAUSE_RUN_BELOW;
            }
            p[i].cause = c;
            int v = 0;
            switch (c) {
            case EL_SPC_CAUSE_ABOVE_UCL: case EL_SPC_CAUSE_TREND_INCREASING:
            case EL_SPC_CAUSE_TWO_IN_THREE_ABOVE: case EL_SPC_CAUSE_RUN_ABOVE: v = 1; break;
            case EL_SPC_CAUSE_BELOW_LCL: case EL_SPC_CAUSE_TREND_DECREASING:
            case EL_SPC_CAUSE_TWO_IN_THREE_BELOW: case EL_SPC_CAUSE_RUN_BELOW: v = -1; break;
            case EL_SPC_CAUSE_COMMON: v = 0; break;
            }
            if (o->direction == EL_SPC_NEUTRAL)
                p[i].point_type = v > 0 ? EL_SPC_POINT_NEUTRAL_HIGH : v < 0 ? EL_SPC_POINT_NEUTRAL_LOW : EL_SPC_POINT_COMMON;
            else {
                v *= (int)o->direction;
                p[i].point_type = v > 0 ? EL_SPC_POINT_IMPROVEMENT : v < 0 ? EL_SPC_POINT_CONCERN : EL_SPC_POINT_COMMON;
            }
        }
        start = end;
        seg++;
    }
    free(tmp);
    if (st != EL_OK) return st;
    if (sum) {
        const el_spc_point *last = &out[n - 1];
        size_t nl = 0;
        for (size_t i = n; i > 0 && out[i - 1].segment == last->segment; i--) nl++;
        sum->n = n;
        sum->n_last_segment = nl;
        sum->short_series = nl < 13;
        sum->variation = el_spc_variation_of(last->point_type, o->direction);
        sum->assurance = o->has_target ? el_spc_assurance_of(last->lpl, last->upl, o->target, o->direction)
                                       : EL_SPC_ASSURE_NONE;
    }
    return EL_OK;
}
