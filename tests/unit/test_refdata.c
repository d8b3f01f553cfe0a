/* test_refdata.c — unit tests for the reference-data loader (facts from data/README.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "equitylens/refdata.h"

static el_refdata *R;

static int setup(void **st)
{
    (void)st;
    el_error e = {0};
    if (el_refdata_load(NULL, EL_REF_ALL, &R, &e) != EL_OK) {
        fprintf(stderr, "load failed: %s (%s:%ld)\n", e.msg, e.file, e.line);
        return -1;
    }
    return 0;
}
static int teardown(void **st) { (void)st; el_refdata_free(R); return 0; }

static void test_counts(void **st)
{
    (void)st;
    assert_int_equal(el_refdata_rows(R, EL_REF_IMD2019), 32844);
    assert_int_equal(el_refdata_rows(R, EL_REF_IMD2025), 33755);
    assert_int_equal(el_refdata_rows(R, EL_REF_LSOA_MAP), 35795);
    assert_int_equal(el_refdata_rows(R, EL_REF_GEO11), 32844);
    assert_int_equal(el_refdata_rows(R, EL_REF_GEO21), 33755);
    assert_int_equal(el_refdata_rows(R, EL_REF_POP21), 35672);
    assert_int_equal(el_refdata_rows(R, EL_REF_POP20), 34753);
    assert_int_equal(el_refdata_loaded(R), EL_REF_ALL);
}

static void test_imd(void **st)
{
    (void)st;
    el_imd m;
    assert_true(el_refdata_imd(R, 2019, "E01000001", &m));
    assert_int_equal(m.decile, 9);
    assert_int_equal(m.rank, 29199);      /* quoted "29,199" in the file */
    assert_true(isnan(m.score));
    assert_true(el_refdata_imd(R, 2025, "E01000001", &m));
    assert_int_equal(m.decile, 8);
    assert_int_equal(m.rank, 26525);
    assert_true(fabs(m.score - 8.742) < 1e-9);
    assert_true(el_refdata_imd(R, 2019, "E01021988", &m));
    assert_int_equal(m.decile, 1);
    assert_int_equal(m.rank, 1);
    assert_true(el_refdata_imd(R, 2025, "E01021988", &m));
    assert_int_equal(m.rank, 1);
    assert_false(el_refdata_imd(R, 2019, "W01000001", &m));  /* Wales: no English IMD */
    assert_false(el_refdata_imd(R, 2019, "E01999999", &m));
    assert_false(el_refdata_imd(R, 2011, "E01000001", &m));
    assert_false(el_refdata_imd(R, 2019, NULL, &m));
}

static void test_deciles_balanced(void **st)
{
    (void)st;
    /* IoD2019: deciles hold 3,284 or 3,285 LSOAs each; checked over all codes
     * reachable through the 2011 geography file. */
    FILE *f = fopen("data/lookups/lsoa11_sicbl22_icb22_lad22_en.csv", "r");
    if (!f) { skip(); return; }
    char line[1024];
    int n[11] = {0};
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        line[9] = '\0';
        el_imd m;
        assert_true(el_refdata_imd(R, 2019, line, &m));
        n[m.decile]++;
    }
    fclose(f);
    for (int d = 1; d <= 10; d++) assert_true(n[d] == 3284 || n[d] == 3285);
}

static void test_convert(void **st)
{
    (void)st;
    const char *out[16];
    char ch = 0;
    assert_int_equal(el_refdata_lsoa_convert(R, EL_LSOA11, "E01011949", out, 16, &ch), 1);
    assert_string_equal(out[0], "E01011949");
    assert_int_equal(ch, 'U');
    assert_int_equal(el_refdata_lsoa_convert(R, EL_LSOA11, "E01999999", out, 16, &ch), 0);
    /* find a split and a merge anywhere in the lookup and check both directions */
    FILE *f = fopen("data/lookups/lsoa11_lsoa21_lad22_ew.csv", "r");
    if (!f) { skip(); return; }
    char line[1024];
    int splits = 0, merges = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = strstr(line, "\",\"S\",\""), *q = strstr(line, "\",\"M\",\"");
        if (!p && !q) continue;
        char c11[10], c21[10];
        char *s = p ? p : q;
        memcpy(c11, s - 9, 9); c11[9] = '\0';
        char *r21 = strstr(s + 7, "\",\"") + 3;
        memcpy(c21, r21, 9); c21[9] = '\0';
        if (p) {
            size_t n = el_refdata_lsoa_convert(R, EL_LSOA11, c11, out, 16, &ch);
            assert_true(n >= 2);
            assert_int_equal(ch, 'S');
            int found = 0;
            for (size_t i = 0; i < n && i < 16; i++) found |= !strcmp(out[i], c21);
            assert_true(found);
            splits++;
        } else {
            size_t n = el_refdata_lsoa_convert(R, EL_LSOA21, c21, out, 16, &ch);
            assert_true(n >= 2);
            int found = 0;
            for (size_t i = 0; i < n && i < 16; i++) found |= !strcmp(out[i], c11);
            assert_true(found);
            merges++;
        }
    }
    fclose(f);
    assert_int_equal(splits, 1900);
    assert_int_equal(merges, 239);
}

