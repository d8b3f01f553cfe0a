/* test_mapping.c — unit tests for the mapping-file parser and value mapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/mapping.h"

/* m maps the raw value in of field f to want (a 64-byte output buffer). */
#define MAPS_TO(m, f, in, want) do { \
        char b_[64]; \
        assert_string_equal(el_mapping_map_value(m, f, in, b_, sizeof b_), want); \
    } while (0)

static el_mapping *parse(const char *s, el_error *e) { return el_mapping_parse(s, strlen(s), "t.map", e); }

static void test_full_format(void **st)
{
    (void)st;
    el_error e;
    const char *txt =
        "\xEF\xBB\xBF# local PAS extract\r\n"
        "kind = appointments\r\n"
        "date_format = DD/MM/YYYY\n"
        "invalid = blank\n"
        "  ; indented comment\n"
        "[columns]\n"
        "appointment_id = Appt Ref\n"
        "patient_id = \"PAS = number\"\n"
        "appointment_date = ApptDate\n"
        "attended_or_did_not_attend = Outcome\n"
        "ethnic_category = Ethnicity\n"
        "nhs_number = NHS No\n"
        "age = Age\n"
        "[dates]\n"
        "referral_request_received_date = YYYYMMDD\n"
        "[transforms]\n"
        "ethnic_category = upper\n"
        "age = integer\n"
        "[codes.ethnic_category]\n"
        "WHITE BRITISH = A\n"
        "\"NOT STATED\" = Z\n"
        "\"\" = 99\n"
        "* = 99\n"
        "[codes.attended_or_did_not_attend]\n"
        "Attended = 5\n"
        "DNA = 3\n"
        "Unknown =\n"
        "[constants]\n"
        "provider_code = RVW\n";
    el_mapping *m = parse(txt, &e);
    assert_non_null(m);
    assert_int_equal(el_mapping_kind(m), EL_KIND_APPOINTMENTS);
    assert_string_equal(el_mapping_name(m), "t");
    assert_string_equal(el_mapping_column(m, EL_F_APPOINTMENT_ID), "Appt Ref");
    assert_string_equal(el_mapping_column(m, EL_F_PATIENT_ID), "PAS = number");
    assert_string_equal(el_mapping_nhs_column(m), "NHS No");
    assert_null(el_mapping_column(m, EL_F_LSOA11));
    assert_string_equal(el_mapping_date_format(m, EL_F_APPOINTMENT_DATE), "DD/MM/YYYY");
    assert_string_equal(el_mapping_date_format(m, EL_F_REFERRAL_REQUEST_RECEIVED_DATE), "YYYYMMDD");
    assert_string_equal(el_mapping_constant(m, EL_F_PROVIDER_CODE), "RVW");
    assert_true(el_mapping_blank_invalid(m));
    assert_int_equal(el_mapping_delimiter(m), ',');
    assert_int_equal(el_mapping_transforms(m, EL_F_AGE), EL_TR_INTEGER);
    assert_int_equal(el_mapping_code_count(m, EL_F_ETHNIC_CATEGORY), 4);
    /* trim + upper + code map */
    MAPS_TO(m, EL_F_ETHNIC_CATEGORY, "  White British ", "A");
    MAPS_TO(m, EL_F_ETHNIC_CATEGORY, "not stated", "Z");
    MAPS_TO(m, EL_F_ETHNIC_CATEGORY, "", "99");
    MAPS_TO(m, EL_F_ETHNIC_CATEGORY, "martian", "99");
    /* no code map on this field: value passes through (trimmed) */
    MAPS_TO(m, EL_F_PATIENT_ID, " P1 ", "P1");
    MAPS_TO(m, EL_F_PATIENT_ID, "P2", "P2");
    /* empty right side blanks; unmapped codes are kept */
    MAPS_TO(m, EL_F_ATTENDED_OR_DID_NOT_ATTEND, "Unknown", "");
    MAPS_TO(m, EL_F_ATTENDED_OR_DID_NOT_ATTEND, "DNA", "3");
    MAPS_TO(m, EL_F_ATTENDED_OR_DID_NOT_ATTEND, "dna", "dna");
    /* integer transform: 54.0 → 54, 54.5 left for the parser to reject */
    MAPS_TO(m, EL_F_AGE, "54.0", "54");
    MAPS_TO(m, EL_F_AGE, "54.", "54");
    MAPS_TO(m, EL_F_AGE, "54.5", "54.5");
    MAPS_TO(m, EL_F_AGE, NULL, "");
    /* --census-date style constant */
    assert_int_equal(el_mapping_set_constant(m, EL_F_CENSUS_DATE, "2024-03-31", &e), EL_ERR_INVALID); /* not this kind */
    el_mapping_free(m);
    el_mapping_free(NULL);
}

