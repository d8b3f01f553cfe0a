/* quality.c — data-quality report: completeness, validity, LSOA match, date
 * sanity, duplicates; overall, by provider, by treatment function
 * (owner: refdata). See include/equitylens/quality.h and docs/quality.md. */
#include "equitylens/quality.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/parse.h"

static const char *const CHECK_ID[EL_QD__COUNT] = {
    "appointment_before_referral", "rtt_start_after_census_date", "diagnosis_before_referral",
    "treatment_before_referral", "birth_after_activity_date", "date_after_today", "implausible_date"};
static const char *const CHECK_LABEL[EL_QD__COUNT] = {
    "appointment before referral", "RTT start after census date", "diagnosis before referral",
    "first treatment before referral", "birth after activity date", "a date after today",
    "implausible date or interval"};
static const char *const CLASS_ID[EL_QC__COUNT] = {"valid", "not_stated", "not_known", "invalid"};
static const char *const LSOA_ID[EL_QL__COUNT] = {"matched", "blank", "malformed", "wales", "not_found"};

void el_quality_opts_default(el_quality_opts *o, int32_t today)
{
    o->today = today;
    el_enrich_opts_default(&o->enrich);
}

void el_quality_free(el_quality *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->ndims; i++) free(q->dims[i].groups);
    free(q);
}

typedef struct { const char *key; int32_t idx; } keyed;
static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

/* Groups of one dimension, sorted by key; "(blank)" last. gi[row] = group. */
static el_status build_dim(const el_dataset *d, el_field f, const char *by, el_quality_dim *dim, int32_t **gi_out)
{
    size_t nd = el_dataset_dict_size(d, f), n = el_dataset_rows(d);
    keyed *k = malloc((nd ? nd : 1) * sizeof *k);
    int32_t *map = malloc((nd ? nd : 1) * sizeof *map);
    int32_t *gi = malloc((n ? n : 1) * sizeof *gi);
    dim->groups = calloc(nd + 1, sizeof *dim->groups);
    if (!k || !map || !gi || !dim->groups) { free(k); free(map); free(gi); return EL_ERR_NOMEM; }
    for (size_t i = 0; i < nd; i++) {
        const char *s = el_dataset_str(d, f, (int32_t)i);
        k[i].key = s ? s : "";
        k[i].idx = (int32_t)i;
    }
    qsort(k, nd, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < nd; i++) {
        map[k[i].idx] = (int32_t)i;
        snprintf(dim->groups[i].key, sizeof dim->groups[i].key, "%s", k[i].key);
    }
    snprintf(dim->groups[nd].key, sizeof dim->groups[nd].key, "(blank)");
    const int32_t *col = el_dataset_col(d, f);
    int blank = 0;
    for (size_t r = 0; r < n; r++) {
        int32_t v = col[r];
        if (v == EL_NA || v < 0 || (size_t)v >= nd) { gi[r] = (int32_t)nd; blank = 1; }
        else gi[r] = map[v];
    }
    dim->n = nd + (size_t)blank;
    dim->by = by;
    free(k); free(map);
    *gi_out = gi;
    return EL_OK;
}

