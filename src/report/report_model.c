/* report_model.c — see include/equitylens/report_model.h. */
#include "equitylens/report_model.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/spc.h"

/* ---- small JSON accessors ---- */
static const char *js(const json_t *o, const char *k)
{
    json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}
static double jnum(const json_t *o, const char *k)
{
    json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;
    return json_is_number(v) ? json_number_value(v) : NAN;
}
static json_t *jo(const json_t *o, const char *k)
{
    return json_is_object(o) ? json_object_get(o, k) : NULL;
}
static size_t jlen(const json_t *a) { return json_is_array(a) ? json_array_size(a) : 0; }

/* a zeroed array of size-byte elements, one per element of arr (at least one, so never
 * calloc(0)); *n = the number of elements of arr; NULL when out of memory */
static void *array_for(const json_t *arr, size_t *n, size_t size)
{
    *n = jlen(arr);
    return calloc(*n ? *n : 1, size);
}
/* a suppressed marker: any non-null "suppressed" */
static int jsupp(const json_t *o)
{
    json_t *v = jo(o, "suppressed");
    return v && !json_is_null(v) && !json_is_false(v);
}

static char *own(el_rm *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *own(el_rm *m, const char *fmt, ...)
{
    if (m->n_owned == m->cap_owned) {
        size_t cap = m->cap_owned ? m->cap_owned * 2 : 32;
        char **n = realloc(m->owned, cap * sizeof *n);
        if (!n) return NULL;
        m->owned = n;
        m->cap_owned = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0) return NULL;
    m->owned[m->n_owned++] = s;
    return s;
}

void el_rm_free(el_rm *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_metrics; i++) {
        for (size_t j = 0; j < m->metrics[i].n_lenses; j++) free(m->metrics[i].lenses[j].groups);
        free(m->metrics[i].lenses);
    }
    free(m->metrics);
    free(m->gaps);
    for (size_t i = 0; i < m->n_trends; i++) free(m->trends[i].points);
    free(m->trends);
    free(m->quality);
    free(m->statements);
    free(m->summary_text);
    free(m->excess);
    for (size_t i = 0; i < m->n_missing; i++) free(m->missing[i].groups);
    free(m->missing);
    for (size_t i = 0; i < m->n_longest; i++) free(m->longest[i].groups);
    free(m->longest);
    free(m->refs);
    free(m->definitions);
    free(m->sources);
    for (size_t i = 0; i < m->n_owned; i++) free(m->owned[i]);
    free(m->owned);
    free(m);
}

/* grow an array by one zeroed element; returns it or NULL */
static void *push(void *arrp, size_t *n, size_t size)
{
    void **arr = arrp;
    void *na = realloc(*arr, (*n + 1) * size);
    if (!na) return NULL;
    *arr = na;
    void *e = (char *)na + *n * size;
    memset(e, 0, size);
    (*n)++;
    return e;
}

static const char *domain_of(const char *kind)
{
    if (!kind) return "other";
    if (!strcmp(kind, "waiting_list")) return "waiting_list";
    if (!strcmp(kind, "appointments")) return "appointments";
    if (!strcmp(kind, "cancer_pathways")) return "cancer";
    return "other";
}

static const char *kind_label(const char *kind)
{
    if (!kind) return "Dataset";
    if (!strcmp(kind, "waiting_list")) return "Waiting list";
    if (!strcmp(kind, "appointments")) return "Appointments";
    if (!strcmp(kind, "cancer_pathways")) return "Cancer pathways";
    return kind;
}

static const json_t *find_lens(const json_t *doc, const char *lens)
{
    json_t *ls = jo(doc, "lenses");
    for (size_t i = 0; i < jlen(ls); i++) {
        const char *id = js(json_array_get(ls, i), "lens");
        if (id && lens && !strcmp(id, lens)) return json_array_get(ls, i);
    }
    return NULL;
}

static const json_t *find_key(const json_t *arr, const char *key)
{
    for (size_t i = 0; i < jlen(arr); i++) {
        const char *k = js(json_array_get(arr, i), "key");
        if (k && key && !strcmp(k, key)) return json_array_get(arr, i);
    }
    return NULL;
}

/* key of a group object ("" when absent) */
static const char *group_key(const json_t *g) { return js(g, "key") ? js(g, "key") : ""; }