static void test_areas(void **st)
{
    (void)st;
    el_area a;
    assert_true(el_refdata_area(R, EL_LSOA21, "E01000001", EL_AREA_ICB, &a));
    assert_string_equal(a.code, "E54000029");
    assert_string_equal(a.nhs_code, "QMF");
    assert_string_equal(a.name, "NHS North East London Integrated Care Board");
    assert_true(el_refdata_area(R, EL_LSOA21, "E01000001", EL_AREA_SUBICB, &a));
    assert_string_equal(a.nhs_code, "A3A8R");
    assert_true(el_refdata_area(R, EL_LSOA21, "E01000001", EL_AREA_LA, &a));
    assert_string_equal(a.code, "E09000001");
    assert_string_equal(a.name, "City of London");
    assert_null(a.nhs_code);
    assert_true(el_refdata_area(R, EL_LSOA11, "E01012367", EL_AREA_LA, &a));
    assert_string_equal(a.code, "E06000006");
    assert_string_equal(a.name, "Halton");
    assert_true(el_refdata_area(R, EL_LSOA11, "E01012367", EL_AREA_ICB, &a));
    assert_string_equal(a.nhs_code, "QYG");
    assert_false(el_refdata_area(R, EL_LSOA11, "E01999999", EL_AREA_ICB, &a));
}

static void test_population(void **st)
{
    (void)st;
    int64_t age6[6], eth5[5], tot;
    assert_true(el_refdata_pop21(R, "E01000001", age6, eth5, &tot));
    int64_t want_age[6] = {125, 110, 291, 336, 245, 370};
    for (int i = 0; i < 6; i++) assert_int_equal(age6[i], want_age[i]);
    assert_int_equal(eth5[0], 1181);  /* White */
    assert_int_equal(eth5[1], 56);    /* Mixed */
    assert_int_equal(eth5[2], 158);   /* Asian */
    assert_int_equal(eth5[3], 11);    /* Black */
    assert_int_equal(eth5[4], 68);    /* Other */
    assert_int_equal(tot, 1474);
    int64_t a5[EL_POP_AGE5Y];
    assert_true(el_refdata_pop20(R, "E01011949", a5));
    int64_t s = 0;
    for (int i = 0; i < EL_POP_AGE5Y; i++) s += a5[i];
    assert_int_equal(s, 1944);
    assert_int_equal(a5[0], 20 + 32 + 22 + 17 + 27);
    assert_string_equal(el_pop_age6_label(5), "65+");
    assert_string_equal(el_pop_eth5_label(2), "Asian");
    assert_string_equal(el_pop_age5y_label(0), "00-04");
    assert_null(el_pop_age5y_label(19));
    assert_int_equal(el_pop_age6_index(15), 0);
    assert_int_equal(el_pop_age6_index(16), 1);
    assert_int_equal(el_pop_age6_index(65), 5);
    assert_int_equal(el_pop_age6_index(-1), -1);
}

static void test_catchment(void **st)
{
    (void)st;
    el_catchment c;
    el_error e;
    const char *l[] = {"E01000001", "E01000001", "E01999999"};
    assert_int_equal(el_refdata_catchment(R, -1, l, 3, &c, &e), EL_OK);
    assert_int_equal(c.lsoas, 1);
    assert_int_equal(c.not_found, 1);
    assert_int_equal(c.total_age, 1477);
    assert_int_equal(c.total_eth, 1474);
    /* City of London LA (E09000001) contains E01000001; its total equals the sum of its LSOAs */
    const char *la[] = {"E09000001"};
    assert_int_equal(el_refdata_catchment(R, EL_AREA_LA, la, 1, &c, &e), EL_OK);
    assert_true(c.lsoas >= 6);
    int64_t s = 0;
    for (int i = 0; i < 6; i++) s += c.age6[i];
    assert_int_equal(s, c.total_age);
    /* every ICB together = England */
    el_catchment all;
    const char *icbs[64];
    size_t n = 0;
    FILE *f = fopen("data/lookups/lsoa21_sicbl24_icb24_en.csv", "r");
    if (!f) { skip(); return; }
    char line[1024];
    assert_non_null(fgets(line, sizeof line, f));
    static char store[128][16];
    while (fgets(line, sizeof line, f) && n < 64) {
        /* lsoa21_code,sicbl24_code,sicbl24_code_nhs,sicbl24_name,icb24_code: names may hold commas
         * only when quoted; ICB24 code is the first E54 code on the line */
        char *p = strstr(line, ",E54");
        assert_non_null(p);
        char code[16]; memcpy(code, p + 1, 9); code[9] = '\0';
        int dup = 0;
        for (size_t i = 0; i < n; i++) dup |= !strcmp(icbs[i], code);
        if (dup) continue;
        strcpy(store[n], code); icbs[n] = store[n]; n++;
    }
    fclose(f);
    assert_int_equal(n, 42);
    assert_int_equal(el_refdata_catchment(R, EL_AREA_ICB, icbs, n, &all, &e), EL_OK);
    assert_int_equal(all.lsoas, 33755);
    assert_int_equal(all.total_age, 56489608);   /* England, Census 2021 (data/README.md) */
    const char *q[] = {"QMF"};
    assert_int_equal(el_refdata_catchment(R, EL_AREA_ICB, q, 1, &c, &e), EL_OK);
    assert_true(c.lsoas > 1000);
    assert_int_equal(c.not_found, 0);
}

