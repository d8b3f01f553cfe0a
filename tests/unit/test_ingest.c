/* test_ingest.c — unit tests for CSV → mapping → dataset, on good and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "equitylens/ingest.h"
#include "equitylens/parse.h"
#include "equitylens/pseudonym.h"

static const unsigned char KEY[32] = {7, 7, 7};

typedef struct {
    el_status st;
    el_dataset *d;
    el_ingest_stats s;
    el_error e;
    char *rej;
    size_t rejlen;
} result;

static void run_map(result *r, const char *csv, size_t len, el_mapping *m, const unsigned char *key)
{
    memset(r, 0, sizeof *r);
    FILE *rf = open_memstream(&r->rej, &r->rejlen);
    el_ingest_opts o = {0};
    o.mapping = m;
    o.key = key;
    o.rejects = rf;
    o.max_record = 1u << 16;
    r->st = el_ingest_mem(csv, len, "x.csv", &o, &r->d, &r->s, &r->e);
    fclose(rf);
    if (r->st == EL_OK) assert_int_equal(r->s.rows_read, r->s.rows_accepted + r->s.rows_rejected);
}

static void run(result *r, const char *csv)
{
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    run_map(r, csv, strlen(csv), m, KEY);
    el_mapping_free(m);
}

static void done(result *r)
{
    el_dataset_free(r->d);
    free(r->rej);
}

#define HDR "appointment_id,patient_id,appointment_date,attended_or_did_not_attend,ethnic_category,age\n"

static void test_good_rows(void **st)
{
    (void)st;
    result r;
    run(&r, "\xEF\xBB\xBF" HDR "A1,P1,2024-01-02,5,A,54\r\nA2,P2,2024-01-03,3,,\r\n\"A3\",\"P,1\",2024-02-29,9,Q,0");
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_read, 3);
    assert_int_equal(r.s.rows_accepted, 3);
    assert_int_equal(el_dataset_rows(r.d), 3);
    assert_int_equal(el_dataset_get(r.d, 0, EL_F_APPOINTMENT_DATE), el_days_from_civil(2024, 1, 2));
    assert_int_equal(el_dataset_get(r.d, 0, EL_F_AGE), 54);
    assert_int_equal(el_dataset_get(r.d, 1, EL_F_AGE), EL_NA);
    assert_int_equal(el_dataset_get(r.d, 1, EL_F_ETHNIC_CATEGORY), EL_NA);
    /* an invalid national code is kept as text for the quality report */
    assert_string_equal(el_dataset_str(r.d, EL_F_ETHNIC_CATEGORY, el_dataset_get(r.d, 2, EL_F_ETHNIC_CATEGORY)), "Q");
    assert_string_equal(el_dataset_str(r.d, EL_F_PATIENT_ID, el_dataset_get(r.d, 2, EL_F_PATIENT_ID)), "P,1");
    assert_true(el_dataset_has(r.d, EL_F_AGE));
    assert_false(el_dataset_has(r.d, EL_F_LSOA11));
    assert_true(r.s.missing_optional[EL_F_LSOA11]);   /* mapped, not in the file */
    assert_int_equal(strlen(r.s.sha256), 64);
    /* rejects file has just its header */
    assert_non_null(strstr(r.rej, "line,column,field,reason,appointment_id"));
    done(&r);
}

