/* synth.c — synthetic extracts with known injected inequalities (owner: refdata).
 * See include/equitylens/synth.h and docs/synth.md (the models, every parameter). */
#include "equitylens/synth.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "equitylens/parse.h"

/* ---------------- the model (docs/synth.md lists the same numbers) ---------------- */
#define NQ 5   /* IMD quintiles, 1 = most deprived */
#define NE 5   /* true broad ethnic groups */
#define NA6 6  /* age groups (census 2021 bands) */
#define NR 4   /* recording of ethnicity: the code, Z, 99, blank */
#define NP 4   /* waiting list: P2, P3, P4 (IRTT), none (ORTT) */

static const char *const E_NAME[NE] = {"White", "Mixed", "Asian", "Black", "Other"};
static const char *const A_NAME[NA6] = {"0-15", "16-24", "25-34", "35-49", "50-64", "65+"};
static const int A_LO[NA6] = {0, 16, 25, 35, 50, 65}, A_HI[NA6] = {15, 24, 34, 49, 64, 95};
static const char *const P_NAME[NP] = {"P2", "P3", "P4", ""};

/* P(true ethnic group | quintile) */
static const double P_E_Q[NQ][NE] = {
    {0.70, 0.040, 0.150, 0.080, 0.030},
    {0.78, 0.035, 0.110, 0.055, 0.020},
    {0.85, 0.030, 0.075, 0.030, 0.015},
    {0.89, 0.025, 0.055, 0.020, 0.010},
    {0.91, 0.020, 0.050, 0.010, 0.010}};
/* ethnic categories within each group and their shares */
static const char *const E_CODES[NE][4] = {
    {"A", "B", "C", NULL}, {"D", "E", "F", "G"}, {"H", "J", "K", "L"}, {"M", "N", "P", NULL}, {"R", "S", NULL, NULL}};
static const double E_CODE_P[NE][4] = {
    {0.85, 0.02, 0.13, 0}, {0.30, 0.15, 0.30, 0.25}, {0.35, 0.30, 0.12, 0.23}, {0.30, 0.60, 0.10, 0}, {0.30, 0.70, 0, 0}};
/* recording of ethnicity by quintile: P(99), P(Z), P(blank); else the code */
static const double P_99_Q[NQ] = {0.10, 0.08, 0.06, 0.05, 0.04};
static const double P_Z = 0.02, P_BLANK = 0.01;
/* age group distributions */
static const double P_A_OP[NA6] = {0.12, 0.08, 0.12, 0.18, 0.22, 0.28};      /* appointments, waiting list */
static const double P_A_CA[NA6] = {0.01, 0.02, 0.05, 0.14, 0.30, 0.48};      /* cancer pathways */

/* appointments: outcome mix and DNA odds ratios (reference: quintile 5, White, 50-64) */
static const double P_PAT_CANCEL = 0.06, P_PROV_CANCEL = 0.05, P_DNA_LATE = 0.10, P_LATE_SEEN = 0.05;
static const double DNA_BASE = 0.05;
static const double DNA_OR_Q[NQ] = {2.0, 1.6, 1.3, 1.1, 1.0};
static const double DNA_OR_E[NE] = {1.0, 1.3, 1.2, 1.5, 1.25};
static const double DNA_OR_A[NA6] = {1.3, 1.8, 1.5, 1.2, 1.0, 0.8};

/* waiting list: P(waiting list type, priority), mean wait (days) by priority, multipliers */
static const double P_PRIO[NP] = {0.06, 0.18, 0.16, 0.60};   /* IRTT P2, P3, P4; ORTT (no priority) */
static const double WAIT_MEAN[NP] = {35, 100, 180, 90};
static const double WAIT_M_Q[NQ] = {1.25, 1.15, 1.08, 1.03, 1.0};
static const double WAIT_M_E[NE] = {1.0, 1.05, 1.10, 1.15, 1.05};
static const double P_URGENT = 0.25;

/* cancer: FDS (≤ 28 days) odds ratios (reference: quintile 5, White, 50-64) */
static const double FDS_BASE = 0.80;
static const double FDS_OR_Q[NQ] = {0.6, 0.7, 0.8, 0.9, 1.0};
static const double FDS_OR_E[NE] = {1.0, 0.85, 0.8, 0.7, 0.85};
static const double FDS_OR_A[NA6] = {1.0, 0.9, 1.0, 1.0, 1.0, 0.85};
static const double P_OPEN = 0.04, P_TREATED = 0.12, P_STAGE_U = 0.10;
static const char *const SITES[] = {"Breast", "Lower GI", "Lung", "Skin", "Urological", "Gynaecological",
                                    "Head and neck", "Upper GI", "Haematological"};
static const double P_SITE[] = {0.20, 0.18, 0.08, 0.16, 0.14, 0.09, 0.07, 0.05, 0.03};

/* shared: providers, treatment functions, other demographics */
static const char *const PROVIDERS[] = {"RAL", "RJ1", "R0A"};
static const double P_PROVIDER[] = {0.5, 0.3, 0.2};
static const char *const TFC[] = {"100", "101", "110", "120", "130", "300", "320", "330", "502"};
static const double P_TFC[] = {0.12, 0.08, 0.18, 0.10, 0.16, 0.10, 0.09, 0.09, 0.08};
static const char *const GENDERS[] = {"1", "2", "9", "X"};
static const double P_GENDER[] = {0.47, 0.52, 0.002, 0.008};
static const double P_LD = 0.006, P_INTERP = 0.02;

