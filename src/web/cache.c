/* cache.c — the reference data and the disclosed results the pages and the
 * API serve (owner: web). A dataset version never changes once imported, so
 * its analysis (el_analysis_run → el_analysis_disclose → el_analysis_to_json,
 * docs/result-model.md) and its data-quality report (el_quality_json) are
 * computed once, on first request, and kept (a few datasets, oldest evicted).
 * Only disclosed documents are ever stored here. */
#include "web_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "equitylens/analysis.h"
#include "equitylens/analysis_output.h"
#include "equitylens/parse.h"
#include "equitylens/quality.h"
#include "equitylens/refdata.h"
#include "equitylens/store.h"

#define CACHE_MAX 8

typedef struct { int64_t id; int what; json_t *doc; unsigned long used; } entry;

struct el_webcache {
    pthread_mutex_t mu;        /* guards entries and ref */
    pthread_mutex_t compute;   /* one computation at a time (2 cores shared) */
    entry e[CACHE_MAX];
    unsigned long tick;
    el_refdata *ref;
    int ref_tried;
    char ref_err[400];
};

el_webcache *el_webcache_new(void)
{
    el_webcache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->compute, NULL);
    return c;
}

void el_webcache_free(el_webcache *c)
{
    if (!c) return;
    for (int i = 0; i < CACHE_MAX; i++) json_decref(c->e[i].doc);
    el_refdata_free(c->ref);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->compute);
    free(c);
}

const el_refdata *el_webcache_ref(el_webcache *c, el_error *err)
{
    pthread_mutex_lock(&c->mu);
    if (!c->ref_tried) {
        c->ref_tried = 1;
        char dir[1024];
        el_error e2;
        el_error_clear(&e2);
        if (el_refdata_default_dir(dir, sizeof dir, &e2) != EL_OK || el_refdata_load(dir, EL_REF_ALL, &c->ref, &e2) != EL_OK)
            snprintf(c->ref_err, sizeof c->ref_err, "reference data: %s", e2.msg);
    }
    const el_refdata *r = c->ref;
    if (!r) el_error_set(err, EL_ERR_NOTFOUND, "%s", c->ref_err);
    pthread_mutex_unlock(&c->mu);
    return r;
}

static json_t *lookup(el_webcache *c, int64_t id, int what)
{
    json_t *d = NULL;
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < CACHE_MAX; i++)
        if (c->e[i].doc && c->e[i].id == id && c->e[i].what == what) {
            d = json_incref(c->e[i].doc);
            c->e[i].used = ++c->tick;
            break;
        }
    pthread_mutex_unlock(&c->mu);
    return d;
}

static void insert(el_webcache *c, int64_t id, int what, json_t *doc)
{
    pthread_mutex_lock(&c->mu);
    int slot = 0;
    for (int i = 0; i < CACHE_MAX; i++) {
        if (!c->e[i].doc) { slot = i; break; }
        if (c->e[i].used < c->e[slot].used) slot = i;
    }
    json_decref(c->e[slot].doc);
    c->e[slot].id = id;
    c->e[slot].what = what;
    c->e[slot].doc = json_incref(doc);
    c->e[slot].used = ++c->tick;
    pthread_mutex_unlock(&c->mu);
}

enum { W_ANALYSIS = 1, W_QUALITY = 2 };

static json_t *compute(el_web *w, int64_t id, int what, el_error *err)
{
    el_webcache *c = el_web_cache(w);
    json_t *doc = lookup(c, id, what);
    if (doc) return doc;
    pthread_mutex_lock(&c->compute);
    doc = lookup(c, id, what);   /* another request may have made it meanwhile */
    if (doc) { pthread_mutex_unlock(&c->compute); return doc; }
    el_store *s = el_store_open(el_web_cfg(w)->db_path, err);
    el_dataset *d = NULL;
    el_dataset_meta meta;
    if (!s || el_store_load(s, id, &d, &meta, err) != EL_OK) {
        el_store_close(s);
        pthread_mutex_unlock(&c->compute);
        return NULL;
    }
    el_store_close(s);
    const el_refdata *ref = el_webcache_ref(c, NULL);   /* may be NULL: then no "who is missing" */
    char source[600];
    snprintf(source, sizeof source, "db:%lld (%s)", (long long)id, meta.source);
    if (what == W_ANALYSIS) {
        el_analysis_opts o;
        el_analysis_opts_default(&o);
        if (meta.census_date != EL_NA && meta.census_date != 0) o.census_date = meta.census_date;
        el_analysis *a = NULL;
        if (el_analysis_run(d, ref, &o, &a, err) == EL_OK && el_analysis_disclose(a, el_web_policy(w), err) == EL_OK)
            el_analysis_to_json(a, source, &doc, err);
        el_analysis_free(a);
    } else {
        time_t now = time(NULL);
        el_quality_opts qo;
        el_quality_opts_default(&qo, (int32_t)(now / 86400));
        el_quality *q = NULL;
        if (el_quality_compute(d, ref, &qo, &q, err) == EL_OK) {
            el_quality_source src = {id, meta.source, (int64_t)meta.rows_read, (int64_t)meta.rows_rejected};
            doc = el_quality_json(q, &src, el_web_policy(w), err);
        }
        el_quality_free(q);
    }
    el_dataset_free(d);
    if (doc) insert(c, id, what, doc);
    pthread_mutex_unlock(&c->compute);
    return doc;
}

json_t *el_web_analysis(el_web *w, int64_t id, el_error *err) { return compute(w, id, W_ANALYSIS, err); }
json_t *el_web_quality(el_web *w, int64_t id, el_error *err) { return compute(w, id, W_QUALITY, err); }
