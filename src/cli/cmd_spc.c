/* cmd_spc.c — `equitylens spc`: XmR charts with the Making Data Count rules
 * over a dated series read from CSV (optionally faceted). Computation is in
 * src/core/spc.c; this file only reads, groups, sorts and writes. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "equitylens/cli.h"
#include "equitylens/csv.h"
#include "equitylens/parse.h"
#include "equitylens/spc.h"

static void help(FILE *f)
{
    fputs(
"usage: equitylens spc [options] [FILE|-]\n"
"\n"
"XmR (individuals) SPC chart per facet, Making Data Count rules and icons,\n"
"as NHSRplotthedots 0.2.2 computes them (docs/methods/spc.md).\n"
"\n"
"Input columns (CSV with a header row; names are case-sensitive):\n"
"  --value COL          the measure (default: value; \"y\" is accepted too)\n"
"  --date COL           date of each point (default: date, else x_date, else\n"
"                       file order); YYYY-MM-DD unless --date-format\n"
"  --date-format F      YYYY-MM-DD (default), DD/MM/YYYY, DD-MM-YYYY, YYYYMMDD\n"
"  --facet COL          one chart per distinct value of COL (default: none)\n"
"  --rebase-col COL     1/TRUE/Y on the first point of a new baseline segment\n"
"  --rebase-dates D,..  start a new segment at the first point on or after each date\n"
"  --target-col COL     target per row (the facet's last row is used)\n"
"Options:\n"
"  --target X           target value, for the assurance icon\n"
"  --improvement DIR    increase | decrease | neutral (default neutral)\n"
"  --fix-after N        fix mean and limits on the first N points of each\n"
"                       segment (default: all points; NHSRplotthedots requires\n"
"                       N >= 12, equitylens accepts N >= 2)\n"
"  --no-screen          do not screen moving ranges >= 3.267 x mean MR (MDC Excel)\n"
"  --run-length N       points for the run and trend rules: 7 (default) or 6\n"
"  --two-in-three-beyond  points beyond 3 sigma count towards 2-of-3 (MDC Excel\n"
"                       since 2023); default: only points between 2 and 3 sigma\n"
"  --format csv|json    output format (default csv)\n"
"  --table points|summary  which table to write as CSV (default points)\n"
"  -o, --out FILE       write to FILE instead of standard output\n"
"  -h, --help           this help\n"
"\n"
"CSV points columns: facet,date,value,segment,mean,lpl,upl,near_lpl,near_upl,\n"
"outside_limits,relative_to_mean,close_to_limits,rule_trend,rule_two_in_three,\n"
"rule_run,special_cause_type,point_type.  Summary columns: facet,n,\n"
"n_last_segment,short_series,mean,lpl,upl,target,variation_icon,assurance_icon.\n"
"Warnings (series with fewer than 13 points) go to standard error.\n"
"Exit status: 0 ok, 1 bad input (the message names the line), 2 usage.\n", f);
}

typedef struct {
    char *facet;
    int32_t date;      /* EL_NA-like: INT32_MIN when no date column */
    long order;        /* file order, the tie-break */
    long line;
    double y;
    double target;     /* NAN if none */
    int rebase;
} row_t;

static int cmp_rows(const void *pa, const void *pb)
{
    const row_t *a = pa, *b = pb;
    int c = strcmp(a->facet, b->facet);
    if (c) return c;
    if (a->date != b->date) return a->date < b->date ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static long find_col(el_csv *c, const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < el_csv_nfields(c); i++)
        if (!strcmp(el_csv_field(c, i), name)) return (long)i;
    return -1;
}

static int truthy(const char *s)
{
    return !strcasecmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "y") || !strcasecmp(s, "yes");
}

static void fmt_num(char *buf, size_t cap, double v)
{
    if (isnan(v)) snprintf(buf, cap, "NA");
    else snprintf(buf, cap, "%.15g", v);
}

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

