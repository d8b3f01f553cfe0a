/* enrich.h — derive the equity lenses of each row from reference data
 * (owner: refdata). Pure computation over a loaded el_refdata.
 *
 * el_enrich_dataset() fills the derived fields of an el_dataset
 * (docs/reference-data.md has the full rules):
 *   imd_decile, imd_quintile = (decile + 1) / 2, core20 = decile 1–2,
 *   imd_edition (2019 on LSOA 2011, 2025 on LSOA 2021; default: 2025 when the
 *     dataset has an lsoa21 column, else 2019; choosable; with convert = 1 an
 *     LSOA of the other vintage goes through the ONS 2011↔2021 lookup and gets
 *     a decile only when every LSOA it maps to has the same decile — a split
 *     or merge whose parts differ is counted as ambiguous and left missing),
 *   la_code, icb_code (ONS codes; LSOA 2021 → LAD/ICB 2024, LSOA 2011 →
 *     LAD/ICB July 2022; from the LSOA column used for the IMD; set only when
 *     both are found, so Welsh LSOAs, which have no ICB, get neither),
 *   ethnic_group: White (A–C), Mixed (D–G), Asian (H–L), Black (M–P),
 *     Other (R Chinese, S) — the NHS 2001-census grouping — and
 *     "Not stated" (Z), "Not known" (99 or blank) kept as their own values;
 *     an invalid code is left missing and counted,
 *   age_band: 5-year bands "00-04" … "85-89", "90+" (the European Standard
 *     Population 2013 bands), from age, or else from birth_date at the
 *     activity date (appointment_date, census_date or referral_date; else
 *     opts->reference_date).
 * An LSOA that is blank, malformed or not found gets no IMD and no area: it
 * is counted, and the first few distinct values are kept to show; nothing is
 * guessed. LSOA values are matched after trimming spaces and upper-casing.
 *
 * Ownership: the dataset is modified in place; refdata is borrowed. */
#ifndef EQUITYLENS_ENRICH_H
#define EQUITYLENS_ENRICH_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/dataset.h"
#include "equitylens/error.h"
#include "equitylens/refdata.h"

/* The reference data el_enrich_dataset() uses (flags for el_refdata_load). */
#define EL_REF_ENRICH (EL_REF_IMD2019 | EL_REF_IMD2025 | EL_REF_LSOA_MAP | EL_REF_GEO11 | EL_REF_GEO21)

typedef struct el_enrich_opts {
    int imd_edition;         /* 0 = default (see above), 2019 or 2025 */
    int convert;             /* 1 = convert an LSOA of the other vintage through the lookup */
    int32_t reference_date;  /* age date when a row has no activity date; EL_NA = none */
} el_enrich_opts;

void el_enrich_opts_default(el_enrich_opts *o);

#define EL_ENRICH_EXAMPLES 10

typedef struct el_enrich_stats {
    size_t rows;
    int imd_edition;             /* edition used; 0 if the dataset has no LSOA column */
    int lsoa_vintage;            /* 2011 or 2021: the LSOA column used first; 0 none */
    size_t lsoa_blank;           /* rows with no LSOA */
    size_t lsoa_malformed;       /* rows whose LSOA is not an E01/W01 code */
    size_t lsoa_outside_england; /* Welsh (W01) LSOAs: no English IMD */
    size_t lsoa_not_found;       /* well-formed English codes not in the reference data */
    size_t lsoa_ambiguous;       /* converted, but the parts have different deciles */
    size_t lsoa_not_converted;   /* only the other vintage on the row and convert = 0 */
    size_t lsoa_converted;       /* rows whose IMD came through the 2011↔2021 lookup */
    size_t imd_matched;          /* rows given an IMD decile */
    size_t area_matched;         /* rows given la_code and icb_code */
    size_t ethnic_not_stated, ethnic_not_known, ethnic_invalid;
    size_t age_from_age, age_from_birth_date, age_missing, age_invalid;
    size_t n_examples;           /* distinct unmatched LSOA values kept below */
    char examples[EL_ENRICH_EXAMPLES][24];
} el_enrich_stats;

/* Enrich every row of d. o and st may be NULL. Fails (EL_ERR_INVALID) if the
 * reference data needed was not loaded, or when an explicit edition needs a
 * conversion that o->convert does not allow and no row has the native LSOA. */
el_status el_enrich_dataset(el_dataset *d, const el_refdata *r, const el_enrich_opts *o,
                            el_enrich_stats *st, el_error *err);

/* Broad ethnic group of an NHS ethnic category code ("White" … "Other",
 * "Not stated", "Not known" for 99 or blank); NULL if the code is invalid. */
const char *el_ethnic_group(const char *code);
/* 5-year age band label for an age in years; NULL if age < 0 or > 130. */
const char *el_age_band(int age);
/* Whole years between birth and date (days since 1970); -1 if date < birth. */
int el_age_at(int32_t birth, int32_t date);

#endif
