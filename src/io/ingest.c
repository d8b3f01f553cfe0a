/* ingest.c — CSV extract → mapping → validation → el_dataset (owner: import).
 * Contract in include/equitylens/ingest.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "equitylens/csv.h"
#include "equitylens/ingest.h"
#include "equitylens/parse.h"

#define MAX_TEXT 255          /* longest identifier / code value accepted */
#define AGE_MAX 130
#define NHS_F EL_F__COUNT     /* plan slot for the NHS number */

typedef struct {
    int f;                    /* el_field, or NHS_F */
    int col;                  /* header index, -1 = from constant */
    const el_field_info *fi;
    const char *fmt;
    unsigned tr;
    const char *constant;
    int32_t const_val;        /* parsed constant for DATE/INT/FLAG */
} plan_item;

typedef struct {
    const el_ingest_opts *o;
    const char *name;
    el_csv *c;
    el_dataset *d;
    el_ingest_stats *s;
    plan_item plan[EL_F__COUNT + 1];
    size_t nplan;
    size_t hdr_n;
    int nhs_col;
    char *scratch; size_t scap;
    unsigned char key[EL_PSEUDONYM_KEY_BYTES];
    const unsigned char *keyp;
    const int *last_byte;     /* last byte of the input seen so far (-1 none) */
    int last_rejected;        /* 0 ok, 1 rejected, 2 ragged, 3 unterminated quote */
    long last_line;
    int32_t ival[EL_F__COUNT + 1];
    const char *sval[EL_F__COUNT + 1];
    /* streaming: chunks of chunk_rows rows go to fn (NULL = one dataset) */
    size_t chunk_rows;
    el_ingest_chunk_fn fn;
    void *ud;
    int flushed;
    unsigned char has0[EL_F__COUNT];   /* column flags from the header, for each new chunk */
    crypto_generichash_state canon;    /* content hash of the parsed records */
} ingest;

/* Content hash: the parsed fields of every record (header included), so a
 * copy of the file that differs only in line ends, a byte-order mark or
 * quoting hashes the same. A malformed record counts as one marker. */
static void canon_record(ingest *g, int bad)
{
    static const unsigned char US = 0x1f, RS = 0x1e, BAD = 0x1d;
    if (bad) { crypto_generichash_update(&g->canon, &BAD, 1); return; }
    size_t n = el_csv_nfields(g->c);
    for (size_t i = 0; i < n; i++) {
        const char *v = el_csv_field(g->c, i);
        crypto_generichash_update(&g->canon, (const unsigned char *)v, strlen(v));
        crypto_generichash_update(&g->canon, &US, 1);
    }
    crypto_generichash_update(&g->canon, &RS, 1);
}

/* Hand the current chunk to the callback and start a fresh one. */
static el_status flush_chunk(ingest *g, el_error *err)
{
    el_kind k = el_dataset_kind(g->d);
    el_dataset *d = g->d;
    g->d = NULL;
    el_status st = g->fn(&d, g->s, g->ud, err);
    g->flushed = 1;
    el_dataset_free(d);
    if (st != EL_OK) return st;
    if (!(g->d = el_dataset_new(k))) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (int f = 0; f < EL_F__COUNT; f++)
        if (g->has0[f]) el_dataset_set_has(g->d, (el_field)f, 1);
    if (el_dataset_reserve(g->d, g->chunk_rows) != EL_OK) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    return EL_OK;
}

/* ---------- rejects ---------- */

/* A cell copied from the extract into the rejects file: a text cell that a
 * spreadsheet would run as a formula (starts with = + - @, tab or CR) gets a
 * leading "'" (CSV injection); numbers such as -5 or +44 are left alone. */
static void write_untrusted(FILE *rf, const char *v)
{
    double num;
    if (!v || !*v || !strchr("=+-@\t\r", v[0]) || el_parse_double(v, 0, &num) == 0) {
        el_csv_write_field(rf, v);
        return;
    }
    size_t n = strlen(v);
    char *q = malloc(n + 2);
    if (!q) { el_csv_write_field(rf, "'"); return; }   /* out of memory: never the raw formula */
    q[0] = '\'';
    memcpy(q + 1, v, n + 1);
    el_csv_write_field(rf, q);
    free(q);
}

