/* html.c — the board pack as one self-contained HTML file (see report.h). */
#include "equitylens/report.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/funnel.h"
#include "equitylens/report_model.h"
#include "equitylens/svg.h"

#define MAX_KEY_TRENDS 8
#define SUMMARY_GAPS 5     /* the summary fits one A4 page */
#define SUMMARY_TRENDS 3

static const char CSS[] =
    "@page{size:A4;margin:14mm 12mm 16mm 12mm}\n"
    "*{box-sizing:border-box}\n"
    "body{font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:1180px;padding:0 16px;line-height:1.4;font-size:15px}\n"
    "header.cover{border-bottom:4px solid #005eb8;margin-bottom:12px}\n"
    "h1{font-size:28px;margin:18px 0 4px}h2{font-size:22px;margin:26px 0 8px;border-bottom:2px solid #d8dde0;padding-bottom:4px}\n"
    "h3{font-size:17px;margin:18px 0 6px}\n"
    "p.meta{margin:2px 0;color:#4c6272}\n"
    "nav ol{columns:2;margin:6px 0 10px}\n"
    "a{color:#005eb8}\n"
    ".pair{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start;margin:8px 0 16px}\n"
    ".pair figure{flex:1 1 560px;margin:0;max-width:700px}\n"
    ".pair .tablewrap{flex:1 1 380px;overflow-x:auto}\n"
    "figure svg{max-width:100%;height:auto;display:block}\n"
    "figcaption{font-size:13px;color:#4c6272;margin-top:2px}\n"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0 14px;width:100%}\n"
    "caption{text-align:left;font-weight:bold;padding:4px 0;caption-side:top}\n"
    "th,td{border:1px solid #aeb7bd;padding:3px 6px;vertical-align:top}\n"
    "thead th{background:#e8edee}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "th[scope=row]{font-weight:normal;text-align:left}\n"
    "tr.total th,tr.total td{font-weight:bold;border-top:2px solid #425563}\n"
    ".sig{font-weight:bold}\n"
    ".note{font-size:13px;color:#4c6272}\n"
    ".policy{border-left:5px solid #005eb8;background:#f0f4f5;padding:6px 10px;margin:8px 0}\n"
    ".icon{vertical-align:middle}\n"
    ".keyfacts{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}\n"
    ".keyfacts div{border:1px solid #aeb7bd;padding:6px 10px;min-width:150px}\n"
    ".keyfacts b{display:block;font-size:20px}\n"
    "section.chapter{margin-bottom:12px}\n"
    "@media print{body{max-width:none;padding:0;font-size:11pt}nav{display:none}\n"
    " section.chapter{break-before:page}section.first{break-before:auto}\n"
    " figure,tr,.keyfacts{break-inside:avoid}h2,h3{break-after:avoid}\n"
    " .pair{display:block}.pair figure{max-width:none}.tablewrap{overflow:visible}\n"
    " table{font-size:8.5pt;width:99.5%}th,td{padding:2px 4px}td.n{white-space:normal}\n"
    " h1{font-size:20pt;margin-top:0}p.meta{font-size:9pt}.keyfacts{gap:6px}.keyfacts div{padding:3px 8px;min-width:0}\n"
    " .keyfacts b{font-size:13pt}section.first p,.policy{font-size:9.5pt}\n"
    " a{color:#1a1a1a;text-decoration:none}}\n";

/* ------------------------------------------------------------------ */

static void put_num(el_strbuf *b, double v, int dec, const char *mask)
{
    if (isnan(v)) { el_strbuf_put(b, mask); return; }
    if (fabs(v) < 0.5 * pow(10, -dec)) v = 0;
    el_strbuf_printf(b, "%.*f", dec, v);
}

/* integer with thousands separators */
static void put_count(el_strbuf *b, double v, const char *mask)
{
    if (isnan(v)) { el_strbuf_esc(b, mask); return; }
    char tmp[40], out[60];
    snprintf(tmp, sizeof tmp, "%.0f", fabs(v));
    size_t l = strlen(tmp), k = 0;
    if (v < 0) out[k++] = '-';
    for (size_t i = 0; i < l; i++) {
        out[k++] = tmp[i];
        if ((l - i - 1) % 3 == 0 && i + 1 < l) out[k++] = ',';
    }
    out[k] = '\0';
    el_strbuf_put(b, out);
}

static void put_ci(el_strbuf *b, double v, double lo, double hi, int dec, const char *mask)
{
    put_num(b, v, dec, mask);
    if (!isnan(v) && !isnan(lo) && !isnan(hi)) {
        el_strbuf_put(b, " (");
        put_num(b, lo, dec, mask);
        el_strbuf_put(b, " to ");
        put_num(b, hi, dec, mask);
        el_strbuf_put(b, ")");
    }
}

static void td_num(el_strbuf *b, double v, int dec, const char *mask)
{
    el_strbuf_put(b, "<td class=\"n\">");
    put_num(b, v, dec, mask);
    el_strbuf_put(b, "</td>");
}
static void td_count(el_strbuf *b, double v, const char *mask)
{
    el_strbuf_put(b, "<td class=\"n c\">");
    put_count(b, v, mask);
    el_strbuf_put(b, "</td>");
}
static void td_ci(el_strbuf *b, double v, double lo, double hi, int dec, const char *mask)
{
    el_strbuf_put(b, "<td class=\"n\">");
    put_ci(b, v, lo, hi, dec, mask);
    el_strbuf_put(b, "</td>");
}
static void th_col(el_strbuf *b, const char *s)
{
    el_strbuf_put(b, "<th scope=\"col\">");
    el_strbuf_esc(b, s);
    el_strbuf_put(b, "</th>");
}
static void th_row(el_strbuf *b, const char *s)
{
    el_strbuf_put(b, "<th scope=\"row\">");
    el_strbuf_esc(b, s);
    el_strbuf_put(b, "</th>");
}

static void esc_tag(el_strbuf *b, const char *tag, const char *attrs, const char *s)
{
    el_strbuf_printf(b, "<%s%s%s>", tag, attrs ? " " : "", attrs ? attrs : "");
    el_strbuf_esc(b, s);
    el_strbuf_printf(b, "</%s>\n", tag);
}

/* ------------------------------------------------------------------ */

typedef struct {
    el_strbuf *b;
    const el_rm *m;
    const el_report_opts *o;
    char mask[8];
    unsigned char *key_trend;  /* per trend: charted in the report */
    unsigned char *summary_trend;  /* per trend: listed on the summary page */
    size_t n_key_trends;
    int fig;   /* figure counter */
    int tab;   /* table counter */
} ctx;

static void caption(ctx *c, const char *text)
{
    el_strbuf_printf(c->b, "<caption>Table %d. ", ++c->tab);
    el_strbuf_esc(c->b, text);
    el_strbuf_put(c->b, "</caption>\n");
}

/* caption, then the header row of a table's columns (NULL-terminated), then
 * the body opens */