static const char *group_label(const json_t *lens, const char *key)
{
    const json_t *g = find_key(jo(lens, "groups"), key);
    const char *l = js(g, "label");
    return l ? l : key ? key : "";
}

static void interval(const json_t *iv, double *v, double *lo, double *hi)
{
    *v = jnum(iv, "value");
    *lo = jnum(iv, "lower");
    *hi = jnum(iv, "upper");
}

static void pretty_field(char *buf, size_t cap, const char *f)
{
    snprintf(buf, cap, "%s", f ? f : "stratum");
    for (char *p = buf; *p; p++) if (*p == '_') *p = ' ';
    if (buf[0] >= 'a' && buf[0] <= 'z') buf[0] = (char)(buf[0] - 'a' + 'A');
}

static el_rm_metric *metric_for(el_rm *m, const char *id, const char *domain)
{
    for (size_t i = 0; i < m->n_metrics; i++)
        if (!strcmp(m->metrics[i].id, id) && !strcmp(m->metrics[i].domain, domain)) return &m->metrics[i];
    return push(&m->metrics, &m->n_metrics, sizeof *m->metrics);
}

static el_status load_result(el_rm *m, const json_t *doc, const json_t *r, const char *domain, size_t ri, el_error *err)
{
    const char *id = js(r, "metric"), *lens_id = js(r, "lens");
    if (!id || !lens_id)
        return el_error_set(err, EL_ERR_INVALID, "result model: results[%zu] has no \"metric\" or \"lens\"", ri);
    size_t before = m->n_metrics;
    el_rm_metric *mt = metric_for(m, id, domain);
    if (!mt) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    const char *kind = js(r, "kind");
    int continuous = kind && !strcmp(kind, "continuous");
    if (m->n_metrics != before) {
        mt->id = id;
        mt->domain = domain;
        mt->label = js(r, "label") ? js(r, "label") : id;
        mt->unit = js(r, "unit") ? js(r, "unit") : "";
        mt->is_proportion = kind && !strcmp(kind, "proportion");
        mt->decimals = 1;
        mt->scale = 100;
        if (continuous) {
            snprintf(mt->unit_header, sizeof mt->unit_header, "Mean %s (95%% CI)", mt->unit);
            snprintf(mt->axis_label, sizeof mt->axis_label, "%s: mean (%s)", mt->label, mt->unit);
        } else {
            snprintf(mt->unit_header, sizeof mt->unit_header, "%s (95%% CI)", mt->unit);
            if (mt->unit[0] && strstr(mt->label, mt->unit) == mt->label)   /* "% waiting ..." */
                snprintf(mt->axis_label, sizeof mt->axis_label, "%s", mt->label);
            else
                snprintf(mt->axis_label, sizeof mt->axis_label, "%s (%s)", mt->label, mt->unit);
        }
    }
    el_rm_lens *l = push(&mt->lenses, &mt->n_lenses, sizeof *mt->lenses);
    if (!l) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    const json_t *lens = find_lens(doc, lens_id);
    l->lens = lens_id;
    l->label = js(lens, "label") ? js(lens, "label") : lens_id;
    l->reference = js(lens, "reference");
    l->reference_label = l->reference ? group_label(lens, l->reference) : "none";
    json_t *st = jo(r, "stratum");
    if (json_is_object(st)) {
        char f[96];
        pretty_field(f, sizeof f, js(st, "field"));
        l->stratum_label = own(m, "%s %s", f, js(st, "value") ? js(st, "value") : "?");
        l->stratum_field = own(m, "%s", f);
        l->stratum_value = js(st, "value") ? js(st, "value") : "?";
        if (!l->stratum_label || !l->stratum_field) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    }
    json_t *gs = jo(r, "groups"), *gaps = jo(r, "gaps");
    l->groups = array_for(gs, &l->n_groups, sizeof *l->groups);
    if (!l->groups) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < l->n_groups; i++) {
        const json_t *v = json_array_get(gs, i);
        el_rm_group *g = &l->groups[i];
        g->group = group_key(v);
        g->label = group_label(lens, g->group);
        g->numerator = jnum(v, "numerator");
        g->denominator = jnum(v, "n");
        const json_t *lg = find_key(jo(lens, "groups"), g->group);
        g->share = jnum(lg, "share");
        if (continuous && json_is_object(jo(v, "mean"))) interval(jo(v, "mean"), &g->value, &g->lower, &g->upper);
        else interval(v, &g->value, &g->lower, &g->upper);
        g->suppressed = jsupp(v) || isnan(g->value);
        g->is_reference = l->reference && !strcmp(l->reference, g->group);
        const json_t *gap = find_key(gaps, g->group);
        if (gap && !jsupp(gap) && json_is_object(jo(gap, "difference"))) {
            g->gap.present = 1;
            interval(jo(gap, "difference"), &g->gap.diff, &g->gap.lower, &g->gap.upper);
            interval(jo(gap, "ratio"), &g->gap.ratio, &g->gap.ratio_lower, &g->gap.ratio_upper);
            g->gap.significant = json_is_true(jo(gap, "significant"));
            const json_t *adj = jo(gap, "adjusted");
            if (json_is_object(adj) && json_is_object(jo(adj, "difference"))) {
                g->adjusted.present = 1;
                interval(jo(adj, "difference"), &g->adjusted.diff, &g->adjusted.lower, &g->adjusted.upper);
                interval(jo(adj, "ratio"), &g->adjusted.ratio, &g->adjusted.ratio_lower, &g->adjusted.ratio_upper);
                g->adjusted.significant = json_is_true(jo(adj, "significant"));
            }
            if (g->suppressed) g->gap.present = g->adjusted.present = 0;
        }
    }
    {
        const json_t *v = jo(r, "overall");
        el_rm_group *g = &l->overall;
        g->group = "overall";
        g->label = "All groups";
        g->numerator = jnum(v, "numerator");
        g->denominator = jnum(v, "n");
        g->share = json_is_object(v) ? 100.0 : NAN;
        if (continuous && json_is_object(jo(v, "mean"))) interval(jo(v, "mean"), &g->value, &g->lower, &g->upper);
        else interval(v, &g->value, &g->lower, &g->upper);
        g->suppressed = !json_is_object(v) || jsupp(v) || isnan(g->value);
    }
    const json_t *ineq = jo(r, "inequality");
    if (json_is_object(jo(ineq, "sii"))) {
        l->sii_present = 1;
        interval(jo(ineq, "sii"), &l->sii, &l->sii_lower, &l->sii_upper);
        interval(jo(ineq, "rii"), &l->rii, &l->rii_lower, &l->rii_upper);
    }
    const json_t *ex = jo(r, "excess");
    if (json_is_object(ex)) {
        el_rm_excess *e = push(&m->excess, &m->n_excess, sizeof *m->excess);
        if (!e) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        e->metric = id;
        e->metric_label = mt->label;
        e->lens = lens_id;
        e->lens_label = l->label;
        e->stratum_label = l->stratum_label;
        e->reference_label = l->reference_label;
        e->events = jnum(ex, "events");
        e->lower = jnum(ex, "lower");
        e->upper = jnum(ex, "upper");
        e->cost = jnum(ex, "cost");
        e->cost_lower = jnum(ex, "cost_lower");
        e->cost_upper = jnum(ex, "cost_upper");
        e->cost_per_event = jnum(ex, "cost_per_event");
        e->suppressed = jsupp(ex);
    }
    return EL_OK;
}

