/* test_store.c — unit tests for the SQLite store: round trip, versions,
 * duplicate detection, atomicity (failure or cancellation mid-save). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include <cmocka.h>
#include "equitylens/store.h"

static char dbpath[64];

static int setup(void **st)
{
    (void)st;
    snprintf(dbpath, sizeof dbpath, "/tmp/el_test_store_%d.db", (int)getpid());
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char p[80];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath); unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath); unlink(p);
    return 0;
}

static el_dataset *make(size_t rows)
{
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    char buf[32];
    for (size_t i = 0; i < rows; i++) {
        size_t r = el_dataset_add_row(d);
        snprintf(buf, sizeof buf, "P%zu", i % 777);
        el_dataset_set_str(d, r, EL_F_PATIENT_ID, buf);
        if (i % 5) el_dataset_set(d, r, EL_F_AGE, (int32_t)(i % 90));
        el_dataset_set(d, r, EL_F_APPOINTMENT_DATE, 19000 + (int32_t)(i % 365));
        el_dataset_set_str(d, r, EL_F_ATTENDED_OR_DID_NOT_ATTEND, i % 10 ? "5" : "3");
    }
    el_dataset_set_has(d, EL_F_PATIENT_ID, 1);
    el_dataset_set_has(d, EL_F_AGE, 1);
    el_dataset_set_has(d, EL_F_APPOINTMENT_DATE, 1);
    el_dataset_set_has(d, EL_F_ATTENDED_OR_DID_NOT_ATTEND, 1);
    el_dataset_set_has(d, EL_F_LSOA11, 1);   /* present in the file, all blank */
    return d;
}

static void meta_for(el_dataset_meta *m, const char *sha, size_t rows)
{
    memset(m, 0, sizeof *m);
    snprintf(m->source, sizeof m->source, "extract.csv");
    m->kind = EL_KIND_APPOINTMENTS;
    m->rows_read = rows + 2;
    m->rows_accepted = rows;
    m->rows_rejected = 2;
    m->bytes = 1234;
    snprintf(m->sha256, sizeof m->sha256, "%s", sha);
    snprintf(m->mapping, sizeof m->mapping, "canonical-appointments");
    m->imd_edition = 2019;
    m->census_date = EL_NA;
}

static size_t count_datasets(el_store *s)
{
    el_dataset_meta *all;
    size_t n;
    assert_int_equal(el_store_list(s, &all, &n, NULL), EL_OK);
    free(all);
    return n;
}