static void table_head(ctx *c, const char *cap, ...)
{
    caption(c, cap);
    el_strbuf_put(c->b, "<thead><tr>");
    va_list ap;
    va_start(ap, cap);
    for (const char *col = va_arg(ap, const char *); col; col = va_arg(ap, const char *)) th_col(c->b, col);
    va_end(ap);
    el_strbuf_put(c->b, "</tr></thead>\n<tbody>\n");
}

static void figure_open(ctx *c) { el_strbuf_put(c->b, "<div class=\"pair\">\n<figure>\n"); }
static void figure_close(ctx *c, const char *cap)
{
    el_strbuf_printf(c->b, "<figcaption>Figure %d. ", ++c->fig);
    el_strbuf_esc(c->b, cap);
    size_t l = strlen(cap);
    el_strbuf_put(c->b, l && cap[l - 1] == '.' ? "" : ".");
    el_strbuf_put(c->b, " The data are in the table beside the chart.</figcaption>\n</figure>\n<div class=\"tablewrap\">\n");
}
static void pair_close(ctx *c) { el_strbuf_put(c->b, "</div>\n</div>\n"); }

/* Title "<metric> by <lens>[, <stratum>]" */
static void lens_title(el_strbuf *t, const el_rm_metric *mt, const el_rm_lens *l)
{
    el_strbuf_put(t, mt->label);
    el_strbuf_put(t, " by ");
    el_strbuf_put(t, l->label);
    if (l->stratum_label) { el_strbuf_put(t, ", "); el_strbuf_put(t, l->stratum_label); }
}

/* The gap, adjusted gap and significance cells of a group's row ("reference"
 * for the reference group). */
static void gap_cells(ctx *c, const el_rm_metric *mt, const el_rm_group *r)
{
    el_strbuf *b = c->b;
    if (r->is_reference) {
        el_strbuf_put(b, "<td>reference</td><td>reference</td><td>\xE2\x80\x94</td>");
        return;
    }
    if (r->gap.present) td_ci(b, r->gap.diff, r->gap.lower, r->gap.upper, mt->decimals, c->mask);
    else el_strbuf_printf(b, "<td class=\"n\">%s</td>", r->suppressed ? c->mask : "\xE2\x80\x94");
    if (r->adjusted.present) td_ci(b, r->adjusted.diff, r->adjusted.lower, r->adjusted.upper, mt->decimals, c->mask);
    else el_strbuf_put(b, "<td class=\"n\">\xE2\x80\x94</td>");
    if (r->gap.present && r->gap.significant)
        el_strbuf_printf(b, "<td class=\"sig\">yes, %s</td>", r->gap.diff > 0 ? "higher \xE2\x96\xB2" : "lower \xE2\x96\xBC");
    else
        el_strbuf_put(b, "<td>no</td>");
}

static void lens_block(ctx *c, const el_rm_metric *mt, const el_rm_lens *l, int chart)
{
    el_strbuf *b = c->b;
    el_strbuf title, desc;
    el_strbuf_init(&title);
    el_strbuf_init(&desc);
    lens_title(&title, mt, l);
    /* chart */
    el_svg_group *g = calloc(l->n_groups ? l->n_groups : 1, sizeof *g);
    if (!g) { b->oom = 1; goto out; }
    double ref = NAN;
    size_t nsig = 0;
    for (size_t i = 0; i < l->n_groups; i++) {
        const el_rm_group *r = &l->groups[i];
        g[i].label = r->label;
        g[i].value = r->value;
        g[i].lo = r->lower;
        g[i].hi = r->upper;
        g[i].suppressed = r->suppressed || isnan(r->value);
        if (r->is_reference) { g[i].flag = EL_SVG_REFERENCE; ref = r->value; }
        else if (r->gap.present && r->gap.significant) {
            g[i].flag = r->gap.diff > 0 ? EL_SVG_SIG_HIGHER : EL_SVG_SIG_LOWER;
            nsig++;
        }
    }
    el_strbuf_printf(&desc, "Dot-and-whisker chart of %s (%s) for %zu groups with 95%% confidence intervals; "
                            "dashed line at the reference group (%s). %zu group(s) differ significantly from the reference.",
                     mt->label, mt->unit ? mt->unit : "", l->n_groups, l->reference_label ? l->reference_label : "none", nsig);
    char reflab[160];
    snprintf(reflab, sizeof reflab, "reference: %s", l->reference_label ? l->reference_label : "");
    el_svg_opts so = {el_strbuf_str(&title), el_strbuf_str(&desc), mt->axis_label, mt->decimals, ref, reflab};
    esc_tag(b, "h3", NULL, el_strbuf_str(&title));
    if (chart) {
        figure_open(c);
        el_svg_dot_whisker(b, &so, g, l->n_groups);
        figure_close(c, el_strbuf_str(&title));
    } else {
        el_strbuf_put(b, "<div class=\"pair\">\n<div class=\"tablewrap\">\n");
    }
    /* table */
    el_strbuf_put(b, "<table>\n");
    table_head(c, el_strbuf_str(&title), "Group", "Denominator", "Share of total (%)", mt->unit_header,
               "Gap vs reference (95% CI)", "Adjusted gap (95% CI)", "Significant", NULL);
    for (size_t i = 0; i <= l->n_groups; i++) {   /* the groups, then the total row */
        const el_rm_group *r = i < l->n_groups ? &l->groups[i] : &l->overall;
        el_strbuf_put(b, i < l->n_groups ? "<tr>" : "<tr class=\"total\">");
        th_row(b, r->label);
        td_count(b, r->denominator, c->mask);
        td_num(b, r->share, 1, c->mask);
        td_ci(b, r->value, r->lower, r->upper, mt->decimals, c->mask);
        if (i < l->n_groups) gap_cells(c, mt, r);
        else el_strbuf_put(b, "<td></td><td></td><td></td>");
        el_strbuf_put(b, "</tr>\n");
    }
    el_strbuf_put(b, "</tbody>\n</table>\n");
    if (l->sii_present) {
        el_strbuf_put(b, "<p class=\"note\">Slope index of inequality: ");
        put_ci(b, l->sii, l->sii_lower, l->sii_upper, mt->decimals, c->mask);
        el_strbuf_put(b, "; relative index: ");
        put_ci(b, l->rii, l->rii_lower, l->rii_upper, 2, c->mask);
        el_strbuf_put(b, ".</p>\n");
    }
    pair_close(c);
out:
    free(g);
    if (!el_strbuf_ok(&title) || !el_strbuf_ok(&desc)) b->oom = 1;
    el_strbuf_release(&title);
    el_strbuf_release(&desc);
}

/* One table of a metric by a lens within each value of a stratum field
 * (e.g. clinical priority), from lens entry j0 on. */
