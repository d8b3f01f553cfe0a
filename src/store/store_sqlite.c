/* store_sqlite.c — the embedded SQLite store (owner: import).
 *
 * Schema (version 1):
 *   datasets(id, source, kind, rows_read, rows_accepted, rows_rejected, bytes,
 *            sha256, imported_at, mapping, imd_edition, census_date, nrows,
 *            content_hash — added by ALTER TABLE on open; NULL for older versions)
 *   dataset_fields(dataset_id, field, has)            — which columns exist
 *   dataset_segments(dataset_id, field, segment, row0, nrows, nstrings, data, dict)
 *            — layout 2 (schema version 2, every save since): one row per
 *            field per appended chunk ("segment") holding rows row0 ..
 *            row0+nrows-1: data = int32 little-endian values, dict = that
 *            segment's own dictionary (nstrings NUL-terminated strings in
 *            index order); TEXT/CODE values index the segment's dictionary.
 *            Loading interns the segments' dictionaries in order, so the
 *            loaded dictionary is in global first-seen order.
 *   dataset_chunks / dataset_dicts — layout 1 (schema version 1): column
 *            blobs of 1,048,576 rows and one dictionary per field; still
 *            read, for versions stored before the streaming import.
 * Fields are stored by canonical name, so the enum order may change.
 * A save (el_store_save, or begin/append/commit) is one IMMEDIATE
 * transaction: all or nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "equitylens/parse.h"
#include "equitylens/store.h"

typedef struct {
    el_store base;
    sqlite3 *db;
    char path[1024];
} sq_store;

static el_status dberr(sq_store *s, el_error *err, const char *what)
{
    return el_error_at(err, EL_ERR_DB, s->path, 0, 0, NULL, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int exec(sq_store *s, const char *sql) { return sqlite3_exec(s->db, sql, NULL, NULL, NULL); }

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS el_meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT OR IGNORE INTO el_meta VALUES('schema_version','2');"
    "UPDATE el_meta SET value = '2' WHERE key = 'schema_version' AND value = '1';"
    "CREATE TABLE IF NOT EXISTS datasets("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, kind TEXT NOT NULL,"
    " rows_read INTEGER NOT NULL, rows_accepted INTEGER NOT NULL, rows_rejected INTEGER NOT NULL,"
    " bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, mapping TEXT,"
    " imd_edition INTEGER, census_date TEXT, nrows INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS datasets_sha256 ON datasets(sha256);"
    "CREATE TABLE IF NOT EXISTS dataset_fields(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " field TEXT NOT NULL, has INTEGER NOT NULL, PRIMARY KEY(dataset_id, field));"
    "CREATE TABLE IF NOT EXISTS dataset_chunks(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " field TEXT NOT NULL, chunk INTEGER NOT NULL, nrows INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(dataset_id, field, chunk));"
    "CREATE TABLE IF NOT EXISTS dataset_dicts(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " field TEXT NOT NULL, chunk INTEGER NOT NULL, nstrings INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(dataset_id, field, chunk));"
    "CREATE TABLE IF NOT EXISTS dataset_segments(dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    " field TEXT NOT NULL, segment INTEGER NOT NULL, row0 INTEGER NOT NULL, nrows INTEGER NOT NULL,"
    " nstrings INTEGER NOT NULL, data BLOB NOT NULL, dict BLOB NOT NULL, PRIMARY KEY(dataset_id, field, segment));";

static void sq_close(el_store *b)
{
    sq_store *s = (sq_store *)b;
    sqlite3_close(s->db);
    free(s);
}

static void *sq_native(el_store *b) { return ((sq_store *)b)->db; }

#define META_COLS "id, source, kind, rows_read, rows_accepted, rows_rejected, bytes, sha256, imported_at, " \
                  "mapping, imd_edition, census_date"

static void copy_text(char *dst, size_t cap, const unsigned char *t)
{
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void row_meta(sqlite3_stmt *st, el_dataset_meta *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    copy_text(m->source, sizeof m->source, sqlite3_column_text(st, 1));
    int k = el_kind_by_name((const char *)sqlite3_column_text(st, 2));
    m->kind = k < 0 ? EL_KIND_APPOINTMENTS : (el_kind)k;
    m->rows_read = (uint64_t)sqlite3_column_int64(st, 3);
    m->rows_accepted = (uint64_t)sqlite3_column_int64(st, 4);
    m->rows_rejected = (uint64_t)sqlite3_column_int64(st, 5);
    m->bytes = (uint64_t)sqlite3_column_int64(st, 6);
    copy_text(m->sha256, sizeof m->sha256, sqlite3_column_text(st, 7));
    copy_text(m->imported_at, sizeof m->imported_at, sqlite3_column_text(st, 8));
    copy_text(m->mapping, sizeof m->mapping, sqlite3_column_text(st, 9));
    m->imd_edition = sqlite3_column_int(st, 10);
    const unsigned char *cd = sqlite3_column_text(st, 11);
    if (!cd || el_parse_date((const char *)cd, "YYYY-MM-DD", &m->census_date)) m->census_date = EL_NA;
}

/* The oldest version whose column (a constant name: sha256, content_hash) is value. */
static el_status find_by(sq_store *s, const char *column, const char *value, el_dataset_meta *found, el_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " META_COLS " FROM datasets WHERE %s = ? ORDER BY id LIMIT 1", column);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return dberr(s, err, "find");
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    el_status r = EL_ERR_NOTFOUND;
    if (rc == SQLITE_ROW) { if (found) row_meta(st, found); r = EL_OK; }
    else if (rc != SQLITE_DONE) r = dberr(s, err, "find");
    sqlite3_finalize(st);
    return r;
}

