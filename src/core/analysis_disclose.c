/* analysis_disclose.c — el_analysis_disclose(): every aggregate of an
 * el_analysis through the disclosure gate (disclosure.h) before any writer
 * sees it (owner: analysis helper). Rules in docs/analysis.md, "Disclosure
 * control". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"

/* Protect counts of a lens's groups (single: 1-D with total; crossed: 2-D
 * with row, column and grand totals). st[g] receives each group's state,
 * pub[g] the published count; *tot_st / *tot_pub the grand total's. For a
 * crossed lens, row_st/col_st (may be NULL) receive the margin states. */
static el_status protect_groups(const el_an_lens *L, size_t na, size_t nb, const int64_t *cnt,
                                const el_disclosure_policy *p, el_dc_state *st, int64_t *pub,
                                el_dc_state *tot_st, int64_t *tot_pub, el_dc_state *row_st, el_dc_state *col_st,
                                el_error *err)
{
    size_t R = L->fields[1] < 0 ? L->ngroups : na, C = L->fields[1] < 0 ? 1 : nb;
    if (L->ngroups == 0 || R == 0 || C == 0) {   /* no rows: nothing to protect */
        *tot_st = EL_DC_SHOWN;
        *tot_pub = 0;
        return EL_OK;
    }
    el_dc_table *t = el_dc_table_new(R, C, L->fields[1] >= 0, 1);
    if (!t) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t g = 0; g < L->ngroups; g++) el_dc_table_set(t, g / C, g % C, cnt[g]);
    if (L->ref >= 0) el_dc_table_prefer_keep(t, (size_t)L->ref / C, (size_t)L->ref % C);
    el_status s = el_dc_table_protect(t, p, err);
    if (s) { el_dc_table_free(t); return s; }
    for (size_t g = 0; g < L->ngroups; g++) {
        st[g] = el_dc_table_state(t, g / C, g % C);
        pub[g] = el_dc_table_published(t, g / C, g % C);
    }
    *tot_st = el_dc_table_state(t, R, C);
    *tot_pub = el_dc_table_published(t, R, C);
    if (row_st) for (size_t i = 0; i < R; i++) row_st[i] = el_dc_table_state(t, i, C);
    if (col_st) for (size_t j = 0; j < C; j++) col_st[j] = el_dc_table_state(t, R, j);
    el_dc_table_free(t);
    return EL_OK;
}

static el_dc_state worst(el_dc_state a, el_dc_state b) { return a != EL_DC_SHOWN ? a : b; }

static void round_iv(const el_disclosure_policy *p, el_interval *v, int keep)
{
    if (!keep) { v->value = v->lower = v->upper = NAN; return; }
    v->value = el_disclosure_round_value(p, v->value);
    v->lower = el_disclosure_round_value(p, v->lower);
    v->upper = el_disclosure_round_value(p, v->upper);
}

/* Ratios and summary indices keep two more decimals than percentages. */
static void round_ratio(const el_disclosure_policy *p, el_interval *v, int keep)
{
    el_disclosure_policy q = *p;
    q.value_decimals += 2;
    round_iv(&q, v, keep);
}

/* Sizes of the two components of a crossed lens. */
static void comp_sizes(const el_an_lens *L, size_t *na, size_t *nb)
{
    *na = L->ngroups; *nb = 1;
    if (L->fields[1] < 0 || L->ngroups == 0) return;
    *nb = (size_t)L->groups[L->ngroups - 1].b + 1;
    *na = L->ngroups / *nb;
}

/* Margin states collected from the crossed lenses, per single lens id. */
typedef struct {
    el_dc_state *st[EL_LENS__COUNT];
    size_t n[EL_LENS__COUNT];
} margins;

static void margins_free(margins *M)
{
    for (int i = 0; i < EL_LENS__COUNT; i++) free(M->st[i]);
    memset(M, 0, sizeof *M);
}

