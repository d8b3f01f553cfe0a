/* dnajob.c — the fast DNA job (see include/equitylens/dnajob.h, docs/dna-job.md).
 *
 * Layout:
 *   1. LSOA → decile open-addressing hash (9-byte keys).
 *   2. Group classification (ethnic broad group, attended code).
 *   3. The chunk parser: 64-byte windows → bit masks of ',', '\n', '"';
 *      rows without a quote are split by iterating comma bits; rows with a
 *      quote take the strict scalar path (slow_row).
 *   4. Workers: each owns a byte range [beg, end) starting at a row start,
 *      reads it with pread in chunks (or parses a memory buffer directly),
 *      counts into its own arrays; the main thread merges.
 *   5. Speculative split check and sequential fallback. */
#include "equitylens/dnajob.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "equitylens/csv.h"
#include "equitylens/parse.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------ */
/* 1. LSOA → decile table                                              */

typedef struct {
    uint64_t k8;        /* first 8 bytes of the code */
    unsigned char c9;   /* 9th byte */
    unsigned char decile; /* 0 = empty slot */
} imd_slot;

struct el_lsoa_imd {
    /* codes shaped like every LSOA code, [A-Z]01 + 6 digits, live in a
     * direct array per letter indexed by the number (E01000001 → E[1]);
     * anything else in the hash */
    unsigned char *direct[26];
    uint32_t dlen[26];
    imd_slot *slots;
    size_t mask;        /* capacity - 1 */
    unsigned shift;     /* 64 - log2(capacity) */
    size_t n;           /* codes held */
    size_t nhash;       /* of which in the hash */
};

static inline size_t imd_hash(const el_lsoa_imd *t, uint64_t k8, unsigned char c9)
{
    uint64_t h = (k8 ^ ((uint64_t)c9 << 56) ^ ((uint64_t)c9 * 0x9E3779B97F4A7C15ULL)) * 0xff51afd7ed558ccdULL;
    return (size_t)(h >> t->shift);
}

static el_lsoa_imd *imd_new(size_t n)
{
    el_lsoa_imd *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    size_t cap = 64;
    unsigned bits = 6;
    while (cap < 2 * n + 2) { cap <<= 1; bits++; }
    t->slots = calloc(cap, sizeof *t->slots);
    if (!t->slots) { free(t); return NULL; }
    t->mask = cap - 1;
    t->shift = 64 - bits;
    return t;
}

/* 0 inserted, 1 same value already there, -1 conflicting value. */
/* Number of a code shaped [A-Z]01dddddd, or -1. The 8 bytes after the
 * letter are checked and converted at once (SWAR; the eight-digit parse of
 * Lemire's fast_float / simdjson). */