static void expect_error(const char *txt, long line, const char *needle)
{
    el_error e;
    el_error_clear(&e);
    el_mapping *m = parse(txt, &e);
    assert_null(m);
    assert_int_equal(e.line, line);
    if (!strstr(e.msg, needle)) fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void test_errors(void **st)
{
    (void)st;
    expect_error("", 0, "no 'kind");
    expect_error("kind = outpatients\n", 1, "unknown kind");
    expect_error("[columns]\n", 1, "must come before");
    expect_error("kind = appointments\n[colums]\n", 2, "unknown section");
    expect_error("kind = appointments\n[columns]\nno_such = X\n", 3, "unknown canonical field");
    expect_error("kind = appointments\n[columns]\nimd_decile = X\n", 3, "derived");
    expect_error("kind = appointments\n[columns]\nrtt_start_date = X\n", 3, "not part of kind");
    expect_error("kind = appointments\n[columns]\nage = A\nage = B\n", 4, "mapped twice");
    expect_error("kind = appointments\n[columns]\nage =\n", 3, "empty column");
    expect_error("kind = appointments\n[dates]\nage = YYYY-MM-DD\n", 3, "not a date field");
    expect_error("kind = appointments\n[dates]\nappointment_date = MM/DD/YYYY\n", 3, "unknown date format");
    expect_error("kind = appointments\n[transforms]\nage = shout\n", 3, "unknown transform");
    expect_error("kind = appointments\n[transforms]\npatient_id = integer\n", 3, "integer fields only");
    expect_error("kind = appointments\n[codes.ethnic_category]\nA = A\nA = B\n", 4, "mapped twice");
    expect_error("kind = appointments\n[codes.nope]\n", 2, "unknown canonical field");
    expect_error("kind = appointments\njust text\n", 2, "expected 'key = value'");
    expect_error("kind = appointments\n\"open = x\n", 2, "expected 'key = value'");
    expect_error("kind = appointments\n\"a\"b = x\n", 2, "malformed quotes");
    expect_error("kind = appointments\n[constants]\nappointment_date = 31/03/2024\n", 3, "not a date");
    expect_error("kind = appointments\n[constants]\nautism = yes\n", 3, "not Y or N");
    expect_error("kind = appointments\n[section\n", 2, "lacks ']'");
    expect_error("kind = appointments\nkind = appointments\n", 2, "twice");
    expect_error("kind = appointments\ninvalid = ignore\n", 2, "reject or blank");
    expect_error("kind = appointments\ndelimiter = ,\n", 2, "comma, tab, pipe or semicolon");
    expect_error("kind = appointments\n\xC3\x28\n", 0, "UTF-8");
    el_error e;
    el_mapping *m = el_mapping_parse("kind = appointments\0junk", 24, "t", &e);
    assert_null(m);
    assert_non_null(strstr(e.msg, "NUL"));
    /* a field with both a column and a constant */
    expect_error("kind = appointments\n[columns]\nprovider_code = P\n[constants]\nprovider_code = RVW\n", 0, "both");
}

static void test_canonical_and_shipped(void **st)
{
    (void)st;
    el_error e;
    for (int k = 0; k < EL_KIND__COUNT; k++) {
        el_mapping *c = el_mapping_canonical((el_kind)k);
        assert_non_null(c);
        char path[128];
        snprintf(path, sizeof path, "mappings/canonical-%s.map", el_kind_name((el_kind)k));
        el_mapping *f = el_mapping_load(path, &e);
        if (!f) fail_msg("%s: %s", path, e.msg);
        /* the shipped canonical file equals the built-in canonical mapping */
        assert_string_equal(el_mapping_name(c), el_mapping_name(f));
        for (int fl = 0; fl < EL_F__COUNT; fl++) {
            const char *a = el_mapping_column(c, (el_field)fl), *b = el_mapping_column(f, (el_field)fl);
            if (!a || !b) assert_true(a == b);
            else assert_string_equal(a, b);
        }
        assert_string_equal(el_mapping_nhs_column(c), el_mapping_nhs_column(f));
        el_mapping_free(c);
        el_mapping_free(f);
    }
    assert_null(el_mapping_canonical((el_kind)7));
    el_mapping *h = el_mapping_resolve("mappings/hes-outpatients.map", EL_KIND_APPOINTMENTS, &e);
    assert_non_null(h);
    MAPS_TO(h, EL_F_ETHNIC_CATEGORY, "X", "99");
    MAPS_TO(h, EL_F_ETHNIC_CATEGORY, "Z", "Z");
    MAPS_TO(h, EL_F_PERSON_STATED_GENDER_CODE, "0", "X");
    MAPS_TO(h, EL_F_AGE, "7003.0", "0");
    MAPS_TO(h, EL_F_AGE, "54.0", "54");
    MAPS_TO(h, EL_F_REFERRAL_REQUEST_RECEIVED_DATE, "1800-01-01", "");
    MAPS_TO(h, EL_F_REFERRAL_REQUEST_RECEIVED_DATE, "1801-01-01", "");
    MAPS_TO(h, EL_F_TREATMENT_FUNCTION_CODE, "&", "");
    el_mapping_free(h);
    /* wrong kind, unknown name */
    assert_null(el_mapping_resolve("mappings/hes-outpatients.map", EL_KIND_WAITING_LIST, &e));
    assert_int_equal(e.status, EL_ERR_INVALID);
    assert_null(el_mapping_resolve("no-such-mapping", -1, &e));
    assert_int_equal(e.status, EL_ERR_NOTFOUND);
    assert_null(el_mapping_resolve("/tmp", -1, &e));   /* a directory: said so, not "not found" */
    assert_int_equal(e.status, EL_ERR_IO);
    assert_non_null(strstr(e.msg, "is a directory"));
    assert_null(el_mapping_resolve("canonical", -1, &e));
    el_mapping *w = el_mapping_resolve(NULL, EL_KIND_WAITING_LIST, &e);
    assert_non_null(w);
    assert_int_equal(el_mapping_set_constant(w, EL_F_CENSUS_DATE, "2024-03-31", &e), EL_OK);
    assert_string_equal(el_mapping_constant(w, EL_F_CENSUS_DATE), "2024-03-31");
    assert_null(el_mapping_column(w, EL_F_CENSUS_DATE));   /* the constant wins over the column */
    assert_int_equal(el_mapping_set_constant(w, EL_F_CENSUS_DATE, "31/03/2024", &e), EL_ERR_PARSE);
    el_mapping_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_format),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_canonical_and_shipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