/* data-quality problems (when inject_quality) */
static const double Q_LSOA_BLANK = 0.010, Q_LSOA_BAD = 0.002, Q_DUP_ID = 0.001,
                    Q_DATE_ORDER = 0.005, Q_FUTURE = 0.0005;

/* ---------------- helpers ---------------- */
static double expit(double x) { return 1.0 / (1.0 + exp(-x)); }
static double logit(double p) { return log(p / (1.0 - p)); }

static int pick(gsl_rng *r, const double *p, int n)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += p[i];
        if (u < acc) return i;
    }
    return n - 1;
}

static int ipick(gsl_rng *r, int lo, int hi) { return lo + (int)gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1)); }

typedef struct { double *prob; int32_t *alias; size_t n; } alias_tab;

static int alias_build(alias_tab *t, const el_synth_area *a, size_t n)
{
    t->n = n;
    t->prob = malloc(n * sizeof *t->prob);
    t->alias = malloc(n * sizeof *t->alias);
    int32_t *small = malloc(n * sizeof *small), *large = malloc(n * sizeof *large);
    if (!t->prob || !t->alias || !small || !large) { free(small); free(large); return -1; }
    double tot = 0;
    for (size_t i = 0; i < n; i++) tot += a[i].weight;
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        t->prob[i] = a[i].weight * (double)n / tot;
        t->alias[i] = (int32_t)i;
        if (t->prob[i] < 1.0) small[ns++] = (int32_t)i; else large[nl++] = (int32_t)i;
    }
    while (ns && nl) {
        int32_t s = small[--ns], l = large[--nl];
        t->alias[s] = l;
        t->prob[l] = (t->prob[l] + t->prob[s]) - 1.0;
        if (t->prob[l] < 1.0) small[ns++] = l; else large[nl++] = l;
    }
    while (nl) t->prob[large[--nl]] = 1.0;
    while (ns) t->prob[small[--ns]] = 1.0;
    free(small); free(large);
    return 0;
}

static size_t alias_draw(const alias_tab *t, gsl_rng *r)
{
    size_t i = (size_t)gsl_rng_uniform_int(r, t->n);
    return gsl_rng_uniform(r) < t->prob[i] ? i : (size_t)t->alias[i];
}

/* line builder */
typedef struct { char b[1024]; size_t n; } line;
static void put(line *l, const char *s) { size_t k = strlen(s); memcpy(l->b + l->n, s, k); l->n += k; }
static void comma(line *l) { l->b[l->n++] = ','; }
static void put_u(line *l, uint64_t v, int width)
{
    char tmp[24];
    int k = 0;
    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (k < width) tmp[k++] = '0';
    while (k) l->b[l->n++] = tmp[--k];
}
static void put_id(line *l, char prefix, uint64_t v) { l->b[l->n++] = prefix; put_u(l, v, 9); }
static void put_date(line *l, int32_t days)
{
    int y; unsigned m, d;
    el_civil_from_days(days, &y, &m, &d);
    put_u(l, (uint64_t)y, 4); l->b[l->n++] = '-';
    put_u(l, m, 2); l->b[l->n++] = '-';
    put_u(l, d, 2);
}

/* A valid NHS number (Modulus 11) in the 999 range reserved for testing,
 * derived from the patient index (cycles after about 910,000 patients). */
static void put_nhs(line *l, uint64_t pid)
{
    uint64_t base = (pid * 7919u) % 1000000u;
    for (;;) {
        int dg[9];
        uint64_t v = 999000000u + base;
        for (int i = 8; i >= 0; i--) { dg[i] = (int)(v % 10); v /= 10; }
        int sum = 0;
        for (int i = 0; i < 9; i++) sum += dg[i] * (10 - i);
        int chk = 11 - sum % 11;
        if (chk == 11) chk = 0;
        if (chk != 10) {
            for (int i = 0; i < 9; i++) l->b[l->n++] = (char)('0' + dg[i]);
            l->b[l->n++] = (char)('0' + chk);
            return;
        }
        base = (base + 1) % 1000000u;
    }
}

/* one person's demographics */
typedef struct {
    size_t area;
    int q, e, a, age, rec;  /* rec: 0 code, 1 Z, 2 99, 3 blank */
    const char *eth, *gender;
    int lsoa_state;         /* 0 ok, 1 blank, 2 malformed */
    const char *l21;        /* LSOA 2021 written when opts.lsoa21 ("" if unmapped) */
    int ld, interp;
} person;

typedef struct {
    uint64_t n[8], ev[8];   /* per group: denominator, events (or sum of waits) */
} tally;

typedef struct {
    const el_synth_opts *o;
    const el_synth_area *areas;
    alias_tab at;
    gsl_rng *r;
    const double *p_age;
    /* realised counts */
    uint64_t rq_n[NQ], rq_ev[NQ], re_n[NE + 2], re_ev[NE + 2], ra_n[NA6], ra_ev[NA6];
    double rq_sum[NQ], re_sum[NE + 2];
    uint64_t inj_blank, inj_bad, inj_dup, inj_order, inj_future, rec_z, rec_99, rec_blank, rows, l21_unmapped;
} gen;

