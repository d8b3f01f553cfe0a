/* xlsx.c — the board pack as an XLSX workbook via libxlsxwriter (see report.h).
 * Sheets: Contents, one sheet per table, Methods. Numbers are written as
 * numbers with number formats; a suppressed cell holds the policy's mask
 * (default "*") with a cell note, and every sheet ends with the policy. */
#include "equitylens/report.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "equitylens/report_model.h"
#include "equitylens/svg.h"

typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *head, *count, *dec1, *dec2, *money, *text, *wrap, *link, *mask, *int0;
    const el_rm *m;
    const el_report_opts *o;
    char mask_s[8];
    int nsheet;
    /* contents entries */
    char names[4096][32];    /* xctx is heap-allocated */
    char titles[4096][200];
    int ncontents;
} xctx;

typedef enum { C_TEXT, C_COUNT, C_DEC1, C_DEC2, C_MONEY, C_INT } ctype;

static lxw_format *fmt_of(xctx *x, ctype t)
{
    switch (t) {
    case C_COUNT: return x->count;
    case C_DEC1: return x->dec1;
    case C_DEC2: return x->dec2;
    case C_MONEY: return x->money;
    case C_INT: return x->int0;   /* a plain integer that is not a count (degrees of freedom) */
    default: return x->text;
    }
}

typedef struct {
    lxw_worksheet *ws;
    lxw_row_t row;
    int nsup;
} sheet;

static sheet new_sheet(xctx *x, const char *title, const char *const *heads, const ctype *types, size_t ncol)
{
    sheet s = {0};
    char name[32];
    snprintf(name, sizeof name, "T%02d", ++x->nsheet);
    s.ws = workbook_add_worksheet(x->wb, name);
    if (!s.ws) return s;
    if (x->ncontents < 4096) {
        snprintf(x->names[x->ncontents], sizeof x->names[0], "%s", name);
        snprintf(x->titles[x->ncontents], sizeof x->titles[0], "%s", title);
        x->ncontents++;
    }
    worksheet_write_string(s.ws, 0, 0, title, x->title);
    worksheet_write_string(s.ws, 1, 0, x->m->policy_text, x->text);
    worksheet_write_url(s.ws, 2, 0, "internal:Contents!A1", x->link);
    worksheet_write_string(s.ws, 2, 0, "Back to contents", x->link);
    for (size_t i = 0; i < ncol; i++) {
        worksheet_write_string(s.ws, 4, (lxw_col_t)i, heads[i], x->head);
        worksheet_set_column(s.ws, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 34 : types[i] == C_TEXT ? 24 : 14, NULL);
    }
    worksheet_freeze_panes(s.ws, 5, 1);
    s.row = 5;
    return s;
}

static void put(xctx *x, sheet *s, lxw_col_t col, ctype t, double v, const char *text, int suppressed)
{
    if (!s->ws) return;
    if (t == C_TEXT) {
        worksheet_write_string(s->ws, s->row, col, text ? text : "", x->text);
        return;
    }
    if (suppressed) {
        worksheet_write_string(s->ws, s->row, col, x->mask_s, x->mask);
        lxw_comment_options co = {0};
        co.author = "equitylens";
        worksheet_write_comment_opt(s->ws, s->row, col, "Suppressed by disclosure control (see the policy in row 2).", &co);
        s->nsup++;
        return;
    }
    if (isnan(v)) { worksheet_write_blank(s->ws, s->row, col, x->text); return; }
    worksheet_write_number(s->ws, s->row, col, v, fmt_of(x, t));
}

/* a group's gap: difference and ratio with their limits, then the adjusted
 * difference with its limits (left empty when there is none), from column c */
static void put_gap(xctx *x, sheet *s, lxw_col_t c, const el_rm_group *g)
{
    put(x, s, c, C_DEC1, g->gap.diff, NULL, 0);
    put(x, s, c + 1, C_DEC1, g->gap.lower, NULL, 0);
    put(x, s, c + 2, C_DEC1, g->gap.upper, NULL, 0);
    put(x, s, c + 3, C_DEC2, g->gap.ratio, NULL, 0);
    put(x, s, c + 4, C_DEC2, g->gap.ratio_lower, NULL, 0);
    put(x, s, c + 5, C_DEC2, g->gap.ratio_upper, NULL, 0);
    if (g->adjusted.present) {
        put(x, s, c + 6, C_DEC1, g->adjusted.diff, NULL, 0);
        put(x, s, c + 7, C_DEC1, g->adjusted.lower, NULL, 0);
        put(x, s, c + 8, C_DEC1, g->adjusted.upper, NULL, 0);
    }
}

