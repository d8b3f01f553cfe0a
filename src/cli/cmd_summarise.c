/* cmd_summarise.c — `equitylens summarise`: WHO summary measures of
 * inequality (HEAT / healthequal) for every indicator × dimension block of a
 * disaggregated-data CSV (owner: "who"). Methods: docs/methods/who.md. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/cli.h"
#include "equitylens/csv.h"
#include "equitylens/heat.h"
#include "equitylens/inequality.h"
#include "equitylens/parse.h"

#define MAXCOL 32

static void usage(FILE *f)
{
    fprintf(f,
        "usage: equitylens summarise [options] [FILE]\n"
        "\n"
        "WHO summary measures of health inequality (HEAT / healthequal 1.0.1) for every\n"
        "setting x date x source x indicator x dimension block of FILE (CSV, '-' or no FILE =\n"
        "standard input), one row per population subgroup. Columns (HEAT Plus / healthequal\n"
        "names, case-insensitive): indicator, dimension, subgroup, subgroup_order, estimate,\n"
        "se, population, favourable_indicator, ordered_dimension, indicator_scale,\n"
        "reference_subgroup, setting_average; optional setting, date, source. Aliases: est,\n"
        "pop, scaleval, row (subgroup), year (date), indicator_abbr/indicator_name.\n"
        "Required: estimate, favourable_indicator, ordered_dimension.\n"
        "\n"
        "Measures: d r aci rci sii rii paf par bgv bgsd cov mdmu mdmw mdbu mdbw mdru mdrw\n"
        "idisu idisw ti mld. ACI, RCI, SII, RII apply to ordered dimensions; BGV ... MLD to\n"
        "non-ordered ones; D, R, PAF, PAR to both.\n"
        "\n"
        "options:\n"
        "  --format csv|json      output format (default csv)\n"
        "  -o, --output FILE      write to FILE instead of standard output\n"
        "  --measures LIST        comma-separated measures, or 'all' (default all). Measures\n"
        "                         named here are reported even where they do not apply\n"
        "                         (with a note); with the default, only applicable ones.\n"
        "  --seed N               seed of the simulated limits (GSL mt19937; default 123456)\n"
        "  --reps N               simulations per block (default %d; healthequal uses 100)\n"
        "  --conf LEVEL           confidence level, 0.95 or 95 (default 0.95)\n"
        "  --sii-method M         logistic (default), linear, or healthequal (reproduces\n"
        "                         healthequal 1.0.1's doubly population-weighted fit)\n"
        "  --average A            population (default): the mean is the population-weighted\n"
        "                         mean of the subgroups; setting: use setting_average where\n"
        "                         given for PAF, PAR, MDMU, MDMW, IDISU, IDISW\n"
        "  --col NAME=COLUMN      read field NAME from column COLUMN (repeatable)\n"
        "  --strict               fail (exit 1) if any measure or limit cannot be computed\n"
        "  -h, --help             this help\n"
        "\n"
        "Output: one row per block and measure: [setting,date,source,]indicator,dimension,\n"
        "measure,estimate,se,lower,upper,ci_method,subgroups,note. Numbers are printed\n"
        "with 17 significant digits; empty = not available (the note says why). For R and\n"
        "RII, se is the SE of the natural log; simulated limits have no se.\n"
        "Exit status: 0 ok, 1 bad input or --strict failure, 2 usage.\n",
        EL_INEQ_DEFAULT_REPS);
}

static const char *ci_name(el_ineq_ci_method m)
{
    switch (m) {
    case EL_INEQ_CI_NORMAL: return "normal";
    case EL_INEQ_CI_NORMAL_LOG: return "normal-log";
    case EL_INEQ_CI_SIMULATION: return "simulation";
    case EL_INEQ_CI_NONE: break;
    }
    return "";
}

static void fmt_num(double v, char *buf, size_t cap)
{
    if (isnan(v)) buf[0] = 0;
    else if (v == 0) snprintf(buf, cap, "0");
    else snprintf(buf, cap, "%.17g", v);
}

static json_t *jnum(double v)
{
    if (!isfinite(v)) return json_null();
    return json_real(v == 0 ? 0.0 : v);
}

static void block_desc(const el_heat_data *d, size_t b, char *buf, size_t cap)
{
    static const el_heat_field keys[] = {EL_HEAT_SETTING, EL_HEAT_DATE, EL_HEAT_SOURCE,
                                         EL_HEAT_INDICATOR, EL_HEAT_DIMENSION};
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (!el_heat_has_field(d, keys[k])) continue;
        int w = snprintf(buf + len, cap - len, "%s%s '%.60s'", len ? ", " : "",
                         el_heat_field_name(keys[k]), el_heat_block_key(d, b, keys[k]));
        if (w < 0 || (size_t)w >= cap - len) break;
        len += (size_t)w;
    }
    if (!len) snprintf(buf, cap, "the block");
}

/* Write the finished output to FILE (NULL or "-": standard output); on
 * failure say why (strerror) and return exit status 1. */