static const char *trend_word(const char *variation, double last_gap)
{
    if (!variation || !strcmp(variation, "common_cause") || isnan(last_gap)) return "unchanged";
    int high = strstr(variation, "_high") != NULL;
    /* the gap is group − reference: moving toward 0 is narrowing */
    if (last_gap >= 0) return high ? "widening" : "narrowing";
    return high ? "narrowing" : "widening";
}

static el_status load_trend(el_rm *m, const json_t *doc, const json_t *t, const json_t *s, el_error *err)
{
    el_rm_trend *tr = push(&m->trends, &m->n_trends, sizeof *m->trends);
    if (!tr) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    tr->metric = js(t, "metric");
    tr->lens = js(t, "lens");
    tr->group = js(s, "key");
    const json_t *lens = find_lens(doc, tr->lens);
    const char *mlabel = tr->metric;
    const char *unit = NULL;
    json_t *res = jo(doc, "results");
    for (size_t i = 0; i < jlen(res); i++) {
        const json_t *r = json_array_get(res, i);
        if (tr->metric && js(r, "metric") && !strcmp(js(r, "metric"), tr->metric)) {
            mlabel = js(r, "label") ? js(r, "label") : mlabel;
            unit = js(r, "unit");
            break;
        }
    }
    const char *ref = js(s, "reference");
    tr->label = own(m, "Gap in %s: %s minus %s", mlabel ? mlabel : "metric", group_label(lens, tr->group),
                    ref ? group_label(lens, ref) : "reference");
    tr->unit = unit && !strcmp(unit, "%") ? "gap (percentage points)" : own(m, "gap (%s)", unit ? unit : "units");
    if (!tr->label || !tr->unit) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    tr->variation = js(s, "variation");
    tr->assurance = js(s, "assurance");
    if (tr->assurance && !strcmp(tr->assurance, "none")) tr->assurance = NULL;
    tr->target = jnum(s, "target");
    json_t *pts = jo(s, "points");
    tr->points = array_for(pts, &tr->n_points, sizeof *tr->points);
    if (!tr->points) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    int need_limits = 0;
    for (size_t i = 0; i < tr->n_points; i++) {
        const json_t *p = json_array_get(pts, i);
        el_rm_spc_point *q = &tr->points[i];
        q->period = js(p, "period") ? js(p, "period") : "";
        q->value = jsupp(p) ? NAN : jnum(p, "value");
        q->mean = jnum(p, "mean");
        q->lpl = jnum(p, "lpl");
        q->upl = jnum(p, "upl");
        q->point_type = js(p, "point_type");
        if (isnan(q->mean) || isnan(q->lpl) || isnan(q->upl)) need_limits = 1;
    }
    /* limits missing in the model: compute them (XmR, NHSRplotthedots defaults)
     * over the points that have a value */
    if (need_limits && tr->n_points >= 2) {
        double *y = calloc(tr->n_points, sizeof *y);
        size_t *idx = calloc(tr->n_points, sizeof *idx);
        el_spc_point *out = calloc(tr->n_points, sizeof *out);
        size_t k = 0;
        if (!y || !idx || !out) { free(y); free(idx); free(out); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        for (size_t i = 0; i < tr->n_points; i++)
            if (!isnan(tr->points[i].value)) { y[k] = tr->points[i].value; idx[k++] = i; }
        el_spc_opts o;
        el_spc_opts_default(&o);
        el_spc_summary sum;
        if (k >= 2 && el_spc_compute(y, NULL, k, &o, out, &sum, NULL) == EL_OK) {
            for (size_t j = 0; j < k; j++) {
                el_rm_spc_point *q = &tr->points[idx[j]];
                q->mean = out[j].mean;
                q->lpl = out[j].lpl;
                q->upl = out[j].upl;
                q->point_type = el_spc_point_type_name(out[j].point_type);
            }
            if (!tr->variation) tr->variation = el_spc_variation_name(sum.variation);
        }
        free(y);
        free(idx);
        free(out);
    }
    double last = NAN;
    for (size_t i = tr->n_points; i-- > 0;) if (!isnan(tr->points[i].value)) { last = tr->points[i].value; break; }
    tr->trend = trend_word(tr->variation, last);
    return EL_OK;
}

/* ---- validation of a result document (el_rm_check) ---- */

/* keys that hold counts of people, events or areas */
static const char *const CHECK_COUNTS[] = {"n", "numerator", "observed", "longest", "all", "n_longest", "n_all",
                                           "rows", "population", "lsoas", "strata_used"};
#define CHECK_MAX 1e15   /* no count of a service is larger */

static int in_list(const char *k, const char *const *l, size_t n)
{
    for (size_t i = 0; i < n; i++) if (!strcmp(k, l[i])) return 1;
    return 0;
}

/* one number under key k (pkey: key of the enclosing object or array);
 * NULL if it is plausible, else what it must be */
static const char *check_number(const char *k, const char *pkey, int proportion, double v)
{
    int iv = !strcmp(k, "value") || !strcmp(k, "lower") || !strcmp(k, "upper");
    if (!isfinite(v)) return "must be a finite number";
    if (in_list(k, CHECK_COUNTS, sizeof CHECK_COUNTS / sizeof CHECK_COUNTS[0]) && (v < 0 || v > CHECK_MAX || v != floor(v)))
        return "must be a whole number from 0 to 1e15 (a count)";
    if (!strcmp(k, "confidence") && !(v > 0 && v < 1)) return "must be between 0 and 1 (exclusive)";
    if (!strcmp(k, "p_value") && !(v >= 0 && v <= 1)) return "must be between 0 and 1 (a p-value)";
    if ((!strcmp(k, "share") || !strcmp(k, "longest_share") || !strcmp(k, "all_share")) && !(v >= 0 && v <= 100))
        return "must be between 0 and 100 (a percentage)";
    if (!strcmp(k, "expected") && v < 0) return "must be >= 0 (an expected count)";
    if (iv && pkey && (!strcmp(pkey, "ratio") || !strcmp(pkey, "rate_per_1000")) && v < 0) return "must be >= 0";
    if (iv && proportion && pkey && (!strcmp(pkey, "groups") || !strcmp(pkey, "overall")) && !(v >= 0 && v <= 100))
        return "must be between 0 and 100 (a percentage)";
    return NULL;
}

static el_status check_walk(const json_t *j, char *path, size_t len, size_t cap, const char *pkey, int proportion,
                            el_error *err)
{
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            snprintf(path + len, cap - len, "[%zu]", i);
            el_status s = check_walk(json_array_get(j, i), path, strlen(path), cap, pkey, proportion, err);
            if (s != EL_OK) return s;
        }
        path[len] = '\0';
        return EL_OK;
    }
    if (!json_is_object(j)) return EL_OK;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) {
        snprintf(path + len, cap - len, "%s%s", len ? "." : "", k);
        const char *why = json_is_number(v) ? check_number(k, pkey, proportion, json_number_value(v)) : NULL;
        if (why) return el_error_set(err, EL_ERR_INVALID, "%s: %s", path, why);
        el_status s = check_walk(v, path, strlen(path), cap, k, proportion, err);
        if (s != EL_OK) return s;
    }
    path[len] = '\0';
    return EL_OK;
}

