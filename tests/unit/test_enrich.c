/* test_enrich.c — unit tests for enrichment (IMD, areas, ethnic group, age band). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/enrich.h"
#include "equitylens/parse.h"

static el_refdata *R;

static int setup(void **st)
{
    (void)st;
    el_error e = {0};
    if (el_refdata_load(NULL, EL_REF_ENRICH, &R, &e) != EL_OK) {
        fprintf(stderr, "load failed: %s\n", e.msg);
        return -1;
    }
    return 0;
}
static int teardown(void **st) { (void)st; el_refdata_free(R); return 0; }

static el_dataset *mk(el_field lf, const char *const *lsoas, size_t n)
{
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    el_dataset_set_has(d, lf, 1);
    for (size_t i = 0; i < n; i++) {
        size_t r = el_dataset_add_row(d);
        if (lsoas[i]) el_dataset_set_str(d, r, lf, lsoas[i]);
    }
    return d;
}

static const char *str(el_dataset *d, size_t row, el_field f)
{
    return el_dataset_str(d, f, el_dataset_get(d, row, f));
}

static void test_imd2019_default(void **st)
{
    (void)st;
    const char *l[] = {"E01000001", "E01021988", NULL, "junk", "E01999999", "W01000001", " e01000001 "};
    el_dataset *d = mk(EL_F_LSOA11, l, 7);
    el_enrich_stats s;
    el_error e;
    assert_int_equal(el_enrich_dataset(d, R, NULL, &s, &e), EL_OK);
    assert_int_equal(s.imd_edition, 2019);
    assert_int_equal(s.lsoa_vintage, 2011);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_DECILE), 9);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_QUINTILE), 5);
    assert_int_equal(el_dataset_get(d, 0, EL_F_CORE20), 0);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_EDITION), 2019);
    assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_DECILE), 1);
    assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_QUINTILE), 1);
    assert_int_equal(el_dataset_get(d, 1, EL_F_CORE20), 1);
    assert_string_equal(str(d, 1, EL_F_LA_CODE), "E07000076");  /* Tendring */
    for (size_t r = 2; r <= 5; r++) {
        assert_int_equal(el_dataset_get(d, r, EL_F_IMD_DECILE), EL_NA);
        assert_int_equal(el_dataset_get(d, r, EL_F_CORE20), EL_NA);
    }
    assert_int_equal(el_dataset_get(d, 6, EL_F_IMD_DECILE), 9);   /* trimmed, upper-cased */
    assert_int_equal(s.imd_matched, 3);
    assert_int_equal(s.lsoa_blank, 1);
    assert_int_equal(s.lsoa_malformed, 1);
    assert_int_equal(s.lsoa_not_found, 1);
    assert_int_equal(s.lsoa_outside_england, 1);
    assert_int_equal(s.imd_matched + s.lsoa_blank + s.lsoa_malformed + s.lsoa_not_found +
                     s.lsoa_outside_england + s.lsoa_ambiguous + s.lsoa_not_converted, 7);
    assert_int_equal(s.n_examples, 3);
    assert_string_equal(s.examples[0], "junk");
    assert_string_equal(s.examples[1], "E01999999");
    assert_string_equal(s.examples[2], "W01000001");
    assert_string_equal(str(d, 0, EL_F_LA_CODE), "E09000001");
    assert_string_equal(str(d, 0, EL_F_ICB_CODE), "E54000029");
    assert_int_equal(el_dataset_get(d, 5, EL_F_LA_CODE), EL_NA);  /* Welsh: no English ICB, no IMD */
    assert_true(el_dataset_has(d, EL_F_IMD_DECILE));
    el_dataset_free(d);
}

