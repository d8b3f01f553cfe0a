/* test_quality.c — unit tests for the data-quality report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/quality.h"
#include "equitylens/parse.h"

static el_refdata *R;
static int setup(void **st)
{
    (void)st;
    el_error e = {0};
    return el_refdata_load(NULL, EL_REF_ENRICH, &R, &e) == EL_OK ? 0 : -1;
}
static int teardown(void **st) { (void)st; el_refdata_free(R); return 0; }

static int32_t D(const char *s) { int32_t d; el_parse_date(s, "YYYY-MM-DD", &d); return d; }

/* 10 rows; expectations written next to each value */
static el_dataset *sample(void)
{
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    el_field fs[] = {EL_F_APPOINTMENT_ID, EL_F_PATIENT_ID, EL_F_APPOINTMENT_DATE, EL_F_ATTENDED_OR_DID_NOT_ATTEND,
                     EL_F_PROVIDER_CODE, EL_F_REFERRAL_REQUEST_RECEIVED_DATE, EL_F_ETHNIC_CATEGORY, EL_F_LSOA11};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) el_dataset_set_has(d, fs[i], 1);
    const char *ids[] = {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A9"};      /* 2 rows duplicated */
    const char *prov[] = {"RAL", "RAL", "RAL", "RAL", "RAL", "RAL", "RJ1", "RJ1", "RJ1", NULL};
    const char *eth[] = {"A", "B", "Z", "99", NULL, "Q", "N", "A", "A", "Z"};              /* 6 valid, 2 Z, 2 not known (99, blank), 1 invalid?*/
    const char *att[] = {"5", "3", "5", "5", "7", "5", "5", "8", "5", "5"};                /* "8" invalid */
    const char *lsoa[] = {"E01000001", "E01021988", NULL, "junk", "W01000001", "E01999999",
                          "E01000001", "E01000001", "E01000001", "E01000001"};
    const char *ap[] = {"2025-01-10", "2025-01-10", "2025-01-10", "2025-01-10", "2025-01-10",
                        "2025-01-10", "2025-01-10", "2031-01-01", "2025-01-10", "2025-01-10"}; /* 1 in the future */
    const char *rf[] = {"2024-12-01", "2025-02-01", NULL, "2024-12-01", "2024-12-01",          /* 1 after appointment */
                        "2024-12-01", "2024-12-01", "2024-12-01", "2024-12-01", "2024-12-01"};
    for (int r = 0; r < 10; r++) {
        el_dataset_add_row(d);
        el_dataset_set_str(d, r, EL_F_APPOINTMENT_ID, ids[r]);
        el_dataset_set_str(d, r, EL_F_PATIENT_ID, "P1");
        el_dataset_set(d, r, EL_F_APPOINTMENT_DATE, D(ap[r]));
        el_dataset_set_str(d, r, EL_F_ATTENDED_OR_DID_NOT_ATTEND, att[r]);
        if (prov[r]) el_dataset_set_str(d, r, EL_F_PROVIDER_CODE, prov[r]);
        if (rf[r]) el_dataset_set(d, r, EL_F_REFERRAL_REQUEST_RECEIVED_DATE, D(rf[r]));
        if (eth[r]) el_dataset_set_str(d, r, EL_F_ETHNIC_CATEGORY, eth[r]);
        if (lsoa[r]) el_dataset_set_str(d, r, EL_F_LSOA11, lsoa[r]);
    }
    return d;
}

static const el_quality_group *grp(const el_quality *q, const char *by, const char *key)
{
    for (size_t i = 0; i < q->ndims; i++)
        if (!strcmp(q->dims[i].by, by))
            for (size_t j = 0; j < q->dims[i].n; j++)
                if (!strcmp(q->dims[i].groups[j].key, key)) return &q->dims[i].groups[j];
    return NULL;
}

