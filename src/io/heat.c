/* heat.c — HEAT Plus / healthequal disaggregated-data reader (owner: "who").
 * See heat.h for the layout, aliases and error rules. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "equitylens/heat.h"
#include "equitylens/parse.h"

static const char *const k_field[EL_HEAT_NFIELDS] = {
    "setting", "date", "source", "indicator", "dimension", "subgroup", "subgroup_order",
    "estimate", "se", "population", "favourable_indicator", "ordered_dimension",
    "indicator_scale", "reference_subgroup", "setting_average"};

/* Header aliases per field, in order of preference; NULL-terminated. */
static const char *const k_alias[EL_HEAT_NFIELDS][4] = {
    {"setting", NULL}, {"date", "year", NULL}, {"source", NULL},
    {"indicator", "indicator_abbr", "indicator_name", NULL}, {"dimension", NULL},
    {"subgroup", "row", NULL}, {"subgroup_order", "order", NULL}, {"estimate", "est", NULL},
    {"se", NULL}, {"population", "pop", NULL}, {"favourable_indicator", "favourable", NULL},
    {"ordered_dimension", "ordered", NULL}, {"indicator_scale", "scaleval", "scale", NULL},
    {"reference_subgroup", "ref", NULL}, {"setting_average", NULL}};

#define NKEY 5   /* setting, date, source, indicator, dimension = fields 0..4 */

typedef struct {
    el_ineq_block attr;
    size_t key[NKEY];      /* arena offsets */
    uint64_t hash;
    long line;             /* first row's line */
    size_t start, count;
} hblock;

struct el_heat_data {
    int col[EL_HEAT_NFIELDS];
    size_t nhdr;            /* header field count */
    char *arena;
    size_t alen, acap;
    el_ineq_subgroup *rows;
    size_t *label;          /* arena offset of each row's label */
    size_t *rblock;         /* block of each row */
    size_t nrows, rcap;
    hblock *blocks;
    size_t nblocks, bcap;
    size_t *ht;             /* open addressing: block index + 1, 0 = empty */
    size_t htcap;
};

const char *el_heat_field_name(el_heat_field f)
{
    return (unsigned)f < EL_HEAT_NFIELDS ? k_field[f] : "";
}

void el_heat_free(el_heat_data *d)
{
    if (!d) return;
    free(d->arena); free(d->rows); free(d->label); free(d->rblock);
    free(d->blocks); free(d->ht);
    free(d);
}

int el_heat_has_field(const el_heat_data *d, el_heat_field f)
{
    return (unsigned)f < EL_HEAT_NFIELDS && d->col[f] >= 0;
}
size_t el_heat_nrows(const el_heat_data *d) { return d->nrows; }
size_t el_heat_nblocks(const el_heat_data *d) { return d->nblocks; }
const el_ineq_block *el_heat_block(const el_heat_data *d, size_t b) { return &d->blocks[b].attr; }
const el_ineq_subgroup *el_heat_block_rows(const el_heat_data *d, size_t b, size_t *n)
{
    *n = d->blocks[b].count;
    return d->rows + d->blocks[b].start;
}
const char *el_heat_block_key(const el_heat_data *d, size_t b, el_heat_field f)
{
    if ((unsigned)f >= NKEY) return "";
    return d->arena + d->blocks[b].key[f];
}

static int grow(void **p, size_t *cap, size_t need, size_t elt)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elt);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Copy s into the arena; returns its offset or SIZE_MAX on OOM. */
static size_t intern(el_heat_data *d, const char *s)
{
    size_t n = strlen(s) + 1;
    size_t cap = d->acap;
    void *a = d->arena;
    if (grow(&a, &cap, d->alen + n, 1) != 0) return SIZE_MAX;
    d->arena = a;
    d->acap = cap;
    memcpy(d->arena + d->alen, s, n);
    size_t off = d->alen;
    d->alen += n;
    return off;
}

static int is_missing(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return 1;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return (n == 2 && !strncasecmp(s, "NA", 2)) || (n == 3 && !strncasecmp(s, "NaN", 3)) ||
           (n == 1 && s[0] == '.');
}