static int margins_merge(margins *M, int lens, const el_dc_state *s, size_t n)
{
    if (!M->st[lens]) {
        M->st[lens] = calloc(n ? n : 1, sizeof *M->st[lens]);
        if (!M->st[lens]) return -1;
        M->n[lens] = n;
    }
    for (size_t i = 0; i < n && i < M->n[lens]; i++) M->st[lens][i] = worst(M->st[lens][i], s[i]);
    return 0;
}

/* Protect one family of count vectors (same quantity over every lens):
 * cnt(li) gives the counts of lens li or NULL to skip. Results in st/pub
 * arrays per lens. */
typedef const int64_t *(*count_fn)(void *ctx, size_t li);

static el_status protect_family(el_analysis *a, const el_disclosure_policy *p, void *ctx, count_fn fn,
                                el_dc_state **st, int64_t **pub, el_dc_state *tot_st, int64_t *tot_pub,
                                el_error *err)
{
    margins M;
    memset(&M, 0, sizeof M);
    el_status s = EL_OK;
    *tot_st = EL_DC_SHOWN;
    *tot_pub = -1;
    /* crossed lenses first */
    for (int pass = 0; pass < 2; pass++)
        for (size_t li = 0; li < a->nlenses; li++) {
            el_an_lens *L = &a->lenses[li];
            if ((L->fields[1] >= 0) != (pass == 0)) continue;
            const int64_t *cnt = fn(ctx, li);
            if (!cnt) continue;
            size_t na, nb;
            comp_sizes(L, &na, &nb);
            el_dc_state *rs = calloc(na + 1, sizeof *rs), *cs = calloc(nb + 1, sizeof *cs);
            el_dc_state ts = EL_DC_SHOWN;
            int64_t tp = -1;
            if (!rs || !cs) { free(rs); free(cs); s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
            s = protect_groups(L, na, nb, cnt, p, st[li], pub[li], &ts, &tp, rs, cs, err);
            if (!s && pass == 0) {
                if (margins_merge(&M, L->fields[0], rs, na) || margins_merge(&M, L->fields[1], cs, nb))
                    s = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            }
            if (!s && pass == 1 && M.st[L->fields[0]]) {
                for (size_t g = 0; g < L->ngroups && g < M.n[L->fields[0]]; g++) {
                    st[li][g] = worst(st[li][g], M.st[L->fields[0]][g]);
                    if (st[li][g] != EL_DC_SHOWN) pub[li][g] = -1;
                }
            }
            free(rs); free(cs);
            if (s) goto out;
            *tot_st = worst(*tot_st, ts);
            if (ts == EL_DC_SHOWN) *tot_pub = tp;
        }
out:
    margins_free(&M);
    if (*tot_st != EL_DC_SHOWN) *tot_pub = -1;
    return s;
}

/* ---- count accessors ---- */
typedef struct { el_analysis *a; int64_t **buf; } lens_ctx;
static const int64_t *lens_counts(void *vctx, size_t li)
{
    lens_ctx *c = vctx;
    el_an_lens *L = &c->a->lenses[li];
    for (size_t g = 0; g < L->ngroups; g++) c->buf[li][g] = L->groups[g].n;
    return c->buf[li];
}

typedef struct { el_analysis *a; int64_t **buf; el_metric_id m; const char *sval; int num; size_t *which; } res_ctx;
static const int64_t *res_counts(void *vctx, size_t li)
{
    res_ctx *c = vctx;
    for (size_t r = 0; r < c->a->nresults; r++) {
        el_an_result *res = &c->a->results[r];
        if (res->metric != c->m || res->lens != li || strcmp(res->stratum_value, c->sval)) continue;
        el_an_lens *L = &c->a->lenses[li];
        for (size_t g = 0; g < L->ngroups; g++) c->buf[li][g] = c->num ? res->groups[g].x : res->groups[g].n;
        c->which[li] = r;
        return c->buf[li];
    }
    return NULL;
}

static el_status alloc_family(el_analysis *a, int64_t ***buf, el_dc_state ***st, int64_t ***pub)
{
    *buf = calloc(a->nlenses + 1, sizeof **buf);
    *st = calloc(a->nlenses + 1, sizeof **st);
    *pub = calloc(a->nlenses + 1, sizeof **pub);
    if (!*buf || !*st || !*pub) return EL_ERR_NOMEM;
    for (size_t li = 0; li < a->nlenses; li++) {
        size_t n = a->lenses[li].ngroups + 1;
        (*buf)[li] = calloc(n, sizeof ***buf);
        (*st)[li] = calloc(n, sizeof ***st);
        (*pub)[li] = calloc(n, sizeof ***pub);
        if (!(*buf)[li] || !(*st)[li] || !(*pub)[li]) return EL_ERR_NOMEM;
    }
    return EL_OK;
}

static void free_family(el_analysis *a, int64_t **buf, el_dc_state **st, int64_t **pub)
{
    for (size_t li = 0; li < a->nlenses; li++) {
        if (buf) free(buf[li]);
        if (st) free(st[li]);
        if (pub) free(pub[li]);
    }
    free(buf); free(st); free(pub);
}

/* 1-D protection of a plain vector with its total. */
static el_status protect_vec(const int64_t *cnt, size_t n, const el_disclosure_policy *p, el_dc_state *st,
                             int64_t *pub, el_dc_state *tst, int64_t *tpub, el_error *err)
{
    if (n == 0) { if (tst) *tst = EL_DC_SHOWN; if (tpub) *tpub = 0; return EL_OK; }
    el_dc_table *t = el_dc_table_new(n, 1, 0, 1);
    if (!t) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) el_dc_table_set(t, i, 0, cnt[i]);
    el_status s = el_dc_table_protect(t, p, err);
    if (!s) {
        for (size_t i = 0; i < n; i++) { st[i] = el_dc_table_state(t, i, 0); pub[i] = el_dc_table_published(t, i, 0); }
        if (tst) *tst = el_dc_table_state(t, n, 0);
        if (tpub) *tpub = el_dc_table_published(t, n, 0);
    }
    el_dc_table_free(t);
    return s;
}

