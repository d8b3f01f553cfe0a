/* disclosure.h — statistical disclosure control: THE single gate every
 * aggregate leaving equitylens passes (owner: analysis helper).
 *
 * Policy (DESIGN.md, default): counts 1–7 are shown as "*" (primary
 * suppression); other counts are rounded to the nearest 5; a rate, percentage
 * or any statistic whose numerator or denominator is suppressed is suppressed;
 * secondary suppression so that no suppressed count can be recovered from
 * row/column totals or by subtracting the other groups from a group total.
 * el_disclosure_policy_describe() gives a one-line description that every
 * output (text, JSON, CSV, HTML, XLSX, API) must print.
 *
 * How callers use it:
 *   - A table of counts with margins (a lens: groups + total; a crossed lens:
 *     rows × cols with row, column and grand totals): build an el_dc_table,
 *     el_dc_table_set() the true counts, el_dc_table_protect(), then publish
 *     el_dc_table_published() / el_dc_table_state() for every cell and margin.
 *     protect() applies primary suppression, a secondary-suppression heuristic
 *     (smallest non-zero count in the same line) and then an exact audit:
 *     an attacker who knows the published table, the policy, which "*" are
 *     primary (1..7) and that secondary cells are >= the threshold, solves the
 *     integer constraints (a network-flow feasibility problem, exact by total
 *     unimodularity); while any primary cell has a unique feasible value more
 *     cells are suppressed. el_dc_table_audit() exposes that check.
 *   - A single count with no table context: el_disclosure_count().
 *   - A rate / proportion / statistic: publish only if el_dc_publishable()
 *     says its numerator and denominator states are both shown, and round it
 *     with el_disclosure_round_value() (policy.value_decimals).
 *
 * Ownership: el_dc_table_new()/el_dc_table_free() (NULL-safe). Pure
 * computation: no I/O, no globals. */
#ifndef EQUITYLENS_DISCLOSURE_H
#define EQUITYLENS_DISCLOSURE_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

typedef struct {
    int64_t suppress_min;  /* smallest count suppressed (default 1) */
    int64_t suppress_max;  /* largest count suppressed (default 7); < suppress_min = off */
    int64_t round_to;      /* shown counts rounded to a multiple of this (default 5; 1 = none) */
    int secondary;         /* 1 = secondary suppression + audit (default 1) */
    int value_decimals;    /* decimals kept for published percentages/rates/statistics (default 1) */
    char mask[8];          /* text shown for a suppressed value (default "*") */
} el_disclosure_policy;

typedef enum {
    EL_DC_SHOWN = 0,       /* published (rounded) */
    EL_DC_PRIMARY = 1,     /* suppressed: the count itself is small */
    EL_DC_SECONDARY = 2    /* suppressed to protect a primary cell */
} el_dc_state;

/* Fill p with the default policy above. */
void el_disclosure_policy_default(el_disclosure_policy *p);

/* Parse a policy spec: comma-separated key=value, starting from the current
 * contents of p (call _default first). Keys: suppress=MIN-MAX (or "off"),
 * round=N (1 = no rounding), secondary=on|off, decimals=N (0..6),
 * mask=TEXT (1..7 chars, no comma). Example: "suppress=1-9,round=10".
 * Unknown keys and bad values → EL_ERR_INVALID with a message. */
el_status el_disclosure_policy_parse(el_disclosure_policy *p, const char *spec, el_error *err);

/* One-line description, e.g. "Disclosure control: counts 1–7 shown as *;
 * other counts rounded to the nearest 5; rates and statistics with a
 * suppressed numerator or denominator suppressed; secondary suppression
 * protects totals (audited)." Always NUL-terminated (truncated to cap). */
void el_disclosure_policy_describe(const el_disclosure_policy *p, char *buf, size_t cap);

/* Round a count to the nearest policy->round_to (halves away from zero). */
int64_t el_disclosure_round(const el_disclosure_policy *p, int64_t count);

/* A single, stand-alone count: returns EL_DC_PRIMARY if suppressed, else
 * EL_DC_SHOWN with the rounded value in *published (may be NULL). Use a
 * table whenever the count is published beside totals or other groups. */
el_dc_state el_disclosure_count(const el_disclosure_policy *p, int64_t count, int64_t *published);

/* 1 if a rate/percentage/statistic built from a numerator and a denominator
 * in these states may be published, else 0. */
int el_dc_publishable(el_dc_state numerator, el_dc_state denominator);

/* Round a published rate/percentage/statistic to value_decimals. */
double el_disclosure_round_value(const el_disclosure_policy *p, double v);

/* ---- tables with margins ---- */
typedef struct el_dc_table el_dc_table;

/* rows × cols inner cells. row_totals / col_totals: 1 if the row totals
 * (one per row) / column totals (one per column) are published. The grand
 * total is always treated as published. A one-way table (groups + total) is
 * rows × 1 with row_totals = 0, col_totals = 1. NULL on OOM or 0 size. */
el_dc_table *el_dc_table_new(size_t rows, size_t cols, int row_totals, int col_totals);
void el_dc_table_free(el_dc_table *t);

/* Set a true inner count (>= 0). Margins are computed from the cells. */
void el_dc_table_set(el_dc_table *t, size_t row, size_t col, int64_t count);

/* Ask secondary suppression to avoid this cell (inner cell or margin, same
 * addressing as el_dc_table_state) when another choice exists (e.g. the
 * reference group of a comparison). Each call raises the cell's priority
 * (a cell asked for twice is given up after those asked for once). Call
 * before protect(). */
void el_dc_table_prefer_keep(el_dc_table *t, size_t row, size_t col);

/* Apply the policy (primary, secondary, audit loop). Idempotent per policy.
 * EL_ERR_INVALID on negative counts. */
el_status el_dc_table_protect(el_dc_table *t, const el_disclosure_policy *p, el_error *err);

/* Cells are addressed (row, col); row == rows() is the column-total line,
 * col == cols() the row-total column, (rows(), cols()) the grand total. */
size_t el_dc_table_rows(const el_dc_table *t);
size_t el_dc_table_cols(const el_dc_table *t);
int64_t el_dc_table_true(const el_dc_table *t, size_t row, size_t col);
el_dc_state el_dc_table_state(const el_dc_table *t, size_t row, size_t col);
/* Published (rounded) value; -1 when suppressed. */
int64_t el_dc_table_published(const el_dc_table *t, size_t row, size_t col);

/* Attacker's view after protect(): the range [*lo, *hi] of values of cell
 * (row, col) consistent with everything published (see the model above).
 * Exact (integer) by total unimodularity. EL_ERR_INVALID before protect(). */
el_status el_dc_table_feasible_range(const el_dc_table *t, const el_disclosure_policy *p,
                                     size_t row, size_t col, int64_t *lo, int64_t *hi);

/* Number of primary-suppressed cells whose value the attacker can pin to a
 * single value (0 after a successful protect()). */
size_t el_dc_table_audit(const el_dc_table *t, const el_disclosure_policy *p);

#endif