static int lsoa_text_class(const char *s)
{
    if (!s || !*s) return EL_QL_BLANK;
    char buf[16];
    size_t n = 0;
    while (*s == ' ') s++;
    for (; *s && n < sizeof buf - 1; s++) buf[n++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
    while (n && buf[n - 1] == ' ') n--;
    buf[n] = '\0';
    if (!n) return EL_QL_BLANK;
    if (!el_lsoa_code_valid(buf)) return EL_QL_MALFORMED;
    return buf[0] == 'W' ? EL_QL_WALES : EL_QL_NOT_FOUND;
}

static int8_t *lsoa_classes(const el_dataset *d, el_field f)
{
    size_t nd = el_dataset_dict_size(d, f);
    int8_t *c = malloc(nd ? nd : 1);
    if (!c) return NULL;
    for (size_t i = 0; i < nd; i++) c[i] = (int8_t)lsoa_text_class(el_dataset_str(d, f, (int32_t)i));
    return c;
}

el_status el_quality_compute(el_dataset *d, const el_refdata *r_, const el_quality_opts *o,
                             el_quality **out, el_error *err)
{
    *out = NULL;
    if (!d || !o) return el_error_set(err, EL_ERR_INVALID, "quality: no dataset or options");
    el_kind kind = el_dataset_kind(d);
    int has11 = el_dataset_has(d, EL_F_LSOA11), has21 = el_dataset_has(d, EL_F_LSOA21);
    int enriched_here = 0;
    if ((has11 || has21) && !el_dataset_has(d, EL_F_IMD_DECILE)) {
        if (!r_) return el_error_set(err, EL_ERR_INVALID, "quality: the dataset is not enriched and no reference data was given");
        el_status s = el_enrich_dataset(d, r_, &o->enrich, NULL, err);
        if (s) return s;
        enriched_here = 1;
    }
    el_quality *q = calloc(1, sizeof *q);
    if (!q) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    size_t n = el_dataset_rows(d);
    q->kind = kind;
    q->rows = (int64_t)n;
    q->today = o->today;
    q->enriched_here = enriched_here;
    q->has_lsoa = has11 || has21;
    int32_t *gi[3] = {NULL, NULL, NULL};
    el_status s = EL_OK;

    /* dimensions */
    q->dims[0].by = "overall";
    q->dims[0].groups = calloc(1, sizeof *q->dims[0].groups);
    if (!q->dims[0].groups) { s = EL_ERR_NOMEM; goto fail; }
    q->dims[0].n = 1;
    snprintf(q->dims[0].groups[0].key, sizeof q->dims[0].groups[0].key, "all");
    q->ndims = 1;
    if (el_dataset_has(d, EL_F_PROVIDER_CODE)) {
        if ((s = build_dim(d, EL_F_PROVIDER_CODE, "provider_code", &q->dims[q->ndims], &gi[q->ndims]))) goto fail;
        q->ndims++;
    }
    if (el_dataset_has(d, EL_F_TREATMENT_FUNCTION_CODE)) {
        if ((s = build_dim(d, EL_F_TREATMENT_FUNCTION_CODE, "treatment_function_code", &q->dims[q->ndims], &gi[q->ndims])))
            goto fail;
        q->ndims++;
    }
    for (size_t r = 0; r < n; r++)
        for (size_t dd = 0; dd < q->ndims; dd++) q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0].rows++;

    /* fields */
    for (int fi = 0; fi < EL_F__COUNT; fi++) {
        el_field f = (el_field)fi;
        const el_field_info *info = el_field_get(f);
        if (info->derived || !el_dataset_has(d, f)) continue;
        q->present[f] = 1;
        const int32_t *col = el_dataset_col(d, f);
        int8_t *cls = NULL;
        size_t nd = 0;
        if (info->type == EL_T_CODE || info->type == EL_T_TEXT) {
            nd = el_dataset_dict_size(d, f);
            cls = malloc(nd ? nd : 1);
            if (!cls) { s = EL_ERR_NOMEM; goto fail; }
            for (size_t i = 0; i < nd; i++) {
                const char *v = el_dataset_str(d, f, (int32_t)i);
                el_code_class c = el_field_classify(f, v);
                cls[i] = (int8_t)(c == EL_CODE_VALID ? EL_QC_VALID : c == EL_CODE_NOT_STATED ? EL_QC_NOT_STATED
                                  : c == EL_CODE_NOT_KNOWN ? EL_QC_NOT_KNOWN : EL_QC_INVALID);
            }
        }
        for (size_t r = 0; r < n; r++) {
            int32_t v = col[r];
            int c;
            if (v == EL_NA) c = EL_QC_NOT_KNOWN;
            else if (cls) c = (v >= 0 && (size_t)v < nd) ? cls[v] : EL_QC_INVALID;
            else if (f == EL_F_AGE) c = (v >= 0 && v <= 130) ? EL_QC_VALID : EL_QC_INVALID;
            else c = EL_QC_VALID;
            for (size_t dd = 0; dd < q->ndims; dd++) q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0].field[f][c]++;
        }
        free(cls);
    }

    /* LSOA match */
    if (q->has_lsoa) {
        int32_t ed = EL_NA;
        const int32_t *dec = el_dataset_col(d, EL_F_IMD_DECILE), *edc = el_dataset_col(d, EL_F_IMD_EDITION);
        int8_t *c11 = has11 ? lsoa_classes(d, EL_F_LSOA11) : NULL, *c21 = has21 ? lsoa_classes(d, EL_F_LSOA21) : NULL;
        if ((has11 && !c11) || (has21 && !c21)) { free(c11); free(c21); s = EL_ERR_NOMEM; goto fail; }
        const int32_t *l11 = has11 ? el_dataset_col(d, EL_F_LSOA11) : NULL, *l21 = has21 ? el_dataset_col(d, EL_F_LSOA21) : NULL;
        for (size_t r = 0; r < n; r++) {
            int c;
            if (dec[r] != EL_NA) {
                c = EL_QL_MATCHED;
                if (ed == EL_NA) ed = edc[r];
            } else {
                int a = l21 && l21[r] != EL_NA ? c21[l21[r]] : EL_QL_BLANK;
                int b = l11 && l11[r] != EL_NA ? c11[l11[r]] : EL_QL_BLANK;
                /* report the most informative failure of the row's LSOA columns */
                c = a == EL_QL_BLANK ? b : b == EL_QL_BLANK ? a : (a > b ? a : b);
            }
            for (size_t dd = 0; dd < q->ndims; dd++) q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0].lsoa[c]++;
        }
        free(c11); free(c21);
        q->imd_edition = ed == EL_NA ? 0 : ed;
    }

    /* date checks */
    {
        el_field act = kind == EL_KIND_APPOINTMENTS ? EL_F_APPOINTMENT_DATE
                     : kind == EL_KIND_WAITING_LIST ? EL_F_CENSUS_DATE : EL_F_REFERRAL_DATE;
        struct { el_quality_check c; el_field early, late; } pairs[] = {
            {EL_QD_APPT_BEFORE_REFERRAL, EL_F_REFERRAL_REQUEST_RECEIVED_DATE, EL_F_APPOINTMENT_DATE},
            {EL_QD_START_AFTER_CENSUS, EL_F_RTT_START_DATE, EL_F_CENSUS_DATE},
            {EL_QD_DIAG_BEFORE_REFERRAL, EL_F_REFERRAL_DATE, EL_F_DIAGNOSIS_COMMUNICATED_DATE},
            {EL_QD_TREAT_BEFORE_REFERRAL, EL_F_REFERRAL_DATE, EL_F_FIRST_TREATMENT_DATE},
            {EL_QD_BIRTH_AFTER_ACTIVITY, EL_F_BIRTH_DATE, act}};
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            if (!q->present[pairs[k].early] || !q->present[pairs[k].late]) continue;
            q->check_applies[pairs[k].c] = 1;
            const int32_t *e = el_dataset_col(d, pairs[k].early), *l = el_dataset_col(d, pairs[k].late);
            for (size_t r = 0; r < n; r++) {
                if (e[r] == EL_NA || l[r] == EL_NA) continue;
                int bad = l[r] < e[r];
                for (size_t dd = 0; dd < q->ndims; dd++) {
                    el_quality_group *g = &q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0];
                    g->check_den[pairs[k].c]++;
                    g->check[pairs[k].c] += bad;
                }
            }
        }
        const int32_t *dcols[EL_F__COUNT];
        size_t ndc = 0;
        for (int fi = 0; fi < EL_F__COUNT; fi++)
            if (q->present[fi] && el_field_get((el_field)fi)->type == EL_T_DATE) dcols[ndc++] = el_dataset_col(d, (el_field)fi);
        if (ndc) {
            q->check_applies[EL_QD_FUTURE] = 1;
            for (size_t r = 0; r < n; r++) {
                int any = 0, fut = 0;
                for (size_t k = 0; k < ndc; k++)
                    if (dcols[k][r] != EL_NA) { any = 1; fut |= dcols[k][r] > o->today; }
                if (!any) continue;
                for (size_t dd = 0; dd < q->ndims; dd++) {
                    el_quality_group *g = &q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0];
                    g->check_den[EL_QD_FUTURE]++;
                    g->check[EL_QD_FUTURE] += fut;
                }
            }
            /* implausible: a date outside the window, or a wait/pathway
             * interval (the pairs above but birth) in order yet over 10
             * years (quality.h) */
            q->check_applies[EL_QD_IMPLAUSIBLE] = 1;
            for (size_t r = 0; r < n; r++) {
                int any = 0, bad = 0;
                for (size_t k = 0; k < ndc; k++)
                    if (dcols[k][r] != EL_NA) { any = 1; bad |= !el_date_plausible(dcols[k][r]); }
                if (!any) continue;
                for (size_t k = 0; k < sizeof pairs / sizeof pairs[0] && !bad; k++) {
                    if (pairs[k].c == EL_QD_BIRTH_AFTER_ACTIVITY) continue;
                    if (!q->present[pairs[k].early] || !q->present[pairs[k].late]) continue;
                    int32_t e = el_dataset_col(d, pairs[k].early)[r], l = el_dataset_col(d, pairs[k].late)[r];
                    if (e != EL_NA && l != EL_NA && l >= e) bad = !el_interval_plausible(e, l);
                }
                for (size_t dd = 0; dd < q->ndims; dd++) {
                    el_quality_group *g = &q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0];
                    g->check_den[EL_QD_IMPLAUSIBLE]++;
                    g->check[EL_QD_IMPLAUSIBLE] += bad;
                }
            }
        }
    }

    /* duplicate identifiers */
    q->id_field = kind == EL_KIND_APPOINTMENTS ? EL_F_APPOINTMENT_ID : EL_F_PATHWAY_ID;
    if (q->present[q->id_field]) {
        size_t nd = el_dataset_dict_size(d, q->id_field);
        uint32_t *cnt = calloc(nd ? nd : 1, sizeof *cnt);
        if (!cnt) { s = EL_ERR_NOMEM; goto fail; }
        const int32_t *col = el_dataset_col(d, q->id_field);
        for (size_t r = 0; r < n; r++)
            if (col[r] != EL_NA && col[r] >= 0 && (size_t)col[r] < nd && cnt[col[r]] < UINT32_MAX) cnt[col[r]]++;
        for (size_t i = 0; i < nd; i++) q->ids_duplicated += cnt[i] > 1;
        for (size_t r = 0; r < n; r++) {
            if (col[r] == EL_NA || col[r] < 0 || (size_t)col[r] >= nd || cnt[col[r]] < 2) continue;
            for (size_t dd = 0; dd < q->ndims; dd++) q->dims[dd].groups[gi[dd] ? gi[dd][r] : 0].dup_rows++;
        }
        free(cnt);
    }
    for (int i = 0; i < 3; i++) free(gi[i]);
    *out = q;
    return EL_OK;
