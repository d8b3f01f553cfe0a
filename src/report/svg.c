/* svg.c — see include/equitylens/svg.h. */
#include "equitylens/svg.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 680.0

typedef struct { double lo, hi, step; } axis;

static axis nice_axis(double lo, double hi)
{
    axis a;
    if (!isfinite(lo) || !isfinite(hi)) { lo = 0; hi = 1; }
    if (hi < lo) { double t = lo; lo = hi; hi = t; }
    if (hi - lo < 1e-12) { double d = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1; lo -= d; hi += d; }
    double raw = (hi - lo) / 5.0;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag, step;
    if (f <= 1) step = 1; else if (f <= 2) step = 2; else if (f <= 2.5) step = 2.5;
    else if (f <= 5) step = 5; else step = 10;
    step *= mag;
    a.lo = floor(lo / step) * step;
    a.hi = ceil(hi / step) * step;
    a.step = step;
    /* a range too wide for doubles (hi - lo overflows) or too narrow for the
     * magnitude (lo + step == lo: the tick loop would never end): a plain
     * 0..1 axis; map() keeps the points inside the drawing */
    if (!isfinite(a.lo) || !isfinite(a.hi) || !isfinite(a.step) || !(a.step > 0) || !isfinite(a.hi - a.lo) ||
        a.lo + a.step == a.lo || (a.hi - a.lo) / a.step > 100) {
        a.lo = 0;
        a.hi = 1;
        a.step = 0.2;
    }
    return a;
}

/* a coordinate: never nan or inf in the SVG, and a point far off the axis
 * is drawn just outside the plot rather than at a huge coordinate */
static double map(double v, double d0, double d1, double r0, double r1)
{
    double t = (v - d0) / (d1 - d0);
    if (isnan(t)) t = 0;
    if (t < -1) t = -1;
    if (t > 2) t = 2;
    return r0 + t * (r1 - r0);
}

static int clampdec(int d) { return d < 0 ? 0 : d > 4 ? 4 : d; }

static void num(el_strbuf *b, double v, int dec)
{
    if (!isfinite(v)) { el_strbuf_put(b, "n/a"); return; }
    if (fabs(v) < 0.5 * pow(10, -dec)) v = 0;   /* no "-0.0" */
    el_strbuf_printf(b, "%.*f", clampdec(dec), v);
}

static int tick_dec(double step)
{
    int d = 0;
    while (d < 4 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9) d++;
    return d;
}

static void open_svg(el_strbuf *b, double w, double h, const el_svg_opts *o, const char *cls)
{
    el_strbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" role=\"img\" "
                        "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" aria-label=\"",
                     cls, w, h, w, h);
    el_strbuf_esc(b, o && o->title ? o->title : "chart");
    el_strbuf_put(b, "\">\n<title>");
    el_strbuf_esc(b, o && o->title ? o->title : "chart");
    el_strbuf_put(b, "</title>\n<desc>");
    el_strbuf_esc(b, o && o->desc ? o->desc : "");
    el_strbuf_put(b, "</desc>\n<g font-family=\"Arial, Helvetica, sans-serif\" font-size=\"12\">\n<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n");
}

static void text(el_strbuf *b, double x, double y, const char *anchor, const char *extra, const char *s)
{
    el_strbuf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" fill=\"" EL_SVG_INK "\"%s%s>",
                     x, y, anchor, extra ? " " : "", extra ? extra : "");
    el_strbuf_esc(b, s);
    el_strbuf_put(b, "</text>\n");
}

typedef enum { SH_CIRCLE, SH_SQUARE, SH_UP, SH_DOWN, SH_DIAMOND } shape;

static void marker(el_strbuf *b, shape s, double x, double y, double r, const char *fill, const char *stroke)
{
    switch (s) {
    case SH_CIRCLE:
        el_strbuf_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"", x, y, r);
        break;
    case SH_SQUARE:
        el_strbuf_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"",
                         x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
        break;
    case SH_UP:
        el_strbuf_printf(b, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\"",
                         x, y - r * 1.15, x - r * 1.1, y + r * 0.8, x + r * 1.1, y + r * 0.8);
        break;
    case SH_DOWN:
        el_strbuf_printf(b, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\"",
                         x, y + r * 1.15, x - r * 1.1, y - r * 0.8, x + r * 1.1, y - r * 0.8);
        break;
    case SH_DIAMOND:
        el_strbuf_printf(b, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f %.2f,%.2f\"",
                         x, y - r * 1.25, x + r * 1.25, y, x, y + r * 1.25, x - r * 1.25, y);
        break;
    }
    el_strbuf_printf(b, " fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", fill, stroke);
}

