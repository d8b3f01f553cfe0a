/* jobs.c — background import jobs for uploads (owner: web). One worker
 * thread runs the same library call as `equitylens import` (el_import_file:
 * mapping → ingest, rejecting never dropping, NHS numbers hashed →
 * enrichment from the reference data → one store transaction → rejection-rate
 * guard). See jobs_internal.h. */
#include "web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "equitylens/enrich.h"
#include "equitylens/import.h"
#include "equitylens/parse.h"
#include "equitylens/ingest.h"
#include "equitylens/mapping.h"
#include "equitylens/pseudonym.h"
#include "equitylens/refdata.h"
#include "equitylens/store.h"

#define MAX_JOBS 100

typedef struct job {
    int64_t id;
    el_job_state state;
    char spool[512];
    char rejects[560];
    char name[256], kind[32], mapping[128], user[EL_AUTH_NAME_MAX + 1], remote[64];
    time_t submitted, finished;
    volatile sig_atomic_t cancel;
    uint64_t bytes_done, bytes_total, rows_read;
    char message[600];
    json_t *result;
} job;

struct el_jobs {
    el_web *w;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    int started, stopping, draining;
    job *jobs[MAX_JOBS];   /* ring of the most recent jobs, oldest first */
    size_t n;
    int64_t next_id;
    job *running;
};

el_jobs *el_jobs_new(el_web *w, el_error *err)
{
    el_jobs *j = calloc(1, sizeof *j);
    if (!j) { el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    j->w = w;
    j->next_id = 1;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    return j;
}

static void job_free(job *jb)
{
    if (!jb) return;
    if (jb->spool[0]) unlink(jb->spool);
    if (jb->rejects[0]) unlink(jb->rejects);
    json_decref(jb->result);
    free(jb);
}

static void iso(time_t t, char *buf, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void on_progress(const el_ingest_progress *p, void *ud)
{
    job *jb = ud;
    jb->bytes_done = p->bytes_done;
    jb->bytes_total = p->bytes_total;
    jb->rows_read = p->rows_read;
}

static json_t *ingest_json(const el_ingest_stats *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "rows_read", json_integer((json_int_t)st->rows_read));
    json_object_set_new(o, "rows_accepted", json_integer((json_int_t)st->rows_accepted));
    json_object_set_new(o, "rows_rejected", json_integer((json_int_t)st->rows_rejected));
    json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes));
    json_object_set_new(o, "sha256", json_string(st->sha256));
    json_object_set_new(o, "nhs_numbers_hashed", json_integer((json_int_t)st->nhs_hashed));
    json_object_set_new(o, "nhs_numbers_invalid", json_integer((json_int_t)st->nhs_invalid));
    json_t *byf = json_object();
    for (int f = 0; f <= EL_F__COUNT; f++) {
        if (!st->rejected_by_field[f]) continue;
        const char *nm = f == EL_F__COUNT ? "(record)" : el_field_get((el_field)f)->name;
        json_object_set_new(byf, nm, json_integer((json_int_t)st->rejected_by_field[f]));
    }
    json_object_set_new(o, "rejected_by_field", byf);
    json_t *first = json_array();
    for (size_t i = 0; i < st->nfirst; i++)
        json_array_append_new(first, json_pack("{s:I, s:I, s:s, s:s}", "line", (json_int_t)st->first[i].line,
                                               "column", (json_int_t)st->first[i].column, "field",
                                               st->first[i].field, "reason", st->first[i].reason));
    json_object_set_new(o, "first_rejections", first);
    return o;
}

static json_t *enrich_json(const el_enrich_stats *e)
{
    return json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "imd_edition", e->imd_edition,
                     "lsoa_vintage", e->lsoa_vintage, "imd_matched", (json_int_t)e->imd_matched, "lsoa_blank",
                     (json_int_t)e->lsoa_blank, "lsoa_malformed", (json_int_t)e->lsoa_malformed, "lsoa_not_found",
                     (json_int_t)e->lsoa_not_found, "lsoa_outside_england", (json_int_t)e->lsoa_outside_england,
                     "lsoa_ambiguous", (json_int_t)e->lsoa_ambiguous, "ethnic_invalid",
                     (json_int_t)e->ethnic_invalid, "age_missing", (json_int_t)e->age_missing, "area_matched",
                     (json_int_t)e->area_matched);
}