static int rec_group(const person *p) { return p->rec == 0 ? p->e : p->rec == 1 ? NE : NE + 1; }
static const char *rec_name(int g) { return g < NE ? E_NAME[g] : g == NE ? "Not stated" : "Not known"; }

static void draw_person(gen *g, person *p)
{
    gsl_rng *r = g->r;
    p->area = alias_draw(&g->at, r);
    p->q = (g->areas[p->area].imd_decile + 1) / 2 - 1;
    p->e = pick(r, P_E_Q[p->q], NE);
    int nc = 0;
    while (nc < 4 && E_CODES[p->e][nc]) nc++;
    p->eth = E_CODES[p->e][pick(r, E_CODE_P[p->e], nc)];
    double u = gsl_rng_uniform(r);
    p->rec = u < P_99_Q[p->q] ? 2 : u < P_99_Q[p->q] + P_Z ? 1 : u < P_99_Q[p->q] + P_Z + P_BLANK ? 3 : 0;
    if (p->rec == 1) { p->eth = "Z"; g->rec_z++; }
    else if (p->rec == 2) { p->eth = "99"; g->rec_99++; }
    else if (p->rec == 3) { p->eth = ""; g->rec_blank++; }
    p->a = pick(r, g->p_age, NA6);
    p->age = ipick(r, A_LO[p->a], A_HI[p->a]);
    p->gender = GENDERS[pick(r, P_GENDER, 4)];
    p->ld = gsl_rng_uniform(r) < P_LD;
    p->interp = gsl_rng_uniform(r) < P_INTERP;
    p->lsoa_state = 0;
    p->l21 = "";
    if (g->o->lsoa21) {
        const el_synth_area *ar = &g->areas[p->area];
        if (ar->n_lsoa21 == 1) p->l21 = ar->lsoa21[0];
        else if (ar->n_lsoa21 > 1) {
            double tot = 0, acc = 0;
            for (size_t k = 0; k < ar->n_lsoa21; k++) tot += ar->lsoa21_weight[k];
            double v = gsl_rng_uniform(r) * tot;
            size_t k = 0;
            for (; k + 1 < ar->n_lsoa21; k++) {
                acc += ar->lsoa21_weight[k];
                if (v < acc) break;
            }
            p->l21 = ar->lsoa21[k];
        } else {
            g->l21_unmapped++;
        }
    }
    if (g->o->inject_quality) {
        u = gsl_rng_uniform(r);
        if (u < Q_LSOA_BLANK) p->lsoa_state = 1;
        else if (u < Q_LSOA_BLANK + Q_LSOA_BAD) p->lsoa_state = 2;
    }
}

/* demographics columns, in the header's order */
static void put_demo(gen *g, line *l, const person *p)
{
    put(l, p->eth); comma(l);
    put(l, p->gender); comma(l);
    put_u(l, (uint64_t)p->age, 1); comma(l);
    if (p->lsoa_state == 0) put(l, g->areas[p->area].lsoa11);
    else if (p->lsoa_state == 2) { put(l, "E01"); put_u(l, (uint64_t)(p->area % 100000), 5); } /* 8 chars: malformed */
    comma(l);
    if (g->o->lsoa21) {
        if (p->lsoa_state == 0) put(l, p->l21);
        else if (p->lsoa_state == 2) { put(l, "E01"); put_u(l, (uint64_t)(p->area % 100000), 5); }
        comma(l);
    }
    put(l, p->ld ? "Y" : "N"); comma(l);
    put(l, p->interp ? "Y" : "N");
    l->b[l->n++] = '\n';
}

static void count_lsoa_inj(gen *g, const person *p)
{
    if (p->lsoa_state == 1) g->inj_blank++;
    else if (p->lsoa_state == 2) g->inj_bad++;
}

/* record one outcome for the realised tallies (ev: 0/1 event, or a wait) */
static void tally_add(gen *g, const person *p, double ev)
{
    if (p->lsoa_state == 0) { g->rq_n[p->q]++; g->rq_sum[p->q] += ev; g->rq_ev[p->q] += ev > 0; }
    int rg = rec_group(p);
    g->re_n[rg]++; g->re_sum[rg] += ev; g->re_ev[rg] += ev > 0;
    g->ra_n[p->a]++; g->ra_ev[p->a] += ev > 0;
}

/* ---------------- truth ---------------- */
static json_t *jnum_map(const double *v, int n, const char *const *names)
{
    json_t *o = json_object();
    for (int i = 0; i < n; i++) {
        char k[16];
        const char *key = names ? names[i] : k;
        if (!names) snprintf(k, sizeof k, "%d", i + 1);
        json_object_set_new(o, key, json_real(v[i]));
    }
    return o;
}

/* expected outcomes by enumerating every cell of the model */
typedef struct { double w[16], y[16], y2[16]; } acc;
static void acc_add(acc *a, int g, double w, double y, double y2) { a->w[g] += w; a->y[g] += w * y; a->y2[g] += w * y2; }