fail:
    for (int i = 0; i < 3; i++) free(gi[i]);
    el_quality_free(q);
    return el_error_set(err, s ? s : EL_ERR_INTERNAL, "quality: out of memory");
}

/* ---------------- disclosure and JSON ---------------- */
static json_t *state_json(el_dc_state st)
{
    return st == EL_DC_PRIMARY ? json_string("primary") : st == EL_DC_SECONDARY ? json_string("secondary") : json_null();
}

/* {"n", "pct", "suppressed"}: pct of den (true counts), published if both shown. */
static json_t *cell(const el_disclosure_policy *p, int64_t n_pub, el_dc_state st, int64_t n_true,
                    int64_t den_true, el_dc_state den_st, int with_pct)
{
    json_t *o = json_object();
    json_object_set_new(o, "n", st == EL_DC_SHOWN ? json_integer(n_pub) : json_null());
    if (with_pct) {
        if (den_true > 0 && el_dc_publishable(st, den_st)) {
            json_object_set_new(o, "pct", json_real(el_disclosure_round_value(p, 100.0 * (double)n_true / (double)den_true)));
        } else {
            json_object_set_new(o, "pct", json_null());
            /* computable, but withheld because a count behind it is suppressed */
            if (den_true > 0 && st == EL_DC_SHOWN) json_object_set_new(o, "pct_withheld", json_true());
        }
    }
    json_object_set_new(o, "suppressed", state_json(st));
    return o;
}