static el_status sq_find_hash(el_store *b, const char *sha256, el_dataset_meta *found, el_error *err)
{
    return find_by((sq_store *)b, "sha256", sha256, found, err);
}

static el_status sq_get_meta(el_store *b, int64_t id, el_dataset_meta *meta, el_error *err)
{
    sq_store *s = (sq_store *)b;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT " META_COLS " FROM datasets WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return dberr(s, err, "get");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    el_status r;
    if (rc == SQLITE_ROW) { row_meta(st, meta); r = EL_OK; }
    else if (rc == SQLITE_DONE) r = el_error_set(err, EL_ERR_NOTFOUND, "no dataset with id %lld in %s", (long long)id, s->path);
    else r = dberr(s, err, "get");
    sqlite3_finalize(st);
    return r;
}

static el_status sq_list(el_store *b, el_dataset_meta **out, size_t *n, el_error *err)
{
    sq_store *s = (sq_store *)b;
    *out = NULL; *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT " META_COLS " FROM datasets ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return dberr(s, err, "list");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            el_dataset_meta *nm = realloc(*out, cap * sizeof *nm);
            if (!nm) { sqlite3_finalize(st); free(*out); *out = NULL; *n = 0; return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
            *out = nm;
        }
        row_meta(st, &(*out)[(*n)++]);
    }
    el_status r = rc == SQLITE_DONE ? EL_OK : dberr(s, err, "list");
    sqlite3_finalize(st);
    if (r != EL_OK) { free(*out); *out = NULL; *n = 0; }
    return r;
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* ---------- streaming writer (layout 2: one segment per appended chunk) ---------- */

typedef struct {
    el_store_writer base;
    sq_store *s;
    int64_t id;
    el_kind kind;
    uint64_t rows;
    int64_t nseg;
    unsigned char has[EL_F__COUNT], exists[EL_F__COUNT];
    sqlite3_stmt *seg;
    char *buf;
    size_t bcap;
} sq_writer;

static void writer_free(sq_writer *w)
{
    sqlite3_finalize(w->seg);
    free(w->buf);
    free(w);
}

static void sq_abort(el_store_writer *b)
{
    sq_writer *w = (sq_writer *)b;
    if (!w) return;
    exec(w->s, "ROLLBACK");
    writer_free(w);
}