static json_t *acc_json(const acc *a, int n, const char *const *names, const char *ykey, const char *y2key)
{
    json_t *o = json_object();
    double tot = 0;
    for (int i = 0; i < n; i++) tot += a->w[i];
    for (int i = 0; i < n; i++) {
        if (a->w[i] <= 0) continue;
        char k[16];
        if (!names) snprintf(k, sizeof k, "%d", i + 1);
        json_t *g = json_object();
        json_object_set_new(g, "share", json_real(a->w[i] / tot));
        json_object_set_new(g, ykey, json_real(a->y[i] / a->w[i]));
        if (y2key) json_object_set_new(g, y2key, json_real(a->y2[i] / a->w[i]));
        json_object_set_new(o, names ? names[i] : k, g);
    }
    return o;
}

static double p_rec(int q, int rec)
{
    double p99 = P_99_Q[q];
    return rec == 0 ? 1.0 - p99 - P_Z - P_BLANK : rec == 1 ? P_Z : rec == 2 ? p99 : P_BLANK;
}

static json_t *expected(const gen *g, const double *pq)
{
    el_kind k = g->o->kind;
    static const char *const RG[NE + 2] = {"White", "Mixed", "Asian", "Black", "Other", "Not stated", "Not known"};
    acc byq = {0}, bye = {0}, bya = {0}, all = {0}, byp = {0}, bypq[NP], bype[NP];
    memset(bypq, 0, sizeof bypq); memset(bype, 0, sizeof bype);
    for (int q = 0; q < NQ; q++)
        for (int e = 0; e < NE; e++)
            for (int rec = 0; rec < NR; rec++)
                for (int a = 0; a < NA6; a++) {
                    double w = pq[q] * P_E_Q[q][e] * p_rec(q, rec) * g->p_age[a];
                    int rg = rec == 0 ? e : rec == 1 ? NE : NE + 1;
                    if (k == EL_KIND_WAITING_LIST) {
                        for (int p = 0; p < NP; p++) {
                            double m = WAIT_MEAN[p] * WAIT_M_Q[q] * WAIT_M_E[e];
                            double mean = 1.0 / expm1(1.0 / m), over = exp(-127.0 / m);
                            double wp = w * P_PRIO[p];
                            acc_add(&byq, q, wp, mean, over); acc_add(&bye, rg, wp, mean, over);
                            acc_add(&bya, a, wp, mean, over); acc_add(&all, 0, wp, mean, over);
                            acc_add(&byp, p, wp, mean, over);
                            acc_add(&bypq[p], q, wp, mean, over); acc_add(&bype[p], rg, wp, mean, over);
                        }
                        continue;
                    }
                    double y;
                    if (k == EL_KIND_APPOINTMENTS)
                        y = expit(logit(DNA_BASE) + log(DNA_OR_Q[q]) + log(DNA_OR_E[e]) + log(DNA_OR_A[a]));
                    else
                        y = expit(logit(FDS_BASE) + log(FDS_OR_Q[q]) + log(FDS_OR_E[e]) + log(FDS_OR_A[a]));
                    acc_add(&byq, q, w, y, 0); acc_add(&bye, rg, w, y, 0);
                    acc_add(&bya, a, w, y, 0); acc_add(&all, 0, w, y, 0);
                }
    const char *yk = k == EL_KIND_APPOINTMENTS ? "dna_rate" : k == EL_KIND_WAITING_LIST ? "mean_wait_days" : "fds_rate";
    const char *y2k = k == EL_KIND_WAITING_LIST ? "pct_over_18_weeks" : NULL;
    json_t *x = json_object();
    json_object_set_new(x, "by_imd_quintile", acc_json(&byq, NQ, NULL, yk, y2k));
    json_object_set_new(x, "by_ethnic_group", acc_json(&bye, NE + 2, RG, yk, y2k));
    json_object_set_new(x, "by_age_group", acc_json(&bya, NA6, A_NAME, yk, y2k));
    static const char *const ALL[] = {"all"};
    json_t *ov = acc_json(&all, 1, ALL, yk, y2k);
    json_object_set(x, "overall", json_object_get(ov, "all"));
    json_decref(ov);
    if (k == EL_KIND_WAITING_LIST) {
        static const char *const PN[NP] = {"P2", "P3", "P4", "none"};
        json_object_set_new(x, "by_clinical_priority", acc_json(&byp, NP, PN, yk, y2k));
        json_t *pq2 = json_object(), *pe2 = json_object();
        for (int p = 0; p < NP; p++) {
            json_object_set_new(pq2, PN[p], acc_json(&bypq[p], NQ, NULL, yk, y2k));
            json_object_set_new(pe2, PN[p], acc_json(&bype[p], NE + 2, RG, yk, y2k));
        }
        json_object_set_new(x, "by_clinical_priority_and_imd_quintile", pq2);
        json_object_set_new(x, "by_clinical_priority_and_ethnic_group", pe2);
    }
    return x;
}

