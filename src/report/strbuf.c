/* strbuf.c — see include/equitylens/strbuf.h. */
#include "equitylens/strbuf.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void el_strbuf_init(el_strbuf *b) { memset(b, 0, sizeof *b); }

void el_strbuf_release(el_strbuf *b)
{
    if (!b) return;
    free(b->s);
    memset(b, 0, sizeof *b);
}

int el_strbuf_ok(const el_strbuf *b) { return !b->oom; }

const char *el_strbuf_str(const el_strbuf *b) { return b->s ? b->s : ""; }

char *el_strbuf_take(el_strbuf *b)
{
    char *s = b->s;
    if (!s && !b->oom) s = calloc(1, 1);
    if (b->oom) { free(s); s = NULL; }
    memset(b, 0, sizeof *b);
    return s;
}

static int grow(el_strbuf *b, size_t extra)
{
    if (b->oom) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) { b->oom = 1; return 0; }
        cap *= 2;
    }
    char *n = realloc(b->s, cap);
    if (!n) { b->oom = 1; return 0; }
    b->s = n;
    b->cap = cap;
    return 1;
}

void el_strbuf_putn(el_strbuf *b, const char *s, size_t n)
{
    if (!grow(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void el_strbuf_put(el_strbuf *b, const char *s)
{
    if (s) el_strbuf_putn(b, s, strlen(s));
}

void el_strbuf_printf(el_strbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) { b->oom = 1; return; }
    if ((size_t)n < sizeof tmp) { el_strbuf_putn(b, tmp, (size_t)n); return; }
    if (!grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void el_strbuf_esc(el_strbuf *b, const char *s)
{
    if (!s) return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            el_strbuf_putn(b, run, (size_t)(s - run));
            el_strbuf_put(b, rep);
            run = s + 1;
        }
    }
    el_strbuf_putn(b, run, (size_t)(s - run));
}