static inline long lsoa_shape(const char *c)
{
    if ((unsigned)(c[0] - 'A') >= 26u || c[1] != '0' || c[2] != '1') return -1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    long n = 0;
    for (int k = 3; k < 9; k++) {
        unsigned d = (unsigned)(c[k] - '0');
        if (d > 9) return -1;
        n = n * 10 + (long)d;
    }
    return n;
#else
    uint64_t v;
    memcpy(&v, c + 1, 8);
    if ((v & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL ||
        ((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL)
        return -1;                                   /* not all digits */
    v = ((v & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
    v = ((v & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    v = ((v & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
    return (long)(v & 0xFFFFFFFFULL) - 1000000;      /* "01dddddd" = 1,000,000 + n */
#endif
}

static int imd_put_direct(el_lsoa_imd *t, int letter, long num, int decile)
{
    if ((uint32_t)num >= t->dlen[letter]) {
        uint32_t nl = t->dlen[letter] ? t->dlen[letter] : 4096;
        while (nl <= (uint32_t)num) nl *= 2;
        unsigned char *nd = realloc(t->direct[letter], nl);
        if (!nd) return -2;
        memset(nd + t->dlen[letter], 0, nl - t->dlen[letter]);
        t->direct[letter] = nd;
        t->dlen[letter] = nl;
    }
    unsigned char *p = &t->direct[letter][num];
    if (*p) return *p == decile ? 1 : -1;
    *p = (unsigned char)decile;
    t->n++;
    return 0;
}

/* 0 inserted, 1 same value already there, -1 conflicting value, -2 no memory. */
static int imd_put(el_lsoa_imd *t, const char *code, int decile)
{
    long num = lsoa_shape(code);
    if (num >= 0) return imd_put_direct(t, code[0] - 'A', num, decile);

    uint64_t k8;
    memcpy(&k8, code, 8);
    unsigned char c9 = (unsigned char)code[8];
    size_t i = imd_hash(t, k8, c9);
    for (;;) {
        imd_slot *s = &t->slots[i];
        if (!s->decile) {
            s->k8 = k8; s->c9 = c9; s->decile = (unsigned char)decile;
            t->n++;
            t->nhash++;
            return 0;
        }
        if (s->k8 == k8 && s->c9 == c9) return s->decile == decile ? 1 : -1;
        i = (i + 1) & t->mask;
    }
}

int el_lsoa_imd_decile(const el_lsoa_imd *t, const char *s, size_t len)
{
    if (!t || len != 9) return 0;
    long num = lsoa_shape(s);
    if (num >= 0) {
        int l = s[0] - 'A';
        return (uint32_t)num < t->dlen[l] ? t->direct[l][num] : 0;
    }
    uint64_t k8;
    memcpy(&k8, s, 8);
    unsigned char c9 = (unsigned char)s[8];
    size_t i = imd_hash(t, k8, c9);
    for (;;) {
        const imd_slot *sl = &t->slots[i];
        if (!sl->decile) return 0;
        if (sl->k8 == k8 && sl->c9 == c9) return sl->decile;
        i = (i + 1) & t->mask;
    }
}

size_t el_lsoa_imd_size(const el_lsoa_imd *t) { return t ? t->n : 0; }

void el_lsoa_imd_free(el_lsoa_imd *t)
{
    if (!t) return;
    for (int k = 0; k < 26; k++) free(t->direct[k]);
    free(t->slots);
    free(t);
}

el_status el_lsoa_imd_from_arrays(const char *const *codes, const int *deciles, size_t n,
                                  el_lsoa_imd **out, el_error *err)
{
    *out = NULL;
    el_lsoa_imd *t = imd_new(n);
    if (!t) return el_error_set(err, EL_ERR_NOMEM, "out of memory for the LSOA table");
    for (size_t i = 0; i < n; i++) {
        if (!codes[i] || strlen(codes[i]) != 9 || deciles[i] < 1 || deciles[i] > 10) {
            el_lsoa_imd_free(t);
            return el_error_set(err, EL_ERR_INVALID, "LSOA table entry %zu: need a 9-character code and a decile 1..10", i);
        }
        int r = imd_put(t, codes[i], deciles[i]);
        if (r < 0) {
            el_lsoa_imd_free(t);
            if (r == -2) return el_error_set(err, EL_ERR_NOMEM, "out of memory for the LSOA table");
            return el_error_set(err, EL_ERR_INVALID, "LSOA %s given two different deciles", codes[i]);
        }
    }
    *out = t;
    return EL_OK;
}

static const char *const imd_code_names[] = {
    "LSOA code (2011)", "lsoa11_code", "lsoa11cd", "lsoa11", "lsoa_code", NULL};
static const char *const imd_decile_names[] = {
    "Index of Multiple Deprivation (IMD) Decile", "imd_decile", "imd19_decile", "IMD_decile",
    "imd2019_decile", NULL};

static long find_col(el_csv *c, const char *want, const char *const *candidates)
{
    size_t nf = el_csv_nfields(c);
    if (want) {
        for (size_t i = 0; i < nf; i++)
            if (!strcasecmp(el_csv_field(c, i), want)) return (long)i;
        return -1;
    }
    for (size_t k = 0; candidates[k]; k++)
        for (size_t i = 0; i < nf; i++)
            if (!strcasecmp(el_csv_field(c, i), candidates[k])) return (long)i;
    return -1;
}

el_status el_lsoa_imd_load(const char *path, const char *code_col, const char *decile_col,
                           el_lsoa_imd **out, el_error *err)
{
    *out = NULL;
    el_csv *c = el_csv_open(path, NULL, err);
    if (!c) return err ? err->status : EL_ERR_IO;
    el_csv_result r = el_csv_next(c, err);
    if (r != EL_CSV_ROW) {
        el_csv_close(c);
        if (r == EL_CSV_FATAL) return err ? err->status : EL_ERR_IO;
        return el_error_at(err, EL_ERR_PARSE, path, 1, 0, NULL, "IMD file has no header row");
    }
    long ci = find_col(c, code_col, imd_code_names);
    long di = find_col(c, decile_col, imd_decile_names);
    if (ci < 0 || di < 0) {
        el_csv_close(c);
        return el_error_at(err, EL_ERR_PARSE, path, 1, 0, ci < 0 ? (code_col ? code_col : "LSOA code") : (decile_col ? decile_col : "IMD decile"),
                           "IMD file has no %s column (use --imd-code-col / --imd-decile-col)",
                           ci < 0 ? "LSOA code" : "IMD decile");
    }
    el_lsoa_imd *t = imd_new(16);
    if (!t) { el_csv_close(c); return el_error_set(err, EL_ERR_NOMEM, "out of memory for the LSOA table"); }
    el_status st = EL_OK;
    while ((r = el_csv_next(c, err)) == EL_CSV_ROW) {
        const char *code = el_csv_field(c, (size_t)ci);
        const char *dec = el_csv_field(c, (size_t)di);
        int64_t d;
        if (el_csv_field_len(c, (size_t)ci) != 9) {
            st = el_error_at(err, EL_ERR_PARSE, path, el_csv_line(c), ci + 1, el_csv_field(c, 0) ? "LSOA code" : NULL,
                             "LSOA code '%s' is not 9 characters", code);
            break;
        }
        if (el_parse_i64(dec, 0, &d) != 0 || d < 1 || d > 10) {
            st = el_error_at(err, EL_ERR_PARSE, path, el_csv_line(c), di + 1, "IMD decile",
                             "IMD decile '%s' is not an integer 1..10", dec);
            break;
        }
        if (lsoa_shape(code) < 0 && (t->nhash + 1) * 2 > t->mask) { /* grow the hash */
            el_lsoa_imd *g = imd_new(t->nhash * 2 + 16);
            if (!g) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory for the LSOA table"); break; }
            for (size_t i = 0; i <= t->mask; i++)
                if (t->slots[i].decile) {
                    char k[9];
                    memcpy(k, &t->slots[i].k8, 8);
                    k[8] = (char)t->slots[i].c9;
                    imd_put(g, k, t->slots[i].decile);
                }
            for (int k = 0; k < 26; k++) { /* the direct arrays move over */
                g->direct[k] = t->direct[k]; g->dlen[k] = t->dlen[k];
                t->direct[k] = NULL; t->dlen[k] = 0;
            }
            g->n = t->n;
            el_lsoa_imd_free(t);
            t = g;
        }
        int pr = imd_put(t, code, (int)d);
        if (pr == -2) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory for the LSOA table"); break; }
        if (pr < 0) {
            st = el_error_at(err, EL_ERR_PARSE, path, el_csv_line(c), ci + 1, "LSOA code",
                             "LSOA %s appears twice with different deciles", code);
            break;
        }
    }
    if (st == EL_OK && r == EL_CSV_BAD) st = err ? err->status : EL_ERR_PARSE;
    if (st == EL_OK && r == EL_CSV_FATAL) st = err ? err->status : EL_ERR_IO;
    el_csv_close(c);
    if (st != EL_OK) { el_lsoa_imd_free(t); return st; }
    if (t->n == 0) {
        el_lsoa_imd_free(t);
        return el_error_at(err, EL_ERR_PARSE, path, 0, 0, NULL, "IMD file has no rows");
    }
    *out = t;
    return EL_OK;
}

/* ------------------------------------------------------------------ */
/* 2. Groups                                                           */

static const char *const eth_ids[EL_ETH__COUNT] = {
    "white", "mixed", "asian", "black", "other", "not_stated", "not_known", "invalid"};
static const char *const eth_labels[EL_ETH__COUNT] = {
    "White", "Mixed", "Asian or Asian British", "Black or Black British", "Other ethnic groups",
    "Not stated (Z)", "Not known (99 or blank)", "Invalid code"};

const char *el_eth_group_id(el_eth_group g) { return (unsigned)g < EL_ETH__COUNT ? eth_ids[g] : "?"; }
const char *el_eth_group_label(el_eth_group g) { return (unsigned)g < EL_ETH__COUNT ? eth_labels[g] : "?"; }

static const char *const q_ids[EL_DNAJOB_NQ] = {"1", "2", "3", "4", "5", "unknown"};
const char *el_dnajob_quintile_id(int qi) { return qi >= 0 && qi < EL_DNAJOB_NQ ? q_ids[qi] : "?"; }

static inline el_eth_group eth1(unsigned char c)
{
    switch (c) {
    case 'A': case 'B': case 'C': return EL_ETH_WHITE;
    case 'D': case 'E': case 'F': case 'G': return EL_ETH_MIXED;
    case 'H': case 'J': case 'K': case 'L': return EL_ETH_ASIAN;
    case 'M': case 'N': case 'P': return EL_ETH_BLACK;
    case 'R': case 'S': return EL_ETH_OTHER;
    case 'Z': return EL_ETH_NOT_STATED;
    default: return EL_ETH_INVALID;
    }
}

el_eth_group el_eth_group_of(const char *s, size_t len)
{
    if (len == 0) return EL_ETH_NOT_KNOWN;
    if (len == 1) return eth1((unsigned char)s[0]);
    if (len == 2 && s[0] == '9' && s[1] == '9') return EL_ETH_NOT_KNOWN;
    return EL_ETH_INVALID;
}

static const char *const rej_str[EL_DNAJOB_REJ__COUNT] = {
    "attended_or_did_not_attend empty or not a valid code",
    "number of fields differs from the header",
    "malformed quoting",
    "quoted field not closed at end of file"};
const char *el_dnajob_reject_str(el_dnajob_reject_reason r)
{
    return (unsigned)r < EL_DNAJOB_REJ__COUNT ? rej_str[r] : "?";
}

/* attended code class: 0 invalid, 1 attended, 2 DNA, 3 excluded */
static inline int att_class(const char *s, size_t len)
{
    if (len != 1) return 0;
    switch (s[0]) {
    case '5': case '6': return 1;
    case '3': case '7': return 2;
    case '0': case '2': case '4': case '9': return 3;
    default: return 0;
    }
}

static inline void trim(const char **s, size_t *len)
{
    const char *a = *s, *b = *s + *len;
    while (a < b && (*a == ' ' || *a == '\t' || *a == '\r')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r')) b--;
    *s = a;
    *len = (size_t)(b - a);
}

/* ------------------------------------------------------------------ */
/* 3. Parser                                                           */

typedef struct {
    const el_lsoa_imd *imd;
    long nfields;          /* header field count */
    long col[3];           /* attended, ethnic, lsoa field indexes */
    long maxcol;
    signed char *want;     /* want[i] = slot 0..2 or -1, for i <= maxcol */
    int scalar_only;
} job;

typedef struct {
    const job *j;
    /* counts */
    uint64_t app[EL_DNAJOB_NQ][EL_ETH__COUNT];
    uint64_t dna[EL_DNAJOB_NQ][EL_ETH__COUNT];
    uint64_t rows, counted, excluded, rejected;
    uint64_t excl_code[10];
    uint64_t rej[EL_DNAJOB_REJ__COUNT];
    uint64_t lsoa_missing, lsoa_unmatched, blank;
    uint64_t lines;        /* newlines consumed in complete rows */
    size_t nsamples;
    el_dnajob_sample samples[EL_DNAJOB_MAX_SAMPLES];  /* line = relative (0-based) */
    /* set when the final parse stopped inside an open quoted field */
    int open_quote;
    uint64_t open_row_off; /* offset of that row from the start of the range */
    uint64_t base_off;     /* range offset of buf[0] for the current parse call */
    /* structural index of the current buffer (see parse) */
    uint32_t *sep, *nls, *qs;
    size_t sep_cap, nls_cap, qs_cap;
    int oom;
} worker;

static void worker_free(worker *w)
{
    free(w->sep); free(w->nls); free(w->qs);
    w->sep = w->nls = w->qs = NULL;
}

static void reject(worker *w, el_dnajob_reject_reason r, uint64_t rel_line)
{
    w->rows++;
    w->rejected++;
    w->rej[r]++;
    if (w->nsamples < EL_DNAJOB_MAX_SAMPLES) {
        w->samples[w->nsamples].line = rel_line;
        w->samples[w->nsamples].reason = r;
        w->nsamples++;
    }
}

/* Count one complete, well-formed row given its three values. */
static inline void count_row(worker *w, const char *a, size_t al, const char *e, size_t el,
                             const char *l, size_t ll)
{
    trim(&a, &al);
    int ac = att_class(a, al);
    if (ac == 0) { reject(w, EL_DNAJOB_REJ_CODE, w->lines); return; }
    w->rows++;
    if (ac == 3) { w->excluded++; w->excl_code[a[0] - '0']++; return; }
    trim(&e, &el);
    trim(&l, &ll);
    el_eth_group g = el_eth_group_of(e, el);
    int q;
    if (ll == 0) { q = EL_DNAJOB_Q_UNKNOWN; w->lsoa_missing++; }
    else {
        int d = el_lsoa_imd_decile(w->j->imd, l, ll);
        if (!d) { q = EL_DNAJOB_Q_UNKNOWN; w->lsoa_unmatched++; }
        else q = (d + 1) / 2 - 1;
    }
    w->counted++;
    w->app[q][g]++;
    w->dna[q][g] += (ac == 2);
}

enum { ROW_DONE, ROW_INCOMPLETE };

/* Strict scalar RFC 4180 parse of the row starting at buf[i0]. On ROW_DONE
 * *next is the offset after the row's newline (or len). */
static int slow_row(worker *w, const char *buf, size_t len, size_t i0, int final, size_t *next)
{
    const job *j = w->j;
    enum { VCAP = 16 };
    char val[3][VCAP];
    size_t vlen[3] = {0, 0, 0};
    size_t i = i0;
    long fidx = 0;
    int malformed = 0;
    uint64_t nl_inside = 0;
    for (;;) {
        int slot = fidx <= j->maxcol ? j->want[fidx] : -1;
        char *v = slot >= 0 ? val[slot] : NULL;
        size_t vl = 0, vtrim = 0;   /* stored bytes; length without trailing blanks */
        /* stores the value with leading blanks dropped; vtrim ends at the last non-blank */
#define PUTC(ch) do { char ch_ = (ch); int sp_ = (ch_ == ' ' || ch_ == '\t' || ch_ == '\r'); \
            if (v && !(vl == 0 && sp_)) { if (vl < VCAP) v[vl] = ch_; vl++; if (!sp_) vtrim = vl; } } while (0)
        if (i < len && buf[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    if (!final) return ROW_INCOMPLETE;
                    /* unterminated quoted field: the row runs to the end */
                    w->open_quote = 1;
                    w->open_row_off = w->base_off + i0;
                    *next = len;
                    return ROW_DONE;
                }
                char ch = buf[i];
                if (ch == '"') {
                    if (i + 1 >= len && !final) return ROW_INCOMPLETE;
                    if (i + 1 < len && buf[i + 1] == '"') { PUTC('"'); i += 2; continue; }
                    i++;
                    break;
                }
                if (ch == '\n') nl_inside++;
                PUTC(ch);
                i++;
            }
            /* after the closing quote: ',' or line end or end of input */
            if (i < len && buf[i] != ',' && buf[i] != '\n') {
                if (buf[i] == '\r' && i + 1 >= len && !final) return ROW_INCOMPLETE;
                if (!(buf[i] == '\r' && (i + 1 >= len || buf[i + 1] == '\n'))) malformed = 1;
            }
        }
        /* unquoted part (the whole field, or junk after a closing quote) */
        while (i < len && buf[i] != ',' && buf[i] != '\n') {
            if (buf[i] == '"') malformed = 1;
            PUTC(buf[i]);
            i++;
        }
#undef PUTC
        if (i >= len && !final) return ROW_INCOMPLETE;
        if (v) vlen[slot] = vtrim;
        if (i < len && buf[i] == ',') { i++; fidx++; continue; }
        /* end of row: '\n' or end of input */
        *next = i < len ? i + 1 : len;
        break;
    }
    long nf = fidx + 1;
    int blank = (nf == 1 && !malformed);
    if (blank) { /* a line holding only spaces / CR and no quote is blank */
        size_t k = i0;
        for (; k < i; k++) if (buf[k] != ' ' && buf[k] != '\t' && buf[k] != '\r') break;
        blank = (k == i);
    }
    if (blank && j->nfields != 1) {
        w->blank++;
    } else if (malformed) {
        reject(w, EL_DNAJOB_REJ_QUOTE, w->lines);
    } else if (nf != j->nfields) {
        reject(w, EL_DNAJOB_REJ_FIELDS, w->lines);
    } else {
        /* a value longer than VCAP is no valid code: replace it by one that
         * classifies the same way (invalid code / invalid group / unmatched) */
        static const char junk[] = "##########";
        const char *p[3];
        size_t pl[3];
        for (int k = 0; k < 3; k++) {
            p[k] = val[k];
            pl[k] = vlen[k];
            if (pl[k] > VCAP) { p[k] = junk; pl[k] = k == 2 ? 10 : 2; }
        }
        count_row(w, p[0], pl[0], p[1], pl[1], p[2], pl[2]);
    }
    w->lines += nl_inside + (*next > i ? 1 : 0);
    return ROW_DONE;
}

static inline int popc(uint64_t x)
{
#if defined(__POPCNT__)
    return __builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
#endif
}

typedef struct { uint64_t comma, nl, quote; } masks;

static inline masks window(const char *p, size_t avail)
{
    masks m;
    const char *src = p;
    char tmp[64];
    if (avail < 64) {
        memset(tmp, 0, sizeof tmp);
        memcpy(tmp, p, avail);
        src = tmp;
    }
#if defined(__SSE2__)
    const __m128i vc = _mm_set1_epi8(','), vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"');
    uint64_t c = 0, n = 0, q = 0;
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + 16 * k));
        c |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vc)) << (16 * k);
        n |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn)) << (16 * k);
        q |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)) << (16 * k);
    }
    m.comma = c; m.nl = n; m.quote = q;
