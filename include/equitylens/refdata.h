/* refdata.h — shipped reference data: IMD, LSOA lookups, catchment populations
 * (owner: refdata).
 *
 * Loads the CSV files in data/ (provenance in data/README.md, method notes in
 * docs/reference-data.md) into hash tables keyed by LSOA code, and answers:
 *   - LSOA → IMD rank / decile (IMD 2019 on LSOA 2011, IMD 2025 on LSOA 2021)
 *   - LSOA 2011 ↔ LSOA 2021 (ONS best-fit lookup: unchanged, split, merged)
 *   - LSOA → local authority, sub-ICB location, ICB (codes and names)
 *   - Census 2021 population of an LSOA 2021 by 6 age groups and by 5 broad
 *     (census) ethnic groups, mid-2020 population of an LSOA 2011 in 5-year
 *     bands, and catchment totals over a list of LSOAs, LAs or ICBs.
 *
 * LSOA vintage: a code such as E01000001 exists in both 2011 and 2021 LSOAs,
 * so every lookup takes the vintage explicitly (EL_LSOA11 or EL_LSOA21).
 *
 * Ownership: el_refdata_load() allocates *out; el_refdata_free() releases it
 * (NULL-safe). Every const char * returned by a lookup is borrowed and lives
 * as long as the el_refdata. A loaded el_refdata is read-only, so it may be
 * shared between threads. */
#ifndef EQUITYLENS_REFDATA_H
#define EQUITYLENS_REFDATA_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

/* What to load (bit flags for el_refdata_load). Lookups of parts not loaded
 * find nothing. */
enum {
    EL_REF_IMD2019 = 1u << 0,  /* imd/iod2019_file1_imd_lsoa11.csv */
    EL_REF_IMD2025 = 1u << 1,  /* imd/iod2025_imd_lsoa21.csv */
    EL_REF_LSOA_MAP = 1u << 2, /* lookups/lsoa11_lsoa21_lad22_ew.csv */
    EL_REF_GEO11 = 1u << 3,    /* lookups/lsoa11_sicbl22_icb22_lad22_en.csv */
    EL_REF_GEO21 = 1u << 4,    /* lookups/lsoa21_sicbl24_icb24_en.csv + lsoa21_lad24_ew.csv */
    EL_REF_POP21 = 1u << 5,    /* population/census2021_lsoa21_{age6,ethnic_group_broad}.csv */
    EL_REF_POP20 = 1u << 6,    /* population/mid2020_lsoa11_persons_age5.csv */
    EL_REF_ALL = 0x7fu
};

typedef enum { EL_LSOA11 = 2011, EL_LSOA21 = 2021 } el_lsoa_vintage;

typedef struct el_refdata el_refdata;

/* The data directory to use: $EQUITYLENS_DATA if set and non-empty; else the
 * first of <dir of /proc/self/exe>/../data, <exe dir>/../../data, ./data that
 * holds imd/iod2019_file1_imd_lsoa11.csv. Writes it to buf; returns EL_OK or
 * EL_ERR_NOTFOUND (err names the places tried). */
el_status el_refdata_default_dir(char *buf, size_t cap, el_error *err);

/* Load the parts named in what (EL_REF_*) from data_dir (NULL = default dir).
 * Every file is checked: a missing column, a malformed or duplicate code or
 * a bad number is an error naming file, line and column. */
el_status el_refdata_load(const char *data_dir, unsigned what, el_refdata **out, el_error *err);
void el_refdata_free(el_refdata *r);
/* The EL_REF_* flags loaded, and the directory they came from. */
unsigned el_refdata_loaded(const el_refdata *r);
const char *el_refdata_dir(const el_refdata *r);

/* Rows loaded from the file behind one flag (for EL_REF_GEO21 and
 * EL_REF_POP21: the first file named above). */
size_t el_refdata_rows(const el_refdata *r, unsigned what);

/* Every LSOA code of a vintage met in any loaded file, in load order (file
 * order, so stable): count, and the i-th code (NULL when out of range). */
size_t el_refdata_lsoa_count(const el_refdata *r, el_lsoa_vintage v);
const char *el_refdata_lsoa_at(const el_refdata *r, el_lsoa_vintage v, size_t i);

/* 1 if code is a well-formed LSOA code: E01 or W01 then 6 digits. */
int el_lsoa_code_valid(const char *code);

