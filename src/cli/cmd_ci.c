/* cmd_ci.c — `equitylens ci`: confidence intervals and PHE indicator methods
 * on aggregated data (proportion, rate, mean, DSR, ISR, quantiles, funnels,
 * SII/RII, Byar, Wilson). Reads a CSV through el_csv, groups rows, calls the
 * core (ci.h, standardise.h, quantile.h, funnel.h, sii.h) and writes CSV or
 * JSON with full precision (%.17g) so golden tests can compare to 1e-8.
 * (owner: phe helper) */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "equitylens/ci.h"
#include "equitylens/cli.h"
#include "equitylens/csv.h"
#include "equitylens/distrib.h"
#include "equitylens/funnel.h"
#include "equitylens/parse.h"
#include "equitylens/quantile.h"
#include "equitylens/sii.h"
#include "equitylens/standardise.h"

#define MAXCONF 4

/* ------------------------------------------------------------------ help */

static void help(FILE *f)
{
    fputs(
"usage: equitylens ci --method METHOD [options] [FILE|-]\n"
"\n"
"Confidence intervals and PHE/OHID indicator methods on aggregated data,\n"
"matching PHEindicatormethods 2.1.0 (method notes: docs/methods/phe.md).\n"
"FILE is a CSV with a header row; '-' or no FILE reads standard input.\n"
"Missing numbers may be written as empty, NA, NaN or '.'. Numbers must be 0\n"
"or between 1e-15 and 1e15 in magnitude (so no result overflows); Inf and\n"
"hexadecimal are refused too, with the file:line:column.\n"
"\n"
"methods (--method):\n"
"  proportion   x/n with Wilson score limits (multiplier default 1; 100 = %)\n"
"  rate         crude rate x/n: exact chi-square limits for x<10, Byar\n"
"               otherwise (multiplier default 100000)\n"
"  mean         mean of --value with Student's t limits, per group\n"
"  byar         Byar limits for a count x (negative lower limit -> NA)\n"
"  wilson       Wilson limits for x out of n, as proportions\n"
"  dsr          directly standardised rate, Dobson limits, per group; rows of\n"
"               a group are standardisation categories matched by position\n"
"               with --stdpop (default: ESP2013, 19 bands 0-4 .. 90+);\n"
"               total count < 10 gives NA (multiplier default 100000)\n"
"  isr          indirectly standardised ratio (--isr-type ratio, multiplier =\n"
"               reference value, default 1) or rate (--isr-type rate,\n"
"               default 100000), exact limits when observed < 10, else Byar\n"
"  quantile     assign rows to quantiles within groups (PHE formula, ties =\n"
"               minimum rank); adds columns quantile, nquantiles, qinverted\n"
"  funnel-prop  100-point funnel table for proportions (2 and 3 sigma, Wilson\n"
"               inverse; multiplier default 100); --significance classifies\n"
"               each input row instead\n"
"  funnel-rate  100-point exact-Poisson funnel for rates (multiplier default\n"
"               100000) or, with --ratio, for ratios where the denominator is\n"
"               the expected count (multiplier default 1)\n"
"  sii          slope and relative index of inequality per group (PHE\n"
"               method), limits by simulation (--reps, --seed)\n"
"\n"
"general options:\n"
"  --method M            one of the methods above (required)\n"
"  --group-by C1[,C2]    group rows by these columns (output keeps them, in\n"
"                        order of first appearance); proportion/rate/byar/\n"
"                        wilson sum x and n within each group first\n"
"  --confidence L[,L2]   confidence level(s), as 0.95 or 95; up to 4 levels\n"
"                        (default 95). Output columns are named\n"
"                        lower95_0cl, upper95_0cl, lower99_8cl, ...\n"
"  --multiplier X        scale of the output (defaults per method above; non-zero,\n"
"                        at most 1e15 in magnitude)\n"
"  --format csv|json     output format (default csv); numbers are written\n"
"                        with 17 significant digits, missing as NA (null)\n"
"  -o, --output FILE     write to FILE instead of standard output\n"
"  -h, --help            this help\n"
"\n"
"column options (names are matched case-insensitively; defaults in brackets\n"
"are tried in order and match the reference's test files):\n"
"  --numerator C         counts [numerator, x, count, obs]\n"
"  --denominator C       denominators [denominator, n, pop, population]\n"
"  --value C             values [value, values] (mean, quantile, sii)\n"
"  --stdpop C            dsr: standard population column (default ESP2013)\n"
"  --ageband C           dsr: age-band column; checked to be identical across\n"
"                        groups (mismatched bands are an error)\n"
"  --freq C              dsr: event-frequency column; switches on the\n"
"                        non-independent events variant (needs --ageband)\n"
"  --persons C           dsr with --freq: persons with exactly freq events\n"
"                        (without it --numerator counts events = freq x persons)\n"
"  --refcount C, --refpop C   isr: reference counts and populations\n"
"                        [refcount] [refpop], in FILE or in --ref\n"
"  --ref FILE            isr: reference data file, rows matched by position\n"
"                        with each group's rows\n"
"  --observed FILE       isr: observed totals per group (group columns plus\n"
"                        --observed-col, default total_count); the numerator\n"
"                        column is then not needed\n"
"  --isr-type ratio|rate isr statistic (default ratio)\n"
"  --nquantiles K        quantile: number of quantiles (default 10)\n"
"  --invert yes|no       quantile: yes (default) puts the highest values in\n"
"                        quantile 1\n"
"  --invert-col C        quantile: per-row polarity (TRUE/FALSE, 1/0, yes/no);\n"
"                        must be constant within each group\n"
"  --significance        funnel-prop/funnel-rate: per-row significance\n"
"  --ratio               funnel-rate: ratio funnel (denominator = expected)\n"
"  sii columns: --quantile C [quantile], --population C [population],\n"
"    --value C [value], --count C [count] (proportions without a value),\n"
"    --se C [standarderror, se], --lower C [lowercl, lower_cl],\n"
"    --upper C [uppercl, upper_cl] (95% limits, used when se is missing)\n"
"  --value-type 0|1|2    sii: 0 normal, 1 rate (log), 2 proportion (logit)\n"
"  --transform           sii: fit on the log/logit scale\n"
"  --reps N              sii: simulation repetitions (default 100000, >= 1000)\n"
"  --seed N              sii: random seed (GSL mt19937; default 1)\n"
"\n"
"exit status: 0 ok, 1 bad input (message names file:line:column), 2 usage.\n"
"examples:\n"
"  equitylens ci --method proportion --confidence 95,99.8 props.csv\n"
"  equitylens ci --method dsr --group-by area --numerator count --denominator pop deaths.csv\n"
"  equitylens ci --method sii --group-by Area --value-type 1 --reps 100000 --seed 7 deciles.csv\n",
        f);
}

/* ------------------------------------------------------------------ table */

typedef struct {
    char **f;
    size_t nf;
    long line;
} row_t;

typedef struct {
    char name[256];
    char **hdr;
    size_t nh;
    row_t *rows;
    size_t nrows;
} table_t;