#else
    m.comma = m.nl = m.quote = 0;
    for (int k = 0; k < 64; k++) {
        m.comma |= (uint64_t)(src[k] == ',') << k;
        m.nl |= (uint64_t)(src[k] == '\n') << k;
        m.quote |= (uint64_t)(src[k] == '"') << k;
    }
#endif
    if (avail < 64) {
        uint64_t keep = (1ULL << avail) - 1;
        m.comma &= keep; m.nl &= keep; m.quote &= keep;
    }
    return m;
}

/* Stage 1: append the positions of separators (',' and '\n'), newlines and
 * quotes in buf[a..b) to the worker's index. Returns 0, or -1 on no memory.
 * The separator array keeps 8 slots of slack for the unconditional writes. */
enum { SEG = 32 * 1024 };

static int ensure(uint32_t **arr, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 4096;
    while (nc < need) nc *= 2;
    uint32_t *na = realloc(*arr, nc * sizeof *na);
    if (!na) return -1;
    *arr = na;
    *cap = nc;
    return 0;
}

static inline uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* *inq: all ones when buf[a] is inside a quoted field (quote parity carried
 * from the previous segment), else 0. Separators and newlines inside quotes
 * are not structural and are left out; quotes are all listed. */
static int index_seg(worker *w, const char *buf, size_t a, size_t b, size_t *ns, size_t *nn, size_t *nq,
                     uint64_t *inq)
{
    if (ensure(&w->sep, &w->sep_cap, *ns + (b - a) + 72) ||
        ensure(&w->nls, &w->nls_cap, *nn + (b - a) + 8)) return -1;
    uint32_t *sep = w->sep, *nls = w->nls;
    size_t s = *ns, n = *nn;
    uint64_t carry = *inq;
    for (size_t pos = a; pos < b; pos += 64) {
        masks m = window(buf + pos, b - pos);
        uint64_t outside = ~0ULL;
        if (m.quote | carry) {
            uint64_t inside = prefix_xor(m.quote) ^ carry;
            carry = (uint64_t)((int64_t)inside >> 63);
            outside = ~inside;
        }
        uint64_t sm = (m.comma | m.nl) & outside;
        int cnt = popc(sm);
        uint32_t *o = sep + s;
        uint32_t p32 = (uint32_t)pos;
        for (int k = 0; k < cnt; k += 4) {
            o[k] = p32 + (uint32_t)__builtin_ctzll(sm | (1ULL << 63)); sm &= sm - 1;
            o[k + 1] = p32 + (uint32_t)__builtin_ctzll(sm | (1ULL << 63)); sm &= sm - 1;
            o[k + 2] = p32 + (uint32_t)__builtin_ctzll(sm | (1ULL << 63)); sm &= sm - 1;
            o[k + 3] = p32 + (uint32_t)__builtin_ctzll(sm | (1ULL << 63)); sm &= sm - 1;
        }
        s += (size_t)cnt;
        uint64_t nm = m.nl & outside;
        while (nm) { nls[n++] = p32 + (uint32_t)__builtin_ctzll(nm); nm &= nm - 1; }
        uint64_t qm = m.quote;
        if (qm) {
            if (ensure(&w->qs, &w->qs_cap, *nq + 72)) return -1;
            int qc = popc(qm);
            uint32_t *qo = w->qs + *nq;
            for (int k = 0; k < qc; k += 4) {
                qo[k] = p32 + (uint32_t)__builtin_ctzll(qm | (1ULL << 63)); qm &= qm - 1;
                qo[k + 1] = p32 + (uint32_t)__builtin_ctzll(qm | (1ULL << 63)); qm &= qm - 1;
                qo[k + 2] = p32 + (uint32_t)__builtin_ctzll(qm | (1ULL << 63)); qm &= qm - 1;
                qo[k + 3] = p32 + (uint32_t)__builtin_ctzll(qm | (1ULL << 63)); qm &= qm - 1;
            }
            *nq += (size_t)qc;
        }
    }
    *ns = s;
    *nn = n;
    *inq = carry;
    return 0;
}