static void apply_value(el_an_value *v, const el_disclosure_policy *p, int cont, int64_t npub, int64_t xpub)
{
    v->st = worst(v->st_n, cont ? EL_DC_SHOWN : v->st_x);
    v->n = v->st_n == EL_DC_SHOWN ? npub : -1;
    v->x = (!cont && v->st_x == EL_DC_SHOWN) ? xpub : -1;
    int keep = v->st == EL_DC_SHOWN;
    round_iv(p, &v->value, keep);
    round_iv(p, &v->mean, keep);
    round_iv(p, &v->median, keep);
    round_iv(p, &v->p92, keep);
}

el_status el_analysis_disclose(el_analysis *a, const el_disclosure_policy *p, el_error *err)
{
    if (a->disclosed) return el_error_set(err, EL_ERR_INVALID, "analysis already disclosed");
    el_disclosure_policy def;
    if (!p) { el_disclosure_policy_default(&def); p = &def; }
    a->policy = *p;
    int64_t **buf = NULL, **pub = NULL, **bufx = NULL, **pubx = NULL;
    el_dc_state **st = NULL, **stx = NULL;
    size_t *which = calloc(a->nlenses + 1, sizeof *which);
    unsigned char *done = calloc(a->nresults + 1, 1);
    el_dc_state **force = NULL;
    el_status s = EL_OK;
    if (!which || !done || alloc_family(a, &buf, &st, &pub) || alloc_family(a, &bufx, &stx, &pubx)) {
        s = el_error_set(err, EL_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* 1. the lens tables: group sizes and shares */
    {
        lens_ctx lc = {a, buf};
        el_dc_state tst;
        int64_t tpub;
        if ((s = protect_family(a, p, &lc, lens_counts, st, pub, &tst, &tpub, err))) goto out;
        for (size_t li = 0; li < a->nlenses; li++) {
            el_an_lens *L = &a->lenses[li];
            for (size_t g = 0; g < L->ngroups; g++) {
                L->groups[g].st = st[li][g];
                L->groups[g].n = st[li][g] == EL_DC_SHOWN ? pub[li][g] : -1;
                L->groups[g].share = st[li][g] == EL_DC_SHOWN ? el_disclosure_round_value(p, L->groups[g].share) : NAN;
            }
            L->total = tst == EL_DC_SHOWN ? tpub : -1;
        }
    }
    /* 2a. strata: a metric through a lens within each stratum value (e.g.
     * clinical priority) and overall form a two-way table groups × strata
     * whose row totals are the overall result; protect it jointly (a last
     * column holds the rows in no published stratum) and force its states
     * onto the results below. */
    force = calloc(a->nresults + 1, sizeof *force);
    if (!force) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
    for (size_t r = 0; r < a->nresults; r++) {
        size_t ng = a->lenses[a->results[r].lens].ngroups;
        force[r] = calloc(2 * (ng + 1), sizeof **force);
        if (!force[r]) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
    }
    for (size_t o = 0; o < a->nresults && !s; o++) {
        el_an_result *O = &a->results[o];
        if (O->stratum_field[0]) continue;
        size_t ng = a->lenses[O->lens].ngroups, k = 0;
        size_t idx[64];
        for (size_t r = 0; r < a->nresults && k < 64; r++)
            if (a->results[r].metric == O->metric && a->results[r].lens == O->lens && a->results[r].stratum_field[0])
                idx[k++] = r;
        if (!k) continue;
        int cont = el_metric_continuous(O->metric);
        for (int which_count = 0; which_count < (cont ? 1 : 2) && !s; which_count++) {
            el_dc_table *t = el_dc_table_new(ng, k + 1, 1, 1);
            if (!t) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
            for (size_t g = 0; g < ng; g++) {
                int64_t sum = 0;
                for (size_t j = 0; j < k; j++) {
                    const el_an_value *v = &a->results[idx[j]].groups[g];
                    int64_t c = which_count ? v->x : v->n;
                    el_dc_table_set(t, g, j, c);
                    sum += c;
                }
                int64_t tot = which_count ? O->groups[g].x : O->groups[g].n;
                el_dc_table_set(t, g, k, tot > sum ? tot - sum : 0);
                el_dc_table_prefer_keep(t, g, k + 1);   /* keep the overall results visible */
            }
            el_dc_table_prefer_keep(t, ng, k + 1);
            int ref = a->lenses[O->lens].ref;
            if (ref >= 0) el_dc_table_prefer_keep(t, (size_t)ref, k + 1);
            if ((s = el_dc_table_protect(t, p, err)) == EL_OK) {
                size_t off = which_count ? ng + 1 : 0;
                for (size_t j = 0; j < k; j++) {
                    el_dc_state *f = force[idx[j]] + off;
                    for (size_t g = 0; g < ng; g++) f[g] = worst(f[g], el_dc_table_state(t, g, j));
                    f[ng] = worst(f[ng], el_dc_table_state(t, ng, j));
                }
                el_dc_state *f = force[o] + off;
                for (size_t g = 0; g < ng; g++) f[g] = worst(f[g], el_dc_table_state(t, g, k + 1));
                f[ng] = worst(f[ng], el_dc_table_state(t, ng, k + 1));
            }
            el_dc_table_free(t);
        }
    }
    if (s) goto out;
    /* 2. metric results, one family per (metric, stratum) */
    for (size_t r0 = 0; r0 < a->nresults; r0++) {
        if (done[r0]) continue;
        el_metric_id m = a->results[r0].metric;
        const char *sval = a->results[r0].stratum_value;
        int cont = el_metric_continuous(m);
        for (size_t li = 0; li < a->nlenses; li++) which[li] = SIZE_MAX;
        el_dc_state tn, tx = EL_DC_SHOWN;
        int64_t tnp, txp = 0;
        res_ctx rn = {a, buf, m, sval, 0, which};
        if ((s = protect_family(a, p, &rn, res_counts, st, pub, &tn, &tnp, err))) goto out;
        if (!cont) {
            res_ctx rx = {a, bufx, m, sval, 1, which};
            if ((s = protect_family(a, p, &rx, res_counts, stx, pubx, &tx, &txp, err))) goto out;
        }
        for (size_t li = 0; li < a->nlenses; li++) {
            if (which[li] == SIZE_MAX) continue;
            el_an_result *res = &a->results[which[li]];
            done[which[li]] = 1;
            el_an_lens *L = &a->lenses[li];
            const el_dc_state *fn = force[which[li]], *fx = force[which[li]] + L->ngroups + 1;
            for (size_t g = 0; g < L->ngroups; g++) {
                el_an_value *v = &res->groups[g];
                v->st_n = worst(st[li][g], fn[g]);
                v->st_x = cont ? EL_DC_SHOWN : worst(stx[li][g], fx[g]);
                apply_value(v, p, cont, pub[li][g], cont ? 0 : pubx[li][g]);
            }
            res->overall.st_n = worst(tn, fn[L->ngroups]);
            res->overall.st_x = cont ? EL_DC_SHOWN : worst(tx, fx[L->ngroups]);
            apply_value(&res->overall, p, cont, tnp, txp);
            int ref = L->ref;
            for (size_t k = 0; k < res->ngaps; k++) {
                el_an_gap *gp = &res->gaps[k];
                gp->st = ref >= 0 ? worst(res->groups[gp->group].st, res->groups[ref].st) : EL_DC_SECONDARY;
                int keep = gp->st == EL_DC_SHOWN;
                round_iv(p, &gp->diff, keep);
                round_ratio(p, &gp->ratio, keep);
                round_iv(p, &gp->adj_diff, keep);
                round_ratio(p, &gp->adj_ratio, keep);
                if (!keep) { gp->p_value = NAN; gp->significant = gp->adj_significant = 0; }
            }
            for (size_t k = 0; k < res->nineq; k++) round_ratio(p, &res->ineq[k].iv, 1);
            res->excess_st = res->overall.st;
            if (res->has_excess) {
                int keep = res->excess_st == EL_DC_SHOWN;
                round_iv(p, &res->excess, keep);
                res->cost = keep ? el_disclosure_round_value(p, res->cost) : NAN;
                res->cost_lower = keep ? el_disclosure_round_value(p, res->cost_lower) : NAN;
                res->cost_upper = keep ? el_disclosure_round_value(p, res->cost_upper) : NAN;
            }
        }
        done[r0] = 1;
    }
    if ((s = an_disclose_extras(a, p, err))) goto out;
    /* 3. rows excluded for their dates: one count each, as a note */
    for (size_t i = 0; i < a->nexclusions; i++) {
        el_an_exclusion *e = &a->exclusions[i];
        int64_t n;
        e->st = el_disclosure_count(p, e->n, &n);
        e->n = e->st == EL_DC_SHOWN ? n : -1;
        char note[256], num[24];
        if (e->n >= 0) snprintf(num, sizeof num, "%lld", (long long)e->n);
        else snprintf(num, sizeof num, "%s", p->mask);
        snprintf(note, sizeof note, "%s %s", num, e->what);
        an_add_note(a, note);
    }
    a->disclosed = 1;
out:
    free_family(a, buf, st, pub);
    free_family(a, bufx, stx, pubx);
    free(which);
    free(done);
    if (force) for (size_t r = 0; r < a->nresults; r++) free(force[r]);
    free(force);
    return s;
}

/* used by analysis_extra.c */
el_status an_protect_vec(const int64_t *cnt, size_t n, const el_disclosure_policy *p, el_dc_state *st,
                         int64_t *pub, el_dc_state *tst, int64_t *tpub, el_error *err)
{
    return protect_vec(cnt, n, p, st, pub, tst, tpub, err);
}
