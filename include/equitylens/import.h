/* import.h — the whole import job in one call (owner: import): CSV → mapping
 * → validation (ingest.h) → rejection-rate guard → enrichment (enrich.h) →
 * one atomic save in the store (store.h). The CLI (`equitylens import`) and
 * the web upload both use it, so an import behaves the same from either door.
 *
 * Nothing is stored unless every step succeeds: on any error the store is as
 * it was. EL_ERR_EXISTS means the identical file is already stored
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
