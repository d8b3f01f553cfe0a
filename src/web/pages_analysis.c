/* pages_analysis.c — data quality, the analysis explorer (dataset → metric →
 * lens → stratum: table with CIs, chart, gaps, adjusted gaps, inequality
 * measures), trends with SPC, who is missing, and the board pack downloads;
 * plus their JSON API routes (owner: web). Everything shown is read from the
 * disclosed documents of cache.c: suppressed values are null there and are
 * printed as the policy's mask. Charts are the report module's SVGs (svg.h). */
#include "web_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "equitylens/report.h"
#include "equitylens/store.h"
#include "equitylens/svg.h"

#define HTML "text/html; charset=utf-8"

static int has_perm(const el_req *r, unsigned p) { return r->authed && (el_role_perms(r->user.role) & p) == p; }

/* ------------------------------------------------------------ JSON helpers */

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static double jnum(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int decimals_of(json_t *doc)
{
    json_t *d = json_object_get(json_object_get(doc, "disclosure"), "decimals");
    return json_is_integer(d) ? (int)json_integer_value(d) : 1;
}

static const char *mask_of(json_t *doc)
{
    const char *m = json_string_value(json_object_get(json_object_get(doc, "disclosure"), "mask"));
    return m ? m : "*";
}

static int suppressed(json_t *o) { return json_is_string(json_object_get(o, "suppressed")); }

/* a number, the mask when suppressed, or an en dash when not available */
static void cell_num(el_strbuf *b, json_t *holder, double v, int dec, const char *mask)
{
    if (isnan(v)) el_strbuf_put(b, suppressed(holder) ? mask : "–");
    else el_strbuf_printf(b, "%.*f", dec, v);
}

static void cell_count(el_strbuf *b, json_t *holder, json_t *v, const char *mask)
{
    if (json_is_integer(v)) el_page_fmt_count(b, (uint64_t)json_integer_value(v));
    else if (json_is_number(v)) el_strbuf_printf(b, "%.0f", json_number_value(v));
    else el_strbuf_put(b, suppressed(holder) ? mask : "–");
}

/* "value (lower to upper)" of an interval object. */
static void cell_interval(el_strbuf *b, json_t *holder, json_t *iv, int dec, const char *mask)
{
    double v = jnum(iv, "value"), lo = jnum(iv, "lower"), hi = jnum(iv, "upper");
    if (isnan(v)) { el_strbuf_put(b, suppressed(holder) ? mask : "–"); return; }
    el_strbuf_printf(b, "%.*f", dec, v);
    if (!isnan(lo) && !isnan(hi)) el_strbuf_printf(b, " <span class=\"nhsuk-body-s\">(%.*f to %.*f)</span>", dec, lo, dec, hi);
}

/* ------------------------------------------------------------ page chrome */

static int64_t dataset_param(el_req *r, el_dataset_meta **list, size_t *n, el_error *err)
{
    if (el_web_datasets(r, list, n, err) != EL_OK) return 0;
    const char *p = el_req_arg(r, "dataset");
    int64_t id = 0;
    if (p) {
        for (const char *q = p; *q; q++) if (*q < '0' || *q > '9') return -1;
        if (strlen(p) > 15) return -1;
        id = atoll(p);
        for (size_t i = 0; i < *n; i++) if ((*list)[i].id == id) return id;
        return -1;
    }
    return *n ? (*list)[*n - 1].id : 0;
}

static void select_open(el_strbuf *b, const char *id, const char *label)
{
    el_strbuf_printf(b, "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"%s\">%s</label>"
                        "<select class=\"nhsuk-select\" id=\"%s\" name=\"%s\">", id, label, id, id);
}

static void option(el_strbuf *b, const char *value, const char *text, int selected)
{
    el_strbuf_put(b, "<option value=\"");
    el_strbuf_esc(b, value);
    el_strbuf_printf(b, "\"%s>", selected ? " selected" : "");
    el_strbuf_esc(b, text);
    el_strbuf_put(b, "</option>");
}

static void dataset_select(el_strbuf *b, el_dataset_meta *list, size_t n, int64_t id)
{
    select_open(b, "dataset", "Dataset");
    for (size_t i = n; i-- > 0;) {
        char v[32], t[700];
        snprintf(v, sizeof v, "%lld", (long long)list[i].id);
        snprintf(t, sizeof t, "%lld · %s · %s", (long long)list[i].id, el_kind_name(list[i].kind), list[i].source);
        option(b, v, t, list[i].id == id);
    }
    el_strbuf_put(b, "</select></div>");
}

static el_resp *no_data_page(el_req *r, const char *title, const char *nav, const char *msg)
{
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, title, nav);
    el_strbuf_put(&b, "<h1>");
    el_strbuf_esc(&b, title);
    el_strbuf_put(&b, "</h1><div class=\"nhsuk-inset-text\" id=\"no-data\"><p>");
    el_strbuf_esc(&b, msg);
    el_strbuf_put(&b, "</p></div>\n");
    el_page_end(&b, r);
    return el_resp_new(200, HTML, &b);
}

static void policy_line(el_strbuf *b, json_t *doc)
{
    el_strbuf_put(b, "<p class=\"el-policy\">");
    el_strbuf_esc(b, jstr(json_object_get(doc, "disclosure"), "policy"));
    el_strbuf_put(b, "</p>\n");
}

/* Load the dataset list and the analysis document for a page. On failure
 * returns a response to send. */
typedef struct { el_dataset_meta *list; size_t n; int64_t id; json_t *doc; } page_ctx;

static el_resp *load_ctx(el_req *r, page_ctx *c, const char *title, const char *nav, int quality)
{
    el_error err;
    el_error_clear(&err);
    memset(c, 0, sizeof *c);
    c->id = dataset_param(r, &c->list, &c->n, &err);
    if (c->id < 0) return el_page_error(r, 404, "not_found", "No such dataset.");
    if (c->id == 0) {
        if (err.status) return el_page_error(r, 500, "store", err.msg);
        return no_data_page(r, title, nav, "No extracts have been imported yet.");
    }
    c->doc = quality ? el_web_quality(r->web, c->id, &err) : el_web_analysis(r->web, c->id, &err);
    if (!c->doc) {
        char msg[700];
        snprintf(msg, sizeof msg, "This dataset could not be %s: %s", quality ? "checked" : "analysed", err.msg);
        return no_data_page(r, title, nav, msg);
    }
    return NULL;
}