static const char *field_text(const el_heat_data *d, const el_csv *c, el_heat_field f)
{
    return d->col[f] >= 0 ? el_csv_field(c, (size_t)d->col[f]) : "";
}

/* Numeric field: NAN when missing or absent; -1 when present but not a number. */
static int get_num(const el_heat_data *d, const el_csv *c, el_heat_field f, double *v, el_error *err)
{
    *v = NAN;
    if (d->col[f] < 0) return 0;
    const char *s = el_csv_field(c, (size_t)d->col[f]);
    if (is_missing(s)) return 0;
    if (el_parse_double(s, 0, v) != 0 || !isfinite(*v)) {
        el_error_at(err, EL_ERR_PARSE, el_csv_name(c), el_csv_line(c), d->col[f] + 1, k_field[f],
                    "not a number: '%.80s'", s);
        return -1;
    }
    return 0;
}

/* 0/1 flag: -1 on error; *v = -1 when missing. */
static int get_flag(const el_heat_data *d, const el_csv *c, el_heat_field f, int *v, el_error *err)
{
    double x;
    if (get_num(d, c, f, &x, err) != 0) return -1;
    if (isnan(x)) { *v = -1; return 0; }
    if (x != 0 && x != 1) {
        el_error_at(err, EL_ERR_PARSE, el_csv_name(c), el_csv_line(c), d->col[f] + 1, k_field[f],
                    "must be 0 or 1 (got '%.40s')", el_csv_field(c, (size_t)d->col[f]));
        return -1;
    }
    *v = (int)x;
    return 0;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ull; }
    h ^= 0x1f; h *= 1099511628211ull;   /* separator so ("ab","c") != ("a","bc") */
    return h;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static int rehash(el_heat_data *d)
{
    size_t cap = d->htcap ? d->htcap * 2 : 1024;
    size_t *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t b = 0; b < d->nblocks; b++) {
        size_t i = (size_t)d->blocks[b].hash & (cap - 1);
        while (t[i]) i = (i + 1) & (cap - 1);
        t[i] = b + 1;
    }
    free(d->ht);
    d->ht = t;
    d->htcap = cap;
    return 0;
}

static el_status header(el_heat_data *d, el_csv *c, const char *const *mname,
                        const char *const *mcol, size_t nmap, el_error *err)
{
    size_t nf = el_csv_nfields(c);
    d->nhdr = nf;
    for (int f = 0; f < EL_HEAT_NFIELDS; f++) d->col[f] = -1;
    for (size_t m = 0; m < nmap; m++) {
        int f;
        for (f = 0; f < EL_HEAT_NFIELDS; f++) if (!strcasecmp(mname[m], k_field[f])) break;
        if (f == EL_HEAT_NFIELDS)
            return el_error_set(err, EL_ERR_INVALID, "--col %s=%s: unknown field '%s' (known: setting, date, source, indicator, dimension, subgroup, subgroup_order, estimate, se, population, favourable_indicator, ordered_dimension, indicator_scale, reference_subgroup, setting_average)", mname[m], mcol[m], mname[m]);
        size_t i;
        for (i = 0; i < nf; i++) if (!strcasecmp(el_csv_field(c, i), mcol[m])) break;
        if (i == nf)
            return el_error_at(err, EL_ERR_INVALID, el_csv_name(c), el_csv_line(c), 0, k_field[f],
                               "--col %s=%s: the header has no column '%s'", mname[m], mcol[m], mcol[m]);
        d->col[f] = (int)i;
    }
    for (int f = 0; f < EL_HEAT_NFIELDS; f++) {
        if (d->col[f] >= 0) continue;
        for (int a = 0; k_alias[f][a] && d->col[f] < 0; a++)
            for (size_t i = 0; i < nf; i++)
                if (!strcasecmp(el_csv_field(c, i), k_alias[f][a])) { d->col[f] = (int)i; break; }
    }
    const el_heat_field req[] = {EL_HEAT_ESTIMATE, EL_HEAT_FAVOURABLE, EL_HEAT_ORDERED};
    for (size_t r = 0; r < sizeof req / sizeof req[0]; r++)
        if (d->col[req[r]] < 0)
            return el_error_at(err, EL_ERR_INVALID, el_csv_name(c), el_csv_line(c), 0, k_field[req[r]],
                               "required column '%s' not found in the header (map another with --col %s=COLUMN)",
                               k_field[req[r]], k_field[req[r]]);
    return EL_OK;
}

