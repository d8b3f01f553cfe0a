/* dataset.c — columnar, dictionary-encoded canonical dataset (owner: import).
 * Columns are allocated lazily (a field never set costs nothing until it is
 * read); dictionaries are open-addressing hash tables over strings kept in a
 * chunked arena (strings never move, so el_dataset_str pointers stay valid). */
#include <stdlib.h>
#include <string.h>
#include "equitylens/dataset.h"

typedef struct arena_block { struct arena_block *next; size_t used, cap; char data[]; } arena_block;

typedef struct {
    const char **strs;    /* index → string (in the arena) */
    uint32_t *hashes;     /* index → hash */
    size_t n, cap;
    int32_t *slots;       /* hash table of indices, -1 = empty */
    size_t nslots;        /* power of two */
} dict;

struct el_dataset {
    el_kind kind;
    size_t rows, cap;
    int32_t **cols;       /* EL_F__COUNT pointers, NULL until first needed */
    unsigned char has[EL_F__COUNT];
    dict dicts[EL_F__COUNT];
    arena_block *arena;
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
    return h;
}

static char *arena_dup(el_dataset *d, const char *s)
{
    size_t n = strlen(s) + 1;
    arena_block *b = d->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = b; nb->used = 0; nb->cap = cap;
        d->arena = b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    b->used += n;
    return p;
}

el_dataset *el_dataset_new(el_kind kind)
{
    if ((int)kind < 0 || kind >= EL_KIND__COUNT) return NULL;
    el_dataset *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->kind = kind;
    d->cols = calloc(EL_F__COUNT, sizeof *d->cols);
    if (!d->cols) { free(d); return NULL; }
    return d;
}

void el_dataset_free(el_dataset *d)
{
    if (!d) return;
    for (int f = 0; f < EL_F__COUNT; f++) {
        free(d->cols[f]);
        free(d->dicts[f].strs); free(d->dicts[f].hashes); free(d->dicts[f].slots);
    }
    free(d->cols);
    for (arena_block *b = d->arena; b;) { arena_block *n = b->next; free(b); b = n; }
    free(d);
}

el_kind el_dataset_kind(const el_dataset *d) { return d->kind; }
size_t el_dataset_rows(const el_dataset *d) { return d->rows; }

static int valid_field(el_field f) { return (int)f >= 0 && f < EL_F__COUNT; }

int el_dataset_has(const el_dataset *d, el_field f)
{
    return valid_field(f) ? d->has[f] : 0;
}

void el_dataset_set_has(el_dataset *d, el_field f, int has)
{
    if (valid_field(f)) d->has[f] = has ? 1 : 0;
}

/* Make sure column f exists with capacity d->cap, NA-filled. */
static int32_t *col_ensure(int32_t **cols, el_field f, size_t rows, size_t cap)
{
    if (cols[f]) return cols[f];
    size_t c = cap ? cap : 1;
    int32_t *p = malloc(c * sizeof *p);
    if (!p) return NULL;
    for (size_t i = 0; i < rows; i++) p[i] = EL_NA;
    cols[f] = p;
    return p;
}

el_status el_dataset_reserve(el_dataset *d, size_t rows)
{
    if (rows <= d->cap) return EL_OK;
    for (int f = 0; f < EL_F__COUNT; f++) {
        if (!d->cols[f]) continue;
        int32_t *p = realloc(d->cols[f], rows * sizeof *p);
        if (!p) return EL_ERR_NOMEM;
        d->cols[f] = p;
    }
    d->cap = rows;
    return EL_OK;
}

size_t el_dataset_add_rows(el_dataset *d, size_t n)
{
    if (n > ((size_t)INT32_MAX) - d->rows) return (size_t)-1;
    if (d->rows + n > d->cap) {
        size_t nc = d->cap ? d->cap : 1024;
        while (nc < d->rows + n) nc *= 2;
        if (el_dataset_reserve(d, nc) != EL_OK) return (size_t)-1;
    }
    size_t first = d->rows;
    for (int f = 0; f < EL_F__COUNT; f++) {
        int32_t *p = d->cols[f];
        if (!p) continue;
        for (size_t i = first; i < first + n; i++) p[i] = EL_NA;
    }
    d->rows += n;
    return first;
}

size_t el_dataset_add_row(el_dataset *d) { return el_dataset_add_rows(d, 1); }

const int32_t *el_dataset_col(const el_dataset *d, el_field f)
{
    if (!valid_field(f)) return NULL;
    return col_ensure(d->cols, f, d->rows, d->cap);
}