el_status el_rm_check(const json_t *doc, el_error *err)
{
    if (!json_is_object(doc)) return el_error_set(err, EL_ERR_INVALID, "not a JSON object");
    json_t *ls = jo(doc, "lenses");
    for (size_t i = 0; i < jlen(ls); i++) {
        const char *id = js(json_array_get(ls, i), "lens");
        if (!id || !id[0]) return el_error_set(err, EL_ERR_INVALID, "lenses[%zu]: no 'lens' id", i);
    }
    json_t *res = jo(doc, "results");
    for (size_t i = 0; i < jlen(res); i++) {
        const json_t *r = json_array_get(res, i);
        if (!js(r, "metric") || !js(r, "lens"))
            return el_error_set(err, EL_ERR_INVALID, "results[%zu]: no 'metric' or 'lens'", i);
    }
    char path[512] = "";
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)doc, k, v) {
        int is_res = !strcmp(k, "results") && json_is_array(v);
        size_t n = is_res ? json_array_size(v) : 1;
        for (size_t i = 0; i < n; i++) {
            const json_t *sub = is_res ? json_array_get(v, i) : v;
            const char *kind = is_res ? js(sub, "kind") : NULL;
            if (is_res) snprintf(path, sizeof path, "results[%zu]", i);
            else snprintf(path, sizeof path, "%s", k);
            const char *why = json_is_number(sub) ? check_number(k, NULL, 0, json_number_value(sub)) : NULL;
            if (why) return el_error_set(err, EL_ERR_INVALID, "%s: %s", path, why);
            el_status s = check_walk(sub, path, strlen(path), sizeof path, k, kind && !strcmp(kind, "proportion"), err);
            if (s != EL_OK) return s;
        }
    }
    return EL_OK;
}