static void reject(ingest *g, long line, long column, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void reject(ingest *g, long line, long column, const char *field, const char *fmt, ...)
{
    el_reject_info ri;
    ri.line = line;
    ri.column = column;
    snprintf(ri.field, sizeof ri.field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ri.reason, sizeof ri.reason, fmt, ap);
    va_end(ap);
    g->s->rows_rejected++;
    int fi = field && *field ? el_field_by_name(field) : -1;
    g->s->rejected_by_field[fi >= 0 ? fi : EL_F__COUNT]++;
    if (g->s->nfirst < EL_INGEST_FIRST_REJECTS) g->s->first[g->s->nfirst++] = ri;
    FILE *rf = g->o->rejects;
    if (!rf) return;
    char lb[32], cb[32];
    snprintf(lb, sizeof lb, "%ld", line);
    snprintf(cb, sizeof cb, "%ld", column);
    el_csv_write_field(rf, lb); fputc(',', rf);
    el_csv_write_field(rf, cb); fputc(',', rf);
    el_csv_write_field(rf, ri.field); fputc(',', rf);
    write_untrusted(rf, ri.reason);
    size_t n = el_csv_nfields(g->c);
    for (size_t i = 0; i < n; i++) {
        fputc(',', rf);
        write_untrusted(rf, (int)i == g->nhs_col ? "[removed]" : el_csv_field(g->c, i));
    }
    fputc('\n', rf);
}

/* ---------- values ---------- */

/* Parse mapped text v for item p into *out. Returns 0, or -1 with why. */
static int parse_typed(const plan_item *p, const char *v, int32_t *out, char *why, size_t cap)
{
    switch (p->fi->type) {
    case EL_T_DATE:
        if (el_parse_date(v, p->fmt, out)) { snprintf(why, cap, "'%.60s' is not a date in format %s", v, p->fmt); return -1; }
        return 0;
    case EL_T_INT: {
        int64_t iv;
        if (p->tr & EL_TR_INTEGER) {
            double dv;
            if (el_parse_double(v, 0, &dv) || !isfinite(dv) || dv != floor(dv) || fabs(dv) > 2e9) {
                snprintf(why, cap, "'%.60s' is not a whole number", v); return -1;
            }
            iv = (int64_t)dv;
        } else if (el_parse_i64(v, 0, &iv) || iv < -2000000000 || iv > 2000000000) {
            snprintf(why, cap, "'%.60s' is not a whole number", v); return -1;
        }
        if (p->f == EL_F_AGE && (iv < 0 || iv > AGE_MAX)) {
            snprintf(why, cap, "age %lld is outside 0-%d", (long long)iv, AGE_MAX); return -1;
        }
        *out = (int32_t)iv;
        return 0;
    }
    case EL_T_FLAG:
        if (!strcmp(v, "Y")) { *out = 1; return 0; }
        if (!strcmp(v, "N")) { *out = 0; return 0; }
        snprintf(why, cap, "'%.60s' is not Y or N", v);
        return -1;
    case EL_T_TEXT: case EL_T_CODE:
        if (strlen(v) > MAX_TEXT) { snprintf(why, cap, "value is longer than %d bytes", MAX_TEXT); return -1; }
        return 0;
    }
    return 0;
}

/* ---------- header ---------- */

static int find_col(ingest *g, const char *want, int *dup)
{
    int hit = -1;
    *dup = 0;
    for (int pass = 0; pass < 2 && hit < 0; pass++)
        for (size_t i = 0; i < g->hdr_n; i++) {
            const char *h = el_csv_field(g->c, i);
            while (*h == ' ') h++;
            size_t hl = strlen(h);
            while (hl && h[hl - 1] == ' ') hl--;
            int eq = strlen(want) == hl && (pass == 0 ? !strncmp(h, want, hl) : !strncasecmp(h, want, hl));
            if (!eq) continue;
            if (hit >= 0) { *dup = 1; return hit; }
            hit = (int)i;
        }
    return hit;
}

static el_status plan_header(ingest *g, el_error *err)
{
    const el_mapping *m = g->o->mapping;
    el_kind k = el_mapping_kind(m);
    g->hdr_n = el_csv_nfields(g->c);
    g->nhs_col = -1;
    long line = el_csv_line(g->c);
    for (int f = 0; f < EL_F__COUNT; f++) {
        const el_field_info *fi = el_field_get((el_field)f);
        if (fi->derived || !fi->use[k]) continue;
        const char *colname = el_mapping_column(m, (el_field)f);
        const char *cst = el_mapping_constant(m, (el_field)f);
        int col = -1, dup = 0;
        if (colname) {
            col = find_col(g, colname, &dup);
            if (dup)
                return el_error_at(err, EL_ERR_PARSE, g->name, line, col + 1, fi->name,
                                   "column '%s' appears more than once in the header", colname);
        }
        if (col < 0 && !cst) {
            if (fi->use[k] == 2) {
                if (colname)
                    return el_error_at(err, EL_ERR_PARSE, g->name, line, 0, fi->name,
                                       "required field '%s' (column '%s' in mapping %s) is not in the header",
                                       fi->name, colname, el_mapping_name(m));
                return el_error_at(err, EL_ERR_PARSE, g->name, line, 0, fi->name,
                                   "required field '%s' is not mapped by %s and has no constant%s",
                                   fi->name, el_mapping_name(m),
                                   f == EL_F_CENSUS_DATE ? " (give --census-date)" : "");
            }
            if (colname) g->s->missing_optional[f] = 1;
            continue;
        }
        plan_item *p = &g->plan[g->nplan++];
        memset(p, 0, sizeof *p);
        p->f = f; p->col = col; p->fi = fi;
        p->fmt = el_mapping_date_format(m, (el_field)f);
        p->tr = el_mapping_transforms(m, (el_field)f);
        if (col < 0) {
            p->constant = cst;
            char why[160];
            plan_item tmp = *p;
            tmp.fmt = "YYYY-MM-DD";
            if (fi->type != EL_T_TEXT && fi->type != EL_T_CODE && parse_typed(&tmp, cst, &p->const_val, why, sizeof why))
                return el_error_set(err, EL_ERR_INVALID, "constant %s: %s", fi->name, why);
        }
        el_dataset_set_has(g->d, (el_field)f, 1);
    }
    const char *nc = el_mapping_nhs_column(m);
    if (nc) {
        int dup;
        g->nhs_col = find_col(g, nc, &dup);
        if (dup)
            return el_error_at(err, EL_ERR_PARSE, g->name, line, g->nhs_col + 1, "nhs_number",
                               "column '%s' appears more than once in the header", nc);
        if (g->nhs_col >= 0) {
            g->keyp = g->o->key;
            g->s->key_used = 1;
            if (!g->keyp && g->o->load_key) {
                const char *kp = g->o->key_file;
                char def[512];
                if (!kp) {
                    el_status ks = el_pseudonym_default_path(def, sizeof def, err);
                    if (ks != EL_OK) return ks;
                    kp = def;
                }
                snprintf(g->s->key_path, sizeof g->s->key_path, "%s", kp);
                if (g->o->key_no_create && access(kp, F_OK) != 0 && errno == ENOENT)
                    return el_error_at(err, EL_ERR_NOTFOUND, kp, 0, 0, NULL,
                                       "no key file there, and the store already holds NHS-number pseudonyms: "
                                       "give the key file they were made with (--key-file); a new key would "
                                       "break the linkage of patients across datasets");
                el_status ks = el_pseudonym_key_load(kp, !g->o->key_no_create, g->key, &g->s->key_created, err);
                if (ks != EL_OK) return ks;
                g->keyp = g->key;
            }
            if (!g->keyp)
                return el_error_at(err, EL_ERR_INVALID, g->name, line, g->nhs_col + 1, "nhs_number",
                                   "the file has NHS numbers (column '%s') but no pseudonymisation key was given", nc);
            el_pseudonym_key_fingerprint(g->keyp, g->s->key_fingerprint);
            if (g->o->key_fingerprint && strcmp(g->o->key_fingerprint, g->s->key_fingerprint)) {
                if (g->s->key_path[0])
                    return el_error_set(err, EL_ERR_INVALID,
                                        "key file %s is not the key this store's NHS-number pseudonyms were made with",
                                        g->s->key_path);
                return el_error_set(err, EL_ERR_INVALID,
                                    "the key given is not the key this store's NHS-number pseudonyms were made with");
            }
            plan_item *p = &g->plan[g->nplan++];
            memset(p, 0, sizeof *p);
            p->f = NHS_F; p->col = g->nhs_col; p->fi = el_field_get(EL_F_NHS_NUMBER_HASH);
            el_dataset_set_has(g->d, EL_F_NHS_NUMBER_HASH, 1);
        } else g->s->missing_optional[EL_F_NHS_NUMBER_HASH] = 1;
    }
    return EL_OK;
}

/* ---------- one row ---------- */

/* Returns 1 accepted, 0 rejected, -1 out of memory. */
static int do_row(ingest *g)
{
    const el_mapping *m = g->o->mapping;
    long line = el_csv_line(g->c);
    size_t nf = el_csv_nfields(g->c);
    if (nf != g->hdr_n) {
        reject(g, line, 0, NULL, "row has %zu field%s; the header has %zu", nf, nf == 1 ? "" : "s", g->hdr_n);
        g->last_rejected = 2;
        return 0;
    }
    /* scratch big enough for every mapped value (each at most its raw length) */
    size_t need = 64;
    for (size_t i = 0; i < g->nplan; i++)
        if (g->plan[i].col >= 0) need += el_csv_field_len(g->c, (size_t)g->plan[i].col) + 1;
    if (need > g->scap) {
        char *ns = realloc(g->scratch, need);
        if (!ns) return -1;
        g->scratch = ns; g->scap = need;
    }
    size_t off = 0;
    int blank_invalid = el_mapping_blank_invalid(m);
    for (size_t i = 0; i < g->nplan; i++) {
        const plan_item *p = &g->plan[i];
        int f = p->f;
        if (p->col < 0) { /* constant */
            g->sval[f] = p->constant;
            g->ival[f] = p->const_val;
            continue;
        }
        const char *raw = el_csv_field(g->c, (size_t)p->col);
        if (f == NHS_F) {
            char digits[11];
            g->sval[f] = NULL;
            const char *t = raw;
            while (*t == ' ') t++;
            if (!*t) continue;
            if (el_nhs_number_valid(t, digits)) g->sval[f] = t; /* hashed after acceptance */
            else g->sval[f] = "";                                 /* invalid: counted on acceptance */
            continue;
        }
        size_t rl = el_csv_field_len(g->c, (size_t)p->col);
        char *buf = g->scratch + off;
        const char *v = el_mapping_map_value(m, (el_field)f, raw, buf, rl + 1);
        if (v == buf) off += strlen(buf) + 1;
        const char *fname = p->fi->name;
        if (!*v) {
            if (p->fi->use[el_mapping_kind(m)] == 2) {
                reject(g, line, p->col + 1, fname, "required field %s is blank%s", fname,
                       *raw ? " after mapping" : "");
                return 0;
            }
            g->sval[f] = NULL;
            g->ival[f] = EL_NA;
            continue;
        }
        char why[200];
        if (parse_typed(p, v, &g->ival[f], why, sizeof why)) {
            if (p->fi->use[el_mapping_kind(m)] == 2 || !blank_invalid) {
                reject(g, line, p->col + 1, fname, "%s", why);
                return 0;
            }
            g->s->blanked[f]++;
            g->sval[f] = NULL;
            g->ival[f] = EL_NA;
            continue;
        }
        g->sval[f] = v;
    }
    size_t r = el_dataset_add_row(g->d);
    if (r == (size_t)-1) return -1;
    for (size_t i = 0; i < g->nplan; i++) {
        const plan_item *p = &g->plan[i];
        int f = p->f;
        if (f == NHS_F) {
            const char *t = g->sval[f];
            if (!t) continue;
            if (!*t) { g->s->nhs_invalid++; continue; }
            char digits[11], hex[EL_PSEUDONYM_HEX];
            el_nhs_number_valid(t, digits);
            el_nhs_number_hash(g->keyp, digits, hex);
            sodium_memzero(digits, sizeof digits);
            if (el_dataset_set_str(g->d, r, EL_F_NHS_NUMBER_HASH, hex) != EL_OK) return -1;
            g->s->nhs_hashed++;
            continue;
        }
        if (p->fi->type == EL_T_TEXT || p->fi->type == EL_T_CODE) {
            if (g->sval[f] && el_dataset_set_str(g->d, r, (el_field)f, g->sval[f]) != EL_OK) return -1;
        } else if (g->sval[f]) {
            el_dataset_set(g->d, r, (el_field)f, g->ival[f]);
        }
    }
    return 1;
}

/* ---------- driver ---------- */

static el_status run(ingest *g, uint64_t total_bytes, el_error *err)
{
    el_error e;
    el_csv_result res;
    int have_header = 0;
    el_status st = EL_OK;
    uint64_t next_progress = 65536;
    while ((res = el_csv_next(g->c, &e)) != EL_CSV_EOF) {
        if (res == EL_CSV_FATAL) {
            if (err) *err = e;
            return e.status ? e.status : EL_ERR_IO;
        }
        if (g->o->cancel && *g->o->cancel) return el_error_set(err, EL_ERR_IO, "import interrupted");
        if (!have_header) {
            if (res == EL_CSV_BAD) {
                el_error_at(err, EL_ERR_PARSE, g->name, e.line, e.column, NULL, "malformed header row: %s", e.msg);
                return EL_ERR_PARSE;
            }
            if ((st = plan_header(g, err)) != EL_OK) return st;
            canon_record(g, 0);
            for (int f = 0; f < EL_F__COUNT; f++) g->has0[f] = (unsigned char)el_dataset_has(g->d, (el_field)f);
            if (g->fn && el_dataset_reserve(g->d, g->chunk_rows) != EL_OK)
                return el_error_set(err, EL_ERR_NOMEM, "out of memory");
            if (g->o->rejects) {
                FILE *rf = g->o->rejects;
                fputs("line,column,field,reason", rf);
                for (size_t i = 0; i < g->hdr_n; i++) { fputc(',', rf); write_untrusted(rf, el_csv_field(g->c, i)); }
                fputc('\n', rf);
            }
            have_header = 1;
            continue;
        }
        g->s->rows_read++;
        g->last_rejected = 0;
        g->last_line = el_csv_line(g->c);
        canon_record(g, res == EL_CSV_BAD);
        if (res == EL_CSV_BAD) {
            reject(g, e.line ? e.line : el_csv_line(g->c), e.column, NULL, "%s", e.msg);
            g->last_rejected = strstr(e.msg, "unterminated") ? 3 : 1;
        } else {
            int a = do_row(g);
            if (a == 1) g->last_rejected = 0;
            else if (a == 0 && g->last_rejected != 2) g->last_rejected = 1;
            if (a < 0) return el_error_set(err, EL_ERR_NOMEM, "out of memory at line %ld", el_csv_line(g->c));
            if (a) g->s->rows_accepted++;
            if (a && g->fn && el_dataset_rows(g->d) >= g->chunk_rows && (st = flush_chunk(g, err)) != EL_OK) return st;
        }
        if (g->o->progress && g->s->rows_read >= next_progress) {
            next_progress += 65536;
            el_ingest_progress pr = {el_csv_bytes(g->c), total_bytes, g->s->rows_read};
            g->o->progress(&pr, g->o->progress_ud);
        }
    }
    if (!have_header)
        return el_error_at(err, EL_ERR_PARSE, g->name, 1, 0, NULL, "file is empty (no header row)");
    /* A file that stops inside a quoted field, or whose last line is short and
     * has no line end, was cut off: its numbers would be silently wrong. */
    int lb = g->last_byte ? *g->last_byte : -1;
    if (g->last_rejected == 3 || (g->last_rejected == 2 && lb != '\n' && lb != '\r'))
        return el_error_at(err, EL_ERR_PARSE, g->name, g->last_line, 0, NULL,
                           "the file ends in the middle of a record (%s): it looks truncated; nothing imported",
                           g->last_rejected == 3 ? "inside a quoted field" : "short last line without a line end");
    if (g->o->rejects && fflush(g->o->rejects) != 0)
        return el_error_set(err, EL_ERR_IO, "cannot write the rejects file: %s", strerror(errno));
    unsigned char ch[32];
    crypto_generichash_final(&g->canon, ch, sizeof ch);
    sodium_bin2hex(g->s->content_hash, sizeof g->s->content_hash, ch, sizeof ch);
    if (g->fn && (el_dataset_rows(g->d) || !g->flushed) && (st = flush_chunk(g, err)) != EL_OK) return st;
    if (g->o->progress) {
        el_ingest_progress pr = {el_csv_bytes(g->c), total_bytes, g->s->rows_read};
        g->o->progress(&pr, g->o->progress_ud);
    }
    return EL_OK;
}

static el_status start(ingest *g, const el_ingest_opts *opts, const char *name, el_ingest_stats *stats,
                       el_error *err)
{
    memset(g, 0, sizeof *g);
    memset(stats, 0, sizeof *stats);
    g->o = opts;
    g->name = name;
    g->s = stats;
    if (!opts || !opts->mapping) return el_error_set(err, EL_ERR_INVALID, "ingest needs a mapping");
    if (sodium_init() < 0) return el_error_set(err, EL_ERR_INTERNAL, "libsodium failed to initialise");
    crypto_generichash_init(&g->canon, NULL, 0, 32);
    g->d = el_dataset_new(el_mapping_kind(opts->mapping));
    if (!g->d) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    return EL_OK;
}

static el_status finish(ingest *g, el_status st, el_dataset **out)
{
    free(g->scratch);
    sodium_memzero(g->key, sizeof g->key);
    if (st == EL_OK && g->s->rows_read != g->s->rows_accepted + g->s->rows_rejected) st = EL_ERR_INTERNAL;
    if (st == EL_OK && !g->fn) *out = g->d;
    else { el_dataset_free(g->d); if (out) *out = NULL; }
    return st;
}

static void csv_opts(const el_ingest_opts *o, el_csv_opts *co)
{
    el_csv_opts_default(co);
    if (o && o->max_record) co->max_record = o->max_record;
    if (o && o->mapping) co->delim = el_mapping_delimiter(o->mapping);
}

/* A read-only FILE that hashes (SHA-256) everything read through it. */
typedef struct { FILE *f; crypto_hash_sha256_state st; uint64_t n; int last; } hash_src;

static ssize_t hash_read(void *cookie, char *buf, size_t size)
{
    hash_src *h = cookie;
    size_t n = fread(buf, 1, size, h->f);
    if (n) { crypto_hash_sha256_update(&h->st, (const unsigned char *)buf, n); h->n += n; h->last = (unsigned char)buf[n - 1]; }
    if (!n && ferror(h->f)) return -1;
    return (ssize_t)n;
}

static el_status ingest_file(const char *path, const el_ingest_opts *opts, size_t chunk_rows, el_ingest_chunk_fn fn,
                             void *ud, el_dataset **out, el_ingest_stats *stats, el_error *err)
{
    ingest g;
    if (out) *out = NULL;
    el_status st = start(&g, opts, path, stats, err);
    g.fn = fn; g.ud = ud; g.chunk_rows = chunk_rows ? chunk_rows : EL_INGEST_CHUNK_ROWS_DEFAULT;
    if (st != EL_OK) return finish(&g, st, out);
    int is_stdin = !strcmp(path, "-");
    hash_src hs = {0};
    hs.last = -1;
    g.last_byte = &hs.last;
    hs.f = is_stdin ? stdin : fopen(path, "rb");
    if (!hs.f) {
        st = el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return finish(&g, st, out);
    }
    uint64_t total = 0;
    struct stat sb;
    if (fstat(fileno(hs.f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            if (!is_stdin) fclose(hs.f);
            st = el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "is a directory, not a CSV file");
            return finish(&g, st, out);
        }
        if (S_ISREG(sb.st_mode)) total = (uint64_t)sb.st_size;
    }
    crypto_hash_sha256_init(&hs.st);
    cookie_io_functions_t io = {.read = hash_read};
    FILE *hf = fopencookie(&hs, "r", io);
    if (!hf) {
        if (!is_stdin) fclose(hs.f);
        return finish(&g, el_error_set(err, EL_ERR_NOMEM, "out of memory"), out);
    }
    el_csv_opts co;
    csv_opts(opts, &co);
    g.c = el_csv_open_stream(hf, path, &co);
    if (!g.c) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
    else st = run(&g, total, err);
    if (st == EL_OK) {
        /* drain anything the reader did not consume so the hash covers the whole file */
        char tmp[65536];
        while (fread(tmp, 1, sizeof tmp, hf) > 0) {}
        if (ferror(hf)) st = el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "read error");
    }
    el_csv_close(g.c);
    fclose(hf);
    if (!is_stdin) fclose(hs.f);
    unsigned char h[32];
    crypto_hash_sha256_final(&hs.st, h);
    sodium_bin2hex(stats->sha256, sizeof stats->sha256, h, sizeof h);
    stats->bytes = hs.n;
    return finish(&g, st, out);
}

