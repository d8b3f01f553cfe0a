/* test_dnajob.c — unit tests for the fast DNA job (src/io/dnajob.c):
 * LSOA table, groups, counting rules, and that file reading in small chunks
 * (rows and quoted fields across chunk boundaries, buffer growth for a long
 * row, several threads, the sequential fallback) gives exactly the answer of
 * a single pass over memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "equitylens/dnajob.h"

static el_lsoa_imd *table(void)
{
    static const char *const codes[] = {"E01000001", "E01000002", "E01033768", "W01001958", "QQ1234567"};
    static const int dec[] = {1, 4, 10, 6, 9};
    el_lsoa_imd *t = NULL;
    assert_int_equal(el_lsoa_imd_from_arrays(codes, dec, 5, &t, NULL), EL_OK);
    return t;
}

static void test_lsoa_table(void **st)
{
    (void)st;
    el_lsoa_imd *t = table();
    assert_int_equal(el_lsoa_imd_size(t), 5);
    assert_int_equal(el_lsoa_imd_decile(t, "E01000001", 9), 1);
    assert_int_equal(el_lsoa_imd_decile(t, "E01033768", 9), 10);
    assert_int_equal(el_lsoa_imd_decile(t, "W01001958", 9), 6);
    assert_int_equal(el_lsoa_imd_decile(t, "QQ1234567", 9), 9);
    assert_int_equal(el_lsoa_imd_decile(t, "E01000003", 9), 0);
    assert_int_equal(el_lsoa_imd_decile(t, "E01999999", 9), 0);
    assert_int_equal(el_lsoa_imd_decile(t, "e01000001", 9), 0);
    assert_int_equal(el_lsoa_imd_decile(t, "E0100000", 8), 0);
    assert_int_equal(el_lsoa_imd_decile(t, "QQ1234568", 9), 0);
    el_lsoa_imd_free(t);
    /* conflicting duplicate */
    static const char *const dup[] = {"E01000001", "E01000001"};
    static const int dd[] = {1, 2};
    el_error e;
    assert_int_equal(el_lsoa_imd_from_arrays(dup, dd, 2, &t, &e), EL_ERR_INVALID);
    assert_null(t);
    el_lsoa_imd_free(NULL);
}

static void test_groups(void **st)
{
    (void)st;
    assert_int_equal(el_eth_group_of("A", 1), EL_ETH_WHITE);
    assert_int_equal(el_eth_group_of("C", 1), EL_ETH_WHITE);
    assert_int_equal(el_eth_group_of("G", 1), EL_ETH_MIXED);
    assert_int_equal(el_eth_group_of("L", 1), EL_ETH_ASIAN);
    assert_int_equal(el_eth_group_of("P", 1), EL_ETH_BLACK);
    assert_int_equal(el_eth_group_of("R", 1), EL_ETH_OTHER);
    assert_int_equal(el_eth_group_of("S", 1), EL_ETH_OTHER);
    assert_int_equal(el_eth_group_of("Z", 1), EL_ETH_NOT_STATED);
    assert_int_equal(el_eth_group_of("99", 2), EL_ETH_NOT_KNOWN);
    assert_int_equal(el_eth_group_of("", 0), EL_ETH_NOT_KNOWN);
    assert_int_equal(el_eth_group_of("I", 1), EL_ETH_INVALID);
    assert_int_equal(el_eth_group_of("a", 1), EL_ETH_INVALID);
    assert_int_equal(el_eth_group_of("9", 1), EL_ETH_INVALID);
    assert_string_equal(el_eth_group_id(EL_ETH_NOT_STATED), "not_stated");
    assert_string_equal(el_dnajob_quintile_id(EL_DNAJOB_Q_UNKNOWN), "unknown");
}

