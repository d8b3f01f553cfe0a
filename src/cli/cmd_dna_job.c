/* cmd_dna_job.c — `equitylens dna-job`: DNA rates by IMD quintile, ethnic
 * broad group and their cross, straight from an appointments CSV, fast
 * (engine: include/equitylens/dnajob.h; documentation: docs/dna-job.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "equitylens/ci.h"
#include "equitylens/cli.h"
#include "equitylens/disclosure.h"
#include "equitylens/dnajob.h"
#include "equitylens/refdata.h"

static void help(FILE *f)
{
    fprintf(f,
"usage: equitylens dna-job [options] FILE\n"
"\n"
"DNA (did-not-attend) rates from an appointments extract, read straight from\n"
"the CSV FILE ('-' = standard input) with several threads: by IMD 2019\n"
"quintile, by ethnic broad group, and by their cross.\n"
"  appointment kept  attended_or_did_not_attend = 5, 6, 3 or 7\n"
"  DNA               3 or 7        (0, 2, 4, 9: excluded; anything else: rejected)\n"
"  IMD quintile      (decile + 1) / 2 of the lsoa11 code; missing or not found = unknown\n"
"  ethnic group      A-C White, D-G Mixed, H-L Asian, M-P Black, R-S Other,\n"
"                    Z not stated, 99 or blank not known, anything else invalid\n"
"Rows read = counted + excluded + rejected is printed; rejected rows are\n"
"listed (first %d) with their line and reason; exit status 3 if any.\n"
"\n"
"options:\n"
"  --imd FILE            LSOA 2011 -> IMD 2019 decile file (default:\n"
"                        <data dir>/imd/iod2019_file1_imd_lsoa11.csv; the data dir\n"
"                        is $EQUITYLENS_DATA or the data/ folder beside the program)\n"
"  --imd-code-col NAME   its LSOA code column (default: LSOA code (2011), lsoa11_code, ...)\n"
"  --imd-decile-col NAME its decile column (default: Index of Multiple Deprivation (IMD) Decile, imd_decile, ...)\n"
"  --attended-col NAME   attendance column (default attended_or_did_not_attend)\n"
"  --ethnic-col NAME     ethnic category column (default ethnic_category)\n"
"  --lsoa-col NAME       LSOA 2011 column (default lsoa11)\n"
"  --threads N           reader threads (default 2; 1 = sequential)\n"
"  --format F            text (default), csv or json\n"
"  --out FILE            write there instead of standard output\n"
"  --ci                  add Wilson score 95%% limits of each DNA rate\n"
"  --policy SPEC         disclosure policy, e.g. suppress=1-9,round=10 (keys:\n"
"                        suppress=MIN-MAX|off, round=N, secondary=on|off, decimals=N, mask=TEXT)\n"
"  --no-suppress         raw, exact counts with no disclosure control: UNSAFE TO\n"
"                        PUBLISH; only for checking results against other tools\n"
"                        (bench/run.sh). Every output says so.\n"
"  --quiet               no row accounting on standard error (csv/json)\n"
"  -h, --help            this help\n", EL_DNAJOB_MAX_SAMPLES);
}

static const char *const UNSAFE =
    "UNSAFE TO PUBLISH: raw counts without disclosure control (--no-suppress), for verification only";

typedef struct {
    const char *lens, *q, *g;
    int64_t dna, app;               /* true counts */
    el_dc_state sdna, sapp;         /* states */
    int64_t pdna, papp;             /* published counts (or true when raw) */
} line_t;

typedef struct {
    line_t *v;
    size_t n;
} lines_t;

/* Build the output lines: total, by quintile, by group, cross. With a policy
 * the two tables (DNAs, appointments) each pass disclosure control. */
