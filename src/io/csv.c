/* csv.c — streaming RFC 4180 reader; see include/equitylens/csv.h.
 *
 * Memory: one 256 KiB read buffer and the current record (≤ max_record bytes
 * plus a field index). A record that outgrows max_record is still scanned to
 * its end (so the reader stays in sync) but its bytes are not kept. */
#include "equitylens/csv.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RDBUF (256 * 1024)

struct el_csv {
    FILE *f;
    int own_file;
    const unsigned char *mem; size_t memlen, mempos;
    unsigned char *buf; size_t blen, bpos;   /* read buffer */
    int eof;
    int rderr;          /* errno of a failed read (sticky: later calls fail too) */
    char name[256];
    el_csv_opts o;
    /* current record */
    char *rec; size_t rlen, rcap;
    size_t *fstart; size_t nf, fcap;
    int overflow;
    long line;          /* current physical line (1-based) */
    long rec_line;      /* line where current record began */
    uint64_t records, bytes;
    int started;
    int pending_cr;
};

void el_csv_opts_default(el_csv_opts *o)
{
    o->delim = ',';
    o->max_record = 1u << 20;
    o->validate_utf8 = 1;
}

static el_csv *alloc_reader(const char *name, const el_csv_opts *opts)
{
    el_csv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (opts) c->o = *opts; else el_csv_opts_default(&c->o);
    if (!c->o.delim) c->o.delim = ',';
    if (!c->o.max_record) c->o.max_record = 1u << 20;
    snprintf(c->name, sizeof c->name, "%s", name ? name : "-");
    c->line = 1;
    c->rcap = 4096;
    c->rec = malloc(c->rcap);
    c->fcap = 64;
    c->fstart = malloc(c->fcap * sizeof *c->fstart);
    if (!c->rec || !c->fstart) { el_csv_close(c); return NULL; }
    return c;
}

el_csv *el_csv_open(const char *path, const el_csv_opts *opts, el_error *err)
{
    FILE *f;
    if (!strcmp(path, "-")) f = stdin;
    else f = fopen(path, "rb");
    if (!f) {
        el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (f != stdin) fclose(f);
        el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot read: %s", strerror(EISDIR));
        return NULL;
    }
    el_csv *c = alloc_reader(path, opts);
    if (!c) { if (f != stdin) fclose(f); el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    c->f = f;
    c->own_file = f != stdin;
    c->buf = malloc(RDBUF);
    if (!c->buf) { el_csv_close(c); el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    return c;
}

el_csv *el_csv_open_stream(FILE *f, const char *name, const el_csv_opts *opts)
{
    el_csv *c = alloc_reader(name, opts);
    if (!c) return NULL;
    c->f = f;
    c->buf = malloc(RDBUF);
    if (!c->buf) { el_csv_close(c); return NULL; }
    return c;
}

el_csv *el_csv_open_mem(const void *buf, size_t len, const char *name, const el_csv_opts *opts)
{
    el_csv *c = alloc_reader(name, opts);
    if (!c) return NULL;
    c->buf = (unsigned char *)buf;  /* read-only use; never freed */
    c->blen = len;
    c->eof = 1;
    c->mem = buf;
    return c;
}

void el_csv_close(el_csv *c)
{
    if (!c) return;
    if (c->own_file && c->f) fclose(c->f);
    if (!c->mem) free(c->buf);
    free(c->rec);
    free(c->fstart);
    free(c);
}

/* Next byte or -1 at end of input; -2 on read error. */
static inline int getb(el_csv *c)
{
    if (c->bpos < c->blen) { c->bytes++; return c->buf[c->bpos++]; }
    if (c->eof || !c->f) return c->rderr ? -2 : -1;
    errno = 0;
    c->blen = fread(c->buf, 1, RDBUF, c->f);
    c->bpos = 0;
    if (c->blen == 0) {
        c->eof = 1;
        if (ferror(c->f)) c->rderr = errno ? errno : EIO;
        return c->rderr ? -2 : -1;
    }
    c->bytes++;
    return c->buf[c->bpos++];
}

static inline int peekb(el_csv *c)
{
    int ch = getb(c);
    if (ch >= 0) { c->bpos--; c->bytes--; }
    return ch;
}

static int grow_rec(el_csv *c, size_t need)
{
    if (need <= c->rcap) return 0;
    size_t cap = c->rcap;
    while (cap < need) cap *= 2;
    char *p = realloc(c->rec, cap);
    if (!p) return -1;
    c->rec = p; c->rcap = cap;
    return 0;
}

static inline int putb(el_csv *c, int ch)
{
    if (c->overflow) return 0;
    if (c->rlen + 2 > c->o.max_record) { c->overflow = 1; return 0; }
    if (c->rlen + 2 > c->rcap && grow_rec(c, c->rlen + 2)) return -1;
    c->rec[c->rlen++] = (char)ch;
    return 0;
}

static int start_field(el_csv *c)
{
    if (c->nf == c->fcap) {
        size_t *p = realloc(c->fstart, 2 * c->fcap * sizeof *p);
        if (!p) return -1;
        c->fstart = p; c->fcap *= 2;
    }
    c->fstart[c->nf++] = c->rlen;
    return 0;
}

static int end_field(el_csv *c)
{
    if (c->overflow) return 0;
    if (c->rlen + 1 > c->rcap && grow_rec(c, c->rlen + 1)) return -1;
    c->rec[c->rlen++] = 0;
    return 0;
}

/* Returns the offset of the first invalid byte, or -1 if s is valid UTF-8. */
static long utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) { i++; continue; }
        size_t k; unsigned cp;
        if ((b & 0xE0) == 0xC0) { k = 1; cp = b & 0x1F; if (b < 0xC2) return (long)i; }
        else if ((b & 0xF0) == 0xE0) { k = 2; cp = b & 0x0F; }
        else if ((b & 0xF8) == 0xF0 && b <= 0xF4) { k = 3; cp = b & 0x07; }
        else return (long)i;
        if (i + k >= n) return (long)i;   /* truncated sequence */
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return (long)i;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return (long)i;
        i += k + 1;
    }
    return -1;
}

