/* analysis_input.h — reading a CSV extract straight from disk for
 * `analyse --input` and `quality --input` (owner: analysis helper).
 *
 * The extract goes through the same row checks as import (ingest.h); NHS
 * numbers, if mapped, are hashed with a throw-away random key that is wiped
 * after reading, so nothing linkable is kept. Ownership: *out is a new
 * dataset (el_dataset_free) on success, NULL otherwise; m is borrowed. */
#ifndef EQUITYLENS_ANALYSIS_INPUT_H
#define EQUITYLENS_ANALYSIS_INPUT_H
#include "equitylens/dataset.h"
#include "equitylens/error.h"
#include "equitylens/ingest.h"
#include "equitylens/mapping.h"

/* Read path with mapping m; *st receives the row counts and the first
 * rejections. EL_ERR_INTERNAL if libsodium cannot start, else as
 * el_ingest_file(). */
el_status el_analysis_read_input(const char *path, const el_mapping *m, el_dataset **out, el_ingest_stats *st,
                                 el_error *err);

#endif