static json_t *realised(const gen *g)
{
    el_kind k = g->o->kind;
    json_t *o = json_object(), *q = json_object(), *e = json_object(), *a = json_object();
    const char *nk = k == EL_KIND_APPOINTMENTS ? "attended_or_dna" : k == EL_KIND_WAITING_LIST ? "pathways" : "diagnosed";
    const char *ek = k == EL_KIND_APPOINTMENTS ? "dna" : k == EL_KIND_WAITING_LIST ? "over_18_weeks" : "fds_met";
    for (int i = 0; i < NQ; i++) {
        char key[8]; snprintf(key, sizeof key, "%d", i + 1);
        json_t *c = json_object();
        json_object_set_new(c, nk, json_integer((json_int_t)g->rq_n[i]));
        json_object_set_new(c, ek, json_integer((json_int_t)g->rq_ev[i]));
        if (k == EL_KIND_WAITING_LIST) json_object_set_new(c, "sum_wait_days", json_integer((json_int_t)g->rq_sum[i]));
        json_object_set_new(q, key, c);
    }
    for (int i = 0; i < NE + 2; i++) {
        if (!g->re_n[i]) continue;
        json_t *c = json_object();
        json_object_set_new(c, nk, json_integer((json_int_t)g->re_n[i]));
        json_object_set_new(c, ek, json_integer((json_int_t)g->re_ev[i]));
        if (k == EL_KIND_WAITING_LIST) json_object_set_new(c, "sum_wait_days", json_integer((json_int_t)g->re_sum[i]));
        json_object_set_new(e, rec_name(i), c);
    }
    for (int i = 0; i < NA6; i++) {
        json_t *c = json_object();
        json_object_set_new(c, nk, json_integer((json_int_t)g->ra_n[i]));
        json_object_set_new(c, ek, json_integer((json_int_t)g->ra_ev[i]));
        json_object_set_new(a, A_NAME[i], c);
    }
    json_object_set_new(o, "by_imd_quintile", q);
    json_object_set_new(o, "by_ethnic_group", e);
    json_object_set_new(o, "by_age_group", a);
    return o;
}

static json_t *params(const gen *g)
{
    el_kind k = g->o->kind;
    json_t *p = json_object();
    json_t *eq = json_object();
    for (int q = 0; q < NQ; q++) {
        char key[8]; snprintf(key, sizeof key, "%d", q + 1);
        json_object_set_new(eq, key, jnum_map(P_E_Q[q], NE, E_NAME));
    }
    json_object_set_new(p, "p_ethnic_group_given_imd_quintile", eq);
    json_object_set_new(p, "p_ethnicity_99_by_imd_quintile", jnum_map(P_99_Q, NQ, NULL));
    json_object_set_new(p, "p_ethnicity_Z", json_real(P_Z));
    json_object_set_new(p, "p_ethnicity_blank", json_real(P_BLANK));
    json_object_set_new(p, "p_age_group", jnum_map(g->p_age, NA6, A_NAME));
    if (k == EL_KIND_APPOINTMENTS) {
        json_t *m = json_object();
        json_object_set_new(m, "formula", json_string("logit P(DNA | attended or DNA) = logit(base) + ln OR_imd_quintile + ln OR_ethnic_group + ln OR_age_group (true, not recorded, ethnic group)"));
        json_object_set_new(m, "base", json_real(DNA_BASE));
        json_object_set_new(m, "or_imd_quintile", jnum_map(DNA_OR_Q, NQ, NULL));
        json_object_set_new(m, "or_ethnic_group", jnum_map(DNA_OR_E, NE, E_NAME));
        json_object_set_new(m, "or_age_group", jnum_map(DNA_OR_A, NA6, A_NAME));
        json_object_set_new(m, "p_patient_cancelled_code_2", json_real(P_PAT_CANCEL));
        json_object_set_new(m, "p_provider_cancelled_code_4", json_real(P_PROV_CANCEL));
        json_object_set_new(m, "p_dna_is_code_7", json_real(P_DNA_LATE));
        json_object_set_new(m, "p_attended_is_code_6", json_real(P_LATE_SEEN));
        json_object_set_new(m, "dna_rate_definition", json_string("codes 3+7 / codes 3+5+6+7"));
        json_object_set_new(p, "dna_model", m);
    } else if (k == EL_KIND_WAITING_LIST) {
        static const char *const PN[NP] = {"P2", "P3", "P4", "none"};
        json_t *m = json_object();
        json_object_set_new(m, "formula", json_string("wait_days = floor(X), X ~ Exponential(mean = mean_by_priority * m_imd_quintile * m_ethnic_group); rtt_start_date = census_date - wait_days"));
        json_object_set_new(m, "p_priority", jnum_map(P_PRIO, NP, PN));
        json_object_set_new(m, "mean_days_by_priority", jnum_map(WAIT_MEAN, NP, PN));
        json_object_set_new(m, "m_imd_quintile", jnum_map(WAIT_M_Q, NQ, NULL));
        json_object_set_new(m, "m_ethnic_group", jnum_map(WAIT_M_E, NE, E_NAME));
        json_object_set_new(m, "waiting_list_type", json_string("IRTT when a priority P2-P4 is given, else ORTT with a blank clinical_priority"));
        json_object_set_new(m, "p_priority_type_urgent", json_real(P_URGENT));
        json_object_set_new(m, "over_18_weeks_definition", json_string("wait_days > 126 (i.e. X >= 127)"));
        json_object_set_new(p, "wait_model", m);
    } else {
        json_t *m = json_object();
        json_object_set_new(m, "formula", json_string("logit P(diagnosis communicated within 28 days) = logit(base) + ln OR_imd_quintile + ln OR_ethnic_group + ln OR_age_group"));
        json_object_set_new(m, "base", json_real(FDS_BASE));
        json_object_set_new(m, "or_imd_quintile", jnum_map(FDS_OR_Q, NQ, NULL));
        json_object_set_new(m, "or_ethnic_group", jnum_map(FDS_OR_E, NE, E_NAME));
        json_object_set_new(m, "or_age_group", jnum_map(FDS_OR_A, NA6, A_NAME));
        json_object_set_new(m, "p_open_no_diagnosis_date", json_real(P_OPEN));
        json_object_set_new(m, "p_treated_given_diagnosed", json_real(P_TREATED));
        json_object_set_new(m, "fds_rate_definition", json_string("rows with diagnosis_communicated_date - referral_date <= 28 / rows with a diagnosis_communicated_date (not before referral)"));
        json_object_set_new(p, "fds_model", m);
    }
    json_t *dq = json_object();
    json_object_set_new(dq, "p_lsoa_blank", json_real(g->o->inject_quality ? Q_LSOA_BLANK : 0));
    json_object_set_new(dq, "p_lsoa_malformed", json_real(g->o->inject_quality ? Q_LSOA_BAD : 0));
    json_object_set_new(dq, "p_duplicate_id", json_real(g->o->inject_quality ? Q_DUP_ID : 0));
    json_object_set_new(dq, "p_dates_out_of_order", json_real(g->o->inject_quality ? Q_DATE_ORDER : 0));
    json_object_set_new(dq, "p_date_in_future", json_real(g->o->inject_quality && k == EL_KIND_APPOINTMENTS ? Q_FUTURE : 0));
    json_object_set_new(p, "data_quality", dq);
    return p;
}

