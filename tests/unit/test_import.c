/* test_import.c — unit tests for the streaming import (owner: import):
 * the stored dataset does not depend on the chunk size (1 row, 7 rows or one
 * chunk all load byte-identical to the in-memory ingest + enrich of the whole
 * file, the pre-streaming behaviour); each chunk holds at most chunk_rows rows
 * and only its own dictionary entries (memory bounded per chunk); an
 * interruption, a store failure or the rejects guard mid-way through the
 * chunks leaves the store unchanged; the identical-file check works both
 * before streaming and at commit; versions stored in the layout before
 * streaming (schema version 1) still load. */
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
#include "equitylens/import.h"

#define NROWS 3000

static el_refdata *R;
static char csvpath[64], dbpath[64];

static void rm_db(const char *p)
{
    char q[80];
    unlink(p);
    snprintf(q, sizeof q, "%s-wal", p); unlink(q);
    snprintf(q, sizeof q, "%s-shm", p); unlink(q);
}

static int setup(void **st)
{
    (void)st;
    el_error e;
    if (el_refdata_load(NULL, EL_REF_ENRICH, &R, &e) != EL_OK) { fprintf(stderr, "refdata: %s\n", e.msg); return -1; }
    snprintf(csvpath, sizeof csvpath, "/tmp/el_test_import_%d.csv", (int)getpid());
    snprintf(dbpath, sizeof dbpath, "/tmp/el_test_import_%d.db", (int)getpid());
    FILE *f = fopen(csvpath, "w");
    if (!f) return -1;
    static const char *const eth[] = {"A", "B", "Z", "99", "", "H", "M", "S", "X1", "R"};
    static const char *const lsoa[] = {"E01000001", "E01000002", "E01033768", "W01000001", "E0100000", "",
                                       "E01999999", "E01000005", "E01032740"};
    static const char *const att[] = {"5", "3", "2", "6", "7"};
    fputs("appointment_id,patient_id,appointment_date,attended_or_did_not_attend,provider_code,"
          "ethnic_category,age,lsoa11\n", f);
    for (int i = 0; i < NROWS; i++) {
        /* every 97th row has an impossible date: rejected, never stored */
        fprintf(f, "A%d,P%d,2024-%s-%02d,%s,RX%d,%s,%d,%s\n", i, (i * 7919) % 613, i % 97 == 5 ? "13" : "02",
                1 + i % 28, att[i % 5], i % 7, eth[(i / 3) % 10], i % 103, lsoa[(i * 31) % 9]);
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    el_refdata_free(R);
    unlink(csvpath);
    rm_db(dbpath);
    return 0;
}

typedef struct { int chunks, cancel_after; volatile sig_atomic_t *cancel; } chunk_ctl;

static void on_chunk_done(uint64_t rows_stored, void *ud)
{
    (void)rows_stored;
    chunk_ctl *c = ud;
    if (++c->chunks == c->cancel_after) *c->cancel = 1;
}

static el_status import(el_store *s, size_t chunk_rows, double max_rej, chunk_ctl *ctl, el_import_result *r,
                        el_error *e)
{
    el_import_opts o;
    el_import_opts_default(&o);
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    o.mapping = m;
    o.store = s;
    o.refdata = R;
    o.chunk_rows = chunk_rows;
    o.max_rejected_pct = max_rej;
    o.force = 1;
    if (ctl) { o.cancel = ctl->cancel; o.chunk_done = on_chunk_done; o.chunk_ud = ctl; o.force = 0; }
    el_status st = el_import_file(csvpath, &o, r, e);
    el_mapping_free(m);
    return st;
}

/* Byte-for-byte: rows, flags, every column's values and every dictionary. */
static void assert_same_dataset(const el_dataset *a, const el_dataset *b)
{
    assert_int_equal(el_dataset_kind(a), el_dataset_kind(b));
    assert_int_equal(el_dataset_rows(a), el_dataset_rows(b));
    size_t n = el_dataset_rows(a);
    for (int f = 0; f < EL_F__COUNT; f++) {
        el_field fl = (el_field)f;
        assert_int_equal(el_dataset_has(a, fl), el_dataset_has(b, fl));
        assert_int_equal(el_dataset_dict_size(a, fl), el_dataset_dict_size(b, fl));
        for (size_t k = 0; k < el_dataset_dict_size(a, fl); k++)
            assert_string_equal(el_dataset_str(a, fl, (int32_t)k), el_dataset_str(b, fl, (int32_t)k));
        assert_memory_equal(el_dataset_col(a, fl), el_dataset_col(b, fl), n * sizeof(int32_t));
    }
}

static size_t count_rows(el_store *s, const char *sql)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(el_store_native(s), sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    size_t n = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

static void test_chunk_size_does_not_change_the_data(void **st)
{
    (void)st;
    el_error e;
    rm_db(dbpath);
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    /* the pre-streaming result: the whole file ingested, then enriched, in memory */
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    el_ingest_opts io = {0};
    io.mapping = m;
    el_ingest_stats ist;
    el_dataset *whole = NULL;
    assert_int_equal(el_ingest_file(csvpath, &io, &whole, &ist, &e), EL_OK);
    el_enrich_stats est;
    assert_int_equal(el_enrich_dataset(whole, R, NULL, &est, &e), EL_OK);
    assert_true(ist.rows_rejected > 0);
    el_mapping_free(m);

    static const size_t sizes[] = {0, 1, 7, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        el_import_result *r = calloc(1, sizeof *r);
        assert_non_null(r);
        assert_int_equal(import(s, sizes[k], 100, NULL, r, &e), EL_OK);
        assert_int_equal(r->ingest.rows_read, NROWS);
        assert_int_equal(r->ingest.rows_accepted, ist.rows_accepted);
        assert_int_equal(r->ingest.rows_rejected, ist.rows_rejected);
        assert_string_equal(r->ingest.sha256, ist.sha256);
        /* enrichment counts summed over the chunks = one pass over all rows */
        assert_int_equal(r->enrich.rows, est.rows);
        assert_int_equal(r->enrich.imd_edition, est.imd_edition);
        assert_int_equal(r->enrich.imd_matched, est.imd_matched);
        assert_int_equal(r->enrich.area_matched, est.area_matched);
        assert_int_equal(r->enrich.lsoa_blank, est.lsoa_blank);
        assert_int_equal(r->enrich.lsoa_malformed, est.lsoa_malformed);
        assert_int_equal(r->enrich.lsoa_not_found, est.lsoa_not_found);
        assert_int_equal(r->enrich.lsoa_outside_england, est.lsoa_outside_england);
        assert_int_equal(r->enrich.ethnic_not_stated, est.ethnic_not_stated);
        assert_int_equal(r->enrich.ethnic_not_known, est.ethnic_not_known);
        assert_int_equal(r->enrich.ethnic_invalid, est.ethnic_invalid);
        assert_int_equal(r->enrich.age_from_age, est.age_from_age);
        assert_int_equal(r->enrich.n_examples, est.n_examples);
        for (size_t i = 0; i < est.n_examples; i++) assert_string_equal(r->enrich.examples[i], est.examples[i]);
        el_dataset *back = NULL;
        el_dataset_meta meta;
        assert_int_equal(el_store_load(s, r->meta.id, &back, &meta, &e), EL_OK);
        assert_int_equal(meta.rows_accepted, ist.rows_accepted);
        assert_string_equal(meta.sha256, ist.sha256);
        assert_same_dataset(whole, back);
        el_dataset_free(back);
        free(r);
    }
    /* 1-row chunks really were written as one segment per row */
    assert_true(count_rows(s, "SELECT count(*) FROM dataset_segments WHERE dataset_id = 2 AND field = 'appointment_id'") ==
                ist.rows_accepted);
    el_dataset_free(whole);
    el_store_close(s);
}

typedef struct { size_t chunk_rows, chunks, rows, max_dict; } bound_check;

static el_status check_chunk(el_dataset **chunkp, const el_ingest_stats *so_far, void *ud, el_error *err)
{
    (void)err;
    bound_check *b = ud;
    el_dataset *chunk = *chunkp;
    size_t n = el_dataset_rows(chunk);
    assert_true(n <= b->chunk_rows);
    /* a chunk holds only its own rows' identifiers: nothing accumulates */
    size_t nd = el_dataset_dict_size(chunk, EL_F_APPOINTMENT_ID);
    assert_true(nd == n);
    if (nd > b->max_dict) b->max_dict = nd;
    b->rows += n;
    b->chunks++;
    assert_int_equal(so_far->rows_accepted, b->rows);
    return EL_OK;
}

static void test_memory_bounded_per_chunk(void **st)
{
    (void)st;
    el_error e;
    el_mapping *m = el_mapping_canonical(EL_KIND_APPOINTMENTS);
    el_ingest_opts io = {0};
    io.mapping = m;
    el_ingest_stats ist;
    bound_check b = {250, 0, 0, 0};
    assert_int_equal(el_ingest_file_chunked(csvpath, &io, b.chunk_rows, check_chunk, &b, &ist, &e), EL_OK);
    assert_int_equal(b.rows, ist.rows_accepted);
    assert_int_equal(b.chunks, (ist.rows_accepted + 249) / 250);
    assert_int_equal(b.max_dict, 250);
    /* no accepted rows at all: still one (empty) chunk carrying the column flags */
    static const char hdr[] = "appointment_id,patient_id,appointment_date,attended_or_did_not_attend\n";
    bound_check b0 = {250, 0, 0, 0};
    assert_int_equal(el_ingest_mem_chunked(hdr, sizeof hdr - 1, "h.csv", &io, 250, check_chunk, &b0, &ist, &e), EL_OK);
    assert_int_equal(b0.chunks, 1);
    assert_int_equal(b0.rows, 0);
    el_mapping_free(m);
}

static void test_interrupted_or_failed_mid_way_leaves_store_unchanged(void **st)
{
    (void)st;
    el_error e;
    rm_db(dbpath);
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    el_import_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_int_equal(import(s, 0, 100, NULL, r, &e), EL_OK);   /* one version already there */
    const char *all = "SELECT (SELECT count(*) FROM datasets) * 1000000 + (SELECT count(*) FROM dataset_segments)"
                      " * 10 + (SELECT count(*) FROM dataset_fields)";
    size_t before = count_rows(s, all);
    /* SIGINT after the third chunk of 100 rows was appended */
    volatile sig_atomic_t cancel = 0;
    chunk_ctl ctl = {0, 3, &cancel};
    assert_int_equal(el_store_find_hash(s, r->ingest.sha256, NULL, &e), EL_OK);
    /* (a re-import of the same file is refused before streaming) */
    assert_int_equal(import(s, 100, 100, &ctl, r, &e), EL_ERR_EXISTS);
    assert_int_equal(ctl.chunks, 0);
    assert_int_equal(r->meta.id, 1);
    sqlite3_exec(el_store_native(s), "UPDATE datasets SET sha256 = 'other', content_hash = 'other' WHERE id = 1", NULL, NULL, NULL);
    before = count_rows(s, all);
    assert_int_not_equal(import(s, 100, 100, &ctl, r, &e), EL_OK);
    assert_non_null(strstr(e.msg, "interrupted"));
    assert_int_equal(ctl.chunks, 3);
    assert_int_equal(count_rows(s, all), before);
    /* a store failure at the fifth chunk */
    cancel = 0;
    ctl.chunks = 0;
    ctl.cancel_after = -1;
    assert_int_equal(sqlite3_exec(el_store_native(s), "CREATE TEMP TRIGGER boom BEFORE INSERT ON dataset_segments "
                                  "WHEN NEW.segment = 4 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(import(s, 100, 100, &ctl, r, &e), EL_ERR_DB);
    assert_non_null(strstr(e.msg, "disk on fire"));
    assert_int_equal(ctl.chunks, 4);
    assert_int_equal(count_rows(s, all), before);
    assert_int_equal(sqlite3_exec(el_store_native(s), "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    /* the rejects guard fails only after every chunk was appended: rolled back */
    ctl.chunks = 0;
    assert_int_equal(import(s, 100, 0.5, &ctl, r, &e), EL_ERR_INVALID);
    assert_int_equal(r->too_many_rejects, 1);
    assert_true(ctl.chunks > 20);
    assert_int_equal(count_rows(s, all), before);
    /* and afterwards the same import goes through */
    ctl.chunks = 0;
    assert_int_equal(import(s, 100, 100, &ctl, r, &e), EL_OK);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM datasets"), 2);
    free(r);
    el_store_close(s);
}

static void test_duplicate_checked_at_commit(void **st)
{
    (void)st;
    el_error e;
    rm_db(dbpath);
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    el_dataset *d = el_dataset_new(EL_KIND_APPOINTMENTS);
    size_t r0 = el_dataset_add_rows(d, 2);
    assert_int_equal(el_dataset_set_str(d, r0, EL_F_APPOINTMENT_ID, "a"), EL_OK);
    assert_int_equal(el_dataset_set_str(d, r0 + 1, EL_F_APPOINTMENT_ID, "b"), EL_OK);
    el_dataset_meta m;
    memset(&m, 0, sizeof m);
    m.kind = EL_KIND_APPOINTMENTS;
    m.census_date = EL_NA;
    snprintf(m.sha256, sizeof m.sha256, "abc");
    for (int round = 0; round < 2; round++) {
        el_store_writer *w;
        assert_int_equal(el_store_begin(s, EL_KIND_APPOINTMENTS, &w, &e), EL_OK);
        assert_int_equal(el_store_append(w, d, NULL, &e), EL_OK);
        assert_int_equal(el_store_append(w, d, NULL, &e), EL_OK);
        el_status want = round == 0 ? EL_OK : EL_ERR_EXISTS;
        assert_int_equal(el_store_commit(w, &m, 0, NULL, &e), want);
        assert_int_equal(m.id, 1);
    }
    assert_int_equal(count_rows(s, "SELECT count(*) FROM datasets"), 1);
    el_dataset *back;
    assert_int_equal(el_store_load(s, 1, &back, NULL, &e), EL_OK);
    assert_int_equal(el_dataset_rows(back), 4);
    assert_int_equal(el_dataset_dict_size(back, EL_F_APPOINTMENT_ID), 2);   /* merged, not repeated */
    assert_string_equal(el_dataset_str(back, EL_F_APPOINTMENT_ID, el_dataset_get(back, 3, EL_F_APPOINTMENT_ID)), "b");
    el_dataset_free(back);
    /* abort leaves nothing */
    el_store_writer *w;
    assert_int_equal(el_store_begin(s, EL_KIND_APPOINTMENTS, &w, &e), EL_OK);
    assert_int_equal(el_store_append(w, d, NULL, &e), EL_OK);
    el_store_abort(w);
    el_store_abort(NULL);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM datasets"), 1);
    el_dataset_free(d);
    el_store_close(s);
}

/* A version written by the pre-streaming store (dataset_chunks + one global
 * dictionary per field) loads as before. */
static void test_layout1_still_loads(void **st)
{
    (void)st;
    el_error e;
    rm_db(dbpath);
    el_store *s = el_store_open(dbpath, &e);
    assert_non_null(s);
    sqlite3 *db = el_store_native(s);
    assert_int_equal(sqlite3_exec(db,
        "INSERT INTO datasets(id, source, kind, rows_read, rows_accepted, rows_rejected, bytes, sha256, imported_at,"
        " mapping, nrows) VALUES(7, 'old.csv', 'appointments', 3, 3, 0, 10, 'h', '2026-01-01T00:00:00Z', 'm', 3);"
        "INSERT INTO dataset_fields VALUES(7, 'appointment_id', 1), (7, 'age', 1), (7, 'pathway_id', 1);",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO dataset_chunks VALUES(7, ?, 0, 3, ?)", -1, &q, NULL), SQLITE_OK);
    const int32_t ids[3] = {1, 0, 1}, ages[3] = {40, EL_NA, 7};
    sqlite3_bind_text(q, 1, "appointment_id", -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 2, ids, sizeof ids, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, "age", -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 2, ages, sizeof ages, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO dataset_dicts VALUES(7, 'appointment_id', 0, 2, ?)", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(q, 1, "x\0y\0", 4, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    el_dataset *d;
    assert_int_equal(el_store_load(s, 7, &d, NULL, &e), EL_OK);
    assert_int_equal(el_dataset_rows(d), 3);
    assert_string_equal(el_dataset_str(d, EL_F_APPOINTMENT_ID, el_dataset_get(d, 0, EL_F_APPOINTMENT_ID)), "y");
    assert_string_equal(el_dataset_str(d, EL_F_APPOINTMENT_ID, el_dataset_get(d, 1, EL_F_APPOINTMENT_ID)), "x");
    assert_int_equal(el_dataset_get(d, 0, EL_F_AGE), 40);
    assert_int_equal(el_dataset_get(d, 1, EL_F_AGE), EL_NA);
    assert_true(el_dataset_has(d, EL_F_PATHWAY_ID));
    assert_int_equal(el_dataset_get(d, 2, EL_F_PATHWAY_ID), EL_NA);
    el_dataset_free(d);
    /* a schema-1 file (no dataset_segments table) opened read-only, which
     * cannot add the table: still lists and loads */
    assert_int_equal(sqlite3_exec(db, "DROP TABLE dataset_segments; UPDATE el_meta SET value = '1' WHERE key = 'schema_version'",
                                  NULL, NULL, NULL), SQLITE_OK);
    el_store_close(s);
    s = el_store_open_readonly(dbpath, &e);
    assert_non_null(s);
    el_dataset_meta *all = NULL;
    size_t n = 0;
    assert_int_equal(el_store_list(s, &all, &n, &e), EL_OK);
    assert_int_equal(n, 1);
    free(all);
    assert_int_equal(el_store_load(s, 7, &d, NULL, &e), EL_OK);
    assert_int_equal(el_dataset_get(d, 0, EL_F_AGE), 40);
    el_dataset_free(d);
    el_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_size_does_not_change_the_data),
        cmocka_unit_test(test_memory_bounded_per_chunk),
        cmocka_unit_test(test_interrupted_or_failed_mid_way_leaves_store_unchanged),
        cmocka_unit_test(test_duplicate_checked_at_commit),
        cmocka_unit_test(test_layout1_still_loads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
