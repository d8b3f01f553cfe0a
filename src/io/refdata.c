/* refdata.c — loader and lookups for the shipped reference data (owner: refdata).
 * See include/equitylens/refdata.h and docs/reference-data.md. */
#include "equitylens/refdata.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "equitylens/csv.h"
#include "equitylens/parse.h"

/* ---------------- string arena ---------------- */
typedef struct arena_blk { struct arena_blk *next; size_t used, cap; char data[]; } arena_blk;
typedef struct { arena_blk *head; } arena;

static const char *arena_strdup(arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        arena_blk *b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head; b->used = 0; b->cap = cap;
        a->head = b;
    }
    char *p = a->head->data + a->head->used;
    memcpy(p, s, n);
    a->head->used += n;
    return p;
}

static void arena_free(arena *a)
{
    for (arena_blk *b = a->head, *nx; b; b = nx) { nx = b->next; free(b); }
    a->head = NULL;
}

/* ---------------- string → int32 hash map (open addressing) ---------------- */
typedef struct { const char **keys; int32_t *vals; size_t cap, n; } strmap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h ^ (h >> 29);
}

static int32_t strmap_get(const strmap *m, const char *k)
{
    if (!m->cap || !k) return -1;
    size_t mask = m->cap - 1;
    for (size_t i = hash_str(k) & mask;; i = (i + 1) & mask) {
        if (!m->keys[i]) return -1;
        if (!strcmp(m->keys[i], k)) return m->vals[i];
    }
}

static int strmap_grow(strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    const char **nk = calloc(ncap, sizeof *nk);
    int32_t *nv = calloc(ncap, sizeof *nv);
    if (!nk || !nv) { free(nk); free(nv); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = hash_str(m->keys[i]) & (ncap - 1);
        while (nk[j]) j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i]; nv[j] = m->vals[i];
    }
    free(m->keys); free(m->vals);
    m->keys = nk; m->vals = nv; m->cap = ncap;
    return 0;
}

/* key must outlive the map (arena string). */
static int strmap_put(strmap *m, const char *k, int32_t v)
{
    if ((m->n + 1) * 2 > m->cap && strmap_grow(m)) return -1;
    size_t mask = m->cap - 1;
    size_t i = hash_str(k) & mask;
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], k)) { m->vals[i] = v; return 0; }
        i = (i + 1) & mask;
    }
    m->keys[i] = k; m->vals[i] = v; m->n++;
    return 0;
}

static void strmap_free(strmap *m) { free(m->keys); free(m->vals); memset(m, 0, sizeof *m); }

/* ---------------- tables ---------------- */
typedef struct {
    const char *code;
    int32_t imd_decile, imd_rank;   /* 0 when absent */
    double imd_score;
    int32_t area[3];                /* index per el_area_type, -1 if absent */
    int32_t link_first, link_n;     /* into the vintage's link list */
    int32_t pop_age[EL_POP_AGE5Y];  /* LSOA21: census age6 in [0..5]; LSOA11: mid-2020 5-year bands */
    int32_t eth5[EL_POP_ETH5], eth_total;
    unsigned char has_pop_age, has_pop_eth;
} lsoa_rec;

typedef struct { strmap map; lsoa_rec *recs; size_t n, cap; int32_t *links; } lsoa_tab;

typedef struct { strmap map; const char **code, **nhs, **name; size_t n, cap; } area_tab;

typedef struct { int32_t a, b; char change; } link_pair;  /* a = lsoa11 idx, b = lsoa21 idx */

struct el_refdata {
    char dir[4096];
    unsigned loaded;
    size_t rows[8];
    arena strs;
    lsoa_tab t[2];           /* 0 = LSOA 2011, 1 = LSOA 2021 */
    area_tab areas[2][3];    /* [vintage][el_area_type] */
    link_pair *pairs;
    size_t npairs;
};

static int vidx(el_lsoa_vintage v) { return v == EL_LSOA21 ? 1 : 0; }