/* ---------------- generators ---------------- */
static int32_t period_day(gen *g) { return ipick(g->r, g->o->period_start, g->o->period_end); }

static int emit(el_synth_row_fn fn, void *ctx, gen *g, line *l)
{
    g->rows++;
    return fn(ctx, l->b, l->n);
}

/* The leading columns of every kind: the record id (repeated with
 * probability Q_DUP_ID when quality problems are injected; *id counts the
 * distinct ones), the patient id and, when asked, the NHS number. */
static void put_ids(gen *g, line *l, char prefix, uint64_t *id, uint64_t pid)
{
    int dup = g->o->inject_quality && *id > 0 && gsl_rng_uniform(g->r) < Q_DUP_ID;
    if (dup) g->inj_dup++; else (*id)++;
    put_id(l, prefix, *id); comma(l);
    put_id(l, 'P', pid); comma(l);
    if (g->o->nhs_numbers) { put_nhs(l, pid); comma(l); }
}

/* The trailing demographic columns, the LSOA tallies, then hand the row over. */
static int end_row(gen *g, line *l, const person *p, el_synth_row_fn fn, void *ctx)
{
    put_demo(g, l, p);
    count_lsoa_inj(g, p);
    return emit(fn, ctx, g, l);
}

static int gen_appointments(gen *g, el_synth_row_fn fn, void *ctx)
{
    gsl_rng *r = g->r;
    uint64_t id = 0, pid = 0;
    person p;
    while (g->rows < g->o->rows) {
        draw_person(g, &p);
        pid++;
        int k = 1 + (int)gsl_rng_uniform_int(r, 4);   /* 1..4 appointments per patient */
        double pdna = expit(logit(DNA_BASE) + log(DNA_OR_Q[p.q]) + log(DNA_OR_E[p.e]) + log(DNA_OR_A[p.a]));
        const char *prov = PROVIDERS[pick(r, P_PROVIDER, 3)];
        const char *tf = TFC[pick(r, P_TFC, 9)];
        int32_t ref = period_day(g) - ipick(r, 14, 180);
        int32_t lo = ref + 7 > g->o->period_start ? ref + 7 : g->o->period_start;
        for (int j = 0; j < k && g->rows < g->o->rows; j++) {
            line l; l.n = 0;
            put_ids(g, &l, 'A', &id, pid);
            int32_t day = ipick(r, lo, g->o->period_end);
            int32_t refd = ref;
            if (g->o->inject_quality) {
                double u = gsl_rng_uniform(r);
                if (u < Q_DATE_ORDER) { refd = day + ipick(r, 1, 30); g->inj_order++; }
                else if (u < Q_DATE_ORDER + Q_FUTURE) { day += 3653; g->inj_future++; }
            }
            put_date(&l, day); comma(&l);
            const char *att;
            double u = gsl_rng_uniform(r);
            if (u < P_PAT_CANCEL) att = "2";
            else if (u < P_PAT_CANCEL + P_PROV_CANCEL) att = "4";
            else {
                int dna = gsl_rng_uniform(r) < pdna;
                if (dna) att = gsl_rng_uniform(r) < P_DNA_LATE ? "7" : "3";
                else att = gsl_rng_uniform(r) < P_LATE_SEEN ? "6" : "5";
                tally_add(g, &p, dna);
            }
            put(&l, att); comma(&l);
            put(&l, prov); comma(&l);
            put(&l, tf); comma(&l);
            put_date(&l, refd); comma(&l);
            put(&l, j == 0 ? "1" : "2"); comma(&l);
            u = gsl_rng_uniform(r);
            put(&l, u < 0.80 ? "01" : u < 0.95 ? "02" : "04"); comma(&l);
            if (end_row(g, &l, &p, fn, ctx)) return -1;
        }
    }
    return 0;
}

