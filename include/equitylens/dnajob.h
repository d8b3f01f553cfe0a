/* dnajob.h — the fast DNA job straight from a CSV file (owner: fastjob helper).
 *
 * One pass over an appointments extract: join lsoa11 to the IMD 2019 decile,
 * quintile = (decile + 1) / 2 (missing or unmatched LSOA = unknown), keep the
 * attended_or_did_not_attend codes 5, 6, 3, 7 (DNA = 3 or 7), and count
 * appointments and DNAs by IMD quintile × ethnic broad group. The margins
 * (by quintile, by group, total) are sums of the cross table.
 *
 * This module holds the one documented exception to "use el_csv_*": a
 * separate, specialised parser (docs/dna-job.md) that reads the file in large
 * chunks with several threads, splitting at newline boundaries, finding
 * field separators 64 bytes at a time, and touching only the three columns
 * it needs. Rows that contain a quote character take a strict RFC 4180
 * scalar path (quoted commas and newlines are handled); if a thread's chunk
 * turns out to have started inside a quoted field, its work is discarded and
 * the rest of the file is re-read sequentially, so the answer never depends
 * on the number of threads. The reference (IMD) file is read with el_csv_*.
 *
 * Values are compared after removing surrounding quotes, spaces and tabs
 * (and a final CR). Codes are exact and case-sensitive.
 *
 * Accounting: rows read = rows counted + rows excluded + rows rejected.
 *   counted   attended code 5, 6, 3 or 7
 *   excluded  another valid code (0, 2, 4, 9): in the file, not in the rate
 *   rejected  invalid or empty attended code, wrong number of fields,
 *             malformed quoting, unterminated quote (with line numbers for
 *             the first EL_DNAJOB_MAX_SAMPLES)
 * Blank lines are not rows; they are counted separately.
 *
 * Ownership: el_lsoa_imd_load()/el_lsoa_imd_free() (NULL-safe). Results are
 * plain structs filled by the caller-provided pointer. Option strings are
 * borrowed for the duration of the call. */
#ifndef EQUITYLENS_DNAJOB_H
#define EQUITYLENS_DNAJOB_H
#include <stddef.h>
#include <stdint.h>
#include "equitylens/error.h"

/* ---- LSOA 2011 → IMD decile table ---- */
typedef struct el_lsoa_imd el_lsoa_imd;

/* Load an LSOA → decile CSV with el_csv_*. code_col / decile_col name the
 * columns (case-insensitive); NULL picks the first of the known names:
 * code: "LSOA code (2011)", "lsoa11_code", "lsoa11cd", "lsoa11", "lsoa_code";
 * decile: "Index of Multiple Deprivation (IMD) Decile", "imd_decile",
 * "imd19_decile", "IMD_decile". Deciles must be 1..10; codes 9 characters;
 * a duplicate code with a different decile is an error. */
el_status el_lsoa_imd_load(const char *path, const char *code_col, const char *decile_col,
                           el_lsoa_imd **out, el_error *err);
/* Build from arrays (tests, fuzzing): codes[i] (9 chars) → deciles[i]. */
el_status el_lsoa_imd_from_arrays(const char *const *codes, const int *deciles, size_t n,
                                  el_lsoa_imd **out, el_error *err);
void el_lsoa_imd_free(el_lsoa_imd *t);
size_t el_lsoa_imd_size(const el_lsoa_imd *t);
/* Decile 1..10 for the code s[0..len), or 0 if not in the table. */
int el_lsoa_imd_decile(const el_lsoa_imd *t, const char *s, size_t len);

/* ---- groups ---- */
#define EL_DNAJOB_NQ 6     /* quintile index: 0..4 = quintile 1..5, 5 = unknown */
#define EL_DNAJOB_Q_UNKNOWN 5