/* Drop index entries before the current row so the arrays stay small. */
static void compact(worker *w, size_t *ks, size_t *ns, size_t *kn, size_t *nn, size_t *kq, size_t *nq)
{
    memmove(w->sep, w->sep + *ks, (*ns - *ks) * sizeof *w->sep); *ns -= *ks; *ks = 0;
    memmove(w->nls, w->nls + *kn, (*nn - *kn) * sizeof *w->nls); *nn -= *kn; *kn = 0;
    if (*nq) { memmove(w->qs, w->qs + *kq, (*nq - *kq) * sizeof *w->qs); *nq -= *kq; *kq = 0; }
}

/* Is the quoting of the quotes qs[k..] before end strict RFC 4180, reading
 * from a row start? Every quote must open a field (at its start), close it
 * (followed by ',', '\n', "\r\n", or the end of final input) or be one of a
 * doubled pair inside a quoted field. Returns 1 if so (so far), 0 at the
 * first violation; slow_row then decides the row. */
static int quotes_valid(const worker *w, const char *buf, size_t len, int final, size_t row, size_t k,
                        size_t nq, size_t end, size_t *kend)
{
    int inside = 0;
    const uint32_t *qs = w->qs;
    while (k < nq && qs[k] < end) {
        size_t p = qs[k];
        if (!inside) {
            if (p != row && buf[p - 1] != ',' && buf[p - 1] != '\n') return 0;
            inside = 1;
            k++;
            continue;
        }
        if (p + 1 < len && buf[p + 1] == '"') { k += 2; continue; }  /* doubled */
        if (p + 1 >= len) {          /* closes at the end of the buffer: decided later */
            while (k < nq && qs[k] < end) k++;
            if (kend) *kend = k;
            return 1;
        }
        char c = buf[p + 1];
        if (c != ',' && c != '\n' && !(c == '\r' && (p + 2 >= len || buf[p + 2] == '\n'))) return 0;
        inside = 0;
        k++;
    }
    if (kend) *kend = k;
    return 1;
}