static el_status add_row(el_heat_data *d, el_csv *c, el_error *err)
{
    el_ineq_subgroup s;
    memset(&s, 0, sizeof s);
    s.line = el_csv_line(c);
    if (el_csv_nfields(c) != d->nhdr)
        return el_error_at(err, EL_ERR_PARSE, el_csv_name(c), s.line, 0, NULL,
                           "row has %zu field%s; the header has %zu", el_csv_nfields(c),
                           el_csv_nfields(c) == 1 ? "" : "s", d->nhdr);
    int fav, ord, ref;
    if (get_num(d, c, EL_HEAT_ESTIMATE, &s.est, err) || get_num(d, c, EL_HEAT_SE, &s.se, err) ||
        get_num(d, c, EL_HEAT_POPULATION, &s.pop, err) || get_num(d, c, EL_HEAT_ORDER, &s.order, err) ||
        get_flag(d, c, EL_HEAT_FAVOURABLE, &fav, err) || get_flag(d, c, EL_HEAT_ORDERED, &ord, err) ||
        get_flag(d, c, EL_HEAT_REFERENCE, &ref, err))
        return EL_ERR_PARSE;
    double scale, sa;
    if (get_num(d, c, EL_HEAT_SCALE, &scale, err) || get_num(d, c, EL_HEAT_SETTING_AVERAGE, &sa, err))
        return EL_ERR_PARSE;
    if (fav < 0 || ord < 0) {
        el_heat_field f = fav < 0 ? EL_HEAT_FAVOURABLE : EL_HEAT_ORDERED;
        return el_error_at(err, EL_ERR_PARSE, el_csv_name(c), s.line, d->col[f] + 1, k_field[f],
                           "%s is missing (must be 0 or 1)", k_field[f]);
    }
    if (!isnan(scale) && !(scale > 0))
        return el_error_at(err, EL_ERR_PARSE, el_csv_name(c), s.line, d->col[EL_HEAT_SCALE] + 1,
                           k_field[EL_HEAT_SCALE], "indicator_scale must be > 0");
    s.reference = ref == 1;
    /* block lookup */
    uint64_t h = 14695981039346656037ull;
    for (int f = 0; f < NKEY; f++) h = fnv(h, field_text(d, c, (el_heat_field)f));
    if (d->nblocks * 2 >= d->htcap && rehash(d) != 0) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    size_t i = (size_t)h & (d->htcap - 1), b = SIZE_MAX;
    for (; d->ht[i]; i = (i + 1) & (d->htcap - 1)) {
        hblock *k = &d->blocks[d->ht[i] - 1];
        if (k->hash != h) continue;
        int eq = 1;
        for (int f = 0; f < NKEY && eq; f++)
            eq = !strcmp(d->arena + k->key[f], field_text(d, c, (el_heat_field)f));
        if (eq) { b = d->ht[i] - 1; break; }
    }
    if (b == SIZE_MAX) {
        void *p = d->blocks;
        if (grow(&p, &d->bcap, d->nblocks + 1, sizeof(hblock)) != 0)
            return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        d->blocks = p;
        hblock *k = &d->blocks[d->nblocks];
        memset(k, 0, sizeof *k);
        for (int f = 0; f < NKEY; f++) {
            k->key[f] = intern(d, field_text(d, c, (el_heat_field)f));
            if (k->key[f] == SIZE_MAX) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        }
        k->hash = h;
        k->line = s.line;
        k->attr.favourable = fav;
        k->attr.ordered = ord;
        k->attr.scale = scale;
        k->attr.setting_average = sa;
        b = d->nblocks++;
        d->ht[i] = b + 1;
    } else {
        hblock *k = &d->blocks[b];
        el_heat_field bad = EL_HEAT_NFIELDS;
        if (k->attr.favourable != fav) bad = EL_HEAT_FAVOURABLE;
        else if (k->attr.ordered != ord) bad = EL_HEAT_ORDERED;
        else if (!same(k->attr.scale, scale)) bad = EL_HEAT_SCALE;
        else if (!same(k->attr.setting_average, sa)) bad = EL_HEAT_SETTING_AVERAGE;
        if (bad != EL_HEAT_NFIELDS)
            return el_error_at(err, EL_ERR_INVALID, el_csv_name(c), s.line, d->col[bad] + 1, k_field[bad],
                               "%s differs from the block's first row (line %ld): it must be the same for every subgroup of an indicator and dimension",
                               k_field[bad], k->line);
    }
    if (d->nrows == d->rcap) {
        size_t nc = d->rcap ? d->rcap * 2 : 256;
        void *q = realloc(d->rows, nc * sizeof *d->rows);
        if (!q) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        d->rows = q;
        if (!(q = realloc(d->label, nc * sizeof *d->label))) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        d->label = q;
        if (!(q = realloc(d->rblock, nc * sizeof *d->rblock))) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        d->rblock = q;
        d->rcap = nc;
    }
    size_t lo = intern(d, field_text(d, c, EL_HEAT_SUBGROUP));
    if (lo == SIZE_MAX) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    d->rows[d->nrows] = s;
    d->label[d->nrows] = lo;
    d->rblock[d->nrows] = b;
    d->nrows++;
    d->blocks[b].count++;
    return EL_OK;
}