static void strata_block(ctx *c, const el_rm_metric *mt, size_t j0)
{
    el_strbuf *b = c->b;
    const el_rm_lens *l0 = &mt->lenses[j0];
    el_strbuf title;
    el_strbuf_init(&title);
    char within[96];
    snprintf(within, sizeof within, "%s", l0->stratum_field);
    if (within[0] >= 'A' && within[0] <= 'Z') within[0] = (char)(within[0] - 'A' + 'a');
    el_strbuf_printf(&title, "%s by %s, within %s", mt->label, l0->label, within);
    esc_tag(b, "h3", NULL, el_strbuf_str(&title));
    el_strbuf_put(b, "<div class=\"tablewrap\">\n<table>\n");
    table_head(c, el_strbuf_str(&title), l0->stratum_field, "Group", "Denominator", mt->unit_header,
               "Gap vs reference (95% CI)", "Adjusted gap (95% CI)", "Significant", NULL);
    for (size_t j = j0; j < mt->n_lenses; j++) {
        const el_rm_lens *l = &mt->lenses[j];
        if (!l->stratum_label || strcmp(l->lens, l0->lens) || strcmp(l->stratum_field, l0->stratum_field)) continue;
        for (size_t i = 0; i <= l->n_groups; i++) {
            const el_rm_group *r = i < l->n_groups ? &l->groups[i] : &l->overall;
            el_strbuf_put(b, i < l->n_groups ? "<tr>" : "<tr class=\"total\">");
            esc_tag(b, "td", NULL, l->stratum_value);
            th_row(b, r->label);
            td_count(b, r->denominator, c->mask);
            td_ci(b, r->value, r->lower, r->upper, mt->decimals, c->mask);
            if (i == l->n_groups) {
                el_strbuf_put(b, "<td></td><td></td><td></td>");
            } else {
                gap_cells(c, mt, r);
            }
            el_strbuf_put(b, "</tr>\n");
        }
    }
    el_strbuf_put(b, "</tbody>\n</table>\n</div>\n");
    if (!el_strbuf_ok(&title)) b->oom = 1;
    el_strbuf_release(&title);
}

/* Funnel plot of a proportion metric's groups around the overall rate.
 * Limits: closed-form inverse of the Wilson score interval at p = 0.975 (2σ)
 * and 0.999 (3σ), as PHEindicatormethods phe_funnels (funnel.h). */
static void funnel_block(ctx *c, const el_rm_metric *mt, const el_rm_lens *l)
{
    double num = 0, den = 0, maxn = 0;
    size_t np = 0;
    for (size_t i = 0; i < l->n_groups; i++) {
        const el_rm_group *r = &l->groups[i];
        if (r->suppressed || isnan(r->numerator) || isnan(r->denominator) || r->denominator <= 0) continue;
        num += r->numerator;
        den += r->denominator;
        if (r->denominator > maxn) maxn = r->denominator;
        np++;
    }
    if (np < 2 || den <= 0) return;
    double theta = num / den, scale = mt->scale;
    el_svg_funnel_point *p = calloc(l->n_groups, sizeof *p);
    el_svg_funnel_limit lim[60];
    if (!p) { c->b->oom = 1; return; }
    for (size_t i = 0; i < l->n_groups; i++) {
        const el_rm_group *r = &l->groups[i];
        p[i].label = r->label;
        p[i].denom = r->denominator;
        p[i].value = r->value;
        p[i].suppressed = r->suppressed || isnan(r->denominator) || isnan(r->value);
    }
    double top = maxn * 1.1;
    for (int k = 0; k < 60; k++) {
        double n = top * pow((double)(k + 1) / 60.0, 2) + 10;
        lim[k] = (el_svg_funnel_limit){n, el_funnel_prop_limit(0.975, n, theta, -1, scale),
                                       el_funnel_prop_limit(0.975, n, theta, 1, scale),
                                       el_funnel_prop_limit(0.999, n, theta, -1, scale),
                                       el_funnel_prop_limit(0.999, n, theta, 1, scale)};
    }
    el_strbuf title, desc;
    el_strbuf_init(&title);
    el_strbuf_init(&desc);
    el_strbuf_printf(&title, "Funnel plot: %s by %s", mt->label, l->label);
    el_strbuf_printf(&desc, "Funnel plot of %s for each %s group against its size, with 95%% and 99.8%% control limits "
                            "around the overall value of %.*f.", mt->label, l->label, mt->decimals, theta * scale);
    char ovl[64];
    snprintf(ovl, sizeof ovl, "overall %.*f", mt->decimals, theta * scale);
    el_svg_opts so = {el_strbuf_str(&title), el_strbuf_str(&desc), mt->axis_label, mt->decimals, theta * scale, ovl};
    esc_tag(c->b, "h3", NULL, el_strbuf_str(&title));
    figure_open(c);
    el_svg_funnel(c->b, &so, p, l->n_groups, lim, 60);
    figure_close(c, el_strbuf_str(&title));
    el_strbuf *b = c->b;
    el_strbuf_put(b, "<table>\n");
    table_head(c, el_strbuf_str(&title), "Group", "Denominator", mt->unit_header, "95% limits", "99.8% limits",
               "Position", NULL);
    for (size_t i = 0; i < l->n_groups; i++) {
        const el_rm_group *r = &l->groups[i];
        el_strbuf_put(b, "<tr>");
        th_row(b, r->label);
        td_count(b, r->denominator, c->mask);
        td_num(b, r->value, mt->decimals, c->mask);
        if (p[i].suppressed) {
            el_strbuf_printf(b, "<td class=\"n\">%s</td><td class=\"n\">%s</td><td>%s</td>", c->mask, c->mask, c->mask);
        } else {
            double nn = r->denominator;
            double l2 = el_funnel_prop_limit(0.975, nn, theta, -1, scale), h2 = el_funnel_prop_limit(0.975, nn, theta, 1, scale);
            double l3 = el_funnel_prop_limit(0.999, nn, theta, -1, scale), h3 = el_funnel_prop_limit(0.999, nn, theta, 1, scale);
            el_strbuf_put(b, "<td class=\"n\">");
            put_num(b, l2, mt->decimals, c->mask); el_strbuf_put(b, " to "); put_num(b, h2, mt->decimals, c->mask);
            el_strbuf_put(b, "</td><td class=\"n\">");
            put_num(b, l3, mt->decimals, c->mask); el_strbuf_put(b, " to "); put_num(b, h3, mt->decimals, c->mask);
            const char *pos = r->value > h3 ? "above 99.8% limit \xE2\x96\xB2" : r->value < l3 ? "below 99.8% limit \xE2\x96\xBC"
                            : r->value > h2 ? "above 95% limit" : r->value < l2 ? "below 95% limit" : "within limits";
            el_strbuf_printf(b, "</td><td>%s</td>", pos);
        }
        el_strbuf_put(b, "</tr>\n");
    }
    el_strbuf_put(b, "</tbody>\n</table>\n");
    pair_close(c);
    free(p);
    el_strbuf_release(&title);
    el_strbuf_release(&desc);
}

/* ------------------------------------------------------------------ */