static void test_round_trip_and_versions(void **st)
{
    (void)st;
    el_error e;
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    assert_string_equal(el_store_backend(s), "sqlite");
    assert_int_equal(count_datasets(s), 0);
    el_dataset *d = make(5000);
    el_dataset_meta m;
    meta_for(&m, "aaaa", 5000);
    assert_int_equal(el_store_save(s, &m, d, 0, NULL, &e), EL_OK);
    assert_true(m.id > 0);
    assert_int_equal(strlen(m.imported_at), 20);
    el_dataset *back = NULL;
    el_dataset_meta bm;
    assert_int_equal(el_store_load(s, m.id, &back, &bm, &e), EL_OK);
    assert_int_equal(el_dataset_rows(back), 5000);
    assert_int_equal(bm.rows_read, 5002);
    assert_int_equal(bm.rows_rejected, 2);
    assert_int_equal(bm.imd_edition, 2019);
    assert_int_equal(bm.census_date, EL_NA);
    assert_string_equal(bm.source, "extract.csv");
    assert_string_equal(bm.mapping, "canonical-appointments");
    for (int f = 0; f < EL_F__COUNT; f++) assert_int_equal(el_dataset_has(back, (el_field)f), el_dataset_has(d, (el_field)f));
    for (size_t i = 0; i < 5000; i += 7) {
        assert_int_equal(el_dataset_get(back, i, EL_F_AGE), el_dataset_get(d, i, EL_F_AGE));
        assert_int_equal(el_dataset_get(back, i, EL_F_APPOINTMENT_DATE), el_dataset_get(d, i, EL_F_APPOINTMENT_DATE));
        assert_string_equal(el_dataset_str(back, EL_F_PATIENT_ID, el_dataset_get(back, i, EL_F_PATIENT_ID)),
                            el_dataset_str(d, EL_F_PATIENT_ID, el_dataset_get(d, i, EL_F_PATIENT_ID)));
        assert_int_equal(el_dataset_get(back, i, EL_F_LSOA11), EL_NA);
    }
    assert_int_equal(el_dataset_dict_size(back, EL_F_PATIENT_ID), 777);
    el_dataset_free(back);
    /* duplicate content hash → EL_ERR_EXISTS with the old id, nothing added */
    el_dataset_meta m2;
    meta_for(&m2, "aaaa", 5000);
    assert_int_equal(el_store_save(s, &m2, d, 0, NULL, &e), EL_ERR_EXISTS);
    assert_int_equal(m2.id, m.id);
    assert_non_null(strstr(e.msg, "--force"));
    assert_int_equal(count_datasets(s), 1);
    el_dataset_meta found;
    assert_int_equal(el_store_find_hash(s, "aaaa", &found, &e), EL_OK);
    assert_int_equal(found.id, m.id);
    assert_int_equal(el_store_find_hash(s, "bbbb", &found, &e), EL_ERR_NOTFOUND);
    /* --force: a second version */
    meta_for(&m2, "aaaa", 5000);
    m2.census_date = 19812;
    assert_int_equal(el_store_save(s, &m2, d, 1, NULL, &e), EL_OK);
    assert_true(m2.id > m.id);
    assert_int_equal(count_datasets(s), 2);
    int64_t latest;
    assert_int_equal(el_store_latest(s, EL_KIND_APPOINTMENTS, &latest, &e), EL_OK);
    assert_int_equal(latest, m2.id);
    assert_int_equal(el_store_latest(s, EL_KIND_WAITING_LIST, &latest, &e), EL_ERR_NOTFOUND);
    assert_int_equal(el_store_get_meta(s, m2.id, &bm, &e), EL_OK);
    assert_int_equal(bm.census_date, 19812);
    assert_int_equal(el_store_load(s, 999, &back, NULL, &e), EL_ERR_NOTFOUND);
    assert_null(back);
    /* an empty dataset round-trips too */
    el_dataset *empty = el_dataset_new(EL_KIND_APPOINTMENTS);
    meta_for(&m2, "cccc", 0);
    assert_int_equal(el_store_save(s, &m2, empty, 0, NULL, &e), EL_OK);
    assert_int_equal(el_store_load(s, m2.id, &back, NULL, &e), EL_OK);
    assert_int_equal(el_dataset_rows(back), 0);
    el_dataset_free(back);
    el_dataset_free(empty);
    el_dataset_free(d);
    el_store_close(s);
    el_store_close(NULL);
    /* reopen: still there */
    s = el_store_open(dbpath, &e);
    assert_int_equal(count_datasets(s), 3);
    el_store_close(s);
}