el_csv_result el_csv_next(el_csv *c, el_error *err)
{
    c->rlen = 0; c->nf = 0; c->overflow = 0;
    int ch;
    if (!c->started) {
        c->started = 1;
        /* UTF-8 BOM */
        if (peekb(c) == 0xEF) {
            getb(c);
            if (peekb(c) == 0xBB) { getb(c); if (peekb(c) == 0xBF) getb(c); else { putb(c, 0xEF); putb(c, 0xBB); } }
            else putb(c, 0xEF);
        }
    }
    size_t pre = c->rlen;  /* bytes of a broken BOM already stored */
    ch = getb(c);
    if (ch == -2) return el_error_at(err, EL_ERR_IO, c->name, c->line, 0, NULL, "read error: %s", strerror(c->rderr)), EL_CSV_FATAL;
    if (ch == -1 && pre == 0) return EL_CSV_EOF;

    c->rec_line = c->line;
    const char d = c->o.delim;
    const char *bad = NULL; long bad_col = 0; long bad_line = 0;
    int nul_seen = 0;
    if (start_field(c)) goto nomem;
    c->fstart[0] = 0;  /* keep the bytes of a broken BOM in the first field */
    /* fields: state 0 = start of field, 1 = unquoted, 2 = quoted, 3 = after closing quote */
    int st = 0;
    for (;; ch = getb(c)) {
        if (ch == -2) return el_error_at(err, EL_ERR_IO, c->name, c->line, 0, NULL, "read error: %s", strerror(c->rderr)), EL_CSV_FATAL;
        if (ch == -1) {
            if (st == 2 && !bad) {
                bad = "unterminated quoted field (end of file reached inside quotes)";
                bad_col = (long)c->nf; bad_line = c->rec_line;
            }
            break;
        }
        if (ch == 0 && !nul_seen) {
            nul_seen = 1;
            if (!bad) { bad = "NUL byte in input (binary data?)"; bad_col = (long)c->nf; bad_line = c->line; }
        }
        if (st == 2) {
            if (ch == '"') {
                if (peekb(c) == '"') { getb(c); if (putb(c, '"')) goto nomem; }
                else st = 3;
                continue;
            }
            if (ch == '\n') c->line++;
            else if (ch == '\r' && peekb(c) != '\n') c->line++;
            if (putb(c, ch)) goto nomem;
            continue;
        }
        if (ch == d) {
            if (end_field(c) || start_field(c)) goto nomem;
            st = 0;
            continue;
        }
        if (ch == '\n' || ch == '\r') {
            if (ch == '\r' && peekb(c) == '\n') getb(c);
            c->line++;
            break;
        }
        if (st == 0 && ch == '"') { st = 2; continue; }
        if (st == 3 && !bad) {
            bad = "unexpected text after a closing quote";
            bad_col = (long)c->nf; bad_line = c->line;
        }
        if (st == 0) st = 1;
        if (putb(c, ch)) goto nomem;
    }
    if (end_field(c)) goto nomem;
    c->records++;
    if (c->overflow) {
        c->nf = 0;
        el_error_at(err, EL_ERR_PARSE, c->name, c->rec_line, 0, NULL,
                    "record longer than %zu bytes (limit: max_record); not read", c->o.max_record);
        return EL_CSV_BAD;
    }
    if (bad) {
        el_error_at(err, EL_ERR_PARSE, c->name, bad_line, bad_col, NULL, "%s", bad);
        return EL_CSV_BAD;
    }
    if (c->o.validate_utf8) {
        for (size_t i = 0; i < c->nf; i++) {
            const unsigned char *s = (const unsigned char *)c->rec + c->fstart[i];
            long at = utf8_invalid_at(s, strlen((const char *)s));
            if (at >= 0) {
                el_error_at(err, EL_ERR_PARSE, c->name, c->rec_line, (long)i + 1, NULL,
                            "invalid UTF-8 (byte 0x%02X at offset %ld of the field)", s[at], at);
                return EL_CSV_BAD;
            }
        }
    }
    return EL_CSV_ROW;
nomem:
    el_error_at(err, EL_ERR_NOMEM, c->name, c->rec_line, 0, NULL, "out of memory");
    return EL_CSV_FATAL;
}

size_t el_csv_nfields(const el_csv *c) { return c->nf; }
const char *el_csv_field(const el_csv *c, size_t i) { return i < c->nf ? c->rec + c->fstart[i] : ""; }
size_t el_csv_field_len(const el_csv *c, size_t i) { return i < c->nf ? strlen(c->rec + c->fstart[i]) : 0; }
long el_csv_line(const el_csv *c) { return c->rec_line; }
uint64_t el_csv_records(const el_csv *c) { return c->records; }
uint64_t el_csv_bytes(const el_csv *c) { return c->bytes; }
const char *el_csv_name(const el_csv *c) { return c->name; }

void el_csv_write_field(FILE *f, const char *s)
{
    if (!s) s = "";
    if (!s[strcspn(s, ",\"\r\n")] && s[0] != ' ' ) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) { if (*s == '"') fputc('"', f); fputc(*s, f); }
    fputc('"', f);
}

void el_csv_write_row(FILE *f, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        el_csv_write_field(f, fields[i]);
    }
    fputc('\n', f);
}