/* A block of k counts adding up to a total: protect as a one-way table and
 * set keys[i] → cell in obj. *tot_pub and *tot_st receive the total's state. */
static el_status oneway(json_t *obj, const el_disclosure_policy *p, const int64_t *cnt, const char *const *keys,
                        size_t k, int64_t *tot_pub, el_dc_state *tot_st, el_dc_state *states, int64_t *pubs,
                        el_error *err)
{
    el_dc_table *t = el_dc_table_new(k, 1, 0, 1);
    if (!t) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    int64_t tot = 0;
    for (size_t i = 0; i < k; i++) { el_dc_table_set(t, i, 0, cnt[i]); tot += cnt[i]; }
    el_status s = el_dc_table_protect(t, p, err);
    if (s) { el_dc_table_free(t); return s; }
    el_dc_state ts = el_dc_table_state(t, k, 0);
    int64_t tp = el_dc_table_published(t, k, 0);
    for (size_t i = 0; i < k; i++) {
        el_dc_state st = el_dc_table_state(t, i, 0);
        if (states) states[i] = st;
        if (pubs) pubs[i] = el_dc_table_published(t, i, 0);
        if (obj && keys) json_object_set_new(obj, keys[i], cell(p, el_dc_table_published(t, i, 0), st, cnt[i], tot, ts, 1));
    }
    if (tot_pub) *tot_pub = tp;
    if (tot_st) *tot_st = ts;
    el_dc_table_free(t);
    return EL_OK;
}

