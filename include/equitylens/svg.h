/* svg.h — SVG charts drawn by equitylens for reports and pages (owner: report).
 *
 * Every chart is appended to an el_strbuf as one self-contained <svg> element
 * (no external references, no scripts) that can be inlined in HTML:
 *   - role="img" with aria-label, plus <title> and <desc> text alternatives;
 *   - Okabe–Ito colour-blind-safe palette, every mark at least 3:1 against
 *     white (WCAG 2.1 1.4.11); text is near-black;
 *   - meaning never by colour alone: marker shape and a text label/legend
 *     carry it too; suppressed values are drawn as "*" with the word.
 * The charts only draw what they are given: disclosure control and statistics
 * happen before (the caller passes already-suppressed values). The data
 * table that goes beside each chart is written by the HTML renderer.
 *
 * Numbers: NAN means "not available" and is never drawn as a mark.
 * Ownership: all inputs are borrowed for the duration of the call; output is
 * appended to the caller's buffer. Output is deterministic (fixed %.2f
 * coordinates). */
#ifndef EQUITYLENS_SVG_H
#define EQUITYLENS_SVG_H
#include <stddef.h>
#include "equitylens/error.h"
#include "equitylens/strbuf.h"

/* Okabe & Ito (2008) palette entries used by the charts (darkened where the
 * original fails 3:1 contrast on white). */
#define EL_SVG_BLUE       "#0072B2"
#define EL_SVG_VERMILLION "#D55E00"
#define EL_SVG_GREEN      "#007A5A"
#define EL_SVG_PURPLE     "#8B3A7E"
#define EL_SVG_GREY       "#6B6B6B"
#define EL_SVG_INK        "#1A1A1A"

/* Common options. */
typedef struct {
    const char *title;       /* short title (-> <title>, aria-label) */
    const char *desc;        /* text alternative summarising the chart (-> <desc>) */
    const char *axis_label;  /* value axis label, e.g. "% waiting over 18 weeks" */
    int decimals;            /* decimals for value labels (0-4) */
    double ref_value;        /* reference line (NAN: none) */
    const char *ref_label;   /* its label, e.g. "reference: quintile 5" */
} el_svg_opts;

/* ---- dot-and-whisker: a metric by group with CI and a reference line ---- */
typedef enum {
    EL_SVG_NOT_SIG = 0,      /* CI of the gap includes 0: hollow circle */
    EL_SVG_SIG_HIGHER = 1,   /* significantly higher than reference: filled triangle up */
    EL_SVG_SIG_LOWER = -1,   /* significantly lower: filled triangle down */
    EL_SVG_REFERENCE = 2     /* the reference group: diamond */
} el_svg_flag;

typedef struct {
    const char *label;
    double value, lo, hi;
    int suppressed;          /* withheld by disclosure control */
    el_svg_flag flag;
} el_svg_group;

el_status el_svg_dot_whisker(el_strbuf *out, const el_svg_opts *o,
                             const el_svg_group *g, size_t n);

/* ---- SPC chart, Making Data Count style ---- */
typedef enum {
    EL_SVG_PT_COMMON = 0,
    EL_SVG_PT_IMPROVEMENT,
    EL_SVG_PT_CONCERN,
    EL_SVG_PT_NEUTRAL_HIGH,
    EL_SVG_PT_NEUTRAL_LOW
} el_svg_point_type;

/* Point type from its NHSRplotthedots name ("common_cause",
 * "special_cause_improvement", "special_cause_concern",
 * "special_cause_neutral_high", "special_cause_neutral_low"); unknown or NULL
 * → common cause. */
el_svg_point_type el_svg_point_type_from_name(const char *name);

typedef struct {
    const char *label;       /* period, e.g. "2024-05" */
    double value;            /* NAN: suppressed / missing (gap in the line) */
    double mean, lpl, upl;   /* per point so rebased segments draw correctly */
    el_svg_point_type type;
} el_svg_spc_point;

/* variation: "common_cause", "improvement_high", "improvement_low",
 * "concern_high", "concern_low", "neutral_high", "neutral_low" (NULL: none).
 * assurance: "consistent_pass", "consistent_fail", "inconsistent" (NULL: none).
 * target: NAN for none. */
el_status el_svg_spc(el_strbuf *out, const el_svg_opts *o, const el_svg_spc_point *p,
                     size_t n, double target, const char *variation, const char *assurance);

/* The icons alone (size in px), for summary tables. Unknown names draw nothing
 * and return EL_ERR_INVALID. Each icon is its own <svg role="img"> with a title. */
el_status el_svg_variation_icon(el_strbuf *out, const char *variation, double size);
el_status el_svg_assurance_icon(el_strbuf *out, const char *assurance, double size);
/* Plain-English text of an icon name ("Special cause: concerning high values");
 * never NULL. */
const char *el_svg_variation_text(const char *variation);
const char *el_svg_assurance_text(const char *assurance);

/* ---- funnel plot ---- */
typedef struct {
    const char *label;
    double denom;            /* x: size (denominator) */
    double value;            /* y: indicator */
    int suppressed;
} el_svg_funnel_point;
typedef struct {
    double denom;            /* x */
    double lo2, hi2;         /* 95% (2 sigma) limits at this size */
    double lo3, hi3;         /* 99.8% (3 sigma) limits */
} el_svg_funnel_limit;

/* o->ref_value is the centre line (required). limits sorted by denom. */
el_status el_svg_funnel(el_strbuf *out, const el_svg_opts *o, const el_svg_funnel_point *p,
                        size_t n, const el_svg_funnel_limit *lim, size_t nl);

/* ---- who is missing: observed vs expected ---- */
typedef struct {
    const char *label;
    double observed, expected;
    double ratio_lo, ratio_hi;   /* CI of observed/expected (NAN: none) */
    int suppressed;
} el_svg_obs_exp;

el_status el_svg_observed_expected(el_strbuf *out, const el_svg_opts *o,
                                   const el_svg_obs_exp *r, size_t n);

#endif