static void ctx_free(page_ctx *c)
{
    free(c->list);
    json_decref(c->doc);
}

/* ------------------------------------------------------------ lookups */

/* the first object of the array arr whose string field is value; NULL if none */
static json_t *find_by(json_t *arr, const char *field, const char *value)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
        if (!strcmp(jstr(x, field), value)) return x;
    return NULL;
}

static json_t *find_lens(json_t *doc, const char *lens)
{
    return find_by(json_object_get(doc, "lenses"), "lens", lens);
}

static void stratum_key(json_t *res, char *buf, size_t cap)
{
    json_t *st = json_object_get(res, "stratum");
    if (json_is_object(st)) snprintf(buf, cap, "%s=%s", jstr(st, "field"), jstr(st, "value"));
    else buf[0] = 0;
}

static json_t *find_result(json_t *doc, const char *metric, const char *lens, const char *stratum)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "results"), i, x) {
        char sk[200];
        stratum_key(x, sk, sizeof sk);
        if (!strcmp(jstr(x, "metric"), metric) && !strcmp(jstr(x, "lens"), lens) && !strcmp(sk, stratum ? stratum : ""))
            return x;
    }
    return NULL;
}

static const char *group_label(json_t *lens, const char *key)
{
    json_t *g = find_by(json_object_get(lens, "groups"), "key", key);
    return g && jstr(g, "label")[0] ? jstr(g, "label") : key;
}

static json_t *find_gap(json_t *res, const char *key)
{
    return find_by(json_object_get(res, "gaps"), "key", key);
}

/* Pick metric / lens defaults present in the document. */
static void pick(json_t *doc, el_req *r, const char **metric, const char **lens)
{
    const char *m = el_req_arg(r, "metric"), *l = el_req_arg(r, "lens");
    json_t *res = json_object_get(doc, "results");
    int mok = 0, lok = 0;
    size_t i;
    json_t *x;
    json_array_foreach(res, i, x) {
        if (m && !strcmp(jstr(x, "metric"), m)) mok = 1;
        if (l && !strcmp(jstr(x, "lens"), l)) lok = 1;
    }
    if (!mok) m = json_array_size(res) ? jstr(json_array_get(res, 0), "metric") : "";
    if (!lok) {
        l = NULL;
        static const char *const pref[] = {"imd_quintile", "ethnic_group", "sex", "age_band"};
        for (size_t k = 0; k < 4 && !l; k++)
            json_array_foreach(res, i, x)
                if (!strcmp(jstr(x, "lens"), pref[k]) && !strcmp(jstr(x, "metric"), m)) { l = pref[k]; break; }
        if (!l) l = json_array_size(res) ? jstr(json_array_get(res, 0), "lens") : "";
    }
    *metric = m;
    *lens = l;
}

static void metric_lens_selects(el_strbuf *b, json_t *doc, const char *metric, const char *lens)
{
    json_t *res = json_object_get(doc, "results");
    size_t i, k;
    json_t *x;
    select_open(b, "metric", "Metric");
    json_t *seen = json_object();
    json_array_foreach(res, i, x) {
        const char *m = jstr(x, "metric");
        if (json_object_get(seen, m)) continue;
        json_object_set_new(seen, m, json_true());
        option(b, m, jstr(x, "label")[0] ? jstr(x, "label") : m, !strcmp(m, metric));
    }
    json_decref(seen);
    el_strbuf_put(b, "</select></div>");
    select_open(b, "lens", "Lens");
    json_t *l;
    json_array_foreach(json_object_get(doc, "lenses"), k, l) {
        const char *id = jstr(l, "lens");
        int used = 0;
        json_array_foreach(res, i, x) if (!strcmp(jstr(x, "lens"), id) && !strcmp(jstr(x, "metric"), metric)) { used = 1; break; }
        if (used) option(b, id, jstr(l, "label")[0] ? jstr(l, "label") : id, !strcmp(id, lens));
    }
    el_strbuf_put(b, "</select></div>");
}

/* ------------------------------------------------------------ explorer */

static void explorer_chart(el_strbuf *b, json_t *doc, json_t *res, json_t *lens)
{
    size_t n = json_array_size(json_object_get(res, "groups"));
    if (!n) return;
    el_svg_group *g = calloc(n, sizeof *g);
    if (!g) return;
    const char *ref = jstr(lens, "reference");
    double refv = NAN;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(res, "groups"), i, v) {
        const char *key = jstr(v, "key");
        g[i].label = group_label(lens, key);
        g[i].value = jnum(v, "value");
        g[i].lo = jnum(v, "lower");
        g[i].hi = jnum(v, "upper");
        g[i].suppressed = suppressed(v);
        json_t *gap = find_gap(res, key);
        if (ref[0] && !strcmp(key, ref)) { g[i].flag = EL_SVG_REFERENCE; refv = g[i].value; }
        else if (gap && json_is_true(json_object_get(gap, "significant")))
            g[i].flag = jnum(json_object_get(gap, "difference"), "value") > 0 ? EL_SVG_SIG_HIGHER : EL_SVG_SIG_LOWER;
        else g[i].flag = EL_SVG_NOT_SIG;
    }
    char title[300], axis[200], reflabel[200], desc[400];
    snprintf(title, sizeof title, "%s by %s", jstr(res, "label"), jstr(lens, "label"));
    snprintf(axis, sizeof axis, "%s (%s)", jstr(res, "label"), jstr(res, "unit"));
    snprintf(reflabel, sizeof reflabel, "reference: %s", ref[0] ? group_label(lens, ref) : "none");
    snprintf(desc, sizeof desc, "%s for each %s group with %g%% confidence intervals; the table below gives the numbers.",
             jstr(res, "label"), jstr(lens, "label"),
             100 * jnum(json_object_get(doc, "options"), "confidence"));
    el_svg_opts o = {title, desc, axis, decimals_of(doc), refv, reflabel};
    el_strbuf svg;
    el_strbuf_init(&svg);
    if (el_svg_dot_whisker(&svg, &o, g, n) == EL_OK && el_strbuf_ok(&svg)) {
        el_strbuf_put(b, "<figure class=\"el-chart\" id=\"chart\">");
        el_strbuf_put(b, el_strbuf_str(&svg));
        el_strbuf_put(b, "</figure>\n");
    }
    el_strbuf_release(&svg);
    free(g);
}


