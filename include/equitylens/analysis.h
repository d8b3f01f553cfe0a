/* analysis.h — the equity analysis engine (owner: analysis helper).
 *
 * el_analysis_run() takes an enriched el_dataset and computes every
 * requested metric through every requested lens (one equity dimension, or
 * two crossed), optionally within strata, with confidence intervals, gaps
 * against a reference group (raw and case-mix adjusted), summary measures of
 * inequality, excess events and their cost, the longest-waiters profile,
 * "who is missing" against the catchment population and SPC trends.
 * el_analysis_disclose() then applies disclosure control (disclosure.h) in
 * place; el_analysis_to_json() (analysis_json.c) gives the result model of
 * docs/result-model.md. Methods and references: docs/analysis.md.
 *
 * Every aggregate leaves through the gate: the JSON/CSV/text writers refuse
 * (EL_ERR_INVALID) a result that has not been disclosed.
 *
 * Ownership: el_analysis_run() allocates *out; el_analysis_free() releases
 * it (NULL-safe). The dataset and refdata are borrowed for the call only.
 * Pure computation: no I/O, no globals. */
#ifndef EQUITYLENS_ANALYSIS_H
#define EQUITYLENS_ANALYSIS_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/dataset.h"
#include "equitylens/disclosure.h"
#include "equitylens/error.h"
#include "equitylens/refdata.h"

/* ---- lenses ---- */
typedef enum {
    EL_LENS_IMD_DECILE = 0, EL_LENS_IMD_QUINTILE, EL_LENS_CORE20,
    EL_LENS_ETHNIC_GROUP, EL_LENS_ETHNIC_CATEGORY, EL_LENS_SEX, EL_LENS_AGE_BAND,
    EL_LENS_LEARNING_DISABILITY, EL_LENS_AUTISM, EL_LENS_SERIOUS_MENTAL_ILLNESS,
    EL_LENS_INCLUSION_HEALTH, EL_LENS_INTERPRETER, EL_LENS_REASONABLE_ADJUSTMENT,
    EL_LENS_LA, EL_LENS_ICB,
    EL_LENS__COUNT
} el_lens_id;

/* Stable id ("imd_quintile", ...) / display label; NULL if out of range. */
const char *el_lens_name(el_lens_id l);
const char *el_lens_label(el_lens_id l);
/* Lens by id, or -1. */
int el_lens_by_name(const char *name);
/* The dataset field a lens reads. */
el_field el_lens_field(el_lens_id l);
/* 1 if the lens is an ordered dimension (IMD decile/quintile, age band). */
int el_lens_ordered(el_lens_id l);
/* Default reference group key ("5" for IMD quintile, "White", "A", ...);
 * NULL = the largest known group. */
const char *el_lens_default_reference(el_lens_id l);

/* ---- metrics ---- */
typedef enum {
    /* waiting list (at the census date) */
    EL_M_WAIT = 0,       /* weeks waited: median, mean, 92nd percentile (continuous) */
    EL_M_OVER18, EL_M_OVER52, EL_M_OVER65, EL_M_OVER78,   /* % waiting > N weeks */
    /* appointments */
    EL_M_DNA, EL_M_DNA_FIRST, EL_M_DNA_FOLLOWUP,          /* DNA / (attended + DNA) */
    EL_M_PATIENT_CANCEL, EL_M_PROVIDER_CANCEL,            /* of booked (codes 2-7) */
    EL_M_VIRTUAL,                                         /* of attended with a known medium */
    /* cancer pathways */
    EL_M_FDS28, EL_M_TREATED62, EL_M_EARLY_STAGE,
    EL_M__COUNT
} el_metric_id;

const char *el_metric_name(el_metric_id m);   /* "dna_rate", "over_18_weeks", ... */
const char *el_metric_label(el_metric_id m);
int el_metric_by_name(const char *name);      /* -1 if unknown */
/* The kind of dataset a metric needs. */
el_kind el_metric_kind(el_metric_id m);
/* 1 if a higher value is better (FDS, treated in 62 days, early stage). */
int el_metric_higher_is_better(el_metric_id m);
/* 1 for the continuous metric (waits), 0 for proportions. */
int el_metric_continuous(el_metric_id m);

/* ---- options ---- */
#define EL_AN_MAX_LENSES 32
#define EL_AN_MAX_CODES 8

typedef struct { int a, b; } el_lens_spec;  /* b = -1: single lens; else a × b */

typedef enum { EL_PERIOD_MONTH = 0, EL_PERIOD_WEEK } el_period;

