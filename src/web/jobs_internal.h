/* jobs_internal.h — background import jobs of the web server (owner: web).
 *
 * An upload is spooled to a file, then handed to the job queue; one worker
 * thread imports jobs one at a time (each import is one store transaction).
 * At shutdown el_jobs_stop() lets the running job finish and runs queued ones
 * while the grace period lasts; jobs not started by then are dropped (their
 * spool files deleted, an audit event written) and the store is unchanged.
 *
 * Ownership: el_jobs_new()/el_jobs_free() (NULL-safe). el_jobs_get() returns
 * a new JSON reference. el_jobs_submit() takes the spool file (deletes it). */
#ifndef EQUITYLENS_JOBS_INTERNAL_H
#define EQUITYLENS_JOBS_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "equitylens/error.h"

typedef struct el_web el_web;
typedef struct el_jobs el_jobs;
typedef enum { EL_JOB_QUEUED, EL_JOB_RUNNING, EL_JOB_DONE, EL_JOB_FAILED } el_job_state;

el_jobs *el_jobs_new(el_web *w, el_error *err);
void el_jobs_start_worker(el_jobs *j);
/* Stop: wait up to grace seconds for queued and running imports. */
void el_jobs_stop(el_jobs *j, unsigned grace);
void el_jobs_free(el_jobs *j);

typedef struct el_job_spec {
    const char *spool_path;  /* taken: moved into the job, deleted when done */
    const char *name;        /* client file name (sanitised) */
    const char *kind;        /* dataset kind or NULL (infer / mapping default) */
    const char *mapping;     /* mapping name or NULL */
    const char *user;
    const char *remote;
} el_job_spec;

/* Queue an import; returns the job id (> 0), or 0 with err set (the spool
 * file is then deleted too). */
int64_t el_jobs_submit(el_jobs *j, const el_job_spec *spec, el_error *err);
/* {"id","state":"queued|running|done|failed","name","kind","user","submitted",
 *  "finished","message","result"} or NULL when unknown. */
json_t *el_jobs_get(el_jobs *j, int64_t id);
/* Recent jobs, newest first (at most 50). */
json_t *el_jobs_list(el_jobs *j);
size_t el_jobs_active(el_jobs *j);
/* Path of a finished job's rejects CSV (malloc'd), or NULL. Patient-level. */
char *el_jobs_rejects_path(el_jobs *j, int64_t id);
el_jobs *el_web_jobs(el_web *w);

#endif