/* Above this many index entries in one row, the row is taken by slow_row
 * (a giant unquoted row) so the index stays bounded. */
enum { ROW_SEP_LIMIT = 1 << 20 };

/* Value of a field that may be quoted: [a, e) holds the raw field (a final
 * CR included). A quoted value is unwrapped; one with a doubled quote inside
 * cannot be a valid code, so it is replaced by a stand-in that classifies
 * the same way (invalid code, invalid group, unmatched LSOA). */
static inline void unquote(const char *buf, size_t *a, size_t *e, const char **p, size_t *l)
{
    size_t x = *a, y = *e;
    while (y > x && (buf[y - 1] == '\r' || buf[y - 1] == ' ' || buf[y - 1] == '\t')) y--;
    if (y > x && buf[x] == '"') {
        x++;
        if (y > x && buf[y - 1] == '"') y--;
        if (memchr(buf + x, '"', y - x)) {
            static const char junk[] = "##########";
            *p = junk;
            *l = 10;
            return;
        }
    }
    *p = buf + x;
    *l = y - x;
}

/* Parse complete rows of buf[0..len) (len < 4 GiB). Returns the offset of
 * the first byte not consumed (the start of an incomplete row); with final,
 * consumes everything.
 * Stage 1 (index_seg) lists separator / newline / quote positions a segment
 * at a time, separators inside quoted fields left out; stage 2 walks rows: a
 * row whose newline is the nfields-th separator after its start and whose
 * quoting (if any) is strictly valid is split by index arithmetic alone; a
 * row with malformed quoting goes to slow_row, which decides where it ends,
 * and the index restarts after it. */
static size_t parse(worker *w, const char *buf, size_t len, int final)
{
    const job *j = w->j;
    const long nf = j->nfields;
    const long c0 = j->col[0], c1 = j->col[1], c2 = j->col[2];
    size_t ns = 0, nn = 0, nq = 0, ks = 0, kn = 0, kq = 0;
    size_t indexed = 0, row = 0;
    uint64_t inq = 0;
    if (j->scalar_only) {
        while (row < len) {
            size_t next;
            if (slow_row(w, buf, len, row, final, &next) == ROW_INCOMPLETE) return row;
            row = next;
        }
        return len;
    }
    for (;;) {
        while (kn == nn) {             /* index until the row's newline is known */
            if (indexed >= len) goto tail;
            if (ks > 0 && (ns - ks) + SEG + 72 > w->sep_cap) compact(w, &ks, &ns, &kn, &nn, &kq, &nq);
            if (ns - ks > ROW_SEP_LIMIT) goto slow;
            size_t b = indexed + SEG < len ? indexed + SEG : len;
            if (index_seg(w, buf, indexed, b, &ns, &nn, &nq, &inq)) { w->oom = 1; return len; }
            indexed = b;
        }
        size_t rowend = w->nls[kn];
        int quoted = kq < nq && w->qs[kq] < rowend;
        size_t kq_next = kq;
        if (quoted && !quotes_valid(w, buf, len, final, row, kq, nq, rowend, &kq_next)) goto slow;
        {
            size_t e = ks + (size_t)nf - 1;
            const uint32_t *sp = w->sep + ks;
            if (e < ns && w->sep[e] == rowend) {
                /* field i spans [i ? sp[i-1]+1 : row, sp[i]) */
                size_t a0 = c0 ? sp[c0 - 1] + 1 : row, e0 = sp[c0];
                size_t a1 = c1 ? sp[c1 - 1] + 1 : row, e1 = sp[c1];
                size_t a2 = c2 ? sp[c2 - 1] + 1 : row, e2 = sp[c2];
                if (!quoted) {
                    count_row(w, buf + a0, e0 - a0, buf + a1, e1 - a1, buf + a2, e2 - a2);
                } else {
                    const char *p0, *p1, *p2;
                    size_t l0, l1, l2;
                    unquote(buf, &a0, &e0, &p0, &l0);
                    unquote(buf, &a1, &e1, &p1, &l1);
                    unquote(buf, &a2, &e2, &p2, &l2);
                    count_row(w, p0, l0, p1, l1, p2, l2);
                }
                ks = e + 1;
            } else {
                /* fewer or more fields than the header (or a blank line) */
                size_t k = ks;
                while (w->sep[k] != rowend) k++;  /* rowend is indexed, so it is found */
                size_t fields = k - ks + 1;
                int blank = 0;
                if (fields == 1 && nf != 1 && !quoted) {
                    size_t q = row;
                    while (q < rowend && (buf[q] == ' ' || buf[q] == '\t' || buf[q] == '\r')) q++;
                    blank = (q == rowend);
                }
                if (blank) w->blank++;
                else reject(w, EL_DNAJOB_REJ_FIELDS, w->lines);
                ks = k + 1;
            }
            if (quoted) {
                /* newlines inside quoted fields are physical lines too */
                if (memchr(buf + row, '\n', rowend - row)) {
                    for (size_t q = row; q < rowend; q++) w->lines += buf[q] == '\n';
                }
                kq = kq_next;
            }
            kn++;
            w->lines++;
            row = rowend + 1;
            continue;
        }
    slow: {
            /* malformed quoting (or a giant row): the scalar parser decides
             * the row; the index restarts after it */
            size_t next;
            if (slow_row(w, buf, len, row, final, &next) == ROW_INCOMPLETE) return row;
            row = next;
            if (row >= len) return len;
            ns = nn = nq = ks = kn = kq = 0;
            indexed = row;
            inq = 0;
            continue;
        }
    tail:
        /* no newline after row in the buffer: an incomplete row, the last
         * row of the input, or a row whose stray quote hides its newline */
        if (row >= len) return len;
        if (kq < nq && !quotes_valid(w, buf, len, final, row, kq, nq, len, NULL)) goto slow;
        if (!final) return row;
        goto slow;
    }
}

