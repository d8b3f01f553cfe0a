/* quality.h — the data-quality report ("who is unknown") of one dataset
 * (owner: refdata). Pure computation; the one JSON shape is documented in
 * docs/quality.md (schema "equitylens.quality/1").
 *
 * For every source field present: % valid, % not stated (ethnic category Z),
 * % not known (blank, or the field's not-known code: ethnic 99, gender X, ...)
 * and % invalid code (el_field_classify); LSOA match rate to the IMD (and why
 * the others failed: blank, malformed, Welsh, not found); date sanity
 * (appointment before referral, RTT start after census date, diagnosis or
 * treatment before referral, birth after the activity date, dates after
 * "today", implausible dates); rows whose identifier (appointment_id, else pathway_id) is
 * duplicated. All of it overall, by provider_code and by
 * treatment_function_code (when present).
 *
 * Every count and percentage leaving through el_quality_json() has passed
 * disclosure control (disclosure.h): each block of counts is a one-way table
 * with its total, protected with primary and secondary suppression;
 * percentages are computed from true counts and published only when their
 * numerator and denominator are shown. Text and CSV are rendered from that
 * JSON, so all three formats carry the same numbers.
 *
 * Ownership: el_quality_compute() returns a report freed by el_quality_free()
 * (NULL-safe); el_quality_json() returns a new json_t (json_decref);
 * el_quality_text()/el_quality_csv() return malloc'd text (free). */
#ifndef EQUITYLENS_QUALITY_H
#define EQUITYLENS_QUALITY_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "equitylens/dataset.h"
#include "equitylens/disclosure.h"
#include "equitylens/enrich.h"
#include "equitylens/error.h"
#include "equitylens/refdata.h"

typedef enum {
    EL_QD_APPT_BEFORE_REFERRAL,   /* appointment_date < referral_request_received_date */
    EL_QD_START_AFTER_CENSUS,     /* rtt_start_date > census_date */
    EL_QD_DIAG_BEFORE_REFERRAL,   /* diagnosis_communicated_date < referral_date */
    EL_QD_TREAT_BEFORE_REFERRAL,  /* first_treatment_date < referral_date */
    EL_QD_BIRTH_AFTER_ACTIVITY,   /* birth_date > the kind's activity date */
    EL_QD_FUTURE,                 /* any date field after "today" (row counted once) */
    EL_QD_IMPLAUSIBLE,            /* a date outside the plausibility window, or an interval
                                     between two of the row's dates longer than it allows */
    EL_QD__COUNT
} el_quality_check;

/* Date plausibility window (docs/quality.md, "Implausible dates"): a date
 * before 1900-01-01 or after 2099-12-31 is implausible, and so is an
 * interval of more than 10 years (3653 days) between two dates of a row
 * that measure a wait or a pathway (referral → appointment, RTT start →
 * census, referral → diagnosis or treatment; birth → activity is not one).
 * quality counts such rows (EL_QD_IMPLAUSIBLE); analyse excludes them from
 * the interval metrics with a note (docs/analysis.md). Days since 1970-01-01. */
#define EL_DATE_PLAUSIBLE_FROM (-25567)     /* 1900-01-01 */
#define EL_DATE_PLAUSIBLE_TO 47481          /* 2099-12-31 */
#define EL_INTERVAL_PLAUSIBLE_DAYS 3653     /* 10 years */
static inline int el_date_plausible(int32_t d)
{
    return d >= EL_DATE_PLAUSIBLE_FROM && d <= EL_DATE_PLAUSIBLE_TO;
}
/* early/late both plausible and late - early at most 10 years (a negative
 * interval is a separate check, not implausibility). */
static inline int el_interval_plausible(int32_t early, int32_t late)
{
    return el_date_plausible(early) && el_date_plausible(late) &&
           (int64_t)late - (int64_t)early <= EL_INTERVAL_PLAUSIBLE_DAYS;
}

typedef enum { EL_QC_VALID, EL_QC_NOT_STATED, EL_QC_NOT_KNOWN, EL_QC_INVALID, EL_QC__COUNT } el_quality_class;
typedef enum { EL_QL_MATCHED, EL_QL_BLANK, EL_QL_MALFORMED, EL_QL_WALES, EL_QL_NOT_FOUND, EL_QL__COUNT } el_quality_lsoa;

typedef struct {
    char key[64];                               /* "all", a provider code, a TFC, or "(blank)" */
    int64_t rows;
    int64_t field[EL_F__COUNT][EL_QC__COUNT];   /* per present source field */
    int64_t lsoa[EL_QL__COUNT];
    int64_t check[EL_QD__COUNT];                /* rows failing */
    int64_t check_den[EL_QD__COUNT];            /* rows where the check could be made */
    int64_t dup_rows;                           /* rows whose identifier occurs more than once */
} el_quality_group;

typedef struct {
    const char *by;                             /* "overall", "provider_code", "treatment_function_code" */
    el_quality_group *groups;
    size_t n;
} el_quality_dim;

typedef struct el_quality {
    el_kind kind;
    int64_t rows;
    unsigned char present[EL_F__COUNT];         /* source fields reported */
    int has_lsoa;                               /* dataset has lsoa11 or lsoa21 */
    int imd_edition;                            /* of the match rate (0 = no LSOA) */
    int enriched_here;                          /* 1 if el_quality_compute ran the enrichment */
    el_field id_field;                          /* identifier checked for duplicates */
    int64_t ids_duplicated;                     /* distinct identifiers occurring more than once */
    int32_t today;
    unsigned char check_applies[EL_QD__COUNT];
    el_quality_dim dims[3];
    size_t ndims;
} el_quality;

typedef struct el_quality_opts {
    int32_t today;               /* days since 1970; dates after it are "in the future" (required) */
    el_enrich_opts enrich;       /* used only if the dataset is not enriched yet */
} el_quality_opts;

void el_quality_opts_default(el_quality_opts *o, int32_t today);

/* Compute the report. If d has an LSOA column but no IMD decile yet, it is
 * enriched first (d is modified; r must then hold EL_REF_ENRICH); otherwise r
 * may be NULL. */
el_status el_quality_compute(el_dataset *d, const el_refdata *r, const el_quality_opts *o,
                             el_quality **out, el_error *err);
void el_quality_free(el_quality *q);

/* Where the dataset came from, printed in the report header. */
typedef struct {
    int64_t dataset_id;          /* store version, 0 for a file read directly */
    const char *source;          /* file name */
    int64_t rows_read, rows_rejected;   /* -1 when unknown */
} el_quality_source;

/* The "disclosure" object of a JSON output: the policy described in words
 * and its parameters (docs/quality.md; the analysis result carries the same
 * object, docs/result-model.md). New json_t (json_decref). */
json_t *el_quality_policy_json(const el_disclosure_policy *p);

/* The disclosed report as JSON (docs/quality.md). */
json_t *el_quality_json(const el_quality *q, const el_quality_source *src, const el_disclosure_policy *p,
                        el_error *err);
/* Render a report JSON (from el_quality_json) as a text table or as CSV
 * (by,group,section,item,measure,value). NULL on OOM. */
char *el_quality_text(const json_t *report);
char *el_quality_csv(const json_t *report);

#endif
