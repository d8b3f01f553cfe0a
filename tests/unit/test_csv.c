/* test_csv.c — unit tests for the streaming CSV reader and parse helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/csv.h"
#include "equitylens/parse.h"

static el_csv *mem(const char *s) { return el_csv_open_mem(s, strlen(s), "t.csv", NULL); }

static void test_quoting_bom_crlf(void **st)
{
    (void)st;
    el_error e;
    el_csv *c = mem("\xEF\xBB\xBFid,name\r\n1,\"Smith, \"\"Jo\"\"\"\r\n2,\"two\nlines\"\r\n3,last");
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_string_equal(el_csv_field(c, 0), "id");
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_string_equal(el_csv_field(c, 1), "Smith, \"Jo\"");
    assert_int_equal(el_csv_line(c), 2);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_string_equal(el_csv_field(c, 1), "two\nlines");
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_int_equal(el_csv_line(c), 5);   /* quoted newline advanced the line count */
    assert_string_equal(el_csv_field(c, 1), "last");
    assert_int_equal(el_csv_next(c, &e), EL_CSV_EOF);
    assert_int_equal(el_csv_records(c), 4);
    el_csv_close(c);
}

static void test_bad_records_are_reported_not_lost(void **st)
{
    (void)st;
    el_error e;
    el_csv *c = mem("a,b\n\"x\"y,1\nok,\xC3\x28\n1,2\n\"open,3\n");
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_BAD);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "closing quote"));
    assert_int_equal(el_csv_next(c, &e), EL_CSV_BAD);
    assert_int_equal(e.column, 2);
    assert_non_null(strstr(e.msg, "UTF-8"));
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_BAD);
    assert_non_null(strstr(e.msg, "unterminated"));
    assert_int_equal(el_csv_next(c, &e), EL_CSV_EOF);
    assert_int_equal(el_csv_records(c), 5);
    el_csv_close(c);
}

static void test_oversized_record(void **st)
{
    (void)st;
    el_csv_opts o; el_csv_opts_default(&o); o.max_record = 16;
    const char *s = "a\n\"0123456789012345678901234567890\"\nb\n";
    el_csv *c = el_csv_open_mem(s, strlen(s), "t", &o);
    el_error e;
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_BAD);
    assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
    assert_string_equal(el_csv_field(c, 0), "b");
    el_csv_close(c);
}

static void test_parse_numbers_and_dates(void **st)
{
    (void)st;
    int64_t v; double d; int32_t days; char buf[11];
    assert_int_equal(el_parse_i64("29,199", 1, &v), 0); assert_int_equal(v, 29199);
    assert_int_equal(el_parse_i64("1,234,567", 1, &v), 0); assert_int_equal(v, 1234567);
    assert_int_equal(el_parse_i64("29,19", 1, &v), -1);
    assert_int_equal(el_parse_i64("29,199", 0, &v), -1);
    assert_int_equal(el_parse_i64(" 42 ", 0, &v), 0); assert_int_equal(v, 42);
    assert_int_equal(el_parse_double("54.0", 0, &d), 0); assert_true(d == 54.0);
    assert_int_equal(el_parse_double("NA", 0, &d), -1);
    assert_int_equal(el_parse_double("", 0, &d), -1);
    assert_int_equal(el_parse_date("2004-03-31", "YYYY-MM-DD", &days), 0);
    el_format_date(days, buf); assert_string_equal(buf, "2004-03-31");
    assert_int_equal(el_parse_date("31/03/2004", "DD/MM/YYYY", &days), 0);
    el_format_date(days, buf); assert_string_equal(buf, "2004-03-31");
    assert_int_equal(el_parse_date("2023-02-29", "YYYY-MM-DD", &days), -1);
    assert_int_equal(el_parse_date("2024-02-29", "YYYY-MM-DD", &days), 0);
    assert_int_equal(el_parse_date("1970-01-01", NULL, &days), 0); assert_int_equal(days, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_bom_crlf),
        cmocka_unit_test(test_bad_records_are_reported_not_lost),
        cmocka_unit_test(test_oversized_record),
        cmocka_unit_test(test_parse_numbers_and_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
