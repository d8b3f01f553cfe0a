/* fields.c — the canonical field registry and national code lists (owner: import).
 * Pure data + lookups; see include/equitylens/dataset.h and docs/data-formats.md. */
#include <string.h>
#include "equitylens/dataset.h"

/* use[]: appointments, waiting_list, cancer_pathways: 2 required, 1 optional, 0 absent */
#define ALL    {1, 1, 1}
static const el_field_info fields[EL_F__COUNT] = {
    [EL_F_APPOINTMENT_ID] = {"appointment_id", EL_T_TEXT, {2, 0, 0}, 0,
        "identifier of the appointment (attendance) record"},
    [EL_F_PATIENT_ID] = {"patient_id", EL_T_TEXT, {2, 1, 1}, 0,
        "local (pseudonymous) patient identifier"},
    [EL_F_PATHWAY_ID] = {"pathway_id", EL_T_TEXT, {1, 2, 2}, 0,
        "patient pathway identifier (RTT or cancer pathway)"},
    [EL_F_NHS_NUMBER_HASH] = {"nhs_number_hash", EL_T_TEXT, ALL, 0,
        "keyed BLAKE2b hash of the NHS number (the number itself is never stored)"},
    [EL_F_APPOINTMENT_DATE] = {"appointment_date", EL_T_DATE, {2, 0, 0}, 0,
        "date of the outpatient appointment"},
    [EL_F_ATTENDED_OR_DID_NOT_ATTEND] = {"attended_or_did_not_attend", EL_T_CODE, {2, 0, 0}, 0,
        "NHS DD ATTENDED OR DID NOT ATTEND: 5, 6 seen; 3, 7 did not attend; 2 patient cancelled; 4 provider cancelled; 0 future; 9 not known (HES)"},
    [EL_F_PROVIDER_CODE] = {"provider_code", EL_T_CODE, ALL, 0,
        "ODS code of the provider organisation"},
    [EL_F_TREATMENT_FUNCTION_CODE] = {"treatment_function_code", EL_T_CODE, {1, 1, 0}, 0,
        "NHS DD ACTIVITY TREATMENT FUNCTION CODE (3 digits)"},
    [EL_F_REFERRAL_REQUEST_RECEIVED_DATE] = {"referral_request_received_date", EL_T_DATE, {1, 0, 0}, 0,
        "date the referral request was received"},
    [EL_F_FIRST_ATTENDANCE] = {"first_attendance", EL_T_CODE, {1, 0, 0}, 0,
        "NHS DD FIRST ATTENDANCE: 1 first, 2 follow-up (face to face), 3 first, 4 follow-up (telephone/telemedicine); 9/X not known"},
    [EL_F_CONSULTATION_MEDIUM] = {"consultation_medium", EL_T_CODE, {1, 0, 0}, 0,
        "NHS DD CONSULTATION MEDIUM USED: 01 face to face, 02 telephone, 03 telemedicine, 04 talk type, 05 email, 06 SMS, 98 other"},
    [EL_F_RTT_START_DATE] = {"rtt_start_date", EL_T_DATE, {0, 2, 0}, 0,
        "referral to treatment period start date"},
    [EL_F_CENSUS_DATE] = {"census_date", EL_T_DATE, {0, 2, 0}, 0,
        "date the waiting-list snapshot was taken (column, or --census-date)"},
    [EL_F_WAITING_LIST_TYPE] = {"waiting_list_type", EL_T_CODE, {0, 1, 0}, 0,
        "WLMDS waiting list type: IRTT, ORTT (admitted / non-admitted RTT), INON, ONON (not RTT)"},
    [EL_F_CLINICAL_PRIORITY] = {"clinical_priority", EL_T_CODE, {0, 1, 0}, 0,
        "surgical prioritisation code P1a, P1b, P2, P3, P4, P5, P6"},
    [EL_F_PRIORITY_TYPE_CODE] = {"priority_type_code", EL_T_CODE, {0, 1, 0}, 0,
        "NHS DD PRIORITY TYPE CODE: 1 routine, 2 urgent, 3 two week wait; 9 not known (HES)"},
    [EL_F_REFERRAL_DATE] = {"referral_date", EL_T_DATE, {0, 0, 2}, 0,
        "date the cancer referral was received (FDS clock start)"},
    [EL_F_CANCER_SITE] = {"cancer_site", EL_T_CODE, {0, 0, 1}, 0,
        "suspected cancer / tumour site (local or CWT code)"},
    [EL_F_DIAGNOSIS_COMMUNICATED_DATE] = {"diagnosis_communicated_date", EL_T_DATE, {0, 0, 1}, 0,
        "date the diagnosis or ruling out was communicated (FDS clock stop)"},
    [EL_F_FIRST_TREATMENT_DATE] = {"first_treatment_date", EL_T_DATE, {0, 0, 1}, 0,
        "date of first definitive treatment"},
    [EL_F_STAGE] = {"stage", EL_T_CODE, {0, 0, 1}, 0,
        "stage at diagnosis: 1, 2, 3, 4; U = unknown / not staged; 99 not known"},
    [EL_F_ETHNIC_CATEGORY] = {"ethnic_category", EL_T_CODE, ALL, 0,
        "NHS DD ETHNIC CATEGORY: A-H, J-N, P, R, S; Z not stated; 99 not known"},
    [EL_F_PERSON_STATED_GENDER_CODE] = {"person_stated_gender_code", EL_T_CODE, ALL, 0,
        "NHS DD PERSON STATED GENDER CODE: 1 male, 2 female, 9 indeterminate, X not known"},
    [EL_F_AGE] = {"age", EL_T_INT, ALL, 0, "age in whole years at the event (0-130)"},
    [EL_F_BIRTH_DATE] = {"birth_date", EL_T_DATE, ALL, 0, "date of birth"},
    [EL_F_LSOA11] = {"lsoa11", EL_T_CODE, ALL, 0, "2011 Lower layer Super Output Area of residence"},
    [EL_F_LSOA21] = {"lsoa21", EL_T_CODE, ALL, 0, "2021 Lower layer Super Output Area of residence"},
    [EL_F_LEARNING_DISABILITY] = {"learning_disability", EL_T_FLAG, ALL, 0, "learning disability flag (Y/N)"},
    [EL_F_AUTISM] = {"autism", EL_T_FLAG, ALL, 0, "autism flag (Y/N)"},
    [EL_F_SERIOUS_MENTAL_ILLNESS] = {"serious_mental_illness", EL_T_FLAG, ALL, 0,
        "serious mental illness flag (Y/N)"},
    [EL_F_INCLUSION_HEALTH_GROUP] = {"inclusion_health_group", EL_T_FLAG, ALL, 0,
        "inclusion health group flag (Y/N)"},
    [EL_F_INTERPRETER_REQUIRED] = {"interpreter_required", EL_T_FLAG, ALL, 0, "interpreter required (Y/N)"},
    [EL_F_REASONABLE_ADJUSTMENT] = {"reasonable_adjustment", EL_T_FLAG, ALL, 0,
        "reasonable adjustment recorded (Y/N)"},
    [EL_F_IMD_DECILE] = {"imd_decile", EL_T_INT, ALL, 1, "IMD decile of the LSOA in England (1 = most deprived 10%)"},
    [EL_F_IMD_QUINTILE] = {"imd_quintile", EL_T_INT, ALL, 1, "IMD quintile (1 = most deprived 20%)"},
    [EL_F_CORE20] = {"core20", EL_T_FLAG, ALL, 1, "1 if the LSOA is in the most deprived 20% in England (Core20), else 0"},
    [EL_F_IMD_EDITION] = {"imd_edition", EL_T_INT, ALL, 1, "IMD edition used (2019 or 2025)"},
    [EL_F_ETHNIC_GROUP] = {"ethnic_group", EL_T_CODE, ALL, 1,
        "White, Mixed, Asian, Black, Other, Not stated (Z), Not known (99/blank)"},
    [EL_F_AGE_BAND] = {"age_band", EL_T_CODE, ALL, 1, "5-year age band 00-04 ... 85-89, 90+ (European Standard Population 2013)"},
    [EL_F_LA_CODE] = {"la_code", EL_T_CODE, ALL, 1, "local authority district (ONS code) of the LSOA"},
    [EL_F_ICB_CODE] = {"icb_code", EL_T_CODE, ALL, 1, "integrated care board (ONS code) of the LSOA"},
};
#undef ALL