/* The count, events (proportions only) and value-with-interval cells of one
 * row of the explorer table: the same for a group and for the "All" row. */
static void value_cells(el_strbuf *b, json_t *row, int prop, int dec, const char *mask)
{
    el_strbuf_put(b, "<td class=\"nhsuk-table__cell el-num\">");
    cell_count(b, row, json_object_get(row, "n"), mask);
    if (prop) {
        el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
        cell_count(b, row, json_object_get(row, "numerator"), mask);
    }
    el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
    cell_interval(b, row, row, dec, mask);
}
static void explorer_table(el_strbuf *b, json_t *doc, json_t *res, json_t *lens)
{
    int dec = decimals_of(doc);
    const char *mask = mask_of(doc);
    const char *unit = jstr(res, "unit");
    int prop = !strcmp(jstr(res, "kind"), "proportion");
    el_strbuf_put(b, "<div class=\"nhsuk-table-container\"><table class=\"nhsuk-table\" id=\"result-table\">"
                     "<caption class=\"nhsuk-table__caption\">");
    el_strbuf_esc(b, jstr(res, "label"));
    el_strbuf_put(b, " by ");
    el_strbuf_esc(b, jstr(lens, "label"));
    el_strbuf_printf(b, " (%s; %g%% confidence intervals)</caption><thead class=\"nhsuk-table__head\"><tr>"
                        "<th scope=\"col\">Group</th><th scope=\"col\" class=\"el-num\">People / rows</th>",
                     unit, 100 * jnum(json_object_get(doc, "options"), "confidence"));
    if (prop) el_strbuf_put(b, "<th scope=\"col\" class=\"el-num\">Events</th>");
    el_strbuf_put(b, "<th scope=\"col\" class=\"el-num\">Value (CI)</th><th scope=\"col\" class=\"el-num\">Gap vs reference (CI)</th>"
                     "<th scope=\"col\" class=\"el-num\">Ratio (CI)</th><th scope=\"col\" class=\"el-num\">Adjusted gap (CI)</th>"
                     "<th scope=\"col\">Significant</th></tr></thead><tbody class=\"nhsuk-table__body\">\n");
    const char *ref = jstr(lens, "reference");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(res, "groups"), i, v) {
        const char *key = jstr(v, "key");
        json_t *gap = find_gap(res, key);
        el_strbuf_put(b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell\">");
        el_strbuf_esc(b, group_label(lens, key));
        if (ref[0] && !strcmp(key, ref)) el_strbuf_put(b, " <strong class=\"nhsuk-tag nhsuk-tag--grey\">reference</strong>");
        el_strbuf_put(b, "</th>");
        value_cells(b, v, prop, dec, mask);
        el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
        if (gap) cell_interval(b, gap, json_object_get(gap, "difference"), dec, mask);
        el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
        if (gap) cell_interval(b, gap, json_object_get(gap, "ratio"), 2, mask);
        el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
        json_t *adj = gap ? json_object_get(gap, "adjusted") : NULL;
        if (json_is_object(adj)) cell_interval(b, gap, json_object_get(adj, "difference"), dec, mask);
        else if (gap) el_strbuf_put(b, "–");
        el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell\">");
        if (gap && !suppressed(gap)) {
            int sig = json_is_true(json_object_get(gap, "significant"));
            int asig = json_is_object(adj) && json_is_true(json_object_get(adj, "significant"));
            el_strbuf_printf(b, "%s%s", sig ? "yes" : "no", json_is_object(adj) ? (asig ? " (adjusted: yes)" : " (adjusted: no)") : "");
        }
        el_strbuf_put(b, "</td></tr>\n");
    }
    json_t *ov = json_object_get(res, "overall");
    el_strbuf_put(b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell\">All</th>");
    value_cells(b, ov, prop, dec, mask);
    el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell\"></td><td class=\"nhsuk-table__cell\"></td>"
                     "<td class=\"nhsuk-table__cell\"></td><td class=\"nhsuk-table__cell\"></td></tr>\n</tbody></table></div>\n");
}

static void explorer_extras(el_strbuf *b, json_t *doc, json_t *res)
{
    int dec = decimals_of(doc);
    const char *mask = mask_of(doc);
    json_t *ineq = json_object_get(res, "inequality");
    if (json_is_object(ineq) && json_object_size(ineq)) {
        el_strbuf_put(b, "<h2>Summary measures of inequality</h2><table class=\"nhsuk-table\" id=\"inequality\">"
                         "<thead class=\"nhsuk-table__head\"><tr><th scope=\"col\">Measure</th>"
                         "<th scope=\"col\" class=\"el-num\">Value (CI)</th><th scope=\"col\">Note</th></tr></thead><tbody>");
        const char *k;
        json_t *iv;
        json_object_foreach(ineq, k, iv) {
            el_strbuf_put(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">");
            el_strbuf_esc(b, k);
            el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
            if (json_is_object(iv)) cell_interval(b, iv, iv, dec + 1, mask);
            else el_strbuf_put(b, "–");
            el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell\">");
            el_strbuf_esc(b, json_is_object(iv) ? jstr(iv, "note") : "");
            el_strbuf_put(b, "</td></tr>");
        }
        el_strbuf_put(b, "</tbody></table>\n");
    }
    json_t *ex = json_object_get(res, "excess");
    if (json_is_object(ex)) {
        el_strbuf_put(b, "<h2>Excess events</h2><p id=\"excess\">If every group had the reference group's rate there would be ");
        double e = jnum(ex, "events");
        if (isnan(e)) el_strbuf_put(b, suppressed(ex) ? mask : "–");
        else el_strbuf_printf(b, "%.*f (%.*f to %.*f)", dec, e, dec, jnum(ex, "lower"), dec, jnum(ex, "upper"));
        el_strbuf_put(b, " fewer events");
        double cost = jnum(ex, "cost");
        if (!isnan(cost))
            el_strbuf_printf(b, ", about £%.0f (£%.0f to £%.0f) at £%.0f each", cost, jnum(ex, "cost_lower"),
                             jnum(ex, "cost_upper"), jnum(ex, "cost_per_event"));
        el_strbuf_put(b, ".</p>\n");
    }
}

