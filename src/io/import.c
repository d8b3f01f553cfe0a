/* import.c — one import job, streamed chunk by chunk (owner: import):
 * ingest a chunk of rows → enrich it → append it to the store's open
 * transaction → free it → next chunk; then the rejection-rate guard and the
 * identical-file check, and COMMIT. Any failure or interruption rolls the
 * whole transaction back. Two threads: the caller's reads and validates
 * chunk N+1 while a worker enriches and stores chunk N (the only thread
 * touching the store until COMMIT), so at most two chunks are alive: memory
 * is bounded by two chunks plus the reference data, whatever the file size
 * (docs/import.md, "Streaming"). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include "equitylens/import.h"
#include "equitylens/parse.h"
#include "equitylens/pseudonym.h"

void el_import_opts_default(el_import_opts *o)
{
    memset(o, 0, sizeof *o);
    el_enrich_opts_default(&o->enrich);
    o->max_rejected_pct = 50.0;
}

typedef struct {
    const el_import_opts *o;
    el_import_result *r;
    const el_refdata *ref;
    el_store_writer *w;
    uint64_t rows_stored;
    /* hand-over to the worker thread */
    int threaded;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    el_dataset *pending;   /* next chunk for the worker */
    int busy, done;
    el_status failed;      /* first error (worker's, or the reader's) */
    el_error werr;
} job;

static void add_enrich_stats(el_enrich_stats *t, const el_enrich_stats *c)
{
    t->rows += c->rows;
    if (c->imd_edition) t->imd_edition = c->imd_edition;
    if (c->lsoa_vintage) t->lsoa_vintage = c->lsoa_vintage;
    t->lsoa_blank += c->lsoa_blank;
    t->lsoa_malformed += c->lsoa_malformed;
    t->lsoa_outside_england += c->lsoa_outside_england;
    t->lsoa_not_found += c->lsoa_not_found;
    t->lsoa_ambiguous += c->lsoa_ambiguous;
    t->lsoa_not_converted += c->lsoa_not_converted;
    t->lsoa_converted += c->lsoa_converted;
    t->imd_matched += c->imd_matched;
    t->area_matched += c->area_matched;
    t->ethnic_not_stated += c->ethnic_not_stated;
    t->ethnic_not_known += c->ethnic_not_known;
    t->ethnic_invalid += c->ethnic_invalid;
    t->age_from_age += c->age_from_age;
    t->age_from_birth_date += c->age_from_birth_date;
    t->age_missing += c->age_missing;
    t->age_invalid += c->age_invalid;
    /* the first distinct unmatched values in row order, as one pass would keep them */
    for (size_t i = 0; i < c->n_examples && t->n_examples < EL_ENRICH_EXAMPLES; i++) {
        size_t k = 0;
        while (k < t->n_examples && strcmp(t->examples[k], c->examples[i])) k++;
        if (k == t->n_examples) memcpy(t->examples[t->n_examples++], c->examples[i], sizeof c->examples[i]);
    }
}

/* Enrich one chunk and append it to the open transaction (worker thread). */
static el_status process(job *j, el_dataset *chunk, el_error *err)
{
    if (j->o->cancel && *j->o->cancel) return el_error_set(err, EL_ERR_IO, "import interrupted");
    el_enrich_stats cs;
    el_status s = el_enrich_dataset(chunk, j->ref, &j->o->enrich, &cs, err);
    if (s != EL_OK) return s;
    add_enrich_stats(&j->r->enrich, &cs);
    if (j->o->cancel && *j->o->cancel) return el_error_set(err, EL_ERR_IO, "import interrupted");
    if ((s = el_store_append(j->w, chunk, j->o->cancel, err)) != EL_OK) return s;
    j->rows_stored += el_dataset_rows(chunk);
    if (j->o->chunk_done) j->o->chunk_done(j->rows_stored, j->o->chunk_ud);
    return EL_OK;
}