/* ------------------------------------------------------------------ */
/* 4. Header, workers, threads                                         */

void el_dnajob_opts_default(el_dnajob_opts *o)
{
    memset(o, 0, sizeof *o);
    o->attended_col = "attended_or_did_not_attend";
    o->ethnic_col = "ethnic_category";
    o->lsoa_col = "lsoa11";
    o->threads = 2;
    o->chunk_bytes = (size_t)4 << 20;
    o->max_row_bytes = (size_t)64 << 20;
    o->min_range_bytes = (size_t)64 << 10;
}

/* Parse the header row at buf[0..len) (after any BOM). Returns 1 when the
 * header is complete (*hdr_end = offset after its newline, *hdr_lines =
 * newlines in it), 0 if more bytes are needed (and !final), -1 on error. */
static int parse_header(const char *buf, size_t len, int final, const el_dnajob_opts *o, job *j,
                        size_t *hdr_end, uint64_t *hdr_lines, const char *name, el_error *err)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF) i = 3;
    else if (len < 3 && !final) return 0;
    const char *want[3] = {o->attended_col, o->ethnic_col, o->lsoa_col};
    j->col[0] = j->col[1] = j->col[2] = -1;
    long fidx = 0;
    uint64_t nl = 0;
    char nm[256];
    for (;;) {
        size_t nl_len = 0;
        int quoted = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t')) i++;
        if (i < len && buf[i] == '"') {
            quoted = 1;
            i++;
            for (;;) {
                if (i >= len) {
                    if (!final) return 0;
                    el_error_at(err, EL_ERR_PARSE, name, 1, fidx + 1, NULL, "header: quoted column name not closed");
                    return -1;
                }
                if (buf[i] == '"') {
                    if (i + 1 >= len && !final) return 0;
                    if (i + 1 < len && buf[i + 1] == '"') { if (nl_len < sizeof nm - 1) nm[nl_len++] = '"'; i += 2; continue; }
                    i++;
                    break;
                }
                if (buf[i] == '\n') nl++;
                if (nl_len < sizeof nm - 1) nm[nl_len++] = buf[i];
                i++;
            }
        }
        while (i < len && buf[i] != ',' && buf[i] != '\n') {
            if (buf[i] != '\r' && !(quoted && (buf[i] == ' ' || buf[i] == '\t')) && nl_len < sizeof nm - 1)
                nm[nl_len++] = buf[i];
            i++;
        }
        if (i >= len && !final) return 0;
        while (nl_len && (nm[nl_len - 1] == ' ' || nm[nl_len - 1] == '\t')) nl_len--;
        nm[nl_len] = 0;
        for (int k = 0; k < 3; k++)
            if (!strcasecmp(nm, want[k])) {
                /* a column read here named twice: refuse, as import does */
                if (j->col[k] >= 0) {
                    el_error_at(err, EL_ERR_PARSE, name, 1, fidx + 1, want[k],
                                "column '%s' appears more than once in the header", want[k]);
                    return -1;
                }
                j->col[k] = fidx;
            }
        if (i < len && buf[i] == ',') { i++; fidx++; continue; }
        if (i < len) { i++; nl++; }
        break;
    }
    j->nfields = fidx + 1;
    for (int k = 0; k < 3; k++)
        if (j->col[k] < 0) {
            el_error_at(err, EL_ERR_PARSE, name, 1, 0, want[k],
                        "header has no column '%s' (name it with the column options)", want[k]);
            return -1;
        }
    *hdr_end = i;
    *hdr_lines = nl;
    return 1;
}

typedef struct {
    worker w;
    int fd;                 /* >= 0: file; -1: memory */
    const char *mem;
    uint64_t beg, end;      /* byte range (file or memory offsets) */
    size_t chunk, maxrow;
    el_status st;
    int sys_errno;
    uint64_t err_off;
} task;

