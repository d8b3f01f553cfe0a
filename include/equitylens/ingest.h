/* ingest.h — stream a CSV extract through a mapping into a canonical
 * el_dataset, rejecting (never dropping) bad rows (owner: import).
 *
 * Steps: read the header (a missing required column, or an nhs_number column
 * without a key, is an error before any row is read) → for each record map
 * every field (mapping.h), parse and validate it → accept the row into the
 * dataset or reject it with file, line, column, field and reason.
 * Invariant: rows_read == rows_accepted + rows_rejected (header excluded).
 * A row is rejected when: the CSV record is malformed (bad UTF-8, NUL bytes,
 * unterminated quote, oversize), it has a different number of fields from the
 * header, a required field is blank, or a value cannot be parsed (date, whole
 * number, Y/N flag, age outside 0-130) — unless the mapping says
 * "invalid = blank", in which case optional unparseable values are blanked
 * and counted in blanked[]. Codes that are not national codes are kept as
 * text (data-quality reports count them).
 *
 * NHS numbers: valid ones are replaced by a keyed hash (pseudonym.h) in
 * nhs_number_hash; invalid ones (format or Modulus 11) are blanked and counted
 * in nhs_invalid. The clear number is never stored or written to the rejects
 * file (its column there is replaced by "[removed]").
 *
 * Streaming (el_ingest_file_chunked): instead of one dataset holding every
 * row, accepted rows are handed over in chunks of chunk_rows rows (the last
 * one may be shorter; a file with no accepted rows gives one empty chunk, so
 * the column flags still arrive). Each chunk is a fresh dataset with its own
 * dictionaries; the callback may modify it (enrich), and either leave it to
 * ingest, which frees it when the callback returns, or take it (set *chunk =
 * NULL, then el_dataset_free it itself, e.g. on another thread). Memory is
 * then bounded by the chunks alive at once, whatever the file size. A
 * callback error stops the ingest and is returned.
 *
 * Ownership: *out is a new dataset the caller frees with el_dataset_free. */
#ifndef EQUITYLENS_INGEST_H
#define EQUITYLENS_INGEST_H
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include "equitylens/dataset.h"
#include "equitylens/error.h"
#include "equitylens/mapping.h"
#include "equitylens/pseudonym.h"

#define EL_INGEST_FIRST_REJECTS 10

typedef struct {
    long line;            /* physical line where the record starts */
    long column;          /* 1-based column, 0 when the whole record is at fault */
    char field[64];       /* canonical field ("" for record-level faults) */
    char reason[256];
} el_reject_info;

typedef struct {
    uint64_t bytes_done, bytes_total;   /* bytes_total 0 when unknown (stdin) */
    uint64_t rows_read;
} el_ingest_progress;

typedef struct {
    const el_mapping *mapping;          /* required */
    const unsigned char *key;           /* EL_PSEUDONYM_KEY_BYTES key for NHS numbers; if NULL and the
                                           file has the nhs_number column, the key is read from key_file
                                           (NULL = default path, created on first use) when load_key is set,
                                           else the import fails before reading rows */
    int load_key;
    const char *key_file;
    const char *key_fingerprint;        /* optional: the key must have this fingerprint (pseudonym.h),
                                           else the import fails before reading rows */
    int key_no_create;                  /* with load_key: a missing key file is an error, not a new key */
    FILE *rejects;                      /* optional: rejected rows + reasons as CSV */
    size_t max_record;                  /* bytes per record; 0 = 1 MiB */
    void (*progress)(const el_ingest_progress *p, void *ud);  /* optional, about every 65,536 rows */
    void *progress_ud;
    volatile sig_atomic_t *cancel;      /* optional: set non-zero (e.g. by SIGINT) to stop */
} el_ingest_opts;

typedef struct {
    uint64_t rows_read, rows_accepted, rows_rejected;
    uint64_t bytes;
    char sha256[65];                    /* of the file's bytes, hex */
    char content_hash[65];              /* BLAKE2b-256 of the parsed records (fields of header and
                                           rows; a malformed record as one marker), hex: equal for
                                           copies differing only in line ends, BOM or quoting */
    uint64_t nhs_hashed, nhs_invalid;   /* NHS numbers hashed / invalid and blanked */
    int key_used, key_created;          /* a key was needed / a new key file was written */
    char key_path[512];                 /* key file used ("" if the key was passed in) */
    char key_fingerprint[65];           /* fingerprint of the key used ("" when none) */
    uint64_t blanked[EL_F__COUNT];      /* optional values blanked (invalid = blank) */
    uint64_t rejected_by_field[EL_F__COUNT + 1]; /* last slot: record-level faults */
    unsigned char missing_optional[EL_F__COUNT]; /* mapped optional column absent from header */
    el_reject_info first[EL_INGEST_FIRST_REJECTS];
    size_t nfirst;
} el_ingest_stats;

/* Import path ("-" = stdin). On success *out holds the accepted rows and
 * stats the counts (also filled as far as it got on failure). Returns
 * EL_ERR_PARSE for a bad or incomplete header, EL_ERR_IO for a read error or
 * cancellation, EL_ERR_NOMEM. Rejected rows are not an error. */
el_status el_ingest_file(const char *path, const el_ingest_opts *opts, el_dataset **out,
                         el_ingest_stats *stats, el_error *err);
/* Chunk callback for the streaming variants: *chunk is freed by ingest after
 * the call unless the callback sets *chunk = NULL (it then owns the chunk);
 * so_far are the counts up to the end of the chunk. */
typedef el_status (*el_ingest_chunk_fn)(el_dataset **chunk, const el_ingest_stats *so_far, void *ud, el_error *err);
#define EL_INGEST_CHUNK_ROWS_DEFAULT 262144
/* Streaming import of path ("-" = stdin): as el_ingest_file, but rows go to
 * fn in chunks of chunk_rows (0 = EL_INGEST_CHUNK_ROWS_DEFAULT) rows. */
el_status el_ingest_file_chunked(const char *path, const el_ingest_opts *opts, size_t chunk_rows,
                                 el_ingest_chunk_fn fn, void *ud, el_ingest_stats *stats, el_error *err);
el_status el_ingest_mem_chunked(const void *buf, size_t len, const char *name, const el_ingest_opts *opts,
                                size_t chunk_rows, el_ingest_chunk_fn fn, void *ud, el_ingest_stats *stats,
                                el_error *err);
/* Same from memory (name labels errors). */
el_status el_ingest_mem(const void *buf, size_t len, const char *name, const el_ingest_opts *opts,
                        el_dataset **out, el_ingest_stats *stats, el_error *err);

#endif