static el_status sq_begin(el_store *b, el_kind kind, el_store_writer **out, el_error *err)
{
    sq_store *s = (sq_store *)b;
    *out = NULL;
    if (!host_little_endian()) return el_error_set(err, EL_ERR_INTERNAL, "the SQLite store needs a little-endian host");
    sq_writer *w = calloc(1, sizeof *w);
    if (!w) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    w->base.store = b;
    w->s = s;
    w->kind = kind;
    if (exec(s, "BEGIN IMMEDIATE") != SQLITE_OK) { el_status r = dberr(s, err, "begin"); writer_free(w); return r; }
    /* the version row first (the segments refer to it); its metadata is filled by commit */
    sqlite3_stmt *ins = NULL;
    el_status r = EL_OK;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO datasets(source, kind, rows_read, rows_accepted, rows_rejected, bytes, sha256,"
            " imported_at, nrows) VALUES('', ?, 0, 0, 0, 0, '', '', 0)", -1, &ins, NULL) != SQLITE_OK)
        r = dberr(s, err, "prepare");
    if (r == EL_OK) {
        sqlite3_bind_text(ins, 1, el_kind_name(kind), -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) r = dberr(s, err, "insert dataset");
    }
    sqlite3_finalize(ins);
    if (r == EL_OK) {
        w->id = sqlite3_last_insert_rowid(s->db);
        if (sqlite3_prepare_v2(s->db, "INSERT INTO dataset_segments VALUES(?,?,?,?,?,?,?,?)", -1, &w->seg, NULL) != SQLITE_OK)
            r = dberr(s, err, "prepare");
    }
    if (r != EL_OK) { sq_abort(&w->base); return r; }
    *out = &w->base;
    return EL_OK;
}