/* Group rows by block (stable), resolve label pointers. */
static el_status finish(el_heat_data *d, el_error *err)
{
    size_t n = d->nrows;
    el_ineq_subgroup *rows = malloc((n ? n : 1) * sizeof *rows);
    size_t *fill = calloc(d->nblocks ? d->nblocks : 1, sizeof *fill);
    if (!rows || !fill) { free(rows); free(fill); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    size_t start = 0;
    for (size_t b = 0; b < d->nblocks; b++) { d->blocks[b].start = start; start += d->blocks[b].count; }
    for (size_t r = 0; r < n; r++) {
        hblock *k = &d->blocks[d->rblock[r]];
        el_ineq_subgroup *s = &rows[k->start + fill[d->rblock[r]]++];
        *s = d->rows[r];
        s->label = d->arena + d->label[r];
    }
    free(fill);
    free(d->rows);
    d->rows = rows;
    d->rcap = n;
    return EL_OK;
}

el_status el_heat_read(el_csv *c, const char *const *mname, const char *const *mcol,
                       size_t nmap, el_heat_data **out, el_error *err)
{
    *out = NULL;
    el_heat_data *d = calloc(1, sizeof *d);
    if (!d) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    el_status st = EL_OK;
    el_csv_result r = el_csv_next(c, err);
    if (r == EL_CSV_EOF) { st = el_error_at(err, EL_ERR_PARSE, el_csv_name(c), 1, 0, NULL, "empty input: no header"); goto fail; }
    if (r != EL_CSV_ROW) { st = err ? err->status : EL_ERR_PARSE; if (st == EL_OK) st = EL_ERR_PARSE; goto fail; }
    if ((st = header(d, c, mname, mcol, nmap, err)) != EL_OK) goto fail;
    long hdr_line = el_csv_line(c);
    while ((r = el_csv_next(c, err)) != EL_CSV_EOF) {
        if (r != EL_CSV_ROW) { st = err ? err->status : EL_ERR_PARSE; if (st == EL_OK) st = EL_ERR_PARSE; goto fail; }
        if (el_csv_nfields(c) == 1 && !el_csv_field(c, 0)[0]) continue;   /* blank line */
        if ((st = add_row(d, c, err)) != EL_OK) goto fail;
    }
    if (d->nrows == 0) {
        st = el_error_at(err, EL_ERR_PARSE, el_csv_name(c), hdr_line + 1, 0, NULL, "no data rows (only a header)");
        goto fail;
    }
    if ((st = finish(d, err)) != EL_OK) goto fail;
    *out = d;
    return EL_OK;
fail:
    el_heat_free(d);
    return st;
}