/* ---- deprivation ---- */
typedef struct {
    int edition;   /* 2019 or 2025 */
    int decile;    /* 1 = most deprived 10% of LSOAs in England */
    int rank;      /* 1 = most deprived */
    double score;  /* IMD score; NaN when the file has none (IMD 2019 File 1) */
} el_imd;

/* IMD of an LSOA in its native vintage (edition 2019 → LSOA 2011, edition
 * 2025 → LSOA 2021). Returns 1 and fills out if found, else 0. */
int el_refdata_imd(const el_refdata *r, int edition, const char *lsoa, el_imd *out);

/* ---- LSOA 2011 ↔ 2021 ---- */
/* The LSOAs of the other vintage that code maps to (from = vintage of code).
 * Writes up to cap borrowed codes to out and the ONS change code ('U', 'S',
 * 'M', 'X') of the first link to *change (may be NULL); returns the total
 * number of links (may exceed cap), 0 if code is not in the lookup. */
size_t el_refdata_lsoa_convert(const el_refdata *r, el_lsoa_vintage from, const char *code,
                               const char **out, size_t cap, char *change);

/* ---- geography ---- */
typedef struct {
    const char *code;      /* ONS code (E06…, E54…, E38…) */
    const char *nhs_code;  /* NHS ODS code for ICB / sub-ICB ("QMF", "A3A8R"); NULL for LAs */
    const char *name;
} el_area;

typedef enum { EL_AREA_LA, EL_AREA_SUBICB, EL_AREA_ICB } el_area_type;

/* Area containing the LSOA: LSOA 2011 → LAD/sub-ICB/ICB July 2022 (EL_REF_GEO11);
 * LSOA 2021 → LAD 2024 and sub-ICB/ICB April 2024 (EL_REF_GEO21).
 * Returns 1 and fills out if found, else 0. */
int el_refdata_area(const el_refdata *r, el_lsoa_vintage v, const char *lsoa, el_area_type t,
                    el_area *out);

/* ---- populations ---- */
#define EL_POP_AGE6 6
#define EL_POP_ETH5 5
#define EL_POP_AGE5Y 19
/* Labels, index 0..n-1: age6 "0-15","16-24","25-34","35-49","50-64","65+";
 * eth5 "White","Mixed","Asian","Black","Other" (census 2021 high-level groups:
 * Chinese is counted in Asian, unlike NHS ethnic category R which the NHS
 * broad grouping puts in Other — docs/reference-data.md); age5y "00-04" …
 * "85-89","90+". NULL when i is out of range. */
const char *el_pop_age6_label(int i);
const char *el_pop_eth5_label(int i);
const char *el_pop_age5y_label(int i);
/* Index of the census-2021 age group for an age in years, -1 if age < 0. */
int el_pop_age6_index(int age);

/* Census 2021 usual residents of one LSOA 2021 (EL_REF_POP21). Returns 1 if
 * found. age6 and eth5 may be NULL; *eth_total (may be NULL) gets TS021's
 * total (which can differ by a few from the age total: ONS cell-key noise). */
int el_refdata_pop21(const el_refdata *r, const char *lsoa21, int64_t age6[EL_POP_AGE6],
                     int64_t eth5[EL_POP_ETH5], int64_t *eth_total);
/* Mid-2020 persons of one LSOA 2011 in 5-year bands (EL_REF_POP20). */
int el_refdata_pop20(const el_refdata *r, const char *lsoa11, int64_t age5y[EL_POP_AGE5Y]);

/* Catchment totals (census 2021) over a set of areas. */
typedef struct {
    int64_t age6[EL_POP_AGE6];
    int64_t eth5[EL_POP_ETH5];
    int64_t total_age;    /* sum of age6 */
    int64_t total_eth;    /* sum of TS021 totals */
    size_t lsoas;         /* LSOAs summed (each counted once) */
    size_t not_found;     /* codes given that matched nothing */
} el_catchment;

/* Sum over a list of codes: EL_AREA_LA and EL_AREA_ICB codes (ONS E06…/E54…
 * or the ICB's NHS code) select every LSOA 2021 in them (2024 boundaries);
 * pass by = -1 for a list of LSOA 2021 codes. Duplicate codes count once.
 * Needs EL_REF_POP21 (and EL_REF_GEO21 for areas). */
el_status el_refdata_catchment(const el_refdata *r, int by, const char *const *codes, size_t n,
                               el_catchment *out, el_error *err);

#endif