static int32_t lsoa_add(el_refdata *r, lsoa_tab *t, const char *code)
{
    int32_t i = strmap_get(&t->map, code);
    if (i >= 0) return i;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        lsoa_rec *nr = realloc(t->recs, nc * sizeof *nr);
        if (!nr) return -1;
        t->recs = nr; t->cap = nc;
    }
    const char *k = arena_strdup(&r->strs, code);
    if (!k) return -1;
    lsoa_rec *rec = &t->recs[t->n];
    memset(rec, 0, sizeof *rec);
    rec->code = k;
    rec->imd_score = NAN;
    rec->area[0] = rec->area[1] = rec->area[2] = -1;
    if (strmap_put(&t->map, k, (int32_t)t->n)) return -1;
    return (int32_t)t->n++;
}

static const lsoa_rec *lsoa_find(const el_refdata *r, el_lsoa_vintage v, const char *code)
{
    if (!r || !code) return NULL;
    const lsoa_tab *t = &r->t[vidx(v)];
    int32_t i = strmap_get(&t->map, code);
    return i < 0 ? NULL : &t->recs[i];
}

static int32_t area_add(el_refdata *r, area_tab *a, const char *code, const char *nhs, const char *name)
{
    int32_t i = strmap_get(&a->map, code);
    if (i >= 0) return i;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        const char **c1 = realloc(a->code, nc * sizeof *c1);
        if (!c1) return -1;
        a->code = c1;
        const char **c2 = realloc(a->nhs, nc * sizeof *c2);
        if (!c2) return -1;
        a->nhs = c2;
        const char **c3 = realloc(a->name, nc * sizeof *c3);
        if (!c3) return -1;
        a->name = c3;
        a->cap = nc;
    }
    const char *kc = arena_strdup(&r->strs, code);
    const char *kn = nhs ? arena_strdup(&r->strs, nhs) : NULL;
    const char *kname = arena_strdup(&r->strs, name);
    if (!kc || (nhs && !kn) || !kname) return -1;
    a->code[a->n] = kc; a->nhs[a->n] = kn; a->name[a->n] = kname;
    if (strmap_put(&a->map, kc, (int32_t)a->n)) return -1;
    if (kn && *kn && strmap_get(&a->map, kn) < 0 && strmap_put(&a->map, kn, (int32_t)a->n)) return -1;
    return (int32_t)a->n++;
}

/* ---------------- CSV helpers ---------------- */
typedef struct {
    el_csv *c;
    char path[4200];
    const char *rel;
    int col[32];
    int ncol;
} rfile;

static el_status rf_open(rfile *f, const el_refdata *r, const char *rel, const char *const *cols,
                         int ncols, el_error *err)
{
    memset(f, 0, sizeof *f);
    f->rel = rel;
    snprintf(f->path, sizeof f->path, "%s/%s", r->dir, rel);
    f->c = el_csv_open(f->path, NULL, err);
    if (!f->c) return err ? err->status : EL_ERR_IO;
    el_csv_result res = el_csv_next(f->c, err);
    if (res != EL_CSV_ROW) {
        el_csv_close(f->c); f->c = NULL;
        if (res == EL_CSV_EOF) return el_error_at(err, EL_ERR_PARSE, f->path, 1, 0, NULL, "empty file (no header)");
        return err ? err->status ? err->status : EL_ERR_PARSE : EL_ERR_PARSE;
    }
    size_t nf = el_csv_nfields(f->c);
    for (int k = 0; k < ncols; k++) {
        f->col[k] = -1;
        for (size_t j = 0; j < nf; j++)
            if (!strcmp(el_csv_field(f->c, j), cols[k])) { f->col[k] = (int)j; break; }
        if (f->col[k] < 0) {
            el_csv_close(f->c); f->c = NULL;
            return el_error_at(err, EL_ERR_PARSE, f->path, 1, 0, cols[k], "required column '%s' not in header", cols[k]);
        }
    }
    f->ncol = ncols;
    return EL_OK;
}

