/* strbuf.h — growable text buffer used by the report renderers (owner: report).
 *
 * An el_strbuf accumulates text (SVG, HTML). Out-of-memory is sticky: after a
 * failed allocation every append is a no-op and el_strbuf_ok() returns 0, so a
 * renderer may append freely and check once at the end.
 *
 * Ownership: el_strbuf_init() on a caller-owned struct, el_strbuf_release() to
 * free its memory (safe on a zeroed or released buffer). el_strbuf_take()
 * hands the text to the caller (free() it) and leaves the buffer empty. */
#ifndef EQUITYLENS_STRBUF_H
#define EQUITYLENS_STRBUF_H
#include <stddef.h>

typedef struct el_strbuf {
    char *s;       /* NUL-terminated text, NULL until the first append */
    size_t len;
    size_t cap;
    int oom;       /* 1 after a failed allocation */
} el_strbuf;

void el_strbuf_init(el_strbuf *b);
void el_strbuf_release(el_strbuf *b);
int el_strbuf_ok(const el_strbuf *b);
/* Text so far ("" when empty); borrowed, valid until the next append. */
const char *el_strbuf_str(const el_strbuf *b);
char *el_strbuf_take(el_strbuf *b);
void el_strbuf_put(el_strbuf *b, const char *s);
void el_strbuf_putn(el_strbuf *b, const char *s, size_t n);
void el_strbuf_printf(el_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s with &, <, >, " and ' escaped for XML/HTML text and attributes.
 * NULL appends nothing. */
void el_strbuf_esc(el_strbuf *b, const char *s);

#endif