static void line(el_strbuf *b, double x1, double y1, double x2, double y2, const char *col,
                 double w, const char *dash)
{
    el_strbuf_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"%.1f\"",
                     x1, y1, x2, y2, col, w);
    if (dash) el_strbuf_printf(b, " stroke-dasharray=\"%s\"", dash);
    el_strbuf_put(b, "/>\n");
}

/* Horizontal value axis at y (ticks down) with vertical grid lines from gy0 to y. */
static void x_axis(el_strbuf *b, axis a, double x0, double x1, double y, double gy0, const char *label)
{
    int dec = tick_dec(a.step);
    for (double t = a.lo; t <= a.hi + a.step * 1e-6; t += a.step) {
        double x = map(t, a.lo, a.hi, x0, x1);
        line(b, x, gy0, x, y, "#E3E3E3", 1, NULL);
        line(b, x, y, x, y + 4, EL_SVG_INK, 1, NULL);
        char buf[64];
        snprintf(buf, sizeof buf, "%.*f", dec, fabs(t) < a.step * 1e-6 ? 0.0 : t);
        text(b, x, y + 16, "middle", NULL, buf);
    }
    line(b, x0, y, x1, y, EL_SVG_INK, 1, NULL);
    if (label) text(b, (x0 + x1) / 2, y + 32, "middle", "font-weight=\"bold\"", label);
}

static void y_axis(el_strbuf *b, axis a, double y0, double y1, double x, double gx1, const char *label)
{
    int dec = tick_dec(a.step);
    for (double t = a.lo; t <= a.hi + a.step * 1e-6; t += a.step) {
        double y = map(t, a.lo, a.hi, y0, y1);
        line(b, x, y, gx1, y, "#E3E3E3", 1, NULL);
        line(b, x - 4, y, x, y, EL_SVG_INK, 1, NULL);
        char buf[64];
        snprintf(buf, sizeof buf, "%.*f", dec, fabs(t) < a.step * 1e-6 ? 0.0 : t);
        text(b, x - 7, y + 4, "end", NULL, buf);
    }
    line(b, x, y0, x, y1, EL_SVG_INK, 1, NULL);
    if (label) {
        el_strbuf_printf(b, "<text transform=\"translate(14,%.2f) rotate(-90)\" text-anchor=\"middle\" "
                            "fill=\"" EL_SVG_INK "\" font-weight=\"bold\">", (y0 + y1) / 2);
        el_strbuf_esc(b, label);
        el_strbuf_put(b, "</text>\n");
    }
}

/* Legend entries laid out left to right at y. */
typedef struct { shape s; const char *fill, *stroke, *label; int is_line; const char *dash; } legend_item;

static void legend(el_strbuf *b, const legend_item *it, size_t n, double x, double y)
{
    el_strbuf_put(b, "<g class=\"legend\">\n");
    for (size_t i = 0; i < n; i++) {
        if (x > W - 120) { x = 20; y += 18; }
        if (it[i].is_line) line(b, x - 6, y - 4, x + 8, y - 4, it[i].stroke, 2, it[i].dash);
        else marker(b, it[i].s, x, y - 4, 5, it[i].fill, it[i].stroke);
        text(b, x + 12, y, "start", NULL, it[i].label);
        x += 36 + 7.0 * (double)strlen(it[i].label);
    }
    el_strbuf_put(b, "</g>\n");
}

static void close_svg(el_strbuf *b) { el_strbuf_put(b, "</g>\n</svg>\n"); }

static void range_of(double v, double *lo, double *hi)
{
    if (!isfinite(v)) return;
    if (v < *lo) *lo = v;
    if (v > *hi) *hi = v;
}

/* ------------------------------------------------------------------ */