static void table_free(table_t *t)
{
    if (!t) return;
    for (size_t r = 0; r < t->nrows; r++) {
        free(t->rows[r].f);   /* one block: pointers and text (copy_fields) */
    }
    free(t->hdr);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

/* The record's fields as one allocation (the pointer array followed by the text), freed
 * with a single free(): a row of 500,000 empty fields costs 4.5 MB, not 500,000 mallocs. */
static char **copy_fields(el_csv *c, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += el_csv_field_len(c, i) + 1;
    char **f = malloc((n ? n : 1) * sizeof *f + bytes);
    if (!f) return NULL;
    char *p = (char *)(f + (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        size_t len = el_csv_field_len(c, i);
        memcpy(p, el_csv_field(c, i), len + 1);
        f[i] = p;
        p += len + 1;
    }
    return f;
}

static el_status table_load(const char *path, table_t *t, el_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", strcmp(path, "-") ? path : "<stdin>");
    el_csv *c = el_csv_open(path, NULL, err);
    if (!c) return err ? err->status : EL_ERR_IO;
    el_status st = EL_OK;
    el_csv_result r = el_csv_next(c, err);
    if (r != EL_CSV_ROW) {
        if (r == EL_CSV_EOF) st = el_error_at(err, EL_ERR_PARSE, t->name, 1, 0, NULL, "empty input: a header row is needed");
        else st = err ? (err->status ? err->status : EL_ERR_PARSE) : EL_ERR_PARSE;
        el_csv_close(c);
        return st;
    }
    t->nh = el_csv_nfields(c);
    t->hdr = copy_fields(c, t->nh);
    if (!t->hdr) { el_csv_close(c); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    size_t cap = 0;
    while ((r = el_csv_next(c, err)) != EL_CSV_EOF) {
        if (r == EL_CSV_FATAL) { st = err ? err->status : EL_ERR_IO; break; }
        if (r == EL_CSV_BAD) { st = err ? err->status : EL_ERR_PARSE; break; }
        size_t nf = el_csv_nfields(c);
        if (nf == 1 && el_csv_field(c, 0)[0] == 0) continue;    /* blank line */
        if (nf != t->nh) {
            st = el_error_at(err, EL_ERR_PARSE, t->name, el_csv_line(c), 0, NULL,
                             "row has %zu fields but the header has %zu", nf, t->nh);
            break;
        }
        if (t->nrows == cap) {
            size_t nc = cap ? cap * 2 : 64;
            row_t *nr = realloc(t->rows, nc * sizeof *nr);
            if (!nr) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
            t->rows = nr;
            cap = nc;
        }
        row_t *rw = &t->rows[t->nrows];
        rw->f = copy_fields(c, nf);
        if (!rw->f) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
        rw->nf = nf;
        rw->line = el_csv_line(c);
        t->nrows++;
    }
    if (st == EL_OK && t->nrows == 0)
        st = el_error_at(err, EL_ERR_PARSE, t->name, 2, 0, NULL, "no data rows (only a header)");
    if (st != EL_OK && err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", t->name);
    el_csv_close(c);
    if (st != EL_OK) table_free(t);
    return st;
}

static long col_find(const table_t *t, const char *name)
{
    for (size_t i = 0; i < t->nh; i++)
        if (!strcasecmp(t->hdr[i], name)) return (long)i;
    return -1;
}

/* explicit name (must exist) or first default candidate present; -1 if none */
static el_status col_pick(const table_t *t, const char *opt, const char *what,
                          const char *const *cands, int required, long *out, el_error *err)
{
    *out = -1;
    if (opt) {
        *out = col_find(t, opt);
        if (*out < 0)
            return el_error_at(err, EL_ERR_INVALID, t->name, 1, 0, opt,
                               "column '%s' (%s) not found in the header", opt, what);
        return EL_OK;
    }
    for (size_t i = 0; cands && cands[i]; i++)
        if ((*out = col_find(t, cands[i])) >= 0) return EL_OK;
    if (required)
        return el_error_at(err, EL_ERR_INVALID, t->name, 1, 0, NULL,
                           "no %s column: name it with the matching --option (defaults tried: %s%s%s)", what,
                           cands && cands[0] ? cands[0] : "", cands && cands[0] && cands[1] ? ", " : "",
                           cands && cands[0] && cands[1] ? cands[1] : "");
    return EL_OK;
}

static int is_missing(const char *s)
{
    while (*s == ' ') s++;
    return !*s || !strcasecmp(s, "NA") || !strcasecmp(s, "NaN") || !strcmp(s, ".") || !strcasecmp(s, "null");
}

/* numeric cell: missing → NAN; unparseable or out of range → error at file:line:col */
#define CELL_MAX 1e15
static el_status cell_num(const table_t *t, size_t r, long c, double *v, el_error *err)
{
    if (c < 0) { *v = NAN; return EL_OK; }
    const char *s = t->rows[r].f[c];
    if (is_missing(s)) { *v = NAN; return EL_OK; }
    if (el_parse_double(s, 0, v) != 0)
        return el_error_at(err, EL_ERR_PARSE, t->name, t->rows[r].line, c + 1, t->hdr[c],
                           "'%s' is not a number", s);
    /* aggregated counts, populations and values never come near these bounds; beyond them
     * sums, products and ratios (x / n with n ~ 1e-320) overflow to Inf, and integers lose
     * precision (2^53 ~ 9e15) */
    if (fabs(*v) > CELL_MAX || (*v != 0.0 && fabs(*v) < 1.0 / CELL_MAX))
        return el_error_at(err, EL_ERR_PARSE, t->name, t->rows[r].line, c + 1, t->hdr[c],
                           "'%s' is out of range (numbers must be 0 or between 1e-15 and 1e15 "
                           "in magnitude)", s);
    return EL_OK;
}

static el_status cell_bool(const table_t *t, size_t r, long c, int *v, el_error *err)
{
    const char *s = t->rows[r].f[c];
    if (!strcasecmp(s, "TRUE") || !strcmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "T")) { *v = 1; return EL_OK; }
    if (!strcasecmp(s, "FALSE") || !strcmp(s, "0") || !strcasecmp(s, "no") || !strcasecmp(s, "F")) { *v = 0; return EL_OK; }
    return el_error_at(err, EL_ERR_PARSE, t->name, t->rows[r].line, c + 1, t->hdr[c],
                       "'%s' is not a logical value (TRUE/FALSE, 1/0, yes/no)", s);
}

/* ------------------------------------------------------------------ groups */

typedef struct {
    size_t *rows;   /* row indices, in file order */
    size_t n;
} group_t;

typedef struct {
    long cols[16];
    size_t ncols;
    group_t *g;
    size_t ng;
} groups_t;

static void groups_free(groups_t *gs)
{
    for (size_t i = 0; i < gs->ng; i++) free(gs->g[i].rows);
    free(gs->g);
    gs->g = NULL;
    gs->ng = 0;
}

static const table_t *sort_tab;
static const long *sort_cols;
static size_t sort_ncols;

static int key_cmp_rows(size_t a, size_t b)
{
    for (size_t k = 0; k < sort_ncols; k++) {
        int c = strcmp(sort_tab->rows[a].f[sort_cols[k]], sort_tab->rows[b].f[sort_cols[k]]);
        if (c) return c;
    }
    return 0;
}

static int idx_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = key_cmp_rows(a, b);
    if (c) return c;
    return (a > b) - (a < b);
}

static int grp_cmp(const void *pa, const void *pb)
{
    const group_t *a = pa, *b = pb;
    return (a->rows[0] > b->rows[0]) - (a->rows[0] < b->rows[0]);
}

/* parse "a,b" into column indices and split rows into groups (first-appearance order) */
static el_status make_groups(const table_t *t, const char *spec, groups_t *gs, el_error *err)
{
    memset(gs, 0, sizeof *gs);
    if (spec && *spec) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", spec);
        char *save = NULL;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (gs->ncols == 16) return el_error_set(err, EL_ERR_INVALID, "at most 16 --group-by columns");
            long c = col_find(t, tok);
            if (c < 0)
                return el_error_at(err, EL_ERR_INVALID, t->name, 1, 0, tok, "--group-by column '%s' not found", tok);
            gs->cols[gs->ncols++] = c;
        }
        if (!gs->ncols) return el_error_set(err, EL_ERR_INVALID, "--group-by '%s' names no column", spec);
    }
    if (t->nrows == 0) return EL_OK;
    size_t *idx = malloc(t->nrows * sizeof *idx);
    if (!idx) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->nrows; i++) idx[i] = i;
    sort_tab = t; sort_cols = gs->cols; sort_ncols = gs->ncols;
    if (gs->ncols) qsort(idx, t->nrows, sizeof *idx, idx_cmp);
    size_t cap = 0;
    for (size_t i = 0; i < t->nrows;) {
        size_t j = i + 1;
        while (j < t->nrows && gs->ncols && key_cmp_rows(idx[i], idx[j]) == 0) j++;
        if (!gs->ncols) j = t->nrows;
        if (gs->ng == cap) {
            size_t nc = cap ? cap * 2 : 16;
            group_t *ng = realloc(gs->g, nc * sizeof *ng);
            if (!ng) { free(idx); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
            gs->g = ng;
            cap = nc;
        }
        group_t *g = &gs->g[gs->ng];
        g->n = j - i;
        g->rows = malloc(g->n * sizeof *g->rows);
        if (!g->rows) { free(idx); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        memcpy(g->rows, idx + i, g->n * sizeof *g->rows);
        gs->ng++;
        i = j;
    }
    free(idx);
    qsort(gs->g, gs->ng, sizeof *gs->g, grp_cmp);
    return EL_OK;
}

/* turn a core error (line = 1-based element index within the group) into a file location */
static void map_err(el_error *err, const table_t *t, const group_t *g, long col)
{
    if (!err) return;
    if (err->line >= 1 && (size_t)err->line <= g->n) {
        size_t r = g->rows[err->line - 1];
        err->line = t->rows[r].line;
        if (col >= 0 && !err->column) err->column = col + 1;
    } else if (g->n) {
        err->line = t->rows[g->rows[0]].line;
    }
    snprintf(err->file, sizeof err->file, "%s", t->name);
}

/* ------------------------------------------------------------------ output */

typedef struct {
    FILE *f;
    int json;
    json_t *arr, *obj;
    char **names;
    size_t nnames, cap, col;
    int header_done;
} out_t;

static void out_name(out_t *o, const char *name)
{
    if (o->header_done) return;
    if (o->nnames == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 32;
        o->names = realloc(o->names, o->cap * sizeof *o->names);
        if (!o->names) abort();
    }
    o->names[o->nnames++] = strdup(name);
}

static void out_sep(out_t *o)
{
    if (!o->json && o->col++) fputc(',', o->f);
}

static void out_str(out_t *o, const char *name, const char *v)
{
    out_name(o, name);
    if (o->json) {
        if (!o->obj) o->obj = json_object();
        json_object_set_new(o->obj, name, json_string(v));
        return;
    }
    out_sep(o);
    el_csv_write_field(o->f, v);
}

static void out_num(out_t *o, const char *name, double v)
{
    out_name(o, name);
    if (o->json) {
        if (!o->obj) o->obj = json_object();
        json_t *j = !isfinite(v) ? json_null()
                    : (v == floor(v) && fabs(v) < 9007199254740992.0) ? json_integer((json_int_t)v) : json_real(v);
        json_object_set_new(o->obj, name, j);
        return;
    }
    out_sep(o);
    if (isnan(v)) fputs("NA", o->f);
    else if (isinf(v)) fputs(v > 0 ? "Inf" : "-Inf", o->f);
    else if (v == floor(v) && fabs(v) < 1e15) fprintf(o->f, "%.0f", v);
    else fprintf(o->f, "%.17g", v);
}

/* CSV writes rows to a buffer first so the header (known after row 1) comes first */
static char *rowbuf;
static size_t rowlen;

static void out_begin_row(out_t *o)
{
    o->col = 0;
    if (!o->json) {
        o->f = open_memstream(&rowbuf, &rowlen);
        if (!o->f) abort();
    }
}

static void out_end_row(out_t *o, FILE *dst)
{
    if (o->json) {
        if (!o->obj) o->obj = json_object();
        json_array_append_new(o->arr, o->obj);
        o->obj = NULL;
    } else {
        fclose(o->f);
        o->f = NULL;
        if (!o->header_done) {
            for (size_t i = 0; i < o->nnames; i++) {
                if (i) fputc(',', dst);
                el_csv_write_field(dst, o->names[i]);
            }
            fputc('\n', dst);
        }
        fwrite(rowbuf, 1, rowlen, dst);
        fputc('\n', dst);
        free(rowbuf);
        rowbuf = NULL;
    }
    o->header_done = 1;
}

static void out_finish(out_t *o, FILE *dst)
{
    if (o->json) {
        json_dumpf(o->arr, dst, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        fputc('\n', dst);
        json_decref(o->arr);
    }
    for (size_t i = 0; i < o->nnames; i++) free(o->names[i]);
    free(o->names);
}

/* ------------------------------------------------------------------ options */

typedef struct {
    const char *method, *group_by, *format, *output;
    double conf[MAXCONF];
    size_t nconf;
    double multiplier;
    int have_mult;
    const char *c_num, *c_den, *c_value, *c_stdpop, *c_ageband, *c_freq, *c_persons;
    const char *c_refcount, *c_refpop, *ref_file, *observed_file, *c_observed;
    const char *isr_type, *c_invert, *c_quantile, *c_population, *c_count, *c_se, *c_lower, *c_upper;
    int nquantiles, invert, significance, ratio, value_type, transform;
    long reps;
    unsigned long long seed;
} opts_t;

static const char *const NUM_C[] = {"numerator", "x", "count", "obs", NULL};
static const char *const DEN_C[] = {"denominator", "n", "pop", "population", NULL};
static const char *const VAL_C[] = {"value", "values", NULL};

static void conf_label(double level, char *buf, size_t cap)
{
    char t[32];
    snprintf(t, sizeof t, "%.2f", level * 100.0);
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == '0' && t[n - 2] != '.') t[--n] = 0;
    for (char *p = t; *p; p++) if (*p == '.') *p = '_';
    snprintf(buf, cap, "%s", t);
}

static void lim_names(double conf, char *lo, char *hi, size_t cap, const char *prefix)
{
    double l;
    el_confidence_level(conf, &l, NULL);
    char lab[32];
    conf_label(l, lab, sizeof lab);
    snprintf(lo, cap, "%slower%scl", prefix, lab);
    snprintf(hi, cap, "%supper%scl", prefix, lab);
}

/* The lower and upper limit columns of one confidence level. */
static void out_limits(out_t *o, double conf, const char *prefix, double lo, double hi)
{
    char ln[64], un[64];
    lim_names(conf, ln, un, sizeof ln, prefix);
    out_num(o, ln, lo);
    out_num(o, un, hi);
}

static void out_groupcols(out_t *o, const table_t *t, const groups_t *gs, const group_t *g)
{
    for (size_t k = 0; k < gs->ncols; k++)
        out_str(o, t->hdr[gs->cols[k]], t->rows[g->rows[0]].f[gs->cols[k]]);
}

/* input columns named like a computed output column are replaced, not repeated */
static int reserved(const char *name, int all)
{
    if (!all) return 0;
    static const char *const R[] = {"value", "statistic", "method", "quantile", "nquantiles", "groupvars",
                                    "qinverted", "significance", "confidence", NULL};
    for (size_t i = 0; R[i]; i++) if (!strcasecmp(name, R[i])) return 1;
    size_t n = strlen(name);
    if ((!strncasecmp(name, "lower", 5) || !strncasecmp(name, "upper", 5)) && n > 7 && !strcasecmp(name + n - 2, "cl"))
        return 1;
    return 0;
}

/* replace: drop input columns that the method recomputes (value, limits, ...) */
static void out_allcols(out_t *o, const table_t *t, size_t r, int replace)
{
    for (size_t k = 0; k < t->nh; k++) {
        const char *h = t->hdr[k];
        if (reserved(h, replace)) continue;
        if (!replace && (!strcasecmp(h, "quantile") || !strcasecmp(h, "nquantiles") || !strcasecmp(h, "groupvars") ||
                         !strcasecmp(h, "qinverted") || !strcasecmp(h, "significance")))
            continue;
        out_str(o, h, t->rows[r].f[k]);
    }
}

/* ------------------------------------------------------------------ methods */

/* proportion, rate, byar, wilson: per row, or per group with x and n summed */
static el_status run_simple(const opts_t *op, const table_t *t, const groups_t *gs, out_t *o, FILE *dst,
                            el_error *err)
{
    const char *m = op->method;
    int is_byar = !strcmp(m, "byar"), is_wilson = !strcmp(m, "wilson");
    int is_prop = !strcmp(m, "proportion"), is_rate = !strcmp(m, "rate");
    long cx, cn = -1;
    el_status s = col_pick(t, op->c_num, "numerator", NUM_C, 1, &cx, err);
    if (s == EL_OK && !is_byar) s = col_pick(t, op->c_den, "denominator", DEN_C, 1, &cn, err);
    if (s != EL_OK) return s;
    double mult = op->have_mult ? op->multiplier : (is_rate ? 100000.0 : 1.0);
    int grouped = gs->ncols > 0;
    size_t nunits = grouped ? gs->ng : t->nrows;
    for (size_t u = 0; u < nunits; u++) {
        double x = 0, n = 0;
        const group_t *g = grouped ? &gs->g[u] : NULL;
        size_t nr = grouped ? g->n : 1;
        size_t first = grouped ? g->rows[0] : u;
        for (size_t k = 0; k < nr; k++) {
            size_t r = grouped ? g->rows[k] : u;
            double xv, nv = 0;
            if ((s = cell_num(t, r, cx, &xv, err)) != EL_OK) return s;
            if (cn >= 0 && (s = cell_num(t, r, cn, &nv, err)) != EL_OK) return s;
            x += xv;
            n += nv;
        }
        out_begin_row(o);
        if (grouped) {
            out_groupcols(o, t, gs, g);
            out_num(o, t->hdr[cx], x);
            if (cn >= 0) out_num(o, t->hdr[cn], n);
        } else {
            out_allcols(o, t, first, 1);
        }
        if (is_prop || is_rate) out_num(o, "value", is_prop ? (isnan(x) || isnan(n) ? NAN : x / n * mult)
                                                         : (isnan(x) || isnan(n) ? NAN : x / n * mult));
        el_ci_method meth = EL_CI_NONE;
        for (size_t c = 0; c < op->nconf; c++) {
            double lo = NAN, hi = NAN;
            el_estimate e;
            if (is_prop) { s = el_proportion_ci(x, n, op->conf[c], mult, &e, err); lo = e.lower; hi = e.upper; meth = e.method; }
            else if (is_rate) { s = el_rate_ci(x, n, op->conf[c], mult, &e, err); lo = e.lower; hi = e.upper; meth = e.method; }
            else if (is_byar) { s = el_byar(x, op->conf[c], &lo, &hi, err); meth = isnan(x) ? EL_CI_NONE : EL_CI_BYAR; }
            else if (is_wilson) { s = el_wilson(x, n, op->conf[c], &lo, &hi, err); meth = isnan(x) || isnan(n) ? EL_CI_NONE : EL_CI_WILSON; }
            if (s != EL_OK) {
                if (err) {
                    err->line = t->rows[first].line;
                    snprintf(err->file, sizeof err->file, "%s", t->name);
                    if (grouped) snprintf(err->field, sizeof err->field, "group starting here");
                }
                if (!o->json && o->f) { fclose(o->f); free(rowbuf); rowbuf = NULL; o->f = NULL; }
                return s;
            }
            out_limits(o, op->conf[c], "", lo, hi);
        }
        if (is_prop || is_rate) {
            char stat[64];
            if (is_prop) snprintf(stat, sizeof stat, mult == 100.0 ? "percentage" : "proportion of %g", mult);
            else snprintf(stat, sizeof stat, "rate per %.0f", mult);
            out_str(o, "statistic", stat);
        }
        out_str(o, "method", el_ci_method_name(meth));
        out_end_row(o, dst);
    }
    return EL_OK;
}

static void abort_row(out_t *o)
{
    if (!o->json && o->f) { fclose(o->f); free(rowbuf); rowbuf = NULL; o->f = NULL; }
    if (o->json && o->obj) { json_decref(o->obj); o->obj = NULL; }
}

static el_status run_mean(const opts_t *op, const table_t *t, const groups_t *gs, out_t *o, FILE *dst, el_error *err)
{
    long cv;
    el_status s = col_pick(t, op->c_value, "value", VAL_C, 1, &cv, err);
    if (s != EL_OK) return s;
    for (size_t u = 0; u < gs->ng; u++) {
        const group_t *g = &gs->g[u];
        double *v = malloc(g->n * sizeof *v);
        if (!v) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < g->n; k++) {
            if ((s = cell_num(t, g->rows[k], cv, &v[k], err)) != EL_OK) { free(v); return s; }
            if (isnan(v[k])) {
                free(v);
                return el_error_at(err, EL_ERR_INVALID, t->name, t->rows[g->rows[k]].line, cv + 1, t->hdr[cv],
                                   "missing value: a mean needs every value");
            }
        }
        out_begin_row(o);
        out_groupcols(o, t, gs, g);
        for (size_t c = 0; c < op->nconf; c++) {
            el_estimate e;
            double sum, sd;
            s = el_mean_ci_values(v, (long)g->n, op->conf[c], &e, &sum, &sd, err);
            if (s != EL_OK) { free(v); abort_row(o); map_err(err, t, g, cv); return s; }
            if (c == 0) {
                out_num(o, "value_sum", sum);
                out_num(o, "value_count", (double)g->n);
                out_num(o, "stdev", sd);
                out_num(o, "value", e.value);
            }
            out_limits(o, op->conf[c], "", e.lower, e.upper);
        }
        free(v);
        out_str(o, "statistic", "mean");
        out_str(o, "method", el_ci_method_name(EL_CI_T));
        out_end_row(o, dst);
    }
    return EL_OK;
}