static void test_counting_rules(void **st)
{
    (void)st;
    el_lsoa_imd *t = table();
    const char *s =
        "\xEF\xBB\xBF" "id,\"attended_or_did_not_attend\",ethnic_category,lsoa11\r\n"
        "1,3,A,E01000001\r\n"        /* DNA, q1 white */
        "2,5,A,E01000002\n"          /* attended, decile 4 -> q2 */
        "3,\" 7 \",\"M\",E01033768\n" /* DNA, q5 black (quoted, spaces) */
        "4,6,Z,\n"                   /* attended, unknown (missing) */
        "5,5,99,E01000003\n"         /* attended, unknown (unmatched) */
        "6,2,A,E01000001\n"          /* excluded */
        "7,0,A,E01000001\n"          /* excluded */
        "8,1,A,E01000001\n"          /* rejected: code */
        "9,,A,E01000001\n"           /* rejected: empty code */
        "10,3,A\n"                   /* rejected: fields */
        "\n"                         /* blank */
        "11,\"3\",\"x,y\",E01000001\n" /* DNA, q1, quoted comma: one field, invalid group */
        "12,3,\"A\"B,E01000001\n"    /* rejected: malformed quoting */
        "13,7,X,W01001958";          /* DNA, decile 6 -> q3, invalid group, no final newline */
    el_dnajob_opts o;
    el_dnajob_opts_default(&o);
    el_dnajob_result *r = malloc(sizeof *r);
    assert_non_null(r);
    el_error e;
    assert_int_equal(el_dnajob_run_mem(s, strlen(s), "t.csv", t, &o, r, &e), EL_OK);
    assert_int_equal(r->rows_read, 13);
    assert_int_equal(r->rows_counted, 7);
    assert_int_equal(r->rows_excluded, 2);
    assert_int_equal(r->rows_rejected, 4);
    assert_int_equal(r->blank_lines, 1);
    assert_int_equal(r->rejected_by_reason[EL_DNAJOB_REJ_CODE], 2);
    assert_int_equal(r->rejected_by_reason[EL_DNAJOB_REJ_FIELDS], 1);
    assert_int_equal(r->rejected_by_reason[EL_DNAJOB_REJ_QUOTE], 1);
    assert_int_equal(r->excluded_by_code[2], 1);
    assert_int_equal(r->excluded_by_code[0], 1);
    assert_int_equal(r->dna[0][EL_ETH_WHITE], 1);
    assert_int_equal(r->appointments[0][EL_ETH_WHITE], 1);
    assert_int_equal(r->appointments[1][EL_ETH_WHITE], 1);
    assert_int_equal(r->dna[4][EL_ETH_BLACK], 1);
    assert_int_equal(r->appointments[EL_DNAJOB_Q_UNKNOWN][EL_ETH_NOT_STATED], 1);
    assert_int_equal(r->appointments[EL_DNAJOB_Q_UNKNOWN][EL_ETH_NOT_KNOWN], 1);
    assert_int_equal(r->dna[0][EL_ETH_INVALID], 1);      /* row 11 */
    assert_int_equal(r->dna[2][EL_ETH_INVALID], 1);      /* row 13 */
    assert_int_equal(r->lsoa_missing, 1);
    assert_int_equal(r->lsoa_unmatched, 1);
    /* first rejects with their physical lines */
    assert_int_equal(r->nsamples, 4);
    assert_int_equal(r->samples[0].line, 9);
    assert_int_equal(r->samples[2].line, 11);
    assert_int_equal(r->samples[2].reason, EL_DNAJOB_REJ_FIELDS);
    assert_int_equal(r->samples[3].line, 14);
    assert_int_equal(r->samples[3].reason, EL_DNAJOB_REJ_QUOTE);
    /* missing column */
    assert_int_equal(el_dnajob_run_mem("a,b\n1,2\n", 8, "t.csv", t, &o, r, &e), EL_ERR_PARSE);
    assert_non_null(strstr(e.msg, "attended_or_did_not_attend"));
    free(r);
    el_lsoa_imd_free(t);
}

/* A mixed buffer: many short rows, quoted multi-line fields, one row of
 * ~20 KB (longer than the 4 KiB chunks used below). */
static char *mixed(size_t *len)
{
    size_t cap = 1 << 21, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    n += (size_t)sprintf(b + n, "id,notes,attended_or_did_not_attend,ethnic_category,lsoa11\n");
    static const char *const att[] = {"5", "3", "7", "6", "2", "x"};
    static const char *const eth[] = {"A", "M", "Z", "99", "", "H", "q"};
    static const char *const ls[] = {"E01000001", "E01000002", "E01033768", "", "W01001958", "E01000009"};
    unsigned s = 12345;
    for (int i = 0; i < 6000; i++) {
        s = s * 1103515245u + 12345u;
        unsigned r = s >> 8;
        const char *notes = r % 11 == 0 ? "\"multi\nline, \"\"quoted\"\"\r\nnote\"" : r % 7 == 0 ? "\"a,b\"" : "n";
        if (i == 3000) {
            n += (size_t)sprintf(b + n, "%d,\"", i);
            for (int k = 0; k < 400; k++) n += (size_t)sprintf(b + n, "long line %d, with commas,,,\n", k);
            n += (size_t)sprintf(b + n, "\",3,A,E01000001\n");
            continue;
        }
        n += (size_t)sprintf(b + n, "%d,%s,%s,%s,%s%s", i, notes, att[r % 6], eth[(r / 6) % 7], ls[(r / 42) % 6],
                             r % 5 == 0 ? "\r\n" : "\n");
    }
    assert_true(n < cap);
    *len = n;
    return b;
}