static void end_sheet(xctx *x, sheet *s)
{
    if (!s->ws) return;
    s->row++;
    char buf[800];
    snprintf(buf, sizeof buf, "%s = suppressed. %s", x->mask_s, x->m->policy_text);
    worksheet_write_string(s->ws, s->row, 0, buf, x->text);
}

static void lens_sheet(xctx *x, const el_rm_metric *mt, const el_rm_lens *l)
{
    char title[200];
    snprintf(title, sizeof title, "%s by %s%s%s", mt->label, l->label, l->stratum_label ? ", " : "",
             l->stratum_label ? l->stratum_label : "");
    const char *heads[] = {"Group", "Denominator", "Numerator", "Share of total (%)", mt->unit_header, "Lower 95% CI",
                           "Upper 95% CI", "Gap vs reference", "Gap lower", "Gap upper", "Ratio", "Ratio lower",
                           "Ratio upper", "Adjusted gap", "Adjusted lower", "Adjusted upper", "Significant", "Reference"};
    const ctype types[] = {C_TEXT, C_COUNT, C_COUNT, C_DEC1, C_DEC1, C_DEC1, C_DEC1, C_DEC1, C_DEC1, C_DEC1,
                           C_DEC2, C_DEC2, C_DEC2, C_DEC1, C_DEC1, C_DEC1, C_TEXT, C_TEXT};
    sheet s = new_sheet(x, title, heads, types, 18);
    for (size_t i = 0; i <= l->n_groups; i++) {
        const el_rm_group *g = i < l->n_groups ? &l->groups[i] : &l->overall;
        int sup = g->suppressed;
        put(x, &s, 0, C_TEXT, 0, g->label, 0);
        put(x, &s, 1, C_COUNT, g->denominator, NULL, sup || isnan(g->denominator));
        put(x, &s, 2, C_COUNT, g->numerator, NULL, sup && mt->is_proportion);
        put(x, &s, 3, C_DEC1, g->share, NULL, isnan(g->share) && sup);
        put(x, &s, 4, C_DEC1, g->value, NULL, sup);
        put(x, &s, 5, C_DEC1, g->lower, NULL, sup);
        put(x, &s, 6, C_DEC1, g->upper, NULL, sup);
        if (g->is_reference) {
            put(x, &s, 16, C_TEXT, 0, "", 0);
            put(x, &s, 17, C_TEXT, 0, "reference group", 0);
        } else if (g->gap.present) {
            put_gap(x, &s, 7, g);
            put(x, &s, 16, C_TEXT, 0, g->gap.significant ? "yes" : "no", 0);
        } else if (sup) {
            for (lxw_col_t k = 7; k <= 15; k++) put(x, &s, k, C_DEC1, NAN, NULL, 1);
        }
        s.row++;
    }
    if (l->sii_present) {
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Slope index of inequality (value, lower, upper)", 0);
        put(x, &s, 1, C_DEC1, l->sii, NULL, 0);
        put(x, &s, 2, C_DEC1, l->sii_lower, NULL, 0);
        put(x, &s, 3, C_DEC1, l->sii_upper, NULL, 0);
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Relative index of inequality (value, lower, upper)", 0);
        put(x, &s, 1, C_DEC2, l->rii, NULL, 0);
        put(x, &s, 2, C_DEC2, l->rii_lower, NULL, 0);
        put(x, &s, 3, C_DEC2, l->rii_upper, NULL, 0);
        s.row++;
    }
    end_sheet(x, &s);
}

