/* mapping.h — mapping files: a trust's local extract layout → canonical fields
 * (owner: import). The format is documented in docs/data-formats.md:
 *
 *   # comment                         (lines starting with # or ;)
 *   kind = appointments               (required: appointments | waiting_list | cancer_pathways)
 *   name = hes-outpatients            (optional; default: the file name without .map)
 *   date_format = YYYY-MM-DD          (default for every date field)
 *   invalid = reject                  (reject | blank: what an unparseable optional value does)
 *   delimiter = comma                 (comma | tab | pipe | semicolon)
 *   [columns]        canonical_field = LOCAL COLUMN   (nhs_number = COL is hashed at import)
 *   [dates]          canonical_field = DD/MM/YYYY
 *   [transforms]     canonical_field = upper | lower | integer
 *   [codes.FIELD]    local value = national code  ("*" = any other value, "" = blank;
 *                                                   an empty right side makes the value blank)
 *   [constants]      canonical_field = value       (same value on every row; dates YYYY-MM-DD)
 *
 * Keys and values are trimmed; either may be written in double quotes
 * ("" inside quotes is one quote) to keep spaces, '=' or '#'.
 *
 * Order of operations on each raw value: trim → transform upper/lower → code
 * map → typed parse (date format; integer accepts "54.0" when transform is
 * integer; flags accept Y/N).
 *
 * Ownership: el_mapping_parse/_load/_canonical return a mapping that
 * el_mapping_free() releases (NULL-safe). Returned strings are borrowed and
 * live as long as the mapping. */
#ifndef EQUITYLENS_MAPPING_H
#define EQUITYLENS_MAPPING_H
#include <stddef.h>
#include "equitylens/dataset.h"
#include "equitylens/error.h"

typedef struct el_mapping el_mapping;

typedef enum { EL_TR_NONE = 0, EL_TR_UPPER = 1, EL_TR_LOWER = 2, EL_TR_INTEGER = 4 } el_transform;

/* Parse mapping text (need not be NUL-terminated). name labels errors and is
 * the default mapping name. On error returns NULL and err has line + reason. */
el_mapping *el_mapping_parse(const char *text, size_t len, const char *name, el_error *err);
/* Read and parse a mapping file (max 1 MiB). */
el_mapping *el_mapping_load(const char *path, el_error *err);
/* Resolve a --mapping argument: "canonical" (built-in identity mapping for
 * kind), an existing path, or a name NAME looked up as NAME.map in
 * $EQUITYLENS_MAPPINGS, ./mappings, and <dir of the executable>/../mappings.
 * kind < 0 means "take the kind from the file". */
el_mapping *el_mapping_resolve(const char *arg, int kind, el_error *err);
/* The canonical layout: every non-derived field of kind (plus nhs_number) read
 * from a column of the same name, dates YYYY-MM-DD. */
el_mapping *el_mapping_canonical(el_kind kind);
void el_mapping_free(el_mapping *m);

el_kind el_mapping_kind(const el_mapping *m);
const char *el_mapping_name(const el_mapping *m);
/* Local column for field f, or NULL if the mapping does not read it. */
const char *el_mapping_column(const el_mapping *m, el_field f);
/* Local column holding the NHS number, or NULL. */
const char *el_mapping_nhs_column(const el_mapping *m);
/* Date format for f (its [dates] entry or the default date_format). */
const char *el_mapping_date_format(const el_mapping *m, el_field f);
/* Constant value for f, or NULL. */
const char *el_mapping_constant(const el_mapping *m, el_field f);
/* Set (replace) a constant, e.g. census_date from --census-date. */
el_status el_mapping_set_constant(el_mapping *m, el_field f, const char *value, el_error *err);
unsigned el_mapping_transforms(const el_mapping *m, el_field f);
/* Field separator of the extract (',' unless the mapping says otherwise). */
char el_mapping_delimiter(const el_mapping *m);
/* 1 if an unparseable optional value is blanked instead of rejecting the row. */
int el_mapping_blank_invalid(const el_mapping *m);
/* Number of [codes.*] entries for f (for docs and tests). */
size_t el_mapping_code_count(const el_mapping *m, el_field f);

/* Apply trim, upper/lower and the code map to raw. Returns the mapped text:
 * either a pointer into raw, into the mapping, or into buf (cap bytes;
 * values longer than the buffer are not case-transformed). Returns "" when the
 * value is, or is mapped to, blank. Never NULL. */
const char *el_mapping_map_value(const el_mapping *m, el_field f, const char *raw, char *buf, size_t cap);

#endif