static el_status run_dsr(const opts_t *op, const table_t *t, const groups_t *gs, out_t *o, FILE *dst, el_error *err)
{
    static const char *const ST_C[] = {NULL};
    static const char *const AB_C[] = {NULL};
    long cx = -1, cn, cw, cab, cf = -1, cp = -1;
    int nonind = op->c_freq != NULL;
    el_status s = col_pick(t, op->c_den, "denominator", DEN_C, 1, &cn, err);
    if (s == EL_OK) s = col_pick(t, op->c_stdpop, "standard population", ST_C, 0, &cw, err);
    if (s == EL_OK) s = col_pick(t, op->c_ageband, "age band", AB_C, nonind, &cab, err);
    if (s == EL_OK && nonind) s = col_pick(t, op->c_freq, "event frequency", NULL, 1, &cf, err);
    if (s == EL_OK && nonind && op->c_persons) s = col_pick(t, op->c_persons, "persons", NULL, 1, &cp, err);
    if (s == EL_OK && cp < 0) s = col_pick(t, op->c_num, "numerator", NUM_C, 1, &cx, err);
    if (s != EL_OK) return s;
    double mult = op->have_mult ? op->multiplier : 100000.0;
    const group_t *g0 = gs->ng ? &gs->g[0] : NULL;
    for (size_t u = 0; u < gs->ng; u++) {
        const group_t *g = &gs->g[u];
        size_t n = g->n;
        double *x = calloc(n, sizeof *x), *pop = calloc(n, sizeof *pop), *w = calloc(n, sizeof *w);
        double *fq = calloc(n, sizeof *fq), *pe = calloc(n, sizeof *pe);
        size_t *band = calloc(n, sizeof *band), *bandrow = calloc(n, sizeof *bandrow);
        size_t nb = 0;
        el_dsr_result res[MAXCONF];
        if (!x || !pop || !w || !fq || !pe || !band || !bandrow) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto done; }
        for (size_t k = 0; k < n && s == EL_OK; k++) {
            size_t r = g->rows[k];
            if ((s = cell_num(t, r, cx, &x[k], err)) != EL_OK) break;
            if ((s = cell_num(t, r, cn, &pop[k], err)) != EL_OK) break;
            if (cw >= 0 && (s = cell_num(t, r, cw, &w[k], err)) != EL_OK) break;
            if (cw >= 0 && isnan(w[k])) {
                s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[r].line, cw + 1, t->hdr[cw], "standard population is missing");
                break;
            }
            if (nonind) {
                if ((s = cell_num(t, r, cf, &fq[k], err)) != EL_OK) break;
                if (cp >= 0 && (s = cell_num(t, r, cp, &pe[k], err)) != EL_OK) break;
                if (cp < 0) pe[k] = fq[k] > 0 ? x[k] / fq[k] : 0.0;
                /* find or add the band */
                size_t b = 0;
                while (b < nb && strcmp(t->rows[bandrow[b]].f[cab], t->rows[r].f[cab])) b++;
                if (b == nb) { bandrow[nb] = r; pop[nb] = pop[k]; w[nb] = w[k]; nb++; }
                else if (pop[b] != pop[k] && !(isnan(pop[b]) && isnan(pop[k]))) {
                    s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[r].line, cn + 1, t->hdr[cn],
                                    "population differs between rows of the same age band '%s'", t->rows[r].f[cab]);
                    break;
                } else if (cw >= 0 && w[b] != w[k]) {
                    s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[r].line, cw + 1, t->hdr[cw],
                                    "standard population differs between rows of the same age band '%s'", t->rows[r].f[cab]);
                    break;
                }
                band[k] = b;
            }
        }
        if (s != EL_OK) goto done;
        if (!nonind && cab >= 0 && g != g0) {
            /* mismatched age bands: every group must list the first group's bands in the same order */
            if (g->n != g0->n) {
                s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[g->rows[0]].line, 0, NULL,
                                "group has %zu age bands but the first group has %zu", g->n, g0->n);
                goto done;
            }
            for (size_t k = 0; k < n; k++)
                if (strcmp(t->rows[g->rows[k]].f[cab], t->rows[g0->rows[k]].f[cab])) {
                    s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[g->rows[k]].line, cab + 1, t->hdr[cab],
                                    "age band '%s' does not match '%s' in the first group (mismatched age bands)",
                                    t->rows[g->rows[k]].f[cab], t->rows[g0->rows[k]].f[cab]);
                    goto done;
                }
        }
        if (!nonind && cw >= 0 && g != g0 && g->n != g0->n) {
            s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[g->rows[0]].line, 0, NULL,
                            "data must contain the same number of rows for each group (%zu here, %zu in the first)", g->n, g0->n);
            goto done;
        }
        for (size_t c = 0; c < op->nconf; c++) {
            if (nonind) s = el_dsr_nonind(pop, cw >= 0 ? w : NULL, nb, band, fq, pe, n, op->conf[c], mult, &res[c], err);
            else s = el_dsr(x, pop, cw >= 0 ? w : NULL, n, op->conf[c], mult, &res[c], err);
            if (s != EL_OK) {
                if (nonind && err && err->line && err->field[0] == 'p' && !strcmp(err->field, "pop")) {
                    /* band index → the band's first row */
                    size_t b = (size_t)err->line - 1;
                    if (b < nb) { err->line = t->rows[bandrow[b]].line; err->column = cn + 1; }
                    snprintf(err->file, sizeof err->file, "%s", t->name);
                } else {
                    long col = -1;
                    if (err && !strcmp(err->field, "count")) col = cx;
                    else if (err && !strcmp(err->field, "pop")) col = cn;
                    else if (err && !strcmp(err->field, "stdpop")) col = cw;
                    else if (err && !strcmp(err->field, "persons")) col = cp >= 0 ? cp : cx;
                    else if (err && !strcmp(err->field, "freq")) col = cf;
                    map_err(err, t, g, col);
                    if (err && col >= 0) snprintf(err->field, sizeof err->field, "%s", t->hdr[col]);
                }
                goto done;
            }
        }
        out_begin_row(o);
        out_groupcols(o, t, gs, g);
        out_num(o, "total_count", res[0].total_count);
        out_num(o, "total_pop", res[0].total_pop);
        out_num(o, "value", res[0].value);
        for (size_t c = 0; c < op->nconf; c++) {
            out_limits(o, op->conf[c], "", res[c].lower, res[c].upper);
        }
        {
            char stat[64];
            if (res[0].total_count < 10) snprintf(stat, sizeof stat, "dsr NA for total count < 10");
            else snprintf(stat, sizeof stat, "dsr per %.0f", mult);
            out_str(o, "statistic", stat);
        }
        out_str(o, "method", nonind ? "Dobson, with confidence adjusted for non-independent events" : "Dobson");
        out_end_row(o, dst);
    done:
        free(x); free(pop); free(w); free(fq); free(pe); free(band); free(bandrow);
        if (s != EL_OK) return s;
    }
    return EL_OK;
}

