/* spc.h — statistical process control, "Making Data Count" XmR charts
 * (owner: lead). Pure computation: no I/O.
 *
 * Reference: NHSRplotthedots 0.2.2 (NHS-R Community; NHS England "Making Data
 * Count"); semantics in docs/methods/spc.md. The known divergences between
 * the R package, its Python port and the MDC Excel tool are options here,
 * with the R behaviour as default:
 *   run_length / trend_length  7 (R) or 6 (an MDC Excel option)
 *   two_in_three_beyond        0 (R: only points between 2σ and 3σ count as
 *                              "close") or 1 (MDC Excel since 2023: points
 *                              beyond 3σ count too)
 *   screen_outliers            1 (R) or 0 (MDC Excel does not screen)
 *   fix_after_n                0 = all points; R insists on ≥ 12, we accept ≥ 2
 *                              (as the Python port does) and document it.
 *
 * Ownership: the caller owns every array; el_spc_compute writes n points into
 * the caller's out[]. Points must already be in date order within a facet;
 * facets are computed by calling el_spc_compute once per facet. */
#ifndef EQUITYLENS_SPC_H
#define EQUITYLENS_SPC_H
#include <stddef.h>
#include "equitylens/error.h"

typedef enum { EL_SPC_DECREASE = -1, EL_SPC_NEUTRAL = 0, EL_SPC_INCREASE = 1 } el_spc_direction;

typedef struct {
    int screen_outliers;        /* default 1 */
    size_t fix_after_n;         /* default 0 = all points */
    int run_length;             /* shift rule length, default 7 */
    int trend_length;           /* trend rule length, default 7 */
    int two_in_three_beyond;    /* default 0 (R) */
    el_spc_direction direction; /* default neutral */
    int has_target;
    double target;
} el_spc_opts;

/* special-cause label, in precedence order (outside > trend > 2-of-3 > shift) */
typedef enum {
    EL_SPC_CAUSE_COMMON = 0,
    EL_SPC_CAUSE_ABOVE_UCL, EL_SPC_CAUSE_BELOW_LCL,
    EL_SPC_CAUSE_TREND_INCREASING, EL_SPC_CAUSE_TREND_DECREASING,
    EL_SPC_CAUSE_TWO_IN_THREE_ABOVE, EL_SPC_CAUSE_TWO_IN_THREE_BELOW,
    EL_SPC_CAUSE_RUN_ABOVE, EL_SPC_CAUSE_RUN_BELOW
} el_spc_cause;

typedef enum {
    EL_SPC_POINT_COMMON = 0, EL_SPC_POINT_IMPROVEMENT, EL_SPC_POINT_CONCERN,
    EL_SPC_POINT_NEUTRAL_HIGH, EL_SPC_POINT_NEUTRAL_LOW
} el_spc_point_type;

typedef enum {
    EL_SPC_VAR_COMMON = 0, EL_SPC_VAR_IMPROVEMENT_HIGH, EL_SPC_VAR_IMPROVEMENT_LOW,
    EL_SPC_VAR_CONCERN_HIGH, EL_SPC_VAR_CONCERN_LOW, EL_SPC_VAR_NEUTRAL_HIGH,
    EL_SPC_VAR_NEUTRAL_LOW
} el_spc_variation;

typedef enum {
    EL_SPC_ASSURE_NONE = 0,     /* no target, or neutral direction: not shown */
    EL_SPC_ASSURE_PASS,         /* consistently passing the target */
    EL_SPC_ASSURE_FAIL,         /* consistently failing */
    EL_SPC_ASSURE_INCONSISTENT  /* target inside the limits: hit and miss */
} el_spc_assurance;

typedef struct {
    double y;
    int segment;                 /* rebase segment, 0-based */
    double mean, lpl, upl, near_lpl, near_upl;
    int outside_limits;          /* y > upl or y < lpl */
    int relative_to_mean;        /* sign(y - mean) */
    int close_to_limits;         /* in the 2σ–3σ band (or beyond, with two_in_three_beyond) */
    int rule_trend;              /* part of a trend */
    int rule_two_in_three;       /* flagged by 2-of-3 */
    int rule_run;                /* part of a run on one side of the mean */
    el_spc_cause cause;
    el_spc_point_type point_type;
} el_spc_point;

typedef struct {
    size_t n;                    /* points */
    size_t n_last_segment;       /* points in the last segment */
    int short_series;            /* last segment has fewer than 13 points (R's warning threshold) */
    el_spc_variation variation;  /* from the last point */
    el_spc_assurance assurance;  /* from the last point's limits and the target */
} el_spc_summary;

void el_spc_opts_default(el_spc_opts *o);

/* XmR chart over y[0..n) (date order). rebase may be NULL; rebase[i] != 0
 * starts a new segment at point i (i > 0), each with its own mean and limits.
 * Fails (EL_ERR_INVALID) on n == 0, a non-finite value (err->line = index+1),
 * bad options, or a segment with fewer than 2 points; EL_ERR_RANGE when the
 * mean or limits of a segment overflow (are not finite; err->line = the
 * segment's first index+1). */
el_status el_spc_compute(const double *y, const unsigned char *rebase, size_t n,
                         const el_spc_opts *o, el_spc_point *out, el_spc_summary *sum,
                         el_error *err);

/* Assurance icon from limits and target (exposed for tests and the report). */
el_spc_assurance el_spc_assurance_of(double lpl, double upl, double target, el_spc_direction d);
el_spc_variation el_spc_variation_of(el_spc_point_type last, el_spc_direction d);

/* Stable names used in CSV/JSON output. */
const char *el_spc_cause_name(el_spc_cause c);       /* "Above UCL", "7 Point Trend (Increasing)", ... */
const char *el_spc_point_type_name(el_spc_point_type t); /* "special_cause_improvement", ... */
const char *el_spc_variation_name(el_spc_variation v);   /* "improvement_high", ..., "common_cause" */
const char *el_spc_assurance_name(el_spc_assurance a);   /* "consistent_pass", ..., "none" */

/* The individual rules, exposed so they can be tested against the reference's
 * own rule-level test vectors. Arrays have n elements. */
/* 1 on the L-th and later points of a run of L equal non-zero signs. */
void el_spc_rule_run(const int *rel_to_mean, size_t n, int L, int *out);
/* +1/-1 on the last point of L strictly increasing/decreasing points. */
void el_spc_rule_trend(const double *y, size_t n, int L, int *out);
/* 1 where the point, or one of the following L-1 points, is non-zero in flags. */
void el_spc_part_of(const int *flags, size_t n, int L, int *out);
/* 1 where a window of 3 containing the point has ≥ 2 close points all on one side. */
void el_spc_two_in_three_window(const int *close, const int *rel_to_mean, size_t n, int *out);

#endif