int cmd_spc(int argc, char **argv)
{
    static const struct option lo[] = {
        {"value", 1, 0, 'v'}, {"date", 1, 0, 'd'}, {"date-format", 1, 0, 'D'}, {"facet", 1, 0, 'f'},
        {"rebase-col", 1, 0, 'r'}, {"rebase-dates", 1, 0, 'R'}, {"target-col", 1, 0, 'T'},
        {"target", 1, 0, 't'}, {"improvement", 1, 0, 'i'}, {"fix-after", 1, 0, 'n'},
        {"no-screen", 0, 0, 's'}, {"run-length", 1, 0, 'l'}, {"two-in-three-beyond", 0, 0, 'b'},
        {"format", 1, 0, 'F'}, {"table", 1, 0, 'x'}, {"out", 1, 0, 'o'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *vcol = NULL, *dcol = NULL, *dfmt = "YYYY-MM-DD", *fcol = NULL, *rcol = NULL,
               *rdates = NULL, *tcol = NULL, *format = "csv", *table = "points", *outpath = NULL;
    el_spc_opts o;
    el_spc_opts_default(&o);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'v': vcol = optarg; break;
        case 'd': dcol = optarg; break;
        case 'D': dfmt = optarg; break;
        case 'f': fcol = optarg; break;
        case 'r': rcol = optarg; break;
        case 'R': rdates = optarg; break;
        case 'T': tcol = optarg; break;
        case 't':
            if (el_parse_double(optarg, 0, &o.target)) { fprintf(stderr, "equitylens spc: --target: not a number: %s\n", optarg); return EL_EXIT_USAGE; }
            o.has_target = 1; break;
        case 'i':
            if (!strcmp(optarg, "increase")) o.direction = EL_SPC_INCREASE;
            else if (!strcmp(optarg, "decrease")) o.direction = EL_SPC_DECREASE;
            else if (!strcmp(optarg, "neutral")) o.direction = EL_SPC_NEUTRAL;
            else { fprintf(stderr, "equitylens spc: --improvement must be increase, decrease or neutral\n"); return EL_EXIT_USAGE; }
            break;
        case 'n': {
            int64_t v;
            if (el_parse_i64(optarg, 0, &v) || v < 2) { fprintf(stderr, "equitylens spc: --fix-after must be an integer >= 2\n"); return EL_EXIT_USAGE; }
            o.fix_after_n = (size_t)v; break;
        }
        case 's': o.screen_outliers = 0; break;
        case 'l': {
            int64_t v;
            if (el_parse_i64(optarg, 0, &v) || (v != 6 && v != 7)) { fprintf(stderr, "equitylens spc: --run-length must be 6 or 7\n"); return EL_EXIT_USAGE; }
            o.run_length = o.trend_length = (int)v; break;
        }
        case 'b': o.two_in_three_beyond = 1; break;
        case 'F': format = optarg; break;
        case 'x': table = optarg; break;
        case 'o': outpath = optarg; break;
        case 'h': help(stdout); return EL_EXIT_OK;
        default: help(stderr); return EL_EXIT_USAGE;
        }
    }
    if (strcmp(format, "csv") && strcmp(format, "json")) { fprintf(stderr, "equitylens spc: --format must be csv or json\n"); return EL_EXIT_USAGE; }
    if (strcmp(table, "points") && strcmp(table, "summary")) { fprintf(stderr, "equitylens spc: --table must be points or summary\n"); return EL_EXIT_USAGE; }
    if (argc - optind > 1) { fprintf(stderr, "equitylens spc: one input file at most\n"); return EL_EXIT_USAGE; }
    if (strcmp(dfmt, "YYYY-MM-DD") && strcmp(dfmt, "DD/MM/YYYY") && strcmp(dfmt, "DD-MM-YYYY") && strcmp(dfmt, "YYYYMMDD")) {
        fprintf(stderr, "equitylens spc: --date-format must be YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or YYYYMMDD\n");
        return EL_EXIT_USAGE;
    }
    const char *in = optind < argc ? argv[optind] : "-";

    el_error err;
    el_error_clear(&err);
    el_csv *c = el_csv_open(in, NULL, &err);
    if (!c) { el_cli_print_error("spc", &err); return EL_EXIT_FAIL; }
    int rc = EL_EXIT_FAIL;
    row_t *rows = NULL; size_t n = 0, cap = 0;
    int32_t *rebase_at = NULL; size_t nreb = 0;
    el_spc_point *pts = NULL; unsigned char *reb = NULL; double *ys = NULL;
    FILE *out = NULL;           /* a memory buffer: nothing is written unless every facet computes */
    char *obuf = NULL; size_t olen = 0;
    json_t *jroot = NULL, *jfacets = NULL;

    if (el_csv_next(c, &err) != EL_CSV_ROW) {
        if (!err.msg[0]) el_error_at(&err, EL_ERR_PARSE, in, 1, 0, NULL, "empty input: a header row is needed");
        el_cli_print_error("spc", &err); goto done;
    }
    long iv = find_col(c, vcol ? vcol : "value");
    if (iv < 0 && !vcol) iv = find_col(c, "y");
    long id = dcol ? find_col(c, dcol) : find_col(c, "date");
    if (id < 0 && !dcol) id = find_col(c, "x_date");
    long ifa = find_col(c, fcol), ir = find_col(c, rcol), it = find_col(c, tcol);
    struct { const char *opt, *name; long idx; } need[] = {
        {"--value", vcol ? vcol : "value", iv}, {"--date", dcol, dcol ? id : 0}, {"--facet", fcol, fcol ? ifa : 0},
        {"--rebase-col", rcol, rcol ? ir : 0}, {"--target-col", tcol, tcol ? it : 0}};
    for (size_t k = 0; k < sizeof need / sizeof *need; k++)
        if (need[k].idx < 0) {
            el_error_at(&err, EL_ERR_INVALID, in, 1, 0, need[k].name, "column not found in the header (%s)", need[k].opt);
            el_cli_print_error("spc", &err); goto done;
        }
    if (rdates) {
        char *dup = strdup(rdates), *save = NULL;
        for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            int32_t dd;
            if (el_parse_date(tok, dfmt, &dd)) { fprintf(stderr, "equitylens spc: --rebase-dates: bad date '%s' (format %s)\n", tok, dfmt); free(dup); rc = EL_EXIT_USAGE; goto done; }
            int32_t *p = realloc(rebase_at, (nreb + 1) * sizeof *p);
            if (!p) { free(dup); goto done; }
            rebase_at = p; rebase_at[nreb++] = dd;
        }
        free(dup);
        if (id < 0) { fprintf(stderr, "equitylens spc: --rebase-dates needs a date column\n"); rc = EL_EXIT_USAGE; goto done; }
    }
    size_t nh = el_csv_nfields(c);
    el_csv_result r;
    while ((r = el_csv_next(c, &err)) != EL_CSV_EOF) {
        if (r != EL_CSV_ROW) { el_cli_print_error("spc", &err); goto done; }
        long line = el_csv_line(c);
        if (el_csv_nfields(c) != nh) {
            el_error_at(&err, EL_ERR_PARSE, in, line, 0, NULL, "row has %zu fields; the header has %zu", el_csv_nfields(c), nh);
            el_cli_print_error("spc", &err); goto done;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            row_t *p = realloc(rows, cap * sizeof *p);
            if (!p) goto done;
            rows = p;
        }
        row_t *w = &rows[n];
        memset(w, 0, sizeof *w);
        w->order = (long)n; w->line = line; w->target = NAN; w->date = INT32_MIN;
        w->facet = strdup(ifa >= 0 ? el_csv_field(c, (size_t)ifa) : "");
        if (!w->facet) goto done;
        n++;
        const char *vs = el_csv_field(c, (size_t)iv);
        if (el_parse_double(vs, 0, &w->y)) {
            el_error_at(&err, EL_ERR_INVALID, in, line, iv + 1, vcol ? vcol : "value",
                        "value '%s' is not a number (missing values are not allowed in an SPC series)", vs);
            el_cli_print_error("spc", &err); goto done;
        }
        if (id >= 0 && el_parse_date(el_csv_field(c, (size_t)id), dfmt, &w->date)) {
            el_error_at(&err, EL_ERR_INVALID, in, line, id + 1, NULL, "date '%s' is not a %s date",
                        el_csv_field(c, (size_t)id), dfmt);
            el_cli_print_error("spc", &err); goto done;
        }
        if (ir >= 0) w->rebase = truthy(el_csv_field(c, (size_t)ir));
        if (it >= 0 && el_csv_field_len(c, (size_t)it) && el_parse_double(el_csv_field(c, (size_t)it), 0, &w->target)) {
            el_error_at(&err, EL_ERR_INVALID, in, line, it + 1, NULL, "target '%s' is not a number", el_csv_field(c, (size_t)it));
            el_cli_print_error("spc", &err); goto done;
        }
    }
    if (n == 0) { el_error_at(&err, EL_ERR_INVALID, in, 0, 0, NULL, "no data rows"); el_cli_print_error("spc", &err); goto done; }
    qsort(rows, n, sizeof *rows, cmp_rows);
    for (size_t i = 1; i < n; i++)
        if (id >= 0 && !strcmp(rows[i].facet, rows[i - 1].facet) && rows[i].date == rows[i - 1].date) {
            el_error_at(&err, EL_ERR_INVALID, in, rows[i].line, id + 1, NULL,
                        "date repeats line %ld in the same facet: one point per date", rows[i - 1].line);
            el_cli_print_error("spc", &err); goto done;
        }

    pts = malloc(n * sizeof *pts); reb = calloc(n, 1); ys = malloc(n * sizeof *ys);
    if (!pts || !reb || !ys) goto done;
    out = open_memstream(&obuf, &olen);
    if (!out) { el_error_set(&err, EL_ERR_NOMEM, "out of memory"); el_cli_print_error("spc", &err); goto done; }
    int json = !strcmp(format, "json");
    if (json) {
        jroot = json_object();
        jfacets = json_array();
        json_t *jo = json_object();
        json_object_set_new(jo, "improvement", json_string(o.direction > 0 ? "increase" : o.direction < 0 ? "decrease" : "neutral"));
        json_object_set_new(jo, "screen_outliers", json_boolean(o.screen_outliers));
        json_object_set_new(jo, "fix_after_n_points", o.fix_after_n ? json_integer((json_int_t)o.fix_after_n) : json_null());
        json_object_set_new(jo, "run_length", json_integer(o.run_length));
        json_object_set_new(jo, "two_in_three_beyond", json_boolean(o.two_in_three_beyond));
        json_object_set_new(jo, "reference", json_string("NHSRplotthedots 0.2.2 (Making Data Count)"));
        json_object_set_new(jroot, "options", jo);
        json_object_set_new(jroot, "facets", jfacets);
    } else if (!strcmp(table, "points")) {
        fputs("facet,date,value,segment,mean,lpl,upl,near_lpl,near_upl,outside_limits,relative_to_mean,"
              "close_to_limits,rule_trend,rule_two_in_three,rule_run,special_cause_type,point_type\n", out);
    } else {
        fputs("facet,n,n_last_segment,short_series,mean,lpl,upl,target,variation_icon,assurance_icon\n", out);
    }
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && !strcmp(rows[e].facet, rows[s].facet)) e++;
        size_t m = e - s;
        for (size_t i = 0; i < m; i++) {
            ys[i] = rows[s + i].y;
            reb[i] = i > 0 && rows[s + i].rebase;
            for (size_t k = 0; k < nreb; k++)
                if (i > 0 && rows[s + i].date >= rebase_at[k] && rows[s + i - 1].date < rebase_at[k]) reb[i] = 1;
        }
        el_spc_opts fo = o;
        if (it >= 0 && !isnan(rows[e - 1].target)) { fo.has_target = 1; fo.target = rows[e - 1].target; }
        el_spc_summary sum;
        el_error e2; el_error_clear(&e2);
        if (el_spc_compute(ys, reb, m, &fo, pts, &sum, &e2) != EL_OK) {
            /* map the point index back to the input line */
            if (e2.line > 0 && (size_t)e2.line <= m) e2.line = rows[s + (size_t)e2.line - 1].line;
            snprintf(e2.file, sizeof e2.file, "%s", in);
            if (rows[s].facet[0]) {
                char msg[sizeof e2.msg];
                snprintf(msg, sizeof msg, "facet '%s': %s", rows[s].facet, e2.msg);
                snprintf(e2.msg, sizeof e2.msg, "%s", msg);
            }
            el_cli_print_error("spc", &e2);
            goto done;
        }
        if (sum.short_series)
            fprintf(stderr, "equitylens spc: warning: %s%s%shas %zu points in its last segment; "
                            "Making Data Count advises at least 13 before reading limits and icons\n",
                    rows[s].facet[0] ? "facet '" : "series ", rows[s].facet, rows[s].facet[0] ? "' " : "",
                    sum.n_last_segment);
        const el_spc_point *last = &pts[m - 1];
        char b[9][40];
        if (json) {
            json_t *jf = json_object(), *jp = json_array();
            json_object_set_new(jf, "facet", json_string(rows[s].facet));
            json_object_set_new(jf, "n", json_integer((json_int_t)m));
            json_object_set_new(jf, "n_last_segment", json_integer((json_int_t)sum.n_last_segment));
            json_object_set_new(jf, "short_series", json_boolean(sum.short_series));
            json_object_set_new(jf, "variation_icon", json_string(el_spc_variation_name(sum.variation)));
            json_object_set_new(jf, "assurance_icon", json_string(el_spc_assurance_name(sum.assurance)));
            json_object_set_new(jf, "target", fo.has_target ? json_real(fo.target) : json_null());
            for (size_t i = 0; i < m; i++) {
                const el_spc_point *p = &pts[i];
                json_t *q = json_object();
                if (rows[s + i].date != INT32_MIN) { el_format_date(rows[s + i].date, b[0]); json_object_set_new(q, "date", json_string(b[0])); }
                else json_object_set_new(q, "index", json_integer((json_int_t)i + 1));
                json_object_set_new(q, "value", jnum(p->y));
                json_object_set_new(q, "segment", json_integer(p->segment));
                json_object_set_new(q, "mean", jnum(p->mean));
                json_object_set_new(q, "lpl", jnum(p->lpl));
                json_object_set_new(q, "upl", jnum(p->upl));
                json_object_set_new(q, "near_lpl", jnum(p->near_lpl));
                json_object_set_new(q, "near_upl", jnum(p->near_upl));
                json_object_set_new(q, "outside_limits", json_boolean(p->outside_limits));
                json_object_set_new(q, "relative_to_mean", json_integer(p->relative_to_mean));
                json_object_set_new(q, "close_to_limits", json_boolean(p->close_to_limits));
                json_object_set_new(q, "rule_trend", json_boolean(p->rule_trend));
                json_object_set_new(q, "rule_two_in_three", json_boolean(p->rule_two_in_three));
                json_object_set_new(q, "rule_run", json_boolean(p->rule_run));
                json_object_set_new(q, "special_cause_type", json_string(el_spc_cause_name(p->cause)));
                json_object_set_new(q, "point_type", json_string(el_spc_point_type_name(p->point_type)));
                json_array_append_new(jp, q);
            }
            json_object_set_new(jf, "points", jp);
            json_array_append_new(jfacets, jf);
        } else if (!strcmp(table, "points")) {
            for (size_t i = 0; i < m; i++) {
                const el_spc_point *p = &pts[i];
                if (rows[s + i].date != INT32_MIN) el_format_date(rows[s + i].date, b[0]);
                else snprintf(b[0], sizeof b[0], "%zu", i + 1);
                fmt_num(b[1], 40, p->y); fmt_num(b[2], 40, p->mean); fmt_num(b[3], 40, p->lpl);
                fmt_num(b[4], 40, p->upl); fmt_num(b[5], 40, p->near_lpl); fmt_num(b[6], 40, p->near_upl);
                el_csv_write_field(out, rows[s].facet);
                fprintf(out, ",%s,%s,%d,%s,%s,%s,%s,%s,%d,%d,%d,%d,%d,%d,%s,%s\n", b[0], b[1], p->segment, b[2], b[3],
                        b[4], b[5], b[6], p->outside_limits, p->relative_to_mean, p->close_to_limits, p->rule_trend,
                        p->rule_two_in_three, p->rule_run, el_spc_cause_name(p->cause),
                        el_spc_point_type_name(p->point_type));
            }
        } else {
            fmt_num(b[2], 40, last->mean); fmt_num(b[3], 40, last->lpl); fmt_num(b[4], 40, last->upl);
            fmt_num(b[5], 40, fo.has_target ? fo.target : NAN);
            el_csv_write_field(out, rows[s].facet);
            fprintf(out, ",%zu,%zu,%d,%s,%s,%s,%s,%s,%s\n", m, sum.n_last_segment, sum.short_series, b[2], b[3], b[4],
                    b[5], el_spc_variation_name(sum.variation), el_spc_assurance_name(sum.assurance));
        }
        s = e;
    }
    if (json) {
        json_dumpf(jroot, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
        fputc('\n', out);
    }
    if (fclose(out) != 0) { out = NULL; el_error_set(&err, EL_ERR_NOMEM, "out of memory"); el_cli_print_error("spc", &err); goto done; }
    out = NULL;
    {
        FILE *dst = outpath ? fopen(outpath, "w") : stdout;
        if (!dst) {
            el_error_at(&err, EL_ERR_IO, outpath, 0, 0, NULL, "cannot write: %s", strerror(errno));
            el_cli_print_error("spc", &err); goto done;
        }
        int bad = fwrite(obuf, 1, olen, dst) != olen;
        bad |= dst != stdout ? fclose(dst) != 0 : fflush(dst) != 0;
        if (bad) { fprintf(stderr, "equitylens spc: error writing %s\n", outpath ? outpath : "standard output"); goto done; }
    }
    rc = EL_EXIT_OK;
done:
    if (out) fclose(out);   /* failed: the partial output is discarded */
    free(obuf);
    json_decref(jroot);
    for (size_t i = 0; i < n; i++) free(rows[i].facet);
    free(rows); free(rebase_at); free(pts); free(reb); free(ys);
    el_csv_close(c);
    return rc;
}