static el_status run_isr(const opts_t *op, const table_t *t, const groups_t *gs, out_t *o, FILE *dst, el_error *err)
{
    static const char *const RC_C[] = {"refcount", "x_ref", NULL};
    static const char *const RP_C[] = {"refpop", "n_ref", NULL};
    int rate = op->isr_type && !strcmp(op->isr_type, "rate");
    table_t ref = {0}, obs = {0};
    const table_t *rt = t;
    long cx = -1, cn, crc, crp, cobs = -1;
    long ocols[16];
    el_status s = EL_OK;
    if (op->ref_file) {
        if ((s = table_load(op->ref_file, &ref, err)) != EL_OK) return s;
        rt = &ref;
    }
    if (op->observed_file) {
        if ((s = table_load(op->observed_file, &obs, err)) != EL_OK) goto out;
        if ((s = col_pick(&obs, op->c_observed ? op->c_observed : "total_count", "observed total", NULL, 1, &cobs, err)) != EL_OK) goto out;
        for (size_t k = 0; k < gs->ncols; k++) {
            ocols[k] = col_find(&obs, t->hdr[gs->cols[k]]);
            if (ocols[k] < 0) {
                s = el_error_at(err, EL_ERR_INVALID, obs.name, 1, 0, t->hdr[gs->cols[k]],
                                "group column '%s' missing from the observed totals file", t->hdr[gs->cols[k]]);
                goto out;
            }
        }
    } else if ((s = col_pick(t, op->c_num, "numerator", NUM_C, 1, &cx, err)) != EL_OK) goto out;
    if ((s = col_pick(t, op->c_den, "denominator", DEN_C, 1, &cn, err)) != EL_OK) goto out;
    if ((s = col_pick(rt, op->c_refcount, "reference count", RC_C, 1, &crc, err)) != EL_OK) goto out;
    if ((s = col_pick(rt, op->c_refpop, "reference population", RP_C, 1, &crp, err)) != EL_OK) goto out;
    double scale = op->have_mult ? op->multiplier : (rate ? 100000.0 : 1.0);
    for (size_t u = 0; u < gs->ng && s == EL_OK; u++) {
        const group_t *g = &gs->g[u];
        size_t n = g->n;
        if (rt == &ref && ref.nrows != n) {
            s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[g->rows[0]].line, 0, NULL,
                            "group has %zu rows but the reference file %s has %zu (rows are matched by position)",
                            n, ref.name, ref.nrows);
            break;
        }
        double *x = calloc(n, sizeof *x), *pop = calloc(n, sizeof *pop), *xr = calloc(n, sizeof *xr), *nr = calloc(n, sizeof *nr);
        double otot = NAN;
        el_isr_result res[MAXCONF];
        if (!x || !pop || !xr || !nr) { s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto next; }
        for (size_t k = 0; k < n; k++) {
            size_t r = g->rows[k], rr = rt == &ref ? k : r;
            if ((s = cell_num(t, r, cx, &x[k], err)) != EL_OK) goto next;
            if ((s = cell_num(t, r, cn, &pop[k], err)) != EL_OK) goto next;
            if ((s = cell_num(rt, rr, crc, &xr[k], err)) != EL_OK) goto next;
            if ((s = cell_num(rt, rr, crp, &nr[k], err)) != EL_OK) goto next;
        }
        if (cobs >= 0) {
            size_t found = 0;
            for (size_t r = 0; r < obs.nrows && !found; r++) {
                size_t k = 0;
                while (k < gs->ncols && !strcmp(obs.rows[r].f[ocols[k]], t->rows[g->rows[0]].f[gs->cols[k]])) k++;
                if (k == gs->ncols) {
                    found = 1;
                    if ((s = cell_num(&obs, r, cobs, &otot, err)) != EL_OK) goto next;
                }
            }
            if (!found) {
                s = el_error_at(err, EL_ERR_INVALID, obs.name, 0, 0, NULL, "no observed total for the group starting at %s line %ld",
                                t->name, t->rows[g->rows[0]].line);
                goto next;
            }
            if (isnan(otot)) {
                s = el_error_at(err, EL_ERR_INVALID, obs.name, 0, 0, NULL, "observed total missing for the group at %s line %ld",
                                t->name, t->rows[g->rows[0]].line);
                goto next;
            }
        }
        for (size_t c = 0; c < op->nconf; c++) {
            s = el_isr(cobs >= 0 ? NULL : x, pop, xr, nr, n, otot, rate ? EL_ISR_RATE : EL_ISR_RATIO, scale,
                       op->conf[c], &res[c], err);
            if (s != EL_OK) {
                long col = -1;
                int in_ref = 0;
                if (err && !strcmp(err->field, "count")) col = cx;
                else if (err && !strcmp(err->field, "pop")) col = cn;
                else if (err && !strcmp(err->field, "refcount")) { col = crc; in_ref = rt == &ref; }
                else if (err && !strcmp(err->field, "refpop")) { col = crp; in_ref = rt == &ref; }
                if (in_ref && err) {
                    size_t k = (size_t)err->line - 1;
                    if (k < ref.nrows) err->line = ref.rows[k].line;
                    err->column = col + 1;
                    snprintf(err->file, sizeof err->file, "%s", ref.name);
                } else map_err(err, t, g, col);
                if (err && col >= 0) snprintf(err->field, sizeof err->field, "%s", (in_ref ? &ref : t)->hdr[col]);
                goto next;
            }
        }
        out_begin_row(o);
        out_groupcols(o, t, gs, g);
        out_num(o, "observed", res[0].observed);
        out_num(o, "expected", res[0].expected);
        if (rate) out_num(o, "ref_rate", res[0].ref_rate);
        out_num(o, "value", res[0].value);
        for (size_t c = 0; c < op->nconf; c++) {
            out_limits(o, op->conf[c], "", res[c].lower, res[c].upper);
        }
        {
            char stat[80];
            if (rate) snprintf(stat, sizeof stat, "indirectly standardised rate per %.0f", scale);
            else snprintf(stat, sizeof stat, "indirectly standardised ratio x %g", scale);
            out_str(o, "statistic", stat);
        }
        out_str(o, "method", el_ci_method_name(res[0].method));
        out_end_row(o, dst);
    next:
        free(x); free(pop); free(xr); free(nr);
    }