static el_resp *explore_page(el_req *r)
{
    page_ctx c;
    el_resp *e = load_ctx(r, &c, "Explorer", "explore", 0);
    if (e) { ctx_free(&c); return e; }
    const char *metric, *lens;
    pick(c.doc, r, &metric, &lens);
    const char *stratum = el_req_arg(r, "stratum");
    if (stratum && !*stratum) stratum = NULL;
    json_t *res = find_result(c.doc, metric, lens, stratum);
    json_t *L = find_lens(c.doc, lens);
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Explorer", "explore");
    el_strbuf_put(&b, "<h1>Explorer</h1>\n<form method=\"get\" action=\"/explore\" class=\"el-filters\" id=\"filters\">");
    dataset_select(&b, c.list, c.n, c.id);
    metric_lens_selects(&b, c.doc, metric, lens);
    select_open(&b, "stratum", "Stratum");
    option(&b, "", "All rows", !stratum);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(c.doc, "results"), i, x) {
        char sk[200];
        stratum_key(x, sk, sizeof sk);
        if (sk[0] && !strcmp(jstr(x, "metric"), metric) && !strcmp(jstr(x, "lens"), lens))
            option(&b, sk, sk, stratum && !strcmp(stratum, sk));
    }
    el_strbuf_put(&b, "</select></div><button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\" id=\"show\">Show</button></form>\n");
    policy_line(&b, c.doc);
    if (!res || !L) {
        el_strbuf_put(&b, "<div class=\"nhsuk-inset-text\" id=\"no-result\"><p>No result for this metric, lens and stratum.</p></div>");
    } else {
        el_strbuf_put(&b, "<h2 id=\"result-title\">");
        el_strbuf_esc(&b, jstr(res, "label"));
        el_strbuf_put(&b, " by ");
        el_strbuf_esc(&b, jstr(L, "label"));
        if (stratum) { el_strbuf_put(&b, " — "); el_strbuf_esc(&b, stratum); }
        el_strbuf_put(&b, "</h2>\n");
        explorer_chart(&b, c.doc, res, L);
        explorer_table(&b, c.doc, res, L);
        explorer_extras(&b, c.doc, res);
        el_strbuf_printf(&b, "<p><a href=\"/api/v1/datasets/%lld/analysis?metric=", (long long)c.id);
        el_sb_url(&b, metric);
        el_strbuf_put(&b, "&amp;lens=");
        el_sb_url(&b, lens);
        if (stratum) { el_strbuf_put(&b, "&amp;stratum="); el_sb_url(&b, stratum); }
        el_strbuf_put(&b, "\">This result as JSON</a></p>\n");
    }
    json_t *notes = json_object_get(c.doc, "notes");
    if (json_array_size(notes)) {
        el_strbuf_put(&b, "<h2>Notes</h2><ul>");
        json_array_foreach(notes, i, x) { el_strbuf_put(&b, "<li>"); el_strbuf_esc(&b, json_string_value(x)); el_strbuf_put(&b, "</li>"); }
        el_strbuf_put(&b, "</ul>\n");
    }
    el_page_end(&b, r);
    ctx_free(&c);
    return el_resp_new(200, HTML, &b);
}

/* ------------------------------------------------------------ trends */

static el_svg_point_type ptype(const char *s) { return el_svg_point_type_from_name(s); }

static void spc_chart(el_strbuf *b, json_t *doc, json_t *series, const char *title)
{
    json_t *pts = json_object_get(series, "points");
    size_t n = json_array_size(pts);
    if (!n) return;
    el_svg_spc_point *p = calloc(n, sizeof *p);
    if (!p) return;
    size_t i;
    json_t *x;
    json_array_foreach(pts, i, x) {
        p[i].label = jstr(x, "period");
        p[i].value = jnum(x, "value");
        p[i].mean = jnum(x, "mean");
        p[i].lpl = jnum(x, "lpl");
        p[i].upl = jnum(x, "upl");
        p[i].type = ptype(jstr(x, "point_type"));
    }
    char desc[400];
    snprintf(desc, sizeof desc, "XmR chart of %s by period with mean and process limits; variation: %s.", title,
             jstr(series, "variation"));
    el_svg_opts o = {title, desc, "%", decimals_of(doc), NAN, NULL};
    el_strbuf svg;
    el_strbuf_init(&svg);
    const char *var = json_string_value(json_object_get(series, "variation"));
    const char *as = json_string_value(json_object_get(series, "assurance"));
    if (as && !strcmp(as, "none")) as = NULL;
    if (el_svg_spc(&svg, &o, p, n, NAN, var, as) == EL_OK && el_strbuf_ok(&svg)) {
        el_strbuf_put(b, "<figure class=\"el-chart spc-chart\">");
        el_strbuf_put(b, el_strbuf_str(&svg));
        el_strbuf_put(b, "<figcaption class=\"nhsuk-body-s\">");
        el_strbuf_esc(b, var ? el_svg_variation_text(var) : "");
        el_strbuf_put(b, "</figcaption></figure>\n");
    }
    el_strbuf_release(&svg);
    free(p);
}