typedef enum {
    EL_ETH_WHITE = 0,      /* A, B, C */
    EL_ETH_MIXED,          /* D, E, F, G */
    EL_ETH_ASIAN,          /* H, J, K, L */
    EL_ETH_BLACK,          /* M, N, P */
    EL_ETH_OTHER,          /* R, S */
    EL_ETH_NOT_STATED,     /* Z */
    EL_ETH_NOT_KNOWN,      /* 99 or blank */
    EL_ETH_INVALID,        /* any other value */
    EL_ETH__COUNT
} el_eth_group;

/* Stable identifier ("white", ..., "not_stated", "not_known", "invalid"). */
const char *el_eth_group_id(el_eth_group g);
/* Human label ("White", "Not stated (Z)", ...). */
const char *el_eth_group_label(el_eth_group g);
/* Broad group of an ethnic_category value (already trimmed). */
el_eth_group el_eth_group_of(const char *s, size_t len);
/* Quintile label: "1".."5" or "unknown". */
const char *el_dnajob_quintile_id(int qi);

/* ---- the job ---- */
#define EL_DNAJOB_MAX_SAMPLES 20

typedef enum {
    EL_DNAJOB_REJ_CODE = 0,    /* attended code empty or not a valid code */
    EL_DNAJOB_REJ_FIELDS,      /* number of fields differs from the header */
    EL_DNAJOB_REJ_QUOTE,       /* malformed quoting (quote inside a field, text after a closing quote) */
    EL_DNAJOB_REJ_UNTERMINATED,/* quoted field still open at end of file */
    EL_DNAJOB_REJ__COUNT
} el_dnajob_reject_reason;

const char *el_dnajob_reject_str(el_dnajob_reject_reason r);

typedef struct {
    uint64_t line;             /* 1-based physical line where the row starts */
    el_dnajob_reject_reason reason;
} el_dnajob_sample;

typedef struct {
    const char *attended_col;  /* default "attended_or_did_not_attend" */
    const char *ethnic_col;    /* default "ethnic_category" */
    const char *lsoa_col;      /* default "lsoa11" */
    int threads;               /* default 2; 1 = sequential; max 64 */
    size_t chunk_bytes;        /* read size per thread, default 4 MiB (4 KiB..1 GiB) */
    size_t max_row_bytes;      /* longest row accepted, default 64 MiB (at most 1 GiB) */
    size_t min_range_bytes;    /* smallest byte range given to a thread, default
                                * 64 KiB (tests set it small to exercise splits) */
    int scalar_only;           /* 1 = every row through the strict scalar parser
                                * (the reference the fast path is tested against) */
} el_dnajob_opts;

typedef struct {
    uint64_t appointments[EL_DNAJOB_NQ][EL_ETH__COUNT];  /* codes 5, 6, 3, 7 */
    uint64_t dna[EL_DNAJOB_NQ][EL_ETH__COUNT];           /* codes 3, 7 */
    uint64_t rows_read, rows_counted, rows_excluded, rows_rejected;
    uint64_t excluded_by_code[10];            /* by attended code digit */
    uint64_t rejected_by_reason[EL_DNAJOB_REJ__COUNT];
    uint64_t lsoa_missing, lsoa_unmatched;    /* among counted rows */
    uint64_t blank_lines;
    uint64_t lines;                           /* physical lines incl. header */
    uint64_t bytes;
    int threads_used;
    int sequential_fallback;                  /* 1 if a split landed inside quotes */
    size_t nsamples;
    el_dnajob_sample samples[EL_DNAJOB_MAX_SAMPLES];  /* first rejects, by line */
} el_dnajob_result;

void el_dnajob_opts_default(el_dnajob_opts *o);

/* Run on a file (path "-" = standard input, read sequentially). */
el_status el_dnajob_run_file(const char *path, const el_lsoa_imd *imd, const el_dnajob_opts *o,
                             el_dnajob_result *res, el_error *err);
/* Run on a buffer (not modified). name is used in errors. Threads apply too. */
el_status el_dnajob_run_mem(const void *buf, size_t len, const char *name, const el_lsoa_imd *imd,
                            const el_dnajob_opts *o, el_dnajob_result *res, el_error *err);

#endif