out:
    table_free(&ref);
    table_free(&obs);
    return s;
}

static el_status run_quantile(const opts_t *op, const table_t *t, const groups_t *gs, out_t *o, FILE *dst, el_error *err)
{
    long cv, ci = -1;
    el_status s = col_pick(t, op->c_value, "value", VAL_C, 1, &cv, err);
    if (s == EL_OK && op->c_invert) s = col_pick(t, op->c_invert, "invert", NULL, 1, &ci, err);
    if (s != EL_OK) return s;
    int *q = calloc(t->nrows ? t->nrows : 1, sizeof *q), *inv = NULL;
    double *v = NULL;
    int warned = 0;
    if (!q) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < gs->ng; u++) {
        const group_t *g = &gs->g[u];
        v = calloc(g->n, sizeof *v);
        inv = calloc(g->n, sizeof *inv);
        int *gq = calloc(g->n, sizeof *gq), too_few = 0;
        if (!v || !inv || !gq) { free(gq); s = el_error_set(err, EL_ERR_NOMEM, "out of memory"); break; }
        for (size_t k = 0; k < g->n && s == EL_OK; k++) {
            s = cell_num(t, g->rows[k], cv, &v[k], err);
            if (s == EL_OK && ci >= 0) s = cell_bool(t, g->rows[k], ci, &inv[k], err);
        }
        if (s == EL_OK) {
            s = el_quantile_assign(v, g->n, op->nquantiles, op->invert, ci >= 0 ? inv : NULL, gq, &too_few, err);
            if (s != EL_OK) {
                long col = ci >= 0 && !strcmp(err->field, "invert") ? ci : cv;
                map_err(err, t, g, col);
                snprintf(err->field, sizeof err->field, "%s", t->hdr[col]);
            }
        }
        if (too_few && !warned) {
            fprintf(stderr, "equitylens ci: warning: one or more groups had too few areas (fewer than %d values) "
                            "for quantiles to be assigned; their quantile is NA\n", op->nquantiles);
            warned = 1;
        }
        for (size_t k = 0; k < g->n && s == EL_OK; k++) q[g->rows[k]] = gq[k];
        /* remember the group's polarity for the output */
        if (s == EL_OK)
            for (size_t k = 0; k < g->n; k++) q[g->rows[k]] |= ((ci >= 0 ? inv[0] : op->invert) ? 1 : 0) << 20;
        free(gq); free(v); free(inv);
        v = NULL; inv = NULL;
        if (s != EL_OK) break;
    }
    if (s == EL_OK) {
        char gv[512] = "";
        for (size_t k = 0; k < gs->ncols; k++)
            snprintf(gv + strlen(gv), sizeof gv - strlen(gv), "%s%s", k ? ", " : "", t->hdr[gs->cols[k]]);
        for (size_t r = 0; r < t->nrows; r++) {
            int qq = q[r] & 0xFFFFF, iv = q[r] >> 20;
            out_begin_row(o);
            out_allcols(o, t, r, 0);
            out_num(o, "quantile", qq ? qq : NAN);
            out_num(o, "nquantiles", op->nquantiles);
            out_str(o, "groupvars", gv);
            out_str(o, "qinverted", iv ? "lowest quantile represents highest values" : "lowest quantile represents lowest values");
            out_end_row(o, dst);
        }
    }
    free(q);
    return s;
}