static const el_rm_trend *find_trend(const el_rm *m, const char *metric, const char *lens, const char *group)
{
    for (size_t i = 0; i < m->n_trends; i++) {
        const el_rm_trend *t = &m->trends[i];
        if (t->metric && t->lens && t->group && !strcmp(t->metric, metric) && !strcmp(t->lens, lens) &&
            !strcmp(t->group, group))
            return t;
    }
    return NULL;
}

static void summary(ctx *c)
{
    el_strbuf *b = c->b;
    const el_rm *m = c->m;
    el_strbuf_put(b, "<section class=\"chapter first\" id=\"summary\">\n<h2>1. Summary</h2>\n<div class=\"keyfacts\">\n");
    for (size_t i = 0; i < m->n_sources; i++) {
        el_strbuf_put(b, "<div>");
        el_strbuf_esc(b, m->sources[i].kind);
        el_strbuf_put(b, ": records<b>");
        put_count(b, m->sources[i].rows, c->mask);
        el_strbuf_put(b, "</b></div>\n");
    }
    el_strbuf_put(b, "<div>Data period<b>");
    el_strbuf_esc(b, m->period_start ? m->period_start : "?");
    el_strbuf_put(b, " to ");
    el_strbuf_esc(b, m->period_end ? m->period_end : "?");
    el_strbuf_put(b, "</b></div>\n<div>Metrics reported<b>");
    el_strbuf_printf(b, "%zu", m->n_metrics);
    el_strbuf_put(b, "</b></div>\n<div>Significant gaps<b>");
    el_strbuf_printf(b, "%zu", m->n_gaps);
    el_strbuf_put(b, "</b></div>\n</div>\n");
    el_strbuf_put(b, "<p>The largest statistically significant gaps between a group and its reference group, "
                     "largest first (unadjusted; the adjusted gap allows for treatment function and clinical priority), "
                     "and whether each is narrowing, widening or unchanged on its statistical process control chart "
                     "(Making Data Count variation icon). Every gap, with its chart and data, is in the sections that follow.</p>\n");
    el_strbuf_put(b, "<table>\n");
    table_head(c, "Largest significant gaps", "Metric (lens)", "Group vs reference", "Group value", "Gap (95% CI)",
               "Ratio (95% CI)", "Adjusted gap (95% CI)", "Trend", NULL);
    size_t shown = 0;
    for (size_t k = 0; k < m->n_gaps && shown < SUMMARY_GAPS; k++, shown++) {
        const el_rm_gapref *gr = &m->gaps[k];
        const el_rm_metric *mt = &m->metrics[gr->metric];
        const el_rm_lens *l = &mt->lenses[gr->lens];
        const el_rm_group *r = &l->groups[gr->group];
        el_strbuf ml;
        el_strbuf_init(&ml);
        el_strbuf_printf(&ml, "%s (%s)", mt->label, l->label);
        el_strbuf_put(b, "<tr>");
        th_row(b, el_strbuf_str(&ml));
        el_strbuf_release(&ml);
        el_strbuf_put(b, "<td>");
        el_strbuf_esc(b, r->label);
        el_strbuf_put(b, " vs ");
        el_strbuf_esc(b, l->reference_label);
        el_strbuf_put(b, "</td>");
        td_num(b, r->value, mt->decimals, c->mask);
        td_ci(b, r->gap.diff, r->gap.lower, r->gap.upper, mt->decimals, c->mask);
        td_ci(b, r->gap.ratio, r->gap.ratio_lower, r->gap.ratio_upper, 2, c->mask);
        if (r->adjusted.present) td_ci(b, r->adjusted.diff, r->adjusted.lower, r->adjusted.upper, mt->decimals, c->mask);
        else el_strbuf_put(b, "<td>\xE2\x80\x94</td>");
        const el_rm_trend *t = find_trend(m, mt->id, l->lens, r->group);
        el_strbuf_put(b, "<td>");
        if (t) {
            if (t->variation) el_svg_variation_icon(b, t->variation, 30);
            el_strbuf_put(b, " ");
            el_strbuf_esc(b, t->trend ? t->trend : "unchanged");
        } else {
            el_strbuf_put(b, "no trend data");
        }
        el_strbuf_put(b, "</td></tr>\n");
    }
    if (!shown) el_strbuf_put(b, "<tr><td colspan=\"7\">No gap is statistically significant at the 95% level.</td></tr>\n");
    el_strbuf_put(b, "</tbody>\n</table>\n");
    /* the changing gaps (narrowing or widening) not already in the table above */
    size_t nchg = 0;
    for (size_t i = 0; i < m->n_trends; i++) c->summary_trend[i] = 0;
    for (size_t i = 0; i < m->n_trends && nchg < SUMMARY_TRENDS; i++) {
        const el_rm_trend *t = &m->trends[i];
        if (!c->key_trend[i] || !t->trend || !strcmp(t->trend, "unchanged")) continue;
        int dup = 0;
        for (size_t k = 0; k < m->n_gaps && k < shown; k++) {
            const el_rm_metric *mt = &m->metrics[m->gaps[k].metric];
            const el_rm_lens *l = &mt->lenses[m->gaps[k].lens];
            if (t == find_trend(m, mt->id, l->lens, l->groups[m->gaps[k].group].group)) dup = 1;
        }
        if (!dup) { c->summary_trend[i] = 1; nchg++; }
    }
    if (nchg) {
        el_strbuf_put(b, "<table>\n");
        table_head(c, "Other gaps that are narrowing or widening (statistical process control)", "Gap", "Latest value",
                   "Variation", "Assurance", "Direction", NULL);
        for (size_t i = 0; i < m->n_trends; i++) {
            const el_rm_trend *t = &m->trends[i];
            if (!c->summary_trend[i]) continue;
            el_strbuf_put(b, "<tr>");
            th_row(b, t->label);
            td_num(b, t->n_points ? t->points[t->n_points - 1].value : NAN, 1, c->mask);
            el_strbuf_put(b, "<td>");
            if (el_svg_variation_icon(b, t->variation, 30) == EL_OK) el_strbuf_put(b, " ");
            el_strbuf_esc(b, el_svg_variation_text(t->variation));
            el_strbuf_put(b, "</td><td>");
            if (el_svg_assurance_icon(b, t->assurance, 30) == EL_OK) el_strbuf_put(b, " ");
            el_strbuf_esc(b, el_svg_assurance_text(t->assurance));
            el_strbuf_put(b, "</td><td>");
            el_strbuf_esc(b, t->trend ? t->trend : "unchanged");
            el_strbuf_put(b, "</td></tr>\n");
        }
        el_strbuf_put(b, "</tbody>\n</table>\n");
    }
    el_strbuf_put(b, "<p class=\"policy\">");
    el_strbuf_esc(b, m->policy_text);
    el_strbuf_put(b, "</p>\n</section>\n");
}

