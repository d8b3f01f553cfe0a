/* dataset.h — the canonical dataset: columnar, dictionary-encoded (owner: core).
 *
 * Every extract, whatever its local layout, becomes an el_dataset whose
 * columns are the canonical fields below (NHS Data Dictionary / WLMDS names
 * in snake_case, documented in docs/data-formats.md). Columns hold one
 * int32_t per row:
 *   EL_T_TEXT, EL_T_CODE  index into the column's dictionary (el_dataset_str)
 *   EL_T_DATE             days since 1970-01-01
 *   EL_T_INT              the value (age in years, IMD decile, ...)
 *   EL_T_FLAG             1 = Y, 0 = N
 * EL_NA (INT32_MIN) marks a missing value in every type. Codes are stored as
 * the national code after mapping ("A", "99", "3"); an invalid code keeps its
 * text (quality reports count it) — validity is judged by el_field_valid_code.
 *
 * Ownership: el_dataset_new()/el_dataset_free() (NULL-safe). Strings returned
 * by el_dataset_str() are borrowed and live as long as the dataset. */
#ifndef EQUITYLENS_DATASET_H
#define EQUITYLENS_DATASET_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

#define EL_NA INT32_MIN

typedef enum {
    EL_KIND_APPOINTMENTS = 0,
    EL_KIND_WAITING_LIST,
    EL_KIND_CANCER_PATHWAYS,
    EL_KIND__COUNT
} el_kind;

typedef enum { EL_T_TEXT, EL_T_CODE, EL_T_DATE, EL_T_INT, EL_T_FLAG } el_ftype;

typedef enum {
    /* identifiers */
    EL_F_APPOINTMENT_ID, EL_F_PATIENT_ID, EL_F_PATHWAY_ID, EL_F_NHS_NUMBER_HASH,
    /* appointments */
    EL_F_APPOINTMENT_DATE, EL_F_ATTENDED_OR_DID_NOT_ATTEND, EL_F_PROVIDER_CODE,
    EL_F_TREATMENT_FUNCTION_CODE, EL_F_REFERRAL_REQUEST_RECEIVED_DATE,
    EL_F_FIRST_ATTENDANCE, EL_F_CONSULTATION_MEDIUM,
    /* waiting list */
    EL_F_RTT_START_DATE, EL_F_CENSUS_DATE, EL_F_WAITING_LIST_TYPE,
    EL_F_CLINICAL_PRIORITY, EL_F_PRIORITY_TYPE_CODE,
    /* cancer pathways */
    EL_F_REFERRAL_DATE, EL_F_CANCER_SITE, EL_F_DIAGNOSIS_COMMUNICATED_DATE,
    EL_F_FIRST_TREATMENT_DATE, EL_F_STAGE,
    /* demographics (any kind) */
    EL_F_ETHNIC_CATEGORY, EL_F_PERSON_STATED_GENDER_CODE, EL_F_AGE, EL_F_BIRTH_DATE,
    EL_F_LSOA11, EL_F_LSOA21,
    EL_F_LEARNING_DISABILITY, EL_F_AUTISM, EL_F_SERIOUS_MENTAL_ILLNESS,
    EL_F_INCLUSION_HEALTH_GROUP, EL_F_INTERPRETER_REQUIRED, EL_F_REASONABLE_ADJUSTMENT,
    /* derived at import by enrichment (never read from the extract) */
    EL_F_IMD_DECILE, EL_F_IMD_QUINTILE, EL_F_CORE20, EL_F_IMD_EDITION,
    EL_F_ETHNIC_GROUP, EL_F_AGE_BAND, EL_F_LA_CODE, EL_F_ICB_CODE,
    EL_F__COUNT
} el_field;

/* Field registry: name, type, and for each kind whether it is required (2),
 * optional (1) or not part of the kind (0). Derived fields have derived = 1. */
typedef struct {
    const char *name;
    el_ftype type;
    unsigned char use[EL_KIND__COUNT];
    unsigned char derived;
    const char *description;  /* one line, used by --help and docs */
} el_field_info;

const el_field_info *el_field_get(el_field f);
/* Field by canonical name, or -1. */
int el_field_by_name(const char *name);
const char *el_kind_name(el_kind k);
/* Kind by name ("appointments", "waiting_list", "cancer_pathways"), or -1. */
int el_kind_by_name(const char *name);
/* 1 if code is a valid national code for field f (ethnic_category A–S, Z, 99;
 * gender 1, 2, 9, X; attended 0, 2–7, 9; stage 1–4; flags Y/N ...), else 0. */
int el_field_valid_code(el_field f, const char *code);

/* How a code value counts in data-quality terms (added by import helper):
 * NOT_STATED = the person was asked and declined (ethnic_category Z);
 * NOT_KNOWN  = blank/NULL, or the field's "not known" code (ethnic 99,
 *              gender X, attended 9, first_attendance 9/X, stage U/99 ...);
 * INVALID    = not a national code for the field; VALID otherwise. */
typedef enum { EL_CODE_VALID, EL_CODE_NOT_STATED, EL_CODE_NOT_KNOWN, EL_CODE_INVALID } el_code_class;
el_code_class el_field_classify(el_field f, const char *code);

typedef struct el_dataset el_dataset;

el_dataset *el_dataset_new(el_kind kind);
void el_dataset_free(el_dataset *d);
el_kind el_dataset_kind(const el_dataset *d);
size_t el_dataset_rows(const el_dataset *d);
/* 1 if the column was present in the source (or derived), else 0. */
int el_dataset_has(const el_dataset *d, el_field f);
void el_dataset_set_has(el_dataset *d, el_field f, int has);

/* Append one row of EL_NA values; returns its index or (size_t)-1 on OOM. */
size_t el_dataset_add_row(el_dataset *d);
/* Raw column (rows() values). Never NULL for a valid field. */
const int32_t *el_dataset_col(const el_dataset *d, el_field f);
int32_t el_dataset_get(const el_dataset *d, size_t row, el_field f);
void el_dataset_set(el_dataset *d, size_t row, el_field f, int32_t v);
/* Intern s in f's dictionary and store its index; returns EL_OK or EL_ERR_NOMEM. */
el_status el_dataset_set_str(el_dataset *d, size_t row, el_field f, const char *s);
/* Text of a dictionary index for TEXT/CODE fields; NULL for EL_NA. */
const char *el_dataset_str(const el_dataset *d, el_field f, int32_t idx);
/* Dictionary index of s in f, or EL_NA if absent. */
int32_t el_dataset_lookup(const el_dataset *d, el_field f, const char *s);
/* Number of distinct strings in f's dictionary. */
size_t el_dataset_dict_size(const el_dataset *d, el_field f);

/* Added by the import helper (bulk load, store, enrichment): */
/* Intern s in f's dictionary without touching any row; *idx gets its index.
 * Indices are dense and assigned in first-seen order (0, 1, 2, ...). */
el_status el_dataset_intern(el_dataset *d, el_field f, const char *s, int32_t *idx);
/* Pre-allocate room for rows (a hint; never shrinks). */
el_status el_dataset_reserve(el_dataset *d, size_t rows);
/* Append n rows of EL_NA; returns the first index or (size_t)-1 on OOM. */
size_t el_dataset_add_rows(el_dataset *d, size_t n);
/* Writable column (rows() values) for bulk fills; NULL only on OOM. */
int32_t *el_dataset_col_mut(el_dataset *d, el_field f);
/* 1 if column f has storage (was ever set or read), else 0 (all EL_NA). */
int el_dataset_col_exists(const el_dataset *d, el_field f);

#endif