typedef struct el_analysis_opts {
    double confidence;                  /* 0.95 */
    size_t n_lenses;                    /* 0 = every single lens the dataset supports */
    el_lens_spec lenses[EL_AN_MAX_LENSES];
    uint32_t metrics;                   /* bit mask of el_metric_id; 0 = all for the kind */
    char reference[EL_LENS__COUNT][48]; /* "" = default reference */
    int adjust;                         /* 1 = case-mix adjusted gaps (default 1) */
    int by_priority;                    /* 1 = waiting-list metrics within each clinical priority too (default 1) */
    char dna_codes[EL_AN_MAX_CODES][4];      /* default {"3","7"} */
    char attended_codes[EL_AN_MAX_CODES][4]; /* default {"5","6"} */
    int32_t census_date;                /* EL_NA = the census_date column */
    double cost_per_dna;                /* £ per DNA, default 120 */
    double longest_share;               /* longest waiters = top share (default 0.25) */
    double longest_weeks;               /* > 0: longest waiters = waiting > this many weeks instead */
    int trends;                         /* 1 = SPC trends (default 1 when >= 2 periods) */
    el_period period;                   /* trend period, default month */
    /* who is missing (needs refdata EL_REF_ALL: lsoa21 rows use POP21, GEO21,
     * IMD2025; lsoa11 rows use POP20, IMD2019, GEO11, LSOA_MAP + POP21) */
    int missing;                        /* 1 = compute when refdata given (default 1) */
    size_t n_catchment_las;             /* 0 = the service's own LSOAs */
    const char *catchment_las[64];      /* borrowed LA codes */
    uint64_t seed;                      /* simulation seed for summary-measure CIs */
    int reps;                           /* simulations (default 1000) */
} el_analysis_opts;

void el_analysis_opts_default(el_analysis_opts *o);
/* Parse "lens=group" into o->reference. */
el_status el_analysis_opts_reference(el_analysis_opts *o, const char *spec, el_error *err);
/* Parse "a" or "a,b" / "a x b" into a lens spec appended to o->lenses. */
el_status el_analysis_opts_add_lens(el_analysis_opts *o, const char *spec, el_error *err);
/* Parse a comma-separated list of metric names ("all" = all) into o->metrics. */
el_status el_analysis_opts_metrics(el_analysis_opts *o, const char *list, el_error *err);
/* Parse a comma-separated code list ("3,7") into codes[]. */
el_status el_analysis_opts_codes(char codes[EL_AN_MAX_CODES][4], const char *list, el_error *err);

/* ---- results ---- */
typedef struct {
    double value, lower, upper;   /* NAN when missing */
    const char *method;           /* static string; "" when missing */
} el_interval;

typedef struct {
    char key[64];
    char label[96];
    int order;                    /* 1.. in display order; ordered lenses: 1 = most disadvantaged */
    int unknown;                  /* the missing/unmatched group */
    int64_t n;
    double share;                 /* % of rows */
    el_dc_state st;               /* after disclosure */
    int a, b;                     /* group index in each component lens (b = -1 single) */
} el_an_group;

typedef struct {
    char id[64];                  /* "imd_quintile" or "imd_quintile x ethnic_group" */
    char label[128];
    int fields[2];                /* lens ids; fields[1] = -1 single */
    int ordered;
    int ref;                      /* reference group index, -1 none */
    size_t ngroups;
    el_an_group *groups;
    int64_t total;
} el_an_lens;

typedef struct {
    int64_t n, x;                 /* denominator, numerator (proportions) */
    el_interval value;            /* % (proportion) or the median (continuous) */
    el_interval mean, median, p92;/* continuous only */
    double deff;                  /* design effect of clustering by patient (>= 1; 1 = none) */
    el_dc_state st_n, st_x;
    el_dc_state st;               /* EL_DC_SHOWN iff the value may be published */
} el_an_value;

typedef struct {
    int group;
    el_interval diff, ratio;
    double p_value;
    int significant;
    int has_adjusted;
    el_interval adj_diff, adj_ratio;
    int adj_significant;
    int strata_used;
    el_dc_state st;
} el_an_gap;

#define EL_AN_MAX_INEQ 24
typedef struct {
    char name[8];                 /* "sii", "rii", "bgv", ... */
    el_interval iv;
    char note[160];
} el_an_ineq;

typedef struct {
    el_metric_id metric;
    size_t lens;                  /* index into el_analysis.lenses */
    char stratum_field[40];       /* "" = all rows */
    char stratum_value[40];
    el_an_value overall;
    el_an_value *groups;          /* lens ngroups */
    size_t ngaps;
    el_an_gap *gaps;
    size_t nineq;
    el_an_ineq ineq[EL_AN_MAX_INEQ];
    int has_excess;
    el_interval excess;           /* events */
    double cost, cost_lower, cost_upper; /* NAN unless DNA */
    el_dc_state excess_st;
} el_an_result;