/* Run one import with the library's import job (import.h: the same call as
 * `equitylens import`). Returns EL_OK or an error (message in jb->message). */
static el_status run_import(el_jobs *js, job *jb, json_t *res)
{
    el_error err;
    el_error_clear(&err);
    el_status s;
    int kind = jb->kind[0] ? el_kind_by_name(jb->kind) : -1;
    el_mapping *m = el_mapping_resolve(jb->mapping[0] ? jb->mapping : "canonical", kind, &err);
    if (!m) { snprintf(jb->message, sizeof jb->message, "mapping: %s", err.msg); return err.status ? err.status : EL_ERR_INVALID; }
    el_error rerr;
    el_error_clear(&rerr);
    const el_refdata *ref = el_webcache_ref(el_web_cache(js->w), &rerr);
    if (!ref) {
        el_mapping_free(m);
        snprintf(jb->message, sizeof jb->message, "%s", rerr.msg);
        return EL_ERR_NOTFOUND;
    }
    el_store *store = el_store_open(el_web_cfg(js->w)->db_path, &err);
    if (!store) {
        el_mapping_free(m);
        snprintf(jb->message, sizeof jb->message, "store: %s", err.msg);
        return err.status ? err.status : EL_ERR_DB;
    }
    FILE *rj = fopen(jb->rejects, "w");
    if (rj) fchmod(fileno(rj), 0600);
    el_import_opts io;
    el_import_opts_default(&io);
    io.mapping = m;
    io.store = store;
    io.refdata = ref;
    io.rejects = rj;
    io.source_name = jb->name;
    io.progress = on_progress;
    io.progress_ud = jb;
    io.cancel = &jb->cancel;
    el_import_result ir;
    memset(&ir, 0, sizeof ir);
    s = el_import_file(jb->spool, &io, &ir, &err);
    if (rj) fclose(rj);
    json_object_set_new(res, "ingest", ingest_json(&ir.ingest));
    json_object_set_new(res, "enrichment", enrich_json(&ir.enrich));
    json_object_set_new(res, "mapping", json_string(el_mapping_name(m)));
    json_object_set_new(res, "kind", json_string(el_kind_name(el_mapping_kind(m))));
    if (s == EL_OK) {
        json_object_set_new(res, "dataset_id", json_integer(ir.meta.id));
        json_object_set_new(res, "imported_at", json_string(ir.meta.imported_at));
        snprintf(jb->message, sizeof jb->message, "imported as dataset %lld: %llu rows accepted, %llu rejected",
                 (long long)ir.meta.id, (unsigned long long)ir.ingest.rows_accepted,
                 (unsigned long long)ir.ingest.rows_rejected);
    } else if (s == EL_ERR_EXISTS) {
        json_object_set_new(res, "dataset_id", json_integer(ir.meta.id));
        json_object_set_new(res, "duplicate", json_true());
        snprintf(jb->message, sizeof jb->message,
                 "this file was imported before (dataset %lld); nothing was added", (long long)ir.meta.id);
    } else {
        if (ir.too_many_rejects) json_object_set_new(res, "too_many_rejects", json_true());
        char buf[1200];
        el_error_format(&err, buf, sizeof buf);
        /* errors name the spool file: show the user's file name instead */
        const char *p = strstr(buf, jb->spool);
        if (p) snprintf(jb->message, sizeof jb->message, "%.*s%s%s (nothing was saved)", (int)(p - buf), buf, jb->name,
                        p + strlen(jb->spool));
        else snprintf(jb->message, sizeof jb->message, "%s (nothing was saved)", buf);
    }
    el_store_close(store);
    el_mapping_free(m);
    return s;
}