static el_status build(const el_dnajob_result *r, const el_disclosure_policy *pol, int raw, lines_t *out,
                       el_error *err)
{
    const size_t NQ = EL_DNAJOB_NQ, NG = EL_ETH__COUNT;
    el_dc_table *td = NULL, *ta = NULL;
    if (!raw) {
        td = el_dc_table_new(NQ, NG, 1, 1);
        ta = el_dc_table_new(NQ, NG, 1, 1);
        if (!td || !ta) { el_dc_table_free(td); el_dc_table_free(ta); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        for (size_t q = 0; q < NQ; q++)
            for (size_t g = 0; g < NG; g++) {
                el_dc_table_set(td, q, g, (int64_t)r->dna[q][g]);
                el_dc_table_set(ta, q, g, (int64_t)r->appointments[q][g]);
            }
        el_status st = el_dc_table_protect(td, pol, err);
        if (st == EL_OK) st = el_dc_table_protect(ta, pol, err);
        if (st != EL_OK) { el_dc_table_free(td); el_dc_table_free(ta); return st; }
    }
    out->v = calloc(1 + NQ + NG + NQ * NG, sizeof *out->v);
    if (!out->v) { el_dc_table_free(td); el_dc_table_free(ta); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    out->n = 0;
    /* (row, col) in table coordinates: row == NQ is the column-total line,
     * col == NG the row-total column */
    for (int part = 0; part < 4; part++) {
        size_t qa = 0, qb = 0, ga = 0, gb = 0;
        const char *lens = "";
        switch (part) {
        case 0: lens = "total"; qa = NQ; qb = NQ + 1; ga = NG; gb = NG + 1; break;
        case 1: lens = "imd_quintile"; qa = 0; qb = NQ; ga = NG; gb = NG + 1; break;
        case 2: lens = "ethnic_group"; qa = NQ; qb = NQ + 1; ga = 0; gb = NG; break;
        default: lens = "imd_quintile_x_ethnic_group"; qa = 0; qb = NQ; ga = 0; gb = NG; break;
        }
        for (size_t q = qa; q < qb; q++)
            for (size_t g = ga; g < gb; g++) {
                line_t *l = &out->v[out->n++];
                l->lens = lens;
                l->q = q == NQ ? "all" : el_dnajob_quintile_id((int)q);
                l->g = g == NG ? "all" : el_eth_group_id((el_eth_group)g);
                int64_t d = 0, a = 0;
                for (size_t qq = (q == NQ ? 0 : q); qq < (q == NQ ? NQ : q + 1); qq++)
                    for (size_t gg = (g == NG ? 0 : g); gg < (g == NG ? NG : g + 1); gg++) {
                        d += (int64_t)r->dna[qq][gg];
                        a += (int64_t)r->appointments[qq][gg];
                    }
                l->dna = d;
                l->app = a;
                if (raw) {
                    l->sdna = l->sapp = EL_DC_SHOWN;
                    l->pdna = d;
                    l->papp = a;
                } else {
                    l->sdna = el_dc_table_state(td, q, g);
                    l->sapp = el_dc_table_state(ta, q, g);
                    l->pdna = el_dc_table_published(td, q, g);
                    l->papp = el_dc_table_published(ta, q, g);
                }
            }
    }
    el_dc_table_free(td);
    el_dc_table_free(ta);
    return EL_OK;
}

/* Rate and limits as percentages; 0 if not publishable or undefined. */
static int rate_of(const line_t *l, int raw, const el_disclosure_policy *pol, int want_ci,
                   double *rate, double *lo, double *hi)
{
    if (l->app <= 0) return 0;
    if (!raw && !el_dc_publishable(l->sdna, l->sapp)) return 0;
    *rate = 100.0 * (double)l->dna / (double)l->app;
    *lo = *hi = 0;
    if (want_ci) {
        if (el_wilson((double)l->dna, (double)l->app, 0.95, lo, hi, NULL) != EL_OK) return 0;
        *lo *= 100.0;
        *hi *= 100.0;
    }
    if (!raw) {
        *rate = el_disclosure_round_value(pol, *rate);
        *lo = el_disclosure_round_value(pol, *lo);
        *hi = el_disclosure_round_value(pol, *hi);
    }
    return 1;
}

static void fmt_count(char *buf, size_t cap, int64_t v, el_dc_state s, const el_disclosure_policy *pol)
{
    if (s != EL_DC_SHOWN || v < 0) snprintf(buf, cap, "%s", pol->mask);
    else snprintf(buf, cap, "%" PRId64, v);
}

static void fmt_val(char *buf, size_t cap, int ok, double v, int raw, const el_disclosure_policy *pol)
{
    if (!ok) snprintf(buf, cap, "%s", raw ? "" : pol->mask);
    else snprintf(buf, cap, "%.*f", raw ? 6 : pol->value_decimals, v);
}

static const char *sup_name(el_dc_state s)
{
    return s == EL_DC_PRIMARY ? "primary" : s == EL_DC_SECONDARY ? "secondary" : NULL;
}

/* The printed cells of one line: counts (masked when suppressed), rate and
 * its limits (masked, or empty when raw, when there is no rate). Returns
 * rate_of's answer: 1 when the line has a rate. */
typedef struct { char d[32], a[32], r[32], lo[32], hi[32]; } cells_t;

static int fmt_cells(const line_t *l, int raw, const el_disclosure_policy *pol, int want_ci, cells_t *c)
{
    double rv, lv, hv;
    int ok = rate_of(l, raw, pol, want_ci, &rv, &lv, &hv);
    fmt_count(c->d, sizeof c->d, l->pdna, l->sdna, pol);
    fmt_count(c->a, sizeof c->a, l->papp, l->sapp, pol);
    fmt_val(c->r, sizeof c->r, ok, rv, raw, pol);
    fmt_val(c->lo, sizeof c->lo, ok, lv, raw, pol);
    fmt_val(c->hi, sizeof c->hi, ok, hv, raw, pol);
    return ok;
}

static void write_csv(FILE *f, const lines_t *L, int raw, const el_disclosure_policy *pol, int want_ci,
                      const char *policy_line)
{
    fprintf(f, "# %s\n", policy_line);
    fprintf(f, "lens,imd_quintile,ethnic_group,dna,appointments,dna_rate_pct%s\n",
            want_ci ? ",ci_lower_pct,ci_upper_pct" : "");
    for (size_t i = 0; i < L->n; i++) {
        const line_t *l = &L->v[i];
        cells_t c;
        fmt_cells(l, raw, pol, want_ci, &c);
        if (l->app <= 0 && l->sapp == EL_DC_SHOWN) c.r[0] = c.lo[0] = c.hi[0] = 0; /* no appointments: no rate */
        fprintf(f, "%s,%s,%s,%s,%s,%s", l->lens, l->q, l->g, c.d, c.a, c.r);
        if (want_ci) fprintf(f, ",%s,%s", c.lo, c.hi);
        fputc('\n', f);
    }
}

static json_t *jcount(int64_t v, el_dc_state s)
{
    return s == EL_DC_SHOWN && v >= 0 ? json_integer(v) : json_null();
}

/* Accounting counts are aggregates too: without --no-suppress each one
 * passes el_disclosure_count (small counts masked, others rounded). */
static json_t *jacc(uint64_t v, int raw, const el_disclosure_policy *pol)
{
    if (raw) return json_integer((json_int_t)v);
    int64_t pub;
    if (el_disclosure_count(pol, (int64_t)v, &pub) != EL_DC_SHOWN) return json_null();
    return json_integer((json_int_t)pub);
}

static json_t *accounting_json(const el_dnajob_result *r, const char *input, int raw, const el_disclosure_policy *pol)
{
    json_t *o = json_object();
    json_object_set_new(o, "read", jacc(r->rows_read, raw, pol));
    json_object_set_new(o, "counted", jacc(r->rows_counted, raw, pol));
    json_object_set_new(o, "excluded", jacc(r->rows_excluded, raw, pol));
    json_object_set_new(o, "rejected", jacc(r->rows_rejected, raw, pol));
    json_object_set_new(o, "blank_lines", jacc(r->blank_lines, raw, pol));
    json_object_set_new(o, "lsoa_missing", jacc(r->lsoa_missing, raw, pol));
    json_object_set_new(o, "lsoa_unmatched", jacc(r->lsoa_unmatched, raw, pol));
    json_t *ex = json_object();
    for (int k = 0; k < 10; k++)
        if (r->excluded_by_code[k]) {
            char key[4];
            snprintf(key, sizeof key, "%d", k);
            json_object_set_new(ex, key, jacc(r->excluded_by_code[k], raw, pol));
        }
    json_object_set_new(o, "excluded_by_code", ex);
    json_t *rj = json_object();
    static const char *const keys[EL_DNAJOB_REJ__COUNT] = {"invalid_code", "field_count", "malformed_quoting", "unterminated_quote"};
    for (int k = 0; k < EL_DNAJOB_REJ__COUNT; k++)
        json_object_set_new(rj, keys[k], jacc(r->rejected_by_reason[k], raw, pol));
    json_object_set_new(o, "rejected_by_reason", rj);
    json_t *s = json_array();
    for (size_t k = 0; k < r->nsamples; k++) {
        json_t *e = json_object();
        json_object_set_new(e, "file", json_string(input));
        json_object_set_new(e, "line", json_integer((json_int_t)r->samples[k].line));
        json_object_set_new(e, "reason", json_string(el_dnajob_reject_str(r->samples[k].reason)));
        json_array_append_new(s, e);
    }
    json_object_set_new(o, "first_rejects", s);
    return o;
}

static int write_json(FILE *f, const lines_t *L, const el_dnajob_result *res, int raw,
                      const el_disclosure_policy *pol, int want_ci, const char *policy_line,
                      const char *input, const char *imd)
{
    json_t *root = json_object();
    json_object_set_new(root, "job", json_string("dna-job"));
    json_object_set_new(root, "input", json_string(input));
    json_object_set_new(root, "imd_file", json_string(imd));
    json_object_set_new(root, "policy", json_string(policy_line));
    json_object_set_new(root, "raw_counts_unsafe_to_publish", json_boolean(raw));
    json_t *def = json_object();
    json_object_set_new(def, "appointments", json_string("attended_or_did_not_attend in 5, 6, 3, 7"));
    json_object_set_new(def, "dna", json_string("attended_or_did_not_attend in 3, 7"));
    json_object_set_new(def, "imd_quintile", json_string("(IMD 2019 decile of lsoa11 + 1) / 2; unknown if missing or not found"));
    json_object_set_new(def, "ethnic_group", json_string("A-C white, D-G mixed, H-L asian, M-P black, R-S other, Z not_stated, 99 or blank not_known, else invalid"));
    json_object_set_new(root, "definition", def);
    json_object_set_new(root, "rows", accounting_json(res, input, raw, pol));
    json_t *rd = json_object();
    json_object_set_new(rd, "threads", json_integer(res->threads_used));
    json_object_set_new(rd, "sequential_fallback", json_boolean(res->sequential_fallback));
    json_object_set_new(rd, "bytes", json_integer((json_int_t)res->bytes));
    json_object_set_new(root, "reader", rd);
    json_t *arr = json_array();
    for (size_t i = 0; i < L->n; i++) {
        const line_t *l = &L->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "lens", json_string(l->lens));
        json_object_set_new(o, "imd_quintile", json_string(l->q));
        json_object_set_new(o, "ethnic_group", json_string(l->g));
        json_object_set_new(o, "dna", jcount(l->pdna, l->sdna));
        json_object_set_new(o, "appointments", jcount(l->papp, l->sapp));
        el_dc_state worst = l->sdna > l->sapp ? l->sdna : l->sapp;
        const char *sn = sup_name(worst);
        json_object_set_new(o, "suppressed", sn ? json_string(sn) : json_null());
        double rv, lv, hv;
        int ok = rate_of(l, raw, pol, want_ci, &rv, &lv, &hv);
        json_t *rate = json_object();
        json_object_set_new(rate, "unit", json_string("%"));
        json_object_set_new(rate, "value", ok ? json_real(rv) : json_null());
        if (want_ci) {
            json_object_set_new(rate, "lower", ok ? json_real(lv) : json_null());
            json_object_set_new(rate, "upper", ok ? json_real(hv) : json_null());
            json_object_set_new(rate, "method", json_string("wilson"));
        }
        if (!ok) json_object_set_new(rate, "note", json_string(l->app <= 0 ? "no appointments" : "suppressed"));
        json_object_set_new(o, "dna_rate", rate);
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "groups", arr);
    int rc = json_dumpf(root, f, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    fputc('\n', f);
    json_decref(root);
    return rc;
}

static void thousands(char *buf, size_t cap, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%" PRIu64, v);
    size_t n = strlen(t), o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = t[i];
    }
    buf[o] = 0;
}

static void acc_str(char *buf, size_t cap, uint64_t v, int raw, const el_disclosure_policy *pol)
{
    int64_t pub = (int64_t)v;
    if (!raw && el_disclosure_count(pol, (int64_t)v, &pub) != EL_DC_SHOWN) {
        snprintf(buf, cap, "%s", pol->mask);
        return;
    }
    thousands(buf, cap, (uint64_t)pub);
}

static void write_accounting(FILE *f, const el_dnajob_result *r, const char *input, int raw,
                             const el_disclosure_policy *pol)
{
    char a[32], b[32], c[32], d[32];
    acc_str(a, sizeof a, r->rows_read, raw, pol);
    acc_str(b, sizeof b, r->rows_counted, raw, pol);
    acc_str(c, sizeof c, r->rows_excluded, raw, pol);
    acc_str(d, sizeof d, r->rows_rejected, raw, pol);
    fprintf(f, "rows read %s = counted %s + excluded %s + rejected %s%s", a, b, c, d,
            raw ? "" : " (counts under disclosure control)");
    if (r->blank_lines) {
        acc_str(a, sizeof a, r->blank_lines, raw, pol);
        fprintf(f, "; blank lines skipped: %s", a);
    }
    fputc('\n', f);
    fprintf(f, "  excluded by attended code:");
    int any = 0;
    for (int k = 0; k < 10; k++)
        if (r->excluded_by_code[k]) {
            acc_str(a, sizeof a, r->excluded_by_code[k], raw, pol);
            fprintf(f, " %d: %s", k, a);
            any = 1;
        }
    fprintf(f, "%s\n", any ? "" : " none");
    for (int k = 0; k < EL_DNAJOB_REJ__COUNT; k++)
        if (r->rejected_by_reason[k]) {
            acc_str(a, sizeof a, r->rejected_by_reason[k], raw, pol);
            fprintf(f, "  rejected (%s): %s\n", el_dnajob_reject_str((el_dnajob_reject_reason)k), a);
        }
    acc_str(a, sizeof a, r->lsoa_missing, raw, pol);
    acc_str(b, sizeof b, r->lsoa_unmatched, raw, pol);
    fprintf(f, "  LSOA missing: %s, not in the IMD file: %s (both counted as quintile unknown)\n", a, b);
    for (size_t k = 0; k < r->nsamples; k++)
        fprintf(f, "  %s:%" PRIu64 ": rejected: %s\n", input, r->samples[k].line, el_dnajob_reject_str(r->samples[k].reason));
    if (r->rows_rejected > r->nsamples) fprintf(f, "  (first %zu rejected rows listed)\n", r->nsamples);
}

static void write_text(FILE *f, const lines_t *L, const el_dnajob_result *res, int raw,
                       const el_disclosure_policy *pol, int want_ci, const char *policy_line,
                       const char *input, const char *imd)
{
    fprintf(f, "DNA rates from %s (IMD 2019 deciles: %s)\n%s\n", input, imd, policy_line);
    write_accounting(f, res, input, raw, pol);
    const char *title = "";
    for (size_t i = 0; i < L->n; i++) {
        const line_t *l = &L->v[i];
        if (strcmp(title, l->lens)) {
            title = l->lens;
            fprintf(f, "\n%s\n", !strcmp(title, "total") ? "All appointments"
                                 : !strcmp(title, "imd_quintile") ? "By IMD quintile (1 = most deprived)"
                                 : !strcmp(title, "ethnic_group") ? "By ethnic broad group"
                                 : "By IMD quintile x ethnic broad group");
            fprintf(f, "  %-8s %-11s %12s %14s %10s%s\n", "quintile", "group", "DNAs", "appointments", "DNA rate %",
                    want_ci ? "   95% CI (Wilson)" : "");
        }
        cells_t c;
        int ok = fmt_cells(l, raw, pol, want_ci, &c);
        if (!ok && (raw || (l->app <= 0 && l->sapp == EL_DC_SHOWN))) snprintf(c.r, sizeof c.r, "-");
        fprintf(f, "  %-8s %-11s %12s %14s %10s", l->q, l->g, c.d, c.a, c.r);
        if (want_ci && ok) fprintf(f, "   %s to %s", c.lo, c.hi);
        fputc('\n', f);
    }
    if (raw) fprintf(f, "\n%s\n", UNSAFE);
}

int cmd_dna_job(int argc, char **argv)
{
    enum { O_IMD = 256, O_IMD_CODE, O_IMD_DEC, O_ATT, O_ETH, O_LSOA, O_THREADS, O_FORMAT, O_OUT, O_CI, O_POLICY,
           O_NOSUP, O_QUIET };
    static const struct option lo[] = {
        {"imd", required_argument, 0, O_IMD}, {"imd-code-col", required_argument, 0, O_IMD_CODE},
        {"imd-decile-col", required_argument, 0, O_IMD_DEC}, {"attended-col", required_argument, 0, O_ATT},
        {"ethnic-col", required_argument, 0, O_ETH}, {"lsoa-col", required_argument, 0, O_LSOA},
        {"threads", required_argument, 0, O_THREADS}, {"format", required_argument, 0, O_FORMAT},
        {"out", required_argument, 0, O_OUT}, {"ci", no_argument, 0, O_CI},
        {"policy", required_argument, 0, O_POLICY}, {"no-suppress", no_argument, 0, O_NOSUP},
        {"quiet", no_argument, 0, O_QUIET}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *cmd = argv[0];
    const char *imd = NULL, *imd_code = NULL, *imd_dec = NULL, *format = "text", *out = NULL, *policy = NULL;
    int want_ci = 0, raw = 0, quiet = 0;
    el_dnajob_opts o;
    el_dnajob_opts_default(&o);
    optind = 1;
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'h': help(stdout); return EL_EXIT_OK;
        case O_IMD: imd = optarg; break;
        case O_IMD_CODE: imd_code = optarg; break;
        case O_IMD_DEC: imd_dec = optarg; break;
        case O_ATT: o.attended_col = optarg; break;
        case O_ETH: o.ethnic_col = optarg; break;
        case O_LSOA: o.lsoa_col = optarg; break;
        case O_THREADS: {
            char *end;
            long t = strtol(optarg, &end, 10);
            if (*end || t < 1 || t > 64) { fprintf(stderr, "equitylens %s: --threads must be 1..64\n", cmd); return EL_EXIT_USAGE; }
            o.threads = (int)t;
            break;
        }
        case O_FORMAT: format = optarg; break;
        case O_OUT: out = optarg; break;
        case O_CI: want_ci = 1; break;
        case O_POLICY: policy = optarg; break;
        case O_NOSUP: raw = 1; break;
        case O_QUIET: quiet = 1; break;
        default: help(stderr); return EL_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "equitylens %s: give exactly one input FILE (see --help)\n", cmd);
        return EL_EXIT_USAGE;
    }
    if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json")) {
        fprintf(stderr, "equitylens %s: --format must be text, csv or json\n", cmd);
        return EL_EXIT_USAGE;
    }
    if (raw && policy) {
        fprintf(stderr, "equitylens %s: --policy and --no-suppress cannot be combined\n", cmd);
        return EL_EXIT_USAGE;
    }
    const char *input = argv[optind];
    el_error err;
    el_error_clear(&err);
    el_disclosure_policy pol;
    el_disclosure_policy_default(&pol);
    if (policy && el_disclosure_policy_parse(&pol, policy, &err) != EL_OK) {
        el_cli_print_error(cmd, &err);
        return EL_EXIT_USAGE;
    }
    char policy_line[512];
    if (raw) snprintf(policy_line, sizeof policy_line, "%s", UNSAFE);
    else el_disclosure_policy_describe(&pol, policy_line, sizeof policy_line);

    char imd_path[4096];
    if (!imd) {
        char dir[4000];
        if (el_refdata_default_dir(dir, sizeof dir, &err) != EL_OK) {
            el_cli_print_error(cmd, &err);
            fprintf(stderr, "equitylens %s: give the IMD file with --imd FILE\n", cmd);
            return EL_EXIT_FAIL;
        }
        snprintf(imd_path, sizeof imd_path, "%s/imd/iod2019_file1_imd_lsoa11.csv", dir);
        imd = imd_path;
    }
    el_lsoa_imd *t = NULL;
    if (el_lsoa_imd_load(imd, imd_code, imd_dec, &t, &err) != EL_OK) {
        el_cli_print_error(cmd, &err);
        return el_cli_exit_code(err.status);
    }
    el_dnajob_result *res = malloc(sizeof *res);
    if (!res) { el_lsoa_imd_free(t); fprintf(stderr, "equitylens %s: out of memory\n", cmd); return EL_EXIT_FAIL; }
    el_status st = el_dnajob_run_file(input, t, &o, res, &err);
    el_lsoa_imd_free(t);
    if (st != EL_OK) {
        el_cli_print_error(cmd, &err);
        free(res);
        return el_cli_exit_code(st);
    }
    lines_t L = {0};
    if ((st = build(res, &pol, raw, &L, &err)) != EL_OK) {
        el_cli_print_error(cmd, &err);
        free(res);
        return el_cli_exit_code(st);
    }
    FILE *f = stdout;
    if (out && !(f = fopen(out, "w"))) {
        fprintf(stderr, "equitylens %s: cannot write %s: %s\n", cmd, out, strerror(errno));
        free(L.v);
        free(res);
        return EL_EXIT_FAIL;
    }
    int wrc = 0;
    errno = 0;
    if (!strcmp(format, "csv")) write_csv(f, &L, raw, &pol, want_ci, policy_line);
    else if (!strcmp(format, "json")) wrc = write_json(f, &L, res, raw, &pol, want_ci, policy_line, input, imd);
    else write_text(f, &L, res, raw, &pol, want_ci, policy_line, input, imd);
    if (strcmp(format, "text") && !quiet) {
        write_accounting(stderr, res, input, raw, &pol);
        if (raw) fprintf(stderr, "%s\n", UNSAFE);
    }
    int bad = ferror(f) || wrc != 0, eno = errno;
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) { bad = 1; eno = errno; }
    int rc = bad ? EL_EXIT_FAIL : res->rows_rejected ? EL_EXIT_PARTIAL : EL_EXIT_OK;
    if (bad)
        fprintf(stderr, "equitylens %s: writing %s failed%s%s\n", cmd, out ? out : "the output",
                eno ? ": " : "", eno ? strerror(eno) : "");
    free(L.v);
    free(res);
    return rc;
}