static void test_counts(void **st)
{
    (void)st;
    el_dataset *d = sample();
    el_quality_opts o;
    el_quality_opts_default(&o, D("2026-01-01"));
    el_quality *q = NULL;
    el_error e;
    assert_int_equal(el_quality_compute(d, R, &o, &q, &e), EL_OK);
    assert_true(q->enriched_here);
    assert_int_equal(q->imd_edition, 2019);
    const el_quality_group *a = grp(q, "overall", "all");
    assert_non_null(a);
    assert_int_equal(a->rows, 10);
    const int64_t *ec = a->field[EL_F_ETHNIC_CATEGORY];
    assert_int_equal(ec[EL_QC_VALID], 5);
    assert_int_equal(ec[EL_QC_NOT_STATED], 2);
    assert_int_equal(ec[EL_QC_NOT_KNOWN], 2);
    assert_int_equal(ec[EL_QC_INVALID], 1);
    assert_int_equal(a->field[EL_F_ATTENDED_OR_DID_NOT_ATTEND][EL_QC_INVALID], 1);
    assert_int_equal(a->field[EL_F_REFERRAL_REQUEST_RECEIVED_DATE][EL_QC_NOT_KNOWN], 1);
    assert_int_equal(a->field[EL_F_PROVIDER_CODE][EL_QC_NOT_KNOWN], 1);
    assert_int_equal(a->lsoa[EL_QL_MATCHED], 6);
    assert_int_equal(a->lsoa[EL_QL_BLANK], 1);
    assert_int_equal(a->lsoa[EL_QL_MALFORMED], 1);
    assert_int_equal(a->lsoa[EL_QL_WALES], 1);
    assert_int_equal(a->lsoa[EL_QL_NOT_FOUND], 1);
    assert_true(q->check_applies[EL_QD_APPT_BEFORE_REFERRAL]);
    assert_false(q->check_applies[EL_QD_START_AFTER_CENSUS]);
    assert_int_equal(a->check[EL_QD_APPT_BEFORE_REFERRAL], 1);
    assert_int_equal(a->check_den[EL_QD_APPT_BEFORE_REFERRAL], 9);
    assert_int_equal(a->check[EL_QD_FUTURE], 1);
    assert_int_equal(a->check_den[EL_QD_FUTURE], 10);
    assert_int_equal(a->dup_rows, 2);
    assert_int_equal(q->ids_duplicated, 1);
    const el_quality_group *ral = grp(q, "provider_code", "RAL"), *rj1 = grp(q, "provider_code", "RJ1"),
                           *bl = grp(q, "provider_code", "(blank)");
    assert_non_null(ral); assert_non_null(rj1); assert_non_null(bl);
    assert_int_equal(ral->rows, 6);
    assert_int_equal(rj1->rows, 3);
    assert_int_equal(bl->rows, 1);
    assert_int_equal(rj1->dup_rows, 1);
    assert_int_equal(bl->dup_rows, 1);
    assert_int_equal(rj1->check[EL_QD_FUTURE], 1);
    assert_int_equal(ral->lsoa[EL_QL_MATCHED], 2);

    /* JSON with disclosure control off: exact numbers */
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    assert_int_equal(el_disclosure_policy_parse(&p, "suppress=off,round=1", &e), EL_OK);
    el_quality_source src = {0, "t.csv", 10, 0};
    json_t *j = el_quality_json(q, &src, &p, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "schema")), "equitylens.quality/1");
    json_t *g0 = json_array_get(json_object_get(j, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g0, "by")), "overall");
    json_t *lsoa = json_object_get(g0, "lsoa");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(lsoa, "matched"), "n")), 6);
    assert_true(json_real_value(json_object_get(json_object_get(lsoa, "matched"), "pct")) == 60.0);
    assert_true(json_real_value(json_object_get(lsoa, "match_rate_pct")) == 66.7);   /* 6 of 9 with an LSOA */
    size_t i;
    json_t *f;
    int seen = 0;
    json_array_foreach(json_object_get(g0, "fields"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "field")), "ethnic_category")) continue;
        assert_true(json_real_value(json_object_get(json_object_get(f, "not_stated"), "pct")) == 20.0);
        assert_true(json_real_value(json_object_get(json_object_get(f, "invalid"), "pct")) == 10.0);
        seen = 1;
    }
    assert_true(seen);
    char *csv = el_quality_csv(j), *txt = el_quality_text(j);
    assert_non_null(strstr(csv, "overall,all,field,ethnic_category,not_stated_pct,20.0\n"));
    assert_non_null(strstr(csv, "provider_code,RJ1,duplicates,appointment_id,rows_n,1\n"));
    assert_non_null(strstr(txt, "appointment before referral"));
    free(csv); free(txt);
    json_decref(j);

    /* default policy: small counts are suppressed, never shown */
    el_disclosure_policy_default(&p);
    j = el_quality_json(q, &src, &p, &e);
    assert_non_null(j);
    g0 = json_array_get(json_object_get(j, "groups"), 0);
    lsoa = json_object_get(g0, "lsoa");
    assert_true(json_is_null(json_object_get(json_object_get(lsoa, "matched"), "n")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(lsoa, "matched"), "suppressed")), "primary");
    assert_true(json_is_null(json_object_get(lsoa, "match_rate_pct")));
    /* RJ1 has 3 rows: its total is suppressed, so even a shown 0 gets no percentage */
    json_t *grj = NULL, *gg;
    size_t gi;
    json_array_foreach(json_object_get(j, "groups"), gi, gg)
        if (!strcmp(json_string_value(json_object_get(gg, "key")), "RJ1")) grj = gg;
    assert_non_null(grj);
    assert_string_equal(json_string_value(json_object_get(json_object_get(grj, "rows"), "suppressed")), "primary");
    json_t *inv = json_object_get(json_array_get(json_object_get(grj, "fields"), 0), "invalid");
    assert_int_equal(json_integer_value(json_object_get(inv, "n")), 0);
    assert_true(json_is_null(json_object_get(inv, "pct")));
    assert_true(json_is_true(json_object_get(inv, "pct_withheld")));
    txt = el_quality_text(j);
    assert_null(strstr(txt, "66.7"));
    free(txt);
    json_decref(j);
    el_quality_free(q);
    el_dataset_free(d);
}

