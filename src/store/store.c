/* store.c — backend dispatch for the dataset store (owner: import). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "equitylens/store.h"

const char *el_store_default_location(void)
{
    const char *e = getenv("EQUITYLENS_DB");
    return e && *e ? e : "./equitylens.db";
}

/* The SQLite path of location, or NULL (after setting err) for a server URL. */
static const char *sqlite_path(const char *location, el_error *err)
{
    if (!location || !*location) location = el_store_default_location();
    if (!strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11)) {
        el_error_set(err, EL_ERR_INVALID, "the PostgreSQL store is not built into this version; use a SQLite file path");
        return NULL;
    }
    return !strncmp(location, "sqlite:", 7) ? location + 7 : location;
}

el_store *el_store_open(const char *location, el_error *err)
{
    const char *path = sqlite_path(location, err);
    return path ? el_store_sqlite_open(path, err) : NULL;
}

el_store *el_store_open_readonly(const char *location, el_error *err)
{
    const char *path = sqlite_path(location, err);
    return path ? el_store_sqlite_open_readonly(path, err) : NULL;
}

int el_store_exists(const char *location)
{
    const char *path = sqlite_path(location, NULL);
    return !path || access(path, F_OK) == 0;
}

void el_store_discard(const char *location)
{
    const char *path = sqlite_path(location, NULL);
    if (!path) return;
    static const char *const side[] = {"", "-wal", "-shm", "-journal"};
    char buf[4200];
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        snprintf(buf, sizeof buf, "%s%s", path, side[i]);
        unlink(buf);
    }
}

el_status el_store_duplicate_error(const el_dataset_meta *old, el_error *err)
{
    return el_error_set(err, EL_ERR_EXISTS,
                        "identical file already imported as dataset %lld (%s, %s); use --force to import it again",
                        (long long)old->id, old->source, old->imported_at);
}

void el_store_close(el_store *s)
{
    if (s) s->ops->close(s);
}

const char *el_store_backend(const el_store *s) { return s->ops->backend; }

el_status el_store_find_hash(el_store *s, const char *sha256, el_dataset_meta *found, el_error *err)
{
    return s->ops->find_hash(s, sha256, found, err);
}

el_status el_store_save(el_store *s, el_dataset_meta *meta, const el_dataset *d, int force,
                        volatile sig_atomic_t *cancel, el_error *err)
{
    return s->ops->save(s, meta, d, force, cancel, err);
}

el_status el_store_begin(el_store *s, el_kind kind, el_store_writer **w, el_error *err)
{
    *w = NULL;
    if (!s->ops->begin) return el_error_set(err, EL_ERR_INVALID, "the %s store cannot stream a save", s->ops->backend);
    return s->ops->begin(s, kind, w, err);
}

el_status el_store_append(el_store_writer *w, const el_dataset *chunk, volatile sig_atomic_t *cancel, el_error *err)
{
    return w->store->ops->append(w, chunk, cancel, err);
}

el_status el_store_commit(el_store_writer *w, el_dataset_meta *meta, int force, volatile sig_atomic_t *cancel,
                          el_error *err)
{
    return w->store->ops->commit(w, meta, force, cancel, err);
}

void el_store_abort(el_store_writer *w)
{
    if (w) w->store->ops->abort(w);
}

el_status el_store_load(el_store *s, int64_t id, el_dataset **out, el_dataset_meta *meta, el_error *err)
{
    return s->ops->load(s, id, out, meta, err);
}

el_status el_store_get_meta(el_store *s, int64_t id, el_dataset_meta *meta, el_error *err)
{
    return s->ops->get_meta(s, id, meta, err);
}

el_status el_store_list(el_store *s, el_dataset_meta **out, size_t *n, el_error *err)
{
    return s->ops->list(s, out, n, err);
}

el_status el_store_latest(el_store *s, int kind, int64_t *id, el_error *err)
{
    el_dataset_meta *all = NULL;
    size_t n = 0;
    el_status st = el_store_list(s, &all, &n, err);
    if (st != EL_OK) return st;
    int64_t best = -1;
    for (size_t i = 0; i < n; i++)
        if ((kind < 0 || (int)all[i].kind == kind) && all[i].id > best) best = all[i].id;
    free(all);
    if (best < 0) return el_error_set(err, EL_ERR_NOTFOUND, "no dataset%s%s in the store",
                                      kind >= 0 ? " of kind " : "", kind >= 0 ? el_kind_name((el_kind)kind) : "");
    *id = best;
    return EL_OK;
}

void *el_store_native(el_store *s) { return s->ops->native ? s->ops->native(s) : NULL; }

static el_status no_settings(el_store *s, el_error *err)
{
    return el_error_set(err, EL_ERR_INVALID, "the %s store has no settings table", s->ops->backend);
}

el_status el_store_get_value(el_store *s, const char *key, char *buf, size_t cap, el_error *err)
{
    return s->ops->get_value ? s->ops->get_value(s, key, buf, cap, err) : no_settings(s, err);
}

el_status el_store_set_value(el_store *s, const char *key, const char *value, el_error *err)
{
    return s->ops->set_value ? s->ops->set_value(s, key, value, err) : no_settings(s, err);
}

el_status el_store_has_field(el_store *s, const char *field, int *yes, el_error *err)
{
    *yes = 0;
    return s->ops->has_field ? s->ops->has_field(s, field, yes, err) : no_settings(s, err);
}
