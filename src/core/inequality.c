/* inequality.c — WHO summary measures of health inequality (owner: "who").
 * Block validation, the closed-form measures, and the Monte Carlo limits.
 * Regressions (ACI/RCI, SII/RII) live in inequality_regress.c. Formulas,
 * references and differences from healthequal: docs/methods/who.md. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gsl/gsl_rng.h>
#include "equitylens/distrib.h"
#include "equitylens/inequality.h"
#include "inequality_impl.h"

static const char *const k_names[EL_INEQ_COUNT] = {
    "d", "r", "aci", "rci", "sii", "rii", "paf", "par", "bgv", "bgsd", "cov",
    "mdmu", "mdmw", "mdbu", "mdbw", "mdru", "mdrw", "idisu", "idisw", "ti", "mld"};
/* 1 ordered only, 2 non-ordered only, 3 any (HEAT applicability). */
static const int k_applies[EL_INEQ_COUNT] = {3, 3, 1, 1, 1, 1, 3, 3, 2, 2, 2,
                                             2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
const char *el_ineq_measure_name(el_ineq_measure m)
{
    return (unsigned)m < EL_INEQ_COUNT ? k_names[m] : "";
}

int el_ineq_measure_applies(el_ineq_measure m)
{
    return (unsigned)m < EL_INEQ_COUNT ? k_applies[m] : 0;
}

int el_ineq_measure_parse(const char *name, el_ineq_measure *out)
{
    if (!name) return -1;
    if (!strcasecmp(name, "theil")) { *out = EL_INEQ_TI; return 0; }
    for (int m = 0; m < EL_INEQ_COUNT; m++)
        if (!strcasecmp(name, k_names[m])) { *out = (el_ineq_measure)m; return 0; }
    return -1;
}

el_status el_ineq_measures_parse(const char *list, uint32_t *mask, el_error *err)
{
    uint32_t m = 0;
    const char *s = list ? list : "";
    while (*s) {
        while (*s == ',' || isspace((unsigned char)*s)) s++;
        if (!*s) break;
        char tok[32];
        size_t k = 0;
        while (*s && *s != ',' && !isspace((unsigned char)*s)) {
            if (k + 1 < sizeof tok) tok[k++] = *s;
            s++;
        }
        tok[k] = 0;
        el_ineq_measure one;
        if (!strcasecmp(tok, "all")) m |= EL_INEQ_ALL;
        else if (el_ineq_measure_parse(tok, &one) == 0) m |= EL_INEQ_BIT(one);
        else return el_error_set(err, EL_ERR_INVALID, "unknown measure '%s' (known: d, r, aci, rci, sii, rii, paf, par, bgv, bgsd, cov, mdmu, mdmw, mdbu, mdbw, mdru, mdrw, idisu, idisw, ti, mld, all)", tok);
    }
    if (!m) return el_error_set(err, EL_ERR_INVALID, "no measure given");
    *mask = m;
    return EL_OK;
}

void el_ineq_opts_default(el_ineq_opts *o)
{
    o->conf_level = 0.95;
    o->seed = EL_INEQ_DEFAULT_SEED;
    o->reps = EL_INEQ_DEFAULT_REPS;
    o->sii_method = EL_SII_LOGISTIC;
    o->average = EL_AVG_POPULATION;
}

el_ineq_ctx *el_ineq_ctx_new(const el_ineq_opts *opts, el_error *err)
{
    el_ineq_opts o;
    if (opts) o = *opts; else el_ineq_opts_default(&o);
    double level;
    if (el_confidence_level(o.conf_level, &level, err) != EL_OK) return NULL;
    if (!(level < 1)) { el_error_set(err, EL_ERR_INVALID, "confidence level must be below 100%%"); return NULL; }
    if (o.reps < 10 || o.reps > 10000000) {
        el_error_set(err, EL_ERR_INVALID, "simulation count must be between 10 and 10000000 (got %d)", o.reps);
        return NULL;
    }
    if ((unsigned)o.sii_method > EL_SII_HEALTHEQUAL || (unsigned)o.average > EL_AVG_SETTING) {
        el_error_set(err, EL_ERR_INVALID, "invalid SII method or average mode");
        return NULL;
    }
    el_ineq_ctx *c = calloc(1, sizeof *c);
    if (!c) { el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    c->o = o;
    c->level = level;
    c->z = el_norm_quantile(1 - (1 - level) / 2);
    c->rng = gsl_rng_alloc(gsl_rng_mt19937);
    c->sim = malloc(sizeof(double) * EL_INEQ_NSIM * (size_t)o.reps);
    c->tmp = malloc(sizeof(double) * (size_t)o.reps);
    if (!c->rng || !c->sim || !c->tmp) {
        el_ineq_ctx_free(c);
        el_error_set(err, EL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return c;
}

static void free_arrays(el_ineq_ctx *c)
{
    free(c->ord); free(c->idx); free(c->y); free(c->se); free(c->pop); free(c->sh);
    free(c->rank); free(c->p); free(c->w); free(c->draw);
    c->ord = NULL; c->idx = NULL;
    c->y = c->se = c->pop = c->sh = c->rank = c->p = c->w = c->draw = NULL;
    c->cap = 0;
}

void el_ineq_ctx_free(el_ineq_ctx *c)
{
    if (!c) return;
    free_arrays(c);
    if (c->rng) gsl_rng_free(c->rng);
    free(c->sim);
    free(c->tmp);
    free(c);
}

static int reserve(el_ineq_ctx *c, size_t n)
{
    if (n <= c->cap) return 0;
    size_t cap = c->cap ? c->cap : 16;
    while (cap < n) cap *= 2;
    free_arrays(c);
    c->ord = malloc(cap * sizeof *c->ord);
    c->idx = malloc(cap * sizeof *c->idx);
    double **arrs[] = {&c->y, &c->se, &c->pop, &c->sh, &c->rank, &c->p, &c->w, &c->draw};
    int bad = !c->ord || !c->idx;
    for (size_t k = 0; k < sizeof arrs / sizeof arrs[0]; k++) {
        *arrs[k] = malloc(cap * sizeof(double));
        if (!*arrs[k]) bad = 1;
    }
    if (bad) { free_arrays(c); return -1; }
    c->cap = cap;
    return 0;
}

double el_ineq_scale(const el_ineq_block *blk, const el_ineq_subgroup *g, size_t n)
{
    if (blk && isfinite(blk->scale) && blk->scale > 0) return blk->scale;
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++) if (g[i].est > mx) mx = g[i].est;
    if (mx <= 1) return 1;
    if (mx <= 100) return 100;
    if (mx <= 1e3) return 1e3;
    if (mx <= 1e4) return 1e4;
    if (mx <= 1e5) return 1e5;
    return 1e6;
}

double el_ineq_quantile7(const double *x, size_t n, double p)
{
    if (n == 0) return NAN;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static int cmp_ord(const void *a, const void *b)
{
    const el_ineq_ordidx *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

static const char *lab(const el_ineq_subgroup *g)
{
    return g->label && *g->label ? g->label : "?";
}

static void set_na(el_ineq_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_na(el_ineq_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->state = EL_INEQ_NA;
    r->est = r->se = r->lower = r->upper = NAN;
    r->ci = EL_INEQ_CI_NONE;
    vsnprintf(r->note, sizeof r->note, fmt, ap);
    va_end(ap);
}

/* An estimate with a normal-theory interval (ci NORMAL or NORMAL_LOG). */
static void set_ok(const el_ineq_ctx *c, el_ineq_result *r, double est, double se, el_ineq_ci_method ci)
{
    r->state = EL_INEQ_OK;
    r->est = est;
    r->se = (isfinite(se) && se >= 0) ? se : NAN;
    r->ci = EL_INEQ_CI_NONE;
    r->lower = r->upper = NAN;
    if (isnan(r->se)) return;
    if (ci == EL_INEQ_CI_NORMAL_LOG) {
        if (!(est > 0)) return;
        r->lower = exp(log(est) - c->z * r->se);
        r->upper = exp(log(est) + c->z * r->se);
    } else {
        r->lower = est - c->z * r->se;
        r->upper = est + c->z * r->se;
    }
    r->ci = ci;
}

void el_ineq_note(el_ineq_result *r, const char *s)
{
    if (!r->note[0]) snprintf(r->note, sizeof r->note, "%s", s);
}

static double expit(double e)
{
    if (e >= 0) return 1.0 / (1.0 + exp(-e));
    double t = exp(e);
    return t / (1.0 + t);
}

/* Pick the two subgroups D and R compare (healthequal d()/r()). */
static void pick_pair(const el_ineq_blockinfo *b, size_t *i1, size_t *i2)
{
    if (b->ordered) {
        if (b->fav) { *i1 = b->n - 1; *i2 = 0; }
        else { *i1 = 0; *i2 = b->n - 1; }
    } else if (b->ref < 0) {
        *i1 = b->imax; *i2 = b->imin;
    } else if (b->fav) {
        *i1 = (size_t)b->ref; *i2 = b->imin;
    } else {
        *i1 = b->imax; *i2 = (size_t)b->ref;
    }
}

static void no_se_note(const el_ineq_blockinfo *b, el_ineq_result *r)
{
    char s[200];
    snprintf(s, sizeof s, "no CI: se missing for subgroup '%.60s' (line %ld)",
             b->se_missing_label, b->se_missing_line);
    el_ineq_note(r, s);
}

static el_status validate(el_ineq_ctx *c, const el_ineq_block *blk, const el_ineq_subgroup *g,
                          size_t n, el_ineq_blockinfo *b, el_error *err)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    b->ordered = blk->ordered ? 1 : 0;
    b->fav = blk->favourable ? 1 : 0;
    b->ref = -1;
    size_t npop = 0, nref = 0;
    long ref_in = -1;
    for (size_t i = 0; i < n; i++) {
        const el_ineq_subgroup *s = &g[i];
        if (!isfinite(s->est))
            return el_error_at(err, EL_ERR_INVALID, NULL, s->line, 0, "estimate",
                               "subgroup '%s': estimate is missing or not a finite number", lab(s));
        if (!isnan(s->se) && !(s->se >= 0 && isfinite(s->se)))
            return el_error_at(err, EL_ERR_INVALID, NULL, s->line, 0, "se",
                               "subgroup '%s': standard error must be a finite number >= 0", lab(s));
        if (!isnan(s->pop)) {
            if (!(s->pop > 0 && isfinite(s->pop)))
                return el_error_at(err, EL_ERR_INVALID, NULL, s->line, 0, "population",
                                   "subgroup '%s': population must be > 0 (got %g)", lab(s), s->pop);
            npop++;
        }
        if (s->reference) {
            if (++nref > 1)
                return el_error_at(err, EL_ERR_INVALID, NULL, s->line, 0, "reference_subgroup",
                                   "subgroup '%s': a second reference subgroup in the same block (only one may be 1)", lab(s));
            ref_in = (long)i;
        }
        if (b->ordered && !isfinite(s->order))
            return el_error_at(err, EL_ERR_INVALID, NULL, s->line, 0, "subgroup_order",
                               "subgroup '%s': subgroup_order is required for an ordered dimension", lab(s));
        c->ord[i].order = b->ordered ? s->order : (double)i;
        c->ord[i].i = i;
    }
    if (npop > 0 && npop < n)
        for (size_t i = 0; i < n; i++)
            if (isnan(g[i].pop))
                return el_error_at(err, EL_ERR_INVALID, NULL, g[i].line, 0, "population",
                                   "subgroup '%s': population missing here but given for other subgroups of the block", lab(&g[i]));
    if (b->ordered) {
        qsort(c->ord, n, sizeof *c->ord, cmp_ord);
        for (size_t k = 1; k < n; k++)
            if (c->ord[k].order == c->ord[k - 1].order) {
                const el_ineq_subgroup *s = &g[c->ord[k].i];
                return el_error_at(err, EL_ERR_INVALID, NULL, s->line, 0, "subgroup_order",
                                   "subgroup '%s': subgroup_order %g is used twice in this block", lab(s), s->order);
            }
    }
    b->has_pop = npop == n;
    b->has_se = 1;
    for (size_t k = 0; k < n; k++) {
        size_t i = c->ord[k].i;
        c->idx[k] = i;
        c->y[k] = g[i].est;
        c->se[k] = g[i].se;
        c->pop[k] = b->has_pop ? g[i].pop : NAN;
        if ((long)i == ref_in) b->ref = (long)k;
        if (isnan(g[i].se) && b->has_se) {
            b->has_se = 0;
            b->se_missing_line = g[i].line;
            b->se_missing_label = lab(&g[i]);
        }
    }
    b->imax = b->imin = 0;
    for (size_t k = 1; k < n; k++) {
        if (c->y[k] > c->y[b->imax]) b->imax = k;
        if (c->y[k] < c->y[b->imin]) b->imin = k;
    }
    b->best = b->fav ? b->imax : b->imin;
    b->N = 0;
    b->mu_pop = NAN;
    if (b->has_pop) {
        for (size_t k = 0; k < n; k++) b->N += c->pop[k];
        double mu = 0, cum = 0;
        for (size_t k = 0; k < n; k++) {
            c->sh[k] = c->pop[k] / b->N;
            mu += c->sh[k] * c->y[k];
            c->rank[k] = (cum + c->pop[k] / 2) / b->N;
            cum += c->pop[k];
        }
        b->mu_pop = mu;
    }
    b->sa = isfinite(blk->setting_average) ? blk->setting_average : NAN;
    if (c->o.average == EL_AVG_SETTING && isfinite(b->sa)) b->mu_avg = b->sa;
    else b->mu_avg = b->has_pop ? b->mu_pop : b->sa;
    b->scale = el_ineq_scale(blk, g, n);
    return EL_OK;
}

static void do_sii_rii(el_ineq_ctx *c, const el_ineq_blockinfo *b, uint32_t mask, el_ineq_result *out)
{
    size_t n = b->n;
    int want_sii = (mask & EL_INEQ_BIT(EL_INEQ_SII)) && out[EL_INEQ_SII].state == EL_INEQ_OK;
    int want_rii = (mask & EL_INEQ_BIT(EL_INEQ_RII)) && out[EL_INEQ_RII].state == EL_INEQ_OK;
    if (!want_sii && !want_rii) return;
    el_sii_method meth = c->o.sii_method;
    double s = b->scale;
    for (size_t k = 0; k < n; k++) {
        double pk = c->y[k] / s;
        if (meth != EL_SII_LINEAR && !(pk >= 0 && pk <= 1)) {
            const char *why = "estimate outside [0, indicator scale]: the logistic SII/RII needs proportions (use --sii-method linear)";
            if (want_sii) set_na(&out[EL_INEQ_SII], "%s", why);
            if (want_rii) set_na(&out[EL_INEQ_RII], "%s", why);
            return;
        }
        if (meth == EL_SII_HEALTHEQUAL) {
            double cp = ceil(c->pop[k]);
            c->p[k] = nearbyint(pk * cp) / cp;
            c->w[k] = cp * cp;
        } else {
            c->p[k] = pk;
            c->w[k] = c->pop[k];
        }
    }
    el_ineq_fit2 f;
    char why[160];
    if (el_ineq_fit_sii(meth != EL_SII_LINEAR, c->rank, c->p, c->w, n, &f, why, sizeof why) != 0) {
        if (want_sii) set_na(&out[EL_INEQ_SII], "%s", why);
        if (want_rii) set_na(&out[EL_INEQ_RII], "%s", why);
        return;
    }
    double mu0, mu1, g0, g1;
    if (meth == EL_SII_LINEAR) { mu0 = f.b0; mu1 = f.b0 + f.b1; g0 = 0; g1 = 1; }
    else {
        mu0 = expit(f.b0); mu1 = expit(f.b0 + f.b1);
        g0 = mu1 * (1 - mu1) - mu0 * (1 - mu0);
        g1 = mu1 * (1 - mu1);
    }
    if (want_sii) {
        double v = g0 * g0 * f.v00 + 2 * g0 * g1 * f.v01 + g1 * g1 * f.v11;
        set_ok(c, &out[EL_INEQ_SII], (mu1 - mu0) * s, sqrt(v) * s, EL_INEQ_CI_NORMAL);
    }
    if (want_rii) {
        if (!(mu0 > 0 && mu1 > 0)) {
            set_na(&out[EL_INEQ_RII], "RII undefined: fitted value at rank 0 or 1 is not positive");
            return;
        }
        double h0, h1;
        if (meth == EL_SII_LINEAR) { h0 = 1 / mu1 - 1 / mu0; h1 = 1 / mu1; }
        else { h0 = mu0 - mu1; h1 = 1 - mu1; }
        double v = h0 * h0 * f.v00 + 2 * h0 * h1 * f.v01 + h1 * h1 * f.v11;
        set_ok(c, &out[EL_INEQ_RII], mu1 / mu0, sqrt(v), EL_INEQ_CI_NORMAL_LOG);
    }
}

el_status el_ineq_compute(el_ineq_ctx *c, const el_ineq_block *blk, const el_ineq_subgroup *g,
                          size_t n, uint32_t mask, el_ineq_result out[EL_INEQ_COUNT], el_error *err)
{
    for (int m = 0; m < EL_INEQ_COUNT; m++) {
        out[m].state = EL_INEQ_SKIPPED;
        out[m].ci = EL_INEQ_CI_NONE;
        out[m].est = out[m].se = out[m].lower = out[m].upper = NAN;
        out[m].note[0] = 0;
    }
    if (!c || !blk || (!g && n)) return el_error_set(err, EL_ERR_INVALID, "el_ineq_compute: NULL argument");
    if (n == 0) return el_error_set(err, EL_ERR_INVALID, "empty block: no subgroups");
    if (reserve(c, n) != 0) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    el_ineq_blockinfo b;
    el_status st = validate(c, blk, g, n, &b, err);
    if (st != EL_OK) return st;
    const double *y = c->y, *se = c->se, *sh = c->sh;

    /* Applicability, group counts, data needs: decide which measures run. */
    for (int m = 0; m < EL_INEQ_COUNT; m++) {
        if (!(mask & EL_INEQ_BIT(m))) continue;
        el_ineq_result *r = &out[m];
        if (!(k_applies[m] & (b.ordered ? 1 : 2))) {
            r->state = EL_INEQ_NOT_APPLICABLE;
            snprintf(r->note, sizeof r->note, "applies to %s dimensions only", b.ordered ? "non-ordered" : "ordered");
            continue;
        }
        size_t need = (m == EL_INEQ_D || m == EL_INEQ_R) ? 2 : 3;
        if (n < need) { set_na(r, "needs at least %zu subgroups (block has %zu)", need, n); continue; }
        int weighted = m == EL_INEQ_ACI || m == EL_INEQ_RCI || m == EL_INEQ_SII || m == EL_INEQ_RII ||
                       m == EL_INEQ_BGV || m == EL_INEQ_BGSD || m == EL_INEQ_COV || m == EL_INEQ_MDMW ||
                       m == EL_INEQ_MDBW || m == EL_INEQ_MDRW || m == EL_INEQ_IDISW || m == EL_INEQ_TI ||
                       m == EL_INEQ_MLD;
        if (weighted && !b.has_pop) { set_na(r, "needs the population of every subgroup"); continue; }
        int uses_mu = m == EL_INEQ_PAF || m == EL_INEQ_PAR || m == EL_INEQ_MDMU || m == EL_INEQ_IDISU;
        if (uses_mu && isnan(b.mu_avg)) { set_na(r, "needs populations or a setting_average"); continue; }
        if ((m == EL_INEQ_MDRU || m == EL_INEQ_MDRW) && b.ref < 0) {
            set_na(r, "no reference subgroup (reference_subgroup = 1) in this block");
            continue;
        }
        r->state = EL_INEQ_OK;   /* provisional: filled below */
    }
#define WANT(m) (out[m].state == EL_INEQ_OK)

    if (WANT(EL_INEQ_D) || WANT(EL_INEQ_R)) {
        size_t i1, i2;
        pick_pair(&b, &i1, &i2);
        double y1 = y[i1], y2 = y[i2], s1 = se[i1], s2 = se[i2];
        int have = !isnan(s1) && !isnan(s2);
        char why[200] = "";
        if (!have) {
            const el_ineq_subgroup *sm = &g[c->idx[isnan(s1) ? i1 : i2]];
            snprintf(why, sizeof why, "no CI: se missing for subgroup '%.60s' (line %ld)", lab(sm), sm->line);
        }
        if (WANT(EL_INEQ_D)) {
            set_ok(c, &out[EL_INEQ_D], y1 - y2, have ? sqrt(s1 * s1 + s2 * s2) : NAN, EL_INEQ_CI_NORMAL);
            if (!have) el_ineq_note(&out[EL_INEQ_D], why);
        }
        if (WANT(EL_INEQ_R)) {
            if (y2 == 0) set_na(&out[EL_INEQ_R], "ratio undefined: the denominator subgroup's estimate is 0");
            else {
                double R = y1 / y2;
                double sl = (have && R > 0) ? sqrt((s1 * s1 + R * R * s2 * s2) / (y2 * y2)) / R : NAN;
                set_ok(c, &out[EL_INEQ_R], R, sl, EL_INEQ_CI_NORMAL_LOG);
                if (!have) el_ineq_note(&out[EL_INEQ_R], why);
                else if (!(R > 0)) el_ineq_note(&out[EL_INEQ_R], "no CI: ratio is not positive");
            }
        }
    }
    if (WANT(EL_INEQ_ACI) || WANT(EL_INEQ_RCI)) {
        el_ineq_fit2 f;
        double sig = 0;
        for (size_t k = 0; k < n; k++) sig += sh[k] * (c->rank[k] - 0.5) * (c->rank[k] - 0.5);
        if (el_ineq_wls(c->rank, y, c->pop, n, &f) != 0) {
            if (WANT(EL_INEQ_ACI)) set_na(&out[EL_INEQ_ACI], "singular rank design");
            if (WANT(EL_INEQ_RCI)) set_na(&out[EL_INEQ_RCI], "singular rank design");
        } else {
            double aci = 2 * sig * f.b1, se_aci = 2 * sig * sqrt(f.v11);
            if (WANT(EL_INEQ_ACI)) set_ok(c, &out[EL_INEQ_ACI], aci, se_aci, EL_INEQ_CI_NORMAL);
            if (WANT(EL_INEQ_RCI)) {
                if (b.mu_pop == 0) set_na(&out[EL_INEQ_RCI], "RCI undefined: the mean is 0");
                else set_ok(c, &out[EL_INEQ_RCI], aci / b.mu_pop, se_aci / fabs(b.mu_pop), EL_INEQ_CI_NORMAL);
            }
        }
    }
    do_sii_rii(c, &b, mask, out);

    if (WANT(EL_INEQ_PAF) || WANT(EL_INEQ_PAR)) {
        size_t ir = b.ordered ? n - 1 : b.best;
        double mu = b.mu_avg, yr = y[ir], raw = yr - mu;
        int wrong = (b.fav && raw < 0) || (!b.fav && raw > 0);
        double sef = NAN;
        if (b.has_pop) {
            double s = b.scale, nr = c->pop[ir], N = b.N;
            double cc = yr / s * nr, dd = nr - cc, aa = mu / s * N - cc, bb = N - aa - nr;
            double NN = aa + bb + cc + dd;
            double v = (cc * NN * (aa * dd * (NN - cc) + bb * cc * cc)) /
                       (pow(aa + cc, 3) * pow(cc + dd, 3));
            sef = v >= 0 ? sqrt(v) : NAN;
        }
        if (WANT(EL_INEQ_PAF)) {
            if (mu == 0) set_na(&out[EL_INEQ_PAF], "PAF undefined: the mean is 0");
            else {
                set_ok(c, &out[EL_INEQ_PAF], wrong ? 0.0 : 100 * raw / mu, 100 * sef, EL_INEQ_CI_NORMAL);
                if (!b.has_pop) el_ineq_note(&out[EL_INEQ_PAF], "no CI: needs populations");
                else if (isnan(sef)) el_ineq_note(&out[EL_INEQ_PAF], "no CI: Walter variance not defined for these values");
            }
        }
        if (WANT(EL_INEQ_PAR)) {
            set_ok(c, &out[EL_INEQ_PAR], wrong ? 0.0 : raw, fabs(mu) * sef, EL_INEQ_CI_NORMAL);
            if (!b.has_pop) el_ineq_note(&out[EL_INEQ_PAR], "no CI: needs populations");
            else if (isnan(sef)) el_ineq_note(&out[EL_INEQ_PAR], "no CI: Walter variance not defined for these values");
        }
    }
    if (WANT(EL_INEQ_BGV)) {
        double mu = b.mu_pop, v = 0;
        for (size_t k = 0; k < n; k++) v += sh[k] * (y[k] - mu) * (y[k] - mu);
        double sev = NAN;
        if (b.has_se) {
            double se2 = 0, s2 = 0, s4 = 0, se4 = 0;
            for (size_t k = 0; k < n; k++) {
                double p2 = sh[k] * sh[k], e2 = se[k] * se[k], d = y[k] - mu;
                se2 += p2 * e2 * d * d;
                s2 += p2 * e2;
                s4 += p2 * p2 * e2 * e2;
                se4 += p2 * (1 - sh[k]) * (1 - sh[k]) * e2 * e2;
            }
            double var = 4 * se2 + 2 * (s2 * s2 - s4 + se4);
            sev = var >= 0 ? sqrt(var) : NAN;
        }
        set_ok(c, &out[EL_INEQ_BGV], v, sev, EL_INEQ_CI_NORMAL);
        if (!b.has_se) no_se_note(&b, &out[EL_INEQ_BGV]);
    }
    /* Closed-form estimates of the simulated measures. */
    {
        double mu = b.mu_pop, ma = b.mu_avg, yb = y[b.best];
        double yref = b.ref >= 0 ? y[b.ref] : NAN;
        double ss = 0, au = 0, aw = 0, bu = 0, bw = 0, ru = 0, rw = 0;
        for (size_t k = 0; k < n; k++) {
            double w = b.has_pop ? sh[k] : 0;
            if (b.has_pop) ss += w * (y[k] - mu) * (y[k] - mu);
            au += fabs(y[k] - ma);
            aw += w * fabs(y[k] - ma);
            bu += fabs(y[k] - yb);
            bw += w * fabs(y[k] - yb);
            ru += fabs(y[k] - yref);
            rw += w * fabs(y[k] - yref);
        }
        double dn = (double)n;
        if (WANT(EL_INEQ_BGSD)) set_ok(c, &out[EL_INEQ_BGSD], sqrt(ss), NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_COV)) {
            if (mu == 0) set_na(&out[EL_INEQ_COV], "COV undefined: the mean is 0");
            else set_ok(c, &out[EL_INEQ_COV], 100 * sqrt(ss) / mu, NAN, EL_INEQ_CI_NONE);
        }
        if (WANT(EL_INEQ_MDMU)) set_ok(c, &out[EL_INEQ_MDMU], au / dn, NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_MDMW)) set_ok(c, &out[EL_INEQ_MDMW], aw, NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_MDBU)) set_ok(c, &out[EL_INEQ_MDBU], bu / dn, NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_MDBW)) set_ok(c, &out[EL_INEQ_MDBW], bw, NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_MDRU)) set_ok(c, &out[EL_INEQ_MDRU], ru / dn, NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_MDRW)) set_ok(c, &out[EL_INEQ_MDRW], rw, NAN, EL_INEQ_CI_NONE);
        if (WANT(EL_INEQ_IDISU)) {
            if (ma == 0) set_na(&out[EL_INEQ_IDISU], "IDISU undefined: the mean is 0");
            else set_ok(c, &out[EL_INEQ_IDISU], 100 * au / dn / ma, NAN, EL_INEQ_CI_NONE);
        }
        if (WANT(EL_INEQ_IDISW)) {
            if (ma == 0) set_na(&out[EL_INEQ_IDISW], "IDISW undefined: the mean is 0");
            else set_ok(c, &out[EL_INEQ_IDISW], 100 * aw / ma, NAN, EL_INEQ_CI_NONE);
        }
    }
    if (WANT(EL_INEQ_TI) || WANT(EL_INEQ_MLD)) {
        double mu = b.mu_pop;
        int neg = 0, zero = 0;
        for (size_t k = 0; k < n; k++) { if (y[k] < 0) neg = 1; if (y[k] == 0) zero = 1; }
        if (neg || !(mu > 0)) {
            if (WANT(EL_INEQ_TI)) set_na(&out[EL_INEQ_TI], "Theil index needs non-negative estimates with a positive mean");
            if (WANT(EL_INEQ_MLD)) set_na(&out[EL_INEQ_MLD], "MLD needs non-negative estimates with a positive mean");
        } else {
            if (WANT(EL_INEQ_TI)) {
                double t = 0, tp = 0;
                for (size_t k = 0; k < n; k++) {
                    double r = y[k] / mu;
                    if (r > 0) { t += sh[k] * r * log(r); tp += sh[k] * r * (1 + log(r)); }
                }
                double sv = NAN;
                if (b.has_se && !zero) {
                    double v = 0;
                    for (size_t k = 0; k < n; k++) {
                        double r = y[k] / mu, d = 1 + log(r) - tp;
                        v += d * d * sh[k] * sh[k] * se[k] * se[k] / (mu * mu);
                    }
                    sv = 1000 * sqrt(v);
                }
                set_ok(c, &out[EL_INEQ_TI], 1000 * t, sv, EL_INEQ_CI_NORMAL);
                if (!b.has_se) no_se_note(&b, &out[EL_INEQ_TI]);
                else if (zero) el_ineq_note(&out[EL_INEQ_TI], "no CI: the delta-method SE is undefined when an estimate is 0");
            }
            if (WANT(EL_INEQ_MLD)) {
                if (zero) set_na(&out[EL_INEQ_MLD], "MLD undefined: an estimate is 0 (log of 0)");
                else {
                    double t = 0, v = 0;
                    for (size_t k = 0; k < n; k++) {
                        double r = y[k] / mu, d = 1 - 1 / r;
                        t += sh[k] * -log(r);
                        v += se[k] * se[k] * sh[k] * sh[k] / (mu * mu) * d * d;
                    }
                    set_ok(c, &out[EL_INEQ_MLD], 1000 * t, b.has_se ? 1000 * sqrt(v) : NAN, EL_INEQ_CI_NORMAL);
                    if (!b.has_se) no_se_note(&b, &out[EL_INEQ_MLD]);
                }
            }
        }
    }
    /* Monte Carlo limits for the simulated measures. */
    uint32_t simwant = 0;
    for (int m = 0; m < EL_INEQ_COUNT; m++)
        if ((EL_INEQ_SIMULATED & EL_INEQ_BIT(m)) && WANT(m)) simwant |= EL_INEQ_BIT(m);
    if (simwant) {
        if (!b.has_se) {
            for (int m = 0; m < EL_INEQ_COUNT; m++)
                if (simwant & EL_INEQ_BIT(m)) no_se_note(&b, &out[m]);
        } else {
            el_ineq_simulate(c, &b, simwant, out);
        }
    }
#undef WANT
    return EL_OK;
}