static int is_not_stated(const char *k) { return k && (!strcmp(k, "Not stated") || !strcmp(k, "Z")); }
static int is_not_known(const char *k) { return k && (!strcmp(k, "Not known") || !strcmp(k, "99")); }

/* the strings of a JSON array appended to a model list (borrowed); 0 when out of memory */
static int push_strings(const char ***list, size_t *n, const json_t *arr)
{
    for (size_t i = 0; i < jlen(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s) continue;
        const char **e = push(list, n, sizeof **list);
        if (!e) return 0;
        *e = s;
    }
    return 1;
}

/* the strings of a JSON array as "a, b, c" (truncated to cap) */
static void join_strings(char *buf, size_t cap, const json_t *arr)
{
    buf[0] = '\0';
    for (size_t i = 0; i < jlen(arr); i++) {
        const char *c = json_string_value(json_array_get(arr, i));
        if (c) snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? ", " : "", c);
    }
}

/* label of a who-is-missing or longest-waiters table: its lens's label; the
 * census-grouped tables are not lenses of the result, so they are named here */
static const char *table_label(const json_t *lens, const char *id)
{
    if (js(lens, "label")) return js(lens, "label");
    if (id && !strcmp(id, "ethnic_group_census")) return "ethnic group (census 2021 grouping)";
    if (id && !strcmp(id, "age_group_census")) return "age group (census bands)";
    return id ? id : "group";
}

