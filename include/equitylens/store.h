/* store.h — where imported datasets live (owner: import).
 *
 * A backend-neutral interface: el_store_open() picks the backend from the
 * location ("PATH" or "sqlite:PATH" → SQLite, the embedded default;
 * "postgresql://..." is reserved for the PostgreSQL backend, which plugs in
 * through el_store_ops). Every import is a dataset version with its metadata
 * (el_dataset_meta). Saving is atomic: one transaction; any failure or a
 * cancellation (SIGINT) rolls back and leaves the store as it was. The same
 * file content (SHA-256) imported again is refused with EL_ERR_EXISTS unless
 * force is set.
 *
 * Streaming save (el_store_begin → el_store_append per chunk → el_store_commit,
 * or el_store_abort): a dataset too big for memory is written chunk by chunk
 * inside ONE transaction that stays open from begin to commit; each chunk is
 * an el_dataset with its own dictionaries (its own first-seen order), so the
 * writer never holds more than one chunk. el_store_load merges the chunks'
 * dictionaries in order, giving the same dataset as one el_store_save of all
 * the rows. The content-hash check runs in commit, before COMMIT.
 *
 * Ownership: el_store_open()/el_store_close() (NULL-safe). el_store_load()
 * returns a new dataset (el_dataset_free). el_store_list() returns an array
 * the caller free()s. el_store_begin() returns a writer that el_store_commit()
 * or el_store_abort() (NULL-safe) always frees; chunks passed to
 * el_store_append() are borrowed for the call only. */
#ifndef EQUITYLENS_STORE_H
#define EQUITYLENS_STORE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "equitylens/dataset.h"
#include "equitylens/error.h"

typedef struct {
    int64_t id;               /* set by save */
    char source[512];         /* source file name as given on the command line */
    el_kind kind;
    uint64_t rows_read, rows_accepted, rows_rejected;
    uint64_t bytes;           /* size of the source file */
    char sha256[65];          /* hex SHA-256 of the source file's bytes */
    char imported_at[32];     /* UTC, "YYYY-MM-DDTHH:MM:SSZ"; filled by save when empty */
    char mapping[128];        /* mapping name */
    int imd_edition;          /* 2019, 2025, or 0 when not enriched */
    int32_t census_date;      /* days since 1970-01-01, EL_NA when none */
    char content_hash[65];    /* hash of the parsed records (ingest.h), "" when unknown: a save
                                 whose content_hash is already stored is refused like an
                                 identical file (EL_ERR_EXISTS) unless force */
} el_dataset_meta;

typedef struct el_store el_store;
typedef struct el_store_writer el_store_writer;

/* Backend vtable: a backend's store struct begins with `el_store base`. */
typedef struct el_store_ops {
    const char *backend;      /* "sqlite", "postgresql" */
    void (*close)(el_store *s);
    el_status (*find_hash)(el_store *s, const char *sha256, el_dataset_meta *found, el_error *err);
    el_status (*save)(el_store *s, el_dataset_meta *meta, const el_dataset *d, int force,
                      volatile sig_atomic_t *cancel, el_error *err);
    el_status (*load)(el_store *s, int64_t id, el_dataset **out, el_dataset_meta *meta, el_error *err);
    el_status (*get_meta)(el_store *s, int64_t id, el_dataset_meta *meta, el_error *err);
    el_status (*list)(el_store *s, el_dataset_meta **out, size_t *n, el_error *err);
    void *(*native)(el_store *s);
    /* streaming save (NULL in a backend without it) */
    el_status (*begin)(el_store *s, el_kind kind, el_store_writer **w, el_error *err);
    el_status (*append)(el_store_writer *w, const el_dataset *chunk, volatile sig_atomic_t *cancel, el_error *err);
    el_status (*commit)(el_store_writer *w, el_dataset_meta *meta, int force, volatile sig_atomic_t *cancel,
                        el_error *err);
    void (*abort)(el_store_writer *w);
    /* store-wide settings (key → value text) and field presence */
    el_status (*get_value)(el_store *s, const char *key, char *buf, size_t cap, el_error *err);
    el_status (*set_value)(el_store *s, const char *key, const char *value, el_error *err);
    el_status (*has_field)(el_store *s, const char *field, int *yes, el_error *err);
} el_store_ops;

struct el_store { const el_store_ops *ops; };
/* A backend's writer struct begins with `el_store_writer base`. */
struct el_store_writer { el_store *store; };