static void test_rejections(void **st)
{
    (void)st;
    result r;
    run(&r, HDR
        "A1,P1,2024-01-02,5,A,54\n"          /* 2 ok */
        "A2,P2,2024-01-02,5,A\n"             /* 3 ragged */
        "A3,,2024-01-02,5,A,1\n"             /* 4 required blank */
        "A4,P4,02/01/2024,5,A,1\n"           /* 5 wrong date format */
        "A5,P5,2024-02-30,5,A,1\n"           /* 6 impossible date */
        "A6,P6,2024-01-02,5,A,54.5\n"        /* 7 not a whole number */
        "A7,P7,2024-01-02,5,A,131\n"         /* 8 age out of range */
        "A8,P8,2024-01-02,5,\xE9,1\n"        /* 9 Latin-1, not UTF-8 */
        "A9,P9,2024-01-02,5,A,1,extra\n"     /* 10 ragged */
        "\n"                                 /* 11 blank line = ragged */
        "A10,\"P\"x,2024-01-02,5,A,1\n"      /* 12 text after quote */
        "A11,P11,2024-01-02,5,A,1\n");       /* 13 ok */
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_read, 12);
    assert_int_equal(r.s.rows_accepted, 2);
    assert_int_equal(r.s.rows_rejected, 10);
    assert_int_equal(el_dataset_rows(r.d), 2);
    assert_int_equal(r.s.nfirst, 10);
    assert_int_equal(r.s.first[0].line, 3);
    assert_non_null(strstr(r.s.first[0].reason, "5 fields; the header has 6"));
    assert_int_equal(r.s.first[1].line, 4);
    assert_int_equal(r.s.first[1].column, 2);
    assert_string_equal(r.s.first[1].field, "patient_id");
    assert_non_null(strstr(r.s.first[1].reason, "blank"));
    assert_int_equal(r.s.first[2].column, 3);
    assert_non_null(strstr(r.s.first[2].reason, "not a date in format YYYY-MM-DD"));
    assert_non_null(strstr(r.s.first[3].reason, "2024-02-30"));
    assert_non_null(strstr(r.s.first[4].reason, "whole number"));
    assert_non_null(strstr(r.s.first[5].reason, "outside"));
    assert_int_equal(r.s.first[6].line, 9);
    assert_non_null(strstr(r.s.first[6].reason, "UTF-8"));
    assert_int_equal(r.s.rejected_by_field[EL_F_PATIENT_ID], 1);
    assert_int_equal(r.s.rejected_by_field[EL_F_AGE], 2);
    /* dictionary holds only accepted rows' values */
    assert_int_equal(el_dataset_dict_size(r.d, EL_F_PATIENT_ID), 2);
    /* rejects CSV: header + 10 rows, each with line and reason */
    size_t lines = 0;
    for (size_t i = 0; i < r.rejlen; i++) lines += r.rej[i] == '\n';
    assert_true(lines >= 11);
    assert_non_null(strstr(r.rej, "\n4,2,patient_id,required field patient_id is blank,A3,,2024-01-02,5,A,1\n"));
    assert_non_null(strstr(r.rej, "\n12,"));
    done(&r);
}

static void test_truncated(void **st)
{
    (void)st;
    result r;
    /* cut inside a quoted field: the extract is incomplete, so nothing is imported */
    run(&r, HDR "A1,P1,2024-01-02,5,A,54\nA2,\"P2,2024-01-0");
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_null(r.d);
    assert_int_equal(r.e.line, 3);
    assert_non_null(strstr(r.e.msg, "truncated"));
    done(&r);
    /* cut mid-row, no final line end */
    run(&r, HDR "A1,P1,2024-01-02,5,A,54\nA2,P2,2024-01-0");
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_non_null(strstr(r.e.msg, "truncated"));
    done(&r);
    /* a short last row that does end with a line end is an ordinary rejection */
    run(&r, HDR "A1,P1,2024-01-02,5,A,54\nA2,P2,2024-01-0\n");
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_rejected, 1);
    done(&r);
    /* a complete last row without a final line end is fine */
    run(&r, HDR "A1,P1,2024-01-02,5,A,54");
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_accepted, 1);
    done(&r);
}

static void test_header_errors(void **st)
{
    (void)st;
    result r;
    run(&r, "appointment_id,patient_id,attended_or_did_not_attend\nA1,P1,5\n");
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_null(r.d);
    assert_string_equal(r.e.field, "appointment_date");
    assert_non_null(strstr(r.e.msg, "not in the header"));
    assert_int_equal(r.s.rows_read, 0);      /* no row was read */
    done(&r);
    run(&r, "");
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_non_null(strstr(r.e.msg, "empty"));
    done(&r);
    run(&r, "appointment_id,patient_id,appointment_date,attended_or_did_not_attend,patient_id\n");
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_non_null(strstr(r.e.msg, "more than once"));
    done(&r);
    run(&r, "\"appointment_id,patient_id\n");
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_non_null(strstr(r.e.msg, "header"));
    done(&r);
    /* header only: zero rows, fine */
    run(&r, "APPOINTMENT_ID, patient_id ,appointment_date,attended_or_did_not_attend\n");
    assert_int_equal(r.st, EL_OK);     /* names match case-insensitively and trimmed */
    assert_int_equal(r.s.rows_read, 0);
    done(&r);
    /* waiting list without census date: a clear error naming --census-date */
    el_mapping *m = el_mapping_canonical(EL_KIND_WAITING_LIST);
    const char *wl = "pathway_id,rtt_start_date\nW1,2024-01-01\n";
    run_map(&r, wl, strlen(wl), m, KEY);
    assert_int_equal(r.st, EL_ERR_PARSE);
    assert_non_null(strstr(r.e.msg, "census_date"));
    done(&r);
    el_error e;
    assert_int_equal(el_mapping_set_constant(m, EL_F_CENSUS_DATE, "2024-03-31", &e), EL_OK);
    run_map(&r, wl, strlen(wl), m, KEY);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(el_dataset_get(r.d, 0, EL_F_CENSUS_DATE), el_days_from_civil(2024, 3, 31));
    assert_true(el_dataset_has(r.d, EL_F_CENSUS_DATE));
    done(&r);
    el_mapping_free(m);
}