static el_status sq_append(el_store_writer *b, const el_dataset *d, volatile sig_atomic_t *cancel, el_error *err)
{
    sq_writer *w = (sq_writer *)b;
    sq_store *s = w->s;
    if (el_dataset_kind(d) != w->kind) return el_error_set(err, EL_ERR_INVALID, "chunk kind and dataset kind differ");
    size_t rows = el_dataset_rows(d);
    for (int f = 0; f < EL_F__COUNT; f++) {
        if (el_dataset_has(d, (el_field)f)) w->has[f] = 1;
        if (!el_dataset_col_exists(d, (el_field)f)) continue;  /* all NA in this chunk */
        w->exists[f] = 1;
        if (cancel && *cancel) return el_error_set(err, EL_ERR_IO, "import interrupted; nothing was stored");
        size_t nd = el_dataset_dict_size(d, (el_field)f), len = 0;
        for (size_t k = 0; k < nd; k++) {
            const char *str = el_dataset_str(d, (el_field)f, (int32_t)k);
            size_t sl = strlen(str) + 1;
            if (len + sl > w->bcap) {
                size_t ncap = w->bcap ? w->bcap : 65536;
                while (ncap < len + sl) ncap *= 2;
                char *nb = realloc(w->buf, ncap);
                if (!nb) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
                w->buf = nb; w->bcap = ncap;
            }
            memcpy(w->buf + len, str, sl);
            len += sl;
        }
        sqlite3_reset(w->seg);
        sqlite3_bind_int64(w->seg, 1, w->id);
        sqlite3_bind_text(w->seg, 2, el_field_get((el_field)f)->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(w->seg, 3, w->nseg);
        sqlite3_bind_int64(w->seg, 4, (sqlite3_int64)w->rows);
        sqlite3_bind_int64(w->seg, 5, (sqlite3_int64)rows);
        sqlite3_bind_int64(w->seg, 6, (sqlite3_int64)nd);
        sqlite3_bind_blob64(w->seg, 7, rows ? (const void *)el_dataset_col(d, (el_field)f) : "", rows * sizeof(int32_t),
                            SQLITE_STATIC);
        sqlite3_bind_blob64(w->seg, 8, len ? w->buf : "", len, SQLITE_STATIC);
        if (sqlite3_step(w->seg) != SQLITE_DONE) return dberr(s, err, "insert column");
    }
    w->rows += rows;
    w->nseg++;
    return EL_OK;
}

static el_status commit_body(sq_writer *w, el_dataset_meta *meta, int force, volatile sig_atomic_t *cancel,
                             el_error *err)
{
    sq_store *s = w->s;
    if (meta->kind != w->kind) return el_error_set(err, EL_ERR_INVALID, "dataset kind and metadata kind differ");
    if (cancel && *cancel) return el_error_set(err, EL_ERR_IO, "import interrupted; nothing was stored");
    if (!force) {
        el_dataset_meta old;
        el_status r = sq_find_hash(&s->base, meta->sha256, &old, err);
        if (r == EL_OK && old.id != w->id) {
            meta->id = old.id;
            return el_store_duplicate_error(&old, err);
        }
        if (r != EL_OK && r != EL_ERR_NOTFOUND) return r;
        if (meta->content_hash[0]) {   /* the same rows in another spelling (CRLF, BOM, quoting) */
            r = find_by(s, "content_hash", meta->content_hash, &old, err);
            if (r == EL_OK && old.id != w->id) {
                meta->id = old.id;
                return el_error_set(err, EL_ERR_EXISTS,
                                    "the same rows were already imported as dataset %lld (%s, %s): this file differs "
                                    "from it only in line ends, byte-order mark or quoting; use --force to import it again",
                                    (long long)old.id, old.source, old.imported_at);
            }
            if (r != EL_OK && r != EL_ERR_NOTFOUND) return r;
        }
    }
    if (!meta->imported_at[0]) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(meta->imported_at, sizeof meta->imported_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    char cd[16] = "";
    if (meta->census_date != EL_NA) el_format_date(meta->census_date, cd);
    sqlite3_stmt *up = NULL, *fld = NULL;
    el_status r = EL_OK;
    if (sqlite3_prepare_v2(s->db,
            "UPDATE datasets SET source=?, rows_read=?, rows_accepted=?, rows_rejected=?, bytes=?, sha256=?,"
            " imported_at=?, mapping=?, imd_edition=?, census_date=?, nrows=?, content_hash=? WHERE id=?", -1, &up,
            NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT INTO dataset_fields VALUES(?,?,?)", -1, &fld, NULL) != SQLITE_OK) {
        r = dberr(s, err, "prepare");
        goto out;
    }
    sqlite3_bind_text(up, 1, meta->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(up, 2, (sqlite3_int64)meta->rows_read);
    sqlite3_bind_int64(up, 3, (sqlite3_int64)meta->rows_accepted);
    sqlite3_bind_int64(up, 4, (sqlite3_int64)meta->rows_rejected);
    sqlite3_bind_int64(up, 5, (sqlite3_int64)meta->bytes);
    sqlite3_bind_text(up, 6, meta->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(up, 7, meta->imported_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(up, 8, meta->mapping, -1, SQLITE_STATIC);
    if (meta->imd_edition) sqlite3_bind_int(up, 9, meta->imd_edition); else sqlite3_bind_null(up, 9);
    if (*cd) sqlite3_bind_text(up, 10, cd, -1, SQLITE_STATIC); else sqlite3_bind_null(up, 10);
    sqlite3_bind_int64(up, 11, (sqlite3_int64)w->rows);
    if (meta->content_hash[0]) sqlite3_bind_text(up, 12, meta->content_hash, -1, SQLITE_STATIC);
    else sqlite3_bind_null(up, 12);
    sqlite3_bind_int64(up, 13, w->id);
    if (sqlite3_step(up) != SQLITE_DONE) { r = dberr(s, err, "update dataset"); goto out; }
    for (int f = 0; f < EL_F__COUNT; f++) {
        if (!w->has[f] && !w->exists[f]) continue;
        sqlite3_reset(fld);
        sqlite3_bind_int64(fld, 1, w->id);
        sqlite3_bind_text(fld, 2, el_field_get((el_field)f)->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(fld, 3, w->has[f]);
        if (sqlite3_step(fld) != SQLITE_DONE) { r = dberr(s, err, "insert field"); goto out; }
    }
    if (cancel && *cancel) { r = el_error_set(err, EL_ERR_IO, "import interrupted; nothing was stored"); goto out; }
    if (exec(s, "COMMIT") != SQLITE_OK) r = dberr(s, err, "commit");
out:
    sqlite3_finalize(up);
    sqlite3_finalize(fld);
    return r;
}

static el_status sq_commit(el_store_writer *b, el_dataset_meta *meta, int force, volatile sig_atomic_t *cancel,
                           el_error *err)
{
    sq_writer *w = (sq_writer *)b;
    int64_t id = w->id;
    el_status r = commit_body(w, meta, force, cancel, err);
    if (r == EL_OK) { meta->id = id; writer_free(w); return EL_OK; }
    if (r != EL_ERR_EXISTS) meta->id = 0;
    sq_abort(b);
    return r;
}

static el_status sq_save(el_store *b, el_dataset_meta *meta, const el_dataset *d, int force,
                         volatile sig_atomic_t *cancel, el_error *err)
{
    if (el_dataset_kind(d) != meta->kind) return el_error_set(err, EL_ERR_INVALID, "dataset kind and metadata kind differ");
    el_store_writer *w;
    el_status r = sq_begin(b, meta->kind, &w, err);
    if (r != EL_OK) return r;
    if (!force) {  /* refuse a duplicate before writing anything */
        el_dataset_meta old;
        r = sq_find_hash(b, meta->sha256, &old, err);
        if (r == EL_OK) {
            sq_abort(w);
            meta->id = old.id;
            return el_store_duplicate_error(&old, err);
        }
        if (r != EL_ERR_NOTFOUND) { sq_abort(w); meta->id = 0; return r; }
    }
    r = sq_append(w, d, cancel, err);
    if (r != EL_OK) { sq_abort(w); meta->id = 0; return r; }
    return sq_commit(w, meta, 1, cancel, err);
}

/* Layout 2: field f of dataset id from its segments, each with its own
 * dictionary, merged into d's dictionary in segment order. */
static el_status load_segments(sq_store *s, sqlite3_stmt *sg, int64_t id, const char *fname, el_field f,
                               el_dataset *d, size_t rows, el_error *err)
{
    sqlite3_reset(sg);
    sqlite3_bind_int64(sg, 1, id);
    sqlite3_bind_text(sg, 2, fname, -1, SQLITE_TRANSIENT);
    const el_field_info *fi = el_field_get(f);
    int text = fi->type == EL_T_TEXT || fi->type == EL_T_CODE;
    int32_t *remap = NULL;
    size_t rcap = 0, at = 0;
    el_status r = EL_OK;
    int rc;
    while ((rc = sqlite3_step(sg)) == SQLITE_ROW) {
        sqlite3_int64 row0 = sqlite3_column_int64(sg, 0), nr = sqlite3_column_int64(sg, 1);
        sqlite3_int64 ns = sqlite3_column_int64(sg, 2);
        const int32_t *data = sqlite3_column_blob(sg, 3);
        size_t dbytes = (size_t)sqlite3_column_bytes(sg, 3);
        const char *p = sqlite3_column_blob(sg, 4);
        size_t pbytes = (size_t)sqlite3_column_bytes(sg, 4);
        const char *end = p + pbytes;
        if (row0 < (sqlite3_int64)at || nr < 0 || ns < 0 || (size_t)row0 + (size_t)nr > rows ||
            dbytes != (size_t)nr * sizeof(int32_t) || (nr && !data)) {
            r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: corrupt column segment", (long long)id, fname);
            break;
        }
        if ((size_t)ns > rcap) {
            int32_t *nm = realloc(remap, (size_t)ns * sizeof *nm);
            if (!nm) { r = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
            remap = nm; rcap = (size_t)ns;
        }
        for (sqlite3_int64 k = 0; k < ns && r == EL_OK; k++) {
            const char *z = p && p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
            if (!z) r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: corrupt dictionary", (long long)id, fname);
            else if (el_dataset_intern(d, f, p, &remap[k]) != EL_OK) r = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            else p = z + 1;
        }
        if (r != EL_OK) break;
        if (!nr) continue;
        int32_t *col = el_dataset_col_mut(d, f);
        if (!col) { r = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
        col += row0;
        if (!text) memcpy(col, data, dbytes);
        else
            for (sqlite3_int64 i = 0; i < nr; i++) {
                int32_t v = data[i];
                if (v == EL_NA) { col[i] = EL_NA; continue; }
                if (v < 0 || v >= ns) {
                    r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: dictionary index out of range", (long long)id, fname);
                    break;
                }
                col[i] = remap[v];
            }
        if (r != EL_OK) break;
        at = (size_t)(row0 + nr);
    }
    if (r == EL_OK && rc != SQLITE_DONE) r = dberr(s, err, "load column");
    free(remap);
    return r;
}


static el_status sq_load(el_store *b, int64_t id, el_dataset **out, el_dataset_meta *meta, el_error *err)
{
    sq_store *s = (sq_store *)b;
    *out = NULL;
    el_dataset_meta m;
    el_status r = sq_get_meta(b, id, &m, err);
    if (r != EL_OK) return r;
    sqlite3_stmt *nr = NULL, *fl = NULL, *ch = NULL, *di = NULL, *sg = NULL, *segq = NULL;
    el_dataset *d = el_dataset_new(m.kind);
    if (!d) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    exec(s, "BEGIN");
    if (sqlite3_prepare_v2(s->db, "SELECT nrows FROM datasets WHERE id = ?", -1, &nr, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT field, has FROM dataset_fields WHERE dataset_id = ?", -1, &fl, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT chunk, nrows, data FROM dataset_chunks WHERE dataset_id = ? AND field = ? ORDER BY chunk",
                           -1, &ch, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT nstrings, data FROM dataset_dicts WHERE dataset_id = ? AND field = ? ORDER BY chunk",
                           -1, &di, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dataset_segments')",
                           -1, &segq, NULL) != SQLITE_OK) {
        r = dberr(s, err, "prepare");
        goto out;
    }
    /* a schema-1 store opened read-only has no dataset_segments table */
    if (sqlite3_step(segq) != SQLITE_ROW) { r = dberr(s, err, "load"); goto out; }
    int have_segments = sqlite3_column_int(segq, 0);
    sqlite3_finalize(segq);
    segq = NULL;
    if (have_segments &&
        (sqlite3_prepare_v2(s->db, "SELECT row0, nrows, nstrings, data, dict FROM dataset_segments"
                            " WHERE dataset_id = ? AND field = ? ORDER BY segment", -1, &sg, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(s->db, "SELECT EXISTS(SELECT 1 FROM dataset_segments WHERE dataset_id = ?)", -1, &segq,
                            NULL) != SQLITE_OK)) {
        r = dberr(s, err, "prepare");
        goto out;
    }
    sqlite3_bind_int64(nr, 1, id);
    if (sqlite3_step(nr) != SQLITE_ROW) { r = dberr(s, err, "load"); goto out; }
    sqlite3_int64 rows = sqlite3_column_int64(nr, 0);
    if (rows < 0 || rows > INT32_MAX) { r = el_error_set(err, EL_ERR_DB, "dataset %lld: bad row count", (long long)id); goto out; }
    if (rows && el_dataset_add_rows(d, (size_t)rows) == (size_t)-1) { r = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
    int segmented = 0;
    if (have_segments) {
        sqlite3_bind_int64(segq, 1, id);
        if (sqlite3_step(segq) != SQLITE_ROW) { r = dberr(s, err, "load"); goto out; }
        segmented = sqlite3_column_int(segq, 0);
    }
    sqlite3_bind_int64(fl, 1, id);
    int rc;
    while ((rc = sqlite3_step(fl)) == SQLITE_ROW) {
        const char *fname = (const char *)sqlite3_column_text(fl, 0);
        int f = el_field_by_name(fname);
        if (f < 0) continue;  /* a field this version does not know: skip */
        el_dataset_set_has(d, (el_field)f, sqlite3_column_int(fl, 1));
        if (segmented) {
            if ((r = load_segments(s, sg, id, fname, (el_field)f, d, (size_t)rows, err)) != EL_OK) goto out;
            continue;
        }
        sqlite3_reset(ch);
        sqlite3_bind_int64(ch, 1, id);
        sqlite3_bind_text(ch, 2, fname, -1, SQLITE_TRANSIENT);
        size_t at = 0;
        int crc;
        int32_t *col = NULL;
        while ((crc = sqlite3_step(ch)) == SQLITE_ROW) {
            if (!col && !(col = el_dataset_col_mut(d, (el_field)f))) { r = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
            size_t n = (size_t)sqlite3_column_int64(ch, 1);
            size_t bytes = (size_t)sqlite3_column_bytes(ch, 2);
            const void *data = sqlite3_column_blob(ch, 2);
            if (bytes != n * sizeof(int32_t) || at + n > (size_t)rows || (n && !data)) {
                r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: corrupt column chunk", (long long)id, fname);
                goto out;
            }
            memcpy(col + at, data, bytes);
            at += n;
        }
        if (crc != SQLITE_DONE) { r = dberr(s, err, "load column"); goto out; }
        if (col && at != (size_t)rows) { r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: %zu of %lld rows stored", (long long)id, fname, at, (long long)rows); goto out; }
        sqlite3_reset(di);
        sqlite3_bind_int64(di, 1, id);
        sqlite3_bind_text(di, 2, fname, -1, SQLITE_TRANSIENT);
        while ((crc = sqlite3_step(di)) == SQLITE_ROW) {
            size_t ns = (size_t)sqlite3_column_int64(di, 0);
            size_t bytes = (size_t)sqlite3_column_bytes(di, 1);
            const char *p = sqlite3_column_blob(di, 1), *end = p + bytes;
            for (size_t k = 0; k < ns; k++) {
                const char *z = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
                if (!z) { r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: corrupt dictionary", (long long)id, fname); goto out; }
                int32_t idx;
                if (el_dataset_intern(d, (el_field)f, p, &idx) != EL_OK) { r = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto out; }
                p = z + 1;
            }
        }
        if (crc != SQLITE_DONE) { r = dberr(s, err, "load dictionary"); goto out; }
        /* every stored index must be inside the dictionary */
        const el_field_info *fi = el_field_get((el_field)f);
        if (col && (fi->type == EL_T_TEXT || fi->type == EL_T_CODE)) {
            int32_t nd = (int32_t)el_dataset_dict_size(d, (el_field)f);
            for (size_t i = 0; i < (size_t)rows; i++)
                if (col[i] != EL_NA && (col[i] < 0 || col[i] >= nd)) {
                    r = el_error_set(err, EL_ERR_DB, "dataset %lld field %s: dictionary index out of range", (long long)id, fname);
                    goto out;
                }
        }
    }
    if (rc != SQLITE_DONE) r = dberr(s, err, "load fields");
out:
    sqlite3_finalize(nr); sqlite3_finalize(fl); sqlite3_finalize(ch); sqlite3_finalize(di);
    sqlite3_finalize(sg); sqlite3_finalize(segq);
    exec(s, "COMMIT");
    if (r != EL_OK) { el_dataset_free(d); return r; }
    if (meta) *meta = m;
    *out = d;
    return EL_OK;
}

/* ---------- store-wide settings (el_meta) ---------- */

static el_status sq_get_value(el_store *b, const char *key, char *buf, size_t cap, el_error *err)
{
    sq_store *s = (sq_store *)b;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM el_meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return dberr(s, err, "read setting");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    el_status r;
    if (rc == SQLITE_ROW) { copy_text(buf, cap, sqlite3_column_text(st, 0)); r = EL_OK; }
    else if (rc == SQLITE_DONE) r = el_error_set(err, EL_ERR_NOTFOUND, "no setting '%s' in the store", key);
    else r = dberr(s, err, "read setting");
    sqlite3_finalize(st);
    return r;
}

static el_status sq_set_value(el_store *b, const char *key, const char *value, el_error *err)
{
    sq_store *s = (sq_store *)b;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO el_meta(key, value) VALUES(?, ?)", -1, &st, NULL) != SQLITE_OK)
        return dberr(s, err, "write setting");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    el_status r = sqlite3_step(st) == SQLITE_DONE ? EL_OK : dberr(s, err, "write setting");
    sqlite3_finalize(st);
    return r;
}

static el_status sq_has_field(el_store *b, const char *field, int *yes, el_error *err)
{
    sq_store *s = (sq_store *)b;
    sqlite3_stmt *st;
    *yes = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS(SELECT 1 FROM dataset_fields f JOIN datasets d ON d.id = f.dataset_id"
                           " WHERE f.field = ? AND f.has = 1 AND d.sha256 <> '')", -1, &st, NULL) != SQLITE_OK)
        return dberr(s, err, "query fields");
    sqlite3_bind_text(st, 1, field, -1, SQLITE_STATIC);
    el_status r = EL_OK;
    if (sqlite3_step(st) == SQLITE_ROW) *yes = sqlite3_column_int(st, 0);
    else r = dberr(s, err, "query fields");
    sqlite3_finalize(st);
    return r;
}

static const el_store_ops SQ_OPS = {
    .backend = "sqlite",
    .close = sq_close,
    .find_hash = sq_find_hash,
    .save = sq_save,
    .load = sq_load,
    .get_meta = sq_get_meta,
    .list = sq_list,
    .native = sq_native,
    .begin = sq_begin,
    .append = sq_append,
    .commit = sq_commit,
    .abort = sq_abort,
    .get_value = sq_get_value,
    .set_value = sq_set_value,
    .has_field = sq_has_field,
};

static el_store *open_fail(sq_store *s, el_error *err, const char *what)
{
    el_error_at(err, EL_ERR_DB, s->path, 0, 0, NULL, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sqlite3_close(s->db);
    free(s);
    return NULL;
}

static sq_store *sq_new(const char *path, el_error *err)
{
    sq_store *s = calloc(1, sizeof *s);
    if (!s) { el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    s->base.ops = &SQ_OPS;
    snprintf(s->path, sizeof s->path, "%s", path);
    return s;
}

el_store *el_store_sqlite_open(const char *path, el_error *err)
{
    sq_store *s = sq_new(path, err);
    if (!s) return NULL;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return open_fail(s, err, "cannot open store");
    sqlite3_busy_timeout(s->db, 10000);
    if (exec(s, "PRAGMA foreign_keys = ON") != SQLITE_OK || exec(s, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
        exec(s, SCHEMA) != SQLITE_OK)
        return open_fail(s, err, "cannot initialise store");
    /* datasets.content_hash (added after schema version 2 was first written) */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM pragma_table_info('datasets') WHERE name = 'content_hash'", -1,
                           &st, NULL) != SQLITE_OK)
        return open_fail(s, err, "cannot initialise store");
    int has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (!has && exec(s, "ALTER TABLE datasets ADD COLUMN content_hash TEXT") != SQLITE_OK &&
        !strstr(sqlite3_errmsg(s->db), "duplicate column"))
        return open_fail(s, err, "cannot initialise store");
    return &s->base;
}

el_store *el_store_sqlite_open_readonly(const char *path, el_error *err)
{
    if (access(path, F_OK) != 0) {
        if (errno == ENOENT) el_error_set(err, EL_ERR_NOTFOUND, "no store at %s (import a dataset first)", path);
        else el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open store: %s", strerror(errno));
        return NULL;
    }
    sq_store *s = sq_new(path, err);
    if (!s) return NULL;
    /* No SQLITE_OPEN_CREATE: a missing file stays missing. Read-write (when
     * the file allows it) only so that closing the last connection can
     * checkpoint and remove the WAL side files, as a writer's close does;
     * query_only makes every write statement fail, so the file is never
     * changed (a write-protected file is opened read-only by SQLite). */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(s->db);
        s->db = NULL;
        if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            return open_fail(s, err, "cannot open store");
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (exec(s, "PRAGMA query_only = ON") != SQLITE_OK) return open_fail(s, err, "cannot open store");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'el_meta')",
                           -1, &st, NULL) != SQLITE_OK)
        return open_fail(s, err, "cannot open store");
    int rc = sqlite3_step(st), ours = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return open_fail(s, err, "cannot open store");
    if (!ours) {
        el_error_at(err, EL_ERR_INVALID, path, 0, 0, NULL, "not an equitylens store");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    return &s->base;
}