/* Open (creating and initialising if needed) the store at location: for the
 * commands that own the store (import, serve, user). */
el_store *el_store_open(const char *location, el_error *err);
/* Open an existing store for reading only (datasets, analyse, report,
 * quality): never creates a file or a table. A missing path is
 * EL_ERR_NOTFOUND "no store at PATH (import a dataset first)"; a database
 * without the equitylens tables is EL_ERR_INVALID "PATH: not an equitylens
 * store". Saving through a read-only store fails with EL_ERR_DB. */
el_store *el_store_open_readonly(const char *location, el_error *err);
/* 1 if the store file at location exists (always 1 for a server location). */
int el_store_exists(const char *location);
/* Delete the store file at location and its -wal/-shm/-journal side files:
 * for a command that created a store and then failed before storing
 * anything. Only call it on a store that did not exist before (see
 * el_store_exists) and is closed. */
void el_store_discard(const char *location);
void el_store_close(el_store *s);
const char *el_store_backend(const el_store *s);
/* Default location: $EQUITYLENS_DB if set, else "./equitylens.db". */
const char *el_store_default_location(void);

/* EL_ERR_EXISTS with the message every backend (and the import) gives for a
 * re-import of the identical file stored as version old. */
el_status el_store_duplicate_error(const el_dataset_meta *old, el_error *err);
/* EL_OK and *found filled if a dataset with this content hash exists, else EL_ERR_NOTFOUND. */
el_status el_store_find_hash(el_store *s, const char *sha256, el_dataset_meta *found, el_error *err);
/* Save d as a new version; meta->id (and imported_at if empty) are filled.
 * EL_ERR_EXISTS (meta->id = the existing version) when the hash is already
 * stored and !force. cancel may be NULL. */
el_status el_store_save(el_store *s, el_dataset_meta *meta, const el_dataset *d, int force,
                        volatile sig_atomic_t *cancel, el_error *err);
/* Streaming save: begin a new version of kind (opens the write transaction:
 * other writers wait until commit/abort), append chunks in row order, then
 * commit with the final metadata (counts, sha256). commit returns EL_ERR_EXISTS
 * (meta->id = the existing version, nothing stored) when the hash is already
 * stored and !force; on any failure everything appended is rolled back.
 * commit and abort free w. */
el_status el_store_begin(el_store *s, el_kind kind, el_store_writer **w, el_error *err);
el_status el_store_append(el_store_writer *w, const el_dataset *chunk, volatile sig_atomic_t *cancel, el_error *err);
el_status el_store_commit(el_store_writer *w, el_dataset_meta *meta, int force, volatile sig_atomic_t *cancel,
                          el_error *err);
void el_store_abort(el_store_writer *w);
/* Load version id (meta may be NULL). EL_ERR_NOTFOUND if there is none. */
el_status el_store_load(el_store *s, int64_t id, el_dataset **out, el_dataset_meta *meta, el_error *err);
el_status el_store_get_meta(el_store *s, int64_t id, el_dataset_meta *meta, el_error *err);
/* Most recent version id of a kind (kind < 0: any), or EL_ERR_NOTFOUND. */
el_status el_store_latest(el_store *s, int kind, int64_t *id, el_error *err);
/* All versions, oldest first. */
el_status el_store_list(el_store *s, el_dataset_meta **out, size_t *n, el_error *err);
/* The backend's native handle (sqlite3 * for SQLite) so other modules (e.g.
 * the web audit log) can keep their own tables in the same store. Borrowed. */
void *el_store_native(el_store *s);

/* Store-wide settings kept in the store itself (e.g. "pseudonym_key_fingerprint").
 * get: EL_OK and buf filled, or EL_ERR_NOTFOUND. set: insert or replace; inside
 * an open writer (el_store_begin) it is part of that transaction. */
el_status el_store_get_value(el_store *s, const char *key, char *buf, size_t cap, el_error *err);
el_status el_store_set_value(el_store *s, const char *key, const char *value, el_error *err);
/* *yes = 1 when some stored dataset has the column field (canonical name). */
el_status el_store_has_field(el_store *s, const char *field, int *yes, el_error *err);

/* Backend constructors (used by el_store_open). */
el_store *el_store_sqlite_open(const char *path, el_error *err);
el_store *el_store_sqlite_open_readonly(const char *path, el_error *err);

#endif