static int write_output(const char *outpath, const char *buf, size_t len)
{
    int to_stdout = !outpath || !strcmp(outpath, "-");
    const char *name = to_stdout ? "standard output" : outpath;
    FILE *f = to_stdout ? stdout : fopen(outpath, "w");
    if (!f) {
        fprintf(stderr, "equitylens summarise: error: %s: cannot write: %s\n", name, strerror(errno));
        return EL_EXIT_FAIL;
    }
    errno = 0;
    int bad = fwrite(buf, 1, len, f) != len, eno = errno;
    if (to_stdout ? fflush(f) != 0 : fclose(f) != 0) { bad = 1; if (!eno) eno = errno; }
    if (!bad) return EL_EXIT_OK;
    fprintf(stderr, "equitylens summarise: error: %s: write failed%s%s\n", name, eno ? ": " : "", eno ? strerror(eno) : "");
    return EL_EXIT_FAIL;
}

int cmd_summarise(int argc, char **argv)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"measures", required_argument, NULL, 'm'}, {"seed", required_argument, NULL, 's'},
        {"reps", required_argument, NULL, 'r'}, {"conf", required_argument, NULL, 'c'},
        {"sii-method", required_argument, NULL, 'S'}, {"average", required_argument, NULL, 'A'},
        {"col", required_argument, NULL, 'C'}, {"strict", no_argument, NULL, 'X'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    el_ineq_opts o;
    el_ineq_opts_default(&o);
    const char *format = "csv", *outpath = NULL, *measures = NULL;
    char *mname[MAXCOL], *mcol[MAXCOL];
    size_t nmap = 0;
    int strict = 0, ch, rc = EL_EXIT_OK;
    el_error err;
    el_error_clear(&err);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        int64_t iv;
        double dv;
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "csv") && strcmp(optarg, "json")) {
                fprintf(stderr, "equitylens summarise: --format must be csv or json\n");
                return EL_EXIT_USAGE;
            }
            format = optarg;
            break;
        case 'o': outpath = optarg; break;
        case 'm': measures = optarg; break;
        case 's':
            if (el_parse_i64(optarg, 0, &iv) != 0 || iv < 0 || iv > 4294967295LL) {
                fprintf(stderr, "equitylens summarise: --seed must be an integer 0..4294967295\n");
                return EL_EXIT_USAGE;
            }
            o.seed = (uint64_t)iv;
            break;
        case 'r':
            if (el_parse_i64(optarg, 0, &iv) != 0 || iv < 10 || iv > 10000000) {
                fprintf(stderr, "equitylens summarise: --reps must be an integer 10..10000000\n");
                return EL_EXIT_USAGE;
            }
            o.reps = (int)iv;
            break;
        case 'c':
            if (el_parse_double(optarg, 0, &dv) != 0) {
                fprintf(stderr, "equitylens summarise: --conf must be a number such as 0.95 or 95\n");
                return EL_EXIT_USAGE;
            }
            o.conf_level = dv;
            break;
        case 'S':
            if (!strcmp(optarg, "logistic")) o.sii_method = EL_SII_LOGISTIC;
            else if (!strcmp(optarg, "linear")) o.sii_method = EL_SII_LINEAR;
            else if (!strcmp(optarg, "healthequal")) o.sii_method = EL_SII_HEALTHEQUAL;
            else {
                fprintf(stderr, "equitylens summarise: --sii-method must be logistic, linear or healthequal\n");
                return EL_EXIT_USAGE;
            }
            break;
        case 'A':
            if (!strcmp(optarg, "population")) o.average = EL_AVG_POPULATION;
            else if (!strcmp(optarg, "setting")) o.average = EL_AVG_SETTING;
            else {
                fprintf(stderr, "equitylens summarise: --average must be population or setting\n");
                return EL_EXIT_USAGE;
            }
            break;
        case 'C': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1] || nmap >= MAXCOL) {
                fprintf(stderr, "equitylens summarise: --col takes NAME=COLUMN (at most %d)\n", MAXCOL);
                return EL_EXIT_USAGE;
            }
            *eq = 0;
            mname[nmap] = optarg;
            mcol[nmap] = eq + 1;
            nmap++;
            break;
        }
        case 'X': strict = 1; break;
        case 'h': usage(stdout); return EL_EXIT_OK;
        default: usage(stderr); return EL_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "equitylens summarise: one input file at most\n");
        return EL_EXIT_USAGE;
    }
    const char *in = optind < argc ? argv[optind] : "-";
    uint32_t mask = EL_INEQ_ALL;
    int explicit_measures = measures != NULL;
    if (measures && el_ineq_measures_parse(measures, &mask, &err) != EL_OK) {
        fprintf(stderr, "equitylens summarise: --measures: %s\n", err.msg);
        return EL_EXIT_USAGE;
    }
    el_ineq_ctx *ctx = el_ineq_ctx_new(&o, &err);
    if (!ctx) {
        fprintf(stderr, "equitylens summarise: %s\n", err.msg);
        return err.status == EL_ERR_NOMEM ? EL_EXIT_FAIL : EL_EXIT_USAGE;
    }
    el_csv *csv = el_csv_open(in, NULL, &err);
    if (!csv) {
        el_cli_print_error("summarise", &err);
        el_ineq_ctx_free(ctx);
        return el_cli_exit_code(err.status ? err.status : EL_ERR_IO);
    }
    el_heat_data *d = NULL;
    el_status st = el_heat_read(csv, (const char *const *)mname, (const char *const *)mcol, nmap, &d, &err);
    el_csv_close(csv);
    if (st != EL_OK) {
        el_cli_print_error("summarise", &err);
        el_ineq_ctx_free(ctx);
        return el_cli_exit_code(st);
    }
    /* the output is built in memory and written only when everything
     * succeeded: a data error leaves no partial output behind */
    char *obuf = NULL;
    size_t olen = 0;
    FILE *out = open_memstream(&obuf, &olen);
    if (!out) {
        fprintf(stderr, "equitylens summarise: error: out of memory\n");
        el_heat_free(d);
        el_ineq_ctx_free(ctx);
        return EL_EXIT_FAIL;
    }
    static const el_heat_field keys[] = {EL_HEAT_SETTING, EL_HEAT_DATE, EL_HEAT_SOURCE};
    int json = !strcmp(format, "json");
    if (json) fputs("{\"results\":[", out);
    else {
        for (size_t k = 0; k < 3; k++)
            if (el_heat_has_field(d, keys[k])) fprintf(out, "%s,", el_heat_field_name(keys[k]));
        fputs("indicator,dimension,measure,estimate,se,lower,upper,ci_method,subgroups,note\n", out);
    }
    size_t nout = 0;
    el_ineq_result res[EL_INEQ_COUNT];
    for (size_t b = 0; b < el_heat_nblocks(d) && rc == EL_EXIT_OK; b++) {
        size_t n;
        const el_ineq_subgroup *rows = el_heat_block_rows(d, b, &n);
        st = el_ineq_compute(ctx, el_heat_block(d, b), rows, n, mask, res, &err);
        if (st != EL_OK) {
            char desc[400], msg[sizeof err.msg];
            block_desc(d, b, desc, sizeof desc);
            snprintf(msg, sizeof msg, "%s: %s", desc, err.msg);
            snprintf(err.msg, sizeof err.msg, "%s", msg);
            snprintf(err.file, sizeof err.file, "%s", strcmp(in, "-") ? in : "<stdin>");
            el_cli_print_error("summarise", &err);
            rc = el_cli_exit_code(st);
            break;
        }
        for (int m = 0; m < EL_INEQ_COUNT; m++) {
            el_ineq_result *r = &res[m];
            if (r->state == EL_INEQ_SKIPPED) continue;
            if (r->state == EL_INEQ_NOT_APPLICABLE && !explicit_measures) continue;
            if (strict && r->state != EL_INEQ_NOT_APPLICABLE &&
                (r->state == EL_INEQ_NA || isnan(r->lower) || isnan(r->upper))) {
                char desc[400];
                block_desc(d, b, desc, sizeof desc);
                fprintf(stderr, "equitylens summarise: error: %s:%ld: %s: %s: %s (--strict)\n",
                        strcmp(in, "-") ? in : "<stdin>", rows[0].line, desc,
                        el_ineq_measure_name((el_ineq_measure)m),
                        r->note[0] ? r->note : "no confidence limits");
                rc = EL_EXIT_FAIL;
                break;
            }
            if (json) {
                json_t *j = json_object();
                for (size_t k = 0; k < 3; k++)
                    if (el_heat_has_field(d, keys[k]))
                        json_object_set_new(j, el_heat_field_name(keys[k]), json_string(el_heat_block_key(d, b, keys[k])));
                json_object_set_new(j, "indicator", json_string(el_heat_block_key(d, b, EL_HEAT_INDICATOR)));
                json_object_set_new(j, "dimension", json_string(el_heat_block_key(d, b, EL_HEAT_DIMENSION)));
                json_object_set_new(j, "measure", json_string(el_ineq_measure_name((el_ineq_measure)m)));
                json_object_set_new(j, "estimate", jnum(r->est));
                json_object_set_new(j, "se", jnum(r->se));
                json_object_set_new(j, "lower", jnum(r->lower));
                json_object_set_new(j, "upper", jnum(r->upper));
                json_object_set_new(j, "ci_method", r->ci == EL_INEQ_CI_NONE ? json_null() : json_string(ci_name(r->ci)));
                json_object_set_new(j, "subgroups", json_integer((json_int_t)n));
                json_object_set_new(j, "note", json_string(r->note));
                char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
                json_decref(j);
                if (!s) { rc = EL_EXIT_FAIL; break; }
                fprintf(out, "%s\n%s", nout ? "," : "", s);
                free(s);
            } else {
                char e[40], s[40], l[40], u[40];
                fmt_num(r->est, e, sizeof e);
                fmt_num(r->se, s, sizeof s);
                fmt_num(r->lower, l, sizeof l);
                fmt_num(r->upper, u, sizeof u);
                for (size_t k = 0; k < 3; k++)
                    if (el_heat_has_field(d, keys[k])) {
                        el_csv_write_field(out, el_heat_block_key(d, b, keys[k]));
                        fputc(',', out);
                    }
                el_csv_write_field(out, el_heat_block_key(d, b, EL_HEAT_INDICATOR));
                fputc(',', out);
                el_csv_write_field(out, el_heat_block_key(d, b, EL_HEAT_DIMENSION));
                fprintf(out, ",%s,%s,%s,%s,%s,%s,%zu,", el_ineq_measure_name((el_ineq_measure)m),
                        e, s, l, u, ci_name(r->ci), n);
                el_csv_write_field(out, r->note);
                fputc('\n', out);
            }
            nout++;
        }
    }
    if (json && rc == EL_EXIT_OK) {
        json_t *sj = json_object();
        json_object_set_new(sj, "average", json_string(o.average == EL_AVG_SETTING ? "setting" : "population"));
        json_object_set_new(sj, "blocks", json_integer((json_int_t)el_heat_nblocks(d)));
        json_object_set_new(sj, "conf_level", json_real(o.conf_level > 1 ? o.conf_level / 100 : o.conf_level));
        json_object_set_new(sj, "reps", json_integer(o.reps));
        json_object_set_new(sj, "rows", json_integer((json_int_t)el_heat_nrows(d)));
        json_object_set_new(sj, "seed", json_integer((json_int_t)o.seed));
        json_object_set_new(sj, "sii_method", json_string(o.sii_method == EL_SII_LINEAR ? "linear" :
                                                          o.sii_method == EL_SII_HEALTHEQUAL ? "healthequal" : "logistic"));
        char *s = json_dumps(sj, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(15));
        json_decref(sj);
        fprintf(out, "\n],\"settings\":%s}\n", s ? s : "{}");
        free(s);
    }
    if (fclose(out) != 0 && rc == EL_EXIT_OK) {
        fprintf(stderr, "equitylens summarise: error: out of memory\n");
        rc = EL_EXIT_FAIL;
    }
    if (rc == EL_EXIT_OK) rc = write_output(outpath, obuf, olen);
    free(obuf);
    el_heat_free(d);
    el_ineq_ctx_free(ctx);
    return rc;
}
