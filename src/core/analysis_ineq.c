/* analysis_ineq.c — summary measures of inequality for one metric × lens,
 * through the WHO core (inequality.h). A separate translation unit from when
 * inequality.h and ci.h both defined el_ci_method (the inequality one is now
 * el_ineq_ci_method). (owner: analysis helper) */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "analysis_internal.h"
#include "equitylens/inequality.h"

void an_inequality(const double *est, const double *se, const double *pop, const int *order, size_t n,
                   int ref, int ordered, int favourable, double conf, uint64_t seed, int reps,
                   el_an_ineq *out, size_t *nout)
{
    *nout = 0;
    el_ineq_subgroup *g = calloc(n ? n : 1, sizeof *g);
    if (!g) return;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(est[i]) || !(pop[i] > 0)) continue;
        g[m].est = est[i];
        g[m].se = isfinite(se[i]) ? se[i] : NAN;
        g[m].pop = pop[i];
        g[m].order = ordered ? order[i] : NAN;
        g[m].reference = (int)i == ref;
        g[m].line = (long)i + 1;
        m++;
    }
    static const el_ineq_measure ord[] = {EL_INEQ_D, EL_INEQ_R, EL_INEQ_SII, EL_INEQ_RII, EL_INEQ_ACI,
                                          EL_INEQ_RCI, EL_INEQ_PAF, EL_INEQ_PAR};
    static const el_ineq_measure non[] = {EL_INEQ_D, EL_INEQ_R, EL_INEQ_BGV, EL_INEQ_BGSD, EL_INEQ_COV,
                                          EL_INEQ_MDMW, EL_INEQ_MDRW, EL_INEQ_IDISW, EL_INEQ_TI,
                                          EL_INEQ_MLD, EL_INEQ_PAF, EL_INEQ_PAR};
    const el_ineq_measure *list = ordered ? ord : non;
    size_t nl = ordered ? sizeof ord / sizeof ord[0] : sizeof non / sizeof non[0];
    uint32_t mask = 0;
    for (size_t i = 0; i < nl; i++) mask |= EL_INEQ_BIT(list[i]);
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    o.conf_level = conf;
    o.seed = seed;
    if (reps >= 10) o.reps = reps;
    el_ineq_result res[EL_INEQ_COUNT];
    el_error err;
    el_error_clear(&err);
    el_ineq_ctx *ctx = el_ineq_ctx_new(&o, &err);
    el_ineq_block blk = {favourable, ordered, NAN, NAN};
    el_status st = EL_ERR_INTERNAL;
    if (ctx && m > 0) st = el_ineq_compute(ctx, &blk, g, m, mask, res, &err);
    for (size_t i = 0; i < nl && *nout < EL_AN_MAX_INEQ; i++) {
        el_an_ineq *o2 = &out[(*nout)++];
        memset(o2, 0, sizeof *o2);
        snprintf(o2->name, sizeof o2->name, "%s", el_ineq_measure_name(list[i]));
        o2->iv = an_iv_na();
        if (st != EL_OK) {
            snprintf(o2->note, sizeof o2->note, "%s", m == 0 ? "no groups with data" : err.msg);
            continue;
        }
        el_ineq_result *r = &res[list[i]];
        if (r->state != EL_INEQ_OK) {
            snprintf(o2->note, sizeof o2->note, "%s", r->note[0] ? r->note : "not computable");
            continue;
        }
        const char *meth = r->ci == EL_INEQ_CI_SIMULATION ? "simulation"
                         : r->ci == EL_INEQ_CI_NORMAL_LOG ? "normal-log"
                         : r->ci == EL_INEQ_CI_NORMAL ? "normal" : "";
        o2->iv = an_iv(r->est, r->lower, r->upper, meth);
        if (r->note[0]) snprintf(o2->note, sizeof o2->note, "%s", r->note);
    }
    el_ineq_ctx_free(ctx);
    free(g);
}