static void same_result(const el_dnajob_result *a, const el_dnajob_result *b)
{
    assert_memory_equal(a->appointments, b->appointments, sizeof a->appointments);
    assert_memory_equal(a->dna, b->dna, sizeof a->dna);
    assert_int_equal(a->rows_read, b->rows_read);
    assert_int_equal(a->rows_counted, b->rows_counted);
    assert_int_equal(a->rows_excluded, b->rows_excluded);
    assert_int_equal(a->rows_rejected, b->rows_rejected);
    assert_int_equal(a->nsamples, b->nsamples);
    for (size_t k = 0; k < a->nsamples; k++) assert_int_equal(a->samples[k].line, b->samples[k].line);
}

static void test_chunks_threads_fallback(void **st)
{
    (void)st;
    el_lsoa_imd *t = table();
    size_t len;
    char *b = mixed(&len);
    char path[] = "/tmp/test_dnajob_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, len), (ssize_t)len);
    close(fd);
    el_dnajob_opts o;
    el_dnajob_opts_default(&o);
    o.threads = 1;
    el_dnajob_result *ref = malloc(sizeof *ref), *r = malloc(sizeof *r);
    assert_non_null(ref);
    assert_non_null(r);
    el_error e;
    assert_int_equal(el_dnajob_run_mem(b, len, "m", t, &o, ref, &e), EL_OK);
    assert_int_equal(ref->rows_read, 6000);
    assert_int_equal(ref->rows_read, ref->rows_counted + ref->rows_excluded + ref->rows_rejected);
    assert_true(ref->rows_counted > 3000);
    int saw_fallback = 0;
    for (int th = 1; th <= 5; th++) {
        o.threads = th;
        o.chunk_bytes = 4096;          /* rows and quotes across chunk ends; growth for the long row */
        o.min_range_bytes = 1;
        assert_int_equal(el_dnajob_run_file(path, t, &o, r, &e), EL_OK);
        same_result(ref, r);
        saw_fallback |= r->sequential_fallback;
        assert_int_equal(el_dnajob_run_mem(b, len, "m", t, &o, r, &e), EL_OK);
        same_result(ref, r);
        saw_fallback |= r->sequential_fallback;
    }
    (void)saw_fallback; /* depends on where splits land; exercised by the golden test */
    /* the strict scalar parser agrees with the fast path */
    o.threads = 1;
    o.scalar_only = 1;
    assert_int_equal(el_dnajob_run_mem(b, len, "m", t, &o, r, &e), EL_OK);
    same_result(ref, r);
    o.scalar_only = 0;
    /* a row longer than max_row_bytes is an error naming the place */
    o.threads = 1;
    o.chunk_bytes = 4096;
    o.max_row_bytes = 8192;
    assert_int_equal(el_dnajob_run_file(path, t, &o, r, &e), EL_ERR_PARSE);
    assert_non_null(strstr(e.msg, "longer than"));
    unlink(path);
    free(ref);
    free(r);
    free(b);
    el_lsoa_imd_free(t);
}

/* A header naming a column that the job reads twice is refused (as import
 * does), on the memory and the file path; a repeated unused column is fine. */
static void test_duplicate_column(void **st)
{
    (void)st;
    el_lsoa_imd *t = table();
    el_dnajob_opts o;
    el_dnajob_opts_default(&o);
    el_dnajob_result *r = malloc(sizeof *r);
    assert_non_null(r);
    el_error e;
    const char *dup = "id,attended_or_did_not_attend,ethnic_category,lsoa11,Ethnic_Category\n1,3,A,E01000001,M\n";
    assert_int_equal(el_dnajob_run_mem(dup, strlen(dup), "d.csv", t, &o, r, &e), EL_ERR_PARSE);
    assert_string_equal(e.msg, "column 'ethnic_category' appears more than once in the header");
    assert_string_equal(e.file, "d.csv");
    assert_int_equal(e.line, 1);
    assert_int_equal(e.column, 5);
    char path[] = "/tmp/test_dnajob_dup_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, dup, strlen(dup)), (ssize_t)strlen(dup));
    close(fd);
    assert_int_equal(el_dnajob_run_file(path, t, &o, r, &e), EL_ERR_PARSE);
    assert_non_null(strstr(e.msg, "appears more than once"));
    unlink(path);
    const char *ok = "id,attended_or_did_not_attend,ethnic_category,lsoa11,id\n1,3,A,E01000001,1\n";
    assert_int_equal(el_dnajob_run_mem(ok, strlen(ok), "ok.csv", t, &o, r, &e), EL_OK);
    assert_int_equal(r->rows_counted, 1);
    free(r);
    el_lsoa_imd_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsoa_table),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_counting_rules),
        cmocka_unit_test(test_chunks_threads_fallback),
        cmocka_unit_test(test_duplicate_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