el_status el_svg_dot_whisker(el_strbuf *b, const el_svg_opts *o, const el_svg_group *g, size_t n)
{
    if (!b || !o || (n && !g)) return EL_ERR_INVALID;
    const double L = 200, R = W - 170, T = 30, RH = 26;
    double H = T + RH * (double)(n ? n : 1) + 80;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (g[i].suppressed) continue;
        range_of(g[i].value, &lo, &hi);
        range_of(g[i].lo, &lo, &hi);
        range_of(g[i].hi, &lo, &hi);
    }
    range_of(o->ref_value, &lo, &hi);
    if (lo > hi) { lo = 0; hi = 1; }
    if (lo > 0 && lo < (hi - lo) * 0.6) lo = 0;   /* keep zero in view when close */
    axis a = nice_axis(lo, hi);
    double yb = T + RH * (double)(n ? n : 1) + 6;
    open_svg(b, W, H, o, "dot-whisker");
    x_axis(b, a, L, R, yb, T - 6, o->axis_label);
    text(b, R + 10, T - 12, "start", "font-weight=\"bold\"", "value (95% CI)");
    if (isfinite(o->ref_value)) {
        double x = map(o->ref_value, a.lo, a.hi, L, R);
        line(b, x, T - 8, x, yb, EL_SVG_INK, 1.5, "6 3");
        text(b, x, T - 12, "middle", "font-style=\"italic\"", o->ref_label ? o->ref_label : "reference");
    }
    int dec = clampdec(o->decimals);
    for (size_t i = 0; i < n; i++) {
        double y = T + RH * ((double)i + 0.5);
        text(b, L - 10, y + 4, "end", NULL, g[i].label ? g[i].label : "");
        el_strbuf strv;
        el_strbuf_init(&strv);
        if (g[i].suppressed || !isfinite(g[i].value)) {
            el_strbuf_put(&strv, g[i].suppressed ? "* suppressed" : "not available");
            text(b, R + 10, y + 4, "start", NULL, el_strbuf_str(&strv));
            el_strbuf_release(&strv);
            continue;
        }
        double x = map(g[i].value, a.lo, a.hi, L, R);
        if (isfinite(g[i].lo) && isfinite(g[i].hi)) {
            double x0 = map(g[i].lo, a.lo, a.hi, L, R), x1 = map(g[i].hi, a.lo, a.hi, L, R);
            line(b, x0, y, x1, y, EL_SVG_INK, 1.5, NULL);
            line(b, x0, y - 5, x0, y + 5, EL_SVG_INK, 1.5, NULL);
            line(b, x1, y - 5, x1, y + 5, EL_SVG_INK, 1.5, NULL);
        }
        switch (g[i].flag) {
        case EL_SVG_REFERENCE: marker(b, SH_DIAMOND, x, y, 6, "#FFFFFF", EL_SVG_INK); break;
        case EL_SVG_SIG_HIGHER: marker(b, SH_UP, x, y, 6, EL_SVG_VERMILLION, EL_SVG_VERMILLION); break;
        case EL_SVG_SIG_LOWER: marker(b, SH_DOWN, x, y, 6, EL_SVG_BLUE, EL_SVG_BLUE); break;
        default: marker(b, SH_CIRCLE, x, y, 5, "#FFFFFF", EL_SVG_GREY); break;
        }
        num(&strv, g[i].value, dec);
        if (isfinite(g[i].lo) && isfinite(g[i].hi)) {
            el_strbuf_put(&strv, " (");
            num(&strv, g[i].lo, dec);
            el_strbuf_put(&strv, "\xE2\x80\x93");
            num(&strv, g[i].hi, dec);
            el_strbuf_put(&strv, ")");
        }
        if (g[i].flag == EL_SVG_SIG_HIGHER) el_strbuf_put(&strv, " \xE2\x96\xB2");
        else if (g[i].flag == EL_SVG_SIG_LOWER) el_strbuf_put(&strv, " \xE2\x96\xBC");
        else if (g[i].flag == EL_SVG_REFERENCE) el_strbuf_put(&strv, " ref");
        text(b, R + 10, y + 4, "start", NULL, el_strbuf_str(&strv));
        if (!el_strbuf_ok(&strv)) b->oom = 1;
        el_strbuf_release(&strv);
    }
    legend_item it[] = {
        {SH_DIAMOND, "#FFFFFF", EL_SVG_INK, "reference group", 0, NULL},
        {SH_CIRCLE, "#FFFFFF", EL_SVG_GREY, "not significantly different", 0, NULL},
        {SH_UP, EL_SVG_VERMILLION, EL_SVG_VERMILLION, "significantly higher", 0, NULL},
        {SH_DOWN, EL_SVG_BLUE, EL_SVG_BLUE, "significantly lower", 0, NULL},
    };
    legend(b, it, 4, 20, yb + 58);
    close_svg(b);
    return el_strbuf_ok(b) ? EL_OK : EL_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */

el_svg_point_type el_svg_point_type_from_name(const char *s)
{
    if (!s) return EL_SVG_PT_COMMON;
    if (!strcmp(s, "special_cause_improvement")) return EL_SVG_PT_IMPROVEMENT;
    if (!strcmp(s, "special_cause_concern")) return EL_SVG_PT_CONCERN;
    if (!strcmp(s, "special_cause_neutral_high")) return EL_SVG_PT_NEUTRAL_HIGH;
    if (!strcmp(s, "special_cause_neutral_low")) return EL_SVG_PT_NEUTRAL_LOW;
    return EL_SVG_PT_COMMON;
}

static const struct { const char *name, *text, *colour, *letter; int dir; } variations[] = {
    {"common_cause", "Common cause variation: no significant change", EL_SVG_GREY, "", 0},
    {"improvement_high", "Special cause: improvement, higher values", EL_SVG_BLUE, "H", 1},
    {"improvement_low", "Special cause: improvement, lower values", EL_SVG_BLUE, "L", -1},
    {"concern_high", "Special cause: concern, higher values", EL_SVG_VERMILLION, "H", 1},
    {"concern_low", "Special cause: concern, lower values", EL_SVG_VERMILLION, "L", -1},
    {"neutral_high", "Special cause: neither improvement nor concern, higher values", EL_SVG_PURPLE, "H", 1},
    {"neutral_low", "Special cause: neither improvement nor concern, lower values", EL_SVG_PURPLE, "L", -1},
};
static const struct { const char *name, *text, *colour, *letter; } assurances[] = {
    {"consistent_pass", "Assurance: the target will consistently be met", EL_SVG_BLUE, "P"},
    {"consistent_fail", "Assurance: the target will consistently be missed", EL_SVG_VERMILLION, "F"},
    {"inconsistent", "Assurance: the target may or may not be met (inconsistent)", EL_SVG_GREY, "?"},
};
#define NVAR (sizeof variations / sizeof variations[0])
#define NASS (sizeof assurances / sizeof assurances[0])

static int var_index(const char *s)
{
    for (size_t i = 0; s && i < NVAR; i++) if (!strcmp(s, variations[i].name)) return (int)i;
    return -1;
}
static int ass_index(const char *s)
{
    for (size_t i = 0; s && i < NASS; i++) if (!strcmp(s, assurances[i].name)) return (int)i;
    return -1;
}

const char *el_svg_variation_text(const char *v)
{
    int i = var_index(v);
    return i < 0 ? "No variation icon (too few points)" : variations[i].text;
}
const char *el_svg_assurance_text(const char *a)
{
    int i = ass_index(a);
    return i < 0 ? "No assurance icon (no target)" : assurances[i].text;
}

/* An icon's group, its title and its ring (colour c), centred at (cx, cy). */
static void icon_open(el_strbuf *b, const char *cls, const char *title, const char *c, double cx, double cy, double r)
{
    el_strbuf_printf(b, "<g class=\"icon %s\">\n<title>", cls);
    el_strbuf_esc(b, title);
    el_strbuf_put(b, "</title>\n");
    el_strbuf_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"#FFFFFF\" stroke=\"%s\" stroke-width=\"%.2f\"/>\n",
                     cx, cy, r * 0.9, c, r * 0.12);
}

/* Icon centred at (cx, cy) with radius r. */
static void variation_body(el_strbuf *b, int i, double cx, double cy, double r)
{
    const char *c = variations[i].colour;
    icon_open(b, "variation", variations[i].text, c, cx, cy, r);
    /* a small run of dots: flat for common cause, the last ones moving for special cause */
    double ys[5] = {0, 0.12, -0.08, 0.05, 0};
    int dir = variations[i].dir;
    if (dir) { ys[3] = -0.25 * dir; ys[4] = -0.42 * dir; }
    double pts[5][2];
    for (int k = 0; k < 5; k++) { pts[k][0] = cx + r * (-0.55 + 0.275 * k); pts[k][1] = cy + r * (0.15 + ys[k]); }
    el_strbuf_put(b, "<polyline fill=\"none\" stroke=\"" EL_SVG_GREY "\" stroke-width=\"1\" points=\"");
    for (int k = 0; k < 5; k++) el_strbuf_printf(b, "%s%.2f,%.2f", k ? " " : "", pts[k][0], pts[k][1]);
    el_strbuf_put(b, "\"/>\n");
    for (int k = 0; k < 5; k++)
        el_strbuf_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>\n", pts[k][0], pts[k][1],
                         r * 0.1, (dir && k >= 3) ? c : EL_SVG_GREY);
    if (*variations[i].letter)
        el_strbuf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"%.1f\" "
                            "font-weight=\"bold\" fill=\"%s\">%s</text>\n",
                         cx, dir > 0 ? cy + r * 0.6 : cy - r * 0.25, r * 0.55, c, variations[i].letter);
    el_strbuf_put(b, "</g>\n");
}

