/* mapping.c — mapping-file parser and value mapping (owner: import).
 * Format: include/equitylens/mapping.h and docs/data-formats.md. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "equitylens/mapping.h"
#include "equitylens/parse.h"

#define MAX_MAP_BYTES (1u << 20)
#define NHS_SLOT EL_F__COUNT   /* pseudo-field index for nhs_number */

typedef struct { char *key, *val; uint32_t h; } code_ent;
typedef struct {
    code_ent *ents; size_t n, cap;
    int32_t *slots; size_t nslots;
    char *star;       /* "*" → value for any other non-blank value (NULL = keep) */
    char *blank;      /* ""  → value for a blank value (NULL = keep blank) */
} code_map;

struct el_mapping {
    el_kind kind;
    int kind_set;
    char *name;
    char *date_format;
    int blank_invalid;
    char delim;
    char *column[EL_F__COUNT + 1];
    char *datefmt[EL_F__COUNT];
    char *constant[EL_F__COUNT];
    unsigned transforms[EL_F__COUNT];
    code_map codes[EL_F__COUNT];
};

static uint32_t hstr(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
    return h;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static el_mapping *mapping_new(void)
{
    el_mapping *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->date_format = xstrdup("YYYY-MM-DD");
    if (!m->date_format) { free(m); return NULL; }
    return m;
}

void el_mapping_free(el_mapping *m)
{
    if (!m) return;
    free(m->name);
    free(m->date_format);
    for (int f = 0; f <= EL_F__COUNT; f++) free(m->column[f]);
    for (int f = 0; f < EL_F__COUNT; f++) {
        free(m->datefmt[f]);
        free(m->constant[f]);
        code_map *c = &m->codes[f];
        for (size_t i = 0; i < c->n; i++) { free(c->ents[i].key); free(c->ents[i].val); }
        free(c->ents); free(c->slots); free(c->star); free(c->blank);
    }
    free(m);
}

static int code_find(const code_map *c, const char *key, uint32_t h)
{
    if (!c->nslots) return -1;
    size_t j = h & (c->nslots - 1);
    for (;;) {
        int32_t i = c->slots[j];
        if (i < 0) return -1;
        if (c->ents[i].h == h && !strcmp(c->ents[i].key, key)) return i;
        j = (j + 1) & (c->nslots - 1);
    }
}

/* 0 ok, -1 OOM, 1 duplicate key */
static int code_add(code_map *c, const char *key, const char *val)
{
    if (!strcmp(key, "*") || !*key) {
        char **slot = *key ? &c->star : &c->blank;
        if (*slot) return 1;
        *slot = xstrdup(val);
        return *slot ? 0 : -1;
    }
    uint32_t h = hstr(key);
    if (code_find(c, key, h) >= 0) return 1;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 8;
        code_ent *ne = realloc(c->ents, nc * sizeof *ne);
        if (!ne) return -1;
        c->ents = ne; c->cap = nc;
    }
    if ((c->n + 1) * 2 > c->nslots) {
        size_t ns = c->nslots ? c->nslots * 2 : 16;
        int32_t *s = malloc(ns * sizeof *s);
        if (!s) return -1;
        for (size_t i = 0; i < ns; i++) s[i] = -1;
        for (size_t i = 0; i < c->n; i++) {
            size_t j = c->ents[i].h & (ns - 1);
            while (s[j] >= 0) j = (j + 1) & (ns - 1);
            s[j] = (int32_t)i;
        }
        free(c->slots); c->slots = s; c->nslots = ns;
    }
    char *k = xstrdup(key), *v = xstrdup(val);
    if (!k || !v) { free(k); free(v); return -1; }
    c->ents[c->n] = (code_ent){k, v, h};
    size_t j = h & (c->nslots - 1);
    while (c->slots[j] >= 0) j = (j + 1) & (c->nslots - 1);
    c->slots[j] = (int32_t)c->n++;
    return 0;
}