el_status el_ingest_file(const char *path, const el_ingest_opts *opts, el_dataset **out,
                         el_ingest_stats *stats, el_error *err)
{
    return ingest_file(path, opts, 0, NULL, NULL, out, stats, err);
}

el_status el_ingest_file_chunked(const char *path, const el_ingest_opts *opts, size_t chunk_rows,
                                 el_ingest_chunk_fn fn, void *ud, el_ingest_stats *stats, el_error *err)
{
    if (!fn) return el_error_set(err, EL_ERR_INVALID, "streaming ingest needs a chunk callback");
    return ingest_file(path, opts, chunk_rows, fn, ud, NULL, stats, err);
}

static el_status ingest_mem(const void *buf, size_t len, const char *name, const el_ingest_opts *opts,
                            size_t chunk_rows, el_ingest_chunk_fn fn, void *ud, el_dataset **out,
                            el_ingest_stats *stats, el_error *err)
{
    ingest g;
    if (out) *out = NULL;
    el_status st = start(&g, opts, name, stats, err);
    g.fn = fn; g.ud = ud; g.chunk_rows = chunk_rows ? chunk_rows : EL_INGEST_CHUNK_ROWS_DEFAULT;
    if (st != EL_OK) return finish(&g, st, out);
    el_csv_opts co;
    csv_opts(opts, &co);
    int lastb = len ? ((const unsigned char *)buf)[len - 1] : -1;
    g.last_byte = &lastb;
    g.c = el_csv_open_mem(buf, len, name, &co);
    if (!g.c) return finish(&g, el_error_set(err, EL_ERR_NOMEM, "out of memory"), out);
    st = run(&g, len, err);
    el_csv_close(g.c);
    unsigned char h[32];
    crypto_hash_sha256(h, buf, len);
    sodium_bin2hex(stats->sha256, sizeof stats->sha256, h, sizeof h);
    stats->bytes = len;
    return finish(&g, st, out);
}

el_status el_ingest_mem(const void *buf, size_t len, const char *name, const el_ingest_opts *opts,
                        el_dataset **out, el_ingest_stats *stats, el_error *err)
{
    return ingest_mem(buf, len, name, opts, 0, NULL, NULL, out, stats, err);
}

el_status el_ingest_mem_chunked(const void *buf, size_t len, const char *name, const el_ingest_opts *opts,
                                size_t chunk_rows, el_ingest_chunk_fn fn, void *ud, el_ingest_stats *stats,
                                el_error *err)
{
    if (!fn) return el_error_set(err, EL_ERR_INVALID, "streaming ingest needs a chunk callback");
    return ingest_mem(buf, len, name, opts, chunk_rows, fn, ud, NULL, stats, err);
}
