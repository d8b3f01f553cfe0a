/* synth.h — synthetic patient-level extracts with known injected inequalities
 * (owner: refdata). Pure computation: rows go out through a callback.
 *
 * el_synth_run() writes a CSV extract in the canonical layout of a dataset
 * kind (columns named as the canonical fields in dataset.h) over real LSOA
 * 2011 codes (sampled in proportion to the weights given, normally the
 * mid-2020 population of every English LSOA), with inequalities injected by
 * documented models (docs/synth.md):
 *   appointments     DNA odds by IMD quintile, ethnic group and age group;
 *   waiting_list     waits (exponential) lengthened by IMD quintile and ethnic
 *                    group within the same clinical priority;
 *   cancer_pathways  Faster Diagnosis Standard (28 days) odds by IMD quintile,
 *                    ethnic group and age group;
 * recorded ethnicity missing (99, Z, blank) more often in deprived areas; and
 * (unless disabled) data-quality problems at known rates: blank and malformed
 * LSOAs, duplicate identifiers, dates out of order or in the future.
 * The same options and seed give byte-identical output. The truth (the exact
 * parameters, the expected rate per group computed from the model, the
 * realised counts and the injected problems) comes back as JSON.
 *
 * Ownership: *truth is a new jansson reference the caller json_decref()s.
 * Area codes are borrowed for the duration of the call. */
#ifndef EQUITYLENS_SYNTH_H
#define EQUITYLENS_SYNTH_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "equitylens/dataset.h"
#include "equitylens/error.h"

typedef struct el_synth_opts {
    el_kind kind;
    uint64_t rows;            /* data rows to write (header not counted) */
    unsigned long seed;       /* gsl_rng mt19937 seed */
    int32_t period_start;     /* first activity date (days since 1970); default 2024-04-01 */
    int32_t period_end;       /* last activity date; default 2025-03-31 */
    int32_t census_date;      /* waiting_list snapshot date; default period_end */
    int inject_quality;       /* 1 (default): inject the data-quality problems */
    int nhs_numbers;          /* 1: add an nhs_number column (valid test-range 999
                                 numbers, one per patient); default 0 */
    int lsoa21;               /* 1: add an lsoa21 column (see el_synth_area); default 0 */
} el_synth_opts;

void el_synth_opts_default(el_synth_opts *o, el_kind kind);

typedef struct el_synth_area {
    const char *lsoa11;       /* LSOA 2011 code */
    int imd_decile;           /* IMD 2019 decile, 1..10 */
    double weight;            /* sampling weight (population), > 0 */
    /* Only read when opts.lsoa21: the LSOA 2021 codes this LSOA 2011 maps to
     * and their weights (population); a person is put in one of them drawn
     * by weight. n_lsoa21 = 0 writes a blank lsoa21 (counted in the truth). */
    const char *const *lsoa21;
    const double *lsoa21_weight;
    size_t n_lsoa21;
} el_synth_area;

/* Receives each CSV record (header first), "\n"-terminated; fields never need
 * quoting. Return 0 to continue, non-zero to stop (el_synth_run then returns
 * EL_ERR_IO). */
typedef int (*el_synth_row_fn)(void *ctx, const char *line, size_t len);

el_status el_synth_run(const el_synth_opts *o, const el_synth_area *areas, size_t n_areas,
                       el_synth_row_fn fn, void *ctx, json_t **truth, el_error *err);

#endif