static void test_waiting_list_checks(void **st)
{
    (void)st;
    el_dataset *d = el_dataset_new(EL_KIND_WAITING_LIST);
    el_dataset_set_has(d, EL_F_PATHWAY_ID, 1);
    el_dataset_set_has(d, EL_F_RTT_START_DATE, 1);
    el_dataset_set_has(d, EL_F_CENSUS_DATE, 1);
    /* rows 3-5: implausible (1800-01-01; 1899-12-31; a wait of 10 years and
     * 2 days); row 6: a wait of exactly 10 years (3653 days) is plausible */
    const char *start[] = {"2025-01-01", "2025-04-02", "2024-06-30", "1800-01-01", "1899-12-31", "2015-03-29",
                           "2015-03-31"};
    for (int r = 0; r < 7; r++) {
        el_dataset_add_row(d);
        char id[8]; snprintf(id, sizeof id, "W%d", r);
        el_dataset_set_str(d, r, EL_F_PATHWAY_ID, id);
        el_dataset_set(d, r, EL_F_RTT_START_DATE, D(start[r]));
        el_dataset_set(d, r, EL_F_CENSUS_DATE, D("2025-03-31"));
    }
    el_quality_opts o;
    el_quality_opts_default(&o, D("2025-04-01"));
    el_quality *q = NULL;
    el_error e;
    assert_int_equal(el_quality_compute(d, NULL, &o, &q, &e), EL_OK);   /* no LSOA: no refdata needed */
    assert_int_equal(q->ndims, 1);
    assert_false(q->has_lsoa);
    const el_quality_group *a = &q->dims[0].groups[0];
    assert_int_equal(a->check[EL_QD_START_AFTER_CENSUS], 1);
    assert_int_equal(a->check[EL_QD_FUTURE], 1);
    assert_int_equal(a->check[EL_QD_IMPLAUSIBLE], 3);
    assert_int_equal(a->check_den[EL_QD_IMPLAUSIBLE], 7);
    assert_int_equal(a->dup_rows, 0);
    /* the window's constants are the dates they claim to be */
    assert_int_equal(EL_DATE_PLAUSIBLE_FROM, D("1900-01-01"));
    assert_int_equal(EL_DATE_PLAUSIBLE_TO, D("2099-12-31"));
    assert_int_equal(D("2025-03-31") - D("2015-03-31"), EL_INTERVAL_PLAUSIBLE_DAYS);
    /* rows rejected at import: the phrase stays when the count is suppressed */
    el_disclosure_policy pol;
    el_disclosure_policy_default(&pol);
    for (int64_t rej = 0; rej <= 10; rej += 3) {
        el_quality_source src = {0, "w.csv", 7 + rej, rej};
        json_t *j = el_quality_json(q, &src, &pol, &e);
        assert_non_null(j);
        char *txt = el_quality_text(j);
        const char *want = rej == 0 ? "rejected at import 0;" : rej < 8 ? "rejected at import *;" : "rejected at import 10;";
        if (!strstr(txt, want)) fail_msg("rejected %lld: no '%s' in %.200s", (long long)rej, want, txt);
        free(txt);
        json_decref(j);
    }
    el_quality_free(q);
    el_quality_free(NULL);
    /* an LSOA column without enrichment and without reference data is an error */
    el_dataset_set_has(d, EL_F_LSOA21, 1);
    assert_int_equal(el_quality_compute(d, NULL, &o, &q, &e), EL_ERR_INVALID);
    assert_null(q);
    el_dataset_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_waiting_list_checks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