/* 1 = row, 0 = EOF, -1 = error (err filled). */
static int rf_next(rfile *f, el_error *err)
{
    el_csv_result res = el_csv_next(f->c, err);
    if (res == EL_CSV_EOF) return 0;
    if (res == EL_CSV_ROW) return 1;
    if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", f->path);
    if (err && res == EL_CSV_BAD) err->status = EL_ERR_PARSE;
    return -1;
}

static const char *rf_get(const rfile *f, int k) { return el_csv_field(f->c, (size_t)f->col[k]); }

static el_status rf_bad(rfile *f, int k, el_error *err, const char *what)
{
    return el_error_at(err, EL_ERR_PARSE, f->path, el_csv_line(f->c), f->col[k] + 1, NULL,
                       "%s: '%s'", what, rf_get(f, k));
}

static el_status rf_int(rfile *f, int k, int64_t lo, int64_t hi, int32_t *out, el_error *err)
{
    int64_t v;
    if (el_parse_i64(rf_get(f, k), 1, &v) || v < lo || v > hi) return rf_bad(f, k, err, "bad number");
    *out = (int32_t)v;
    return EL_OK;
}

static el_status rf_code(rfile *f, int k, el_error *err)
{
    return el_lsoa_code_valid(rf_get(f, k)) ? EL_OK : rf_bad(f, k, err, "not an LSOA code");
}

static void rf_close(rfile *f) { el_csv_close(f->c); f->c = NULL; }

