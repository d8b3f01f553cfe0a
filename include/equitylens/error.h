/* error.h — status codes and the error record every fallible function fills.
 *
 * Convention (DESIGN.md): functions that can fail return el_status; an
 * optional el_error* (may be NULL) receives a human-readable message and, for
 * input problems, the file / line / column / field where it happened.
 * Only src/cli maps statuses to exit codes, only src/web to HTTP codes. */
#ifndef EQUITYLENS_ERROR_H
#define EQUITYLENS_ERROR_H
#include <stddef.h>

typedef enum {
    EL_OK = 0,
    EL_ERR_INVALID,   /* bad argument or bad input value */
    EL_ERR_PARSE,     /* malformed input file */
    EL_ERR_IO,        /* open/read/write failed */
    EL_ERR_NOMEM,
    EL_ERR_NOTFOUND,
    EL_ERR_EXISTS,    /* e.g. identical dataset already imported */
    EL_ERR_DB,        /* store failure */
    EL_ERR_PERM,      /* role check failed */
    EL_ERR_RANGE,     /* numeric result undefined (e.g. too few groups) */
    EL_ERR_INTERNAL
} el_status;

typedef struct el_error {
    el_status status;
    char msg[512];
    char file[256];   /* input file, "" if not applicable */
    long line;        /* 1-based physical line, 0 if not applicable */
    long column;      /* 1-based column (field index), 0 if not applicable */
    char field[64];   /* field (column) name, "" if not applicable */
} el_error;

/* Short stable name of a status, e.g. "invalid". Never NULL. */
const char *el_status_str(el_status s);

/* Fill err (if non-NULL) and return s. Clears file/line/column/field. */
el_status el_error_set(el_error *err, el_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As el_error_set, but records an input location too. file/field may be NULL. */
el_status el_error_at(el_error *err, el_status s, const char *file, long line,
                      long column, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Format "file:line:col: field: msg" (parts omitted when unknown) into buf. */
void el_error_format(const el_error *err, char *buf, size_t cap);

void el_error_clear(el_error *err);

#endif