static el_status run_funnel(const opts_t *op, const table_t *t, out_t *o, FILE *dst, el_error *err)
{
    int prop = !strcmp(op->method, "funnel-prop");
    long cx, cn;
    el_status s = col_pick(t, op->c_num, "numerator", NUM_C, 1, &cx, err);
    if (s == EL_OK) s = col_pick(t, op->c_den, "denominator", DEN_C, 1, &cn, err);
    if (s != EL_OK) return s;
    double mult = op->have_mult ? op->multiplier : (prop ? 100.0 : (op->ratio ? 1.0 : 100000.0));
    size_t n = t->nrows;
    double *x = calloc(n ? n : 1, sizeof *x), *d = calloc(n ? n : 1, sizeof *d);
    if (!x || !d) { free(x); free(d); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    for (size_t r = 0; r < n && s == EL_OK; r++) {
        s = cell_num(t, r, cx, &x[r], err);
        if (s == EL_OK) s = cell_num(t, r, cn, &d[r], err);
    }
    el_funnel_point pts[EL_FUNNEL_POINTS];
    double base = NAN;
    if (s == EL_OK) {
        s = prop ? el_funnel_prop_table(x, d, n, mult, pts, &base, err)
                 : el_funnel_poisson_table(x, d, n, op->ratio, mult, pts, &base, err);
        if (s != EL_OK && err && err->line >= 1 && (size_t)err->line <= n) {
            long col = !strcmp(err->field, "denominator") ? cn : cx;
            err->line = t->rows[err->line - 1].line;
            err->column = col + 1;
            snprintf(err->field, sizeof err->field, "%s", t->hdr[col]);
            snprintf(err->file, sizeof err->file, "%s", t->name);
        }
    }
    if (s == EL_OK && op->significance) {
        for (size_t r = 0; r < n; r++) {
            el_funnel_sig sg = prop ? el_funnel_prop_significance(x[r], d[r], base)
                                    : el_funnel_poisson_significance(x[r], d[r], op->ratio, base, mult);
            out_begin_row(o);
            out_allcols(o, t, r, 0);
            out_str(o, "significance", el_funnel_sig_name(sg));
            out_end_row(o, dst);
        }
    } else if (s == EL_OK) {
        for (int j = 0; j < EL_FUNNEL_POINTS; j++) {
            out_begin_row(o);
            out_num(o, prop || !op->ratio ? "Population" : "Expected", pts[j].population);
            out_num(o, "lower_2s_limit", pts[j].lower2);
            out_num(o, "upper_2s_limit", pts[j].upper2);
            out_num(o, "lower_3s_limit", pts[j].lower3);
            out_num(o, "upper_3s_limit", pts[j].upper3);
            out_num(o, "baseline", pts[j].baseline);
            out_str(o, "statistic", prop ? "proportion" : (op->ratio ? "ratio" : "rate"));
            out_str(o, "method", prop ? "Wilson" : "Poisson");
            out_end_row(o, dst);
        }
    }
    free(x); free(d);
    return s;
}

static el_status run_sii(const opts_t *op, const table_t *t, const groups_t *gs, out_t *o, FILE *dst, el_error *err)
{
    static const char *const Q_C[] = {"quantile", NULL};
    static const char *const P_C[] = {"population", "pop", "denominator", NULL};
    static const char *const C_C[] = {"count", "numerator", "x", NULL};
    static const char *const SE_C[] = {"standarderror", "se", NULL};
    static const char *const L_C[] = {"lowercl", "lower_cl", NULL};
    static const char *const U_C[] = {"uppercl", "upper_cl", NULL};
    long cq, cp, cv, cc, cse, cl, cu;
    el_status s = col_pick(t, op->c_quantile, "quantile", Q_C, 1, &cq, err);
    if (s == EL_OK) s = col_pick(t, op->c_population, "population", P_C, 1, &cp, err);
    if (s == EL_OK) s = col_pick(t, op->c_value, "value", VAL_C, op->value_type != 2, &cv, err);
    if (s == EL_OK) s = col_pick(t, op->c_count, "count", C_C, 0, &cc, err);
    if (s == EL_OK) s = col_pick(t, op->c_se, "standard error", SE_C, 0, &cse, err);
    if (s == EL_OK) s = col_pick(t, op->c_lower, "lower limit", L_C, 0, &cl, err);
    if (s == EL_OK) s = col_pick(t, op->c_upper, "upper limit", U_C, 0, &cu, err);
    if (s != EL_OK) return s;
    if (cv < 0 && cc < 0)
        return el_error_at(err, EL_ERR_INVALID, t->name, 1, 0, NULL, "sii needs a value column, or a count column for proportions");
    if (cse < 0 && (cl < 0 || cu < 0))
        return el_error_at(err, EL_ERR_INVALID, t->name, 1, 0, NULL, "sii needs a standard error column, or both lower and upper 95%% limit columns");
    el_sii_opts so;
    el_sii_opts_default(&so);
    so.value_type = (el_sii_value_type)op->value_type;
    so.transform = op->transform;
    so.multiplier = op->have_mult ? op->multiplier : 1.0;
    so.repetitions = op->reps;
    so.seed = op->seed;
    so.nconf = op->nconf;
    for (size_t c = 0; c < op->nconf; c++) so.confidence[c] = op->conf[c];
    for (size_t u = 0; u < gs->ng; u++) {
        const group_t *g = &gs->g[u];
        el_sii_row *rw = calloc(g->n ? g->n : 1, sizeof *rw);
        if (!rw) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < g->n && s == EL_OK; k++) {
            size_t r = g->rows[k];
            el_sii_row *e = &rw[k];
            s = cell_num(t, r, cq, &e->quantile, err);
            if (s == EL_OK) s = cell_num(t, r, cp, &e->population, err);
            if (s == EL_OK) s = cell_num(t, r, cv, &e->value, err);
            if (s == EL_OK) s = cell_num(t, r, cc, &e->count, err);
            if (s == EL_OK) s = cell_num(t, r, cse, &e->se, err);
            if (s == EL_OK) s = cell_num(t, r, cl, &e->lower, err);
            if (s == EL_OK) s = cell_num(t, r, cu, &e->upper, err);
            if (s == EL_OK && cse >= 0 && isnan(e->se) && (cl < 0 || cu < 0)) {
                s = el_error_at(err, EL_ERR_INVALID, t->name, t->rows[r].line, cse + 1, t->hdr[cse], "negative or missing standard error");
            }
        }
        el_sii_result res;
        if (s == EL_OK) {
            s = el_sii(rw, g->n, &so, &res, err);
            if (s != EL_OK) {
                long col = -1;
                if (err) {
                    if (!strcmp(err->field, "population")) col = cp;
                    else if (!strcmp(err->field, "value")) col = cv;
                    else if (!strcmp(err->field, "count")) col = cc;
                    else if (!strcmp(err->field, "se")) col = cse;
                    else if (!strcmp(err->field, "lower_cl")) col = cl;
                    else if (!strcmp(err->field, "upper_cl")) col = cu;
                    else if (!strcmp(err->field, "quantile")) col = cq;
                }
                map_err(err, t, g, col);
                if (err && col >= 0) snprintf(err->field, sizeof err->field, "%s", t->hdr[col]);
            }
        }
        free(rw);
        if (s != EL_OK) return s;
        out_begin_row(o);
        out_groupcols(o, t, gs, g);
        out_num(o, "nquantiles", res.nquantiles);
        out_num(o, "sii", res.sii);
        for (size_t c = 0; c < res.nconf; c++)
            out_limits(o, op->conf[c], "sii_", res.sii_lower[c], res.sii_upper[c]);
        out_num(o, "rii", res.rii);
        for (size_t c = 0; c < res.nconf; c++)
            out_limits(o, op->conf[c], "rii_", res.rii_lower[c], res.rii_upper[c]);
        out_num(o, "intercept", res.intercept);
        out_str(o, "indicator_type", op->value_type == 1 ? "rate" : op->value_type == 2 ? "proportion" : "normal");
        out_num(o, "multiplier", so.multiplier);
        out_num(o, "transform", so.transform);
        out_num(o, "repetitions", (double)so.repetitions);
        out_num(o, "seed", (double)so.seed);
        out_end_row(o, dst);
    }
    return EL_OK;
}