static const char *const kinds[EL_KIND__COUNT] = {"appointments", "waiting_list", "cancer_pathways"};

const el_field_info *el_field_get(el_field f)
{
    if ((int)f < 0 || f >= EL_F__COUNT) return NULL;
    return &fields[f];
}

int el_field_by_name(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < EL_F__COUNT; i++)
        if (!strcmp(fields[i].name, name)) return i;
    return -1;
}

const char *el_kind_name(el_kind k)
{
    if ((int)k < 0 || k >= EL_KIND__COUNT) return "unknown";
    return kinds[k];
}

int el_kind_by_name(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < EL_KIND__COUNT; i++)
        if (!strcmp(kinds[i], name)) return i;
    return -1;
}

static int in_list(const char *code, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(code, *list)) return 1;
    return 0;
}

static int is_lsoa(const char *s)
{
    /* E01/W01 + 6 digits (England and Wales LSOA codes). */
    if (strlen(s) != 9 || (s[0] != 'E' && s[0] != 'W') || s[1] != '0' || s[2] != '1') return 0;
    for (int i = 3; i < 9; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int is_ods(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 6) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return 0;
    }
    return 1;
}

static const char *const ETHNIC[] = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M",
                                     "N", "P", "R", "S", "Z", "99", NULL};
static const char *const GENDER[] = {"1", "2", "9", "X", NULL};
static const char *const ATTENDED[] = {"0", "2", "3", "4", "5", "6", "7", "9", NULL};
static const char *const FIRSTATT[] = {"1", "2", "3", "4", "9", "X", NULL};
static const char *const MEDIUM[] = {"01", "02", "03", "04", "05", "06", "98", NULL};
static const char *const PRIORITY[] = {"P1a", "P1b", "P2", "P3", "P4", "P5", "P6", NULL};
static const char *const PTYPE[] = {"1", "2", "3", "9", NULL};
static const char *const STAGE[] = {"1", "2", "3", "4", "U", "99", NULL};
static const char *const WLTYPE[] = {"IRTT", "ORTT", "INON", "ONON", NULL};