/* lens of a who-is-missing or longest-waiters table t: *id its "lens", *label its table_label */
static const json_t *table_lens(const json_t *doc, const json_t *t, const char **id, const char **label)
{
    *id = js(t, "lens");
    const json_t *lens = find_lens(doc, *id);
    *label = table_label(lens, *id);
    return lens;
}

static el_status load_doc(el_rm *m, const json_t *doc, size_t di, el_error *err)
{
    const char *schema = js(doc, "schema");
    if (!schema || strncmp(schema, "equitylens.analysis/", 20))
        return el_error_set(err, EL_ERR_INVALID, "result %zu: not an equitylens analysis result (\"schema\" is %s%s%s)",
                            di + 1, schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "");
    el_error why;
    if (el_rm_check(doc, &why) != EL_OK)
        return el_error_set(err, EL_ERR_INVALID, "result %zu: %s", di + 1, why.msg);
    const json_t *ds = jo(doc, "dataset");
    const char *kind = js(ds, "kind");
    const char *domain = domain_of(kind);
    el_rm_source *src = push(&m->sources, &m->n_sources, sizeof *m->sources);
    if (!src) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    src->kind = kind_label(kind);
    src->source = js(ds, "source");
    src->rows = jnum(ds, "rows");
    const json_t *per = jo(ds, "period");
    const char *from = js(per, "from"), *to = js(per, "to");
    if (from && (!m->period_start || strcmp(from, m->period_start) < 0)) m->period_start = from;
    if (to && (!m->period_end || strcmp(to, m->period_end) > 0)) m->period_end = to;
    if (js(ds, "census_date") && !m->census_date) m->census_date = js(ds, "census_date");
    if (js(ds, "imd_edition") && !m->imd_edition) m->imd_edition = js(ds, "imd_edition");
    if (!m->generator) m->generator = js(doc, "generator");
    double conf = jnum(jo(doc, "options"), "confidence");
    if (!isnan(conf)) m->confidence = conf;

    json_t *res = jo(doc, "results");
    for (size_t i = 0; i < jlen(res); i++) {
        el_status s = load_result(m, doc, json_array_get(res, i), domain, i, err);
        if (s != EL_OK) return s;
    }
    /* data gaps: what is unknown, per lens */
    json_t *ls = jo(doc, "lenses");
    for (size_t i = 0; i < jlen(ls); i++) {
        const json_t *lens = json_array_get(ls, i);
        json_t *fields = jo(lens, "fields");
        if (jlen(fields) > 1) continue;   /* crossed lenses: the single lenses say it */
        el_rm_quality *q = push(&m->quality, &m->n_quality, sizeof *m->quality);
        if (!q) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        q->kind = kind_label(kind);
        q->lens_label = js(lens, "label") ? js(lens, "label") : js(lens, "lens");
        double ns = 0, nk = 0;
        int sup_ns = 0, sup_nk = 0;
        json_t *gs = jo(lens, "groups");
        for (size_t k = 0; k < jlen(gs); k++) {
            const json_t *g = json_array_get(gs, k);
            const char *key = js(g, "key");
            int unknown = json_is_true(jo(g, "unknown"));
            if (!unknown && !is_not_stated(key) && !is_not_known(key)) continue;
            double sh = jnum(g, "share");
            if (jsupp(g) || isnan(sh)) {
                q->suppressed = 1;
                if (is_not_stated(key)) sup_ns = 1; else sup_nk = 1;
                continue;
            }
            if (is_not_stated(key)) ns += sh; else nk += sh;
        }
        q->not_stated = ns;
        q->not_known = nk;
        q->recorded = (sup_ns || sup_nk) ? NAN : 100.0 - ns - nk;
        if (sup_ns) q->not_stated = NAN;
        if (sup_nk) q->not_known = NAN;
        /* reference group of the lens */
        const char *ref = js(lens, "reference");
        if (ref) {
            int dup = 0;
            for (size_t k = 0; k < m->n_refs; k++) if (m->refs[k].lens_label && q->lens_label && !strcmp(m->refs[k].lens_label, q->lens_label)) dup = 1;
            if (!dup) {
                el_rm_ref *rf = push(&m->refs, &m->n_refs, sizeof *m->refs);
                if (!rf) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
                rf->lens_label = q->lens_label;
                rf->reference_label = group_label(lens, ref);
            }
        }
    }
    if (!push_strings(&m->statements, &m->n_statements, jo(doc, "notes")) ||
        !push_strings(&m->summary_text, &m->n_summary_text, jo(jo(doc, "summary"), "text")))
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    /* who is missing */
    const json_t *mi = jo(doc, "missing");
    json_t *tabs = jo(mi, "tables");
    for (size_t i = 0; i < jlen(tabs); i++) {
        const json_t *t = json_array_get(tabs, i);
        el_rm_missing *w = push(&m->missing, &m->n_missing, sizeof *m->missing);
        if (!w) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        const json_t *lens = table_lens(doc, t, &w->lens, &w->label);
        w->measure = js(t, "standardised");
        w->activity = js(mi, "activity");
        json_t *gs = jo(t, "groups");
        w->groups = array_for(gs, &w->n_groups, sizeof *w->groups);
        if (!w->groups) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < w->n_groups; k++) {
            const json_t *g = json_array_get(gs, k);
            el_rm_missing_group *q = &w->groups[k];
            q->group = group_key(g);
            q->label = group_label(lens, q->group);
            q->observed = jnum(g, "observed");
            q->population = jnum(g, "population");
            q->expected = jnum(g, "expected");
            interval(jo(g, "ratio"), &q->ratio, &q->lower, &q->upper);
            interval(jo(g, "rate_per_1000"), &q->rate, &q->rate_lower, &q->rate_upper);
            q->suppressed = jsupp(g) || isnan(q->observed);
        }
    }
    if (!push_strings(&m->statements, &m->n_statements, jo(mi, "notes")))
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    /* longest waiters vs all */
    const json_t *lw = jo(doc, "longest_waiters");
    json_t *lwt = jo(lw, "tables");
    for (size_t i = 0; i < jlen(lwt); i++) {
        const json_t *t = json_array_get(lwt, i);
        el_rm_longest *w = push(&m->longest, &m->n_longest, sizeof *m->longest);
        if (!w) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        const json_t *lens = table_lens(doc, t, &w->lens, &w->label);
        w->rule = js(lw, "rule");
        w->threshold_weeks = jnum(lw, "threshold_weeks");
        w->n_longest = jnum(lw, "n_longest");
        w->n_all = jnum(lw, "n_all");
        w->chi_square = jnum(t, "chi_square");
        w->df = jnum(t, "df");
        w->p_value = jnum(t, "p_value");
        json_t *gs = jo(t, "groups");
        w->groups = array_for(gs, &w->n_groups, sizeof *w->groups);
        if (!w->groups) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < w->n_groups; k++) {
            const json_t *g = json_array_get(gs, k);
            el_rm_longest_group *q = &w->groups[k];
            q->group = group_key(g);
            q->label = group_label(lens, q->group);
            q->longest = jnum(g, "longest");
            q->longest_share = jnum(g, "longest_share");
            q->all = jnum(g, "all");
            q->all_share = jnum(g, "all_share");
            q->suppressed = jsupp(g);
        }
    }
    /* trends of the gaps */
    json_t *trs = jo(doc, "trends");
    for (size_t i = 0; i < jlen(trs); i++) {
        const json_t *t = json_array_get(trs, i);
        json_t *gsr = jo(t, "gap_series");
        for (size_t k = 0; k < jlen(gsr); k++) {
            el_status s = load_trend(m, doc, t, json_array_get(gsr, k), err);
            if (s != EL_OK) return s;
        }
    }
    /* definitions from the options */
    const json_t *op = jo(doc, "options");
    json_t *dna = jo(op, "dna_codes"), *att = jo(op, "attended_codes");
    if (jlen(dna)) {
        char a[64], b[64];
        join_strings(a, sizeof a, dna);
        join_strings(b, sizeof b, att);
        el_rm_definition *d = push(&m->definitions, &m->n_definitions, sizeof *m->definitions);
        if (!d) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        d->term = "DNA rate";
        d->definition = own(m, "Appointments with attended-or-did-not-attend code %s (did not attend) over those with "
                               "codes %s (attended) plus the DNAs.", a, b[0] ? b : "5, 6");
    }
    double cost = jnum(op, "cost_per_dna");
    if (!isnan(cost)) {
        el_rm_definition *d = push(&m->definitions, &m->n_definitions, sizeof *m->definitions);
        if (!d) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        d->term = "Cost of a DNA";
        d->definition = own(m, "\xC2\xA3%.0f per missed appointment (configurable).", cost);
    }
    json_t *adj = jo(op, "adjust_for");
    if (jlen(adj)) {
        char a[160];
        join_strings(a, sizeof a, adj);
        int dup = 0;
        for (size_t i = 0; i < m->n_definitions; i++) if (!strcmp(m->definitions[i].term, "Adjusted gap")) dup = 1;
        if (!dup) {
            el_rm_definition *d = push(&m->definitions, &m->n_definitions, sizeof *m->definitions);
            if (!d) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
            d->term = "Adjusted gap";
            d->definition = own(m, "The gap compared within strata of %s and combined (see Methods).", a);
        }
    }
    return EL_OK;
}