static void test_codes_and_errors(void **st)
{
    (void)st;
    assert_true(el_lsoa_code_valid("E01000001"));
    assert_true(el_lsoa_code_valid("W01000001"));
    assert_false(el_lsoa_code_valid("E02000001"));
    assert_false(el_lsoa_code_valid("E0100001"));
    assert_false(el_lsoa_code_valid("E010000011"));
    assert_false(el_lsoa_code_valid(""));
    assert_false(el_lsoa_code_valid(NULL));
    el_refdata *r = NULL;
    el_error e = {0};
    assert_int_not_equal(el_refdata_load("/nonexistent-dir", EL_REF_IMD2019, &r, &e), EL_OK);
    assert_null(r);
    assert_non_null(strstr(e.msg, "nonexistent") ? e.msg : e.file);
    /* loading only some parts */
    assert_int_equal(el_refdata_load(NULL, EL_REF_IMD2025, &r, &e), EL_OK);
    el_imd m;
    assert_false(el_refdata_imd(r, 2019, "E01000001", &m));
    assert_true(el_refdata_imd(r, 2025, "E01000001", &m));
    el_catchment c;
    assert_int_equal(el_refdata_catchment(r, -1, NULL, 0, &c, &e), EL_ERR_INVALID);
    el_refdata_free(r);
    el_refdata_free(NULL);
}

static void test_bad_files(void **st)
{
    (void)st;
    char dir[] = "/tmp/elrefXXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/imd", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/imd/iod2025_imd_lsoa21.csv", dir);
    FILE *f = fopen(p, "w");
    fputs("lsoa21_code,IMD_decile,IMD_rank,IMD_score\nE01000001,8,26525,8.742\nE01000002,11,5,1\n", f);
    fclose(f);
    el_refdata *r = NULL;
    el_error e = {0};
    assert_int_equal(el_refdata_load(dir, EL_REF_IMD2025, &r, &e), EL_ERR_PARSE);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 2);
    f = fopen(p, "w");
    fputs("lsoa21_code,IMD_rank,IMD_score\nE01000001,26525,8.742\n", f);
    fclose(f);
    assert_int_equal(el_refdata_load(dir, EL_REF_IMD2025, &r, &e), EL_ERR_PARSE);
    assert_non_null(strstr(e.msg, "IMD_decile"));
    f = fopen(p, "w");
    fputs("lsoa21_code,IMD_decile,IMD_rank,IMD_score\nE01000001,8,26525,8.742\nE01000001,8,26525,8.742\n", f);
    fclose(f);
    assert_int_equal(el_refdata_load(dir, EL_REF_IMD2025, &r, &e), EL_ERR_PARSE);
    assert_non_null(strstr(e.msg, "duplicate"));
    remove(p);
    snprintf(p, sizeof p, "%s/imd", dir);
    rmdir(p);
    rmdir(dir);
}

static void test_default_dir(void **st)
{
    (void)st;
    char buf[4096];
    el_error e;
    char *old = getenv("EQUITYLENS_DATA") ? strdup(getenv("EQUITYLENS_DATA")) : NULL;
    setenv("EQUITYLENS_DATA", "/nonexistent-el-data", 1);
    assert_int_equal(el_refdata_default_dir(buf, sizeof buf, &e), EL_OK);
    assert_string_equal(buf, "/nonexistent-el-data");
    el_refdata *r = NULL;
    assert_int_not_equal(el_refdata_load(NULL, EL_REF_IMD2019, &r, &e), EL_OK);
    assert_null(r);
    assert_non_null(strstr(e.msg, "/nonexistent-el-data") ? e.msg : e.file);
    unsetenv("EQUITYLENS_DATA");
    /* without the variable: beside the program, or ./data (tests run from the repository root) */
    assert_int_equal(el_refdata_default_dir(buf, sizeof buf, &e), EL_OK);
    assert_non_null(strstr(buf, "data"));
    if (old) { setenv("EQUITYLENS_DATA", old, 1); free(old); }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_imd),
        cmocka_unit_test(test_deciles_balanced),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_areas),
        cmocka_unit_test(test_population),
        cmocka_unit_test(test_catchment),
        cmocka_unit_test(test_codes_and_errors),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_default_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
