/* test_dataset.c — unit tests for the field registry and the columnar dataset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/dataset.h"

static void test_registry(void **st)
{
    (void)st;
    for (int f = 0; f < EL_F__COUNT; f++) {
        const el_field_info *fi = el_field_get((el_field)f);
        assert_non_null(fi);
        assert_non_null(fi->name);
        assert_non_null(fi->description);
        assert_int_equal(el_field_by_name(fi->name), f);   /* names unique, round-trip */
    }
    assert_null(el_field_get(EL_F__COUNT));
    assert_int_equal(el_field_by_name("no_such_field"), -1);
    assert_int_equal(el_field_by_name(NULL), -1);
    /* required fields per kind, as the issue lists them */
    assert_int_equal(el_field_get(EL_F_APPOINTMENT_ID)->use[EL_KIND_APPOINTMENTS], 2);
    assert_int_equal(el_field_get(EL_F_PATIENT_ID)->use[EL_KIND_APPOINTMENTS], 2);
    assert_int_equal(el_field_get(EL_F_APPOINTMENT_DATE)->use[EL_KIND_APPOINTMENTS], 2);
    assert_int_equal(el_field_get(EL_F_ATTENDED_OR_DID_NOT_ATTEND)->use[EL_KIND_APPOINTMENTS], 2);
    assert_int_equal(el_field_get(EL_F_PATHWAY_ID)->use[EL_KIND_APPOINTMENTS], 1);
    assert_int_equal(el_field_get(EL_F_PATHWAY_ID)->use[EL_KIND_WAITING_LIST], 2);
    assert_int_equal(el_field_get(EL_F_CENSUS_DATE)->use[EL_KIND_WAITING_LIST], 2);
    assert_int_equal(el_field_get(EL_F_REFERRAL_DATE)->use[EL_KIND_CANCER_PATHWAYS], 2);
    assert_int_equal(el_field_get(EL_F_STAGE)->use[EL_KIND_APPOINTMENTS], 0);
    assert_int_equal(el_field_get(EL_F_ETHNIC_CATEGORY)->use[EL_KIND_CANCER_PATHWAYS], 1);
    assert_int_equal(el_field_get(EL_F_IMD_DECILE)->derived, 1);
    assert_int_equal(el_field_get(EL_F_AGE)->derived, 0);
    assert_int_equal(el_field_get(EL_F_AGE)->type, EL_T_INT);
    assert_int_equal(el_field_get(EL_F_AUTISM)->type, EL_T_FLAG);
    /* kinds */
    for (int k = 0; k < EL_KIND__COUNT; k++) assert_int_equal(el_kind_by_name(el_kind_name((el_kind)k)), k);
    assert_int_equal(el_kind_by_name("appointments"), EL_KIND_APPOINTMENTS);
    assert_int_equal(el_kind_by_name("outpatients"), -1);
}

static void test_codes(void **st)
{
    (void)st;
    const char *eth_ok[] = {"A", "H", "S", "Z", "99"}, *eth_bad[] = {"I", "O", "Q", "X", "", "a", "9"};
    for (size_t i = 0; i < 5; i++) assert_true(el_field_valid_code(EL_F_ETHNIC_CATEGORY, eth_ok[i]));
    for (size_t i = 0; i < 7; i++) assert_false(el_field_valid_code(EL_F_ETHNIC_CATEGORY, eth_bad[i]));
    assert_false(el_field_valid_code(EL_F_ETHNIC_CATEGORY, NULL));
    assert_true(el_field_valid_code(EL_F_PERSON_STATED_GENDER_CODE, "X"));
    assert_false(el_field_valid_code(EL_F_PERSON_STATED_GENDER_CODE, "0"));
    assert_true(el_field_valid_code(EL_F_ATTENDED_OR_DID_NOT_ATTEND, "5"));
    assert_false(el_field_valid_code(EL_F_ATTENDED_OR_DID_NOT_ATTEND, "1"));
    assert_false(el_field_valid_code(EL_F_ATTENDED_OR_DID_NOT_ATTEND, "8"));
    assert_true(el_field_valid_code(EL_F_CLINICAL_PRIORITY, "P1a"));
    assert_false(el_field_valid_code(EL_F_CLINICAL_PRIORITY, "P1c"));
    assert_true(el_field_valid_code(EL_F_STAGE, "4"));
    assert_false(el_field_valid_code(EL_F_STAGE, "5"));
    assert_true(el_field_valid_code(EL_F_LSOA11, "E01000001"));
    assert_true(el_field_valid_code(EL_F_LSOA21, "W01001958"));
    assert_false(el_field_valid_code(EL_F_LSOA11, "E99999999"));
    assert_false(el_field_valid_code(EL_F_LSOA11, "E0100001"));
    assert_true(el_field_valid_code(EL_F_TREATMENT_FUNCTION_CODE, "110"));
    assert_false(el_field_valid_code(EL_F_TREATMENT_FUNCTION_CODE, "&"));
    assert_false(el_field_valid_code(EL_F_TREATMENT_FUNCTION_CODE, "11"));
    assert_true(el_field_valid_code(EL_F_PROVIDER_CODE, "RVW"));
    assert_false(el_field_valid_code(EL_F_PROVIDER_CODE, "r v"));
    assert_true(el_field_valid_code(EL_F_AUTISM, "Y"));
    assert_false(el_field_valid_code(EL_F_AUTISM, "yes"));
    /* classification used by quality reports */
    assert_int_equal(el_field_classify(EL_F_ETHNIC_CATEGORY, "Z"), EL_CODE_NOT_STATED);
    assert_int_equal(el_field_classify(EL_F_ETHNIC_CATEGORY, "99"), EL_CODE_NOT_KNOWN);
    assert_int_equal(el_field_classify(EL_F_ETHNIC_CATEGORY, ""), EL_CODE_NOT_KNOWN);
    assert_int_equal(el_field_classify(EL_F_ETHNIC_CATEGORY, NULL), EL_CODE_NOT_KNOWN);
    assert_int_equal(el_field_classify(EL_F_ETHNIC_CATEGORY, "A"), EL_CODE_VALID);
    assert_int_equal(el_field_classify(EL_F_ETHNIC_CATEGORY, "X"), EL_CODE_INVALID);
    assert_int_equal(el_field_classify(EL_F_PERSON_STATED_GENDER_CODE, "X"), EL_CODE_NOT_KNOWN);
    assert_int_equal(el_field_classify(EL_F_PERSON_STATED_GENDER_CODE, "9"), EL_CODE_VALID);
}

