/* analysis_output.c — JSON result model, CSV tables and text summary of a
 * disclosed el_analysis (owner: analysis helper). Shape: docs/result-model.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "equitylens/analysis_output.h"
#include "equitylens/parse.h"
#include "equitylens/quality.h"

#ifndef EL_VERSION
#define EL_VERSION "0.1.0"
#endif

static const char *st_name(el_dc_state s)
{
    return s == EL_DC_PRIMARY ? "primary" : s == EL_DC_SECONDARY ? "secondary" : NULL;
}

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static json_t *jcount(int64_t v) { return v >= 0 ? json_integer(v) : json_null(); }
static json_t *jstate(el_dc_state s) { return st_name(s) ? json_string(st_name(s)) : json_null(); }

static json_t *jiv(const el_interval *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "value", jnum(v->value));
    json_object_set_new(o, "lower", jnum(v->lower));
    json_object_set_new(o, "upper", jnum(v->upper));
    json_object_set_new(o, "method", isfinite(v->value) && v->method && *v->method ? json_string(v->method) : json_null());
    return o;
}

static const char *unit_of(el_metric_id m) { return el_metric_continuous(m) ? "weeks" : "%"; }

static json_t *jvalue(const el_an_value *v, const char *key, int cont)
{
    json_t *o = json_object();
    if (key) json_object_set_new(o, "key", json_string(key));
    json_object_set_new(o, "n", jcount(v->n));
    if (!cont) {
        json_object_set_new(o, "numerator", jcount(v->x));
        json_object_set_new(o, "design_effect", v->st == EL_DC_SHOWN && isfinite(v->deff) && v->deff > 0
                                                     ? json_real(round(v->deff * 1000) / 1000) : json_null());
    }
    json_object_set_new(o, "value", jnum(v->value.value));
    json_object_set_new(o, "lower", jnum(v->value.lower));
    json_object_set_new(o, "upper", jnum(v->value.upper));
    json_object_set_new(o, "method", isfinite(v->value.value) ? json_string(v->value.method) : json_null());
    if (cont) {
        json_object_set_new(o, "mean", jiv(&v->mean));
        json_object_set_new(o, "median", jiv(&v->median));
        json_object_set_new(o, "p92", jiv(&v->p92));
    }
    json_object_set_new(o, "suppressed", jstate(v->st));
    return o;
}

static json_t *jdate(int32_t d)
{
    if (d == EL_NA) return json_null();
    char b[16];
    el_format_date(d, b);
    return json_string(b);
}

static json_t *jcodes(const char c[EL_AN_MAX_CODES][4])
{
    json_t *a = json_array();
    for (int i = 0; i < EL_AN_MAX_CODES && c[i][0]; i++) json_array_append_new(a, json_string(c[i]));
    return a;
}

el_status el_analysis_to_json(const el_analysis *a, const char *source, json_t **out, el_error *err)
{
    *out = NULL;
    if (!a->disclosed) return el_error_set(err, EL_ERR_INVALID, "analysis has not been through disclosure control");
    const el_disclosure_policy *p = &a->policy;
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_string("equitylens.analysis/1"));
    json_object_set_new(root, "generator", json_string("equitylens " EL_VERSION));
    json_object_set_new(root, "disclosure", el_quality_policy_json(p));

    json_t *ds = json_object();
    json_object_set_new(ds, "kind", json_string(el_kind_name(a->kind)));
    int64_t rp;
    json_object_set_new(ds, "rows", el_disclosure_count(p, (int64_t)a->rows, &rp) == EL_DC_SHOWN ? json_integer(rp) : json_null());
    json_object_set_new(ds, "source", source ? json_string(source) : json_null());
    json_object_set_new(ds, "census_date", jdate(a->census_date));
    json_t *per = json_object();
    json_object_set_new(per, "from", jdate(a->period_from));
    json_object_set_new(per, "to", jdate(a->period_to));
    json_object_set_new(ds, "period", per);
    json_object_set_new(root, "dataset", ds);

    const el_analysis_opts *o = &a->opts;
    json_t *oj = json_object();
    json_object_set_new(oj, "confidence", json_real(o->confidence > 1 ? o->confidence / 100 : o->confidence));
    json_t *adj = json_array();
    if (o->adjust) {
        json_array_append_new(adj, json_string(a->kind == EL_KIND_CANCER_PATHWAYS ? "cancer_site" : "treatment_function_code"));
        json_array_append_new(adj, json_string("clinical_priority"));
    }
    json_object_set_new(oj, "adjust_for", adj);
    json_object_set_new(oj, "cost_per_dna", json_real(o->cost_per_dna));
    json_object_set_new(oj, "longest_share", json_real(o->longest_share));
    json_object_set_new(oj, "longest_weeks", o->longest_weeks > 0 ? json_real(o->longest_weeks) : json_null());
    json_object_set_new(oj, "dna_codes", jcodes(o->dna_codes));
    json_object_set_new(oj, "attended_codes", jcodes(o->attended_codes));
    json_object_set_new(root, "options", oj);

    /* lenses */
    json_t *lj = json_array();
    for (size_t i = 0; i < a->nlenses; i++) {
        const el_an_lens *L = &a->lenses[i];
        json_t *x = json_object();
        json_object_set_new(x, "lens", json_string(L->id));
        json_object_set_new(x, "label", json_string(L->label));
        json_t *f = json_array();
        json_array_append_new(f, json_string(el_lens_name((el_lens_id)L->fields[0])));
        if (L->fields[1] >= 0) json_array_append_new(f, json_string(el_lens_name((el_lens_id)L->fields[1])));
        json_object_set_new(x, "fields", f);
        json_object_set_new(x, "ordered", json_boolean(L->ordered));
        json_object_set_new(x, "reference", L->ref >= 0 ? json_string(L->groups[L->ref].key) : json_null());
        json_object_set_new(x, "total", jcount(L->total));
        json_t *gs = json_array();
        for (size_t g = 0; g < L->ngroups; g++) {
            const el_an_group *G = &L->groups[g];
            json_t *gj = json_object();
            json_object_set_new(gj, "key", json_string(G->key));
            json_object_set_new(gj, "label", json_string(G->label));
            json_object_set_new(gj, "order", json_integer(G->order));
            json_object_set_new(gj, "unknown", json_boolean(G->unknown));
            json_object_set_new(gj, "n", jcount(G->n));
            json_object_set_new(gj, "share", jnum(G->share));
            json_object_set_new(gj, "suppressed", jstate(G->st));
            json_array_append_new(gs, gj);
        }
        json_object_set_new(x, "groups", gs);
        json_array_append_new(lj, x);
    }
    json_object_set_new(root, "lenses", lj);

    /* results */
    json_t *rj = json_array();
    for (size_t r = 0; r < a->nresults; r++) {
        const el_an_result *R = &a->results[r];
        const el_an_lens *L = &a->lenses[R->lens];
        int cont = el_metric_continuous(R->metric);
        json_t *x = json_object();
        json_object_set_new(x, "metric", json_string(el_metric_name(R->metric)));
        json_object_set_new(x, "label", json_string(el_metric_label(R->metric)));
        json_object_set_new(x, "unit", json_string(unit_of(R->metric)));
        json_object_set_new(x, "kind", json_string(cont ? "continuous" : "proportion"));
        json_object_set_new(x, "higher_is_better", json_boolean(el_metric_higher_is_better(R->metric)));
        json_object_set_new(x, "lens", json_string(L->id));
        if (R->stratum_field[0]) {
            json_t *s = json_object();
            json_object_set_new(s, "field", json_string(R->stratum_field));
            json_object_set_new(s, "value", json_string(R->stratum_value));
            json_object_set_new(x, "stratum", s);
        } else {
            json_object_set_new(x, "stratum", json_null());
        }
        json_object_set_new(x, "overall", jvalue(&R->overall, NULL, cont));
        json_t *gs = json_array();
        for (size_t g = 0; g < L->ngroups; g++) json_array_append_new(gs, jvalue(&R->groups[g], L->groups[g].key, cont));
        json_object_set_new(x, "groups", gs);
        json_t *gaps = json_array();
        for (size_t k = 0; k < R->ngaps; k++) {
            const el_an_gap *G = &R->gaps[k];
            json_t *gj = json_object();
            json_object_set_new(gj, "key", json_string(L->groups[G->group].key));
            json_object_set_new(gj, "reference", L->ref >= 0 ? json_string(L->groups[L->ref].key) : json_null());
            json_object_set_new(gj, "difference", jiv(&G->diff));
            json_object_set_new(gj, "ratio", jiv(&G->ratio));
            json_object_set_new(gj, "p_value", G->st == EL_DC_SHOWN ? jnum(G->p_value) : json_null());
            json_object_set_new(gj, "significant", G->st == EL_DC_SHOWN ? json_boolean(G->significant) : json_null());
            if (G->has_adjusted) {
                json_t *aj = json_object();
                json_object_set_new(aj, "difference", jiv(&G->adj_diff));
                json_object_set_new(aj, "ratio", jiv(&G->adj_ratio));
                json_object_set_new(aj, "significant", G->st == EL_DC_SHOWN ? json_boolean(G->adj_significant) : json_null());
                json_t *sa = json_array();
                json_array_append_new(sa, json_string(a->kind == EL_KIND_CANCER_PATHWAYS ? "cancer_site" : "treatment_function_code"));
                json_array_append_new(sa, json_string("clinical_priority"));
                json_object_set_new(aj, "strata", sa);
                json_object_set_new(aj, "strata_used", json_integer(G->strata_used));
                json_object_set_new(gj, "adjusted", aj);
            } else {
                json_object_set_new(gj, "adjusted", json_null());
            }
            json_object_set_new(gj, "suppressed", jstate(G->st));
            json_array_append_new(gaps, gj);
        }
        json_object_set_new(x, "gaps", gaps);
        if (R->nineq) {
            json_t *ij = json_object();
            for (size_t k = 0; k < R->nineq; k++) {
                json_t *iv = jiv(&R->ineq[k].iv);
                if (R->ineq[k].note[0]) json_object_set_new(iv, "note", json_string(R->ineq[k].note));
                json_object_set_new(ij, R->ineq[k].name, iv);
            }
            json_object_set_new(x, "inequality", ij);
        } else {
            json_object_set_new(x, "inequality", json_null());
        }
        if (R->has_excess) {
            json_t *e = json_object();
            json_object_set_new(e, "events", jnum(R->excess.value));
            json_object_set_new(e, "lower", jnum(R->excess.lower));
            json_object_set_new(e, "upper", jnum(R->excess.upper));
            if (isfinite(R->cost) || R->metric == EL_M_DNA || R->metric == EL_M_DNA_FIRST || R->metric == EL_M_DNA_FOLLOWUP) {
                json_object_set_new(e, "cost", jnum(R->cost));
                json_object_set_new(e, "cost_lower", jnum(R->cost_lower));
                json_object_set_new(e, "cost_upper", jnum(R->cost_upper));
                json_object_set_new(e, "cost_per_event", json_real(o->cost_per_dna));
            }
            json_object_set_new(e, "suppressed", jstate(R->excess_st));
            json_object_set_new(x, "excess", e);
        } else {
            json_object_set_new(x, "excess", json_null());
        }
        json_array_append_new(rj, x);
    }
    json_object_set_new(root, "results", rj);

    /* summary */
    size_t ri[3], gi[3];
    size_t nt = el_analysis_top_gaps(a, 3, ri, gi);
    json_t *sj = json_object(), *tg = json_array(), *tx = json_array();
    for (size_t k = 0; k < nt; k++) {
        const el_an_result *R = &a->results[ri[k]];
        const el_an_lens *L = &a->lenses[R->lens];
        const el_an_gap *G = &R->gaps[gi[k]];
        json_t *g = json_object();
        json_object_set_new(g, "metric", json_string(el_metric_name(R->metric)));
        json_object_set_new(g, "lens", json_string(L->id));
        json_object_set_new(g, "key", json_string(L->groups[G->group].key));
        json_object_set_new(g, "reference", json_string(L->groups[L->ref].key));
        json_object_set_new(g, "ratio", jiv(&G->ratio));
        json_object_set_new(g, "difference", jiv(&G->diff));
        json_array_append_new(tg, g);
        char line[512];
        snprintf(line, sizeof line, "%s: %s %s vs %s: %.*f vs %.*f%s (ratio %.2f, %.2f to %.2f)",
                 el_metric_label(R->metric), L->label, L->groups[G->group].label, L->groups[L->ref].label,
                 p->value_decimals, R->groups[G->group].value.value, p->value_decimals,
                 R->groups[L->ref].value.value, el_metric_continuous(R->metric) ? " weeks" : "%",
                 G->ratio.value, G->ratio.lower, G->ratio.upper);
        json_array_append_new(tx, json_string(line));
    }
    json_object_set_new(sj, "top_gaps", tg);
    json_object_set_new(sj, "text", tx);
    json_object_set_new(root, "summary", sj);

    /* who is missing */
    if (a->missing) {
        const el_an_missing *M = a->missing;
        json_t *mj = json_object(), *cj = json_object(), *tj = json_array(), *nj = json_array();
        json_object_set_new(cj, "by", json_string(M->by));
        json_object_set_new(cj, "lsoas", json_integer((json_int_t)M->lsoas));
        json_object_set_new(cj, "lsoa_vintage", json_integer(M->lsoa_vintage));
        json_object_set_new(cj, "population", json_integer(M->population));
        json_object_set_new(mj, "catchment", cj);
        json_object_set_new(mj, "activity", json_string("rows of the dataset (referrals, appointments or pathways)"));
        for (size_t t = 0; t < M->ntables; t++) {
            const el_an_missing_table *T = &M->tables[t];
            json_t *x = json_object(), *gs = json_array();
            json_object_set_new(x, "lens", json_string(T->lens));
            json_object_set_new(x, "standardised", json_string(T->standardised));
            for (size_t g = 0; g < T->ngroups; g++) {
                const el_an_missing_group *G = &T->groups[g];
                json_t *gj = json_object();
                json_object_set_new(gj, "key", json_string(G->key));
                json_object_set_new(gj, "observed", jcount(G->observed));
                json_object_set_new(gj, "population", json_integer(G->population));
                json_object_set_new(gj, "rate_per_1000", jiv(&G->rate));
                json_object_set_new(gj, "expected", jnum(G->expected));
                json_object_set_new(gj, "ratio", jiv(&G->ratio));
                json_object_set_new(gj, "suppressed", jstate(G->st));
                json_array_append_new(gs, gj);
            }
            json_object_set_new(x, "groups", gs);
            json_array_append_new(tj, x);
        }
        json_object_set_new(mj, "tables", tj);
        for (size_t k = 0; k < sizeof M->notes / sizeof M->notes[0]; k++)
            if (M->notes[k][0]) json_array_append_new(nj, json_string(M->notes[k]));
        json_object_set_new(mj, "notes", nj);
        json_object_set_new(root, "missing", mj);
    } else {
        json_object_set_new(root, "missing", json_null());
    }

    if (a->longest) {
        const el_an_longest *W = a->longest;
        json_t *wj = json_object(), *tj = json_array();
        json_object_set_new(wj, "threshold_weeks", jnum(W->threshold_weeks));
        json_object_set_new(wj, "rule", json_string(W->rule));
        json_object_set_new(wj, "n_longest", jcount(W->n_longest));
        json_object_set_new(wj, "n_all", jcount(W->n_all));
        for (size_t t = 0; t < W->ntables; t++) {
            const el_an_lw_table *T = &W->tables[t];
            json_t *x = json_object(), *gs = json_array();
            json_object_set_new(x, "lens", json_string(a->lenses[T->lens].id));
            json_object_set_new(x, "chi_square", jnum(T->chi_square));
            json_object_set_new(x, "df", json_integer(T->df));
            json_object_set_new(x, "p_value", jnum(T->p_value));
            for (size_t g = 0; g < T->ngroups; g++) {
                const el_an_lw_group *G = &T->groups[g];
                json_t *gj = json_object();
                json_object_set_new(gj, "key", json_string(G->key));
                json_object_set_new(gj, "longest", jcount(G->longest));
                json_object_set_new(gj, "longest_share", jnum(G->longest_share));
                json_object_set_new(gj, "all", jcount(G->all));
                json_object_set_new(gj, "all_share", jnum(G->all_share));
                json_object_set_new(gj, "suppressed", jstate(G->st_longest != EL_DC_SHOWN ? G->st_longest : G->st_all));
                json_array_append_new(gs, gj);
            }
            json_object_set_new(x, "groups", gs);
            json_array_append_new(tj, x);
        }
        json_object_set_new(wj, "tables", tj);
        json_object_set_new(root, "longest_waiters", wj);
    } else {
        json_object_set_new(root, "longest_waiters", json_null());
    }

    json_t *trj = json_array();
    for (size_t t = 0; t < a->ntrends; t++) {
        const el_an_trend *T = &a->trends[t];
        json_t *x = json_object(), *ser = json_array(), *gser = json_array();
        json_object_set_new(x, "metric", json_string(el_metric_name(T->metric)));
        json_object_set_new(x, "lens", json_string(a->lenses[T->lens].id));
        json_object_set_new(x, "period", json_string(T->period == EL_PERIOD_WEEK ? "week" : "month"));
        for (size_t s = 0; s < T->nseries; s++) {
            const el_an_series *S = &T->series[s];
            json_t *sj2 = json_object(), *pts = json_array();
            json_object_set_new(sj2, "key", json_string(S->key));
            if (S->gap) {
                const el_an_lens *L = &a->lenses[T->lens];
                json_object_set_new(sj2, "reference", json_string(L->groups[L->ref].key));
            }
            for (size_t k = 0; k < S->npoints; k++) {
                const el_an_point *P = &S->points[k];
                json_t *pj = json_object();
                json_object_set_new(pj, "period", json_string(P->period));
                if (!S->gap) json_object_set_new(pj, "n", jcount(P->n));
                json_object_set_new(pj, "value", jnum(P->value));
                json_object_set_new(pj, "mean", jnum(P->mean));
                json_object_set_new(pj, "lpl", jnum(P->lpl));
                json_object_set_new(pj, "upl", jnum(P->upl));
                json_object_set_new(pj, "cause", P->cause && *P->cause && isfinite(P->value) ? json_string(P->cause) : json_null());
                json_object_set_new(pj, "point_type", P->point_type && *P->point_type && isfinite(P->value) ? json_string(P->point_type) : json_null());
                json_object_set_new(pj, "suppressed", jstate(P->st));
                json_array_append_new(pts, pj);
            }
            json_object_set_new(sj2, "points", pts);
            json_object_set_new(sj2, "variation", *S->variation ? json_string(S->variation) : json_null());
            json_object_set_new(sj2, "assurance", *S->assurance ? json_string(S->assurance) : json_null());
            if (S->note[0]) json_object_set_new(sj2, "note", json_string(S->note));
            json_array_append_new(S->gap ? gser : ser, sj2);
        }
        json_object_set_new(x, "series", ser);
        json_object_set_new(x, "gap_series", gser);
        json_array_append_new(trj, x);
    }
    json_object_set_new(root, "trends", trj);
    json_t *nj = json_array();
    for (size_t i = 0; i < a->nnotes; i++) json_array_append_new(nj, json_string(a->notes[i]));
    json_object_set_new(root, "notes", nj);
    *out = root;
    return EL_OK;
}