static el_resp *trends_page(el_req *r)
{
    page_ctx c;
    el_resp *e = load_ctx(r, &c, "Trends", "trends", 0);
    if (e) { ctx_free(&c); return e; }
    const char *metric, *lens;
    pick(c.doc, r, &metric, &lens);
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Trends", "trends");
    el_strbuf_put(&b, "<h1>Trends with statistical process control</h1>\n<p>XmR charts in the NHS "
                      "\"Making Data Count\" style: mean, process limits and special-cause variation for each group "
                      "and for each group's gap to the reference.</p>\n<form method=\"get\" action=\"/trends\" class=\"el-filters\">");
    dataset_select(&b, c.list, c.n, c.id);
    metric_lens_selects(&b, c.doc, metric, lens);
    el_strbuf_put(&b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">Show</button></form>\n");
    policy_line(&b, c.doc);
    json_t *L = find_lens(c.doc, lens);
    size_t i, k, shown = 0;
    json_t *t, *s;
    el_strbuf_put(&b, "<div class=\"el-grid\">\n");
    json_array_foreach(json_object_get(c.doc, "trends"), i, t) {
        if (strcmp(jstr(t, "metric"), metric) || strcmp(jstr(t, "lens"), lens)) continue;
        static const char *const kinds[] = {"series", "gap_series"};
        for (int q = 0; q < 2; q++)
            json_array_foreach(json_object_get(t, kinds[q]), k, s) {
                char title[300];
                json_t *any = find_result(c.doc, metric, lens, NULL);
                snprintf(title, sizeof title, "%s%s — %s", q ? "Gap to reference: " : "", any ? jstr(any, "label") : metric,
                         L ? group_label(L, jstr(s, "key")) : jstr(s, "key"));
                el_strbuf_put(&b, "<div class=\"el-grid-item\"><h2 class=\"nhsuk-heading-s\">");
                el_strbuf_esc(&b, title);
                el_strbuf_put(&b, "</h2>");
                spc_chart(&b, c.doc, s, title);
                el_strbuf_put(&b, "</div>\n");
                shown++;
            }
    }
    el_strbuf_put(&b, "</div>\n");
    if (!shown)
        el_strbuf_put(&b, "<div class=\"nhsuk-inset-text\" id=\"no-trend\"><p>No trend for this metric and lens "
                          "(trends need at least two periods of activity dates).</p></div>\n");
    el_page_end(&b, r);
    ctx_free(&c);
    return el_resp_new(200, HTML, &b);
}

/* ------------------------------------------------------------ who is missing */

static el_resp *missing_page(el_req *r)
{
    page_ctx c;
    el_resp *e = load_ctx(r, &c, "Who is missing", "missing", 0);
    if (e) { ctx_free(&c); return e; }
    int dec = decimals_of(c.doc);
    const char *mask = mask_of(c.doc);
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Who is missing", "missing");
    el_strbuf_put(&b, "<h1>Who is missing</h1>\n<p>Activity compared with the catchment population (Census 2021): "
                      "observed against expected, with the ratio and its confidence interval.</p>\n"
                      "<form method=\"get\" action=\"/missing\" class=\"el-filters\">");
    dataset_select(&b, c.list, c.n, c.id);
    el_strbuf_put(&b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">Show</button></form>\n");
    policy_line(&b, c.doc);
    json_t *m = json_object_get(c.doc, "missing");
    if (!json_is_object(m)) {
        el_strbuf_put(&b, "<div class=\"nhsuk-inset-text\" id=\"no-missing\"><p>Not computed for this dataset "
                          "(it needs LSOA codes and the census population reference data).</p>");
        size_t i;
        json_t *nt;
        json_array_foreach(json_object_get(c.doc, "notes"), i, nt) {
            const char *t = json_string_value(nt);
            if (!t || !strstr(t, "missing")) continue;
            el_strbuf_put(&b, "<p>");
            el_strbuf_esc(&b, t);
            el_strbuf_put(&b, "</p>");
        }
        el_strbuf_put(&b, "</div>\n");
    } else {
        json_t *cat = json_object_get(m, "catchment");
        el_strbuf_printf(&b, "<p id=\"catchment\">Catchment: %lld LSOAs (by %s), population ",
                         (long long)json_integer_value(json_object_get(cat, "lsoas")), jstr(cat, "by"));
        cell_count(&b, cat, json_object_get(cat, "population"), mask);
        el_strbuf_put(&b, ".</p>\n");
        size_t i, k;
        json_t *t, *g;
        json_array_foreach(json_object_get(m, "tables"), i, t) {
            json_t *L = find_lens(c.doc, jstr(t, "lens"));
            char human[64];
            snprintf(human, sizeof human, "%s", jstr(t, "lens"));
            for (char *q = human; *q; q++) if (*q == '_') *q = ' ';
            if (human[0] >= 'a' && human[0] <= 'z') human[0] = (char)(human[0] - 'a' + 'A');
            el_strbuf_put(&b, "<h2>");
            el_strbuf_esc(&b, L ? jstr(L, "label") : human);
            el_strbuf_put(&b, "</h2><p class=\"nhsuk-body-s\">Standardised: ");
            el_strbuf_esc(&b, jstr(t, "standardised"));
            el_strbuf_put(&b, "</p>");
            size_t n = json_array_size(json_object_get(t, "groups"));
            el_svg_obs_exp *oe = calloc(n ? n : 1, sizeof *oe);
            el_strbuf_put(&b, "<table class=\"nhsuk-table missing-table\"><thead class=\"nhsuk-table__head\"><tr>"
                              "<th scope=\"col\">Group</th><th scope=\"col\" class=\"el-num\">Observed</th>"
                              "<th scope=\"col\" class=\"el-num\">Population</th><th scope=\"col\" class=\"el-num\">Rate per 1,000 (CI)</th>"
                              "<th scope=\"col\" class=\"el-num\">Expected</th><th scope=\"col\" class=\"el-num\">Observed ÷ expected (CI)</th>"
                              "</tr></thead><tbody>");
            json_array_foreach(json_object_get(t, "groups"), k, g) {
                const char *key = jstr(g, "key");
                el_strbuf_put(&b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell\">");
                el_strbuf_esc(&b, L ? group_label(L, key) : key);
                el_strbuf_put(&b, "</th><td class=\"nhsuk-table__cell el-num\">");
                cell_count(&b, g, json_object_get(g, "observed"), mask);
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell el-num\">");
                cell_count(&b, g, json_object_get(g, "population"), mask);
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell el-num\">");
                cell_interval(&b, g, json_object_get(g, "rate_per_1000"), dec, mask);
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell el-num\">");
                cell_num(&b, g, jnum(g, "expected"), dec, mask);
                el_strbuf_put(&b, "</td><td class=\"nhsuk-table__cell el-num\">");
                cell_interval(&b, g, json_object_get(g, "ratio"), 2, mask);
                el_strbuf_put(&b, "</td></tr>");
                if (oe) {
                    json_t *ob = json_object_get(g, "observed");
                    oe[k].label = L ? group_label(L, key) : key;
                    oe[k].observed = json_is_number(ob) ? json_number_value(ob) : NAN;
                    oe[k].expected = jnum(g, "expected");
                    oe[k].ratio_lo = jnum(json_object_get(g, "ratio"), "lower");
                    oe[k].ratio_hi = jnum(json_object_get(g, "ratio"), "upper");
                    oe[k].suppressed = suppressed(g);
                }
            }
            el_strbuf_put(&b, "</tbody></table>\n");
            if (oe && n) {
                char title[200];
                snprintf(title, sizeof title, "Observed and expected by %s", L ? jstr(L, "label") : human);
                el_svg_opts o = {title, "Observed activity against the number expected from the catchment population; the table above has the numbers.",
                                 "people", 0, NAN, NULL};
                el_strbuf svg;
                el_strbuf_init(&svg);
                if (el_svg_observed_expected(&svg, &o, oe, n) == EL_OK && el_strbuf_ok(&svg)) {
                    el_strbuf_put(&b, "<figure class=\"el-chart\">");
                    el_strbuf_put(&b, el_strbuf_str(&svg));
                    el_strbuf_put(&b, "</figure>\n");
                }
                el_strbuf_release(&svg);
            }
            free(oe);
        }
        json_t *notes = json_object_get(m, "notes");
        json_array_foreach(notes, i, t) { el_strbuf_put(&b, "<p class=\"nhsuk-body-s\">"); el_strbuf_esc(&b, json_string_value(t)); el_strbuf_put(&b, "</p>"); }
    }
    el_page_end(&b, r);
    ctx_free(&c);
    return el_resp_new(200, HTML, &b);
}