static void *task_run(void *arg)
{
    task *t = arg;
    t->st = EL_OK;
    if (t->fd < 0) {
        /* memory: parse in windows of at most 1 GiB (index positions are 32-bit) */
        uint64_t off = t->beg;
        for (;;) {
            uint64_t left = t->end - off;
            size_t len = left > ((uint64_t)1 << 30) ? (size_t)1 << 30 : (size_t)left;
            int final = (off + len == t->end);
            t->w.base_off = off - t->beg;
            size_t used = parse(&t->w, t->mem + off, len, final);
            if (t->w.oom) { t->st = EL_ERR_NOMEM; break; }
            if (final) break;
            if (used == 0) { t->st = EL_ERR_RANGE; t->err_off = off; break; }
            off += used;
        }
        return NULL;
    }
    size_t cap = t->chunk;
    char *buf = malloc(cap);
    if (!buf) { t->st = EL_ERR_NOMEM; return NULL; }
    size_t have = 0;
    uint64_t off = t->beg;
    for (;;) {
        uint64_t left = t->end - (off + have);
        size_t want = cap - have;
        if (want > left) want = (size_t)left;
        size_t got = 0;
        while (got < want) {
            ssize_t n = pread(t->fd, buf + have + got, want - got, (off_t)(off + have + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { t->st = EL_ERR_IO; t->sys_errno = n < 0 ? errno : 0; t->err_off = off + have + got; goto out; }
            got += (size_t)n;
        }
        have += got;
        int final = (off + have == t->end);
        t->w.base_off = off - t->beg;
        size_t used = parse(&t->w, buf, have, final);
        if (final) break;
        memmove(buf, buf + used, have - used);
        off += used;
        have -= used;
        if (have == cap) {
            if (cap >= t->maxrow) { t->st = EL_ERR_RANGE; t->err_off = off; goto out; }
            size_t ncap = cap * 2 > t->maxrow ? t->maxrow : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) { t->st = EL_ERR_NOMEM; goto out; }
            buf = nb;
            cap = ncap;
        }
    }
out:
    free(buf);
    if (t->st == EL_OK && t->w.oom) t->st = EL_ERR_NOMEM;
    return NULL;
}

static void task_init(task *t, const job *j, int fd, const char *mem, uint64_t beg, uint64_t end,
                      const el_dnajob_opts *o)
{
    memset(t, 0, sizeof *t);
    t->w.j = j;
    t->fd = fd;
    t->mem = mem;
    t->beg = beg;
    t->end = end;
    t->chunk = o->chunk_bytes;
    t->maxrow = o->max_row_bytes < o->chunk_bytes ? o->chunk_bytes : o->max_row_bytes;
}

static el_status task_error(const task *t, const char *name, el_error *err)
{
    switch (t->st) {
    case EL_OK: return EL_OK;
    case EL_ERR_NOMEM: return el_error_set(err, EL_ERR_NOMEM, "%s: out of memory", name);
    case EL_ERR_RANGE:
        return el_error_at(err, EL_ERR_PARSE, name, 0, 0, NULL,
                           "a row near byte %llu is longer than %zu bytes (unterminated quote?)",
                           (unsigned long long)t->err_off, t->maxrow);
    default:
        return el_error_at(err, EL_ERR_IO, name, 0, 0, NULL, "read failed at byte %llu: %s",
                           (unsigned long long)t->err_off, t->sys_errno ? strerror(t->sys_errno) : "unexpected end of file");
    }
}

/* Add worker counts into res; sample lines made absolute from *line_base. */
static void merge(el_dnajob_result *res, const worker *w, uint64_t *line_base)
{
    for (int q = 0; q < EL_DNAJOB_NQ; q++)
        for (int g = 0; g < EL_ETH__COUNT; g++) {
            res->appointments[q][g] += w->app[q][g];
            res->dna[q][g] += w->dna[q][g];
        }
    res->rows_read += w->rows;
    res->rows_counted += w->counted;
    res->rows_excluded += w->excluded;
    res->rows_rejected += w->rejected;
    for (int k = 0; k < 10; k++) res->excluded_by_code[k] += w->excl_code[k];
    for (int k = 0; k < EL_DNAJOB_REJ__COUNT; k++) res->rejected_by_reason[k] += w->rej[k];
    res->lsoa_missing += w->lsoa_missing;
    res->lsoa_unmatched += w->lsoa_unmatched;
    res->blank_lines += w->blank;
    for (size_t k = 0; k < w->nsamples && res->nsamples < EL_DNAJOB_MAX_SAMPLES; k++) {
        res->samples[res->nsamples] = w->samples[k];
        res->samples[res->nsamples].line += *line_base + 1;
        res->nsamples++;
    }
    *line_base += w->lines;
    res->lines += w->lines;
}

/* Record the row left open at end of input as rejected. */
static void reject_open(el_dnajob_result *res, uint64_t line_base)
{
    res->rows_read++;
    res->rows_rejected++;
    res->rejected_by_reason[EL_DNAJOB_REJ_UNTERMINATED]++;
    if (res->nsamples < EL_DNAJOB_MAX_SAMPLES) {
        res->samples[res->nsamples].line = line_base + 1;
        res->samples[res->nsamples].reason = EL_DNAJOB_REJ_UNTERMINATED;
        res->nsamples++;
    }
}

/* Byte offset just after the first '\n' at or after from, or 0 if none. */
static uint64_t next_row(int fd, const char *mem, uint64_t from, uint64_t size)
{
    if (mem) {
        const char *p = memchr(mem + from, '\n', (size_t)(size - from));
        return p ? (uint64_t)(p - mem) + 1 : 0;
    }
    char b[4096];
    while (from < size) {
        ssize_t n = pread(fd, b, sizeof b, (off_t)from);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        const char *p = memchr(b, '\n', (size_t)n);
        if (p) return from + (uint64_t)(p - b) + 1;
        from += (uint64_t)n;
    }
    return 0;
}

#define MAX_THREADS 64

/* The parallel / sequential run over [data_beg, size) of a file or buffer. */
static el_status run_ranges(job *j, int fd, const char *mem, uint64_t data_beg, uint64_t size,
                            const el_dnajob_opts *o, el_dnajob_result *res, uint64_t hdr_lines,
                            const char *name, el_error *err)
{
    int n = o->threads < 1 ? 1 : o->threads > MAX_THREADS ? MAX_THREADS : o->threads;
    uint64_t data = size - data_beg;
    uint64_t minr = o->min_range_bytes ? o->min_range_bytes : 1;
    if (data / minr < (uint64_t)n) n = (int)(data / minr);
    if (n < 1) n = 1;
    if (n > MAX_THREADS) n = MAX_THREADS;
    uint64_t cut[MAX_THREADS + 1];
    int m = 0;
    cut[m++] = data_beg;
    for (int k = 1; k < n; k++) {
        uint64_t target = data_beg + data * (uint64_t)k / (uint64_t)n;
        if (target <= cut[m - 1]) continue;
        uint64_t s = next_row(fd, mem, target, size);
        if (!s || s >= size) break;
        if (s > cut[m - 1]) cut[m++] = s;
    }
    cut[m] = size;
    task *t = calloc((size_t)m, sizeof *t);
    if (!t) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (int k = 0; k < m; k++) task_init(&t[k], j, fd, mem, cut[k], cut[k + 1], o);
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int k = 1; k < m; k++) started[k] = pthread_create(&th[k], NULL, task_run, &t[k]) == 0;
    task_run(&t[0]);
    for (int k = 1; k < m; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else task_run(&t[k]);  /* could not start a thread: do it here */
    }
    el_status st = EL_OK;
    uint64_t line_base = hdr_lines;
    res->threads_used = m;
    int k;
    for (k = 0; k < m; k++) {
        if ((st = task_error(&t[k], name, err)) != EL_OK) break;
        merge(res, &t[k].w, &line_base);
        if (t[k].w.open_quote) break;
    }
    if (st == EL_OK && k < m) {
        if (k == m - 1) {
            reject_open(res, line_base);
        } else {
            /* the split after range k fell inside a quoted field: re-read
             * sequentially from the open row to the end of the input */
            res->sequential_fallback = 1;
            task f;
            uint64_t from = cut[k] + t[k].w.open_row_off;
            task_init(&f, j, fd, mem, from, size, o);
            task_run(&f);
            if ((st = task_error(&f, name, err)) == EL_OK) {
                merge(res, &f.w, &line_base);
                if (f.w.open_quote) reject_open(res, line_base);
            }
            worker_free(&f.w);
        }
    }
    for (k = 0; k < m; k++) worker_free(&t[k].w);
    free(t);
    return st;
}

static el_status job_prepare(job *j, const el_lsoa_imd *imd, const el_dnajob_opts *o)
{
    j->imd = imd;
    j->scalar_only = o->scalar_only;
    j->maxcol = j->col[0];
    for (int k = 1; k < 3; k++) if (j->col[k] > j->maxcol) j->maxcol = j->col[k];
    j->want = malloc((size_t)j->maxcol + 2);
    if (!j->want) return EL_ERR_NOMEM;
    memset(j->want, -1, (size_t)j->maxcol + 2);
    for (int k = 2; k >= 0; k--) j->want[j->col[k]] = (signed char)k;
    return EL_OK;
}