static int gen_waiting_list(gen *g, el_synth_row_fn fn, void *ctx)
{
    gsl_rng *r = g->r;
    uint64_t id = 0;
    person p;
    while (g->rows < g->o->rows) {
        draw_person(g, &p);
        line l; l.n = 0;
        put_ids(g, &l, 'W', &id, g->rows + 1);
        int pr = pick(r, P_PRIO, NP);
        double m = WAIT_MEAN[pr] * WAIT_M_Q[p.q] * WAIT_M_E[p.e];
        int32_t wait = (int32_t)floor(-m * log1p(-gsl_rng_uniform(r)));
        int32_t start = g->o->census_date - wait;
        if (g->o->inject_quality && gsl_rng_uniform(r) < Q_DATE_ORDER) {
            start = g->o->census_date + ipick(r, 1, 30);
            g->inj_order++;
        } else {
            tally_add(g, &p, 0);   /* counts the pathway; waits added below */
            if (p.lsoa_state == 0) { g->rq_sum[p.q] += wait; g->rq_ev[p.q] += wait > 126; }
            int rg = rec_group(&p);
            g->re_sum[rg] += wait; g->re_ev[rg] += wait > 126;
            g->ra_ev[p.a] += wait > 126;
        }
        put_date(&l, start); comma(&l);
        put_date(&l, g->o->census_date); comma(&l);
        put(&l, PROVIDERS[pick(r, P_PROVIDER, 3)]); comma(&l);
        put(&l, TFC[pick(r, P_TFC, 9)]); comma(&l);
        put(&l, pr < 3 ? "IRTT" : "ORTT"); comma(&l);
        put(&l, P_NAME[pr]); comma(&l);
        put(&l, gsl_rng_uniform(r) < P_URGENT ? "2" : "1"); comma(&l);
        if (end_row(g, &l, &p, fn, ctx)) return -1;
    }
    return 0;
}

static int gen_cancer(gen *g, el_synth_row_fn fn, void *ctx)
{
    gsl_rng *r = g->r;
    uint64_t id = 0;
    person p;
    while (g->rows < g->o->rows) {
        draw_person(g, &p);
        line l; l.n = 0;
        put_ids(g, &l, 'C', &id, g->rows + 1);
        int32_t ref = period_day(g);
        put_date(&l, ref); comma(&l);
        put(&l, PROVIDERS[pick(r, P_PROVIDER, 3)]); comma(&l);
        put(&l, SITES[pick(r, P_SITE, 9)]); comma(&l);
        double pf = expit(logit(FDS_BASE) + log(FDS_OR_Q[p.q]) + log(FDS_OR_E[p.e]) + log(FDS_OR_A[p.a]));
        int open = gsl_rng_uniform(r) < P_OPEN;
        int met = gsl_rng_uniform(r) < pf;
        int32_t days = met ? ipick(r, 3, 28) : 29 + (int32_t)fmin(151.0, floor(-20.0 * log1p(-gsl_rng_uniform(r))));
        int bad = g->o->inject_quality && gsl_rng_uniform(r) < Q_DATE_ORDER;
        if (!open) {
            if (bad) { put_date(&l, ref - ipick(r, 1, 30)); g->inj_order++; }
            else { put_date(&l, ref + days); tally_add(g, &p, met); }
        }
        comma(&l);
        int treated = !open && gsl_rng_uniform(r) < P_TREATED;
        if (treated) put_date(&l, ref + days + ipick(r, 5, 31));
        comma(&l);
        if (treated) {
            if (gsl_rng_uniform(r) < P_STAGE_U) put(&l, "U");
            else put_u(&l, (uint64_t)ipick(r, 1, 4), 1);
        }
        comma(&l);
        if (end_row(g, &l, &p, fn, ctx)) return -1;
    }
    return 0;
}

void el_synth_opts_default(el_synth_opts *o, el_kind kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->rows = 1000;
    o->seed = 1;
    o->period_start = el_days_from_civil(2024, 4, 1);
    o->period_end = el_days_from_civil(2025, 3, 31);
    o->census_date = o->period_end;
    o->inject_quality = 1;
}