static void quality(ctx *c)
{
    el_strbuf *b = c->b;
    const el_rm *m = c->m;
    el_strbuf_put(b, "<section class=\"chapter\" id=\"quality\">\n<h2>2. Data quality and data gaps</h2>\n");
    if (m->n_statements) {
        el_strbuf_put(b, "<h3>Data gaps statement</h3>\n<ul>\n");
        for (size_t i = 0; i < m->n_statements; i++) esc_tag(b, "li", NULL, m->statements[i]);
        el_strbuf_put(b, "</ul>\n");
    }
    el_strbuf_put(b, "<h3>What is unknown, by lens</h3>\n<p>The share of records in each lens whose group is not "
                     "known (missing or unmatched values, ethnicity code 99) or not stated (ethnicity code Z). These "
                     "records are shown as their own groups in every table and are never used as a reference group.</p>\n<table>\n");
    table_head(c, "Recording of the equity lenses (% of records)", "Lens", "Dataset", "Recorded (%)", "Not stated (%)",
               "Not known or missing (%)", NULL);
    for (size_t i = 0; i < m->n_quality; i++) {
        const el_rm_quality *q = &m->quality[i];
        el_strbuf_put(b, "<tr>");
        th_row(b, q->lens_label);
        esc_tag(b, "td", NULL, q->kind);
        td_num(b, q->recorded, 1, c->mask);
        td_num(b, q->not_stated, 1, c->mask);
        td_num(b, q->not_known, 1, c->mask);
        el_strbuf_put(b, "</tr>\n");
    }
    if (!m->n_quality) el_strbuf_put(b, "<tr><td colspan=\"5\">The result carries no lens tables.</td></tr>\n");
    el_strbuf_put(b, "</tbody>\n</table>\n</section>\n");
}

static int metric_in_domain(const el_rm_metric *mt, const char *domain)
{
    return mt->domain && !strcmp(mt->domain, domain);
}

static void domain_section(ctx *c, const char *id, const char *heading, const char *domain, const char *intro)
{
    el_strbuf *b = c->b;
    const el_rm *m = c->m;
    el_strbuf_printf(b, "<section class=\"chapter\" id=\"%s\">\n", id);
    esc_tag(b, "h2", NULL, heading);
    if (intro) esc_tag(b, "p", NULL, intro);
    size_t any = 0;
    for (size_t i = 0; i < m->n_metrics; i++) {
        const el_rm_metric *mt = &m->metrics[i];
        if (!metric_in_domain(mt, domain)) continue;
        for (size_t j = 0; j < mt->n_lenses; j++)
            if (!mt->lenses[j].stratum_label) { lens_block(c, mt, &mt->lenses[j], 1); any++; }
        /* within strata: one table per lens and stratum field */
        for (size_t j = 0; j < mt->n_lenses; j++) {
            const el_rm_lens *l = &mt->lenses[j];
            if (!l->stratum_label) continue;
            int first = 1;
            for (size_t k = 0; k < j; k++)
                if (mt->lenses[k].stratum_label && !strcmp(mt->lenses[k].lens, l->lens) &&
                    !strcmp(mt->lenses[k].stratum_field, l->stratum_field))
                    first = 0;
            if (first) { strata_block(c, mt, j); any++; }
        }
        if (!strcmp(domain, "appointments") && mt->is_proportion && !strcmp(mt->id, "dna_rate"))
            for (size_t j = 0; j < mt->n_lenses; j++)
                if (!mt->lenses[j].stratum_label) funnel_block(c, mt, &mt->lenses[j]);
    }
    if (!strcmp(domain, "waiting_list")) {
        for (size_t i = 0; i < m->n_longest; i++) {
            const el_rm_longest *w = &m->longest[i];
            el_strbuf t;
            el_strbuf_init(&t);
            el_strbuf_printf(&t, "Longest waiters compared with all waiters, by %s", w->label);
            esc_tag(b, "h3", NULL, el_strbuf_str(&t));
            el_strbuf_put(b, "<p>The profile of the ");
            el_strbuf_esc(b, w->rule ? w->rule : "longest waiters");
            if (!isnan(w->threshold_weeks)) el_strbuf_printf(b, " (waiting more than %.1f weeks)", w->threshold_weeks);
            el_strbuf_put(b, " against the profile of everyone waiting. ");
            if (!isnan(w->chi_square) && !isnan(w->p_value)) {
                el_strbuf_printf(b, "Chi-square test of the difference: %.1f on %.0f degrees of freedom, p = %.3f", w->chi_square,
                                 w->df, w->p_value);
                el_strbuf_put(b, w->p_value < 0.05 ? " (the profiles differ)." : " (no significant difference).");
            }
            el_strbuf_put(b, "</p>\n<div class=\"tablewrap\">\n<table>\n");
            table_head(c, el_strbuf_str(&t), "Group", "Longest waiters", "Share of longest waiters (%)", "All waiters",
                       "Share of all waiters (%)", "Difference (percentage points)", NULL);
            el_strbuf_release(&t);
            for (size_t k = 0; k < w->n_groups; k++) {
                const el_rm_longest_group *g = &w->groups[k];
                el_strbuf_put(b, "<tr>");
                th_row(b, g->label);
                td_count(b, g->longest, c->mask);
                td_num(b, g->longest_share, 1, c->mask);
                td_count(b, g->all, c->mask);
                td_num(b, g->all_share, 1, c->mask);
                td_num(b, g->longest_share - g->all_share, 1, c->mask);
                el_strbuf_put(b, "</tr>\n");
            }
            if (!w->n_groups) el_strbuf_put(b, "<tr><td colspan=\"6\">No groups.</td></tr>\n");
            el_strbuf_put(b, "</tbody>\n</table>\n</div>\n");
            any++;
        }
    }
    if (!strcmp(domain, "appointments")) {
        if (m->n_excess) {
            el_strbuf_put(b, "<h3>Excess events and their cost</h3>\n");
            esc_tag(b, "p", NULL, "Excess events are those that would not have happened if every group had the reference "
                                  "group's rate, with 95% limits; the cost is the excess times the price per event.");
            el_strbuf_put(b, "<table>\n");
            table_head(c, "Excess events and cost by lens", "Metric and lens", "Reference group",
                       "Excess events (95% CI)", "Price per event (\xC2\xA3)", "Cost (\xC2\xA3, 95% CI)", NULL);
            for (size_t i = 0; i < m->n_excess; i++) {
                const el_rm_excess *e = &m->excess[i];
                el_strbuf t;
                el_strbuf_init(&t);
                el_strbuf_printf(&t, "%s by %s%s%s", e->metric_label, e->lens_label, e->stratum_label ? ", " : "",
                                 e->stratum_label ? e->stratum_label : "");
                el_strbuf_put(b, "<tr>");
                th_row(b, el_strbuf_str(&t));
                el_strbuf_release(&t);
                esc_tag(b, "td", NULL, e->reference_label);
                if (e->suppressed) {
                    el_strbuf_printf(b, "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>", c->mask, c->mask, c->mask);
                } else {
                    td_ci(b, e->events, e->lower, e->upper, 0, c->mask);
                    td_count(b, e->cost_per_event, "\xE2\x80\x94");
                    el_strbuf_put(b, "<td class=\"n\">");
                    put_count(b, e->cost, "\xE2\x80\x94");
                    if (!isnan(e->cost) && !isnan(e->cost_lower) && !isnan(e->cost_upper)) {
                        el_strbuf_put(b, " (");
                        put_count(b, e->cost_lower, c->mask);
                        el_strbuf_put(b, " to ");
                        put_count(b, e->cost_upper, c->mask);
                        el_strbuf_put(b, ")");
                    }
                    el_strbuf_put(b, "</td>");
                }
                el_strbuf_put(b, "</tr>\n");
            }
            el_strbuf_put(b, "</tbody>\n</table>\n");
            any++;
        }
    }
    if (!any) el_strbuf_put(b, "<p>This result has no metrics in this section (not in the data, or filtered out).</p>\n");
    el_strbuf_put(b, "</section>\n");
}