int el_lsoa_code_valid(const char *s)
{
    if (!s || (s[0] != 'E' && s[0] != 'W') || s[1] != '0' || s[2] != '1') return 0;
    for (int i = 3; i < 9; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return s[9] == '\0';
}

#define OOM(err) el_error_set(err, EL_ERR_NOMEM, "out of memory loading reference data")

/* ---------------- loaders ---------------- */
static el_status load_imd(el_refdata *r, int edition, el_error *err)
{
    static const char *c19[] = {"LSOA code (2011)", "Index of Multiple Deprivation (IMD) Rank",
                                "Index of Multiple Deprivation (IMD) Decile"};
    static const char *c25[] = {"lsoa21_code", "IMD_rank", "IMD_decile", "IMD_score"};
    rfile f;
    int is25 = edition == 2025;
    el_status s = rf_open(&f, r, is25 ? "imd/iod2025_imd_lsoa21.csv" : "imd/iod2019_file1_imd_lsoa11.csv",
                          is25 ? c25 : c19, is25 ? 4 : 3, err);
    if (s) return s;
    lsoa_tab *t = &r->t[is25];
    size_t n = 0;
    int rc;
    while ((rc = rf_next(&f, err)) == 1) {
        int32_t rank, dec;
        if ((s = rf_code(&f, 0, err)) || (s = rf_int(&f, 1, 1, 1000000, &rank, err)) ||
            (s = rf_int(&f, 2, 1, 10, &dec, err)))
            goto out;
        int32_t i = lsoa_add(r, t, rf_get(&f, 0));
        if (i < 0) { s = OOM(err); goto out; }
        lsoa_rec *rec = &t->recs[i];
        if (rec->imd_decile) { s = rf_bad(&f, 0, err, "duplicate LSOA"); goto out; }
        rec->imd_decile = dec;
        rec->imd_rank = rank;
        if (is25) {
            double sc;
            if (el_parse_double(rf_get(&f, 3), 0, &sc)) { s = rf_bad(&f, 3, err, "bad number"); goto out; }
            rec->imd_score = sc;
        }
        n++;
    }
    if (rc < 0) { s = err ? err->status : EL_ERR_PARSE; goto out; }
    r->rows[is25 ? 1 : 0] = n;
out:
    rf_close(&f);
    return s;
}

static el_status load_map(el_refdata *r, el_error *err)
{
    static const char *cols[] = {"lsoa11_code", "change_code", "lsoa21_code"};
    rfile f;
    el_status s = rf_open(&f, r, "lookups/lsoa11_lsoa21_lad22_ew.csv", cols, 3, err);
    if (s) return s;
    size_t cap = 0;
    int rc;
    while ((rc = rf_next(&f, err)) == 1) {
        if ((s = rf_code(&f, 0, err)) || (s = rf_code(&f, 2, err))) goto out;
        const char *ch = rf_get(&f, 1);
        if (strlen(ch) != 1 || !strchr("USMX", ch[0])) { s = rf_bad(&f, 1, err, "bad change code"); goto out; }
        int32_t a = lsoa_add(r, &r->t[0], rf_get(&f, 0));
        int32_t b = lsoa_add(r, &r->t[1], rf_get(&f, 2));
        if (a < 0 || b < 0) { s = OOM(err); goto out; }
        if (r->npairs == cap) {
            size_t nc = cap ? cap * 2 : 40000;
            link_pair *np = realloc(r->pairs, nc * sizeof *np);
            if (!np) { s = OOM(err); goto out; }
            r->pairs = np; cap = nc;
        }
        r->pairs[r->npairs++] = (link_pair){a, b, ch[0]};
    }
    if (rc < 0) { s = err ? err->status : EL_ERR_PARSE; goto out; }
    r->rows[2] = r->npairs;
    /* Per-vintage link lists: counting sort of pair indices by LSOA index. */
    for (int v = 0; v < 2; v++) {
        lsoa_tab *t = &r->t[v];
        for (size_t i = 0; i < t->n; i++) t->recs[i].link_n = 0;
        for (size_t p = 0; p < r->npairs; p++) t->recs[v ? r->pairs[p].b : r->pairs[p].a].link_n++;
        int32_t acc = 0;
        for (size_t i = 0; i < t->n; i++) { t->recs[i].link_first = acc; acc += t->recs[i].link_n; t->recs[i].link_n = 0; }
        free(t->links);
        t->links = malloc((r->npairs ? r->npairs : 1) * sizeof *t->links);
        if (!t->links) { s = OOM(err); goto out; }
        for (size_t p = 0; p < r->npairs; p++) {
            lsoa_rec *rec = &t->recs[v ? r->pairs[p].b : r->pairs[p].a];
            t->links[rec->link_first + rec->link_n++] = (int32_t)p;
        }
    }
out:
    rf_close(&f);
    return s;
}

/* The LSOA code in column 0 of the current row, checked, and its record in table v
 * (added when new): *i its index. */
static el_status rf_lsoa(rfile *f, el_refdata *r, int v, int32_t *i, el_error *err)
{
    el_status s = rf_code(f, 0, err);
    if (s) return s;
    *i = lsoa_add(r, &r->t[v], rf_get(f, 0));
    return *i < 0 ? OOM(err) : EL_OK;
}

/* Geography: cols = lsoa, then per area (LA, sub-ICB, ICB) code, nhs code (or NULL), name. */
static el_status load_geo(el_refdata *r, int v, const char *rel, const char *const *cols, int ncols,
                          const int *types, int ntypes, el_error *err)
{
    rfile f;
    el_status s = rf_open(&f, r, rel, cols, ncols, err);
    if (s) return s;
    size_t n = 0;
    int rc;
    while ((rc = rf_next(&f, err)) == 1) {
        int32_t i;
        if ((s = rf_lsoa(&f, r, v, &i, err))) goto out;
        int k = 1;
        for (int a = 0; a < ntypes; a++) {
            int t = types[a];
            int has_nhs = t != EL_AREA_LA;
            const char *code = rf_get(&f, k), *nhs = has_nhs ? rf_get(&f, k + 1) : NULL;
            const char *name = rf_get(&f, k + 1 + has_nhs);
            if (!*code) { s = rf_bad(&f, k, err, "empty area code"); goto out; }
            int32_t ai = area_add(r, &r->areas[v][t], code, nhs, name);
            if (ai < 0) { s = OOM(err); goto out; }
            lsoa_rec *rec = &r->t[v].recs[i];
            if (rec->area[t] >= 0 && rec->area[t] != ai) { s = rf_bad(&f, 0, err, "LSOA in two areas"); goto out; }
            rec->area[t] = ai;
            k += 2 + has_nhs;
        }
        n++;
    }
    if (rc < 0) { s = err ? err->status : EL_ERR_PARSE; goto out; }
    if (!r->rows[v ? 4 : 3]) r->rows[v ? 4 : 3] = n;
out:
    rf_close(&f);
    return s;
}

static el_status load_geo11(el_refdata *r, el_error *err)
{
    static const char *cols[] = {"lsoa11_code", "ltla22_code", "ltla22_name",
                                 "sicbl22_code", "sicbl22_code_h", "sicbl22_name",
                                 "icb22_code", "icb22_code_h", "icb22_name"};
    static const int types[] = {EL_AREA_LA, EL_AREA_SUBICB, EL_AREA_ICB};
    return load_geo(r, 0, "lookups/lsoa11_sicbl22_icb22_lad22_en.csv", cols, 9, types, 3, err);
}

static el_status load_geo21(el_refdata *r, el_error *err)
{
    static const char *c1[] = {"lsoa21_code", "sicbl24_code", "sicbl24_code_nhs", "sicbl24_name",
                               "icb24_code", "icb24_code_nhs", "icb24_name"};
    static const int t1[] = {EL_AREA_SUBICB, EL_AREA_ICB};
    static const char *c2[] = {"lsoa21_code", "ltla24_code", "ltla24_name"};
    static const int t2[] = {EL_AREA_LA};
    el_status s = load_geo(r, 1, "lookups/lsoa21_sicbl24_icb24_en.csv", c1, 7, t1, 2, err);
    return s ? s : load_geo(r, 1, "lookups/lsoa21_lad24_ew.csv", c2, 3, t2, 1, err);
}

static const char *const age6_src[EL_POP_AGE6] = {
    "Aged 15 years and under", "Aged 16 to 24 years", "Aged 25 to 34 years",
    "Aged 35 to 49 years", "Aged 50 to 64 years", "Aged 65 years and over"};
static const char *const age6_lab[EL_POP_AGE6] = {"0-15", "16-24", "25-34", "35-49", "50-64", "65+"};
static const char *const eth5_src[EL_POP_ETH5] = {
    "White", "Mixed or Multiple ethnic groups", "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African", "Other ethnic group"};
static const char *const eth5_lab[EL_POP_ETH5] = {"White", "Mixed", "Asian", "Black", "Other"};
static const char *const age5y_src[EL_POP_AGE5Y] = {
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"};
static const char *const age5y_lab[EL_POP_AGE5Y] = {
    "00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"};

const char *el_pop_age6_label(int i) { return i >= 0 && i < EL_POP_AGE6 ? age6_lab[i] : NULL; }
const char *el_pop_eth5_label(int i) { return i >= 0 && i < EL_POP_ETH5 ? eth5_lab[i] : NULL; }
const char *el_pop_age5y_label(int i) { return i >= 0 && i < EL_POP_AGE5Y ? age5y_lab[i] : NULL; }

int el_pop_age6_index(int age)
{
    if (age < 0) return -1;
    if (age <= 15) return 0;
    if (age <= 24) return 1;
    if (age <= 34) return 2;
    if (age <= 49) return 3;
    if (age <= 64) return 4;
    return 5;
}

static el_status load_pop(el_refdata *r, int v, const char *rel, const char *const *vals, int nvals,
                          const char *total_col, int is_eth, el_error *err)
{
    const char *cols[24];
    int nc = 0;
    cols[nc++] = v ? "lsoa21_code" : "lsoa11_code";
    if (total_col) cols[nc++] = total_col;
    for (int i = 0; i < nvals; i++) cols[nc++] = vals[i];
    rfile f;
    el_status s = rf_open(&f, r, rel, cols, nc, err);
    if (s) return s;
    size_t n = 0;
    int rc;
    while ((rc = rf_next(&f, err)) == 1) {
        int32_t i;
        if ((s = rf_lsoa(&f, r, v, &i, err))) goto out;
        lsoa_rec *rec = &r->t[v].recs[i];
        if (is_eth ? rec->has_pop_eth : rec->has_pop_age) { s = rf_bad(&f, 0, err, "duplicate LSOA"); goto out; }
        int32_t total = 0;
        if (total_col && (s = rf_int(&f, 1, 0, 10000000, &total, err))) goto out;
        int64_t sum = 0;
        for (int k = 0; k < nvals; k++) {
            int32_t x;
            if ((s = rf_int(&f, k + (total_col ? 2 : 1), 0, 10000000, &x, err))) goto out;
            if (is_eth) rec->eth5[k] = x; else rec->pop_age[k] = x;
            sum += x;
        }
        if (total_col && !is_eth && sum != total) { s = rf_bad(&f, 1, err, "bands do not add up to the total"); goto out; }
        if (is_eth) { rec->eth_total = total; rec->has_pop_eth = 1; } else rec->has_pop_age = 1;
        n++;
    }
    if (rc < 0) { s = err ? err->status : EL_ERR_PARSE; goto out; }
    if (v == 0) r->rows[6] = n;
    else if (!is_eth) r->rows[5] = n;
out:
    rf_close(&f);
    return s;
}

/* ---------------- public API ---------------- */
static int has_data(const char *dir)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s/imd/iod2019_file1_imd_lsoa11.csv", dir);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

el_status el_refdata_default_dir(char *buf, size_t cap, el_error *err)
{
    const char *env = getenv("EQUITYLENS_DATA");
    if (env && *env) {
        if ((size_t)snprintf(buf, cap, "%s", env) >= cap) return el_error_set(err, EL_ERR_INVALID, "EQUITYLENS_DATA too long");
        return EL_OK;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *rel[] = {"/../data", "/../../data"};
            for (int i = 0; i < 2; i++) {
                char cand[4200];
                snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
                char real[4096];
                if (has_data(cand) && realpath(cand, real)) {
                    if ((size_t)snprintf(buf, cap, "%s", real) >= cap) break;
                    return EL_OK;
                }
            }
        }
    }
    if (has_data("data")) { snprintf(buf, cap, "data"); return EL_OK; }
    return el_error_set(err, EL_ERR_NOTFOUND,
                        "reference data not found: set EQUITYLENS_DATA, or keep data/ next to the "
                        "program (../data or ../../data from it) or in the current directory");
}

el_status el_refdata_load(const char *data_dir, unsigned what, el_refdata **out, el_error *err)
{
    *out = NULL;
    el_refdata *r = calloc(1, sizeof *r);
    if (!r) return OOM(err);
    el_status s = EL_OK;
    if (data_dir && *data_dir) {
        if ((size_t)snprintf(r->dir, sizeof r->dir, "%s", data_dir) >= sizeof r->dir) {
            s = el_error_set(err, EL_ERR_INVALID, "data directory path too long");
            goto fail;
        }
    } else if ((s = el_refdata_default_dir(r->dir, sizeof r->dir, err))) {
        goto fail;
    }
    if ((what & EL_REF_IMD2019) && (s = load_imd(r, 2019, err))) goto fail;
    if ((what & EL_REF_IMD2025) && (s = load_imd(r, 2025, err))) goto fail;
    if ((what & EL_REF_LSOA_MAP) && (s = load_map(r, err))) goto fail;
    if ((what & EL_REF_GEO11) && (s = load_geo11(r, err))) goto fail;
    if ((what & EL_REF_GEO21) && (s = load_geo21(r, err))) goto fail;
    if (what & EL_REF_POP21) {
        if ((s = load_pop(r, 1, "population/census2021_lsoa21_age6.csv", age6_src, EL_POP_AGE6, NULL, 0, err)) ||
            (s = load_pop(r, 1, "population/census2021_lsoa21_ethnic_group_broad.csv", eth5_src, EL_POP_ETH5,
                          "total_residents", 1, err)))
            goto fail;
    }
    if ((what & EL_REF_POP20) &&
        (s = load_pop(r, 0, "population/mid2020_lsoa11_persons_age5.csv", age5y_src, EL_POP_AGE5Y,
                      "total_population", 0, err)))
        goto fail;
    r->loaded = what & EL_REF_ALL;
    *out = r;
    return EL_OK;
fail:
    el_refdata_free(r);
    return s ? s : EL_ERR_INTERNAL;
}

void el_refdata_free(el_refdata *r)
{
    if (!r) return;
    for (int v = 0; v < 2; v++) {
        strmap_free(&r->t[v].map);
        free(r->t[v].recs);
        free(r->t[v].links);
        for (int a = 0; a < 3; a++) {
            area_tab *at = &r->areas[v][a];
            strmap_free(&at->map);
            free(at->code); free(at->nhs); free(at->name);
        }
    }
    free(r->pairs);
    arena_free(&r->strs);
    free(r);
}

unsigned el_refdata_loaded(const el_refdata *r) { return r ? r->loaded : 0; }
const char *el_refdata_dir(const el_refdata *r) { return r ? r->dir : NULL; }

size_t el_refdata_rows(const el_refdata *r, unsigned what)
{
    if (!r) return 0;
    for (int i = 0; i < 7; i++)
        if (what == (1u << i)) return r->rows[i];
    return 0;
}

size_t el_refdata_lsoa_count(const el_refdata *r, el_lsoa_vintage v)
{
    return r ? r->t[vidx(v)].n : 0;
}

const char *el_refdata_lsoa_at(const el_refdata *r, el_lsoa_vintage v, size_t i)
{
    if (!r || i >= r->t[vidx(v)].n) return NULL;
    return r->t[vidx(v)].recs[i].code;
}

int el_refdata_imd(const el_refdata *r, int edition, const char *lsoa, el_imd *out)
{
    if (edition != 2019 && edition != 2025) return 0;
    const lsoa_rec *rec = lsoa_find(r, edition == 2025 ? EL_LSOA21 : EL_LSOA11, lsoa);
    if (!rec || !rec->imd_decile) return 0;
    if (out) {
        out->edition = edition;
        out->decile = rec->imd_decile;
        out->rank = rec->imd_rank;
        out->score = rec->imd_score;
    }
    return 1;
}

size_t el_refdata_lsoa_convert(const el_refdata *r, el_lsoa_vintage from, const char *code,
                               const char **out, size_t cap, char *change)
{
    const lsoa_rec *rec = lsoa_find(r, from, code);
    if (!rec || !rec->link_n) return 0;
    int v = vidx(from);
    const lsoa_tab *other = &r->t[1 - v];
    for (int32_t k = 0; k < rec->link_n; k++) {
        const link_pair *p = &r->pairs[r->t[v].links[rec->link_first + k]];
        if (k == 0 && change) *change = p->change;
        if ((size_t)k < cap) out[k] = other->recs[v ? p->a : p->b].code;
    }
    return (size_t)rec->link_n;
}

int el_refdata_area(const el_refdata *r, el_lsoa_vintage v, const char *lsoa, el_area_type t, el_area *out)
{
    if ((int)t < 0 || t > EL_AREA_ICB) return 0;
    const lsoa_rec *rec = lsoa_find(r, v, lsoa);
    if (!rec || rec->area[t] < 0) return 0;
    const area_tab *a = &r->areas[vidx(v)][t];
    if (out) {
        out->code = a->code[rec->area[t]];
        out->nhs_code = a->nhs[rec->area[t]];
        out->name = a->name[rec->area[t]];
    }
    return 1;
}

int el_refdata_pop21(const el_refdata *r, const char *lsoa21, int64_t age6[EL_POP_AGE6],
                     int64_t eth5[EL_POP_ETH5], int64_t *eth_total)
{
    const lsoa_rec *rec = lsoa_find(r, EL_LSOA21, lsoa21);
    if (!rec || !rec->has_pop_age || !rec->has_pop_eth) return 0;
    if (age6) for (int i = 0; i < EL_POP_AGE6; i++) age6[i] = rec->pop_age[i];
    if (eth5) for (int i = 0; i < EL_POP_ETH5; i++) eth5[i] = rec->eth5[i];
    if (eth_total) *eth_total = rec->eth_total;
    return 1;
}

int el_refdata_pop20(const el_refdata *r, const char *lsoa11, int64_t age5y[EL_POP_AGE5Y])
{
    const lsoa_rec *rec = lsoa_find(r, EL_LSOA11, lsoa11);
    if (!rec || !rec->has_pop_age) return 0;
    if (age5y) for (int i = 0; i < EL_POP_AGE5Y; i++) age5y[i] = rec->pop_age[i];
    return 1;
}

static void catch_add(el_catchment *c, const lsoa_rec *rec)
{
    for (int i = 0; i < EL_POP_AGE6; i++) { c->age6[i] += rec->pop_age[i]; c->total_age += rec->pop_age[i]; }
    for (int i = 0; i < EL_POP_ETH5; i++) c->eth5[i] += rec->eth5[i];
    c->total_eth += rec->eth_total;
    c->lsoas++;
}

el_status el_refdata_catchment(const el_refdata *r, int by, const char *const *codes, size_t n,
                               el_catchment *out, el_error *err)
{
    memset(out, 0, sizeof *out);
    if (!r || !(r->loaded & EL_REF_POP21))
        return el_error_set(err, EL_ERR_INVALID, "catchment needs census 2021 populations (EL_REF_POP21) loaded");
    if (by != -1 && by != EL_AREA_LA && by != EL_AREA_ICB && by != EL_AREA_SUBICB)
        return el_error_set(err, EL_ERR_INVALID, "catchment: unknown area type %d", by);
    if (by != -1 && !(r->loaded & EL_REF_GEO21))
        return el_error_set(err, EL_ERR_INVALID, "catchment by area needs EL_REF_GEO21 loaded");
    const lsoa_tab *t = &r->t[1];
    unsigned char *seen = calloc(t->n ? t->n : 1, 1);
    if (!seen) return OOM(err);
    if (by == -1) {
        for (size_t k = 0; k < n; k++) {
            int32_t i = strmap_get(&t->map, codes[k]);
            if (i < 0 || !t->recs[i].has_pop_age || !t->recs[i].has_pop_eth) { out->not_found++; continue; }
            if (seen[i]) continue;
            seen[i] = 1;
            catch_add(out, &t->recs[i]);
        }
    } else {
        const area_tab *a = &r->areas[1][by];
        unsigned char *want = calloc(a->n ? a->n : 1, 1);
        if (!want) { free(seen); return OOM(err); }
        for (size_t k = 0; k < n; k++) {
            int32_t ai = strmap_get(&a->map, codes[k]);
            if (ai < 0) out->not_found++; else want[ai] = 1;
        }
        for (size_t i = 0; i < t->n; i++) {
            const lsoa_rec *rec = &t->recs[i];
            if (rec->area[by] >= 0 && want[rec->area[by]] && rec->has_pop_age && rec->has_pop_eth)
                catch_add(out, rec);
        }
        free(want);
    }
    free(seen);
    return EL_OK;
}