static void assurance_body(el_strbuf *b, int i, double cx, double cy, double r)
{
    const char *c = assurances[i].colour;
    icon_open(b, "assurance", assurances[i].text, c, cx, cy, r);
    line(b, cx - r * 0.55, cy - r * 0.45, cx + r * 0.55, cy - r * 0.45, EL_SVG_GREY, 1, "2 1");
    line(b, cx - r * 0.55, cy + r * 0.5, cx + r * 0.55, cy + r * 0.5, EL_SVG_GREY, 1, "2 1");
    el_strbuf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-size=\"%.1f\" "
                        "font-weight=\"bold\" fill=\"%s\">%s</text>\n",
                     cx, cy + r * 0.28, r * 0.8, c, assurances[i].letter);
    el_strbuf_put(b, "</g>\n");
}

static void icon_svg_open(el_strbuf *b, double size, const char *label)
{
    el_strbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"icon\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" "
                        "width=\"%.0f\" height=\"%.0f\" aria-label=\"", size, size, size, size);
    el_strbuf_esc(b, label);
    el_strbuf_put(b, "\">\n<g font-family=\"Arial, Helvetica, sans-serif\">\n");
}

el_status el_svg_variation_icon(el_strbuf *b, const char *variation, double size)
{
    int i = var_index(variation);
    if (i < 0 || size <= 0) return EL_ERR_INVALID;
    icon_svg_open(b, size, variations[i].text);
    variation_body(b, i, size / 2, size / 2, size / 2);
    close_svg(b);
    return el_strbuf_ok(b) ? EL_OK : EL_ERR_NOMEM;
}

el_status el_svg_assurance_icon(el_strbuf *b, const char *assurance, double size)
{
    int i = ass_index(assurance);
    if (i < 0 || size <= 0) return EL_ERR_INVALID;
    icon_svg_open(b, size, assurances[i].text);
    assurance_body(b, i, size / 2, size / 2, size / 2);
    close_svg(b);
    return el_strbuf_ok(b) ? EL_OK : EL_ERR_NOMEM;
}

el_status el_svg_spc(el_strbuf *b, const el_svg_opts *o, const el_svg_spc_point *p, size_t n,
                     double target, const char *variation, const char *assurance)
{
    if (!b || !o || (n && !p)) return EL_ERR_INVALID;
    const double L = 70, R = W - 120, T = 58, B = 288, H = 368;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        range_of(p[i].value, &lo, &hi);
        range_of(p[i].lpl, &lo, &hi);
        range_of(p[i].upl, &lo, &hi);
        range_of(p[i].mean, &lo, &hi);
    }
    range_of(target, &lo, &hi);
    if (lo > hi) { lo = 0; hi = 1; }
    axis a = nice_axis(lo, hi);
    open_svg(b, W, H, o, "spc");
    y_axis(b, a, B, T, L, R, o->axis_label);
    line(b, L, B, R, B, EL_SVG_INK, 1, NULL);
    double dx = n > 1 ? (R - L - 20) / (double)(n - 1) : 0;