static void test_atomic_on_failure_and_cancel(void **st)
{
    (void)st;
    el_error e;
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    size_t before = count_datasets(s);
    el_dataset *d = make(3000);
    el_dataset_meta m;
    /* make the store fail half-way: after the dataset row and the first
     * columns are written, the patient_id segment insert aborts */
    sqlite3 *db = el_store_native(s);
    assert_int_equal(sqlite3_exec(db, "CREATE TEMP TRIGGER boom BEFORE INSERT ON dataset_segments "
                                      "WHEN NEW.field = 'patient_id' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
                                  NULL, NULL, NULL), SQLITE_OK);
    meta_for(&m, "dddd", 3000);
    assert_int_equal(el_store_save(s, &m, d, 0, NULL, &e), EL_ERR_DB);
    assert_non_null(strstr(e.msg, "disk on fire"));
    assert_int_equal(count_datasets(s), before);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM dataset_segments WHERE dataset_id NOT IN (SELECT id FROM datasets))"
                           " + (SELECT count(*) FROM dataset_fields WHERE dataset_id NOT IN (SELECT id FROM datasets))", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);   /* no orphan rows left behind */
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    /* cancellation (SIGINT) → rolled back */
    volatile sig_atomic_t cancel = 1;
    meta_for(&m, "eeee", 3000);
    assert_int_not_equal(el_store_save(s, &m, d, 0, &cancel, &e), EL_OK);
    assert_non_null(strstr(e.msg, "interrupted"));
    assert_int_equal(count_datasets(s), before);
    assert_int_equal(el_store_find_hash(s, "eeee", NULL, &e), EL_ERR_NOTFOUND);
    /* the store still works afterwards */
    cancel = 0;
    assert_int_equal(el_store_save(s, &m, d, 0, &cancel, &e), EL_OK);
    assert_int_equal(count_datasets(s), before + 1);
    el_dataset_free(d);
    el_store_close(s);
    /* bad locations */
    assert_null(el_store_open("/nonexistent-dir/x/y.db", &e));
    assert_int_equal(e.status, EL_ERR_DB);
    assert_null(el_store_open("postgresql://localhost/x", &e));
}

static int count_tables(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Readers never create a store nor add tables to a foreign SQLite file. */
static void test_readonly_open(void **state)
{
    (void)state;
    el_error e;
    el_error_clear(&e);
    char missing[96], foreign[96], p[128];
    snprintf(missing, sizeof missing, "%s.typo", dbpath);
    snprintf(foreign, sizeof foreign, "%s.other", dbpath);
    unlink(missing);
    unlink(foreign);
    assert_false(el_store_exists(missing));
    assert_null(el_store_open_readonly(missing, &e));
    assert_int_equal(e.status, EL_ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "no store at"));
    assert_int_equal(access(missing, F_OK), -1);
    /* another application's database */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(el_store_open_readonly(foreign, &e));
    assert_int_equal(e.status, EL_ERR_INVALID);
    assert_non_null(strstr(e.msg, "not an equitylens store"));
    assert_int_equal(count_tables(foreign), 1);
    unlink(foreign);
    /* a real store: readable, settings readable, writes refused, no side files left */
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    assert_int_equal(el_store_set_value(s, "k", "v1", &e), EL_OK);
    el_store_close(s);
    int tables = count_tables(dbpath);
    s = el_store_open_readonly(dbpath, &e);
    assert_non_null(s);
    char buf[16];
    assert_int_equal(el_store_get_value(s, "k", buf, sizeof buf, &e), EL_OK);
    assert_string_equal(buf, "v1");
    assert_int_equal(el_store_get_value(s, "nope", buf, sizeof buf, &e), EL_ERR_NOTFOUND);
    assert_int_not_equal(el_store_set_value(s, "k", "v2", &e), EL_OK);
    el_dataset_meta *all = NULL;
    size_t n = 99;
    assert_int_equal(el_store_list(s, &all, &n, &e), EL_OK);
    free(all);
    el_store_close(s);
    assert_int_equal(count_tables(dbpath), tables);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    assert_int_equal(access(p, F_OK), -1);
    /* discard removes the file and its side files */
    assert_true(el_store_exists(dbpath));
    assert_true(el_store_exists("postgresql://h/x"));
    snprintf(p, sizeof p, "sqlite:%s", missing);
    s = el_store_open(p, &e);
    assert_non_null(s);
    el_store_close(s);
    assert_true(el_store_exists(p));
    el_store_discard(p);
    assert_false(el_store_exists(missing));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_versions),
        cmocka_unit_test(test_atomic_on_failure_and_cancel),
        cmocka_unit_test(test_readonly_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
