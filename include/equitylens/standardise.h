/* standardise.h — directly standardised rates (Dobson method) and indirectly
 * standardised ratios and rates, following PHEindicatormethods 2.1.0
 * (calculate_dsr, calculate_ISRatio, calculate_ISRate). Formulas and
 * references: docs/methods/phe.md. (owner: phe helper)
 *
 * Conventions:
 *  - Arrays are borrowed, never kept. One call = one group (e.g. one area);
 *    element i of every array is standardisation category i (e.g. age band),
 *    matched by position.
 *  - A missing count (NAN) counts as 0, as the reference does; a missing
 *    population or standard population is an error.
 *  - Errors (EL_ERR_INVALID) set err->line to the 1-based index of the
 *    offending element and err->field to the quantity ("count", "pop",
 *    "stdpop", "refcount", "refpop"); callers map it back to a file line.
 *  - Pure computation: no allocation, no I/O. */
#ifndef EQUITYLENS_STANDARDISE_H
#define EQUITYLENS_STANDARDISE_H
#include <stddef.h>
#include "equitylens/error.h"
#include "equitylens/ci.h"

/* European Standard Population 2013: 19 five-year bands 0-4 … 85-89, 90+
 * (Eurostat 2013; the PHEindicatormethods `esp2013` vector). Also shipped as
 * data/esp2013.csv. */
#define EL_ESP2013_BANDS 19
extern const double el_esp2013[EL_ESP2013_BANDS];
/* Lower age of each ESP2013 band (0, 5, …, 90). */
extern const int el_esp2013_start[EL_ESP2013_BANDS];

typedef struct el_dsr_result {
    double total_count;   /* Σ x (missing counted as 0) */
    double total_pop;     /* Σ n */
    double value;         /* DSR × multiplier; NAN when total_count < 10 */
    double lower, upper;  /* Dobson limits × multiplier; NAN when total_count < 10 */
    double variance;      /* var(DSR) on the rate scale (before the multiplier) */
} el_dsr_result;

/* Directly standardised rate with Dobson limits:
 *   DSR = Σ(xᵢwᵢ/nᵢ)/Σwᵢ,  var = Σ xᵢ(wᵢ/nᵢ)² / (Σw)²,
 *   limits = DSR + √(var/O)·(Byar_L/U(O) − O), O = Σx.
 * stdpop NULL → ESP2013 (nbands must then be 19). Requires x >= 0, n > 0,
 * stdpop >= 0 with Σstdpop > 0. Total count < 10 → value and limits NAN
 * (status EL_OK: the reference reports them as missing). */
el_status el_dsr(const double *x, const double *n, const double *stdpop, size_t nbands,
                 double confidence, double multiplier, el_dsr_result *out, el_error *err);

/* Non-independent events (a person may have several events): rows give,
 * for category row_band[r] (0-based), the number of persons row_persons[r]
 * who had exactly row_freq[r] events. Events per category = Σ f·persons;
 * var = Σ_f f²·var_f where var_f uses the persons with frequency f.
 * n and stdpop are per category (stdpop NULL → ESP2013). On a row error
 * err->line is the 1-based row index. */
el_status el_dsr_nonind(const double *n, const double *stdpop, size_t nbands,
                        const size_t *row_band, const double *row_freq,
                        const double *row_persons, size_t nrows,
                        double confidence, double multiplier,
                        el_dsr_result *out, el_error *err);

typedef enum { EL_ISR_RATIO = 0, EL_ISR_RATE = 1 } el_isr_kind;

typedef struct el_isr_result {
    double observed;      /* O */
    double expected;      /* E = Σ (x_refᵢ/n_refᵢ)·nᵢ */
    double ref_rate;      /* Σx_ref/Σn_ref × multiplier (rate only; NAN for ratio) */
    double value;         /* ratio: O/E × refvalue; rate: O/E × ref_rate */
    double lower, upper;  /* exact Poisson (O < 10) or Byar limits of O, / E, scaled as value */
    el_ci_method method;  /* EL_CI_EXACT or EL_CI_BYAR */
} el_isr_result;

/* Indirectly standardised ratio (kind RATIO, scale = refvalue, e.g. 1 or
 * 100) or rate (kind RATE, scale = multiplier, e.g. 100000). x may be NULL
 * when observed_total is given (observed totals supplied separately);
 * observed_total NAN → Σx. n >= 0 (a zero population adds nothing);
 * x_ref >= 0; n_ref > 0. As the reference, a missing (NAN) count,
 * population or reference count adds nothing (treated as 0); a missing
 * reference population is an error. */
el_status el_isr(const double *x, const double *n, const double *x_ref, const double *n_ref,
                 size_t nbands, double observed_total, el_isr_kind kind, double scale,
                 double confidence, el_isr_result *out, el_error *err);

#endif