/* ---------- text parsing ---------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

/* Unquote s in place if it is "..." (with "" escapes). Returns 0, or -1 if
 * quoting is malformed. */
static int unquote(char *s)
{
    size_t n = strlen(s);
    if (!n || s[0] != '"') return 0;
    char *w = s;
    size_t i = 1;
    for (;;) {
        if (i >= n) return -1;              /* no closing quote */
        if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') { *w++ = '"'; i += 2; continue; }
            if (i + 1 != n) return -1;      /* text after closing quote */
            break;
        }
        *w++ = s[i++];
    }
    *w = 0;
    return 0;
}

/* Find the '=' separating key and value, skipping a quoted key. */
static char *find_eq(char *s)
{
    char *p = s;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '"') {
        p++;
        for (;;) {
            if (!*p) return NULL;
            if (*p == '"') { if (p[1] == '"') { p += 2; continue; } p++; break; }
            p++;
        }
    }
    return strchr(p, '=');
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { if (c == 0) return 0; i++; continue; }
        size_t k; unsigned min;
        if ((c & 0xE0) == 0xC0) { k = 1; c &= 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { k = 2; c &= 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { k = 3; c &= 0x07; min = 0x10000; }
        else return 0;
        if (i + k >= n) return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return 0;
            c = (c << 6) | (s[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
        i += k + 1;
    }
    return 1;
}

static const char *const DATE_FORMATS[] = {"YYYY-MM-DD", "DD/MM/YYYY", "DD-MM-YYYY", "YYYYMMDD", NULL};

static int known_date_format(const char *f)
{
    for (size_t i = 0; DATE_FORMATS[i]; i++)
        if (!strcmp(f, DATE_FORMATS[i])) return 1;
    return 0;
}

enum sect { S_TOP, S_COLUMNS, S_DATES, S_TRANSFORMS, S_CODES, S_CONSTANTS };

static int field_for_kind(const el_mapping *m, const char *name, int allow_nhs)
{
    if (allow_nhs && !strcmp(name, "nhs_number")) return NHS_SLOT;
    int f = el_field_by_name(name);
    if (f < 0) return -1;
    return f;
}

static el_status check_field(const el_mapping *m, int f, const char *key, const char *nm, long line, el_error *err)
{
    if (f < 0)
        return el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "unknown canonical field '%s'", key);
    if (f == NHS_SLOT) return EL_OK;
    const el_field_info *fi = el_field_get((el_field)f);
    if (fi->derived)
        return el_error_at(err, EL_ERR_PARSE, nm, line, 0, fi->name,
                           "'%s' is derived at import (enrichment) and cannot be mapped", key);
    if (!fi->use[m->kind])
        return el_error_at(err, EL_ERR_PARSE, nm, line, 0, fi->name,
                           "field '%s' is not part of kind '%s'", key, el_kind_name(m->kind));
    return EL_OK;
}

static el_status check_constant(const el_field_info *fi, const char *v, const char *nm, long line, el_error *err)
{
    int32_t days;
    int64_t iv;
    switch (fi->type) {
    case EL_T_DATE:
        if (el_parse_date(v, "YYYY-MM-DD", &days))
            return el_error_at(err, EL_ERR_PARSE, nm, line, 0, fi->name,
                               "constant '%s' is not a date YYYY-MM-DD", v);
        break;
    case EL_T_INT:
        if (el_parse_i64(v, 0, &iv) || iv < INT32_MIN + 1 || iv > INT32_MAX)
            return el_error_at(err, EL_ERR_PARSE, nm, line, 0, fi->name, "constant '%s' is not an integer", v);
        break;
    case EL_T_FLAG:
        if (strcmp(v, "Y") && strcmp(v, "N"))
            return el_error_at(err, EL_ERR_PARSE, nm, line, 0, fi->name, "constant '%s' is not Y or N", v);
        break;
    default: break;
    }
    return EL_OK;
}

el_mapping *el_mapping_parse(const char *text, size_t len, const char *name, el_error *err)
{
    const char *nm = name ? name : "mapping";
    if (len > MAX_MAP_BYTES) {
        el_error_at(err, EL_ERR_PARSE, nm, 0, 0, NULL, "mapping is larger than %u bytes", MAX_MAP_BYTES);
        return NULL;
    }
    if (!valid_utf8((const unsigned char *)text, len)) {
        el_error_at(err, EL_ERR_PARSE, nm, 0, 0, NULL, "mapping is not valid UTF-8 text (or contains NUL bytes)");
        return NULL;
    }
    el_mapping *m = mapping_new();
    char *buf = malloc(len + 1);
    if (!m || !buf) { free(buf); el_mapping_free(m); el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    memcpy(buf, text, len);
    buf[len] = 0;
    char *p = buf;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
    enum sect sec = S_TOP;
    int code_field = -1;
    long line = 0;
    el_status st = EL_OK;
    while (p && *p && st == EL_OK) {
        line++;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        char *s = trim(p);
        p = nl ? nl + 1 : NULL;
        if (!*s || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            size_t n = strlen(s);
            if (s[n - 1] != ']') { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "section header '%s' lacks ']'", s); break; }
            s[n - 1] = 0;
            char *sn = trim(s + 1);
            if (!m->kind_set) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "'kind = ...' must come before the first section"); break; }
            if (!strcmp(sn, "columns")) sec = S_COLUMNS;
            else if (!strcmp(sn, "dates")) sec = S_DATES;
            else if (!strcmp(sn, "transforms")) sec = S_TRANSFORMS;
            else if (!strcmp(sn, "constants")) sec = S_CONSTANTS;
            else if (!strncmp(sn, "codes.", 6)) {
                sec = S_CODES;
                code_field = field_for_kind(m, sn + 6, 0);
                st = check_field(m, code_field, sn + 6, nm, line, err);
            } else st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL,
                                    "unknown section [%s] (expected columns, dates, transforms, constants, codes.FIELD)", sn);
            continue;
        }
        char *eq = find_eq(s);
        if (!eq) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "expected 'key = value', got '%s'", s); break; }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        if (unquote(key) || unquote(val)) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "malformed quotes"); break; }
        if (strlen(key) > 4096 || strlen(val) > 4096) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "key or value longer than 4096 bytes"); break; }
        switch (sec) {
        case S_TOP:
            if (!strcmp(key, "kind")) {
                int k = el_kind_by_name(val);
                if (k < 0) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "unknown kind '%s' (appointments, waiting_list, cancer_pathways)", val); break; }
                if (m->kind_set) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "kind given twice"); break; }
                m->kind = (el_kind)k; m->kind_set = 1;
            } else if (!strcmp(key, "name")) {
                if (!*val) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "empty name"); break; }
                free(m->name); m->name = xstrdup(val);
                if (!m->name) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            } else if (!strcmp(key, "date_format")) {
                if (!known_date_format(val)) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "unknown date format '%s' (YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, YYYYMMDD)", val); break; }
                free(m->date_format); m->date_format = xstrdup(val);
                if (!m->date_format) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            } else if (!strcmp(key, "invalid")) {
                if (!strcmp(val, "reject")) m->blank_invalid = 0;
                else if (!strcmp(val, "blank")) m->blank_invalid = 1;
                else st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "invalid = '%s': expected reject or blank", val);
            } else if (!strcmp(key, "delimiter")) {
                if (!strcmp(val, "comma")) m->delim = ',';
                else if (!strcmp(val, "tab")) m->delim = '\t';
                else if (!strcmp(val, "pipe")) m->delim = '|';
                else if (!strcmp(val, "semicolon")) m->delim = ';';
                else st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "delimiter = '%s': expected comma, tab, pipe or semicolon", val);
            } else if (!strcmp(key, "description")) {
                /* free text for humans */
            } else st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, NULL, "unknown setting '%s' (kind, name, description, date_format, invalid, delimiter)", key);
            break;
        case S_COLUMNS: {
            int f = field_for_kind(m, key, 1);
            if ((st = check_field(m, f, key, nm, line, err)) != EL_OK) break;
            if (!*val) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "empty column name"); break; }
            if (m->column[f]) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "field '%s' mapped twice", key); break; }
            m->column[f] = xstrdup(val);
            if (!m->column[f]) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            break;
        }
        case S_DATES: {
            int f = field_for_kind(m, key, 0);
            if ((st = check_field(m, f, key, nm, line, err)) != EL_OK) break;
            if (el_field_get((el_field)f)->type != EL_T_DATE) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "'%s' is not a date field", key); break; }
            if (!known_date_format(val)) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "unknown date format '%s' (YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, YYYYMMDD)", val); break; }
            free(m->datefmt[f]); m->datefmt[f] = xstrdup(val);
            if (!m->datefmt[f]) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            break;
        }
        case S_TRANSFORMS: {
            int f = field_for_kind(m, key, 0);
            if ((st = check_field(m, f, key, nm, line, err)) != EL_OK) break;
            /* comma-separated list */
            unsigned t = 0;
            char *save = NULL;
            for (char *tok = strtok_r(val, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                tok = trim(tok);
                if (!strcmp(tok, "upper")) t |= EL_TR_UPPER;
                else if (!strcmp(tok, "lower")) t |= EL_TR_LOWER;
                else if (!strcmp(tok, "integer")) t |= EL_TR_INTEGER;
                else { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "unknown transform '%s' (upper, lower, integer)", tok); break; }
            }
            if (st != EL_OK) break;
            if ((t & EL_TR_UPPER) && (t & EL_TR_LOWER)) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "upper and lower together"); break; }
            if ((t & EL_TR_INTEGER) && el_field_get((el_field)f)->type != EL_T_INT) { st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, key, "'integer' applies to integer fields only"); break; }
            m->transforms[f] = t;
            break;
        }
        case S_CODES: {
            int r = code_add(&m->codes[code_field], key, val);
            if (r < 0) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            else if (r > 0) st = el_error_at(err, EL_ERR_PARSE, nm, line, 0, el_field_get((el_field)code_field)->name, "code '%s' mapped twice", key);
            break;
        }
        case S_CONSTANTS: {
            int f = field_for_kind(m, key, 0);
            if ((st = check_field(m, f, key, nm, line, err)) != EL_OK) break;
            if ((st = check_constant(el_field_get((el_field)f), val, nm, line, err)) != EL_OK) break;
            free(m->constant[f]); m->constant[f] = xstrdup(val);
            if (!m->constant[f]) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
            break;
        }
        }
    }
    free(buf);
    if (st == EL_OK && !m->kind_set) st = el_error_at(err, EL_ERR_PARSE, nm, 0, 0, NULL, "mapping has no 'kind = ...' line");
    if (st == EL_OK) {
        for (int f = 0; f < EL_F__COUNT; f++)
            if (m->column[f] && m->constant[f]) {
                st = el_error_at(err, EL_ERR_PARSE, nm, 0, 0, el_field_get((el_field)f)->name,
                                 "field has both a column and a constant");
                break;
            }
    }
    if (st == EL_OK && !m->name) {
        const char *b = strrchr(nm, '/');
        b = b ? b + 1 : nm;
        size_t n = strlen(b);
        if (n > 4 && !strcmp(b + n - 4, ".map")) n -= 4;
        m->name = malloc(n + 1);
        if (!m->name) st = el_error_set(err, EL_ERR_NOMEM, "out of memory");
        else { memcpy(m->name, b, n); m->name[n] = 0; }
    }
    if (st != EL_OK) { el_mapping_free(m); return NULL; }
    return m;
}

