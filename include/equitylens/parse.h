/* parse.h — strict text → number/date conversions shared by every reader
 * (owner: io). All return 0 on success, -1 on failure, never touch errno
 * visible state for callers, and accept surrounding spaces. */
#ifndef EQUITYLENS_PARSE_H
#define EQUITYLENS_PARSE_H
#include <stdint.h>

/* Decimal integer. "12", "-3", "+4"; with allow_grouping, "29,199" too
 * (commas only between groups of three digits). */
int el_parse_i64(const char *s, int allow_grouping, int64_t *out);
/* Floating point ("1.5", "1e-3", "NA"/"" fail). With allow_grouping, "1,234.5". */
int el_parse_double(const char *s, int allow_grouping, double *out);
/* Days since 1970-01-01 from a date in format fmt: "YYYY-MM-DD", "DD/MM/YYYY",
 * "YYYYMMDD" or "DD-MM-YYYY"; also accepts a trailing time "THH:MM:SS" or
 * " HH:MM[:SS]" which is ignored. Validates the calendar. */
int el_parse_date(const char *s, const char *fmt, int32_t *days);
/* Days since epoch → "YYYY-MM-DD" (buf at least 11 bytes). */
void el_format_date(int32_t days, char *buf);
/* Civil date ↔ days (proleptic Gregorian). */
int32_t el_days_from_civil(int y, unsigned m, unsigned d);
void el_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);

#endif