typedef struct {
    char key[64];
    int64_t observed, population;
    int64_t observed_ratio;       /* O of the ratio (rows with a known age when age-standardised);
                                   * after disclosure control: rounded like observed, -1 if suppressed */
    el_interval rate;             /* per 1,000; after disclosure: from the published observed count */
    double expected;
    el_interval ratio;            /* observed / expected */
    el_dc_state st;
} el_an_missing_group;

typedef struct {
    char lens[40];
    char standardised[96];
    size_t ngroups;
    el_an_missing_group *groups;
} el_an_missing_table;

typedef struct {
    char by[8];                   /* "lsoa" or "la" */
    int lsoa_vintage;             /* 2011 (mid-2020 populations) or 2021 (census) */
    size_t lsoas;
    int64_t population;
    size_t ntables;
    el_an_missing_table tables[3];
    char notes[3][512];
} el_an_missing;

typedef struct {
    char key[64];
    int64_t longest, all;
    double longest_share, all_share;
    el_dc_state st_longest, st_all;
} el_an_lw_group;

typedef struct {
    size_t lens;                  /* index into el_analysis.lenses */
    double chi_square, p_value;
    int df;
    size_t ngroups;
    el_an_lw_group *groups;
} el_an_lw_table;

typedef struct {
    double threshold_weeks;
    char rule[48];
    int64_t n_longest, n_all;
    size_t ntables;
    el_an_lw_table *tables;
} el_an_longest;

typedef struct {
    char period[12];              /* "2025-01" or "2025-W03" */
    int64_t n, x;
    double value;                 /* % */
    double mean, lpl, upl;
    const char *cause, *point_type;
    el_dc_state st;
} el_an_point;

typedef struct {
    char key[64];
    int gap;                      /* 1 = gap series (group − reference) */
    size_t npoints;
    el_an_point *points;
    const char *variation, *assurance;
    char note[128];
} el_an_series;

typedef struct {
    el_metric_id metric;
    size_t lens;
    el_period period;
    size_t nseries;
    el_an_series *series;
} el_an_trend;

/* Rows left out of a metric because their dates cannot give an interval
 * (RTT start after the census date, an implausible date: quality.h). Shown
 * as a note "N <what>" whose N has passed disclosure control. */
typedef struct {
    int64_t n;                    /* true count; after el_analysis_disclose() the
                                     published count, -1 when suppressed */
    el_dc_state st;               /* set by el_analysis_disclose() */
    char what[200];               /* "rows with RTT start after the census date excluded ..." */
} el_an_exclusion;

typedef struct el_analysis {
    el_kind kind;
    size_t rows;
    int32_t census_date;          /* EL_NA if none */
    int32_t period_from, period_to;
    el_analysis_opts opts;        /* copy (borrowed pointers cleared) */
    size_t nlenses;
    el_an_lens *lenses;
    size_t nresults;
    el_an_result *results;
    el_an_missing *missing;       /* NULL when not computed */
    el_an_longest *longest;       /* NULL when not computed */
    size_t ntrends;
    el_an_trend *trends;
    size_t nexclusions;
    el_an_exclusion exclusions[6];
    size_t nnotes;
    char notes[16][256];
    int disclosed;                /* 1 after el_analysis_disclose() */
    el_disclosure_policy policy;  /* the policy applied */
} el_analysis;

/* Run the analysis. refdata may be NULL (no "who is missing"). */
el_status el_analysis_run(const el_dataset *d, const el_refdata *ref, const el_analysis_opts *o,
                          el_analysis **out, el_error *err);
void el_analysis_free(el_analysis *a);

/* Apply disclosure control in place (counts rounded/suppressed, statistics
 * of suppressed groups suppressed, published values rounded to the policy's
 * decimals). Must be called exactly once before any output. p NULL = the
 * default policy. */
el_status el_analysis_disclose(el_analysis *a, const el_disclosure_policy *p, el_error *err);

/* Gaps ranked for the summary: up to k significant raw gaps, largest first by
 * the ratio's confidence limit nearest 1 (|ln| of it), published ones in
 * results without a stratum; writes (result index, gap index) pairs.
 * Returns the number written. */
size_t el_analysis_top_gaps(const el_analysis *a, size_t k, size_t *result_idx, size_t *gap_idx);

#endif