el_status el_report_xlsx(const json_t *result, const el_report_opts *o, const char *path, el_error *err)
{
    if (!result || !path) return el_error_set(err, EL_ERR_INVALID, "report: no result or path");
    el_report_opts dflt;
    if (!o) { el_report_opts_default(&dflt); o = &dflt; }
    el_rm *m = NULL;
    el_status st = el_rm_load(result, &o->policy, o->title, &m, err);
    if (st != EL_OK) return st;
    xctx *x = calloc(1, sizeof *x);
    if (!x) { el_rm_free(m); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    lxw_workbook_options wo = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    x->wb = workbook_new_opt(path, &wo);
    if (!x->wb) { free(x); el_rm_free(m); return el_error_set(err, EL_ERR_IO, "%s: cannot create workbook", path); }
    x->m = m;
    x->o = o;
    snprintf(x->mask_s, sizeof x->mask_s, "%s", o->policy.mask[0] ? o->policy.mask : "*");
    x->title = workbook_add_format(x->wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    x->head = workbook_add_format(x->wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xE8EDEE);
    format_set_border(x->head, LXW_BORDER_THIN);
    format_set_text_wrap(x->head);
    x->count = workbook_add_format(x->wb);
    format_set_num_format(x->count, "#,##0");
    x->dec1 = workbook_add_format(x->wb);
    format_set_num_format(x->dec1, "0.0");
    x->dec2 = workbook_add_format(x->wb);
    format_set_num_format(x->dec2, "0.00");
    x->int0 = workbook_add_format(x->wb);
    format_set_num_format(x->int0, "0");
    x->money = workbook_add_format(x->wb);
    format_set_num_format(x->money, "\xC2\xA3#,##0");
    x->text = workbook_add_format(x->wb);
    x->wrap = workbook_add_format(x->wb);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    x->link = workbook_add_format(x->wb);
    format_set_underline(x->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->link, 0x005EB8);
    x->mask = workbook_add_format(x->wb);
    format_set_align(x->mask, LXW_ALIGN_RIGHT);

    lxw_worksheet *contents = workbook_add_worksheet(x->wb, "Contents");
    /* ---- summary ---- */
    {
        const char *heads[] = {"Metric", "Lens", "Group", "Reference", "Group value", "Gap", "Gap lower", "Gap upper",
                               "Ratio", "Ratio lower", "Ratio upper", "Adjusted gap", "Adjusted lower", "Adjusted upper", "Trend", "Variation"};
        const ctype types[] = {C_TEXT, C_TEXT, C_TEXT, C_TEXT, C_DEC1, C_DEC1, C_DEC1, C_DEC1, C_DEC2, C_DEC2, C_DEC2,
                               C_DEC1, C_DEC1, C_DEC1, C_TEXT, C_TEXT};
        sheet s = new_sheet(x, "Summary: largest significant gaps", heads, types, 16);
        for (size_t k = 0; k < m->n_gaps; k++) {
            const el_rm_gapref *gr = &m->gaps[k];
            const el_rm_metric *mt = &m->metrics[gr->metric];
            const el_rm_lens *l = &mt->lenses[gr->lens];
            const el_rm_group *g = &l->groups[gr->group];
            put(x, &s, 0, C_TEXT, 0, mt->label, 0);
            put(x, &s, 1, C_TEXT, 0, l->label, 0);
            put(x, &s, 2, C_TEXT, 0, g->label, 0);
            put(x, &s, 3, C_TEXT, 0, l->reference_label, 0);
            put(x, &s, 4, C_DEC1, g->value, NULL, 0);
            put_gap(x, &s, 5, g);
            const el_rm_trend *t = NULL;
            for (size_t q = 0; q < m->n_trends; q++)
                if (m->trends[q].metric && m->trends[q].lens && m->trends[q].group && !strcmp(m->trends[q].metric, mt->id) &&
                    !strcmp(m->trends[q].lens, l->lens) && !strcmp(m->trends[q].group, g->group))
                    t = &m->trends[q];
            put(x, &s, 14, C_TEXT, 0, t ? t->trend : "no trend data", 0);
            put(x, &s, 15, C_TEXT, 0, t ? el_svg_variation_text(t->variation) : "", 0);
            s.row++;
        }
        end_sheet(x, &s);
    }
    /* ---- data gaps ---- */
    {
        const char *heads[] = {"Lens", "Dataset", "Recorded (%)", "Not stated (%)", "Not known or missing (%)"};
        const ctype types[] = {C_TEXT, C_TEXT, C_DEC1, C_DEC1, C_DEC1};
        sheet s = new_sheet(x, "Data quality: recording of the equity lenses", heads, types, 5);
        for (size_t i = 0; i < m->n_quality; i++) {
            const el_rm_quality *q = &m->quality[i];
            put(x, &s, 0, C_TEXT, 0, q->lens_label, 0);
            put(x, &s, 1, C_TEXT, 0, q->kind, 0);
            put(x, &s, 2, C_DEC1, q->recorded, NULL, isnan(q->recorded));
            put(x, &s, 3, C_DEC1, q->not_stated, NULL, isnan(q->not_stated));
            put(x, &s, 4, C_DEC1, q->not_known, NULL, isnan(q->not_known));
            s.row++;
        }
        s.row++;
        for (size_t i = 0; i < m->n_statements; i++, s.row++) put(x, &s, 0, C_TEXT, 0, m->statements[i], 0);
        end_sheet(x, &s);
    }
    /* ---- metrics in board order ---- */
    static const char *const domains[] = {"waiting_list", "appointments", "cancer", "other"};
    for (size_t d = 0; d < 4; d++)
        for (size_t i = 0; i < m->n_metrics; i++) {
            const el_rm_metric *mt = &m->metrics[i];
            if (strcmp(mt->domain, domains[d])) continue;
            for (size_t j = 0; j < mt->n_lenses; j++) if (!mt->lenses[j].stratum_label) lens_sheet(x, mt, &mt->lenses[j]);
            for (size_t j = 0; j < mt->n_lenses; j++) if (mt->lenses[j].stratum_label) lens_sheet(x, mt, &mt->lenses[j]);
        }
    for (size_t i = 0; i < m->n_longest; i++) {
        const el_rm_longest *w = &m->longest[i];
        char t[200];
        snprintf(t, sizeof t, "Longest waiters compared with all waiters, by %s", w->label);
        const char *heads[] = {"Group", "Longest waiters", "Share of longest (%)", "All waiters", "Share of all (%)"};
        const ctype types[] = {C_TEXT, C_COUNT, C_DEC1, C_COUNT, C_DEC1};
        sheet s = new_sheet(x, t, heads, types, 5);
        for (size_t k = 0; k < w->n_groups; k++) {
            const el_rm_longest_group *g = &w->groups[k];
            put(x, &s, 0, C_TEXT, 0, g->label, 0);
            put(x, &s, 1, C_COUNT, g->longest, NULL, isnan(g->longest));
            put(x, &s, 2, C_DEC1, g->longest_share, NULL, isnan(g->longest_share));
            put(x, &s, 3, C_COUNT, g->all, NULL, isnan(g->all));
            put(x, &s, 4, C_DEC1, g->all_share, NULL, isnan(g->all_share));
            s.row++;
        }
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Rule", 0);
        put(x, &s, 1, C_TEXT, 0, w->rule ? w->rule : "", 0);
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Threshold (weeks)", 0);
        put(x, &s, 1, C_DEC1, w->threshold_weeks, NULL, 0);
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Chi-square, df, p", 0);
        put(x, &s, 1, C_DEC1, w->chi_square, NULL, 0);
        put(x, &s, 2, C_INT, w->df, NULL, 0);
        put(x, &s, 3, C_DEC2, w->p_value, NULL, 0);
        end_sheet(x, &s);
    }
    if (m->n_excess) {
        const char *heads[] = {"Metric and lens", "Reference group", "Excess events", "Lower 95% CI", "Upper 95% CI",
                               "Price per event (GBP)", "Cost (GBP)", "Cost lower", "Cost upper"};
        const ctype types[] = {C_TEXT, C_TEXT, C_DEC1, C_DEC1, C_DEC1, C_MONEY, C_MONEY, C_MONEY, C_MONEY};
        sheet s = new_sheet(x, "Excess events and their cost", heads, types, 9);
        for (size_t i = 0; i < m->n_excess; i++) {
            const el_rm_excess *e = &m->excess[i];
            char t[300];
            snprintf(t, sizeof t, "%s by %s%s%s", e->metric_label, e->lens_label, e->stratum_label ? ", " : "",
                     e->stratum_label ? e->stratum_label : "");
            put(x, &s, 0, C_TEXT, 0, t, 0);
            put(x, &s, 1, C_TEXT, 0, e->reference_label, 0);
            put(x, &s, 2, C_DEC1, e->events, NULL, e->suppressed);
            put(x, &s, 3, C_DEC1, e->lower, NULL, e->suppressed);
            put(x, &s, 4, C_DEC1, e->upper, NULL, e->suppressed);
            put(x, &s, 5, C_MONEY, e->cost_per_event, NULL, 0);
            put(x, &s, 6, C_MONEY, e->cost, NULL, e->suppressed);
            put(x, &s, 7, C_MONEY, e->cost_lower, NULL, e->suppressed);
            put(x, &s, 8, C_MONEY, e->cost_upper, NULL, e->suppressed);
            s.row++;
        }
        end_sheet(x, &s);
    }
    for (size_t i = 0; i < m->n_missing; i++) {
        const el_rm_missing *w = &m->missing[i];
        char t[200];
        snprintf(t, sizeof t, "Who is missing: observed vs expected by %s", w->label);
        const char *heads[] = {"Group", "Population", "Observed", "Rate per 1,000", "Rate lower", "Rate upper", "Expected",
                               "Observed / expected", "Lower 95% CI", "Upper 95% CI"};
        const ctype types[] = {C_TEXT, C_COUNT, C_COUNT, C_DEC1, C_DEC1, C_DEC1, C_DEC1, C_DEC2, C_DEC2, C_DEC2};
        sheet s = new_sheet(x, t, heads, types, 10);
        for (size_t k = 0; k < w->n_groups; k++) {
            const el_rm_missing_group *g = &w->groups[k];
            int sup = g->suppressed;
            put(x, &s, 0, C_TEXT, 0, g->label, 0);
            put(x, &s, 1, C_COUNT, g->population, NULL, 0);
            put(x, &s, 2, C_COUNT, g->observed, NULL, sup);
            put(x, &s, 3, C_DEC1, g->rate, NULL, sup);
            put(x, &s, 4, C_DEC1, g->rate_lower, NULL, sup);
            put(x, &s, 5, C_DEC1, g->rate_upper, NULL, sup);
            put(x, &s, 6, C_DEC1, g->expected, NULL, sup);
            put(x, &s, 7, C_DEC2, g->ratio, NULL, sup);
            put(x, &s, 8, C_DEC2, g->lower, NULL, sup);
            put(x, &s, 9, C_DEC2, g->upper, NULL, sup);
            s.row++;
        }
        end_sheet(x, &s);
    }
    for (size_t i = 0; i < m->n_trends; i++) {
        const el_rm_trend *t = &m->trends[i];
        const char *heads[] = {"Period", "Value", "Mean", "Lower process limit", "Upper process limit", "Point type"};
        const ctype types[] = {C_TEXT, C_DEC2, C_DEC2, C_DEC2, C_DEC2, C_TEXT};
        sheet s = new_sheet(x, t->label, heads, types, 6);
        for (size_t k = 0; k < t->n_points; k++) {
            const el_rm_spc_point *q = &t->points[k];
            put(x, &s, 0, C_TEXT, 0, q->period, 0);
            put(x, &s, 1, C_DEC2, q->value, NULL, isnan(q->value));
            put(x, &s, 2, C_DEC2, q->mean, NULL, 0);
            put(x, &s, 3, C_DEC2, q->lpl, NULL, 0);
            put(x, &s, 4, C_DEC2, q->upl, NULL, 0);
            put(x, &s, 5, C_TEXT, 0, q->point_type ? q->point_type : "", 0);
            s.row++;
        }
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Variation", 0);
        put(x, &s, 1, C_TEXT, 0, el_svg_variation_text(t->variation), 0);
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Assurance", 0);
        put(x, &s, 1, C_TEXT, 0, el_svg_assurance_text(t->assurance), 0);
        s.row++;
        put(x, &s, 0, C_TEXT, 0, "Gap is", 0);
        put(x, &s, 1, C_TEXT, 0, t->trend, 0);
        end_sheet(x, &s);
    }
    /* ---- methods ---- */
    lxw_worksheet *meth = workbook_add_worksheet(x->wb, "Methods");
    {
        lxw_row_t r = 0;
        worksheet_set_column(meth, 0, 0, 30, NULL);
        worksheet_set_column(meth, 1, 1, 110, x->wrap);
        worksheet_write_string(meth, r++, 0, "Methods, definitions and data", x->title);
        r++;
        char buf[300];
        snprintf(buf, sizeof buf, "%s to %s", m->period_start ? m->period_start : "?", m->period_end ? m->period_end : "?");
        worksheet_write_string(meth, r, 0, "Data period", x->head);
        worksheet_write_string(meth, r++, 1, buf, x->wrap);
        if (m->census_date) {
            worksheet_write_string(meth, r, 0, "Waiting-list census date", x->head);
            worksheet_write_string(meth, r++, 1, m->census_date, x->wrap);
        }
        worksheet_write_string(meth, r, 0, "IMD edition", x->head);
        worksheet_write_string(meth, r++, 1, m->imd_edition ? m->imd_edition : "not stated in the result", x->wrap);
        worksheet_write_string(meth, r, 0, "Disclosure control", x->head);
        worksheet_write_string(meth, r++, 1, m->policy_text, x->wrap);
        snprintf(buf, sizeof buf, "provider: %s; treatment function: %s", o->provider ? o->provider : "all",
                 o->treatment_function ? o->treatment_function : "all");
        worksheet_write_string(meth, r, 0, "Filters", x->head);
        worksheet_write_string(meth, r++, 1, buf, x->wrap);
        for (size_t i = 0; i < m->n_sources; i++) {
            snprintf(buf, sizeof buf, "%s (%.0f records)", m->sources[i].source ? m->sources[i].source : "source not stated",
                     m->sources[i].rows);
            worksheet_write_string(meth, r, 0, m->sources[i].kind, x->head);
            worksheet_write_string(meth, r++, 1, buf, x->wrap);
        }
        r++;
        worksheet_write_string(meth, r++, 0, "Reference groups", x->title);
        for (size_t i = 0; i < m->n_refs; i++) {
            worksheet_write_string(meth, r, 0, m->refs[i].lens_label, x->head);
            worksheet_write_string(meth, r++, 1, m->refs[i].reference_label, x->wrap);
        }
        r++;
        worksheet_write_string(meth, r++, 0, "Definitions", x->title);
        for (size_t i = 0; i < m->n_definitions; i++) {
            worksheet_write_string(meth, r, 0, m->definitions[i].term, x->head);
            worksheet_write_string(meth, r++, 1, m->definitions[i].definition ? m->definitions[i].definition : "", x->wrap);
        }
        r++;
        worksheet_write_string(meth, r++, 0, "Methods", x->title);
        static const char *const mm[][2] = {
            {"Proportions", "Wilson score 95% confidence intervals (PHEindicatormethods phe_proportion)."},
            {"Gaps", "Group minus reference group (difference) and group over reference (ratio), with 95% confidence intervals; significant when the interval of the difference excludes 0."},
            {"Adjusted gaps", "Compared within treatment function and clinical priority strata and combined (Mantel-Haenszel for proportions, direct standardisation for waits)."},
            {"SII / RII", "PHE method (PHEindicatormethods phe_sii)."},
            {"Who is missing", "Observed vs expected activity from census populations, indirectly standardised for age; Byar / exact Poisson limits (PHEindicatormethods phe_isr)."},
            {"Trends", "XmR statistical process control charts with the NHS Making Data Count rules and icons (NHSRplotthedots 0.2.2)."},
            {"Excess events", "Observed minus the events expected at the reference group's rate; cost = excess x price per event."},
        };
        for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++) {
            worksheet_write_string(meth, r, 0, mm[i][0], x->head);
            worksheet_write_string(meth, r++, 1, mm[i][1], x->wrap);
        }
    }
    /* ---- contents ---- */
    worksheet_set_column(contents, 0, 0, 10, NULL);
    worksheet_set_column(contents, 1, 1, 90, NULL);
    worksheet_write_string(contents, 0, 0, m->title, x->title);
    worksheet_write_string(contents, 1, 0, m->policy_text, x->text);
    char per[200];
    snprintf(per, sizeof per, "Data period %s to %s; %s", m->period_start ? m->period_start : "?",
             m->period_end ? m->period_end : "?", m->imd_edition ? m->imd_edition : "IMD edition not stated");
    worksheet_write_string(contents, 2, 0, per, x->text);
    worksheet_write_string(contents, 4, 0, "Sheet", x->head);
    worksheet_write_string(contents, 4, 1, "Table", x->head);
    lxw_row_t r = 5;
    for (int i = 0; i < x->ncontents; i++, r++) {
        char url[64];
        snprintf(url, sizeof url, "internal:%s!A1", x->names[i]);
        worksheet_write_url(contents, r, 0, url, x->link);
        worksheet_write_string(contents, r, 0, x->names[i], x->link);
        worksheet_write_string(contents, r, 1, x->titles[i], x->text);
    }
    worksheet_write_url(contents, r, 0, "internal:Methods!A1", x->link);
    worksheet_write_string(contents, r, 0, "Methods", x->link);
    worksheet_write_string(contents, r, 1, "Methods, definitions, reference groups, disclosure policy, IMD edition, data period", x->text);
    worksheet_activate(contents);
    lxw_doc_properties props = {0};
    char ptitle[200], pauthor[] = "equitylens";
    snprintf(ptitle, sizeof ptitle, "%s", m->title);
    props.title = ptitle;
    props.author = pauthor;
    props.comments = m->policy_text;
    workbook_set_properties(x->wb, &props);
    lxw_error e = workbook_close(x->wb);
    free(x);
    el_rm_free(m);
    if (e != LXW_NO_ERROR) return el_error_set(err, EL_ERR_IO, "%s: %s", path, lxw_strerror(e));
    return EL_OK;
}
