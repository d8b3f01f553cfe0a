/* analysis_output.h — writers of a disclosed el_analysis: the JSON result
 * model (docs/result-model.md), CSV tables and the terminal text summary
 * (owner: analysis helper).
 *
 * Every writer refuses (EL_ERR_INVALID) an analysis that has not been through
 * el_analysis_disclose(), and every output carries the disclosure policy line.
 * Ownership: *out is a new jansson reference the caller json_decref()s. */
#ifndef EQUITYLENS_ANALYSIS_OUTPUT_H
#define EQUITYLENS_ANALYSIS_OUTPUT_H
#include <stdio.h>
#include <jansson.h>
#include "equitylens/analysis.h"

/* source: where the data came from (file name or "db:ID"), may be NULL. */
el_status el_analysis_to_json(const el_analysis *a, const char *source, json_t **out, el_error *err);
/* Dump flags for byte-stable output: sorted keys, indent 2, 12 significant digits. */
#define EL_ANALYSIS_JSON_FLAGS (JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(12))

/* One CSV file per table in dir (created if missing): lenses.csv,
 * metrics.csv, gaps.csv, inequality.csv, excess.csv, longest_waiters.csv,
 * missing.csv, trends.csv; each starts with "# <policy>". */
el_status el_analysis_write_csv(const el_analysis *a, const char *dir, el_error *err);

/* Readable summary: policy, the three largest significant gaps, then each
 * metric by lens. */
el_status el_analysis_write_text(const el_analysis *a, FILE *f, el_error *err);

#endif