static void *worker(void *arg)
{
    el_jobs *js = arg;
    pthread_mutex_lock(&js->mu);
    for (;;) {
        job *next = NULL;
        for (size_t i = 0; i < js->n; i++)
            if (js->jobs[i]->state == EL_JOB_QUEUED) { next = js->jobs[i]; break; }
        if (!next) {
            if (js->stopping) break;
            pthread_cond_wait(&js->cv, &js->mu);
            continue;
        }
        if (js->stopping && !js->draining) break;
        next->state = EL_JOB_RUNNING;
        js->running = next;
        pthread_mutex_unlock(&js->mu);

        json_t *res = json_object();
        el_status s = run_import(js, next, res);
        char detail[700];
        snprintf(detail, sizeof detail, "%s", next->message);
        el_auth_audit(el_web_auth(js->w), next->user, next->remote,
                      s == EL_OK ? "import_done" : (s == EL_ERR_EXISTS ? "import_duplicate" : "import_failed"),
                      next->name, detail);
        unlink(next->spool);

        pthread_mutex_lock(&js->mu);
        next->spool[0] = 0;
        next->result = res;
        next->finished = time(NULL);
        next->state = (s == EL_OK || s == EL_ERR_EXISTS) ? EL_JOB_DONE : EL_JOB_FAILED;
        js->running = NULL;
        pthread_cond_broadcast(&js->cv);
    }
    pthread_mutex_unlock(&js->mu);
    return NULL;
}

void el_jobs_start_worker(el_jobs *j)
{
    if (!j || j->started) return;
    if (pthread_create(&j->th, NULL, worker, j) == 0) j->started = 1;
}

int64_t el_jobs_submit(el_jobs *js, const el_job_spec *sp, el_error *err)
{
    job *jb = calloc(1, sizeof *jb);
    if (!jb) { unlink(sp->spool_path); el_error_set(err, EL_ERR_NOMEM, "out of memory"); return 0; }
    snprintf(jb->spool, sizeof jb->spool, "%s", sp->spool_path);
    snprintf(jb->rejects, sizeof jb->rejects, "%s.rejects.csv", sp->spool_path);
    snprintf(jb->name, sizeof jb->name, "%s", sp->name ? sp->name : "upload.csv");
    snprintf(jb->kind, sizeof jb->kind, "%s", sp->kind ? sp->kind : "");
    snprintf(jb->mapping, sizeof jb->mapping, "%s", sp->mapping ? sp->mapping : "");
    snprintf(jb->user, sizeof jb->user, "%s", sp->user ? sp->user : "-");
    snprintf(jb->remote, sizeof jb->remote, "%s", sp->remote ? sp->remote : "-");
    jb->submitted = time(NULL);
    struct stat stt;
    if (stat(jb->spool, &stt) == 0) jb->bytes_total = (uint64_t)stt.st_size;
    snprintf(jb->message, sizeof jb->message, "waiting to start");
    pthread_mutex_lock(&js->mu);
    if (js->stopping || !js->started) {
        pthread_mutex_unlock(&js->mu);
        job_free(jb);
        el_error_set(err, EL_ERR_INTERNAL, "the server is shutting down; upload again later");
        return 0;
    }
    if (js->n == MAX_JOBS) {
        /* forget the oldest finished job */
        size_t k = 0;
        while (k < js->n && (js->jobs[k]->state == EL_JOB_QUEUED || js->jobs[k]->state == EL_JOB_RUNNING)) k++;
        if (k == js->n) {
            pthread_mutex_unlock(&js->mu);
            job_free(jb);
            el_error_set(err, EL_ERR_NOMEM, "too many imports waiting; try again later");
            return 0;
        }
        job_free(js->jobs[k]);
        memmove(&js->jobs[k], &js->jobs[k + 1], (js->n - k - 1) * sizeof js->jobs[0]);
        js->n--;
    }
    jb->id = js->next_id++;
    jb->state = EL_JOB_QUEUED;
    js->jobs[js->n++] = jb;
    pthread_cond_broadcast(&js->cv);
    int64_t id = jb->id;
    pthread_mutex_unlock(&js->mu);
    return id;
}

static const char *state_name(el_job_state s)
{
    switch (s) {
    case EL_JOB_QUEUED: return "queued";
    case EL_JOB_RUNNING: return "running";
    case EL_JOB_DONE: return "done";
    case EL_JOB_FAILED: return "failed";
    }
    return "?";
}