/* ------------------------------------------------------------ data quality */

/* "n (pct%)" of a {"n","pct","suppressed"} cell. */
static void cell_npct(el_strbuf *b, json_t *c, const char *mask)
{
    json_t *n = json_object_get(c, "n");
    double pct = jnum(c, "pct");
    if (!json_is_number(n) && isnan(pct)) { el_strbuf_put(b, suppressed(c) ? mask : "–"); return; }
    if (!isnan(pct)) el_strbuf_printf(b, "%.1f%%", pct);
    el_strbuf_put(b, " <span class=\"nhsuk-body-s\">(");
    cell_count(b, c, n, mask);
    el_strbuf_put(b, ")</span>");
}

static void quality_group(el_strbuf *b, json_t *g, const char *mask)
{
    el_strbuf_put(b, "<h2>Completeness and validity of each field</h2><div class=\"nhsuk-table-container\">"
                     "<table class=\"nhsuk-table\" id=\"quality-fields\"><thead class=\"nhsuk-table__head\"><tr>"
                     "<th scope=\"col\">Field</th><th scope=\"col\" class=\"el-num\">Valid</th>"
                     "<th scope=\"col\" class=\"el-num\">Not stated</th><th scope=\"col\" class=\"el-num\">Not known</th>"
                     "<th scope=\"col\" class=\"el-num\">Invalid code</th></tr></thead><tbody>");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(g, "fields"), i, f) {
        el_strbuf_put(b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell\">");
        el_strbuf_esc(b, jstr(f, "field"));
        static const char *const cols[] = {"valid", "not_stated", "not_known", "invalid"};
        for (int k = 0; k < 4; k++) {
            el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
            cell_npct(b, json_object_get(f, cols[k]), mask);
        }
        el_strbuf_put(b, "</td></tr>");
    }
    el_strbuf_put(b, "</tbody></table></div>\n");
    json_t *l = json_object_get(g, "lsoa");
    if (json_is_object(l)) {
        el_strbuf_put(b, "<h2>LSOA matched to the IMD</h2><table class=\"nhsuk-table\" id=\"quality-lsoa\"><tbody>");
        static const char *const rows[][2] = {{"matched", "Matched"}, {"blank", "Blank"}, {"malformed", "Malformed"},
                                              {"wales", "Welsh (no English IMD)"}, {"not_found", "Not found"}};
        for (int k = 0; k < 5; k++) {
            el_strbuf_printf(b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell\">%s</th>"
                                "<td class=\"nhsuk-table__cell el-num\">", rows[k][1]);
            cell_npct(b, json_object_get(l, rows[k][0]), mask);
            el_strbuf_put(b, "</td></tr>");
        }
        el_strbuf_put(b, "</tbody></table>\n");
    }
    json_t *d = json_object_get(g, "dates");
    if (json_array_size(d)) {
        el_strbuf_put(b, "<h2>Date checks</h2><table class=\"nhsuk-table\" id=\"quality-dates\"><thead class=\"nhsuk-table__head\"><tr>"
                         "<th scope=\"col\">Check</th><th scope=\"col\" class=\"el-num\">Rows checked</th>"
                         "<th scope=\"col\" class=\"el-num\">Failing</th></tr></thead><tbody>");
        json_array_foreach(d, i, f) {
            el_strbuf_put(b, "<tr class=\"nhsuk-table__row\"><th scope=\"row\" class=\"nhsuk-table__cell\">");
            el_strbuf_esc(b, jstr(f, "label"));
            el_strbuf_put(b, "</th><td class=\"nhsuk-table__cell el-num\">");
            json_t *ck = json_object_get(f, "checked");
            cell_count(b, ck, json_object_get(ck, "n"), mask);
            el_strbuf_put(b, "</td><td class=\"nhsuk-table__cell el-num\">");
            cell_npct(b, json_object_get(f, "failing"), mask);
            el_strbuf_put(b, "</td></tr>");
        }
        el_strbuf_put(b, "</tbody></table>\n");
    }
    json_t *du = json_object_get(g, "duplicates");
    if (json_is_object(du)) {
        el_strbuf_put(b, "<p id=\"quality-duplicates\">Rows whose ");
        el_strbuf_esc(b, jstr(du, "field"));
        el_strbuf_put(b, " occurs more than once: ");
        cell_npct(b, json_object_get(du, "rows"), mask);
        el_strbuf_put(b, "</p>\n");
    }
}