static void result_init(el_dnajob_result *res)
{
    memset(res, 0, sizeof *res);
}

static el_status check_opts(const el_dnajob_opts *o, el_dnajob_opts *out, el_error *err)
{
    el_dnajob_opts_default(out);
    if (o) *out = *o;
    if (!out->attended_col || !out->ethnic_col || !out->lsoa_col)
        return el_error_set(err, EL_ERR_INVALID, "column names must be given");
    if (!strcasecmp(out->attended_col, out->ethnic_col) || !strcasecmp(out->attended_col, out->lsoa_col) ||
        !strcasecmp(out->ethnic_col, out->lsoa_col))
        return el_error_set(err, EL_ERR_INVALID, "the three columns must be different");
    if (out->threads < 1 || out->threads > MAX_THREADS)
        return el_error_set(err, EL_ERR_INVALID, "threads must be 1..%d", MAX_THREADS);
    if (out->chunk_bytes < 4096) out->chunk_bytes = 4096;
    if (out->chunk_bytes > ((size_t)1 << 30)) out->chunk_bytes = (size_t)1 << 30;
    if (out->max_row_bytes > ((size_t)1 << 30)) out->max_row_bytes = (size_t)1 << 30; /* 32-bit index */
    return EL_OK;
}

el_status el_dnajob_run_mem(const void *vbuf, size_t len, const char *name, const el_lsoa_imd *imd,
                            const el_dnajob_opts *o, el_dnajob_result *res, el_error *err)
{
    el_dnajob_opts opt;
    result_init(res);
    el_status st = check_opts(o, &opt, err);
    if (st != EL_OK) return st;
    const char *buf = vbuf;
    job j;
    memset(&j, 0, sizeof j);
    size_t hdr_end = 0;
    uint64_t hdr_lines = 0;
    if (len == 0) return el_error_at(err, EL_ERR_PARSE, name, 0, 0, NULL, "empty input: no header row");
    if (parse_header(buf, len, 1, &opt, &j, &hdr_end, &hdr_lines, name, err) < 0) return err ? err->status : EL_ERR_PARSE;
    if (job_prepare(&j, imd, &opt) != EL_OK) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    res->bytes = len;
    st = run_ranges(&j, -1, buf, hdr_end, len, &opt, res, hdr_lines, name, err);
    res->lines += hdr_lines;
    free(j.want);
    return st;
}

/* Standard input or a pipe: one sequential worker fed by read(). */
static el_status run_stream(int fd, const char *name, const el_lsoa_imd *imd, const el_dnajob_opts *o,
                            el_dnajob_result *res, el_error *err)
{
    size_t cap = o->chunk_bytes, have = 0;
    char *buf = malloc(cap);
    if (!buf) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    job j;
    memset(&j, 0, sizeof j);
    task t;
    memset(&t, 0, sizeof t);
    el_status st = EL_OK;
    int eof = 0, in_header = 1;
    uint64_t line_base = 0, total = 0;
    for (;;) {
        if (have == cap) {
            size_t maxrow = o->max_row_bytes < cap ? cap : o->max_row_bytes;
            if (cap >= maxrow) {
                st = el_error_at(err, EL_ERR_PARSE, name, 0, 0, NULL, "a row is longer than %zu bytes", maxrow);
                break;
            }
            size_t ncap = cap * 2 > maxrow ? maxrow : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + have, cap - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { st = el_error_at(err, EL_ERR_IO, name, 0, 0, NULL, "read failed: %s", strerror(errno)); break; }
        if (n == 0) eof = 1;
        have += (size_t)n;
        total += (uint64_t)n;
        size_t used = 0;
        if (in_header) {
            size_t he;
            uint64_t hl;
            if (eof && have == 0) { st = el_error_at(err, EL_ERR_PARSE, name, 0, 0, NULL, "empty input: no header row"); break; }
            int r = parse_header(buf, have, eof, o, &j, &he, &hl, name, err);
            if (r < 0) { st = err ? err->status : EL_ERR_PARSE; break; }
            if (r == 0) continue;
            if (job_prepare(&j, imd, o) != EL_OK) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
            task_init(&t, &j, -1, NULL, 0, 0, o);
            line_base = hl;
            in_header = 0;
            used = he;
            memmove(buf, buf + used, have - used);
            have -= used;
            used = 0;
        }
        t.w.base_off = 0;
        used = parse(&t.w, buf, have, eof);
        if (t.w.oom) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
        if (eof) break;
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    if (st == EL_OK) {
        res->threads_used = 1;
        res->bytes = total;
        res->lines = line_base;
        uint64_t lb = line_base;
        merge(res, &t.w, &lb);
        if (t.w.open_quote) reject_open(res, lb);
    }
    worker_free(&t.w);
    free(j.want);
    free(buf);
    return st;
}

el_status el_dnajob_run_file(const char *path, const el_lsoa_imd *imd, const el_dnajob_opts *o,
                             el_dnajob_result *res, el_error *err)
{
    el_dnajob_opts opt;
    result_init(res);
    el_status st = check_opts(o, &opt, err);
    if (st != EL_OK) return st;
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    if (fd < 0) return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = run_stream(fd, path, imd, &opt, res, err);
        if (fd) close(fd);
        return st;
    }
    uint64_t size = (uint64_t)sb.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    /* header: read until it is complete */
    size_t cap = 65536, have = 0, hdr_end = 0;
    uint64_t hdr_lines = 0;
    char *hb = NULL;
    job j;
    memset(&j, 0, sizeof j);
    for (;;) {
        char *nb = realloc(hb, cap);
        if (!nb) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto done; }
        hb = nb;
        while (have < cap && have < size) {
            ssize_t n = pread(fd, hb + have, cap - have, (off_t)have);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { st = el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "read failed"); goto done; }
            have += (size_t)n;
        }
        if (size == 0) { st = el_error_at(err, EL_ERR_PARSE, path, 0, 0, NULL, "empty input: no header row"); goto done; }
        int r = parse_header(hb, have, have == size, &opt, &j, &hdr_end, &hdr_lines, path, err);
        if (r < 0) { st = err ? err->status : EL_ERR_PARSE; goto done; }
        if (r == 1) break;
        if (cap >= opt.max_row_bytes) { st = el_error_at(err, EL_ERR_PARSE, path, 1, 0, NULL, "header row too long"); goto done; }
        cap *= 2;
    }
    if (job_prepare(&j, imd, &opt) != EL_OK) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto done; }
    res->bytes = size;
    st = run_ranges(&j, fd, NULL, hdr_end, size, &opt, res, hdr_lines, path, err);
    res->lines += hdr_lines;
done:
    free(hb);
    free(j.want);
    close(fd);
    return st;
}