static int gap_cmp(const void *a, const void *b)
{
    const el_rm_gapref *x = a, *y = b;
    if (x->size > y->size) return -1;
    if (x->size < y->size) return 1;
    if (x->metric != y->metric) return x->metric < y->metric ? -1 : 1;
    if (x->lens != y->lens) return x->lens < y->lens ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

el_status el_rm_load(const json_t *results, const el_disclosure_policy *policy, const char *title,
                     el_rm **out, el_error *err)
{
    *out = NULL;
    if (!json_is_object(results) && !json_is_array(results))
        return el_error_set(err, EL_ERR_INVALID, "result model: expected a JSON object or an array of them");
    el_rm *m = calloc(1, sizeof *m);
    if (!m) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    m->title = title ? title : "Health inequalities report";
    m->confidence = 0.95;
    el_disclosure_policy dflt;
    if (!policy) { el_disclosure_policy_default(&dflt); policy = &dflt; }
    el_disclosure_policy_describe(policy, m->policy_text, sizeof m->policy_text);
    el_status s = EL_OK;
    if (json_is_array(results)) {
        if (!json_array_size(results)) s = el_error_set(err, EL_ERR_INVALID, "result model: no result documents");
        for (size_t i = 0; s == EL_OK && i < json_array_size(results); i++) s = load_doc(m, json_array_get(results, i), i, err);
    } else {
        s = load_doc(m, results, 0, err);
    }
    if (s != EL_OK) { el_rm_free(m); return s; }
    /* significant raw gaps of unstratified lenses, by size of the ratio away
     * from 1 (comparable across units), then difference */
    for (size_t i = 0; i < m->n_metrics; i++)
        for (size_t j = 0; j < m->metrics[i].n_lenses; j++) {
            const el_rm_lens *l = &m->metrics[i].lenses[j];
            if (l->stratum_label) continue;
            for (size_t k = 0; k < l->n_groups; k++) {
                const el_rm_group *g = &l->groups[k];
                if (!g->gap.present || !g->gap.significant || g->suppressed) continue;
                el_rm_gapref *r = push(&m->gaps, &m->n_gaps, sizeof *m->gaps);
                if (!r) { el_rm_free(m); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
                r->metric = i;
                r->lens = j;
                r->group = k;
                double rt = g->gap.ratio;
                r->size = (!isnan(rt) && rt > 0) ? fabs(log(rt)) : fabs(g->gap.diff) / 100.0;
            }
        }
    if (m->n_gaps) qsort(m->gaps, m->n_gaps, sizeof *m->gaps, gap_cmp);
    for (size_t i = 0; i < m->n_owned; i++)
        if (!m->owned[i]) { el_rm_free(m); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    *out = m;
    return EL_OK;
}
