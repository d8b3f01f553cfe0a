/* report.h — the board pack: HTML, XLSX and PDF renderers of an analysis
 * result (owner: report).
 *
 * Input is the analysis result model (docs/result-model.md) as a jansson
 * json_t. Every renderer reads the same model; no renderer computes a
 * statistic the analysis did not (charts only lay out what the model says),
 * except funnel-plot limits (docs/report.md gives the formula and source).
 *
 * Disclosure control is applied before anything is written:
 * el_report_guard() verifies the model against the policy (defence in depth:
 * the analysis has already suppressed it) and suppresses anything that is not
 * compliant — counts in the suppressed range, counts not rounded, statistics
 * whose numerator or denominator is suppressed, a lone suppressed group whose
 * value could be recovered from the total. The renderers print the policy.
 *
 * Ownership: el_report_opts is caller-owned and borrowed during each call.
 * el_report_html() appends to a caller-owned buffer. json_t inputs are
 * borrowed (guard modifies its argument in place). */
#ifndef EQUITYLENS_REPORT_H
#define EQUITYLENS_REPORT_H
#include <stddef.h>
#include <jansson.h>
#include "equitylens/analysis.h"
#include "equitylens/dataset.h"
#include "equitylens/disclosure.h"
#include "equitylens/refdata.h"
#include "equitylens/error.h"
#include "equitylens/strbuf.h"

typedef struct {
    const char *title;               /* report title (NULL: "Health inequalities report") */
    const char *provider;            /* stratum filter (NULL: all); label shown in the report */
    const char *treatment_function;  /* stratum filter (NULL: all) */
    const char *const *metrics;      /* metric ids to include (NULL: all) */
    size_t n_metrics;
    const char *const *lenses;       /* lens ids to include (NULL: imd_quintile and
                                        ethnic_group, the board's two lenses; a
                                        single "all": every lens in the result) */
    size_t n_lenses;
    el_disclosure_policy policy;     /* the policy the output must satisfy */
} el_report_opts;

/* Defaults: no filters, default disclosure policy. */
void el_report_opts_default(el_report_opts *o);

/* Summary of what the guard found. */
typedef struct {
    size_t counts_checked;      /* count cells inspected */
    size_t counts_suppressed;   /* counts it had to suppress (in the small-count range) */
    size_t counts_rounded;      /* counts it had to round */
    size_t values_suppressed;   /* statistics withdrawn because a count was suppressed */
    size_t secondary;           /* extra cells suppressed so totals cannot reveal a small count */
} el_report_guard_stats;

/* Verify and enforce disclosure control on result in place (see above).
 * Returns EL_ERR_INVALID if result is not a result model object. */
el_status el_report_guard(json_t *result, const el_disclosure_policy *p,
                          el_report_guard_stats *stats, el_error *err);

/* Apply filters in place: drop metrics and lenses not listed (also from
 * trends and who-is-missing); keep only lens entries of
 * the chosen provider / treatment-function stratum when the model carries
 * such strata. EL_ERR_NOTFOUND (with a message) when a filter matches
 * nothing. Records the filters in result.filters. */
el_status el_report_filter(json_t *result, const el_report_opts *o, el_error *err);

/* Self-contained HTML (inline CSS and SVG, no external requests, A4 print
 * rules) appended to out. */
el_status el_report_html(const json_t *result, const el_report_opts *o, el_strbuf *out, el_error *err);

/* XLSX workbook at path: contents sheet, one sheet per table, methods sheet. */
el_status el_report_xlsx(const json_t *result, const el_report_opts *o, const char *path, el_error *err);

/* Run the analysis for a report from a dataset (borrowed): rows limited to
 * o->provider / o->treatment_function (EL_ERR_NOTFOUND if the dataset has no
 * such rows or column), el_analysis_run() with ao, el_analysis_disclose()
 * with o->policy, el_analysis_to_json(). The document records the filters and
 * the IMD edition (2019/2025, 0 = unknown). *out is a new reference. */
el_status el_report_analyse(const el_dataset *d, const el_refdata *ref, const el_analysis_opts *ao,
                            const el_report_opts *o, const char *source, int imd_edition, json_t **out,
                            el_error *err);

/* PDF from an HTML file with headless Chromium (EL_ERR_NOTFOUND if no
 * chromium/chromium-browser/google-chrome on PATH or $EL_CHROMIUM). */
el_status el_report_pdf(const char *html_path, const char *pdf_path, el_error *err);

#endif
