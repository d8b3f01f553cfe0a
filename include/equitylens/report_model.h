/* report_model.h — the renderers' read-only view of an analysis result
 * (owner: report).
 *
 * el_rm_load() reads the result model JSON (docs/result-model.md) into plain
 * C structs shared by the HTML and XLSX renderers, so that the mapping from
 * the JSON shape lives in one place (report_model.c). Missing numbers are NAN;
 * a suppressed count or statistic is NAN with suppressed = 1 where relevant.
 * SPC points that arrive without limits are computed with el_spc_compute().
 *
 * Ownership: el_rm_load() allocates *out; el_rm_free() (NULL-safe) frees it.
 * Strings inside are borrowed from the json_t, which must outlive the el_rm. */
#ifndef EQUITYLENS_REPORT_MODEL_H
#define EQUITYLENS_REPORT_MODEL_H
#include <stddef.h>
#include <jansson.h>
#include "equitylens/disclosure.h"
#include "equitylens/error.h"

typedef struct {
    int present;
    double diff, lower, upper, ratio, ratio_lower, ratio_upper;
    int significant;
} el_rm_gap;

typedef struct {
    const char *group, *label;
    double numerator, denominator, share, value, lower, upper;
    int suppressed, is_reference;
    el_rm_gap gap, adjusted;
} el_rm_group;

typedef struct {
    const char *lens, *label, *stratum_label, *reference, *reference_label;
    const char *stratum_field, *stratum_value;   /* "Clinical priority", "P2" (NULL: all rows) */
    el_rm_group *groups;
    size_t n_groups;
    el_rm_group overall;     /* all groups together (label "All groups") */
    int sii_present;
    double sii, sii_lower, sii_upper, rii, rii_lower, rii_upper;
} el_rm_lens;

typedef struct {
    const char *id, *label, *domain, *unit;
    char unit_header[128];   /* e.g. "% (95% CI)" */
    char axis_label[160];    /* e.g. "Waiting over 18 weeks (%)" */
    int decimals;
    double scale;            /* 100 for a percentage of a proportion */
    int is_proportion;
    el_rm_lens *lenses;
    size_t n_lenses;
} el_rm_metric;

typedef struct { size_t metric, lens, group; double size; } el_rm_gapref;

typedef struct {
    const char *period, *point_type;
    double value, mean, lpl, upl;
} el_rm_spc_point;

typedef struct {
    const char *metric, *lens, *group, *label, *unit, *trend, *variation, *assurance;
    double target;
    el_rm_spc_point *points;
    size_t n_points;
} el_rm_trend;

/* What is unknown, per kind and lens (shares in % of the lens's rows). */
typedef struct { const char *kind, *lens_label; double recorded, not_stated, not_known; int suppressed; } el_rm_quality;

/* Excess events of one metric through one lens (every group at the reference rate). */
typedef struct {
    const char *metric, *metric_label, *lens, *lens_label, *stratum_label, *reference_label;
    double events, lower, upper, cost, cost_lower, cost_upper, cost_per_event;
    int suppressed;
} el_rm_excess;

typedef struct {
    const char *group, *label;
    double observed, population, expected, ratio, lower, upper, rate, rate_lower, rate_upper;
    int suppressed;
} el_rm_missing_group;
typedef struct {
    const char *lens, *label, *measure, *activity;
    el_rm_missing_group *groups;
    size_t n_groups;
} el_rm_missing;

/* Longest waiters vs all waiters (profile by a lens, with a chi-square test). */
typedef struct {
    const char *group, *label;
    double longest, longest_share, all, all_share;
    int suppressed;
} el_rm_longest_group;
typedef struct {
    const char *lens, *label, *rule;
    double threshold_weeks, n_longest, n_all, chi_square, df, p_value;
    el_rm_longest_group *groups;
    size_t n_groups;
} el_rm_longest;

typedef struct { const char *lens_label, *reference_label; } el_rm_ref;
typedef struct { const char *term, *definition; } el_rm_definition;

typedef struct { const char *kind, *source; double rows; } el_rm_source;

typedef struct el_rm {
    const char *title, *period_start, *period_end, *census_date, *imd_edition, *generator;
    double confidence;
    el_rm_source *sources;       /* one per result document */
    size_t n_sources;
    char policy_text[600];
    el_rm_metric *metrics;
    size_t n_metrics;
    el_rm_gapref *gaps;          /* significant raw gaps, largest |difference| first */
    size_t n_gaps;
    el_rm_trend *trends;
    size_t n_trends;
    el_rm_quality *quality;
    size_t n_quality;
    const char **statements;     /* data-gaps notes from every document */
    size_t n_statements;
    const char **summary_text;   /* the analysis's own summary lines */
    size_t n_summary_text;
    el_rm_excess *excess;
    size_t n_excess;
    el_rm_missing *missing;
    size_t n_missing;
    el_rm_longest *longest;
    size_t n_longest;
    el_rm_ref *refs;
    size_t n_refs;
    el_rm_definition *definitions;   /* from the documents' options */
    size_t n_definitions;
    char **owned;                    /* composed strings (freed with the model) */
    size_t n_owned, cap_owned;
} el_rm;

/* Read results (one result document, or an array of them, e.g. one per
 * dataset kind) into a new el_rm. policy is printed as the report's policy
 * text; title NULL = "Health inequalities report". EL_ERR_INVALID (naming the
 * JSON path) if a document is not an equitylens.analysis/1 result. */
el_status el_rm_load(const json_t *results, const el_disclosure_policy *policy, const char *title,
                     el_rm **out, el_error *err);
void el_rm_free(el_rm *m);

/* Check one result document before it is rendered: every lens has a "lens"
 * id, every result a "metric" and "lens"; counts (n, numerator, observed,
 * rows, ...) are whole numbers from 0 to 1e15; shares and percentages of
 * proportions lie in 0..100, p-values in 0..1, confidence in (0,1), ratios
 * and rates >= 0, every number finite (confidence limits may be very wide). EL_ERR_INVALID
 * naming the JSON path ("results[2].groups[0].n: must be ..."); the caller
 * adds the file name. el_rm_load() runs it on every document. */
el_status el_rm_check(const json_t *doc, el_error *err);

#endif
