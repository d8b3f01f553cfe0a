/* inequality.h — WHO summary measures of health inequality (owner: "who"
 * helper). The 21 measures of the WHO Health Equity Assessment Toolkit
 * (HEAT / HEAT Plus) and the R package healthequal 1.0.1, computed from
 * disaggregated data: one block = one indicator × inequality dimension (×
 * setting × date × source), one row per population subgroup.
 *
 * Method notes, formulas, references and every deliberate difference from
 * healthequal: docs/methods/who.md.
 *
 * Pure computation (src/core): no I/O, no globals. Random numbers come from
 * a GSL mt19937 generator owned by the context and re-seeded with
 * opts.seed at the start of every block, so a block's simulated limits do
 * not depend on which other blocks or measures were computed.
 *
 * Ownership: el_ineq_ctx_new() returns a context that el_ineq_ctx_free()
 * frees (NULL-safe). The context owns reusable scratch buffers, so one
 * context computes any number of blocks without per-block allocation
 * (buffers grow to the largest block and stay). A context is not
 * thread-safe; use one per thread. Subgroup arrays passed in are borrowed
 * and never modified; label pointers are only read during the call. */
#ifndef EQUITYLENS_INEQUALITY_H
#define EQUITYLENS_INEQUALITY_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

typedef enum {
    EL_INEQ_D = 0,  /* difference */
    EL_INEQ_R,      /* ratio */
    EL_INEQ_ACI,    /* absolute concentration index */
    EL_INEQ_RCI,    /* relative concentration index */
    EL_INEQ_SII,    /* slope index of inequality */
    EL_INEQ_RII,    /* relative index of inequality */
    EL_INEQ_PAF,    /* population attributable fraction (%) */
    EL_INEQ_PAR,    /* population attributable risk */
    EL_INEQ_BGV,    /* between-group variance */
    EL_INEQ_BGSD,   /* between-group standard deviation */
    EL_INEQ_COV,    /* coefficient of variation (%) */
    EL_INEQ_MDMU,   /* mean difference from mean, unweighted */
    EL_INEQ_MDMW,   /* mean difference from mean, weighted */
    EL_INEQ_MDBU,   /* mean difference from best subgroup, unweighted */
    EL_INEQ_MDBW,   /* mean difference from best subgroup, weighted */
    EL_INEQ_MDRU,   /* mean difference from reference subgroup, unweighted */
    EL_INEQ_MDRW,   /* mean difference from reference subgroup, weighted */
    EL_INEQ_IDISU,  /* index of disparity, unweighted (%) */
    EL_INEQ_IDISW,  /* index of disparity, weighted (%) */
    EL_INEQ_TI,     /* Theil index (x1000) */
    EL_INEQ_MLD,    /* mean log deviation (x1000) */
    EL_INEQ_COUNT
} el_ineq_measure;

#define EL_INEQ_ALL ((uint32_t)((1u << EL_INEQ_COUNT) - 1u))
#define EL_INEQ_BIT(m) ((uint32_t)1u << (m))

/* Short lower-case name as in healthequal/HEAT ("d", "r", "aci", ..., "ti",
 * "mld"); "" for an out-of-range value. */
const char *el_ineq_measure_name(el_ineq_measure m);
/* Parse a name (case-insensitive; "theil" = "ti"). 0 on success, -1 if unknown. */
int el_ineq_measure_parse(const char *name, el_ineq_measure *out);
/* Parse a comma-separated list ("all" = every measure) into a bit mask. */
el_status el_ineq_measures_parse(const char *list, uint32_t *mask, el_error *err);

/* Which dimensions a measure applies to (HEAT applicability):
 * 1 ordered only, 2 non-ordered only, 3 any. */
int el_ineq_measure_applies(el_ineq_measure m);

typedef enum {
    EL_SII_LOGISTIC = 0,   /* quasi-binomial logit on proportions, pop weights once (default) */
    EL_SII_LINEAR,         /* weighted least squares, pop weights */
    EL_SII_HEALTHEQUAL     /* healthequal 1.0.1 reproduction: counts round(est/scale*ceil(pop)),
                              weights ceil(pop) again (effective weight pop^2) — for comparison only */
} el_sii_method;

typedef enum {
    EL_AVG_POPULATION = 0, /* mu = population-weighted mean (setting_average only when no population) */
    EL_AVG_SETTING         /* mu = setting_average where given, for PAF, PAR, MDMU, MDMW, IDISU, IDISW */
} el_avg_mode;