static void *worker(void *arg)
{
    job *j = arg;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->pending && !j->done) pthread_cond_wait(&j->cv, &j->mu);
        if (!j->pending) break;
        el_dataset *c = j->pending;
        j->pending = NULL;
        j->busy = 1;
        int skip = j->failed != EL_OK;
        pthread_mutex_unlock(&j->mu);
        el_error e;
        el_error_clear(&e);
        el_status s = skip ? EL_OK : process(j, c, &e);
        el_dataset_free(c);
        pthread_mutex_lock(&j->mu);
        j->busy = 0;
        if (s != EL_OK && j->failed == EL_OK) { j->failed = s; j->werr = e; }
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Reader side: wait until the worker is idle, then hand it the chunk. */
static el_status on_chunk(el_dataset **chunkp, const el_ingest_stats *so_far, void *ud, el_error *err)
{
    (void)so_far;
    job *j = ud;
    if (!j->threaded) return process(j, *chunkp, err);
    pthread_mutex_lock(&j->mu);
    while ((j->pending || j->busy) && j->failed == EL_OK) pthread_cond_wait(&j->cv, &j->mu);
    el_status s = j->failed;
    if (s != EL_OK) {
        if (err) *err = j->werr;
    } else {
        j->pending = *chunkp;
        *chunkp = NULL;
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return s;
}

/* SHA-256 of a whole file (the pre-pass used only when a stored version has the same size). */
static el_status hash_file(const char *path, char hex[65], el_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char *buf = malloc(1 << 20);
    if (!buf) { fclose(f); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    size_t n;
    while ((n = fread(buf, 1, 1 << 20, f)) > 0) crypto_hash_sha256_update(&st, buf, n);
    int bad = ferror(f);
    free(buf);
    fclose(f);
    if (bad) return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "read error");
    unsigned char h[32];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return EL_OK;
}

/* An identical file must have the same size: hash first (one extra read of
 * the file) only when some stored version has exactly this many bytes, so a
 * re-import is refused before any work; otherwise the hash computed while
 * streaming is checked just before COMMIT. */
static el_status early_duplicate(const char *path, const el_import_opts *o, el_import_result *r, el_error *err)
{
    struct stat sb;
    if (o->force || !strcmp(path, "-") || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return EL_OK;
    el_dataset_meta *all = NULL;
    size_t n = 0;
    el_error e2;
    if (el_store_list(o->store, &all, &n, &e2) != EL_OK) return EL_OK;  /* the save will report store errors */
    int same_size = 0;
    for (size_t i = 0; i < n && !same_size; i++) same_size = all[i].bytes == (uint64_t)sb.st_size;
    free(all);
    if (!same_size) return EL_OK;
    char hex[65];
    el_status s = hash_file(path, hex, err);
    if (s != EL_OK) return s;
    el_dataset_meta old;
    if (el_store_find_hash(o->store, hex, &old, &e2) != EL_OK) return EL_OK;
    r->meta.id = old.id;
    return el_store_duplicate_error(&old, err);
}

/* The key rule: the first import with NHS numbers records the key's
 * fingerprint in the store; later imports must use the same key, and a new
 * key file is only created while the store holds no pseudonymised dataset. */
static el_status key_policy(el_store *store, char fp[EL_PSEUDONYM_HEX], el_ingest_opts *io, el_error *err)
{
    el_error e2;
    el_status s = el_store_get_value(store, EL_PSEUDONYM_FINGERPRINT_SETTING, fp, EL_PSEUDONYM_HEX, &e2);
    if (s == EL_OK) {
        io->key_fingerprint = fp;
        io->key_no_create = 1;
        return EL_OK;
    }
    fp[0] = 0;
    if (s != EL_ERR_NOTFOUND) { if (err) *err = e2; return s; }
    int yes = 0;   /* a store from before fingerprints: pseudonyms, but no record of their key */
    s = el_store_has_field(store, el_field_get(EL_F_NHS_NUMBER_HASH)->name, &yes, err);
    io->key_no_create = yes;
    return s;
}

el_status el_import_file(const char *path, const el_import_opts *o, el_import_result *r, el_error *err)
{
    memset(r, 0, sizeof *r);
    if (!o || !o->mapping || !o->store || !path) return el_error_set(err, EL_ERR_INVALID, "import needs a file, a mapping and a store");
    if (sodium_init() < 0) return el_error_set(err, EL_ERR_INTERNAL, "libsodium failed to initialise");
    el_status s = early_duplicate(path, o, r, err);
    if (s != EL_OK) return s;
    el_ingest_opts io = {0};
    io.mapping = o->mapping;
    io.key = o->key;
    io.load_key = 1;
    io.key_file = o->key_file;
    io.rejects = o->rejects;
    io.max_record = o->max_record;
    io.progress = o->progress;
    io.progress_ud = o->progress_ud;
    io.cancel = o->cancel;
    job j;
    memset(&j, 0, sizeof j);
    j.o = o;
    j.r = r;
    j.ref = o->refdata;
    el_error_clear(&j.werr);
    el_refdata *own = NULL;
    if (!j.ref) {
        s = el_refdata_load(o->data_dir, EL_REF_ENRICH, &own, err);
        j.ref = own;
    }
    el_kind kind = el_mapping_kind(o->mapping);
    if (s == EL_OK) s = el_store_begin(o->store, kind, &j.w, err);
    /* inside the write transaction: the key fingerprint this store's pseudonyms were made with */
    char fp[EL_PSEUDONYM_HEX] = "";
    if (s == EL_OK) s = key_policy(o->store, fp, &io, err);
    pthread_t th;
    if (s == EL_OK && pthread_mutex_init(&j.mu, NULL) == 0) {
        if (pthread_cond_init(&j.cv, NULL) == 0) {
            j.threaded = pthread_create(&th, NULL, worker, &j) == 0;
            if (!j.threaded) pthread_cond_destroy(&j.cv);
        }
        if (!j.threaded) pthread_mutex_destroy(&j.mu);
    }
    if (s == EL_OK) s = el_ingest_file_chunked(path, &io, o->chunk_rows, on_chunk, &j, &r->ingest, err);
    if (j.threaded) {
        pthread_mutex_lock(&j.mu);
        if (s != EL_OK && j.failed == EL_OK) j.failed = s;   /* the worker drops what is left */
        j.done = 1;
        pthread_cond_broadcast(&j.cv);
        pthread_mutex_unlock(&j.mu);
        pthread_join(th, NULL);
        if (s == EL_OK && j.failed != EL_OK) {
            s = j.failed;
            if (err) *err = j.werr;
        }
        pthread_cond_destroy(&j.cv);
        pthread_mutex_destroy(&j.mu);
    }
    el_refdata_free(own);
    const el_ingest_stats *st = &r->ingest;
    if (s == EL_OK && st->rows_rejected && 100.0 * (double)st->rows_rejected > o->max_rejected_pct * (double)st->rows_read) {
        r->too_many_rejects = 1;
        s = el_error_at(err, EL_ERR_INVALID, o->source_name ? o->source_name : path, 0, 0, NULL,
                        "%llu of %llu rows rejected (more than %g%%): check the mapping, delimiter and encoding; "
                        "first: line %ld%s%s: %s (--max-rejected-pct 100 stores the accepted rows anyway)",
                        (unsigned long long)st->rows_rejected, (unsigned long long)st->rows_read, o->max_rejected_pct,
                        st->first[0].line, st->first[0].field[0] ? " " : "", st->first[0].field, st->first[0].reason);
    }
    if (s == EL_OK && o->cancel && *o->cancel) s = el_error_set(err, EL_ERR_IO, "import interrupted");
    if (s != EL_OK) {
        el_store_abort(j.w);
        return s;
    }
    el_dataset_meta *m = &r->meta;
    snprintf(m->source, sizeof m->source, "%s",
             o->source_name ? o->source_name : strcmp(path, "-") ? path : "(standard input)");
    m->kind = kind;
    m->rows_read = st->rows_read;
    m->rows_accepted = st->rows_accepted;
    m->rows_rejected = st->rows_rejected;
    m->bytes = st->bytes;
    memcpy(m->sha256, st->sha256, sizeof m->sha256);
    memcpy(m->content_hash, st->content_hash, sizeof m->content_hash);
    snprintf(m->mapping, sizeof m->mapping, "%s", el_mapping_name(o->mapping));
    m->imd_edition = r->enrich.imd_edition;
    const char *cst = el_mapping_constant(o->mapping, EL_F_CENSUS_DATE);
    m->census_date = EL_NA;
    if (cst && el_parse_date(cst, "YYYY-MM-DD", &m->census_date)) m->census_date = EL_NA;
    if (st->key_fingerprint[0] && !fp[0] &&
        (s = el_store_set_value(o->store, EL_PSEUDONYM_FINGERPRINT_SETTING, st->key_fingerprint, err)) != EL_OK) {
        el_store_abort(j.w);
        return s;
    }
    return el_store_commit(j.w, m, o->force, o->cancel, err);
}
