/* parse.c — see include/equitylens/parse.h. */
#include "equitylens/parse.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s) { while (*s == ' ' || *s == '\t') s++; return s; }

/* Copy s into buf dropping grouping commas; fails if commas are misplaced. */
static int ungroup(const char *s, char *buf, size_t cap)
{
    size_t n = 0; int digits_since = -1; /* -1: no comma seen yet */
    int lead = 0;
    const char *p = s;
    if (*p == '-' || *p == '+') { if (n + 1 >= cap) return -1; buf[n++] = *p++; }
    for (; *p && *p != '.' && *p != 'e' && *p != 'E' && *p != ' '; p++) {
        if (*p == ',') {
            if ((digits_since == -1 && (lead < 1 || lead > 3)) || (digits_since != -1 && digits_since != 3)) return -1;
            digits_since = 0;
            continue;
        }
        if (!isdigit((unsigned char)*p)) return -1;
        if (digits_since >= 0) digits_since++; else lead++;
        if (n + 1 >= cap) return -1;
        buf[n++] = *p;
    }
    if (digits_since != -1 && digits_since != 3) return -1;
    size_t rest = strlen(p);
    if (n + rest + 1 > cap) return -1;
    memcpy(buf + n, p, rest + 1);
    return 0;
}

int el_parse_i64(const char *s, int allow_grouping, int64_t *out)
{
    char buf[64];
    if (!s) return -1;
    s = skip_ws(s);
    if (allow_grouping && strchr(s, ',')) { if (ungroup(s, buf, sizeof buf)) return -1; s = buf; }
    if (!*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s) return -1;
    end = (char *)skip_ws(end);
    if (*end) return -1;
    *out = v;
    return 0;
}

int el_parse_double(const char *s, int allow_grouping, double *out)
{
    char buf[128];
    if (!s) return -1;
    s = skip_ws(s);
    if (allow_grouping && strchr(s, ',')) { if (ungroup(s, buf, sizeof buf)) return -1; s = buf; }
    if (!*s) return -1;
    /* refuse inf/nan spellings: NA and friends are missing, not numbers */
    if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.')) return -1;
    /* and hexadecimal: strtod reads "0x1A" as 26, an extract means nothing of the kind */
    const char *q = s + (*s == '-' || *s == '+');
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno == ERANGE && fabs(v) > 1.0) return -1;
    if (end == s) return -1;
    end = (char *)skip_ws(end);
    if (*end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int32_t el_days_from_civil(int y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void el_civil_from_days(int32_t z0, int *y, unsigned *m, unsigned *d)
{
    int z = z0 + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int yy = (int)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int ndig(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

int el_parse_date(const char *s, const char *fmt, int32_t *days)
{
    if (!s) return -1;
    s = skip_ws(s);
    if (!fmt || !*fmt) fmt = "YYYY-MM-DD";
    int y, m, d; const char *rest;
    if (!strcmp(fmt, "YYYY-MM-DD")) {
        if (ndig(s, 4, &y) || s[4] != '-' || ndig(s + 5, 2, &m) || s[7] != '-' || ndig(s + 8, 2, &d)) return -1;
        rest = s + 10;
    } else if (!strcmp(fmt, "DD/MM/YYYY") || !strcmp(fmt, "DD-MM-YYYY")) {
        char sep = fmt[2];
        if (ndig(s, 2, &d) || s[2] != sep || ndig(s + 3, 2, &m) || s[5] != sep || ndig(s + 6, 4, &y)) return -1;
        rest = s + 10;
    } else if (!strcmp(fmt, "YYYYMMDD")) {
        if (ndig(s, 4, &y) || ndig(s + 4, 2, &m) || ndig(s + 6, 2, &d)) return -1;
        rest = s + 8;
    } else return -1;
    if (*rest == 'T' || (*rest == ' ' && *skip_ws(rest))) {
        /* ignore a time of day, but it must be one: HH:MM[:SS[.fff]] then an optional zone
         * (Z or +HH[:MM] / -HH[:MM]) and spaces; "25:99" or "12:30 garbage" is not a date */
        const char *t = rest + 1; int hh, mm, ss;
        if (ndig(t, 2, &hh) || t[2] != ':' || ndig(t + 3, 2, &mm) || hh > 24 || mm > 59) return -1;
        t += 5;
        if (*t == ':') {
            if (ndig(t + 1, 2, &ss) || ss > 60) return -1;
            t += 3;
            if (*t == '.' || *t == ',') {
                t++;
                if (!isdigit((unsigned char)*t)) return -1;
                while (isdigit((unsigned char)*t)) t++;
            }
        }
        if (*t == 'Z') t++;
        else if (*t == '+' || *t == '-') {
            int zh, zm;
            if (ndig(t + 1, 2, &zh) || zh > 14) return -1;
            t += 3;
            if (*t == ':') t++;
            if (isdigit((unsigned char)*t)) { if (ndig(t, 2, &zm) || zm > 59) return -1; t += 2; }
        }
        if (*skip_ws(t)) return -1;
    } else if (*skip_ws(rest)) return -1;
    if (m < 1 || m > 12 || d < 1 || y < 1800 || y > 2200) return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap)) return -1;
    *days = el_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

void el_format_date(int32_t days, char *buf)
{
    int y; unsigned m, d;
    el_civil_from_days(days, &y, &m, &d);
    snprintf(buf, 11, "%04d-%02u-%02u", y % 10000, m % 100, d % 100);
}