typedef struct el_ineq_opts {
    double conf_level;     /* 0.95 (or 95); default 0.95 */
    uint64_t seed;         /* simulation seed; default 123456 (healthequal's) */
    int reps;              /* simulations per block; default EL_INEQ_DEFAULT_REPS; >= 10 */
    el_sii_method sii_method;
    el_avg_mode average;
} el_ineq_opts;

#define EL_INEQ_DEFAULT_REPS 1000
#define EL_INEQ_DEFAULT_SEED 123456u

void el_ineq_opts_default(el_ineq_opts *o);

/* One population subgroup. Missing numbers are NAN. */
typedef struct el_ineq_subgroup {
    const char *label;     /* subgroup name for messages (borrowed; may be NULL) */
    long line;             /* input line for messages (0 = unknown) */
    double est;            /* estimate (required, finite) */
    double se;             /* standard error (NAN = missing; must be >= 0) */
    double pop;            /* population (NAN = missing; must be > 0 when given) */
    double order;          /* subgroup_order (ordered dimensions; 1 = most disadvantaged) */
    int reference;         /* 1 = the reference subgroup (at most one per block) */
} el_ineq_subgroup;

/* Block-level attributes (constant over the block's rows). */
typedef struct el_ineq_block {
    int favourable;        /* 1 favourable (higher is better), 0 adverse */
    int ordered;           /* 1 ordered dimension, 0 non-ordered */
    double scale;          /* indicator_scale (NAN = derive from the estimates) */
    double setting_average;/* NAN = not given */
} el_ineq_block;

typedef enum {
    EL_INEQ_SKIPPED = 0,   /* not requested */
    EL_INEQ_OK,            /* estimate computed (se/limits may still be NAN: see note) */
    EL_INEQ_NA,            /* applicable but not computable for this block: see note */
    EL_INEQ_NOT_APPLICABLE /* measure does not apply to this kind of dimension */
} el_ineq_state;

typedef enum {
    EL_INEQ_CI_NONE = 0,
    EL_INEQ_CI_NORMAL,          /* estimate ± z·se */
    EL_INEQ_CI_NORMAL_LOG,      /* exp(ln estimate ± z·se); se is the SE of ln(estimate) (R, RII) */
    EL_INEQ_CI_SIMULATION       /* percentiles of simulated values (se is NAN) */
} el_ineq_ci_method;

typedef struct el_ineq_result {
    el_ineq_state state;
    el_ineq_ci_method ci;
    double est, se, lower, upper;   /* NAN when not available */
    char note[200];                 /* why something is missing; "" otherwise */
} el_ineq_result;

typedef struct el_ineq_ctx el_ineq_ctx;

/* opts may be NULL (defaults). Returns NULL on allocation failure or invalid
 * options (err says which). */
el_ineq_ctx *el_ineq_ctx_new(const el_ineq_opts *opts, el_error *err);
void el_ineq_ctx_free(el_ineq_ctx *ctx);

/* Compute the measures in `mask` for one block of n subgroups into
 * out[0..EL_INEQ_COUNT-1] (indexed by el_ineq_measure).
 * Data errors stop the block and return EL_ERR_INVALID with the offending
 * row's line and field in err: missing or non-finite estimate, negative SE,
 * zero/negative population, population given for some rows only, missing or
 * duplicate subgroup_order in an ordered dimension, more than one reference
 * subgroup, empty block. Measure-level problems (too few subgroups, no SE for
 * a CI, no population for a weighted measure, estimate outside the logistic
 * range, non-convergence) leave that measure EL_INEQ_NA or its limits NAN,
 * with the reason in out[m].note. */
el_status el_ineq_compute(el_ineq_ctx *ctx, const el_ineq_block *blk,
                          const el_ineq_subgroup *g, size_t n, uint32_t mask,
                          el_ineq_result out[EL_INEQ_COUNT], el_error *err);

/* The effective indicator scale: blk->scale when finite and > 0, otherwise
 * healthequal's ladder from the largest estimate (<=1 → 1, <=100 → 100,
 * <=1e3 → 1e3, <=1e4 → 1e4, <=1e5 → 1e5, else 1e6). */
double el_ineq_scale(const el_ineq_block *blk, const el_ineq_subgroup *g, size_t n);

/* Sample quantile of sorted x[0..n-1] by R's default (type 7) definition. */
double el_ineq_quantile7(const double *sorted, size_t n, double p);

#endif