static el_status group_json(const el_quality *q, const el_quality_dim *dim, const el_quality_group *g,
                            const el_disclosure_policy *p, json_t **out, el_error *err)
{
    json_t *o = json_object();
    el_status s = EL_OK;
    json_object_set_new(o, "by", json_string(dim->by));
    json_object_set_new(o, "key", json_string(g->key));
    el_dc_state rows_st;
    int64_t rows_pub;
    rows_st = el_disclosure_count(p, g->rows, &rows_pub);
    json_object_set_new(o, "rows", cell(p, rows_pub, rows_st, g->rows, 0, EL_DC_SHOWN, 0));

    json_t *fields = json_array();
    json_object_set_new(o, "fields", fields);
    for (int fi = 0; fi < EL_F__COUNT && !s; fi++) {
        if (!q->present[fi]) continue;
        json_t *fo = json_object();
        json_object_set_new(fo, "field", json_string(el_field_get((el_field)fi)->name));
        s = oneway(fo, p, g->field[fi], CLASS_ID, EL_QC__COUNT, NULL, NULL, NULL, NULL, err);
        json_array_append_new(fields, fo);
    }
    if (!s && q->has_lsoa) {
        json_t *lo = json_object();
        el_dc_state st[EL_QL__COUNT], tst;
        s = oneway(lo, p, g->lsoa, LSOA_ID, EL_QL__COUNT, NULL, &tst, st, NULL, err);
        int64_t with = g->rows - g->lsoa[EL_QL_BLANK];
        json_object_set_new(lo, "match_rate_pct",
                            with > 0 && el_dc_publishable(st[EL_QL_MATCHED], st[EL_QL_BLANK]) && tst == EL_DC_SHOWN
                                ? json_real(el_disclosure_round_value(p, 100.0 * (double)g->lsoa[EL_QL_MATCHED] / (double)with))
                                : json_null());
        json_object_set_new(o, "lsoa", lo);
    } else {
        json_object_set_new(o, "lsoa", json_null());
    }
    json_t *dates = json_array();
    json_object_set_new(o, "dates", dates);
    for (int c = 0; c < EL_QD__COUNT && !s; c++) {
        if (!q->check_applies[c]) continue;
        json_t *co = json_object();
        json_object_set_new(co, "check", json_string(CHECK_ID[c]));
        json_object_set_new(co, "label", json_string(CHECK_LABEL[c]));
        int64_t cnt[2] = {g->check[c], g->check_den[c] - g->check[c]};
        el_dc_state st[2], tst;
        int64_t tpub, pubs[2];
        s = oneway(NULL, p, cnt, NULL, 2, &tpub, &tst, st, pubs, err);
        if (s) { json_decref(co); break; }
        int64_t fpub = pubs[0];
        json_object_set_new(co, "failing", cell(p, fpub, st[0], cnt[0], g->check_den[c], tst, 1));
        json_object_set_new(co, "checked", cell(p, tpub, tst, g->check_den[c], 0, EL_DC_SHOWN, 0));
        json_array_append_new(dates, co);
    }
    if (!s && q->present[q->id_field]) {
        int64_t cnt[2] = {g->dup_rows, g->rows - g->dup_rows};
        static const char *const DK[2] = {"rows", "unique_rows"};
        json_t *du = json_object();
        json_object_set_new(du, "field", json_string(el_field_get(q->id_field)->name));
        s = oneway(du, p, cnt, DK, 2, NULL, NULL, NULL, NULL, err);
        json_object_del(du, "unique_rows");
        json_object_set_new(o, "duplicates", du);
    } else {
        json_object_set_new(o, "duplicates", json_null());
    }
    if (s) { json_decref(o); return s; }
    *out = o;
    return EL_OK;
}

json_t *el_quality_policy_json(const el_disclosure_policy *p)
{
    char desc[512];
    el_disclosure_policy_describe(p, desc, sizeof desc);
    json_t *dc = json_object();
    json_object_set_new(dc, "policy", json_string(desc));
    json_object_set_new(dc, "suppress_min", json_integer(p->suppress_min));
    json_object_set_new(dc, "suppress_max", json_integer(p->suppress_max));
    json_object_set_new(dc, "round_to", json_integer(p->round_to));
    json_object_set_new(dc, "secondary", json_boolean(p->secondary));
    json_object_set_new(dc, "decimals", json_integer(p->value_decimals));
    json_object_set_new(dc, "mask", json_string(p->mask));
    return dc;
}