int el_field_valid_code(el_field f, const char *code)
{
    if (!code || !*code || (int)f < 0 || f >= EL_F__COUNT) return 0;
    switch (f) {
    case EL_F_ETHNIC_CATEGORY: return in_list(code, ETHNIC);
    case EL_F_PERSON_STATED_GENDER_CODE: return in_list(code, GENDER);
    case EL_F_ATTENDED_OR_DID_NOT_ATTEND: return in_list(code, ATTENDED);
    case EL_F_FIRST_ATTENDANCE: return in_list(code, FIRSTATT);
    case EL_F_CONSULTATION_MEDIUM: return in_list(code, MEDIUM);
    case EL_F_CLINICAL_PRIORITY: return in_list(code, PRIORITY);
    case EL_F_PRIORITY_TYPE_CODE: return in_list(code, PTYPE);
    case EL_F_STAGE: return in_list(code, STAGE);
    case EL_F_WAITING_LIST_TYPE: return in_list(code, WLTYPE);
    case EL_F_TREATMENT_FUNCTION_CODE:
        return strlen(code) == 3 && code[0] >= '1' && code[0] <= '9' && code[1] >= '0' &&
               code[1] <= '9' && code[2] >= '0' && code[2] <= '9';
    case EL_F_LSOA11: case EL_F_LSOA21: return is_lsoa(code);
    case EL_F_PROVIDER_CODE: return is_ods(code);
    case EL_F_LEARNING_DISABILITY: case EL_F_AUTISM: case EL_F_SERIOUS_MENTAL_ILLNESS:
    case EL_F_INCLUSION_HEALTH_GROUP: case EL_F_INTERPRETER_REQUIRED: case EL_F_REASONABLE_ADJUSTMENT:
        return !strcmp(code, "Y") || !strcmp(code, "N");
    default:
        return 1; /* free text / identifiers / derived codes: any non-empty value */
    }
}

el_code_class el_field_classify(el_field f, const char *code)
{
    if (!code || !*code) return EL_CODE_NOT_KNOWN;
    switch (f) {
    case EL_F_ETHNIC_CATEGORY:
        if (!strcmp(code, "Z")) return EL_CODE_NOT_STATED;
        if (!strcmp(code, "99")) return EL_CODE_NOT_KNOWN;
        break;
    case EL_F_PERSON_STATED_GENDER_CODE:
        if (!strcmp(code, "X")) return EL_CODE_NOT_KNOWN;
        break;
    case EL_F_ATTENDED_OR_DID_NOT_ATTEND: case EL_F_PRIORITY_TYPE_CODE:
        if (!strcmp(code, "9")) return EL_CODE_NOT_KNOWN;
        break;
    case EL_F_FIRST_ATTENDANCE:
        if (!strcmp(code, "9") || !strcmp(code, "X")) return EL_CODE_NOT_KNOWN;
        break;
    case EL_F_STAGE:
        if (!strcmp(code, "U") || !strcmp(code, "99")) return EL_CODE_NOT_KNOWN;
        break;
    default: break;
    }
    return el_field_valid_code(f, code) ? EL_CODE_VALID : EL_CODE_INVALID;
}