static el_resp *quality_page(el_req *r)
{
    page_ctx c;
    el_resp *e = load_ctx(r, &c, "Data quality", "quality", 1);
    if (e) { ctx_free(&c); return e; }
    const char *mask = mask_of(c.doc);
    const char *want = el_req_arg(r, "group");   /* "by:key" */
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Data quality", "quality");
    el_strbuf_put(&b, "<h1>Data quality: who is unknown</h1>\n<form method=\"get\" action=\"/quality\" class=\"el-filters\">");
    dataset_select(&b, c.list, c.n, c.id);
    select_open(&b, "group", "Rows");
    size_t i;
    json_t *g, *chosen = NULL;
    json_array_foreach(json_object_get(c.doc, "groups"), i, g) {
        char v[200], t[240];
        snprintf(v, sizeof v, "%s:%s", jstr(g, "by"), jstr(g, "key"));
        if (!strcmp(jstr(g, "by"), "overall")) snprintf(t, sizeof t, "All rows");
        else snprintf(t, sizeof t, "%s %s", jstr(g, "by"), jstr(g, "key"));
        int sel = want ? !strcmp(want, v) : i == 0;
        if (sel) chosen = g;
        option(&b, v, t, sel);
    }
    if (!chosen) chosen = json_array_get(json_object_get(c.doc, "groups"), 0);
    el_strbuf_put(&b, "</select></div><button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">Show</button></form>\n");
    policy_line(&b, c.doc);
    json_t *ds = json_object_get(c.doc, "dataset");
    el_strbuf_put(&b, "<dl class=\"nhsuk-summary-list\"><div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">Rows</dt><dd class=\"nhsuk-summary-list__value\" id=\"quality-rows\">");
    json_t *rows = json_object_get(chosen, "rows");
    if (json_is_object(rows)) cell_count(&b, rows, json_object_get(rows, "n"), mask);
    else cell_count(&b, chosen, rows, mask);
    el_strbuf_put(&b, "</dd></div><div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">Source</dt><dd class=\"nhsuk-summary-list__value\">");
    el_strbuf_esc(&b, jstr(ds, "source"));
    el_strbuf_put(&b, "</dd></div><div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">Rows rejected at import</dt><dd class=\"nhsuk-summary-list__value\">");
    cell_count(&b, ds, json_object_get(ds, "rows_rejected"), mask);
    el_strbuf_put(&b, "</dd></div></dl>\n");
    if (chosen) quality_group(&b, chosen, mask);
    el_strbuf_printf(&b, "<p><a href=\"/api/v1/datasets/%lld/quality\">This report as JSON</a></p>\n", (long long)c.id);
    el_page_end(&b, r);
    ctx_free(&c);
    return el_resp_new(200, HTML, &b);
}

/* ------------------------------------------------------------ board pack */

static el_resp *pack_page(el_req *r)
{
    if (!has_perm(r, EL_PERM_EXPORT)) return el_page_forbidden(r);
    el_dataset_meta *list = NULL;
    size_t n = 0;
    el_error err;
    el_error_clear(&err);
    int64_t id = dataset_param(r, &list, &n, &err);
    el_strbuf b;
    el_strbuf_init(&b);
    el_page_begin(&b, r, "Board pack", "pack");
    el_strbuf_put(&b, "<h1>Board pack</h1>\n<p>The equity report for a board, an ICB or the public: every metric by "
                      "every lens with confidence intervals, charts, gaps and the disclosure-control policy. "
                      "Downloads are recorded in the audit trail.</p>\n");
    if (id <= 0) {
        el_strbuf_put(&b, "<div class=\"nhsuk-inset-text\" id=\"no-data\"><p>No dataset to report on.</p></div>");
    } else {
        el_strbuf_put(&b, "<form method=\"get\" action=\"/pack\" class=\"el-filters\">");
        dataset_select(&b, list, n, id);
        el_strbuf_put(&b, "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\">Choose</button></form>\n"
                          "<ul class=\"nhsuk-list\" id=\"pack-links\">");
        static const char *const fmts[][2] = {{"html", "Web page (HTML)"}, {"xlsx", "Spreadsheet (XLSX)"}, {"pdf", "PDF"}};
        for (int i = 0; i < 3; i++)
            el_strbuf_printf(&b, "<li><a class=\"nhsuk-link\" id=\"pack-%s\" href=\"/pack/%lld.%s\" download>%s</a></li>",
                             fmts[i][0], (long long)id, fmts[i][0], fmts[i][1]);
        el_strbuf_put(&b, "</ul>\n");
    }
    free(list);
    el_page_end(&b, r);
    return el_resp_new(200, HTML, &b);
}

static int read_file_into(const char *path, el_strbuf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) el_strbuf_putn(b, buf, k);
    fclose(f);
    return 0;
}