/* ------------------------------------------------------------------ CSV */
static void csv_str(FILE *f, const char *s)
{
    if (!s) return;
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) { if (*s == '"') fputc('"', f); fputc(*s, f); }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static void csv_num(FILE *f, double v, int suppressed, const el_disclosure_policy *p)
{
    if (suppressed) fputs(p->mask, f);
    else if (isfinite(v)) fprintf(f, "%.10g", v);
}

static void csv_cnt(FILE *f, int64_t v, int suppressed, const el_disclosure_policy *p)
{
    if (suppressed || v < 0) fputs(p->mask, f);
    else fprintf(f, "%lld", (long long)v);
}

static FILE *csv_open(const char *dir, const char *name, const el_analysis *a, el_error *err)
{
    char path[1024], pol[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) { el_error_set(err, EL_ERR_IO, "cannot write %s: %s", path, strerror(errno)); return NULL; }
    el_disclosure_policy_describe(&a->policy, pol, sizeof pol);
    fprintf(f, "# %s\n", pol);
    return f;
}

el_status el_analysis_write_csv(const el_analysis *a, const char *dir, el_error *err)
{
    if (!a->disclosed) return el_error_set(err, EL_ERR_INVALID, "analysis has not been through disclosure control");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return el_error_set(err, EL_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    const el_disclosure_policy *p = &a->policy;
    FILE *f = csv_open(dir, "lenses.csv", a, err);
    if (!f) return EL_ERR_IO;
    fprintf(f, "lens,key,label,unknown,reference,n,share\n");
    for (size_t i = 0; i < a->nlenses; i++) {
        const el_an_lens *L = &a->lenses[i];
        for (size_t g = 0; g < L->ngroups; g++) {
            const el_an_group *G = &L->groups[g];
            int sup = G->st != EL_DC_SHOWN;
            csv_str(f, L->id); fputc(',', f); csv_str(f, G->key); fputc(',', f); csv_str(f, G->label);
            fprintf(f, ",%d,%d,", G->unknown, (int)g == L->ref);
            csv_cnt(f, G->n, sup, p); fputc(',', f); csv_num(f, G->share, sup, p); fputc('\n', f);
        }
    }
    fclose(f);
    f = csv_open(dir, "metrics.csv", a, err);
    if (!f) return EL_ERR_IO;
    FILE *g2 = csv_open(dir, "gaps.csv", a, err);
    FILE *g3 = g2 ? csv_open(dir, "inequality.csv", a, err) : NULL;
    FILE *g4 = g3 ? csv_open(dir, "excess.csv", a, err) : NULL;
    if (!g4) { fclose(f); if (g2) fclose(g2); if (g3) fclose(g3); return EL_ERR_IO; }
    fprintf(f, "metric,lens,stratum,key,n,numerator,value,lower,upper,method,mean,mean_lower,mean_upper,p92,p92_lower,p92_upper\n");
    fprintf(g2, "metric,lens,stratum,key,reference,difference,difference_lower,difference_upper,ratio,ratio_lower,ratio_upper,p_value,significant,adj_difference,adj_difference_lower,adj_difference_upper,adj_ratio,adj_ratio_lower,adj_ratio_upper,adj_significant\n");
    fprintf(g3, "metric,lens,stratum,measure,value,lower,upper,method,note\n");
    fprintf(g4, "metric,lens,stratum,excess,excess_lower,excess_upper,cost,cost_lower,cost_upper\n");
    for (size_t r = 0; r < a->nresults; r++) {
        const el_an_result *R = &a->results[r];
        const el_an_lens *L = &a->lenses[R->lens];
        int cont = el_metric_continuous(R->metric);
        char strat[96];
        snprintf(strat, sizeof strat, "%s%s%s", R->stratum_field, R->stratum_field[0] ? "=" : "", R->stratum_value);
        for (size_t g = 0; g <= L->ngroups; g++) {
            const el_an_value *v = g < L->ngroups ? &R->groups[g] : &R->overall;
            int sup = v->st != EL_DC_SHOWN;
            fprintf(f, "%s,", el_metric_name(R->metric)); csv_str(f, L->id); fputc(',', f); csv_str(f, strat);
            fputc(',', f); csv_str(f, g < L->ngroups ? L->groups[g].key : "(all)"); fputc(',', f);
            csv_cnt(f, v->n, v->st_n != EL_DC_SHOWN, p); fputc(',', f);
            if (!cont) csv_cnt(f, v->x, v->st_x != EL_DC_SHOWN, p);
            fputc(',', f);
            csv_num(f, v->value.value, sup, p); fputc(',', f); csv_num(f, v->value.lower, sup, p); fputc(',', f);
            csv_num(f, v->value.upper, sup, p); fprintf(f, ",%s,", v->value.method ? v->value.method : "");
            if (cont) {
                csv_num(f, v->mean.value, sup, p); fputc(',', f); csv_num(f, v->mean.lower, sup, p); fputc(',', f);
                csv_num(f, v->mean.upper, sup, p); fputc(',', f); csv_num(f, v->p92.value, sup, p); fputc(',', f);
                csv_num(f, v->p92.lower, sup, p); fputc(',', f); csv_num(f, v->p92.upper, sup, p);
            } else {
                fputs(",,,,,", f);
            }
            fputc('\n', f);
        }
        for (size_t k = 0; k < R->ngaps; k++) {
            const el_an_gap *G = &R->gaps[k];
            int sup = G->st != EL_DC_SHOWN;
            fprintf(g2, "%s,", el_metric_name(R->metric)); csv_str(g2, L->id); fputc(',', g2); csv_str(g2, strat);
            fputc(',', g2); csv_str(g2, L->groups[G->group].key); fputc(',', g2); csv_str(g2, L->groups[L->ref].key);
            const el_interval *ivs[4] = {&G->diff, &G->ratio, &G->adj_diff, &G->adj_ratio};
            for (int q = 0; q < 2; q++) {
                fputc(',', g2); csv_num(g2, ivs[q]->value, sup, p); fputc(',', g2); csv_num(g2, ivs[q]->lower, sup, p);
                fputc(',', g2); csv_num(g2, ivs[q]->upper, sup, p);
            }
            fputc(',', g2); csv_num(g2, G->p_value, sup, p);
            fprintf(g2, ",%s", sup ? p->mask : G->significant ? "yes" : "no");
            for (int q = 2; q < 4; q++) {
                fputc(',', g2); csv_num(g2, ivs[q]->value, sup, p); fputc(',', g2); csv_num(g2, ivs[q]->lower, sup, p);
                fputc(',', g2); csv_num(g2, ivs[q]->upper, sup, p);
            }
            fprintf(g2, ",%s\n", !G->has_adjusted ? "" : sup ? p->mask : G->adj_significant ? "yes" : "no");
        }
        for (size_t k = 0; k < R->nineq; k++) {
            const el_an_ineq *I = &R->ineq[k];
            fprintf(g3, "%s,", el_metric_name(R->metric)); csv_str(g3, L->id); fputc(',', g3); csv_str(g3, strat);
            fprintf(g3, ",%s,", I->name); csv_num(g3, I->iv.value, 0, p); fputc(',', g3); csv_num(g3, I->iv.lower, 0, p);
            fputc(',', g3); csv_num(g3, I->iv.upper, 0, p); fprintf(g3, ",%s,", isfinite(I->iv.value) ? I->iv.method : "");
            csv_str(g3, I->note); fputc('\n', g3);
        }
        if (R->has_excess) {
            int sup = R->excess_st != EL_DC_SHOWN;
            fprintf(g4, "%s,", el_metric_name(R->metric)); csv_str(g4, L->id); fputc(',', g4); csv_str(g4, strat);
            fputc(',', g4); csv_num(g4, R->excess.value, sup, p); fputc(',', g4); csv_num(g4, R->excess.lower, sup, p);
            fputc(',', g4); csv_num(g4, R->excess.upper, sup, p); fputc(',', g4); csv_num(g4, R->cost, sup && isfinite(R->cost), p);
            fputc(',', g4); csv_num(g4, R->cost_lower, sup && isfinite(R->cost), p); fputc(',', g4);
            csv_num(g4, R->cost_upper, sup && isfinite(R->cost), p); fputc('\n', g4);
        }
    }
    fclose(f); fclose(g2); fclose(g3); fclose(g4);
    if (a->longest) {
        f = csv_open(dir, "longest_waiters.csv", a, err);
        if (!f) return EL_ERR_IO;
        fprintf(f, "lens,key,longest,longest_share,all,all_share,chi_square,df,p_value\n");
        for (size_t t = 0; t < a->longest->ntables; t++) {
            const el_an_lw_table *T = &a->longest->tables[t];
            for (size_t g = 0; g < T->ngroups; g++) {
                const el_an_lw_group *G = &T->groups[g];
                csv_str(f, a->lenses[T->lens].id); fputc(',', f); csv_str(f, G->key); fputc(',', f);
                csv_cnt(f, G->longest, G->st_longest != EL_DC_SHOWN, p); fputc(',', f);
                csv_num(f, G->longest_share, G->st_longest != EL_DC_SHOWN, p); fputc(',', f);
                csv_cnt(f, G->all, G->st_all != EL_DC_SHOWN, p); fputc(',', f);
                csv_num(f, G->all_share, G->st_all != EL_DC_SHOWN, p); fputc(',', f);
                csv_num(f, T->chi_square, 0, p); fprintf(f, ",%d,", T->df); csv_num(f, T->p_value, 0, p); fputc('\n', f);
            }
        }
        fclose(f);
    }
    if (a->missing) {
        f = csv_open(dir, "missing.csv", a, err);
        if (!f) return EL_ERR_IO;
        fprintf(f, "table,key,observed,population,rate_per_1000,rate_lower,rate_upper,expected,ratio,ratio_lower,ratio_upper\n");
        for (size_t t = 0; t < a->missing->ntables; t++) {
            const el_an_missing_table *T = &a->missing->tables[t];
            for (size_t g = 0; g < T->ngroups; g++) {
                const el_an_missing_group *G = &T->groups[g];
                int sup = G->st != EL_DC_SHOWN;
                fprintf(f, "%s,", T->lens); csv_str(f, G->key); fputc(',', f); csv_cnt(f, G->observed, sup, p);
                fprintf(f, ",%lld,", (long long)G->population);
                csv_num(f, G->rate.value, sup, p); fputc(',', f); csv_num(f, G->rate.lower, sup, p); fputc(',', f);
                csv_num(f, G->rate.upper, sup, p); fputc(',', f); csv_num(f, G->expected, sup, p); fputc(',', f);
                csv_num(f, G->ratio.value, sup, p); fputc(',', f); csv_num(f, G->ratio.lower, sup, p); fputc(',', f);
                csv_num(f, G->ratio.upper, sup, p); fputc('\n', f);
            }
        }
        fclose(f);
    }
    if (a->ntrends) {
        f = csv_open(dir, "trends.csv", a, err);
        if (!f) return EL_ERR_IO;
        fprintf(f, "metric,lens,series,key,period,n,value,mean,lpl,upl,cause,point_type\n");
        for (size_t t = 0; t < a->ntrends; t++) {
            const el_an_trend *T = &a->trends[t];
            for (size_t s = 0; s < T->nseries; s++) {
                const el_an_series *S = &T->series[s];
                for (size_t k = 0; k < S->npoints; k++) {
                    const el_an_point *P = &S->points[k];
                    int sup = P->st != EL_DC_SHOWN;
                    fprintf(f, "%s,", el_metric_name(T->metric)); csv_str(f, a->lenses[T->lens].id);
                    fprintf(f, ",%s,", S->gap ? "gap" : "value"); csv_str(f, S->key); fprintf(f, ",%s,", P->period);
                    if (!S->gap) csv_cnt(f, P->n, sup, p);
                    fputc(',', f); csv_num(f, P->value, sup, p); fputc(',', f); csv_num(f, P->mean, 0, p); fputc(',', f);
                    csv_num(f, P->lpl, 0, p); fputc(',', f); csv_num(f, P->upl, 0, p);
                    fprintf(f, ",%s,%s\n", isfinite(P->value) && P->cause ? P->cause : "",
                            isfinite(P->value) && P->point_type ? P->point_type : "");
                }
            }
        }
        fclose(f);
    }
    return EL_OK;
}

/* ----------------------------------------------------------------- text */
static void tnum(FILE *f, double v, int dec, const el_disclosure_policy *p, int sup)
{
    if (sup) fprintf(f, "%8s", p->mask);
    else if (isfinite(v)) fprintf(f, "%8.*f", dec, v);
    else fprintf(f, "%8s", "-");
}

el_status el_analysis_write_text(const el_analysis *a, FILE *f, el_error *err)
{
    if (!a->disclosed) return el_error_set(err, EL_ERR_INVALID, "analysis has not been through disclosure control");
    const el_disclosure_policy *p = &a->policy;
    char pol[512];
    el_disclosure_policy_describe(p, pol, sizeof pol);
    int dec = p->value_decimals;
    fprintf(f, "equitylens analysis: %s, %zu lens%s, %zu result table%s\n", el_kind_name(a->kind), a->nlenses,
            a->nlenses == 1 ? "" : "es", a->nresults, a->nresults == 1 ? "" : "s");
    fprintf(f, "%s\n\n", pol);
    size_t ri[3], gi[3];
    size_t nt = el_analysis_top_gaps(a, 3, ri, gi);
    if (nt == 0) fprintf(f, "No significant gap against the reference groups.\n\n");
    else {
        fprintf(f, "Largest significant gaps (raw; case-mix adjusted in brackets):\n");
        for (size_t k = 0; k < nt; k++) {
            const el_an_result *R = &a->results[ri[k]];
            const el_an_lens *L = &a->lenses[R->lens];
            const el_an_gap *G = &R->gaps[gi[k]];
            const char *u = el_metric_continuous(R->metric) ? " weeks" : "%";
            fprintf(f, "  %zu. %s, %s: %s %.*f%s vs %s %.*f%s; ratio %.2f (%.2f to %.2f)", k + 1,
                    el_metric_label(R->metric), L->label, L->groups[G->group].label, dec,
                    el_metric_continuous(R->metric) ? R->groups[G->group].mean.value : R->groups[G->group].value.value, u,
                    L->groups[L->ref].label, dec,
                    el_metric_continuous(R->metric) ? R->groups[L->ref].mean.value : R->groups[L->ref].value.value, u,
                    G->ratio.value, G->ratio.lower, G->ratio.upper);
            if (G->has_adjusted && isfinite(G->adj_ratio.value))
                fprintf(f, " [adjusted ratio %.2f (%.2f to %.2f)%s]", G->adj_ratio.value, G->adj_ratio.lower,
                        G->adj_ratio.upper, G->adj_significant ? "" : ", not significant");
            fputc('\n', f);
        }
        fputc('\n', f);
    }
    for (size_t r = 0; r < a->nresults; r++) {
        const el_an_result *R = &a->results[r];
        if (R->stratum_field[0]) continue;
        const el_an_lens *L = &a->lenses[R->lens];
        int cont = el_metric_continuous(R->metric);
        fprintf(f, "%s by %s%s\n", el_metric_label(R->metric), L->label, cont ? " (mean weeks; median, 92nd centile)" : "");
        fprintf(f, "  %-34s %8s %8s %8s %8s %8s %s\n", "group", "n", cont ? "mean" : "value", "lower", "upper",
                "diff", "adjusted diff");
        for (size_t g = 0; g <= L->ngroups; g++) {
            const el_an_value *v = g < L->ngroups ? &R->groups[g] : &R->overall;
            int sup = v->st != EL_DC_SHOWN;
            char lab[40];
            snprintf(lab, sizeof lab, "%s%s", g < L->ngroups ? L->groups[g].label : "All",
                     (int)g == L->ref ? " (ref)" : "");
            fprintf(f, "  %-34s ", lab);
            if (v->st_n != EL_DC_SHOWN || v->n < 0) fprintf(f, "%8s ", p->mask);
            else fprintf(f, "%8lld ", (long long)v->n);
            const el_interval *iv = cont ? &v->mean : &v->value;
            tnum(f, iv->value, dec, p, sup); fputc(' ', f);
            tnum(f, iv->lower, dec, p, sup); fputc(' ', f);
            tnum(f, iv->upper, dec, p, sup);
            for (size_t k = 0; k < R->ngaps; k++)
                if (R->gaps[k].group == (int)g) {
                    const el_an_gap *G = &R->gaps[k];
                    int gs = G->st != EL_DC_SHOWN;
                    fputc(' ', f);
                    tnum(f, G->diff.value, dec, p, gs);
                    if (!gs && G->significant) fputc('*', f); else fputc(' ', f);
                    if (G->has_adjusted) tnum(f, G->adj_diff.value, dec, p, gs);
                    if (!gs && G->has_adjusted && G->adj_significant) fputc('*', f);
                }
            if (cont && !sup)
                fprintf(f, "   median %.*f, p92 %.*f", dec, v->median.value, dec, v->p92.value);
            fputc('\n', f);
        }
        for (size_t k = 0; k < R->nineq; k++) {
            const el_an_ineq *I = &R->ineq[k];
            if (strcmp(I->name, "sii") && strcmp(I->name, "rii") && strcmp(I->name, "bgv") && strcmp(I->name, "idisw"))
                continue;
            if (isfinite(I->iv.value))
                fprintf(f, "  %s %.3g (%.3g to %.3g)\n", I->name, I->iv.value, I->iv.lower, I->iv.upper);
        }
        if (R->has_excess && R->excess_st == EL_DC_SHOWN && isfinite(R->excess.value)) {
            fprintf(f, "  excess events vs reference: %.*f (%.*f to %.*f)", dec, R->excess.value, dec, R->excess.lower,
                    dec, R->excess.upper);
            if (isfinite(R->cost)) fprintf(f, ", cost \xc2\xa3%.0f (\xc2\xa3%.0f to \xc2\xa3%.0f)", R->cost, R->cost_lower, R->cost_upper);
            fputc('\n', f);
        }
        fputc('\n', f);
    }
    if (a->missing) {   /* who is missing: observed vs expected against the catchment population */
        const el_an_missing *M = a->missing;
        fprintf(f, "Who is missing: activity vs catchment population (%zu LSOA %d%s, %lld residents)\n", M->lsoas,
                M->lsoa_vintage, !strcmp(M->by, "la") ? "s in the chosen local authorities" : "s the rows come from",
                (long long)M->population);
        for (size_t t = 0; t < M->ntables; t++) {
            const el_an_missing_table *T = &M->tables[t];
            fprintf(f, "  %s (standardisation: %s)\n", T->lens, T->standardised);
            fprintf(f, "  %-12s %8s %10s %8s %8s %8s %8s %8s %8s %8s\n", "group", "observed", "population", "per1000",
                    "lower", "upper", "expected", "O/E", "lower", "upper");
            for (size_t g = 0; g < T->ngroups; g++) {
                const el_an_missing_group *G = &T->groups[g];
                int sup = G->st != EL_DC_SHOWN;
                fprintf(f, "  %-12s ", G->key);
                if (sup || G->observed < 0) fprintf(f, "%8s ", p->mask);
                else fprintf(f, "%8lld ", (long long)G->observed);
                fprintf(f, "%10lld ", (long long)G->population);
                tnum(f, G->rate.value, 3, p, sup); fputc(' ', f);
                tnum(f, G->rate.lower, 3, p, sup); fputc(' ', f);
                tnum(f, G->rate.upper, 3, p, sup); fputc(' ', f);
                tnum(f, G->expected, dec, p, sup); fputc(' ', f);
                tnum(f, G->ratio.value, 2, p, sup); fputc(' ', f);
                tnum(f, G->ratio.lower, 2, p, sup); fputc(' ', f);
                tnum(f, G->ratio.upper, 2, p, sup);
                if (!sup && isfinite(G->ratio.upper) && G->ratio.upper < 1) fputs("  under-represented", f);
                else if (!sup && isfinite(G->ratio.lower) && G->ratio.lower > 1) fputs("  over-represented", f);
                fputc('\n', f);
            }
        }
        for (size_t k = 0; k < sizeof M->notes / sizeof M->notes[0]; k++)
            if (M->notes[k][0]) fprintf(f, "  note: %s\n", M->notes[k]);
        fputc('\n', f);
    }
    fprintf(f, "(* after a difference: its %g%% interval excludes 0.)\n",
            100 * (a->opts.confidence > 1 ? a->opts.confidence / 100 : a->opts.confidence));
    for (size_t i = 0; i < a->nnotes; i++) fprintf(f, "note: %s\n", a->notes[i]);
    fprintf(f, "%s\n", pol);
    return EL_OK;
}