static void test_imd2025_and_conversion(void **st)
{
    (void)st;
    const char *l[] = {"E01000001", "E01033583"};  /* unchanged; split into 9 LSOA21s */
    el_dataset *d = mk(EL_F_LSOA21, l, 1);
    el_enrich_stats s;
    el_error e;
    assert_int_equal(el_enrich_dataset(d, R, NULL, &s, &e), EL_OK);
    assert_int_equal(s.imd_edition, 2025);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_DECILE), 8);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_EDITION), 2025);
    el_dataset_free(d);

    /* LSOA 2011 data, IMD 2025 asked: refused without convert, converted with it */
    d = mk(EL_F_LSOA11, l, 2);
    el_enrich_opts o;
    el_enrich_opts_default(&o);
    o.imd_edition = 2025;
    assert_int_equal(el_enrich_dataset(d, R, &o, &s, &e), EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "LSOA 2011"));
    o.convert = 1;
    assert_int_equal(el_enrich_dataset(d, R, &o, &s, &e), EL_OK);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_DECILE), 8);
    assert_int_equal(s.lsoa_converted + s.lsoa_ambiguous, 2);
    /* the split LSOA: a decile only if all 9 parts agree */
    const char *parts[16];
    size_t np = el_refdata_lsoa_convert(R, EL_LSOA11, "E01033583", parts, 16, NULL);
    assert_int_equal(np, 9);
    int same = 1, d0 = 0;
    for (size_t i = 0; i < np; i++) {
        el_imd m;
        assert_true(el_refdata_imd(R, 2025, parts[i], &m));
        if (d0 && m.decile != d0) same = 0;
        d0 = m.decile;
    }
    if (same) assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_DECILE), d0);
    else {
        assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_DECILE), EL_NA);
        assert_int_equal(s.lsoa_ambiguous, 1);
    }
    el_dataset_free(d);
}

static void test_both_columns(void **st)
{
    (void)st;
    /* lsoa21 blank on row 1: with convert, its lsoa11 is used */
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    el_dataset_set_has(d, EL_F_LSOA11, 1);
    el_dataset_set_has(d, EL_F_LSOA21, 1);
    el_dataset_add_row(d);
    el_dataset_add_row(d);
    el_dataset_set_str(d, 0, EL_F_LSOA21, "E01021988");
    el_dataset_set_str(d, 1, EL_F_LSOA11, "E01000001");
    el_enrich_stats s;
    el_error e;
    assert_int_equal(el_enrich_dataset(d, R, NULL, &s, &e), EL_OK);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_DECILE), 1);
    assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_DECILE), EL_NA);
    assert_int_equal(s.lsoa_blank, 1);
    el_enrich_opts o;
    el_enrich_opts_default(&o);
    o.convert = 1;
    assert_int_equal(el_enrich_dataset(d, R, &o, &s, &e), EL_OK);
    assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_DECILE), 8);
    assert_int_equal(s.lsoa_converted, 1);
    o.imd_edition = 2019;
    assert_int_equal(el_enrich_dataset(d, R, &o, &s, &e), EL_OK);
    assert_int_equal(el_dataset_get(d, 1, EL_F_IMD_DECILE), 9);
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_DECILE), 1);  /* via lookup */
    assert_int_equal(el_dataset_get(d, 0, EL_F_IMD_EDITION), 2019);
    o.imd_edition = 2020;
    assert_int_equal(el_enrich_dataset(d, R, &o, &s, &e), EL_ERR_INVALID);
    el_dataset_free(d);
}

static void test_ethnic(void **st)
{
    (void)st;
    assert_string_equal(el_ethnic_group("A"), "White");
    assert_string_equal(el_ethnic_group("G"), "Mixed");
    assert_string_equal(el_ethnic_group("L"), "Asian");
    assert_string_equal(el_ethnic_group("P"), "Black");
    assert_string_equal(el_ethnic_group("R"), "Other");   /* NHS grouping: Chinese in Other */
    assert_string_equal(el_ethnic_group("S"), "Other");
    assert_string_equal(el_ethnic_group("Z"), "Not stated");
    assert_string_equal(el_ethnic_group("99"), "Not known");
    assert_string_equal(el_ethnic_group(""), "Not known");
    assert_null(el_ethnic_group("I"));
    assert_null(el_ethnic_group("X"));
    assert_null(el_ethnic_group("AB"));
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    el_dataset_set_has(d, EL_F_ETHNIC_CATEGORY, 1);
    const char *codes[] = {"A", "Z", "99", NULL, "Q", "R"};
    for (size_t i = 0; i < 6; i++) {
        el_dataset_add_row(d);
        if (codes[i]) el_dataset_set_str(d, i, EL_F_ETHNIC_CATEGORY, codes[i]);
    }
    el_enrich_stats s;
    assert_int_equal(el_enrich_dataset(d, R, NULL, &s, NULL), EL_OK);
    assert_string_equal(str(d, 0, EL_F_ETHNIC_GROUP), "White");
    assert_string_equal(str(d, 1, EL_F_ETHNIC_GROUP), "Not stated");
    assert_string_equal(str(d, 2, EL_F_ETHNIC_GROUP), "Not known");
    assert_string_equal(str(d, 3, EL_F_ETHNIC_GROUP), "Not known");
    assert_int_equal(el_dataset_get(d, 4, EL_F_ETHNIC_GROUP), EL_NA);
    assert_string_equal(str(d, 5, EL_F_ETHNIC_GROUP), "Other");
    assert_int_equal(s.ethnic_not_stated, 1);
    assert_int_equal(s.ethnic_not_known, 2);
    assert_int_equal(s.ethnic_invalid, 1);
    assert_false(el_dataset_has(d, EL_F_IMD_DECILE));  /* no LSOA column: nothing derived */
    el_dataset_free(d);
}