/* ------------------------------------------------------------------ main */

static int usage_err(const char *msg, const char *arg)
{
    fprintf(stderr, "equitylens ci: %s%s%s (see equitylens ci --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return EL_EXIT_USAGE;
}

static int parse_conf(const char *s, opts_t *op)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    op->nconf = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        double v, l;
        if (op->nconf == MAXCONF || el_parse_double(tok, 0, &v) || el_confidence_level(v, &l, NULL) != EL_OK) return -1;
        op->conf[op->nconf++] = v;
    }
    return op->nconf ? 0 : -1;
}

enum {
    O_METHOD = 1000, O_GROUP, O_CONF, O_MULT, O_FORMAT, O_NUM, O_DEN, O_VALUE, O_STDPOP, O_AGEBAND, O_FREQ,
    O_PERSONS, O_REFCOUNT, O_REFPOP, O_REF, O_OBSERVED, O_OBSCOL, O_ISRTYPE, O_NQ, O_INVERT, O_INVCOL,
    O_SIG, O_RATIO, O_QUANTILE, O_POPULATION, O_COUNT, O_SE, O_LOWER, O_UPPER, O_VTYPE, O_TRANSFORM,
    O_REPS, O_SEED
};

int cmd_ci(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"method", required_argument, 0, O_METHOD}, {"group-by", required_argument, 0, O_GROUP},
        {"confidence", required_argument, 0, O_CONF}, {"multiplier", required_argument, 0, O_MULT},
        {"format", required_argument, 0, O_FORMAT}, {"output", required_argument, 0, 'o'},
        {"numerator", required_argument, 0, O_NUM}, {"denominator", required_argument, 0, O_DEN},
        {"value", required_argument, 0, O_VALUE}, {"stdpop", required_argument, 0, O_STDPOP},
        {"ageband", required_argument, 0, O_AGEBAND}, {"freq", required_argument, 0, O_FREQ},
        {"persons", required_argument, 0, O_PERSONS}, {"refcount", required_argument, 0, O_REFCOUNT},
        {"refpop", required_argument, 0, O_REFPOP}, {"ref", required_argument, 0, O_REF},
        {"observed", required_argument, 0, O_OBSERVED}, {"observed-col", required_argument, 0, O_OBSCOL},
        {"isr-type", required_argument, 0, O_ISRTYPE}, {"nquantiles", required_argument, 0, O_NQ},
        {"invert", required_argument, 0, O_INVERT}, {"invert-col", required_argument, 0, O_INVCOL},
        {"significance", no_argument, 0, O_SIG}, {"ratio", no_argument, 0, O_RATIO},
        {"quantile", required_argument, 0, O_QUANTILE}, {"population", required_argument, 0, O_POPULATION},
        {"count", required_argument, 0, O_COUNT}, {"se", required_argument, 0, O_SE},
        {"lower", required_argument, 0, O_LOWER}, {"upper", required_argument, 0, O_UPPER},
        {"value-type", required_argument, 0, O_VTYPE}, {"transform", no_argument, 0, O_TRANSFORM},
        {"reps", required_argument, 0, O_REPS}, {"seed", required_argument, 0, O_SEED},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    opts_t op;
    memset(&op, 0, sizeof op);
    op.conf[0] = 95;
    op.nconf = 1;
    op.nquantiles = 10;
    op.invert = 1;
    op.reps = 100000;
    op.seed = 1;
    op.format = "csv";
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
        int64_t iv;
        switch (ch) {
        case 'h': help(stdout); return EL_EXIT_OK;
        case 'o': op.output = optarg; break;
        case O_METHOD: op.method = optarg; break;
        case O_GROUP: op.group_by = optarg; break;
        case O_CONF: if (parse_conf(optarg, &op)) return usage_err("bad --confidence (0.95 or 95, up to 4, comma-separated)", optarg); break;
        case O_MULT:
            if (el_parse_double(optarg, 0, &op.multiplier) || op.multiplier == 0 || fabs(op.multiplier) > 1e15)
                return usage_err("bad --multiplier (non-zero, at most 1e15 in magnitude)", optarg);
            op.have_mult = 1;
            break;
        case O_FORMAT: op.format = optarg; break;
        case O_NUM: op.c_num = optarg; break;
        case O_DEN: op.c_den = optarg; break;
        case O_VALUE: op.c_value = optarg; break;
        case O_STDPOP: op.c_stdpop = optarg; break;
        case O_AGEBAND: op.c_ageband = optarg; break;
        case O_FREQ: op.c_freq = optarg; break;
        case O_PERSONS: op.c_persons = optarg; break;
        case O_REFCOUNT: op.c_refcount = optarg; break;
        case O_REFPOP: op.c_refpop = optarg; break;
        case O_REF: op.ref_file = optarg; break;
        case O_OBSERVED: op.observed_file = optarg; break;
        case O_OBSCOL: op.c_observed = optarg; break;
        case O_ISRTYPE:
            if (strcmp(optarg, "ratio") && strcmp(optarg, "rate")) return usage_err("--isr-type must be ratio or rate", optarg);
            op.isr_type = optarg;
            break;
        case O_NQ:
            if (el_parse_i64(optarg, 0, &iv) || iv < 2 || iv > 1000) return usage_err("--nquantiles must be 2..1000", optarg);
            op.nquantiles = (int)iv;
            break;
        case O_INVERT:
            if (!strcasecmp(optarg, "yes") || !strcasecmp(optarg, "true") || !strcmp(optarg, "1")) op.invert = 1;
            else if (!strcasecmp(optarg, "no") || !strcasecmp(optarg, "false") || !strcmp(optarg, "0")) op.invert = 0;
            else return usage_err("--invert must be yes or no", optarg);
            break;
        case O_INVCOL: op.c_invert = optarg; break;
        case O_SIG: op.significance = 1; break;
        case O_RATIO: op.ratio = 1; break;
        case O_QUANTILE: op.c_quantile = optarg; break;
        case O_POPULATION: op.c_population = optarg; break;
        case O_COUNT: op.c_count = optarg; break;
        case O_SE: op.c_se = optarg; break;
        case O_LOWER: op.c_lower = optarg; break;
        case O_UPPER: op.c_upper = optarg; break;
        case O_VTYPE:
            if (el_parse_i64(optarg, 0, &iv) || iv < 0 || iv > 2) return usage_err("--value-type must be 0, 1 or 2", optarg);
            op.value_type = (int)iv;
            break;
        case O_TRANSFORM: op.transform = 1; break;
        case O_REPS:
            if (el_parse_i64(optarg, 0, &iv) || iv < 1000 || iv > 100000000) return usage_err("--reps must be 1000..100000000", optarg);
            op.reps = (long)iv;
            break;
        case O_SEED:
            if (el_parse_i64(optarg, 0, &iv) || iv < 0) return usage_err("--seed must be a non-negative integer", optarg);
            op.seed = (unsigned long long)iv;
            break;
        default: return usage_err("unknown or incomplete option", argv[optind - 1]);
        }
    }
    static const char *const methods[] = {"proportion", "rate", "mean", "byar", "wilson", "dsr", "isr",
                                          "quantile", "funnel-prop", "funnel-rate", "sii", NULL};
    if (!op.method) return usage_err("--method is required", NULL);
    int known = 0;
    for (size_t i = 0; methods[i]; i++) known |= !strcmp(op.method, methods[i]);
    if (!known) return usage_err("unknown --method", op.method);
    if (strcmp(op.format, "csv") && strcmp(op.format, "json")) return usage_err("--format must be csv or json", op.format);
    if (optind + 1 < argc) return usage_err("more than one input file", argv[optind + 1]);
    if (op.c_freq && strcmp(op.method, "dsr")) return usage_err("--freq applies to --method dsr only", NULL);
    if (op.group_by && !strncmp(op.method, "funnel", 6)) return usage_err("--group-by is not supported for funnels", NULL);
    if (op.have_mult && op.multiplier <= 0 && strcmp(op.method, "sii"))
        return usage_err("--multiplier must be > 0 (only sii accepts a negative multiplier)", NULL);
    const char *path = optind < argc ? argv[optind] : "-";

    el_error err;
    el_error_clear(&err);
    table_t t;
    el_status s = table_load(path, &t, &err);
    if (s != EL_OK) { el_cli_print_error("ci", &err); return el_cli_exit_code(s); }
    groups_t gs;
    s = make_groups(&t, op.group_by, &gs, &err);
    FILE *dst = stdout;
    char *obuf = NULL;
    size_t olen = 0;
    out_t o;
    memset(&o, 0, sizeof o);
    o.json = !strcmp(op.format, "json");
    if (o.json) o.arr = json_array();
    if (s == EL_OK) {
        /* write to memory first: nothing reaches the output when the run fails */
        dst = open_memstream(&obuf, &olen);
        if (!dst) s = el_error_set(&err, EL_ERR_NOMEM, "out of memory");
    }
    if (s == EL_OK) {
        const char *m = op.method;
        if (!strcmp(m, "proportion") || !strcmp(m, "rate") || !strcmp(m, "byar") || !strcmp(m, "wilson"))
            s = run_simple(&op, &t, &gs, &o, dst, &err);
        else if (!strcmp(m, "mean")) s = run_mean(&op, &t, &gs, &o, dst, &err);
        else if (!strcmp(m, "dsr")) s = run_dsr(&op, &t, &gs, &o, dst, &err);
        else if (!strcmp(m, "isr")) s = run_isr(&op, &t, &gs, &o, dst, &err);
        else if (!strcmp(m, "quantile")) s = run_quantile(&op, &t, &gs, &o, dst, &err);
        else if (!strncmp(m, "funnel", 6)) s = run_funnel(&op, &t, &o, dst, &err);
        else s = run_sii(&op, &t, &gs, &o, dst, &err);
        abort_row(&o);
        if (s == EL_OK) out_finish(&o, dst);
        else {
            if (o.json) json_decref(o.arr);
            for (size_t i = 0; i < o.nnames; i++) free(o.names[i]);
            free(o.names);
        }
        fclose(dst);
    } else if (o.json) json_decref(o.arr);
    groups_free(&gs);
    table_free(&t);
    if (s != EL_OK) {
        free(obuf);
        el_cli_print_error("ci", &err);
        return el_cli_exit_code(s);
    }
    FILE *of = stdout;
    if (op.output && !(of = fopen(op.output, "w"))) {
        free(obuf);
        fprintf(stderr, "equitylens ci: error: %s: cannot write: %s\n", op.output, strerror(errno));
        return EL_EXIT_FAIL;
    }
    int bad = fwrite(obuf, 1, olen, of) != olen;
    free(obuf);
    bad |= of != stdout ? fclose(of) != 0 : fflush(of) != 0;
    if (bad) {   /* e.g. a full disk: never exit 0 with a short file */
        fprintf(stderr, "equitylens ci: error: %s: write failed: %s\n", op.output ? op.output : "standard output",
                strerror(errno));
        return EL_EXIT_FAIL;
    }
    return EL_EXIT_OK;
}