json_t *el_quality_json(const el_quality *q, const el_quality_source *src, const el_disclosure_policy *p,
                        el_error *err)
{
    if (!q || !p) { el_error_set(err, EL_ERR_INVALID, "quality: no report or policy"); return NULL; }
    json_t *j = json_object();
    json_object_set_new(j, "schema", json_string("equitylens.quality/1"));
    json_object_set_new(j, "disclosure", el_quality_policy_json(p));

    json_t *ds = json_object();
    json_object_set_new(ds, "kind", json_string(el_kind_name(q->kind)));
    json_object_set_new(ds, "id", src && src->dataset_id > 0 ? json_integer(src->dataset_id) : json_null());
    json_object_set_new(ds, "source", src && src->source ? json_string(src->source) : json_null());
    int64_t pub;
    el_dc_state st;
    if (src && src->rows_read >= 0) {
        st = el_disclosure_count(p, src->rows_read, &pub);
        json_object_set_new(ds, "rows_read", st == EL_DC_SHOWN ? json_integer(pub) : json_null());
    } else json_object_set_new(ds, "rows_read", json_null());
    /* a suppressed count of rejected rows still says that rows were
     * rejected: "rows_rejected_suppressed" carries its state */
    st = EL_DC_SHOWN;
    if (src && src->rows_rejected >= 0) st = el_disclosure_count(p, src->rows_rejected, &pub);
    json_object_set_new(ds, "rows_rejected",
                        src && src->rows_rejected >= 0 && st == EL_DC_SHOWN ? json_integer(pub) : json_null());
    json_object_set_new(ds, "rows_rejected_suppressed", state_json(st));
    st = el_disclosure_count(p, q->rows, &pub);
    json_object_set_new(ds, "rows", st == EL_DC_SHOWN ? json_integer(pub) : json_null());
    json_object_set_new(j, "dataset", ds);

    char today[11];
    el_format_date(q->today, today);
    json_object_set_new(j, "today", json_string(today));
    json_object_set_new(j, "imd_edition", q->imd_edition ? json_integer(q->imd_edition) : json_null());
    json_object_set_new(j, "identifier", q->present[q->id_field] ? json_string(el_field_get(q->id_field)->name) : json_null());
    st = el_disclosure_count(p, q->ids_duplicated, &pub);
    json_object_set_new(j, "identifiers_duplicated", q->present[q->id_field] ? cell(p, pub, st, q->ids_duplicated, 0, EL_DC_SHOWN, 0) : json_null());

    json_t *groups = json_array();
    json_object_set_new(j, "groups", groups);
    for (size_t dd = 0; dd < q->ndims; dd++)
        for (size_t i = 0; i < q->dims[dd].n; i++) {
            json_t *g = NULL;
            if (group_json(q, &q->dims[dd], &q->dims[dd].groups[i], p, &g, err)) { json_decref(j); return NULL; }
            json_array_append_new(groups, g);
        }
    return j;
}

/* ---------------- text and CSV renderers (from the JSON) ---------------- */
typedef struct { char *s; size_t n, cap; int oom; } buf;

static void bputf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bputf(buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) { b->oom = 1; return; }
        if (b->s && (size_t)k < b->cap - b->n) { b->n += (size_t)k; return; }
        size_t nc = (b->cap + (size_t)k + 1) * 2;
        char *ns = realloc(b->s, nc);
        if (!ns) { b->oom = 1; return; }
        b->s = ns; b->cap = nc;
    }
}

static char *bdone(buf *b)
{
    if (b->oom) { free(b->s); return NULL; }
    if (!b->s) bputf(b, "%s", "");
    return b->s;
}

/* n of a cell: the number, the mask, or "-" (not computable) */
static void fmt_n(char *out, size_t cap, const json_t *c, const char *mask)
{
    json_t *n = json_object_get(c, "n");
    if (json_is_integer(n)) snprintf(out, cap, "%lld", (long long)json_integer_value(n));
    else if (json_is_string(json_object_get(c, "suppressed"))) snprintf(out, cap, "%s", mask);
    else snprintf(out, cap, "-");
}

static void fmt_pct(char *out, size_t cap, const json_t *v, const json_t *c, const char *mask, int dec)
{
    if (json_is_number(v)) snprintf(out, cap, "%.*f", dec, json_number_value(v));
    else if (c && (json_is_string(json_object_get(c, "suppressed")) || json_is_true(json_object_get(c, "pct_withheld"))))
        snprintf(out, cap, "%s", mask);
    else snprintf(out, cap, "-");
}

/* the cell whose suppression hides the match rate (matched, else blank) */
static const json_t *match_cell(const json_t *l)
{
    const json_t *m = json_object_get(l, "matched");
    return json_is_string(json_object_get(m, "suppressed")) ? m : json_object_get(l, "blank");
}