static json_t *job_json(const job *jb)
{
    char sub[32], fin[32] = "";
    iso(jb->submitted, sub, sizeof sub);
    if (jb->finished) iso(jb->finished, fin, sizeof fin);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id", (json_int_t)jb->id, "state",
                          state_name(jb->state), "name", jb->name, "kind", jb->kind, "user", jb->user,
                          "submitted", sub, "message", jb->message, "bytes_done", (json_int_t)jb->bytes_done,
                          "bytes_total", (json_int_t)jb->bytes_total, "rows_read", (json_int_t)jb->rows_read);
    if (!o) return NULL;
    if (fin[0]) json_object_set_new(o, "finished", json_string(fin));
    if (jb->result) json_object_set(o, "result", jb->result);
    json_object_set_new(o, "has_rejects_file", json_boolean(jb->rejects[0] && access(jb->rejects, R_OK) == 0 &&
                                                            jb->state >= EL_JOB_DONE));
    return o;
}

json_t *el_jobs_get(el_jobs *js, int64_t id)
{
    json_t *o = NULL;
    pthread_mutex_lock(&js->mu);
    for (size_t i = 0; i < js->n; i++)
        if (js->jobs[i]->id == id) { o = job_json(js->jobs[i]); break; }
    pthread_mutex_unlock(&js->mu);
    return o;
}

char *el_jobs_rejects_path(el_jobs *js, int64_t id)
{
    char *p = NULL;
    pthread_mutex_lock(&js->mu);
    for (size_t i = 0; i < js->n; i++)
        if (js->jobs[i]->id == id && js->jobs[i]->state >= EL_JOB_DONE && js->jobs[i]->rejects[0])
            p = strdup(js->jobs[i]->rejects);
    pthread_mutex_unlock(&js->mu);
    return p;
}

json_t *el_jobs_list(el_jobs *js)
{
    json_t *a = json_array();
    pthread_mutex_lock(&js->mu);
    for (size_t i = js->n; i-- > 0 && json_array_size(a) < 50;) {
        json_t *o = job_json(js->jobs[i]);
        json_object_del(o, "result");
        json_array_append_new(a, o);
    }
    pthread_mutex_unlock(&js->mu);
    return a;
}

size_t el_jobs_active(el_jobs *js)
{
    size_t k = 0;
    pthread_mutex_lock(&js->mu);
    for (size_t i = 0; i < js->n; i++)
        if (js->jobs[i]->state == EL_JOB_QUEUED || js->jobs[i]->state == EL_JOB_RUNNING) k++;
    pthread_mutex_unlock(&js->mu);
    return k;
}

void el_jobs_stop(el_jobs *js, unsigned grace)
{
    if (!js) return;
    pthread_mutex_lock(&js->mu);
    js->stopping = 1;
    js->draining = 1;
    pthread_cond_broadcast(&js->cv);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += grace;
    for (;;) {
        int busy = 0;
        for (size_t i = 0; i < js->n; i++)
            if (js->jobs[i]->state == EL_JOB_QUEUED || js->jobs[i]->state == EL_JOB_RUNNING) busy = 1;
        if (!busy || !js->started) break;
        if (pthread_cond_timedwait(&js->cv, &js->mu, &dl) != 0) {
            /* grace is over: the running import is cancelled (rolled back),
             * queued ones are not started */
            js->draining = 0;
            if (js->running) js->running->cancel = 1;
            break;
        }
    }
    for (size_t i = 0; i < js->n; i++)
        if (js->jobs[i]->state == EL_JOB_QUEUED) {
            js->jobs[i]->state = EL_JOB_FAILED;
            snprintf(js->jobs[i]->message, sizeof js->jobs[i]->message, "not imported: the server shut down");
            el_auth_audit(el_web_auth(js->w), js->jobs[i]->user, js->jobs[i]->remote, "import_failed",
                          js->jobs[i]->name, "not imported: the server shut down");
        }
    int started = js->started;
    js->started = 0;
    pthread_cond_broadcast(&js->cv);
    pthread_mutex_unlock(&js->mu);
    if (started) pthread_join(js->th, NULL);
}

void el_jobs_free(el_jobs *js)
{
    if (!js) return;
    if (js->started) el_jobs_stop(js, 0);
    for (size_t i = 0; i < js->n; i++) job_free(js->jobs[i]);
    pthread_mutex_destroy(&js->mu);
    pthread_cond_destroy(&js->cv);
    free(js);
}