static void test_age(void **st)
{
    (void)st;
    assert_string_equal(el_age_band(0), "00-04");
    assert_string_equal(el_age_band(4), "00-04");
    assert_string_equal(el_age_band(5), "05-09");
    assert_string_equal(el_age_band(89), "85-89");
    assert_string_equal(el_age_band(90), "90+");
    assert_string_equal(el_age_band(130), "90+");
    assert_null(el_age_band(-1));
    assert_null(el_age_band(131));
    int32_t b, t;
    el_parse_date("2000-02-29", "YYYY-MM-DD", &b);
    el_parse_date("2025-02-28", "YYYY-MM-DD", &t);
    assert_int_equal(el_age_at(b, t), 24);
    el_parse_date("2025-03-01", "YYYY-MM-DD", &t);
    assert_int_equal(el_age_at(b, t), 25);
    assert_int_equal(el_age_at(t, b), -1);

    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    el_dataset_set_has(d, EL_F_AGE, 1);
    el_dataset_set_has(d, EL_F_BIRTH_DATE, 1);
    el_dataset_set_has(d, EL_F_APPOINTMENT_DATE, 1);
    for (int i = 0; i < 5; i++) el_dataset_add_row(d);
    el_dataset_set(d, 0, EL_F_AGE, 42);
    el_dataset_set(d, 1, EL_F_BIRTH_DATE, b);
    el_dataset_set(d, 1, EL_F_APPOINTMENT_DATE, t);
    el_dataset_set(d, 2, EL_F_AGE, 200);
    el_dataset_set(d, 3, EL_F_BIRTH_DATE, b);     /* no appointment date, no reference date */
    el_enrich_stats s;
    assert_int_equal(el_enrich_dataset(d, R, NULL, &s, NULL), EL_OK);
    assert_string_equal(str(d, 0, EL_F_AGE_BAND), "40-44");
    assert_string_equal(str(d, 1, EL_F_AGE_BAND), "25-29");
    assert_int_equal(el_dataset_get(d, 2, EL_F_AGE_BAND), EL_NA);
    assert_int_equal(el_dataset_get(d, 3, EL_F_AGE_BAND), EL_NA);
    assert_int_equal(el_dataset_get(d, 4, EL_F_AGE_BAND), EL_NA);
    assert_int_equal(s.age_from_age, 2);
    assert_int_equal(s.age_from_birth_date, 1);
    assert_int_equal(s.age_invalid, 1);
    assert_int_equal(s.age_missing, 2);
    el_enrich_opts o;
    el_enrich_opts_default(&o);
    o.reference_date = t;
    assert_int_equal(el_enrich_dataset(d, R, &o, &s, NULL), EL_OK);
    assert_string_equal(str(d, 3, EL_F_AGE_BAND), "25-29");
    el_dataset_free(d);
}

static void test_missing_refdata(void **st)
{
    (void)st;
    el_refdata *r = NULL;
    el_error e;
    assert_int_equal(el_refdata_load(NULL, EL_REF_IMD2025, &r, &e), EL_OK);
    const char *l[] = {"E01000001"};
    el_dataset *d = mk(EL_F_LSOA11, l, 1);
    assert_int_equal(el_enrich_dataset(d, r, NULL, NULL, &e), EL_ERR_INVALID);
    el_dataset_free(d);
    el_refdata_free(r);
    assert_int_equal(el_enrich_dataset(NULL, R, NULL, NULL, &e), EL_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imd2019_default),
        cmocka_unit_test(test_imd2025_and_conversion),
        cmocka_unit_test(test_both_columns),
        cmocka_unit_test(test_ethnic),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_missing_refdata),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
