/* csv.h — streaming RFC 4180 reader (owner: io).
 *
 * Reads one record at a time in bounded memory (a fixed read buffer plus the
 * current record, capped by max_record), so multi-gigabyte extracts are fine.
 * Handles: quoted fields, doubled quotes, quoted newlines, LF / CRLF / lone CR
 * line ends, a UTF-8 byte-order mark, a missing final newline.
 *
 * Nothing is silently dropped: every physical record is reported either as
 * EL_CSV_ROW or as EL_CSV_BAD with the reason, line and column in the
 * el_error (bad UTF-8, NUL bytes, text after a closing quote, oversized
 * record, unterminated quote at end of file). After EL_CSV_BAD the fields of
 * the record are still available when they could be parsed (so a rejects file
 * can show them); the reader then continues with the next record.
 *
 * Ownership: el_csv_open*() returns a reader that el_csv_close() frees
 * (NULL-safe). Field pointers are borrowed and valid until the next
 * el_csv_next() or el_csv_close(). */
#ifndef EQUITYLENS_CSV_H
#define EQUITYLENS_CSV_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "equitylens/error.h"

typedef struct el_csv el_csv;

typedef struct el_csv_opts {
    char delim;            /* default ',' */
    size_t max_record;     /* bytes per record before it is rejected; default 1 MiB */
    int validate_utf8;     /* default 1: reject fields that are not valid UTF-8 */
} el_csv_opts;

typedef enum {
    EL_CSV_FATAL = -1,     /* I/O error; err says why; stop reading */
    EL_CSV_EOF = 0,
    EL_CSV_ROW = 1,        /* a good record */
    EL_CSV_BAD = 2         /* a malformed record; err has line/column/reason */
} el_csv_result;

void el_csv_opts_default(el_csv_opts *o);

/* path "-" reads standard input. opts may be NULL (defaults). */
el_csv *el_csv_open(const char *path, const el_csv_opts *opts, el_error *err);
/* Read from memory (not copied: buf must outlive the reader). name is used in errors. */
el_csv *el_csv_open_mem(const void *buf, size_t len, const char *name, const el_csv_opts *opts);
/* Read from an open stream (not closed by el_csv_close). */
el_csv *el_csv_open_stream(FILE *f, const char *name, const el_csv_opts *opts);
void el_csv_close(el_csv *c);

el_csv_result el_csv_next(el_csv *c, el_error *err);

size_t el_csv_nfields(const el_csv *c);
/* NUL-terminated field text (quotes removed); "" when i is out of range. */
const char *el_csv_field(const el_csv *c, size_t i);
size_t el_csv_field_len(const el_csv *c, size_t i);
/* Physical line on which the current record began (1-based). */
long el_csv_line(const el_csv *c);
/* Records returned so far (ROW + BAD), header included. */
uint64_t el_csv_records(const el_csv *c);
/* Bytes consumed from the input so far (for progress reporting). */
uint64_t el_csv_bytes(const el_csv *c);
const char *el_csv_name(const el_csv *c);

/* Write one field to f, quoted only when needed (RFC 4180). */
void el_csv_write_field(FILE *f, const char *s);
/* Write fields joined by ',' and a final "\n". */
void el_csv_write_row(FILE *f, const char *const *fields, size_t n);

#endif
