/* error.c — see include/equitylens/error.h. */
#include "equitylens/error.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *el_status_str(el_status s)
{
    switch (s) {
    case EL_OK: return "ok";
    case EL_ERR_INVALID: return "invalid";
    case EL_ERR_PARSE: return "parse";
    case EL_ERR_IO: return "io";
    case EL_ERR_NOMEM: return "nomem";
    case EL_ERR_NOTFOUND: return "notfound";
    case EL_ERR_EXISTS: return "exists";
    case EL_ERR_DB: return "db";
    case EL_ERR_PERM: return "permission";
    case EL_ERR_RANGE: return "range";
    case EL_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}

void el_error_clear(el_error *err)
{
    if (err) memset(err, 0, sizeof *err);
}

static void vset(el_error *err, el_status s, const char *fmt, va_list ap)
{
    err->status = s;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

el_status el_error_set(el_error *err, el_status s, const char *fmt, ...)
{
    if (!err) return s;
    el_error_clear(err);
    va_list ap;
    va_start(ap, fmt);
    vset(err, s, fmt, ap);
    va_end(ap);
    return s;
}

el_status el_error_at(el_error *err, el_status s, const char *file, long line,
                      long column, const char *field, const char *fmt, ...)
{
    if (!err) return s;
    el_error_clear(err);
    va_list ap;
    va_start(ap, fmt);
    vset(err, s, fmt, ap);
    va_end(ap);
    if (file) snprintf(err->file, sizeof err->file, "%s", file);
    if (field) snprintf(err->field, sizeof err->field, "%s", field);
    err->line = line;
    err->column = column;
    return s;
}

void el_error_format(const el_error *err, char *buf, size_t cap)
{
    if (!cap) return;
    buf[0] = 0;
    if (!err) return;
    size_t n = 0;
#define APP(...) do { int k_ = snprintf(buf + n, cap - n, __VA_ARGS__); \
        if (k_ > 0) n = (size_t)k_ < cap - n ? n + (size_t)k_ : cap - 1; } while (0)
    if (err->file[0]) APP("%s:", err->file);
    if (err->line) APP("%ld:", err->line);
    if (err->column) APP("%ld:", err->column);
    if (n) APP(" ");
    if (err->field[0]) APP("%s: ", err->field);
    APP("%s", err->msg[0] ? err->msg : el_status_str(err->status));
#undef APP
}