static void test_hostile_bytes(void **st)
{
    (void)st;
    result r;
    /* a single field far larger than max_record (64 KiB here; 1 MiB by default) */
    size_t big = 10u << 20;
    size_t hl = strlen(HDR);
    char *buf = malloc(hl + big + 64);
    memcpy(buf, HDR, hl);
    size_t n = hl;
    n += (size_t)sprintf(buf + n, "A1,");
    memset(buf + n, 'x', big);
    n += big;
    n += (size_t)sprintf(buf + n, ",2024-01-01,5,A,1\nA2,P2,2024-01-01,5,A,1\n");
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    run_map(&r, buf, n, m, KEY);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_read, 2);
    assert_int_equal(r.s.rows_rejected, 1);
    assert_int_equal(r.s.rows_accepted, 1);
    assert_non_null(strstr(r.s.first[0].reason, "longer than"));
    done(&r);
    /* binary junk after a good header: every record accounted for, no crash */
    n = hl;
    unsigned x = 12345;
    for (int i = 0; i < 100000; i++) { x = x * 1103515245u + 12345u; buf[n++] = (char)(x >> 16); }
    run_map(&r, buf, n, m, KEY);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_read, r.s.rows_accepted + r.s.rows_rejected);
    assert_true(r.s.rows_rejected > 0);
    done(&r);
    /* junk as the header: clear header error */
    run_map(&r, buf + hl, 5000, m, KEY);
    assert_int_not_equal(r.st, EL_OK);
    done(&r);
    free(buf);
    el_mapping_free(m);
}

static void test_nhs_numbers(void **st)
{
    (void)st;
    result r;
    const char *csv =
        "appointment_id,patient_id,appointment_date,attended_or_did_not_attend,nhs_number\n"
        "A1,P1,2024-01-02,5,9434765919\n"
        "A2,P2,2024-01-02,5,943 476 5919\n"    /* same number, spaced */
        "A3,P3,2024-01-02,5,4010232137\n"
        "A4,P4,2024-01-02,5,9434765918\n"      /* fails Modulus 11 */
        "A5,P5,2024-01-02,5,12345\n"           /* too short */
        "A6,P6,2024-01-02,5,\n"                /* blank: not counted as invalid */
        "A7,P7,2024-01-02,7x,9434765919,ragged\n";
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    run_map(&r, csv, strlen(csv), m, KEY);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_accepted, 6);
    assert_int_equal(r.s.nhs_hashed, 3);
    assert_int_equal(r.s.nhs_invalid, 2);
    assert_true(el_dataset_has(r.d, EL_F_NHS_NUMBER_HASH));
    int32_t h0 = el_dataset_get(r.d, 0, EL_F_NHS_NUMBER_HASH);
    assert_int_equal(h0, el_dataset_get(r.d, 1, EL_F_NHS_NUMBER_HASH));
    assert_int_not_equal(h0, el_dataset_get(r.d, 2, EL_F_NHS_NUMBER_HASH));
    for (int i = 3; i < 6; i++) assert_int_equal(el_dataset_get(r.d, (size_t)i, EL_F_NHS_NUMBER_HASH), EL_NA);
    const char *hex = el_dataset_str(r.d, EL_F_NHS_NUMBER_HASH, h0);
    assert_int_equal(strlen(hex), 64);
    char expect[EL_PSEUDONYM_HEX];
    el_nhs_number_hash(KEY, "9434765919", expect);
    assert_string_equal(hex, expect);
    /* the number is nowhere in the dataset and the rejects file shows [removed] */
    for (int f = 0; f < EL_F__COUNT; f++)
        for (size_t k = 0; k < el_dataset_dict_size(r.d, (el_field)f); k++)
            assert_null(strstr(el_dataset_str(r.d, (el_field)f, (int32_t)k), "9434765919"));
    assert_null(strstr(r.rej, "9434765919"));
    assert_non_null(strstr(r.rej, "[removed]"));
    done(&r);
    /* a different key gives a different hash */
    unsigned char k2[32] = {8};
    char other[EL_PSEUDONYM_HEX];
    el_nhs_number_hash(k2, "9434765919", other);
    assert_string_not_equal(other, expect);
    /* NHS numbers without a key: refused before any row is read */
    run_map(&r, csv, strlen(csv), m, NULL);
    assert_int_equal(r.st, EL_ERR_INVALID);
    assert_non_null(strstr(r.e.msg, "key"));
    done(&r);
    el_mapping_free(m);
    char d[11];
    assert_true(el_nhs_number_valid("401-023-2137", d));
    assert_string_equal(d, "4010232137");
    assert_false(el_nhs_number_valid("40102321370", d));
    assert_false(el_nhs_number_valid("401023213a", d));
}

