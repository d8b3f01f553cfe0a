/* test_csv_hostile.c — regression tests (owner: qa) for hostile input to the
 * CSV reader and parse helpers: a directory given as the input file, a read
 * error in the middle of a stream (must stay an error, not become a clean
 * end of file), and number spellings strtod accepts but an extract never
 * means (hexadecimal). */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directory_is_refused_at_open),
        cmocka_unit_test(test_read_error_is_fatal_not_eof),
        cmocka_unit_test(test_hex_and_special_numbers_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