char *el_quality_text(const json_t *j)
{
    buf b = {0};
    const json_t *dc = json_object_get(j, "disclosure"), *ds = json_object_get(j, "dataset");
    const char *mask = json_string_value(json_object_get(dc, "mask"));
    int dec = (int)json_integer_value(json_object_get(dc, "decimals"));
    if (!mask) mask = "*";
    char t1[32], t2[32], t3[32], t4[32], t5[32];
    bputf(&b, "equitylens data-quality report: %s", json_string_value(json_object_get(ds, "kind")));
    if (json_is_integer(json_object_get(ds, "id")))
        bputf(&b, ", dataset %lld", (long long)json_integer_value(json_object_get(ds, "id")));
    if (json_is_string(json_object_get(ds, "source"))) bputf(&b, " (%s)", json_string_value(json_object_get(ds, "source")));
    bputf(&b, "\n");
    {
        json_t *r = json_object_get(ds, "rows"), *rr = json_object_get(ds, "rows_read"), *rj = json_object_get(ds, "rows_rejected");
        if (json_is_integer(r)) snprintf(t1, sizeof t1, "%lld", (long long)json_integer_value(r));
        else snprintf(t1, sizeof t1, "%s", mask);
        bputf(&b, "rows: %s", t1);
        if (json_is_integer(rr)) bputf(&b, "; rows read %lld", (long long)json_integer_value(rr));
        if (json_is_integer(rj)) bputf(&b, ", rejected at import %lld", (long long)json_integer_value(rj));
        else if (json_is_string(json_object_get(ds, "rows_rejected_suppressed"))) bputf(&b, ", rejected at import %s", mask);
    }
    bputf(&b, "; today: %s", json_string_value(json_object_get(j, "today")));
    if (json_is_integer(json_object_get(j, "imd_edition")))
        bputf(&b, "; LSOA matched to IMD %lld", (long long)json_integer_value(json_object_get(j, "imd_edition")));
    bputf(&b, "\n%s\n", json_string_value(json_object_get(dc, "policy")));
    const json_t *idd = json_object_get(j, "identifiers_duplicated");
    if (json_is_object(idd)) {
        fmt_n(t1, sizeof t1, idd, mask);
        bputf(&b, "distinct %s values occurring more than once: %s\n", json_string_value(json_object_get(j, "identifier")), t1);
    }
    size_t gi;
    const json_t *g;
    json_array_foreach(json_object_get(j, "groups"), gi, g) {
        fmt_n(t1, sizeof t1, json_object_get(g, "rows"), mask);
        bputf(&b, "\n== %s: %s (%s rows)\n", json_string_value(json_object_get(g, "by")),
              json_string_value(json_object_get(g, "key")), t1);
        bputf(&b, "%-32s %9s %12s %11s %9s\n", "field", "valid %", "not stated %", "not known %", "invalid %");
        size_t fi;
        const json_t *f;
        json_array_foreach(json_object_get(g, "fields"), fi, f) {
            const json_t *c[4] = {json_object_get(f, "valid"), json_object_get(f, "not_stated"),
                                  json_object_get(f, "not_known"), json_object_get(f, "invalid")};
            fmt_pct(t1, sizeof t1, json_object_get(c[0], "pct"), c[0], mask, dec);
            fmt_pct(t2, sizeof t2, json_object_get(c[1], "pct"), c[1], mask, dec);
            fmt_pct(t3, sizeof t3, json_object_get(c[2], "pct"), c[2], mask, dec);
            fmt_pct(t4, sizeof t4, json_object_get(c[3], "pct"), c[3], mask, dec);
            bputf(&b, "%-32s %9s %12s %11s %9s\n", json_string_value(json_object_get(f, "field")), t1, t2, t3, t4);
        }
        const json_t *l = json_object_get(g, "lsoa");
        if (json_is_object(l)) {
            fmt_pct(t1, sizeof t1, json_object_get(l, "match_rate_pct"), match_cell(l), mask, dec);
            bputf(&b, "LSOA matched to IMD: %s%% of rows with an LSOA;", t1);
            static const char *const LK[] = {"matched", "blank", "malformed", "wales", "not_found"};
            static const char *const LL[] = {"matched", "blank", "malformed", "Welsh", "not found"};
            for (int k = 0; k < 5; k++) {
                const json_t *c = json_object_get(l, LK[k]);
                fmt_pct(t2, sizeof t2, json_object_get(c, "pct"), c, mask, dec);
                bputf(&b, "%s %s %s%%", k ? "," : "", LL[k], t2);
            }
            bputf(&b, " (of all rows)\n");
        }
        size_t ci;
        const json_t *c;
        const json_t *dates = json_object_get(g, "dates");
        if (json_array_size(dates)) bputf(&b, "%-32s %9s %9s %9s\n", "date check", "failing", "checked", "%");
        json_array_foreach(dates, ci, c) {
            const json_t *fl = json_object_get(c, "failing"), *ck = json_object_get(c, "checked");
            fmt_n(t1, sizeof t1, fl, mask);
            fmt_n(t2, sizeof t2, ck, mask);
            fmt_pct(t3, sizeof t3, json_object_get(fl, "pct"), fl, mask, dec);
            bputf(&b, "%-32s %9s %9s %9s\n", json_string_value(json_object_get(c, "label")), t1, t2, t3);
        }
        const json_t *du = json_object_get(g, "duplicates");
        if (json_is_object(du)) {
            const json_t *r = json_object_get(du, "rows");
            fmt_n(t4, sizeof t4, r, mask);
            fmt_pct(t5, sizeof t5, json_object_get(r, "pct"), r, mask, dec);
            bputf(&b, "rows with a duplicated %s: %s (%s%%)\n", json_string_value(json_object_get(du, "field")), t4, t5);
        }
    }
    return bdone(&b);
}