static void who_missing(ctx *c)
{
    el_strbuf *b = c->b;
    const el_rm *m = c->m;
    el_strbuf_put(b, "<section class=\"chapter\" id=\"missing\">\n<h2>6. Who is missing</h2>\n"
                     "<p>Observed activity against the activity expected from the catchment population, indirectly "
                     "standardised for age. A ratio whose 95% interval lies below 1 marks a group that is under-represented "
                     "in the service, even when it is absent from the service's own records.</p>\n");
    for (size_t i = 0; i < m->n_missing; i++) {
        const el_rm_missing *w = &m->missing[i];
        el_svg_obs_exp *r = calloc(w->n_groups ? w->n_groups : 1, sizeof *r);
        if (!r) { b->oom = 1; return; }
        size_t under = 0;
        for (size_t k = 0; k < w->n_groups; k++) {
            const el_rm_missing_group *g = &w->groups[k];
            r[k] = (el_svg_obs_exp){g->label, g->observed, g->expected, g->lower, g->upper, g->suppressed};
            if (!g->suppressed && g->upper < 1) under++;
        }
        el_strbuf t, d;
        el_strbuf_init(&t);
        el_strbuf_init(&d);
        el_strbuf_printf(&t, "Who is missing: observed vs expected by %s", w->label);
        el_strbuf_printf(&d, "Paired bars of observed and expected %s for each %s group (expected: %s); %zu group(s) are "
                             "significantly under-represented.", w->activity ? w->activity : "activity", w->label,
                         w->measure ? w->measure : "catchment population", under);
        el_svg_opts so = {el_strbuf_str(&t), el_strbuf_str(&d), "count", 0, NAN, NULL};
        esc_tag(b, "h3", NULL, el_strbuf_str(&t));
        figure_open(c);
        el_svg_observed_expected(b, &so, r, w->n_groups);
        figure_close(c, el_strbuf_str(&t));
        el_strbuf_put(b, "<table>\n");
        table_head(c, el_strbuf_str(&t), "Group", "Population", "Observed", "Rate per 1,000 (95% CI)", "Expected",
                   "Observed / expected (95% CI)", "Reading", NULL);
        for (size_t k = 0; k < w->n_groups; k++) {
            const el_rm_missing_group *g = &w->groups[k];
            el_strbuf_put(b, "<tr>");
            th_row(b, g->label);
            el_strbuf_put(b, "<td class=\"n\">");   /* census population: public, not a patient count */
            put_count(b, g->population, "\xE2\x80\x94");
            el_strbuf_put(b, "</td>");
            td_count(b, g->suppressed ? NAN : g->observed, c->mask);
            td_ci(b, g->suppressed ? NAN : g->rate, g->rate_lower, g->rate_upper, 1, c->mask);
            td_num(b, g->suppressed ? NAN : g->expected, 0, c->mask);
            td_ci(b, g->suppressed ? NAN : g->ratio, g->lower, g->upper, 2, c->mask);
            const char *rd = g->suppressed ? "suppressed" : g->upper < 1 ? "under-represented \xE2\x96\xBC"
                           : g->lower > 1 ? "over-represented \xE2\x96\xB2" : "as expected";
            el_strbuf_printf(b, "<td>%s</td></tr>\n", rd);
        }
        if (!w->n_groups) el_strbuf_put(b, "<tr><td colspan=\"6\">No groups.</td></tr>\n");
        el_strbuf_put(b, "</tbody>\n</table>\n");
        pair_close(c);
        el_strbuf_release(&t);
        el_strbuf_release(&d);
        free(r);
    }
    if (!m->n_missing)
        el_strbuf_put(b, "<p>The analysis has no catchment comparison for these data; the data gaps statement "
                         "(section 2) says why (for example, no 2021 LSOA column or no population data).</p>\n");
    el_strbuf_put(b, "</section>\n");
}