#define PX(i) (L + 10 + dx * (double)(i))
#define PY(v) map((v), a.lo, a.hi, B, T)
    /* x labels: at most ~12 */
    size_t every = n > 12 ? (n + 11) / 12 : 1;
    for (size_t i = 0; i < n; i += every) {
        double x = PX(i);
        line(b, x, B, x, B + 4, EL_SVG_INK, 1, NULL);
        el_strbuf_printf(b, "<text transform=\"translate(%.2f,%.2f) rotate(-40)\" text-anchor=\"end\" fill=\"" EL_SVG_INK
                            "\" font-size=\"10\">", x + 3, B + 14);
        el_strbuf_esc(b, p[i].label ? p[i].label : "");
        el_strbuf_put(b, "</text>\n");
    }
    /* mean and limits as step lines (segments may be rebased) */
    struct { int which; const char *col, *dash; double w; } ls[] = {
        {0, EL_SVG_INK, NULL, 1.5}, {1, EL_SVG_GREY, "6 3", 1.5}, {2, EL_SVG_GREY, "6 3", 1.5}};
    for (size_t k = 0; k < 3; k++) {
        el_strbuf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s%s%s points=\"",
                         ls[k].col, ls[k].w, ls[k].dash ? " stroke-dasharray=\"" : "", ls[k].dash ? ls[k].dash : "",
                         ls[k].dash ? "\"" : "");
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            double v = ls[k].which == 0 ? p[i].mean : ls[k].which == 1 ? p[i].lpl : p[i].upl;
            if (!isfinite(v)) continue;
            double x0 = n > 1 ? PX(i) - (i ? dx / 2 : 0) : L + 10, x1 = n > 1 ? PX(i) + (i + 1 < n ? dx / 2 : 0) : R - 10;
            el_strbuf_printf(b, "%s%.2f,%.2f %.2f,%.2f", first ? "" : " ", x0, PY(v), x1, PY(v));
            first = 0;
        }
        el_strbuf_put(b, "\"/>\n");
    }
    if (n) {
        const el_svg_spc_point *q = &p[n - 1];
        char buf[64];
        if (isfinite(q->mean)) { snprintf(buf, sizeof buf, "mean %.*f", clampdec(o->decimals), q->mean); text(b, R + 4, PY(q->mean) + 4, "start", NULL, buf); }
        if (isfinite(q->upl)) { snprintf(buf, sizeof buf, "upper %.*f", clampdec(o->decimals), q->upl); text(b, R + 4, PY(q->upl) + 4, "start", NULL, buf); }
        if (isfinite(q->lpl)) { snprintf(buf, sizeof buf, "lower %.*f", clampdec(o->decimals), q->lpl); text(b, R + 4, PY(q->lpl) + 4, "start", NULL, buf); }
    }
    if (isfinite(target)) {
        line(b, L, PY(target), R, PY(target), EL_SVG_INK, 1.5, "2 3");
        char buf[64];
        snprintf(buf, sizeof buf, "target %.*f", clampdec(o->decimals), target);
        text(b, L + 4, PY(target) - 4, "start", "font-style=\"italic\"", buf);
    }
    /* the series */
    el_strbuf_put(b, "<polyline fill=\"none\" stroke=\"" EL_SVG_GREY "\" stroke-width=\"1.2\" points=\"");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].value)) continue;
        el_strbuf_printf(b, "%s%.2f,%.2f", first ? "" : " ", PX(i), PY(p[i].value));
        first = 0;
    }
    el_strbuf_put(b, "\"/>\n");
    int seen[5] = {0};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].value)) continue;
        double x = PX(i), y = PY(p[i].value);
        seen[p[i].type] = 1;
        switch (p[i].type) {
        case EL_SVG_PT_IMPROVEMENT: marker(b, SH_SQUARE, x, y, 4.5, EL_SVG_BLUE, EL_SVG_BLUE); break;
        case EL_SVG_PT_CONCERN: marker(b, SH_DIAMOND, x, y, 5, EL_SVG_VERMILLION, EL_SVG_VERMILLION); break;
        case EL_SVG_PT_NEUTRAL_HIGH: marker(b, SH_UP, x, y, 4.5, EL_SVG_PURPLE, EL_SVG_PURPLE); break;
        case EL_SVG_PT_NEUTRAL_LOW: marker(b, SH_DOWN, x, y, 4.5, EL_SVG_PURPLE, EL_SVG_PURPLE); break;
        default: marker(b, SH_CIRCLE, x, y, 3.5, EL_SVG_GREY, EL_SVG_GREY); break;
        }
    }
#undef PX
#undef PY
    /* icons, top right */
    int vi = var_index(variation), ai = ass_index(assurance);
    if (vi >= 0) variation_body(b, vi, W - 85, 27, 22);
    if (ai >= 0) assurance_body(b, ai, W - 35, 27, 22);
    legend_item it[6];
    size_t ni = 0;
    it[ni++] = (legend_item){SH_CIRCLE, EL_SVG_GREY, EL_SVG_GREY, "common cause", 0, NULL};
    if (seen[EL_SVG_PT_IMPROVEMENT]) it[ni++] = (legend_item){SH_SQUARE, EL_SVG_BLUE, EL_SVG_BLUE, "special cause: improvement", 0, NULL};
    if (seen[EL_SVG_PT_CONCERN]) it[ni++] = (legend_item){SH_DIAMOND, EL_SVG_VERMILLION, EL_SVG_VERMILLION, "special cause: concern", 0, NULL};
    if (seen[EL_SVG_PT_NEUTRAL_HIGH] || seen[EL_SVG_PT_NEUTRAL_LOW])
        it[ni++] = (legend_item){SH_UP, EL_SVG_PURPLE, EL_SVG_PURPLE, "special cause: neutral", 0, NULL};
    it[ni++] = (legend_item){SH_CIRCLE, NULL, EL_SVG_INK, "mean", 1, NULL};
    it[ni++] = (legend_item){SH_CIRCLE, NULL, EL_SVG_GREY, "process limits", 1, "6 3"};
    legend(b, it, ni, 20, H - 12);
    close_svg(b);
    return el_strbuf_ok(b) ? EL_OK : EL_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */

el_status el_svg_funnel(el_strbuf *b, const el_svg_opts *o, const el_svg_funnel_point *p, size_t n,
                        const el_svg_funnel_limit *lim, size_t nl)
{
    if (!b || !o || (n && !p) || (nl && !lim)) return EL_ERR_INVALID;
    const double L = 70, R = W - 30, T = 20, B = 260, H = 330;
    double xlo = 0, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (p[i].suppressed) continue;
        range_of(p[i].denom, &xlo, &xhi);
        range_of(p[i].value, &lo, &hi);
    }
    for (size_t i = 0; i < nl; i++) {
        range_of(lim[i].denom, &xlo, &xhi);
        /* keep the y range driven by the data; limits at tiny n would flatten the chart */
    }
    range_of(o->ref_value, &lo, &hi);
    if (lo > hi) { lo = 0; hi = 1; }
    if (xhi <= xlo) xhi = xlo + 1;
    double pad = (hi - lo) * 0.35 + 1e-9;
    axis ay = nice_axis(lo - pad, hi + pad), ax = nice_axis(0, xhi);
    open_svg(b, W, H, o, "funnel");
    y_axis(b, ay, B, T, L, R, o->axis_label);
    x_axis(b, ax, L, R, B, T, "denominator (size)");
#define FX(v) map((v), ax.lo, ax.hi, L, R)
#define FY(v) map((v), ay.lo, ay.hi, B, T)
    if (isfinite(o->ref_value)) line(b, L, FY(o->ref_value), R, FY(o->ref_value), EL_SVG_INK, 1.5, NULL);
    for (int k = 0; k < 4 && nl; k++) {
        el_strbuf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\"%s points=\"",
                         k < 2 ? EL_SVG_BLUE : EL_SVG_VERMILLION, k < 2 ? " stroke-dasharray=\"6 3\"" : "");
        int first = 1;
        for (size_t i = 0; i < nl; i++) {
            double v = k == 0 ? lim[i].lo2 : k == 1 ? lim[i].hi2 : k == 2 ? lim[i].lo3 : lim[i].hi3;
            if (!isfinite(v)) continue;
            if (v < ay.lo) v = ay.lo;
            if (v > ay.hi) v = ay.hi;
            el_strbuf_printf(b, "%s%.2f,%.2f", first ? "" : " ", FX(lim[i].denom), FY(v));
            first = 0;
        }
        el_strbuf_put(b, "\"/>\n");
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i].suppressed || !isfinite(p[i].value) || !isfinite(p[i].denom)) continue;
        /* limits at this size: nearest sample at or above denom */
        const el_svg_funnel_limit *l = NULL;
        for (size_t k = 0; k < nl; k++) { l = &lim[k]; if (lim[k].denom >= p[i].denom) break; }
        int out3 = l && (p[i].value > l->hi3 || p[i].value < l->lo3);
        int out2 = l && (p[i].value > l->hi2 || p[i].value < l->lo2);
        double x = FX(p[i].denom), y = FY(p[i].value);
        int above = isfinite(o->ref_value) && p[i].value > o->ref_value;
        if (out3) marker(b, above ? SH_UP : SH_DOWN, x, y, 6, EL_SVG_VERMILLION, EL_SVG_VERMILLION);
        else if (out2) marker(b, SH_SQUARE, x, y, 5, EL_SVG_BLUE, EL_SVG_BLUE);
        else marker(b, SH_CIRCLE, x, y, 4.5, "#FFFFFF", EL_SVG_GREY);
        text(b, x + 8, y - 6, "start", "font-size=\"10\"", p[i].label ? p[i].label : "");
    }