int32_t *el_dataset_col_mut(el_dataset *d, el_field f)
{
    if (!valid_field(f)) return NULL;
    return col_ensure(d->cols, f, d->rows, d->cap);
}

int el_dataset_col_exists(const el_dataset *d, el_field f)
{
    return valid_field(f) && d->cols[f] != NULL;
}

int32_t el_dataset_get(const el_dataset *d, size_t row, el_field f)
{
    if (!valid_field(f) || row >= d->rows || !d->cols[f]) return EL_NA;
    return d->cols[f][row];
}

void el_dataset_set(el_dataset *d, size_t row, el_field f, int32_t v)
{
    if (!valid_field(f) || row >= d->rows) return;
    int32_t *c = col_ensure(d->cols, f, d->rows, d->cap);
    if (c) c[row] = v;
}

static int dict_grow_slots(dict *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 64;
    int32_t *s = malloc(ns * sizeof *s);
    if (!s) return -1;
    memset(s, 0xff, ns * sizeof *s); /* -1 */
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->hashes[i] & (ns - 1);
        while (s[j] >= 0) j = (j + 1) & (ns - 1);
        s[j] = (int32_t)i;
    }
    free(t->slots);
    t->slots = s;
    t->nslots = ns;
    return 0;
}

static int32_t dict_find(const dict *t, const char *s, uint32_t h, size_t *slot)
{
    if (!t->nslots) { if (slot) *slot = 0; return EL_NA; }
    size_t j = h & (t->nslots - 1);
    for (;;) {
        int32_t i = t->slots[j];
        if (i < 0) { if (slot) *slot = j; return EL_NA; }
        if (t->hashes[i] == h && !strcmp(t->strs[i], s)) return i;
        j = (j + 1) & (t->nslots - 1);
    }
}

el_status el_dataset_intern(el_dataset *d, el_field f, const char *s, int32_t *idx)
{
    if (!valid_field(f) || !s) return EL_ERR_INVALID;
    dict *t = &d->dicts[f];
    uint32_t h = hash_str(s);
    size_t slot;
    int32_t i = dict_find(t, s, h, &slot);
    if (i != EL_NA) { *idx = i; return EL_OK; }
    if (t->n >= (size_t)INT32_MAX - 1) return EL_ERR_RANGE;
    if ((t->n + 1) * 2 > t->nslots) { /* keep load factor <= 1/2 */
        if (dict_grow_slots(t)) return EL_ERR_NOMEM;
        dict_find(t, s, h, &slot);
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        const char **ns = realloc(t->strs, nc * sizeof *ns);
        if (!ns) return EL_ERR_NOMEM;
        t->strs = ns;
        uint32_t *nh = realloc(t->hashes, nc * sizeof *nh);
        if (!nh) return EL_ERR_NOMEM;
        t->hashes = nh;
        t->cap = nc;
    }
    char *copy = arena_dup(d, s);
    if (!copy) return EL_ERR_NOMEM;
    t->strs[t->n] = copy;
    t->hashes[t->n] = h;
    t->slots[slot] = (int32_t)t->n;
    *idx = (int32_t)t->n++;
    return EL_OK;
}

el_status el_dataset_set_str(el_dataset *d, size_t row, el_field f, const char *s)
{
    if (!valid_field(f) || row >= d->rows) return EL_ERR_INVALID;
    if (!s) { el_dataset_set(d, row, f, EL_NA); return EL_OK; }
    int32_t idx;
    el_status st = el_dataset_intern(d, f, s, &idx);
    if (st != EL_OK) return st;
    int32_t *c = col_ensure(d->cols, f, d->rows, d->cap);
    if (!c) return EL_ERR_NOMEM;
    c[row] = idx;
    return EL_OK;
}

const char *el_dataset_str(const el_dataset *d, el_field f, int32_t idx)
{
    if (!valid_field(f) || idx < 0 || (size_t)idx >= d->dicts[f].n) return NULL;
    return d->dicts[f].strs[idx];
}

int32_t el_dataset_lookup(const el_dataset *d, el_field f, const char *s)
{
    if (!valid_field(f) || !s) return EL_NA;
    return dict_find(&d->dicts[f], s, hash_str(s), NULL);
}

size_t el_dataset_dict_size(const el_dataset *d, el_field f)
{
    return valid_field(f) ? d->dicts[f].n : 0;
}