static void trends(ctx *c)
{
    el_strbuf *b = c->b;
    const el_rm *m = c->m;
    el_strbuf_put(b, "<section class=\"chapter\" id=\"trends\">\n<h2>7. Trends of the key gaps</h2>\n"
                     "<p>Each chart is an XmR statistical process control chart in the NHS \xE2\x80\x9cMaking Data Count\xE2\x80\x9d "
                     "style: the solid line is the mean, dashed lines the process limits; special-cause points are coloured "
                     "and shaped (square: improvement, diamond: concern). The icons at the top right give the variation "
                     "and, where there is a target, the assurance.</p>\n");
    if (m->n_trends > c->n_key_trends)
        el_strbuf_printf(b, "<p>Shown: the %zu key gaps (the largest significant gaps and every gap that is narrowing or "
                            "widening). All %zu gap series are in the workbook.</p>\n", c->n_key_trends, m->n_trends);
    for (size_t i = 0; i < m->n_trends; i++) {
        const el_rm_trend *t = &m->trends[i];
        if (!c->key_trend[i]) continue;
        el_svg_spc_point *p = calloc(t->n_points ? t->n_points : 1, sizeof *p);
        if (!p) { b->oom = 1; return; }
        size_t nspecial = 0;
        for (size_t k = 0; k < t->n_points; k++) {
            const el_rm_spc_point *q = &t->points[k];
            p[k] = (el_svg_spc_point){q->period, q->value, q->mean, q->lpl, q->upl, el_svg_point_type_from_name(q->point_type)};
            if (p[k].type != EL_SVG_PT_COMMON) nspecial++;
        }
        el_strbuf d;
        el_strbuf_init(&d);
        el_strbuf_printf(&d, "SPC chart of %s over %zu periods; %zu special-cause point(s). %s. %s.", t->label, t->n_points,
                         nspecial, el_svg_variation_text(t->variation), el_svg_assurance_text(t->assurance));
        el_svg_opts so = {t->label, el_strbuf_str(&d), t->unit, 1, NAN, NULL};
        esc_tag(b, "h3", NULL, t->label);
        figure_open(c);
        el_svg_spc(b, &so, p, t->n_points, t->target, t->variation, t->assurance);
        figure_close(c, el_strbuf_str(&d));
        /* limits the same for every period (no rebase): say them once */
        int constant = 1;
        for (size_t k = 1; k < t->n_points; k++)
            if (t->points[k].mean != t->points[0].mean || t->points[k].lpl != t->points[0].lpl ||
                t->points[k].upl != t->points[0].upl)
                constant = 0;
        el_strbuf_put(b, "<table>\n");
        caption(c, t->label);
        el_strbuf_put(b, "<thead><tr>");
        th_col(b, "Period");
        th_col(b, "Value");
        if (!constant) {
            th_col(b, "Mean");
            th_col(b, "Lower limit");
            th_col(b, "Upper limit");
        }
        th_col(b, "Point");
        el_strbuf_put(b, "</tr></thead>\n<tbody>\n");
        for (size_t k = 0; k < t->n_points; k++) {
            const el_rm_spc_point *q = &t->points[k];
            el_strbuf_put(b, "<tr>");
            th_row(b, q->period);
            td_num(b, q->value, 2, c->mask);
            if (!constant) {
                td_num(b, q->mean, 2, c->mask);
                td_num(b, q->lpl, 2, c->mask);
                td_num(b, q->upl, 2, c->mask);
            }
            const char *pt = p[k].type == EL_SVG_PT_IMPROVEMENT ? "special cause: improvement"
                           : p[k].type == EL_SVG_PT_CONCERN ? "special cause: concern"
                           : p[k].type == EL_SVG_PT_COMMON ? "common cause" : "special cause: neutral";
            el_strbuf_printf(b, "<td>%s</td></tr>\n", pt);
        }
        if (constant && t->n_points) {
            el_strbuf_put(b, "<tr><td colspan=\"3\">Every period: mean ");
            put_num(b, t->points[0].mean, 2, c->mask);
            el_strbuf_put(b, ", process limits ");
            put_num(b, t->points[0].lpl, 2, c->mask);
            el_strbuf_put(b, " to ");
            put_num(b, t->points[0].upl, 2, c->mask);
            el_strbuf_put(b, ".</td></tr>\n");
        }
        el_strbuf_put(b, "</tbody>\n</table>\n");
        pair_close(c);
        el_strbuf_release(&d);
        free(p);
    }
    if (!m->n_trends) el_strbuf_put(b, "<p>The data cover a single period, so there are no trends to chart.</p>\n");
    else if (!c->n_key_trends)
        el_strbuf_put(b, "<p>No gap series has a significant gap or a narrowing or widening trend with enough "
                         "published points to chart (small numbers are suppressed); every series is in the workbook.</p>\n");
    el_strbuf_put(b, "</section>\n");
}

static void methods(ctx *c)
{
    el_strbuf *b = c->b;
    const el_rm *m = c->m;
    el_strbuf_put(b, "<section class=\"chapter\" id=\"methods\">\n<h2>8. Methods, definitions and data</h2>\n");
    el_strbuf_put(b, "<table>\n");
    caption(c, "About the data");
    el_strbuf_put(b, "<tbody>\n<tr>");
    for (size_t i = 0; i < m->n_sources; i++) {
        th_row(b, m->sources[i].kind);
        el_strbuf_put(b, "<td>");
        el_strbuf_esc(b, m->sources[i].source ? m->sources[i].source : "source not stated");
        el_strbuf_put(b, ", ");
        put_count(b, m->sources[i].rows, c->mask);
        el_strbuf_put(b, " records</td></tr>\n<tr>");
    }
    th_row(b, "Confidence level");
    el_strbuf_printf(b, "<td>%.0f%%</td></tr>\n<tr>", m->confidence * 100);
    th_row(b, "Data period");
    el_strbuf_put(b, "<td>");
    el_strbuf_esc(b, m->period_start ? m->period_start : "?");
    el_strbuf_put(b, " to ");
    el_strbuf_esc(b, m->period_end ? m->period_end : "?");
    if (m->census_date) { el_strbuf_put(b, "; waiting-list census "); el_strbuf_esc(b, m->census_date); }
    el_strbuf_put(b, "</td></tr>\n<tr>");
    th_row(b, "IMD edition");
    esc_tag(b, "td", NULL, m->imd_edition ? m->imd_edition : "not stated");
    el_strbuf_put(b, "</tr>\n<tr>");
    th_row(b, "Filters");
    el_strbuf_put(b, "<td>provider: ");
    el_strbuf_esc(b, c->o && c->o->provider ? c->o->provider : "all");
    el_strbuf_put(b, "; treatment function: ");
    el_strbuf_esc(b, c->o && c->o->treatment_function ? c->o->treatment_function : "all");
    el_strbuf_put(b, "; metrics: ");
    if (c->o && c->o->n_metrics)
        for (size_t i = 0; i < c->o->n_metrics; i++) { if (i) el_strbuf_put(b, ", "); el_strbuf_esc(b, c->o->metrics[i]); }
    else
        el_strbuf_put(b, "all");
    el_strbuf_put(b, "</td></tr>\n<tr>");
    th_row(b, "Disclosure control");
    esc_tag(b, "td", NULL, m->policy_text);
    el_strbuf_put(b, "</tr>\n<tr>");
    th_row(b, "Produced by");
    esc_tag(b, "td", NULL, m->generator ? m->generator : "equitylens");
    el_strbuf_put(b, "</tr>\n</tbody>\n</table>\n");

    el_strbuf_put(b, "<h3>Reference groups</h3>\n<table>\n");
    table_head(c, "Reference group of each lens", "Lens", "Reference group", NULL);
    for (size_t i = 0; i < m->n_refs; i++) {
        el_strbuf_put(b, "<tr>");
        th_row(b, m->refs[i].lens_label);
        esc_tag(b, "td", NULL, m->refs[i].reference_label);
        el_strbuf_put(b, "</tr>\n");
    }
    if (!m->n_refs) el_strbuf_put(b, "<tr><td colspan=\"2\">No lens with a reference group.</td></tr>\n");
    el_strbuf_put(b, "</tbody>\n</table>\n");

    el_strbuf_put(b, "<h3>Methods</h3>\n<ul>\n");
    static const char *const meth[] = {
        "Proportions: Wilson score 95% confidence intervals (as PHEindicatormethods phe_proportion).",
        "Gaps: each group minus its reference group, as a difference and a ratio with 95% confidence intervals; "
        "a gap is significant when its interval excludes 0 (difference).",
        "Adjusted gaps: compared within each treatment function and clinical priority stratum and combined "
        "(Mantel\xE2\x80\x93Haenszel weights for proportions and rates, direct standardisation for waits), as stated in the analysis result.",
        "Slope and relative index of inequality: PHE method (PHEindicatormethods phe_sii).",
        "Who is missing: observed vs expected activity from census populations, indirectly standardised for age, "
        "Byar/exact Poisson limits (PHEindicatormethods phe_isr).",
        "Funnel plots: 95% and 99.8% limits around the overall proportion by the closed-form inverse of the Wilson "
        "score interval (PHEindicatormethods phe_funnels; Spiegelhalter, Statistics in Medicine 2005;24:1185\xE2\x80\x93" "1202).",
        "Trends: XmR statistical process control charts with the four NHS Making Data Count rules and icons "
        "(NHSRplotthedots 0.2.2).",
        "Excess events: observed minus the events expected at the reference group's rate; cost = excess \xC3\x97 price per event.",
    };
    for (size_t i = 0; i < sizeof meth / sizeof meth[0]; i++) esc_tag(b, "li", NULL, meth[i]);
    el_strbuf_put(b, "</ul>\n");
    if (m->n_definitions) {
        el_strbuf_put(b, "<h3>Definitions</h3>\n<dl>\n");
        for (size_t i = 0; i < m->n_definitions; i++) {
            esc_tag(b, "dt", NULL, m->definitions[i].term);
            esc_tag(b, "dd", NULL, m->definitions[i].definition);
        }
        el_strbuf_put(b, "</dl>\n");
    }
    el_strbuf_put(b, "</section>\n");
}