static void test_blank_invalid_and_codes(void **st)
{
    (void)st;
    el_error e;
    const char *map =
        "kind = appointments\ninvalid = blank\n[columns]\nappointment_id = id\npatient_id = pid\n"
        "appointment_date = date\nattended_or_did_not_attend = outcome\nage = age\nautism = autism\n"
        "referral_request_received_date = ref\n"
        "[dates]\nappointment_date = DD/MM/YYYY\nreferral_request_received_date = DD/MM/YYYY\n"
        "[codes.attended_or_did_not_attend]\nAttended = 5\nDid not attend = 3\n"
        "[codes.autism]\nyes = Y\nno = N\n";
    el_mapping *m = el_mapping_parse(map, strlen(map), "t.map", &e);
    assert_non_null(m);
    const char *csv = "id,pid,date,outcome,age,autism,ref\n"
                      "1,P1,02/01/2024,Attended,x,yes,31/12/2023\n"   /* bad optional age → blanked */
                      "2,P2,2024-01-02,Attended,1,no,\n"              /* bad required date → rejected */
                      "3,P3,03/01/2024,Did not attend,2,maybe,bad\n"; /* bad flag + bad optional date → blanked */
    result r;
    run_map(&r, csv, strlen(csv), m, KEY);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_accepted, 2);
    assert_int_equal(r.s.rows_rejected, 1);
    assert_int_equal(r.s.blanked[EL_F_AGE], 1);
    assert_int_equal(r.s.blanked[EL_F_AUTISM], 1);
    assert_int_equal(r.s.blanked[EL_F_REFERRAL_REQUEST_RECEIVED_DATE], 1);
    assert_int_equal(el_dataset_get(r.d, 0, EL_F_AUTISM), 1);
    assert_int_equal(el_dataset_get(r.d, 1, EL_F_AUTISM), EL_NA);
    assert_int_equal(el_dataset_get(r.d, 0, EL_F_REFERRAL_REQUEST_RECEIVED_DATE), el_days_from_civil(2023, 12, 31));
    assert_string_equal(el_dataset_str(r.d, EL_F_ATTENDED_OR_DID_NOT_ATTEND,
                                       el_dataset_get(r.d, 1, EL_F_ATTENDED_OR_DID_NOT_ATTEND)), "3");
    done(&r);
    el_mapping_free(m);
    /* a pipe-separated extract */
    const char *pm = "kind = appointments\ndelimiter = pipe\n[columns]\nappointment_id = id\npatient_id = pid\n"
                     "appointment_date = d\nattended_or_did_not_attend = a\n";
    m = el_mapping_parse(pm, strlen(pm), "p.map", &e);
    assert_non_null(m);
    const char *pc = "id|pid|d|a\n1|P,1|2024-01-02|5\n";
    run_map(&r, pc, strlen(pc), m, KEY);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_accepted, 1);
    assert_string_equal(el_dataset_str(r.d, EL_F_PATIENT_ID, 0), "P,1");
    done(&r);
    el_mapping_free(m);
}

/* CSV injection: cells echoed into the rejects file never start a formula. */
static void test_rejects_defused(void **st)
{
    (void)st;
    result r;
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    const char *csv = "appointment_id,patient_id,appointment_date,attended_or_did_not_attend,age,=note\n"
                      "=HYPERLINK(\"http://x\"),+P1,bad,5,-5,@SUM(A1)\n"
                      "-A2,P2,2024-01-02,5,-1,\"\tx\"\n"
                      "A3,P3,2024-01-02,5,1,+44\n";
    run_map(&r, csv, strlen(csv), m, KEY);
    el_mapping_free(m);
    assert_int_equal(r.st, EL_OK);
    assert_int_equal(r.s.rows_rejected, 2);
    assert_non_null(r.rej);
    const char *want =
        "line,column,field,reason,appointment_id,patient_id,appointment_date,attended_or_did_not_attend,age,'=note\n"
        "2,3,appointment_date,'bad' is not a date in format YYYY-MM-DD,\"'=HYPERLINK(\"\"http://x\"\")\",'+P1,bad,5,-5,'@SUM(A1)\n"
        "3,5,age,age -1 is outside 0-130,'-A2,P2,2024-01-02,5,-1,'\tx\n";
    assert_string_equal(r.rej, want);
    /* the stored values are not altered */
    assert_int_equal(r.s.rows_accepted, 1);
    assert_string_equal(el_dataset_str(r.d, EL_F_APPOINTMENT_ID, el_dataset_get(r.d, 0, EL_F_APPOINTMENT_ID)), "A3");
    done(&r);
}