el_status el_synth_run(const el_synth_opts *o, const el_synth_area *areas, size_t n_areas,
                       el_synth_row_fn fn, void *ctx, json_t **truth, el_error *err)
{
    if (truth) *truth = NULL;
    if (!o || !fn || (int)o->kind < 0 || o->kind >= EL_KIND__COUNT)
        return el_error_set(err, EL_ERR_INVALID, "synth: bad options");
    if (!areas || !n_areas) return el_error_set(err, EL_ERR_INVALID, "synth: no LSOAs to sample from");
    if (o->period_end < o->period_start) return el_error_set(err, EL_ERR_INVALID, "synth: period ends before it starts");
    double pq[NQ] = {0}, tot = 0;
    for (size_t i = 0; i < n_areas; i++) {
        if (!(areas[i].weight > 0) || areas[i].imd_decile < 1 || areas[i].imd_decile > 10 || !areas[i].lsoa11 ||
            strlen(areas[i].lsoa11) > 16 || (areas[i].n_lsoa21 && (!areas[i].lsoa21 || !areas[i].lsoa21_weight)))
            return el_error_set(err, EL_ERR_INVALID, "synth: area %zu has a bad weight, decile or code", i);
        pq[(areas[i].imd_decile + 1) / 2 - 1] += areas[i].weight;
        tot += areas[i].weight;
    }
    for (int q = 0; q < NQ; q++) pq[q] /= tot;

    gen g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.areas = areas;
    g.p_age = o->kind == EL_KIND_CANCER_PATHWAYS ? P_A_CA : P_A_OP;
    g.r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g.r || alias_build(&g.at, areas, n_areas)) {
        gsl_rng_free(g.r); free(g.at.prob); free(g.at.alias);
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    }
    gsl_rng_set(g.r, o->seed);

    static const char *const HEAD_REST[EL_KIND__COUNT] = {
        "appointment_date,attended_or_did_not_attend,provider_code,treatment_function_code,"
        "referral_request_received_date,first_attendance,consultation_medium,",
        "rtt_start_date,census_date,provider_code,treatment_function_code,"
        "waiting_list_type,clinical_priority,priority_type_code,",
        "referral_date,provider_code,cancer_site,diagnosis_communicated_date,first_treatment_date,stage,"};
    char head[768];
    snprintf(head, sizeof head, "%s,patient_id,%s%sethnic_category,person_stated_gender_code,age,lsoa11,%s"
             "learning_disability,interpreter_required\n",
             o->kind == EL_KIND_APPOINTMENTS ? "appointment_id" : "pathway_id", o->nhs_numbers ? "nhs_number," : "",
             HEAD_REST[o->kind], o->lsoa21 ? "lsoa21," : "");
    int rc = fn(ctx, head, strlen(head));
    if (!rc) {
        if (o->kind == EL_KIND_APPOINTMENTS) rc = gen_appointments(&g, fn, ctx);
        else if (o->kind == EL_KIND_WAITING_LIST) rc = gen_waiting_list(&g, fn, ctx);
        else rc = gen_cancer(&g, fn, ctx);
    }
    el_status st = EL_OK;
    if (rc) st = el_error_set(err, EL_ERR_IO, "synth: the writer stopped after %llu rows", (unsigned long long)g.rows);
    else if (truth) {
        json_t *t = json_object();
        char d1[11], d2[11], d3[11];
        el_format_date(o->period_start, d1); el_format_date(o->period_end, d2); el_format_date(o->census_date, d3);
        json_object_set_new(t, "kind", json_string(el_kind_name(o->kind)));
        json_object_set_new(t, "rows", json_integer((json_int_t)g.rows));
        json_object_set_new(t, "seed", json_integer((json_int_t)o->seed));
        json_object_set_new(t, "generator", json_string("equitylens synth 1 (gsl mt19937)"));
        json_object_set_new(t, "period_start", json_string(d1));
        json_object_set_new(t, "period_end", json_string(d2));
        if (o->kind == EL_KIND_WAITING_LIST) json_object_set_new(t, "census_date", json_string(d3));
        json_object_set_new(t, "lsoas_sampled_from", json_integer((json_int_t)n_areas));
        json_object_set_new(t, "p_imd_quintile", jnum_map(pq, NQ, NULL));
        json_object_set_new(t, "parameters", params(&g));
        json_object_set_new(t, "expected", expected(&g, pq));
        json_object_set_new(t, "realised", realised(&g));
        json_t *inj = json_object();
        json_object_set_new(inj, "lsoa_blank", json_integer((json_int_t)g.inj_blank));
        json_object_set_new(inj, "lsoa_malformed", json_integer((json_int_t)g.inj_bad));
        json_object_set_new(inj, "duplicate_id", json_integer((json_int_t)g.inj_dup));
        json_object_set_new(inj, "dates_out_of_order", json_integer((json_int_t)g.inj_order));
        json_object_set_new(inj, "date_in_future", json_integer((json_int_t)g.inj_future));
        json_object_set_new(inj, "ethnic_category_99", json_integer((json_int_t)g.rec_99));
        json_object_set_new(inj, "ethnic_category_Z", json_integer((json_int_t)g.rec_z));
        json_object_set_new(inj, "ethnic_category_blank", json_integer((json_int_t)g.rec_blank));
        if (o->lsoa21) json_object_set_new(inj, "lsoa21_unmapped", json_integer((json_int_t)g.l21_unmapped));
        json_object_set_new(t, "injected", inj);
        json_object_set_new(t, "notes", json_string(
            "expected.* are exact model expectations over the sampled population (ethnic groups as recorded, "
            "blank and 99 both 'Not known'); rows with injected date problems are excluded from expected and "
            "realised outcome figures of waiting_list and cancer_pathways (appointments outcomes do not depend on dates, so every row counts); by_imd_quintile excludes rows whose LSOA was blanked or malformed. "
            "ethnic_category_* count persons (appointments: per patient, repeated on each of their rows). "
            "IMD quintiles are IMD 2019 of the lsoa11 column: import with --imd-edition 2019 to recover them "
            "when the extract also has an lsoa21 column (whose default edition is IMD 2025)."));
        *truth = t;
    }
    gsl_rng_free(g.r);
    free(g.at.prob); free(g.at.alias);
    return st;
}