el_status el_report_html(const json_t *result, const el_report_opts *o, el_strbuf *out, el_error *err)
{
    if (!result || !out) return el_error_set(err, EL_ERR_INVALID, "report: no result");
    el_report_opts dflt;
    if (!o) { el_report_opts_default(&dflt); o = &dflt; }
    el_rm *m = NULL;
    el_status st = el_rm_load(result, &o->policy, o->title, &m, err);
    if (st != EL_OK) return st;
    ctx c = {out, m, o, "", NULL, NULL, 0, 0, 0};
    c.key_trend = calloc(m->n_trends ? m->n_trends : 1, 1);
    c.summary_trend = calloc(m->n_trends ? m->n_trends : 1, 1);
    if (!c.key_trend || !c.summary_trend) {
        free(c.key_trend);
        free(c.summary_trend);
        el_rm_free(m);
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    }
    /* key trends: the gap series of the largest significant gaps, and any gap
     * that is narrowing or widening; at most MAX_KEY_TRENDS */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->n_trends && c.n_key_trends < MAX_KEY_TRENDS; i++) {
            const el_rm_trend *t = &m->trends[i];
            if (c.key_trend[i]) continue;
            size_t shown = 0;
            for (size_t k = 0; k < t->n_points; k++) shown += !isnan(t->points[k].value);
            if (shown < 2) continue;   /* nothing to chart: every value suppressed */
            int key = 0;
            if (pass == 0) {
                for (size_t k = 0; k < m->n_gaps && k < MAX_KEY_TRENDS && !key; k++) {
                    const el_rm_metric *mt = &m->metrics[m->gaps[k].metric];
                    const el_rm_lens *l = &mt->lenses[m->gaps[k].lens];
                    const el_rm_group *g = &l->groups[m->gaps[k].group];
                    key = t->metric && t->lens && t->group && !strcmp(t->metric, mt->id) && !strcmp(t->lens, l->lens) &&
                          !strcmp(t->group, g->group);
                }
            } else {
                key = t->trend && strcmp(t->trend, "unchanged");
            }
            if (key) { c.key_trend[i] = 1; c.n_key_trends++; }
        }

    snprintf(c.mask, sizeof c.mask, "%s", o->policy.mask[0] ? o->policy.mask : "*");
    el_strbuf *b = out;
    el_strbuf_put(b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"generator\" content=\"equitylens\">\n<title>");
    el_strbuf_esc(b, m->title);
    el_strbuf_put(b, "</title>\n<style>\n");
    el_strbuf_put(b, CSS);
    el_strbuf_put(b, "</style>\n</head>\n<body>\n<header class=\"cover\">\n");
    esc_tag(b, "h1", NULL, m->title);
    el_strbuf_put(b, "<p class=\"meta\">");
    el_strbuf_put(b, "Provider: ");
    el_strbuf_esc(b, o->provider ? o->provider : "all");
    el_strbuf_put(b, " \xC2\xB7 treatment function: ");
    el_strbuf_esc(b, o->treatment_function ? o->treatment_function : "all");
    el_strbuf_put(b, "</p>\n<p class=\"meta\">Data period ");
    el_strbuf_esc(b, m->period_start ? m->period_start : "?");
    el_strbuf_put(b, " to ");
    el_strbuf_esc(b, m->period_end ? m->period_end : "?");
    el_strbuf_put(b, " \xC2\xB7 ");
    el_strbuf_esc(b, m->imd_edition ? m->imd_edition : "IMD edition not stated");
    el_strbuf_put(b, "</p>\n<p class=\"meta\">");
    el_strbuf_esc(b, m->policy_text);
    el_strbuf_put(b, "</p>\n</header>\n<nav aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n"
                     "<li><a href=\"#summary\">Summary</a></li>\n<li><a href=\"#quality\">Data quality and data gaps</a></li>\n"
                     "<li><a href=\"#waiting\">Waiting list</a></li>\n<li><a href=\"#dna\">Did not attend (DNA)</a></li>\n"
                     "<li><a href=\"#cancer\">Cancer standards</a></li>\n<li><a href=\"#missing\">Who is missing</a></li>\n"
                     "<li><a href=\"#trends\">Trends of the key gaps</a></li>\n<li><a href=\"#methods\">Methods, definitions and data</a></li>\n"
                     "</ol>\n</nav>\n<main>\n");
    summary(&c);
    quality(&c);
    domain_section(&c, "waiting", "3. Waiting list by deprivation and ethnicity", "waiting_list",
                   "Waiting-list measures at the census date, overall and within clinical priority, with the raw gap to the "
                   "reference group and the gap adjusted for treatment function and clinical priority.");
    domain_section(&c, "dna", "4. Did not attend (DNA) by group", "appointments",
                   "Outpatient DNA rates by group with the excess DNAs against the reference group and their cost.");
    domain_section(&c, "cancer", "5. Cancer standards by group", "cancer",
                   "Cancer waiting-time standards by group: Faster Diagnosis Standard (28 days) and treatment within 62 days.");
    who_missing(&c);
    trends(&c);
    methods(&c);
    el_strbuf_put(b, "</main>\n<footer>\n<p class=\"note\">");
    el_strbuf_esc(b, m->policy_text);
    el_strbuf_put(b, " Produced by equitylens from the analysis result; every number is reproducible from it.</p>\n"
                     "</footer>\n</body>\n</html>\n");
    el_rm_free(m);
    free(c.key_trend);
    free(c.summary_trend);
    if (!el_strbuf_ok(b)) return el_error_set(err, EL_ERR_NOMEM, "report: out of memory");
    return EL_OK;
}