static void test_key_file(void **st)
{
    (void)st;
    char dir[] = "/tmp/el_key_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], sub[128];
    snprintf(path, sizeof path, "%s/k.key", dir);
    unsigned char k1[32], k2[32];
    int created = 0;
    el_error e;
    assert_int_equal(el_pseudonym_key_load(path, 0, k1, &created, &e), EL_ERR_IO);   /* no create */
    assert_int_equal(el_pseudonym_key_load(path, 1, k1, &created, &e), EL_OK);
    assert_true(created);
    assert_int_equal(el_pseudonym_key_load(path, 1, k2, &created, &e), EL_OK);
    assert_false(created);
    assert_memory_equal(k1, k2, 32);
    FILE *f = fopen(path, "w");
    fputs("not hex\n", f);
    fclose(f);
    assert_int_equal(el_pseudonym_key_load(path, 1, k2, NULL, &e), EL_ERR_PARSE);
    f = fopen(path, "w");
    fputs("zz00000000000000000000000000000000000000000000000000000000000000\n", f);
    fclose(f);
    assert_int_equal(el_pseudonym_key_load(path, 1, k2, NULL, &e), EL_ERR_PARSE);
    chmod(path, 0640);
    assert_int_equal(el_pseudonym_key_load(path, 1, k2, NULL, &e), EL_ERR_PERM);
    unlink(path);
    snprintf(sub, sizeof sub, "%s/a/b/k.key", dir);   /* an explicit path: no directories are created */
    assert_int_equal(el_pseudonym_key_load(sub, 1, k2, &created, &e), EL_ERR_IO);
    snprintf(sub, sizeof sub, "%s/a", dir);
    assert_int_equal(access(sub, F_OK), -1);
    /* the default location (~/.config/equitylens/) gets its directories, mode 0700 */
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *old_kf = getenv("EQUITYLENS_KEY_FILE") ? strdup(getenv("EQUITYLENS_KEY_FILE")) : NULL;
    setenv("HOME", dir, 1);
    unsetenv("EQUITYLENS_KEY_FILE");
    assert_int_equal(el_pseudonym_key_load(NULL, 1, k2, &created, &e), EL_OK);
    assert_true(created);
    snprintf(sub, sizeof sub, "%s/.config/equitylens", dir);
    struct stat sb;
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    if (old_home) setenv("HOME", old_home, 1); else unsetenv("HOME");
    if (old_kf) setenv("EQUITYLENS_KEY_FILE", old_kf, 1);
    free(old_home);
    free(old_kf);
    snprintf(sub, sizeof sub, "%s/.config/equitylens/pseudonym.key", dir); unlink(sub);
    snprintf(sub, sizeof sub, "%s/.config/equitylens", dir); rmdir(sub);
    snprintf(sub, sizeof sub, "%s/.config", dir); rmdir(sub);
    rmdir(dir);
    /* fingerprints: deterministic, differ between keys, not the key */
    char f1[EL_PSEUDONYM_HEX], f2[EL_PSEUDONYM_HEX], f3[EL_PSEUDONYM_HEX], hex[EL_PSEUDONYM_HEX];
    memset(k1, 7, sizeof k1);
    memset(k2, 7, sizeof k2);
    k2[31] = 8;
    el_pseudonym_key_fingerprint(k1, f1);
    el_pseudonym_key_fingerprint(k1, f2);
    el_pseudonym_key_fingerprint(k2, f3);
    assert_int_equal(strlen(f1), 64);
    assert_string_equal(f1, f2);
    assert_string_not_equal(f1, f3);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", k1[i]);
    assert_string_not_equal(f1, hex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_rows),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_nhs_numbers),
        cmocka_unit_test(test_blank_invalid_and_codes),
        cmocka_unit_test(test_key_file),
        cmocka_unit_test(test_rejects_defused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