el_mapping *el_mapping_load(const char *path, el_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) { el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open mapping: %s", strerror(errno)); return NULL; }
    char *buf = malloc(MAX_MAP_BYTES + 1);
    if (!buf) { fclose(f); el_error_set(err, EL_ERR_NOMEM, "out of memory"); return NULL; }
    size_t n = fread(buf, 1, MAX_MAP_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    el_mapping *m = NULL;
    if (bad) el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "read error");
    else m = el_mapping_parse(buf, n, path, err);
    free(buf);
    return m;
}

el_mapping *el_mapping_canonical(el_kind kind)
{
    if ((int)kind < 0 || kind >= EL_KIND__COUNT) return NULL;
    el_mapping *m = mapping_new();
    if (!m) return NULL;
    m->kind = kind; m->kind_set = 1;
    char nm[64];
    snprintf(nm, sizeof nm, "canonical-%s", el_kind_name(kind));
    m->name = xstrdup(nm);
    if (!m->name) { el_mapping_free(m); return NULL; }
    for (int f = 0; f < EL_F__COUNT; f++) {
        const el_field_info *fi = el_field_get((el_field)f);
        if (fi->derived || !fi->use[kind] || f == EL_F_NHS_NUMBER_HASH) continue;
        if (!(m->column[f] = xstrdup(fi->name))) { el_mapping_free(m); return NULL; }
    }
    if (!(m->column[NHS_SLOT] = xstrdup("nhs_number"))) { el_mapping_free(m); return NULL; }
    return m;
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

el_mapping *el_mapping_resolve(const char *arg, int kind, el_error *err)
{
    el_mapping *m = NULL;
    if (!arg || !strcmp(arg, "canonical")) {
        if (kind < 0 || kind >= EL_KIND__COUNT) {
            el_error_set(err, EL_ERR_INVALID, "the canonical mapping needs --kind");
            return NULL;
        }
        m = el_mapping_canonical((el_kind)kind);
        if (!m) el_error_set(err, EL_ERR_NOMEM, "out of memory");
        return m;
    }
    char path[PATH_MAX];
    const char *found = NULL;
    if (file_exists(arg)) found = arg;
    else if (!strchr(arg, '/')) {
        const char *env = getenv("EQUITYLENS_MAPPINGS");
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        const char *dirs[3] = {env, "mappings", NULL};
        if (n > 0) {
            exe[n] = 0;
            char *sl = strrchr(exe, '/');
            if (sl) { *sl = 0; strncat(exe, "/../mappings", sizeof exe - strlen(exe) - 1); dirs[2] = exe; }
        }
        for (int i = 0; i < 3 && !found; i++) {
            if (!dirs[i] || !*dirs[i]) continue;
            snprintf(path, sizeof path, "%s/%s.map", dirs[i], arg);
            if (file_exists(path)) found = path;
        }
    }
    struct stat sb;
    if (!found && stat(arg, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        el_error_at(err, EL_ERR_IO, arg, 0, 0, NULL, "mapping is not a regular file%s",
                    S_ISDIR(sb.st_mode) ? " (it is a directory)" : "");
        return NULL;
    }
    if (!found) {
        el_error_set(err, EL_ERR_NOTFOUND,
                     "mapping '%s' not found (a file path, 'canonical', or NAME for NAME.map in "
                     "$EQUITYLENS_MAPPINGS or ./mappings)", arg);
        return NULL;
    }
    m = el_mapping_load(found, err);
    if (m && kind >= 0 && (int)m->kind != kind) {
        el_error_at(err, EL_ERR_INVALID, found, 0, 0, NULL, "mapping is for kind '%s', not '%s'",
                    el_kind_name(m->kind), el_kind_name((el_kind)kind));
        el_mapping_free(m);
        return NULL;
    }
    return m;
}

el_kind el_mapping_kind(const el_mapping *m) { return m->kind; }
const char *el_mapping_name(const el_mapping *m) { return m->name; }

static int okf(el_field f) { return (int)f >= 0 && f < EL_F__COUNT; }

const char *el_mapping_column(const el_mapping *m, el_field f) { return okf(f) ? m->column[f] : NULL; }
const char *el_mapping_nhs_column(const el_mapping *m) { return m->column[NHS_SLOT]; }
const char *el_mapping_date_format(const el_mapping *m, el_field f)
{
    return okf(f) && m->datefmt[f] ? m->datefmt[f] : m->date_format;
}
const char *el_mapping_constant(const el_mapping *m, el_field f) { return okf(f) ? m->constant[f] : NULL; }
unsigned el_mapping_transforms(const el_mapping *m, el_field f) { return okf(f) ? m->transforms[f] : 0; }
int el_mapping_blank_invalid(const el_mapping *m) { return m->blank_invalid; }
char el_mapping_delimiter(const el_mapping *m) { return m->delim ? m->delim : ','; }
size_t el_mapping_code_count(const el_mapping *m, el_field f)
{
    if (!okf(f)) return 0;
    const code_map *c = &m->codes[f];
    return c->n + (c->star != NULL) + (c->blank != NULL);
}

el_status el_mapping_set_constant(el_mapping *m, el_field f, const char *value, el_error *err)
{
    if (!okf(f) || !value) return el_error_set(err, EL_ERR_INVALID, "bad constant");
    const el_field_info *fi = el_field_get(f);
    if (fi->derived || !fi->use[m->kind])
        return el_error_set(err, EL_ERR_INVALID, "field '%s' is not part of kind '%s'", fi->name, el_kind_name(m->kind));
    el_status st = check_constant(fi, value, "constant", 0, err);
    if (st != EL_OK) return st;
    char *v = xstrdup(value);
    if (!v) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    free(m->constant[f]);
    m->constant[f] = v;
    free(m->column[f]);      /* a constant given on the command line wins over a column */
    m->column[f] = NULL;
    return EL_OK;
}

const char *el_mapping_map_value(const el_mapping *m, el_field f, const char *raw, char *buf, size_t cap)
{
    if (!raw) raw = "";
    if (!okf(f)) return raw;
    /* trim (spaces and tabs) */
    while (*raw == ' ' || *raw == '\t') raw++;
    size_t n = strlen(raw);
    while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t')) n--;
    const char *v = raw;
    unsigned t = m->transforms[f];
    if (raw[n] != 0 || (t & (EL_TR_UPPER | EL_TR_LOWER))) {
        if (n < cap) {
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)raw[i];
                buf[i] = (char)((t & EL_TR_UPPER) ? toupper(c) : (t & EL_TR_LOWER) ? tolower(c) : c);
            }
            buf[n] = 0;
            v = buf;
        } else if (cap) {
            /* too long for the buffer: truncate to cap-1 so the caller still sees text */
            memcpy(buf, raw, cap - 1);
            buf[cap - 1] = 0;
            v = buf;
        }
    }
    if ((t & EL_TR_INTEGER) && n < cap) {
        /* "54.0" / "54." → "54" so code maps and integer parsing see a whole number */
        const char *dot = memchr(v, '.', n);
        if (dot && dot > v) {
            size_t k = (size_t)(dot - v) + 1;
            while (k < n && v[k] == '0') k++;
            if (k == n) {
                size_t w = (size_t)(dot - v);
                if (v != buf) memcpy(buf, v, w);
                buf[w] = 0;
                v = buf;
            }
        }
    }
    const code_map *c = &m->codes[f];
    if (!*v) return c->blank ? c->blank : "";
    if (c->n) {
        int i = code_find(c, v, hstr(v));
        if (i >= 0) return c->ents[i].val;
    }
    if (c->star) return c->star;
    return v;
}