/* Render the pack of dataset id in fmt ("html", "xlsx", "pdf"). */
static el_resp *pack_download(el_req *r, int64_t id, const char *fmt, int api)
{
    if (!has_perm(r, EL_PERM_EXPORT))
        return api ? el_resp_json_error(403, "forbidden", "your role may not export") : el_page_forbidden(r);
    el_error err;
    el_error_clear(&err);
    json_t *doc = el_web_analysis(r->web, id, &err);
    if (!doc) {
        unsigned st = err.status == EL_ERR_NOTFOUND ? 404 : 500;
        return api ? el_resp_json_error(st, el_status_str(err.status), err.msg) : el_page_error(r, st, "pack", err.msg);
    }
    json_t *docs = json_array();
    json_array_append_new(docs, json_deep_copy(doc));
    json_decref(doc);
    el_report_opts o;
    el_report_opts_default(&o);
    o.policy = *el_web_policy(r->web);
    el_report_guard_stats gs;
    el_status s = el_report_guard(docs, &o.policy, &gs, &err);
    if (s == EL_OK) s = el_report_filter(docs, &o, &err);   /* the board's default lenses, as the CLI */
    el_strbuf out;
    el_strbuf_init(&out);
    const char *ctype = "text/html; charset=utf-8";
    char tmpl[600] = "";
    if (s == EL_OK && !strcmp(fmt, "html")) {
        s = el_report_html(docs, &o, &out, &err);
    } else if (s == EL_OK) {
        const char *dir = r->cfg->spool_dir && *r->cfg->spool_dir ? r->cfg->spool_dir : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        snprintf(tmpl, sizeof tmpl, "%s/equitylens-pack-XXXXXX", dir);
        if (!mkdtemp(tmpl)) { s = el_error_set(&err, EL_ERR_IO, "cannot make a temporary directory"); tmpl[0] = 0; }
        char path[700], html[700];
        snprintf(path, sizeof path, "%s/pack.%s", tmpl, fmt);
        snprintf(html, sizeof html, "%s/pack.html", tmpl);
        if (s == EL_OK && !strcmp(fmt, "xlsx")) {
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            s = el_report_xlsx(docs, &o, path, &err);
        } else if (s == EL_OK) {
            ctype = "application/pdf";
            el_strbuf h;
            el_strbuf_init(&h);
            s = el_report_html(docs, &o, &h, &err);
            FILE *f = s == EL_OK ? fopen(html, "w") : NULL;
            if (f) { fwrite(el_strbuf_str(&h), 1, h.len, f); fclose(f); }
            else if (s == EL_OK) s = el_error_set(&err, EL_ERR_IO, "cannot write the HTML for the PDF");
            el_strbuf_release(&h);
            if (s == EL_OK) s = el_report_pdf(html, path, &err);
        }
        if (s == EL_OK && read_file_into(path, &out) != 0) s = el_error_set(&err, EL_ERR_IO, "cannot read the rendered pack");
        unlink(path);
        unlink(html);
        if (tmpl[0]) rmdir(tmpl);
    }
    json_decref(docs);
    if (s != EL_OK) {
        el_strbuf_release(&out);
        unsigned st = err.status == EL_ERR_NOTFOUND ? 501 : 500;
        char msg[700];
        snprintf(msg, sizeof msg, "The %s board pack could not be made: %s", fmt, err.msg);
        return api ? el_resp_json_error(st, "pack", msg) : el_page_error(r, st, "pack", msg);
    }
    char obj[64];
    snprintf(obj, sizeof obj, "dataset %lld board pack (%s)", (long long)id, fmt);
    el_req_audit(r, "export", obj, NULL);
    el_resp *resp = el_resp_new(200, ctype, &out);
    char cd[120];
    snprintf(cd, sizeof cd, "attachment; filename=\"equitylens-pack-%lld.%s\"", (long long)id, fmt);
    el_resp_header(resp, "Content-Disposition", cd);
    if (!strcmp(fmt, "html"))   /* the pack's own inline CSS */
        el_resp_header(resp, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    return resp;
}

/* ------------------------------------------------------------ routes */

el_resp *el_pages_analysis_route(el_req *r)
{
    const char *p = r->path;
    if (!strcmp(p, "/quality")) return quality_page(r);
    if (!strcmp(p, "/explore")) return explore_page(r);
    if (!strcmp(p, "/trends")) return trends_page(r);
    if (!strcmp(p, "/missing")) return missing_page(r);
    if (!strcmp(p, "/pack")) return pack_page(r);
    const char *rest = NULL;
    int64_t id = el_path_id(p, "/pack/", &rest);
    if (id > 0 && rest[0] == '.' && (!strcmp(rest, ".html") || !strcmp(rest, ".xlsx") || !strcmp(rest, ".pdf")))
        return pack_download(r, id, rest + 1, 0);
    return NULL;
}

/* The result entries of a document matching metric / lens / stratum filters
 * (each optional), with the lenses they use: a smaller document of the same
 * shape, without "trends" (served by /trends; docs/api.md). */
static json_t *filter_doc(json_t *doc, const char *metric, const char *lens, const char *stratum)
{
    /* a new top-level object sharing the unchanged members (no deep copy:
     * the cached document is never modified) */
    json_t *out = json_object();
    const char *key;
    json_t *val;
    json_object_foreach(doc, key, val)
        if (strcmp(key, "trends")) json_object_set(out, key, val);   /* trends: /trends */
    json_t *res = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "results"), i, x) {
        char sk[200];
        stratum_key(x, sk, sizeof sk);
        if (metric && strcmp(jstr(x, "metric"), metric)) continue;
        if (lens && strcmp(jstr(x, "lens"), lens)) continue;
        if (stratum && strcmp(sk, stratum)) continue;
        json_array_append(res, x);
    }
    json_object_set_new(out, "results", res);
    if (lens) {
        json_t *ls = json_array();
        json_array_foreach(json_object_get(doc, "lenses"), i, x) if (!strcmp(jstr(x, "lens"), lens)) json_array_append(ls, x);
        json_object_set_new(out, "lenses", ls);
    }
    return out;
}

el_resp *el_api_analysis_route(el_req *r, int64_t id, const char *rest)
{
    el_error err;
    el_error_clear(&err);
    if (!strncmp(rest, "/pack.", 6) && (!strcmp(rest + 6, "html") || !strcmp(rest + 6, "xlsx") || !strcmp(rest + 6, "pdf")))
        return pack_download(r, id, rest + 6, 1);
    int quality = !strcmp(rest, "/quality");
    if (!quality && strcmp(rest, "/analysis") && strcmp(rest, "/trends") && strcmp(rest, "/missing")) return NULL;
    json_t *doc = quality ? el_web_quality(r->web, id, &err) : el_web_analysis(r->web, id, &err);
    if (!doc) return el_resp_json_error(el_http_status(err.status ? err.status : EL_ERR_INTERNAL), el_status_str(err.status), err.msg);
    if (quality) return el_resp_json(200, doc);
    const char *metric = el_req_arg(r, "metric"), *lens = el_req_arg(r, "lens"), *stratum = el_req_arg(r, "stratum");
    json_t *out;
    if (!strcmp(rest, "/analysis")) {
        out = filter_doc(doc, metric && *metric ? metric : NULL, lens && *lens ? lens : NULL, stratum && *stratum ? stratum : NULL);
    } else if (!strcmp(rest, "/trends")) {
        json_t *t = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(doc, "trends"), i, x) {
            if (metric && *metric && strcmp(jstr(x, "metric"), metric)) continue;
            if (lens && *lens && strcmp(jstr(x, "lens"), lens)) continue;
            json_array_append(t, x);
        }
        out = json_pack("{s:O, s:o}", "disclosure", json_object_get(doc, "disclosure"), "trends", t);
    } else {
        json_t *m = json_object_get(doc, "missing");
        out = json_pack("{s:O, s:O}", "disclosure", json_object_get(doc, "disclosure"), "missing", m ? m : json_null());
    }
    json_decref(doc);
    return el_resp_json(200, out);
}
