/* test_csv_hostile.c — regression tests (owner: qa) for hostile input to the
 * CSV reader and parse helpers: a directory given as the input file, a read
 * error in the middle of a stream (must stay an error, not become a clean
 * end of file), number spellings strtod accepts but an extract never
 * means (hexadecimal), and dates whose time of day is not a time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/csv.h"
#include "equitylens/parse.h"

static void test_directory_is_refused_at_open(void **st)
{
    (void)st;
    el_error e;
    el_error_clear(&e);
    el_csv *c = el_csv_open("/", NULL, &e);
    assert_null(c);
    assert_int_equal(e.status, EL_ERR_IO);
    assert_string_equal(e.file, "/");
    assert_non_null(strstr(e.msg, "directory"));
}

static void test_read_error_is_fatal_not_eof(void **st)
{
    (void)st;
    /* a stream on a directory: every read fails with EISDIR */
    FILE *f = fopen("/", "rb");
    assert_non_null(f);
    el_csv *c = el_csv_open_stream(f, "dir", NULL);
    assert_non_null(c);
    el_error e;
    el_error_clear(&e);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_FATAL);
    assert_int_equal(e.status, EL_ERR_IO);
    assert_non_null(strstr(e.msg, "read error"));
    assert_non_null(strstr(e.msg, "directory"));
    /* and it stays an error: a second call must not report a clean end */
    assert_int_equal(el_csv_next(c, &e), EL_CSV_FATAL);
    el_csv_close(c);
    fclose(f);
}

static void test_hex_and_special_numbers_rejected(void **st)
{
    (void)st;
    double d = -1;
    assert_int_equal(el_parse_double("0x1A", 0, &d), -1);
    assert_int_equal(el_parse_double("-0X10", 0, &d), -1);
    assert_int_equal(el_parse_double("+0x1p3", 0, &d), -1);
    assert_int_equal(el_parse_double("inf", 0, &d), -1);
    assert_int_equal(el_parse_double("-inf", 0, &d), -1);
    assert_int_equal(el_parse_double("-nan", 0, &d), -1);
    assert_int_equal(el_parse_double("1e309", 0, &d), -1);
    assert_true(d == -1);
    /* ordinary spellings still parse */
    assert_int_equal(el_parse_double("0.5", 0, &d), 0);
    assert_true(d == 0.5);
    assert_int_equal(el_parse_double("0", 0, &d), 0);
    assert_true(d == 0);
    assert_int_equal(el_parse_double("-0.25e1", 0, &d), 0);
    assert_true(d == -2.5);
    assert_int_equal(el_parse_double("1e-320", 0, &d), 0);   /* subnormal underflow is a number */
    int64_t i = 7;
    assert_int_equal(el_parse_i64("0x10", 0, &i), -1);
    assert_int_equal(el_parse_i64("99999999999999999999", 0, &i), -1);
    assert_true(i == 7);
}

static void test_date_time_suffix_must_be_a_time(void **st)
{
    (void)st;
    int32_t d, want;
    assert_int_equal(el_parse_date("2024-01-02", "YYYY-MM-DD", &want), 0);
    static const char *const ok[] = {
        "2024-01-02 00:00", "2024-01-02T13:45:59", "2024-01-02 13:45:59.123456",
        "2024-01-02T13:45:59Z", "2024-01-02T13:45:59+01:00", "2024-01-02T13:45-0500",
        "2024-01-02 24:00", "2024-01-02   ", "  2024-01-02 08:00:00  "};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        d = 0;
        assert_int_equal(el_parse_date(ok[i], "YYYY-MM-DD", &d), 0);
        assert_int_equal(d, want);
    }
    static const char *const bad[] = {
        "2024-01-02 25:00", "2024-01-02 12:60", "2024-01-02T12:30 garbage", "2024-01-02 12:30xyz",
        "2024-01-02T12:30:61", "2024-01-02T12:30:5", "2024-01-02T12:30:00.", "2024-01-02T12:30+1",
        "2024-01-02T", "2024-01-02 x", "2024-01-02 12:30:00Z!", "2024-01-02T12:30+15:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (el_parse_date(bad[i], "YYYY-MM-DD", &d) == 0) fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(el_parse_date("02/01/2024 08:15", "DD/MM/YYYY", &d), 0);
    assert_int_equal(d, want);
    assert_int_equal(el_parse_date("02/01/2024 08:15 pm", "DD/MM/YYYY", &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directory_is_refused_at_open),
        cmocka_unit_test(test_read_error_is_fatal_not_eof),
        cmocka_unit_test(test_hex_and_special_numbers_rejected),
        cmocka_unit_test(test_date_time_suffix_must_be_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
