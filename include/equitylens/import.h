/* import.h — the whole import job in one call (owner: import): CSV → mapping
 * → validation (ingest.h) → enrichment (enrich.h) → store (store.h), streamed
 * in chunks of chunk_rows rows so that memory stays bounded by one chunk (plus
 * the reference data) whatever the file size; then the rejection-rate guard
 * and the identical-file check, and one COMMIT. The CLI (`equitylens import`)
 * uses it; the web upload can.
 *
 * Nothing is stored unless every step succeeds: every chunk goes into ONE
 * store transaction, so on any error, a failed guard or an interruption the
 * store is as it was. EL_ERR_EXISTS means the identical file is already stored
 * (result->meta.id is that version) and force was not set. When more than
 * max_rejected_pct of the rows are rejected the import is refused with
 * EL_ERR_INVALID and result->too_many_rejects = 1.
 *
 * Ownership: every pointer in el_import_opts is borrowed. */
#ifndef EQUITYLENS_IMPORT_H
#define EQUITYLENS_IMPORT_H
#include <signal.h>
#include <stdio.h>
#include "equitylens/enrich.h"
#include "equitylens/ingest.h"
#include "equitylens/mapping.h"
#include "equitylens/refdata.h"
#include "equitylens/store.h"

typedef struct {
    el_mapping *mapping;              /* required; --census-date: el_mapping_set_constant before */
    el_store *store;                  /* required */
    const el_refdata *refdata;        /* loaded EL_REF_ENRICH data, or NULL: load from data_dir */
    const char *data_dir;             /* NULL = el_refdata_default_dir() */
    el_enrich_opts enrich;            /* IMD edition, LSOA conversion */
    const unsigned char *key;         /* NHS-number key, or NULL: key_file (NULL = default), created on first use */
    const char *key_file;
    FILE *rejects;                    /* optional rejects CSV */
    size_t max_record;                /* 0 = 1 MiB */
    double max_rejected_pct;          /* default 50 */
    int force;                        /* store even if the same content was stored before */
    const char *source_name;          /* recorded as the source; NULL = the path */
    void (*progress)(const el_ingest_progress *p, void *ud);
    void *progress_ud;
    volatile sig_atomic_t *cancel;    /* optional: set non-zero to stop (SIGINT) */
    size_t chunk_rows;                /* rows per chunk; 0 = EL_INGEST_CHUNK_ROWS_DEFAULT (262,144) */
    void (*chunk_done)(uint64_t rows_stored, void *ud);  /* optional: after each chunk is appended */
    void *chunk_ud;
} el_import_opts;

typedef struct {
    el_ingest_stats ingest;
    el_enrich_stats enrich;
    el_dataset_meta meta;             /* meta.id: the new (or, for EL_ERR_EXISTS, the existing) version */
    int too_many_rejects;
} el_import_result;

void el_import_opts_default(el_import_opts *o);
el_status el_import_file(const char *path, const el_import_opts *o, el_import_result *r, el_error *err);

#endif