/* one CSV field, quoted when needed (RFC 4180) */
static void csv_field(buf *b, const char *s, int last)
{
    if (!s) s = "";
    if (strpbrk(s, ",\"\r\n")) {
        bputf(b, "\"");
        for (const char *p = s; *p; p++) {
            if (*p == '"') bputf(b, "\"\"");
            else bputf(b, "%c", *p);
        }
        bputf(b, "\"");
    } else {
        bputf(b, "%s", s);
    }
    bputf(b, last ? "\n" : ",");
}

static void csv_row(buf *b, const json_t *g, const char *section, const char *item, const char *measure,
                    const char *value)
{
    csv_field(b, json_string_value(json_object_get(g, "by")), 0);
    csv_field(b, json_string_value(json_object_get(g, "key")), 0);
    csv_field(b, section, 0);
    csv_field(b, item, 0);
    csv_field(b, measure, 0);
    csv_field(b, value, 1);
}

static void csv_cell(buf *b, const json_t *g, const char *section, const char *item, const char *name,
                     const json_t *c, const char *mask, int dec, int with_pct)
{
    char v[64], m[96];
    fmt_n(v, sizeof v, c, mask);
    if (!strcmp(v, "-")) v[0] = '\0';
    snprintf(m, sizeof m, "%s_n", name);
    csv_row(b, g, section, item, m, v);
    if (with_pct) {
        fmt_pct(v, sizeof v, json_object_get(c, "pct"), c, mask, dec);
        if (!strcmp(v, "-")) v[0] = '\0';
        snprintf(m, sizeof m, "%s_pct", name);
        csv_row(b, g, section, item, m, v);
    }
}

char *el_quality_csv(const json_t *j)
{
    buf b = {0};
    const json_t *dc = json_object_get(j, "disclosure");
    const char *mask = json_string_value(json_object_get(dc, "mask"));
    int dec = (int)json_integer_value(json_object_get(dc, "decimals"));
    if (!mask) mask = "*";
    bputf(&b, "by,group,section,item,measure,value\n");
    size_t gi;
    const json_t *g;
    json_array_foreach(json_object_get(j, "groups"), gi, g) {
        csv_cell(&b, g, "rows", "", "rows", json_object_get(g, "rows"), mask, dec, 0);
        size_t fi;
        const json_t *f;
        json_array_foreach(json_object_get(g, "fields"), fi, f)
            for (int k = 0; k < EL_QC__COUNT; k++)
                csv_cell(&b, g, "field", json_string_value(json_object_get(f, "field")), CLASS_ID[k],
                         json_object_get(f, CLASS_ID[k]), mask, dec, 1);
        const json_t *l = json_object_get(g, "lsoa");
        if (json_is_object(l)) {
            for (int k = 0; k < EL_QL__COUNT; k++)
                csv_cell(&b, g, "lsoa", "lsoa", LSOA_ID[k], json_object_get(l, LSOA_ID[k]), mask, dec, 1);
            char v[64];
            fmt_pct(v, sizeof v, json_object_get(l, "match_rate_pct"), match_cell(l), mask, dec);
            if (!strcmp(v, "-")) v[0] = '\0';
            csv_row(&b, g, "lsoa", "lsoa", "match_rate_pct", v);
        }
        const json_t *c;
        json_array_foreach(json_object_get(g, "dates"), fi, c) {
            const char *id = json_string_value(json_object_get(c, "check"));
            csv_cell(&b, g, "date", id, "failing", json_object_get(c, "failing"), mask, dec, 1);
            csv_cell(&b, g, "date", id, "checked", json_object_get(c, "checked"), mask, dec, 0);
        }
        const json_t *du = json_object_get(g, "duplicates");
        if (json_is_object(du))
            csv_cell(&b, g, "duplicates", json_string_value(json_object_get(du, "field")), "rows",
                     json_object_get(du, "rows"), mask, dec, 1);
    }
    return bdone(&b);
}
