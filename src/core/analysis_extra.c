/* analysis_extra.c — the longest-waiters profile, "who is missing" against
 * the catchment population, and SPC trends per group (owner: analysis
 * helper). Methods and references: docs/analysis.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "equitylens/ci.h"
#include "equitylens/distrib.h"
#include "equitylens/parse.h"
#include "equitylens/spc.h"


static int i32cmp(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return a < b ? -1 : a > b;
}

static int dcmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* ------------------------------------------------------ longest waiters */
static el_status longest_waiters(an_extras_ctx *X, el_error *err)
{
    const el_dataset *d = X->d;
    el_analysis *a = X->a;
    const el_analysis_opts *o = X->o;
    if (a->kind != EL_KIND_WAITING_LIST) return EL_OK;
    size_t rows = el_dataset_rows(d);
    const int32_t *st = el_dataset_col(d, EL_F_RTT_START_DATE), *cd = el_dataset_col(d, EL_F_CENSUS_DATE);
    double *w = malloc((rows + 1) * sizeof *w), *sorted = malloc((rows + 1) * sizeof *sorted);
    if (!w || !sorted) { free(w); free(sorted); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    size_t n = 0;
    for (size_t r = 0; r < rows; r++) {
        int32_t c = o->census_date != EL_NA ? o->census_date : cd[r];
        /* several snapshots: the latest census date only */
        if (o->census_date == EL_NA && a->census_date != EL_NA && c != a->census_date) c = EL_NA;
        w[r] = (c == EL_NA || st[r] == EL_NA || c < st[r]) ? NAN : (c - st[r]) / 7.0;
        if (isfinite(w[r])) sorted[n++] = w[r];
    }
    if (n < 2) { free(w); free(sorted); return EL_OK; }
    qsort(sorted, n, sizeof *sorted, dcmp);
    el_an_longest *L = calloc(1, sizeof *L);
    if (!L) { free(w); free(sorted); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    a->longest = L;
    if (o->longest_weeks > 0) {
        L->threshold_weeks = o->longest_weeks;
        snprintf(L->rule, sizeof L->rule, "waiting over %g weeks", o->longest_weeks);
    } else {
        double q = 1 - o->longest_share, h = (double)(n - 1) * q;
        size_t lo = (size_t)floor(h);
        L->threshold_weeks = lo + 1 < n ? sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]) : sorted[n - 1];
        snprintf(L->rule, sizeof L->rule, "longest-waiting %g%%", 100 * o->longest_share);
    }
    free(sorted);
    int strict = o->longest_weeks > 0;
    for (size_t r = 0; r < rows; r++)
        if (isfinite(w[r])) {
            L->n_all++;
            if (strict ? w[r] > L->threshold_weeks : w[r] >= L->threshold_weeks) L->n_longest++;
        }
    L->tables = calloc(a->nlenses + 1, sizeof *L->tables);
    if (!L->tables) { free(w); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    for (size_t li = 0; li < a->nlenses; li++) {
        el_an_lens *lens = &a->lenses[li];
        if (lens->fields[1] >= 0) continue;
        el_an_lw_table *t = &L->tables[L->ntables++];
        t->lens = li;
        t->ngroups = lens->ngroups;
        t->groups = calloc(lens->ngroups + 1, sizeof *t->groups);
        if (!t->groups) { free(w); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        for (size_t g = 0; g < lens->ngroups; g++) snprintf(t->groups[g].key, sizeof t->groups[g].key, "%s", lens->groups[g].key);
        for (size_t r = 0; r < rows; r++) {
            if (!isfinite(w[r])) continue;
            el_an_lw_group *g = &t->groups[X->rowmaps[li][r]];
            g->all++;
            if (strict ? w[r] > L->threshold_weeks : w[r] >= L->threshold_weeks) g->longest++;
        }
        /* chi-square: longest vs the rest, over groups with rows */
        double chi = 0;
        int k = 0;
        double NL = (double)L->n_longest, NA = (double)L->n_all;
        for (size_t g = 0; g < t->ngroups; g++) {
            el_an_lw_group *x = &t->groups[g];
            x->longest_share = NL > 0 ? 100.0 * x->longest / NL : NAN;
            x->all_share = NA > 0 ? 100.0 * x->all / NA : NAN;
            if (x->all == 0) continue;
            k++;
            double e1 = x->all * NL / NA, e0 = x->all * (NA - NL) / NA;
            double o1 = (double)x->longest, o0 = (double)(x->all - x->longest);
            if (e1 > 0) chi += (o1 - e1) * (o1 - e1) / e1;
            if (e0 > 0) chi += (o0 - e0) * (o0 - e0) / e0;
        }
        t->df = k - 1;
        t->chi_square = t->df >= 1 && NL > 0 && NL < NA ? chi : NAN;
        t->p_value = isfinite(t->chi_square) ? 1 - el_chisq_cdf(chi, t->df) : NAN;
    }
    free(w);
    return EL_OK;
}

/* --------------------------------------------------------------- trends */
static int period_key(int32_t day, el_period p)
{
    if (p == EL_PERIOD_WEEK) return (int)floor((day + 3) / 7.0);  /* weeks from Monday 1969-12-29 */
    int y;
    unsigned m, dd;
    el_civil_from_days(day, &y, &m, &dd);
    return y * 12 + (int)m - 1;
}

static void period_label(int key, el_period p, char *buf, size_t cap)
{
    if (p == EL_PERIOD_WEEK) {
        char d[16];
        el_format_date((int32_t)(key * 7 - 3), d);
        snprintf(buf, cap, "%s", d);
    } else {
        snprintf(buf, cap, "%04d-%02d", key / 12, key % 12 + 1);
    }
}

static el_status spc_series(el_an_series *s, const el_analysis_opts *o, int better_high)
{
    size_t n = 0;
    double *y = malloc((s->npoints + 1) * sizeof *y);
    size_t *idx = malloc((s->npoints + 1) * sizeof *idx);
    el_spc_point *pt = malloc((s->npoints + 1) * sizeof *pt);
    if (!y || !idx || !pt) { free(y); free(idx); free(pt); return EL_ERR_NOMEM; }
    for (size_t i = 0; i < s->npoints; i++) {
        s->points[i].mean = s->points[i].lpl = s->points[i].upl = NAN;
        s->points[i].cause = s->points[i].point_type = "";
        if (isfinite(s->points[i].value)) { y[n] = s->points[i].value; idx[n++] = i; }
    }
    s->variation = s->assurance = "";
    if (n >= 2) {
        el_spc_opts so;
        el_spc_opts_default(&so);
        so.direction = s->gap ? EL_SPC_NEUTRAL : (better_high ? EL_SPC_INCREASE : EL_SPC_DECREASE);
        el_spc_summary sum;
        if (el_spc_compute(y, NULL, n, &so, pt, &sum, NULL) == EL_OK) {
            for (size_t i = 0; i < n; i++) {
                el_an_point *p = &s->points[idx[i]];
                p->mean = pt[i].mean;
                p->lpl = pt[i].lpl;
                p->upl = pt[i].upl;
                p->cause = el_spc_cause_name(pt[i].cause);
                p->point_type = el_spc_point_type_name(pt[i].point_type);
            }
            s->variation = el_spc_variation_name(sum.variation);
            s->assurance = el_spc_assurance_name(sum.assurance);
            if (sum.short_series) snprintf(s->note, sizeof s->note, "fewer than 13 points: limits are provisional");
        }
    } else {
        snprintf(s->note, sizeof s->note, "fewer than 2 periods with data: no SPC");
    }
    (void)o;
    free(y); free(idx); free(pt);
    return EL_OK;
}

static el_status trends(an_extras_ctx *X, el_error *err)
{
    const el_dataset *d = X->d;
    el_analysis *a = X->a;
    const el_analysis_opts *o = X->o;
    if (!o->trends) return EL_OK;
    el_metric_id m;
    el_field df;
    switch (a->kind) {
    case EL_KIND_APPOINTMENTS: m = EL_M_DNA; df = EL_F_APPOINTMENT_DATE; break;
    case EL_KIND_WAITING_LIST: m = EL_M_OVER18; df = EL_F_CENSUS_DATE; break;
    default: m = EL_M_FDS28; df = EL_F_REFERRAL_DATE; break;
    }
    const an_outcome *oc = &X->oc[m];
    if (!oc->y || !el_dataset_has(d, df)) return EL_OK;
    size_t rows = el_dataset_rows(d);
    const int32_t *dates = el_dataset_col(d, df);
    /* the window: periods from the 1st to the 99th centile of the dates, so
     * a few stray dates (typing errors, dates in the future) do not stretch
     * the series; rows outside are left out and counted in a note */
    int32_t *ds = malloc((rows ? rows : 1) * sizeof *ds);
    if (!ds) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    size_t nd = 0;
    for (size_t r = 0; r < rows; r++)
        if (dates[r] != EL_NA && oc->y[r] >= 0) ds[nd++] = dates[r];
    if (nd < 2) { free(ds); return EL_OK; }
    qsort(ds, nd, sizeof *ds, i32cmp);
    int32_t dmin = ds[(size_t)floor(0.01 * (double)(nd - 1))], dmax = ds[(size_t)ceil(0.99 * (double)(nd - 1))];
    if (ds[0] == dmin && ds[nd - 1] == dmax) { dmin = ds[0]; dmax = ds[nd - 1]; }
    free(ds);
    int kmin = period_key(dmin, o->period), kmax = period_key(dmax, o->period);
    a->period_from = dmin;
    a->period_to = dmax;
    if (kmax - kmin < 1) return EL_OK;
    size_t outside = 0;
    for (size_t r = 0; r < rows; r++)
        if (dates[r] != EL_NA && oc->y[r] >= 0) {
            int k = period_key(dates[r], o->period);
            if (k < kmin || k > kmax) outside++;
        }
    if (outside) {
        char msg[200], b1[16], b2[16];
        el_format_date(dmin, b1);
        el_format_date(dmax, b2);
        snprintf(msg, sizeof msg, "trends: %zu rows dated outside %s to %s (1st to 99th centile of dates) are left out",
                 outside, b1, b2);
        an_add_note(a, msg);
    }
    if (kmax - kmin >= 520) { an_add_note(a, "trends: more than 520 periods; not computed"); return EL_OK; }
    size_t np = (size_t)(kmax - kmin + 1);
    a->trends = calloc(a->nlenses + 1, sizeof *a->trends);
    if (!a->trends) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t li = 0; li < a->nlenses; li++) {
        el_an_lens *L = &a->lenses[li];
        if (L->fields[1] >= 0) continue;
        size_t ng = L->ngroups;
        int64_t *nn = calloc(ng * np + 1, sizeof *nn), *xx = calloc(ng * np + 1, sizeof *xx);
        if (!nn || !xx) { free(nn); free(xx); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        for (size_t r = 0; r < rows; r++) {
            if (oc->y[r] < 0 || dates[r] == EL_NA) continue;
            int kk = period_key(dates[r], o->period);
            if (kk < kmin || kk > kmax) continue;
            size_t k = (size_t)(kk - kmin);
            size_t g = (size_t)X->rowmaps[li][r];
            nn[g * np + k]++;
            xx[g * np + k] += oc->y[r];
        }
        el_an_trend *T = &a->trends[a->ntrends++];
        T->metric = m;
        T->lens = li;
        T->period = o->period;
        T->series = calloc(2 * ng + 1, sizeof *T->series);
        if (!T->series) { free(nn); free(xx); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        int ref = L->ref;
        for (int gap = 0; gap < 2; gap++)
            for (size_t g = 0; g < ng; g++) {
                if (L->groups[g].unknown) continue;
                if (gap && (ref < 0 || (int)g == ref)) continue;
                el_an_series *s = &T->series[T->nseries++];
                snprintf(s->key, sizeof s->key, "%s", L->groups[g].key);
                s->gap = gap;
                s->npoints = np;
                s->points = calloc(np, sizeof *s->points);
                if (!s->points) { free(nn); free(xx); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
                for (size_t k = 0; k < np; k++) {
                    el_an_point *p = &s->points[k];
                    period_label(kmin + (int)k, o->period, p->period, sizeof p->period);
                    p->n = nn[g * np + k];
                    p->x = xx[g * np + k];
                    double v = p->n > 0 ? 100.0 * (double)p->x / (double)p->n : NAN;
                    if (gap) {
                        int64_t rn = nn[(size_t)ref * np + k], rx = xx[(size_t)ref * np + k];
                        v = (p->n > 0 && rn > 0) ? v - 100.0 * (double)rx / (double)rn : NAN;
                    }
                    p->value = v;
                }
                if (spc_series(s, o, el_metric_higher_is_better(m)) != EL_OK) {
                    free(nn); free(xx);
                    return el_error_set(err, EL_ERR_NOMEM, "out of memory");
                }
            }
        free(nn);
        free(xx);
    }
    return EL_OK;
}

/* ------------------------------------------------------- who is missing */
static int census_eth(const char *cat)
{
    if (!cat || strlen(cat) != 1) return -1;
    switch (cat[0]) {
    case 'A': case 'B': case 'C': return 0;
    case 'D': case 'E': case 'F': case 'G': return 1;
    case 'H': case 'J': case 'K': case 'L': case 'R': return 2;  /* census: Chinese is Asian */
    case 'M': case 'N': case 'P': return 3;
    case 'S': return 4;
    default: return -1;
    }
}

/* rate per 1,000 from O and the group's population; ratio O_ratio / expected;
 * exact Poisson limits below 10 events, Byar otherwise */
static void missing_values(el_an_missing_group *x, int64_t O, int64_t Or, double conf)
{
    x->rate = an_iv_na();
    x->ratio = an_iv_na();
    el_estimate e;
    if (O >= 0 && x->population > 0 && el_rate_ci((double)O, (double)x->population, conf, 1000.0, &e, NULL) == EL_OK)
        x->rate = an_iv(e.value, e.lower, e.upper, O < 10 ? "exact-poisson" : "byar");
    if (Or >= 0 && x->expected > 0) {
        double lo, hi;
        el_ci_method cm;
        if (el_poisson_limits((double)Or, conf, &lo, &hi, &cm, NULL) == EL_OK)
            x->ratio = an_iv((double)Or / x->expected, lo / x->expected, hi / x->expected,
                             cm == EL_CI_EXACT ? "exact-poisson" : "byar");
    }
}

static el_status missing_table(el_an_missing_table *t, const char *lens, const char *stdz, size_t ng,
                               const char *const *keys, const int64_t *obs, const int64_t *pop,
                               const double *expected, const int64_t *obs_for_ratio, double conf, el_error *err)
{
    snprintf(t->lens, sizeof t->lens, "%s", lens);
    snprintf(t->standardised, sizeof t->standardised, "%s", stdz);
    t->ngroups = ng;
    t->groups = calloc(ng + 1, sizeof *t->groups);
    if (!t->groups) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t g = 0; g < ng; g++) {
        el_an_missing_group *x = &t->groups[g];
        snprintf(x->key, sizeof x->key, "%s", keys[g]);
        x->observed = obs[g];
        x->observed_ratio = obs_for_ratio[g];
        x->population = pop[g];
        x->expected = expected[g];
        missing_values(x, obs[g], obs_for_ratio[g], conf);
    }
    return EL_OK;
}

/* The broad ethnic group table (census grouping), crude: expected = the
 * catchment's overall activity rate × each group's population. */
static el_status ethnic_table(el_an_missing *M, const char *stdz, const int64_t *oe, const int64_t *pope, double conf,
                              el_error *err)
{
    const char *ek[EL_POP_ETH5];
    double ex[EL_POP_ETH5];
    int64_t ptot = 0, otot = 0;
    for (int k = 0; k < EL_POP_ETH5; k++) { ptot += pope[k]; otot += oe[k]; }
    for (int k = 0; k < EL_POP_ETH5; k++) {
        ek[k] = el_pop_eth5_label(k);
        ex[k] = ptot > 0 ? (double)otot / (double)ptot * (double)pope[k] : 0;
    }
    return missing_table(&M->tables[M->ntables++], "ethnic_group_census", stdz, EL_POP_ETH5, ek, oe, pope, ex, oe,
                         conf, err);
}

static const char ETHNIC_NOTE[] =
    "Ethnic groups here follow the census 2021 grouping: Chinese (NHS category R) is counted under Asian, "
    "whereas the NHS broad grouping used elsewhere in this analysis puts it under Other. "
    "Activity rows with ethnicity not stated/not known are not in the ethnic table (their number is not "
    "given: with the exact total it would reveal suppressed counts).";

/* "Who is missing" for datasets that carry only an LSOA 2011 code (the demo,
 * synthetic extracts, HES): populations are the ONS mid-2020 estimates on
 * LSOA 2011 (19 five-year bands) and deprivation is IMD 2019 (also on LSOA
 * 2011), so rows, populations and quintiles share one geography. Broad ethnic
 * group exists only in census 2021 (LSOA 2021): the catchment's LSOA 2011s
 * are mapped to their LSOA 2021 parts through the ONS lookup, and the census
 * populations of those parts are summed (approximation stated in a note). */
static int strpcmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int age11_index(int age)   /* 5-year band 0..18 (90+) */
{
    if (age < 0) return -1;
    return age / 5 > 18 ? 18 : age / 5;
}

/* table groups from the 5-year bands: 0-14, 15-24, 25-34, 35-49, 50-64, 65+ */
#define EL_AGE11_G 6
static int age11_group(int band)
{
    static const signed char g[19] = {0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5};
    return band < 0 || band > 18 ? -1 : g[band];
}

static int in_las(const el_refdata *ref, const el_analysis_opts *o, const char *code)
{
    el_area ar;
    if (!el_refdata_area(ref, EL_LSOA11, code, EL_AREA_LA, &ar)) return 0;
    for (size_t k = 0; k < o->n_catchment_las && k < 64; k++)
        if (o->catchment_las[k] && !strcmp(o->catchment_las[k], ar.code)) return 1;
    return 0;
}

static el_status who_is_missing11(an_extras_ctx *X, el_error *err)
{
    const el_dataset *d = X->d;
    el_analysis *a = X->a;
    const el_analysis_opts *o = X->o;
    const el_refdata *ref = X->ref;
    unsigned have = el_refdata_loaded(ref);
    int by_la = o->n_catchment_las > 0;
    if (!(have & EL_REF_POP20)) {
        an_add_note(a, "who is missing: mid-2020 LSOA 2011 populations not loaded");
        return EL_OK;
    }
    if (by_la && !(have & EL_REF_GEO11)) {
        an_add_note(a, "who is missing: LSOA 2011 to local authority lookup not loaded");
        return EL_OK;
    }
    size_t rows = el_dataset_rows(d), nd = el_dataset_dict_size(d, EL_F_LSOA11);
    size_t nref = el_refdata_lsoa_count(ref, EL_LSOA11);
    signed char *inc = calloc(nd + 1, 1), *quint = calloc(nd + 1, 1);
    const char **set = malloc((by_la ? nref : nd) * sizeof *set + 1);
    el_an_missing *M = NULL;
    const char **parts = NULL;
    el_status s = EL_OK;
    if (!inc || !quint || !set) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
    int have_imd = (have & EL_REF_IMD2019) != 0;
    /* the catchment: a set of LSOA 2011 codes with a mid-2020 population */
    size_t ns = 0;
    int64_t age5[EL_POP_AGE5Y];
    for (size_t i = 0; i < nd; i++) {
        const char *code = el_dataset_str(d, EL_F_LSOA11, (int32_t)i);
        if (!code || !el_refdata_pop20(ref, code, age5)) continue;
        if (by_la && !in_las(ref, o, code)) continue;
        inc[i] = 1;
        el_imd imd;
        quint[i] = (have_imd && el_refdata_imd(ref, 2019, code, &imd)) ? (signed char)((imd.decile + 1) / 2) : 0;
        if (!by_la) set[ns++] = code;
    }
    if (by_la)
        for (size_t i = 0; i < nref; i++) {
            const char *code = el_refdata_lsoa_at(ref, EL_LSOA11, i);
            if (code && el_refdata_pop20(ref, code, age5) && in_las(ref, o, code)) set[ns++] = code;
        }
    qsort(set, ns, sizeof *set, strpcmp);
    {   /* each code once */
        size_t w = 0;
        for (size_t i = 0; i < ns; i++)
            if (!w || strcmp(set[w - 1], set[i])) set[w++] = set[i];
        ns = w;
    }
    /* populations: by quintile × 5-year band, by band */
    int64_t popq[5][EL_POP_AGE5Y], popb[EL_POP_AGE5Y], poptotal = 0;
    memset(popq, 0, sizeof popq);
    memset(popb, 0, sizeof popb);
    for (size_t i = 0; i < ns; i++) {
        el_refdata_pop20(ref, set[i], age5);
        el_imd imd;
        int q = (have_imd && el_refdata_imd(ref, 2019, set[i], &imd)) ? (imd.decile + 1) / 2 : 0;
        for (int k = 0; k < EL_POP_AGE5Y; k++) {
            popb[k] += age5[k];
            poptotal += age5[k];
            if (q) popq[q - 1][k] += age5[k];
        }
    }
    M = calloc(1, sizeof *M);
    if (!M) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
    a->missing = M;
    snprintf(M->by, sizeof M->by, "%s", by_la ? "la" : "lsoa");
    M->lsoa_vintage = 2011;
    M->lsoas = ns;
    M->population = poptotal;
    /* observed */
    const int32_t *lc = el_dataset_col(d, EL_F_LSOA11), *age = el_dataset_col(d, EL_F_AGE);
    const int32_t *cat = el_dataset_col(d, EL_F_ETHNIC_CATEGORY);
    int has_age = el_dataset_has(d, EL_F_AGE), has_cat = el_dataset_has(d, EL_F_ETHNIC_CATEGORY);
    int64_t oq[5] = {0}, oqa[5] = {0}, ob[EL_POP_AGE5Y] = {0}, oe[EL_POP_ETH5] = {0}, oaged = 0;
    int64_t og[EL_AGE11_G] = {0};
    for (size_t r = 0; r < rows; r++) {
        if (lc[r] < 0 || (size_t)lc[r] >= nd || !inc[lc[r]]) continue;
        int q = quint[lc[r]];
        int b = has_age && age[r] != EL_NA ? age11_index(age[r]) : -1;
        if (q) oq[q - 1]++;
        if (b >= 0) {
            ob[b]++;
            og[age11_group(b)]++;
            oaged++;
            if (q) oqa[q - 1]++;
        }
        int e = has_cat && cat[r] >= 0 ? census_eth(el_dataset_str(d, EL_F_ETHNIC_CATEGORY, cat[r])) : -1;
        if (e >= 0) oe[e]++;
    }
    double conf = o->confidence;
    /* IMD quintile (IMD 2019), indirectly standardised for age in 19 bands */
    if (have_imd) {
        static const char *const qk[5] = {"1", "2", "3", "4", "5"};
        int64_t pq[5];
        double ex[5];
        int64_t pqt = 0, oqt = 0;
        for (int q = 0; q < 5; q++) {
            pq[q] = 0;
            ex[q] = 0;
            for (int k = 0; k < EL_POP_AGE5Y; k++) {
                pq[q] += popq[q][k];
                if (popb[k] > 0) ex[q] += (double)ob[k] / (double)popb[k] * (double)popq[q][k];
            }
            pqt += pq[q];
            oqt += oq[q];
        }
        if (!has_age)   /* no age column: crude expected (the catchment's overall rate) */
            for (int q = 0; q < 5; q++) ex[q] = pqt > 0 ? (double)oqt / (double)pqt * (double)pq[q] : 0;
        s = missing_table(&M->tables[M->ntables++], "imd_quintile",
                          has_age ? "indirect (age: mid-2020 five-year bands); IMD 2019 on LSOA 2011"
                                  : "none (no age column): crude; IMD 2019 on LSOA 2011",
                          5, qk, oq, pq, ex, has_age ? oqa : oq, conf, err);
        if (s) goto out;
    }
    /* broad ethnic group: census 2021 on the LSOA 2021 parts of the catchment */
    size_t np = 0, partial = 0;
    int64_t partial_pop = 0;
    if ((have & EL_REF_POP21) && (have & EL_REF_LSOA_MAP)) {
        size_t cap = ns * 2 + 16;
        parts = malloc(cap * sizeof *parts);
        if (!parts) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
        for (size_t i = 0; i < ns; i++) {
            const char *p[64];
            size_t n = el_refdata_lsoa_convert(ref, EL_LSOA11, set[i], p, 64, NULL);
            if (n > 64) n = 64;
            if (np + n > cap) {
                cap = (np + n) * 2;
                const char **t = realloc(parts, cap * sizeof *parts);
                if (!t) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
                parts = t;
            }
            for (size_t k = 0; k < n; k++) parts[np++] = p[k];
        }
        qsort(parts, np, sizeof *parts, strpcmp);
        size_t w = 0;
        for (size_t i = 0; i < np; i++)
            if (!w || strcmp(parts[w - 1], parts[i])) parts[w++] = parts[i];
        np = w;
        int64_t pope[EL_POP_ETH5] = {0}, eth5[EL_POP_ETH5], et;
        for (size_t i = 0; i < np; i++) {
            if (!el_refdata_pop21(ref, parts[i], NULL, eth5, &et)) continue;
            for (int k = 0; k < EL_POP_ETH5; k++) pope[k] += eth5[k];
            /* an LSOA 2021 that also takes in LSOA 2011s outside the catchment */
            const char *back[64];
            size_t nb = el_refdata_lsoa_convert(ref, EL_LSOA21, parts[i], back, 64, NULL);
            int out_of = nb > 64;
            for (size_t k = 0; k < nb && k < 64 && !out_of; k++)
                if (!bsearch(&back[k], set, ns, sizeof *set, strpcmp)) out_of = 1;
            if (out_of) { partial++; partial_pop += et; }
        }
        s = ethnic_table(M, "crude (census has no age by ethnic group per LSOA); census 2021 on mapped LSOA 2021s",
                         oe, pope, conf, err);
        if (s) goto out;
    } else {
        an_add_note(a, "who is missing: no ethnic table (census 2021 populations or the LSOA 2011-2021 lookup not loaded)");
    }
    /* age group from the five-year bands, crude */
    if (has_age) {
        static const char *const ak[EL_AGE11_G] = {"0-14", "15-24", "25-34", "35-49", "50-64", "65+"};
        int64_t pg[EL_AGE11_G] = {0};
        double ex[EL_AGE11_G];
        for (int k = 0; k < EL_POP_AGE5Y; k++) pg[age11_group(k)] += popb[k];
        for (int k = 0; k < EL_AGE11_G; k++)
            ex[k] = poptotal > 0 ? (double)oaged / (double)poptotal * (double)pg[k] : 0;
        s = missing_table(&M->tables[M->ntables++], "age_group_census", "none (age itself)", EL_AGE11_G, ak, og, pg,
                          ex, og, conf, err);
        if (s) goto out;
    }
    snprintf(M->notes[0], sizeof M->notes[0], "%s", ETHNIC_NOTE);
    snprintf(M->notes[1], sizeof M->notes[1],
             "Observed = activity rows from the catchment, located by their LSOA 2011; populations: ONS "
             "mid-2020 estimates on LSOA 2011 (age, IMD quintile; IMD 2019, the edition on LSOA 2011); rates per "
             "1,000; limits exact Poisson below 10 events, Byar otherwise; ratio = observed/expected.");
    if (np)
        snprintf(M->notes[2], sizeof M->notes[2],
                 "Ethnic group populations are census 2021 counts of the %zu LSOA 2021s that the catchment's %zu "
                 "LSOA 2011s map to (ONS LSOA 2011-2021 lookup): an approximation of the catchment, and a year "
                 "later than the mid-2020 estimates. %zu of those LSOA 2021s (%lld residents) also cover LSOA "
                 "2011s outside the catchment (merged or irregular changes) and are counted whole.",
                 np, ns, partial, (long long)partial_pop);
out:
    free(inc);
    free(quint);
    free(set);
    free(parts);
    return s;
}

static el_status who_is_missing(an_extras_ctx *X, el_error *err)
{
    const el_dataset *d = X->d;
    el_analysis *a = X->a;
    const el_analysis_opts *o = X->o;
    const el_refdata *ref = X->ref;
    if (!o->missing || !ref) return EL_OK;
    if (!el_dataset_has(d, EL_F_LSOA21)) {
        if (el_dataset_has(d, EL_F_LSOA11)) return who_is_missing11(X, err);
        an_add_note(a, "who is missing: needs an lsoa11 or lsoa21 column");
        return EL_OK;
    }
    if (!(el_refdata_loaded(ref) & EL_REF_POP21)) { an_add_note(a, "who is missing: census populations not loaded"); return EL_OK; }
    int by_la = o->n_catchment_las > 0;
    size_t rows = el_dataset_rows(d), nd = el_dataset_dict_size(d, EL_F_LSOA21);
    /* per distinct LSOA value: in catchment?, quintile, populations */
    signed char *inc = calloc(nd + 1, 1), *quint = calloc(nd + 1, 1);
    if (!inc || !quint) { free(inc); free(quint); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    int64_t popq[5][EL_POP_AGE6], popa[EL_POP_AGE6], pope[EL_POP_ETH5];
    memset(popq, 0, sizeof popq); memset(popa, 0, sizeof popa); memset(pope, 0, sizeof pope);
    size_t nl = 0;
    int64_t poptotal = 0;
    int have_imd = (el_refdata_loaded(ref) & EL_REF_IMD2025) != 0;
    for (size_t i = 0; i < nd; i++) {
        const char *code = el_dataset_str(d, EL_F_LSOA21, (int32_t)i);
        int64_t age6[EL_POP_AGE6], eth5[EL_POP_ETH5], et;
        if (!code || !el_refdata_pop21(ref, code, age6, eth5, &et)) continue;
        if (by_la) {
            el_area ar;
            if (!el_refdata_area(ref, EL_LSOA21, code, EL_AREA_LA, &ar)) continue;
            int ok = 0;
            for (size_t k = 0; k < o->n_catchment_las && k < 64; k++)
                if (o->catchment_las[k] && !strcmp(o->catchment_las[k], ar.code)) ok = 1;
            if (!ok) continue;
        }
        inc[i] = 1;
        el_imd imd;
        quint[i] = (have_imd && el_refdata_imd(ref, 2025, code, &imd)) ? (signed char)((imd.decile + 1) / 2) : 0;
        if (by_la) continue;
        nl++;
        for (int k = 0; k < EL_POP_AGE6; k++) {
            popa[k] += age6[k];
            poptotal += age6[k];
            if (quint[i]) popq[quint[i] - 1][k] += age6[k];
        }
        for (int k = 0; k < EL_POP_ETH5; k++) pope[k] += eth5[k];
    }
    el_an_missing *M = calloc(1, sizeof *M);
    if (!M) { free(inc); free(quint); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    a->missing = M;
    M->lsoa_vintage = 2021;
    if (by_la) {
        el_catchment c;
        el_status s = el_refdata_catchment(ref, EL_AREA_LA, o->catchment_las, o->n_catchment_las, &c, err);
        if (s) { free(inc); free(quint); return s; }
        memcpy(popa, c.age6, sizeof popa);
        memcpy(pope, c.eth5, sizeof pope);
        poptotal = c.total_age;
        nl = c.lsoas;
        snprintf(M->by, sizeof M->by, "la");
    } else {
        snprintf(M->by, sizeof M->by, "lsoa");
    }
    M->lsoas = nl;
    M->population = poptotal;
    /* observed */
    const int32_t *lc = el_dataset_col(d, EL_F_LSOA21), *age = el_dataset_col(d, EL_F_AGE);
    const int32_t *cat = el_dataset_col(d, EL_F_ETHNIC_CATEGORY);
    int has_age = el_dataset_has(d, EL_F_AGE), has_cat = el_dataset_has(d, EL_F_ETHNIC_CATEGORY);
    int64_t oq[5] = {0}, oqa[5][EL_POP_AGE6], oa[EL_POP_AGE6] = {0}, oe[EL_POP_ETH5] = {0}, oaged = 0;
    memset(oqa, 0, sizeof oqa);
    for (size_t r = 0; r < rows; r++) {
        if (lc[r] < 0 || (size_t)lc[r] >= nd || !inc[lc[r]]) continue;
        int q = quint[lc[r]];
        int ai = has_age && age[r] != EL_NA ? el_pop_age6_index(age[r]) : -1;
        if (q) oq[q - 1]++;
        if (ai >= 0) {
            oa[ai]++;
            oaged++;
            if (q) oqa[q - 1][ai]++;
        }
        int e = has_cat && cat[r] >= 0 ? census_eth(el_dataset_str(d, EL_F_ETHNIC_CATEGORY, cat[r])) : -1;
        if (e >= 0) oe[e]++;
    }
    double conf = o->confidence;
    /* IMD quintile: indirectly age-standardised (LSOA catchment only) */
    if (!by_la && have_imd) {
        static const char *const qk[5] = {"1", "2", "3", "4", "5"};
        int64_t pq[5];
        double ex[5];
        int64_t oq_aged[5];
        for (int q = 0; q < 5; q++) {
            pq[q] = 0;
            ex[q] = 0;
            oq_aged[q] = 0;
            for (int k = 0; k < EL_POP_AGE6; k++) {
                pq[q] += popq[q][k];
                oq_aged[q] += oqa[q][k];
                if (popa[k] > 0) ex[q] += (double)oa[k] / (double)popa[k] * (double)popq[q][k];
            }
        }
        el_status s = missing_table(&M->tables[M->ntables++], "imd_quintile",
                                    has_age ? "indirect (age: census 2021 six age groups)" : "none (no age column)",
                                    5, qk, oq, pq, ex, has_age ? oq_aged : oq, conf, err);
        if (s) { free(inc); free(quint); return s; }
        if (!has_age) {
            /* crude expected: the catchment's crude rate */
            for (int q = 0; q < 5; q++)
                M->tables[M->ntables - 1].groups[q].ratio = an_iv_na();
        }
    }
    /* broad ethnic group (census grouping), crude */
    {
        el_status s = ethnic_table(M, "none (census has no age by ethnic group at LSOA level): crude", oe, pope, conf,
                                   err);
        if (s) { free(inc); free(quint); return s; }
    }
    /* age group, crude */
    if (has_age) {
        const char *ak[EL_POP_AGE6];
        double ex[EL_POP_AGE6];
        for (int k = 0; k < EL_POP_AGE6; k++) {
            ak[k] = el_pop_age6_label(k);
            ex[k] = poptotal > 0 ? (double)oaged / (double)poptotal * (double)popa[k] : 0;
        }
        el_status s = missing_table(&M->tables[M->ntables++], "age_group_census", "none (age itself)", EL_POP_AGE6,
                                    ak, oa, popa, ex, oa, conf, err);
        if (s) { free(inc); free(quint); return s; }
    }
    snprintf(M->notes[0], sizeof M->notes[0], "%s", ETHNIC_NOTE);
    snprintf(M->notes[1], sizeof M->notes[1],
             "Observed = activity rows from the catchment; populations: census 2021 usual residents; "
             "rates per 1,000; limits exact Poisson below 10 events, Byar otherwise; ratio = observed/expected.");
    free(inc);
    free(quint);
    return EL_OK;
}

el_status an_extras(an_extras_ctx *X, el_error *err)
{
    el_status s;
    if ((s = longest_waiters(X, err))) return s;
    if ((s = trends(X, err))) return s;
    if ((s = who_is_missing(X, err))) return s;
    return EL_OK;
}

/* ------------------------------------------------------- disclosure */
static void round_iv(const el_disclosure_policy *p, el_interval *v, int keep)
{
    if (!keep) { v->value = v->lower = v->upper = NAN; return; }
    v->value = el_disclosure_round_value(p, v->value);
    v->lower = el_disclosure_round_value(p, v->lower);
    v->upper = el_disclosure_round_value(p, v->upper);
}

el_status an_disclose_extras(el_analysis *a, const el_disclosure_policy *p, el_error *err)
{
    el_status s = EL_OK;
    if (a->longest) {
        el_an_longest *L = a->longest;
        int64_t pub;
        el_dc_state stl = el_disclosure_count(p, L->n_longest, &pub), sta;
        L->n_longest = stl == EL_DC_SHOWN ? pub : -1;
        sta = el_disclosure_count(p, L->n_all, &pub);
        L->n_all = sta == EL_DC_SHOWN ? pub : -1;
        L->threshold_weeks = el_disclosure_round_value(p, L->threshold_weeks);
        for (size_t t = 0; t < L->ntables; t++) {
            el_an_lw_table *T = &L->tables[t];
            size_t n = T->ngroups;
            int64_t *c = malloc((n + 1) * sizeof *c), *pb = malloc((n + 1) * sizeof *pb);
            el_dc_state *st = malloc((n + 1) * sizeof *st);
            if (!c || !pb || !st) { free(c); free(pb); free(st); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
            for (int pass = 0; pass < 2 && !s; pass++) {
                for (size_t g = 0; g < n; g++) c[g] = pass ? T->groups[g].all : T->groups[g].longest;
                s = an_protect_vec(c, n, p, st, pb, NULL, NULL, err);
                for (size_t g = 0; g < n && !s; g++) {
                    el_an_lw_group *x = &T->groups[g];
                    if (pass) { x->st_all = st[g]; x->all = st[g] == EL_DC_SHOWN ? pb[g] : -1; }
                    else { x->st_longest = st[g]; x->longest = st[g] == EL_DC_SHOWN ? pb[g] : -1; }
                }
            }
            for (size_t g = 0; g < n; g++) {
                el_an_lw_group *x = &T->groups[g];
                x->longest_share = x->st_longest == EL_DC_SHOWN ? el_disclosure_round_value(p, x->longest_share) : NAN;
                x->all_share = x->st_all == EL_DC_SHOWN ? el_disclosure_round_value(p, x->all_share) : NAN;
            }
            T->chi_square = el_disclosure_round_value(p, T->chi_square);
            free(c); free(pb); free(st);
            if (s) return s;
        }
    }
    if (a->missing) {
        for (size_t t = 0; t < a->missing->ntables; t++) {
            el_an_missing_table *T = &a->missing->tables[t];
            size_t n = T->ngroups;
            int64_t *c = malloc((n + 1) * sizeof *c), *pb = malloc((n + 1) * sizeof *pb);
            el_dc_state *st = malloc((n + 1) * sizeof *st);
            if (!c || !pb || !st) { free(c); free(pb); free(st); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
            for (size_t g = 0; g < n; g++) c[g] = T->groups[g].observed;
            s = an_protect_vec(c, n, p, st, pb, NULL, NULL, err);
            for (size_t g = 0; g < n && !s; g++) {
                el_an_missing_group *x = &T->groups[g];
                x->st = st[g];
                int keep = st[g] == EL_DC_SHOWN;
                x->observed = keep ? pb[g] : -1;
                /* rates and ratios from the published counts: computed from the
                 * exact ones, their decimals would give the exact count back */
                x->observed_ratio = keep ? el_disclosure_round(p, x->observed_ratio) : -1;
                if (keep) missing_values(x, x->observed, x->observed_ratio, a->opts.confidence);
                { el_disclosure_policy q = *p; q.value_decimals += 2; round_iv(&q, &x->rate, keep); }
                { el_disclosure_policy q = *p; q.value_decimals += 2; round_iv(&q, &x->ratio, keep); }
                x->expected = keep ? el_disclosure_round_value(p, x->expected) : NAN;
            }
            free(c); free(pb); free(st);
            if (s) return s;
        }
    }
    for (size_t t = 0; t < a->ntrends; t++) {
        el_an_trend *T = &a->trends[t];
        size_t ns = T->nseries, np = ns ? T->series[0].npoints : 0;
        int64_t *c = malloc((ns + 1) * sizeof *c), *pb = malloc((ns + 1) * sizeof *pb);
        el_dc_state *st = malloc((ns + 1) * sizeof *st), *stx = malloc((ns + 1) * sizeof *stx);
        size_t *map = malloc((ns + 1) * sizeof *map);
        if (!c || !pb || !st || !stx || !map) {
            free(c); free(pb); free(st); free(stx); free(map);
            return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        }
        for (size_t k = 0; k < np && !s; k++) {
            size_t m = 0;
            for (size_t i = 0; i < ns; i++)
                if (!T->series[i].gap) { map[m] = i; c[m++] = T->series[i].points[k].n; }
            s = an_protect_vec(c, m, p, st, pb, NULL, NULL, err);
            int64_t *pn = malloc((m + 1) * sizeof *pn);
            if (!pn) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
            memcpy(pn, pb, m * sizeof *pn);
            for (size_t j = 0; j < m; j++) c[j] = T->series[map[j]].points[k].x;
            if (!s) s = an_protect_vec(c, m, p, stx, pb, NULL, NULL, err);
            for (size_t j = 0; j < m && !s; j++) {
                el_an_point *pt = &T->series[map[j]].points[k];
                pt->st = st[j] != EL_DC_SHOWN ? st[j] : stx[j];
                pt->n = st[j] == EL_DC_SHOWN ? pn[j] : -1;
                pt->x = stx[j] == EL_DC_SHOWN ? pb[j] : -1;
            }
            free(pn);
            /* gap points: suppressed with their group's or the reference's point */
            el_an_lens *L = &a->lenses[T->lens];
            const char *refkey = L->ref >= 0 ? L->groups[L->ref].key : "";
            el_dc_state rst = EL_DC_SHOWN;
            for (size_t j = 0; j < m; j++)
                if (!strcmp(T->series[map[j]].key, refkey)) rst = T->series[map[j]].points[k].st;
            for (size_t i = 0; i < ns; i++) {
                if (!T->series[i].gap) continue;
                el_dc_state g = EL_DC_SHOWN;
                for (size_t j = 0; j < m; j++)
                    if (!strcmp(T->series[map[j]].key, T->series[i].key)) g = T->series[map[j]].points[k].st;
                el_an_point *pt = &T->series[i].points[k];
                pt->st = g != EL_DC_SHOWN ? g : rst;
                pt->n = pt->x = -1;
            }
        }
        for (size_t i = 0; i < ns; i++)
            for (size_t k = 0; k < np; k++) {
                el_an_point *pt = &T->series[i].points[k];
                int keep = pt->st == EL_DC_SHOWN;
                pt->value = keep ? el_disclosure_round_value(p, pt->value) : NAN;
                pt->mean = el_disclosure_round_value(p, pt->mean);
                pt->lpl = el_disclosure_round_value(p, pt->lpl);
                pt->upl = el_disclosure_round_value(p, pt->upl);
            }
        free(c); free(pb); free(st); free(stx); free(map);
        if (s) return s;
    }
    return EL_OK;
}