#undef FX
#undef FY
    legend_item it[] = {
        {SH_CIRCLE, NULL, EL_SVG_INK, "overall", 1, NULL},
        {SH_CIRCLE, NULL, EL_SVG_BLUE, "95% limits", 1, "6 3"},
        {SH_CIRCLE, NULL, EL_SVG_VERMILLION, "99.8% limits", 1, NULL},
        {SH_CIRCLE, "#FFFFFF", EL_SVG_GREY, "within", 0, NULL},
        {SH_SQUARE, EL_SVG_BLUE, EL_SVG_BLUE, "outside 95%", 0, NULL},
        {SH_UP, EL_SVG_VERMILLION, EL_SVG_VERMILLION, "outside 99.8%", 0, NULL},
    };
    legend(b, it, 6, 20, H - 14);
    close_svg(b);
    return el_strbuf_ok(b) ? EL_OK : EL_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */

el_status el_svg_observed_expected(el_strbuf *b, const el_svg_opts *o, const el_svg_obs_exp *r, size_t n)
{
    if (!b || !o || (n && !r)) return EL_ERR_INVALID;
    const double L = 200, R = W - 190, T = 30, RH = 34;
    double H = T + RH * (double)(n ? n : 1) + 72;
    double hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].suppressed) continue;
        if (isfinite(r[i].observed) && r[i].observed > hi) hi = r[i].observed;
        if (isfinite(r[i].expected) && r[i].expected > hi) hi = r[i].expected;
    }
    if (hi <= 0) hi = 1;
    axis a = nice_axis(0, hi);
    double yb = T + RH * (double)(n ? n : 1) + 4;
    open_svg(b, W, H, o, "observed-expected");
    x_axis(b, a, L, R, yb, T - 6, o->axis_label ? o->axis_label : "count");
    text(b, R + 10, T - 12, "start", "font-weight=\"bold\"", "O/E (95% CI)");
    for (size_t i = 0; i < n; i++) {
        double y = T + RH * (double)i + 4;
        text(b, L - 10, y + 17, "end", NULL, r[i].label ? r[i].label : "");
        if (r[i].suppressed) { text(b, R + 10, y + 17, "start", NULL, "* suppressed"); continue; }
        if (isfinite(r[i].expected))
            el_strbuf_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"11\" fill=\"#FFFFFF\" "
                                "stroke=\"" EL_SVG_INK "\" stroke-width=\"1.2\" stroke-dasharray=\"3 2\"/>\n",
                             L, y + 2, map(r[i].expected, a.lo, a.hi, L, R) - L);
        if (isfinite(r[i].observed))
            el_strbuf_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"11\" fill=\"" EL_SVG_BLUE "\"/>\n",
                             L, y + 15, map(r[i].observed, a.lo, a.hi, L, R) - L);
        el_strbuf s;
        el_strbuf_init(&s);
        if (isfinite(r[i].observed) && isfinite(r[i].expected) && r[i].expected > 0) {
            el_strbuf_printf(&s, "%.2f", r[i].observed / r[i].expected);
            if (isfinite(r[i].ratio_lo) && isfinite(r[i].ratio_hi)) {
                el_strbuf_printf(&s, " (%.2f\xE2\x80\x93%.2f)", r[i].ratio_lo, r[i].ratio_hi);
                if (r[i].ratio_hi < 1) el_strbuf_put(&s, " \xE2\x96\xBC under");
                else if (r[i].ratio_lo > 1) el_strbuf_put(&s, " \xE2\x96\xB2 over");
            }
        } else {
            el_strbuf_put(&s, "not available");
        }
        text(b, R + 10, y + 17, "start", NULL, el_strbuf_str(&s));
        if (!el_strbuf_ok(&s)) b->oom = 1;
        el_strbuf_release(&s);
    }
    el_strbuf_printf(b, "<g class=\"legend\"><rect x=\"14\" y=\"%.2f\" width=\"14\" height=\"9\" fill=\"#FFFFFF\" stroke=\""
                        EL_SVG_INK "\" stroke-dasharray=\"3 2\"/>\n", H - 20);
    text(b, 34, H - 12, "start", NULL, "expected (from the catchment population)");
    el_strbuf_printf(b, "<rect x=\"320\" y=\"%.2f\" width=\"14\" height=\"9\" fill=\"" EL_SVG_BLUE "\"/>\n", H - 20);
    text(b, 340, H - 12, "start", NULL, "observed");
    text(b, 420, H - 12, "start", NULL, "\xE2\x96\xBC under / \xE2\x96\xB2 over-represented");
    el_strbuf_put(b, "</g>\n");
    close_svg(b);
    return el_strbuf_ok(b) ? EL_OK : EL_ERR_NOMEM;
}
