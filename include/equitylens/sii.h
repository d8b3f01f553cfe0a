/* sii.h — slope index of inequality (SII) and relative index of inequality
 * (RII) by the PHE method (PHEindicatormethods 2.1.0 phe_sii; Low & Low,
 * J Public Health 2004;26:388-395), with confidence limits by simulation.
 * Formulas and the deliberate differences: docs/methods/phe.md.
 * (owner: phe helper)
 *
 * Ownership: rows are borrowed; el_sii allocates its simulation workspace
 * once per call (never inside the repetition loop) and frees it before
 * returning. Random numbers: GSL mt19937 seeded with opts->seed, so results
 * are reproducible for a given seed, repetitions and input order. */
#ifndef EQUITYLENS_SII_H
#define EQUITYLENS_SII_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

typedef enum {
    EL_SII_NORMAL = 0,      /* value used as is (e.g. life expectancy) */
    EL_SII_RATE = 1,        /* log scale for the standard error / simulation */
    EL_SII_PROPORTION = 2   /* logit scale; value in [0,1] */
} el_sii_value_type;

#define EL_SII_MAXCONF 4

/* One quantile (e.g. one deprivation decile) of one area. */
typedef struct el_sii_row {
    double quantile;     /* ordering label: 1 = first (most deprived) … */
    double population;   /* > 0 */
    double value;        /* indicator value; NAN → count/population (proportions) */
    double count;        /* numerator for proportions (NAN if not given) */
    double se;           /* standard error on the transformed scale; NAN → from limits */
    double lower, upper; /* 95% confidence limits of value (used when se is NAN) */
} el_sii_row;

typedef struct el_sii_opts {
    el_sii_value_type value_type;
    int transform;        /* 1: fit on the log/logit scale (value types 1, 2) */
    double multiplier;    /* scales SII and its limits; negative flips polarity (RII inverted) */
    long repetitions;     /* simulation draws, >= 1000 (default 100000) */
    uint64_t seed;        /* mt19937 seed */
    double confidence[EL_SII_MAXCONF];  /* 0.95 or 95 style */
    size_t nconf;         /* 1..EL_SII_MAXCONF */
} el_sii_opts;

/* Defaults: normal, no transform, multiplier 1, 100000 reps, seed 1, 95%. */
void el_sii_opts_default(el_sii_opts *o);

typedef struct el_sii_result {
    int nquantiles;
    double sii, rii, intercept;
    double sii_lower[EL_SII_MAXCONF], sii_upper[EL_SII_MAXCONF];
    double rii_lower[EL_SII_MAXCONF], rii_upper[EL_SII_MAXCONF];
    size_t nconf;
} el_sii_result;

/* SII/RII of one area from its n quantile rows (any order; sorted by
 * quantile label internally; labels must be distinct). n must be 5..100.
 * Errors (EL_ERR_INVALID) set err->line to the 1-based index of the
 * offending row in the caller's array. */
el_status el_sii(const el_sii_row *rows, size_t n, const el_sii_opts *opts,
                 el_sii_result *out, el_error *err);

#endif