static void test_rows_and_dictionary(void **st)
{
    (void)st;
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    assert_non_null(d);
    assert_int_equal(el_dataset_kind(d), EL_KIND_APPOINTMENTS);
    assert_int_equal(el_dataset_rows(d), 0);
    assert_non_null(el_dataset_col(d, EL_F_AGE));        /* never NULL, even when empty */
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        size_t r = el_dataset_add_row(d);
        assert_int_equal(r, (size_t)i);
        snprintf(buf, sizeof buf, "P%d", i % 1234);
        assert_int_equal(el_dataset_set_str(d, r, EL_F_PATIENT_ID, buf), EL_OK);
        if (i % 3 == 0) el_dataset_set(d, r, EL_F_AGE, i % 100);
    }
    assert_int_equal(el_dataset_rows(d), 5000);
    assert_int_equal(el_dataset_dict_size(d, EL_F_PATIENT_ID), 1234);
    /* first-seen order of dictionary indices */
    assert_int_equal(el_dataset_lookup(d, EL_F_PATIENT_ID, "P0"), 0);
    assert_int_equal(el_dataset_lookup(d, EL_F_PATIENT_ID, "P1233"), 1233);
    assert_int_equal(el_dataset_lookup(d, EL_F_PATIENT_ID, "P1234"), EL_NA);
    assert_string_equal(el_dataset_str(d, EL_F_PATIENT_ID, el_dataset_get(d, 4321, EL_F_PATIENT_ID)),
                        "P619");  /* 4321 % 1234 */
    assert_null(el_dataset_str(d, EL_F_PATIENT_ID, EL_NA));
    assert_null(el_dataset_str(d, EL_F_PATIENT_ID, 1234));
    /* NA where never set; values where set */
    const int32_t *age = el_dataset_col(d, EL_F_AGE);
    assert_int_equal(age[3], 3);
    assert_int_equal(age[4], EL_NA);
    assert_int_equal(el_dataset_get(d, 4999, EL_F_AGE), 4999 % 3 == 0 ? 4999 % 100 : EL_NA);
    /* a column first touched after many rows is NA-filled */
    el_dataset_set(d, 4998, EL_F_IMD_DECILE, 7);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_DECILE), EL_NA);
    assert_int_equal(el_dataset_get(d, 4998, EL_F_IMD_DECILE), 7);
    /* out-of-range access is harmless */
    assert_int_equal(el_dataset_get(d, 5000, EL_F_AGE), EL_NA);
    el_dataset_set(d, 5000, EL_F_AGE, 1);
    assert_int_equal(el_dataset_set_str(d, 5000, EL_F_PATIENT_ID, "x"), EL_ERR_INVALID);
    /* has flags */
    assert_false(el_dataset_has(d, EL_F_AGE));
    el_dataset_set_has(d, EL_F_AGE, 1);
    assert_true(el_dataset_has(d, EL_F_AGE));
    /* bulk add + intern */
    size_t first = el_dataset_add_rows(d, 10);
    assert_int_equal(first, 5000);
    assert_int_equal(el_dataset_get(d, 5005, EL_F_AGE), EL_NA);
    int32_t idx;
    assert_int_equal(el_dataset_intern(d, EL_F_LSOA11, "E01000001", &idx), EL_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(el_dataset_intern(d, EL_F_LSOA11, "E01000002", &idx), EL_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(el_dataset_intern(d, EL_F_LSOA11, "E01000001", &idx), EL_OK);
    assert_int_equal(idx, 0);
    int32_t *m = el_dataset_col_mut(d, EL_F_LSOA11);
    m[5009] = 1;
    assert_string_equal(el_dataset_str(d, EL_F_LSOA11, el_dataset_get(d, 5009, EL_F_LSOA11)), "E01000002");
    /* long strings go to their own arena block */
    static char big[200000];
    memset(big, 'x', sizeof big - 1);
    assert_int_equal(el_dataset_set_str(d, 0, EL_F_CANCER_SITE, big), EL_OK);
    assert_int_equal(strlen(el_dataset_str(d, EL_F_CANCER_SITE, 0)), sizeof big - 1);
    el_dataset_free(d);
    el_dataset_free(NULL);
    assert_null(el_dataset_new((el_kind)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_rows_and_dictionary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
