/* cmd_report.c — equitylens report: the board pack (HTML, XLSX, PDF) from
 * analysis results. See docs/report.md. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "equitylens/cli.h"
#include "equitylens/parse.h"
#include "equitylens/report.h"
#include "equitylens/report_model.h"
#include "equitylens/store.h"

static void help(FILE *f)
{
    fprintf(f,
        "usage: equitylens report --result FILE [--result FILE ...] [options]\n"
        "       equitylens report [--db PATH] [--dataset ID ...] [options]\n"
        "\n"
        "Write the health-inequalities board pack. Either from saved analysis results\n"
        "(the JSON result model of docs/result-model.md, as written by equitylens\n"
        "analyse --format json), or by running the analysis now on imported datasets\n"
        "(the lenses of --lenses; metrics, reference groups and other settings as\n"
        "the defaults of equitylens analyse; disclosure by --disclosure). Give\n"
        "one result or dataset per kind (waiting list, appointments, cancer\n"
        "pathways); the pack has a section for each (a second --result of a kind\n"
        "already given is refused).\n"
        "\n"
        "Disclosure control is applied before anything is written: the results are\n"
        "re-checked against the policy (counts in the suppressed range withheld,\n"
        "counts rounded, no lone suppressed group beside a total) and the policy is\n"
        "printed in every output.\n"
        "\n"
        "input (one of):\n"
        "  --result FILE          an analysis result (JSON); repeatable\n"
        "  --db PATH              the store (default: the import default location)\n"
        "  --dataset ID           an imported dataset id (equitylens datasets);\n"
        "                         repeatable; default with --db: the latest dataset of\n"
        "                         each kind in the store\n"
        "  --data-dir DIR         reference data for 'who is missing' (default as\n"
        "                         equitylens analyse: $EQUITYLENS_DATA, else data/)\n"
        "  --cost-per-dna GBP     price of one DNA for the excess cost (default 120)\n"
        "\n"
        "options:\n"
        "  --format LIST          comma-separated: html, xlsx, pdf (default html,xlsx)\n"
        "  --out DIR              output directory (created if missing; default .)\n"
        "  --name NAME            file name stem (default equity-report): NAME.html,\n"
        "                         NAME.xlsx, NAME.pdf\n"
        "  --title TEXT           report title (default \"Health inequalities report\")\n"
        "  --provider CODE        only this provider: with --db the analysis runs on its\n"
        "                         rows; with --result the result must carry\n"
        "                         provider_code strata (or have been run on it)\n"
        "  --treatment-function CODE\n"
        "                         likewise for a treatment function (e.g. 130)\n"
        "  --metrics LIST         comma-separated metric ids to include (e.g.\n"
        "                         dna_rate,over_18_weeks); default all\n"
        "  --lenses LIST          comma-separated lens ids (default imd_quintile,\n"
        "                         ethnic_group: deprivation and ethnicity); 'all' for\n"
        "                         every lens in the results\n"
        "  --disclosure SPEC      policy to enforce, e.g. suppress=1-7,round=5\n"
        "                         (keys: suppress, round, secondary, decimals, mask;\n"
        "                         default the DESIGN.md policy)\n"
        "  -q, --quiet            do not print the written files\n"
        "  -h, --help             this help\n"
        "\n"
        "PDF needs headless Chromium (Debian package chromium, or EL_CHROMIUM=path).\n"
        "Exit status: 0 ok, 1 failure (bad result, I/O, no chromium for pdf), 2 usage.\n");
}

static int mkdir_p(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

#define MAX_RESULTS 16
#define MAX_METRICS 32

/* The comma list s, copied into buf, split into list (at most MAX_METRICS names, counted
 * in *n); -1 after saying "too many WHAT" on standard error. */
static int split_list(const char *s, char *buf, size_t cap, const char **list, size_t *n, const char *what)
{
    snprintf(buf, cap, "%s", s);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_METRICS) { fprintf(stderr, "equitylens report: too many %s\n", what); return -1; }
        list[(*n)++] = t;
    }
    return 0;
}

/* Run the analysis on each dataset (or the latest of each kind) and append
 * the disclosed result documents to docs. */
static el_status from_store(const char *db, const int64_t *ids, size_t nids, const char *data_dir, double cost,
                            const el_report_opts *o, json_t *docs, int quiet, el_error *err)
{
    if (!db) db = el_store_default_location();
    el_store *store = el_store_open_readonly(db, err);
    if (!store) return err->status ? err->status : EL_ERR_DB;
    int64_t list[MAX_RESULTS];
    size_t n = 0;
    el_status s = EL_OK;
    if (nids) {
        memcpy(list, ids, nids * sizeof *ids);
        n = nids;
    } else {
        for (int k = 0; k < EL_KIND__COUNT; k++) {
            int64_t id;
            el_error e2;
            if (el_store_latest(store, k, &id, &e2) == EL_OK) list[n++] = id;
        }
        if (!n) s = el_error_set(err, EL_ERR_NOTFOUND, "%s: no datasets (import one with equitylens import)", db);
    }
    el_refdata *ref = NULL;
    int ref_tried = 0;
    for (size_t i = 0; s == EL_OK && i < n; i++) {
        el_dataset *d = NULL;
        el_dataset_meta meta;
        s = el_store_load(store, list[i], &d, &meta, err);
        if (s != EL_OK) break;
        if (!ref_tried) {
            ref_tried = 1;
            el_error e2;
            if (el_refdata_load(data_dir, EL_REF_ALL, &ref, &e2) != EL_OK) {
                ref = NULL;
                if (!quiet) fprintf(stderr, "equitylens report: note: reference data not loaded (%s); no 'who is missing'\n", e2.msg);
            }
        }
        el_analysis_opts ao;
        el_analysis_opts_default(&ao);
        if (cost >= 0) ao.cost_per_dna = cost;
        {
            static const char *const dflt[] = {"imd_quintile", "ethnic_group"};
            const char *const *l = o->lenses ? o->lenses : dflt;
            size_t nl = o->lenses ? o->n_lenses : 2;
            if (!(nl == 1 && !strcmp(l[0], "all")))
                for (size_t k = 0; k < nl && s == EL_OK; k++) s = el_analysis_opts_add_lens(&ao, l[k], err);
            if (s != EL_OK) { el_dataset_free(d); break; }
        }
        if (!ref) ao.missing = 0;
        if (ao.census_date == EL_NA && meta.census_date != EL_NA && !el_dataset_has(d, EL_F_CENSUS_DATE))
            ao.census_date = meta.census_date;
        char source[600];
        snprintf(source, sizeof source, "dataset %lld (%s)", (long long)list[i], meta.source);
        json_t *j = NULL;
        s = el_report_analyse(d, ref, &ao, o, source, meta.imd_edition, &j, err);
        if (s == EL_OK) json_array_append_new(docs, j);
        el_dataset_free(d);
    }
    el_refdata_free(ref);
    el_store_close(store);
    return s;
}

int cmd_report(int argc, char **argv)
{
    static const struct option lo[] = {
        {"result", required_argument, 0, 'r'}, {"format", required_argument, 0, 'f'},
        {"out", required_argument, 0, 'o'}, {"name", required_argument, 0, 'n'},
        {"title", required_argument, 0, 't'}, {"provider", required_argument, 0, 'p'},
        {"treatment-function", required_argument, 0, 'T'}, {"metrics", required_argument, 0, 'm'},
        {"disclosure", required_argument, 0, 'd'}, {"quiet", no_argument, 0, 'q'},
        {"db", required_argument, 0, 'B'}, {"dataset", required_argument, 0, 'D'},
        {"data-dir", required_argument, 0, 'R'}, {"lenses", required_argument, 0, 'L'}, {"cost-per-dna", required_argument, 0, 'C'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *results[MAX_RESULTS];
    size_t nres = 0;
    const char *format = "html,xlsx", *outdir = ".", *name = "equity-report", *metrics = NULL, *disc = NULL;
    const char *db = NULL, *data_dir = NULL, *lenses = NULL;
    int64_t dsids[MAX_RESULTS];
    size_t nds = 0;
    double cost_per_dna = -1;
    int quiet = 0;
    el_report_opts o;
    el_report_opts_default(&o);
    el_error err;
    el_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (nres == MAX_RESULTS) { fprintf(stderr, "equitylens report: at most %d --result files\n", MAX_RESULTS); return EL_EXIT_USAGE; }
            results[nres++] = optarg;
            break;
        case 'f': format = optarg; break;
        case 'o': outdir = optarg; break;
        case 'n': name = optarg; break;
        case 't': o.title = optarg; break;
        case 'p': o.provider = optarg; break;
        case 'T': o.treatment_function = optarg; break;
        case 'm': metrics = optarg; break;
        case 'L': lenses = optarg; break;
        case 'd': disc = optarg; break;
        case 'q': quiet = 1; break;
        case 'B': db = optarg; break;
        case 'R': data_dir = optarg; break;
        case 'C':
            if (el_parse_double(optarg, 0, &cost_per_dna) != 0 || cost_per_dna < 0) {
                fprintf(stderr, "equitylens report: bad --cost-per-dna '%s'\n", optarg);
                return EL_EXIT_USAGE;
            }
            break;
        case 'D': {
            long long v;
            char *end = NULL;
            errno = 0;
            v = strtoll(optarg, &end, 10);
            if (errno || !end || *end || v <= 0) { fprintf(stderr, "equitylens report: bad --dataset '%s'\n", optarg); return EL_EXIT_USAGE; }
            if (nds == MAX_RESULTS) { fprintf(stderr, "equitylens report: at most %d --dataset\n", MAX_RESULTS); return EL_EXIT_USAGE; }
            dsids[nds++] = v;
            break;
        }
        case 'h': help(stdout); return EL_EXIT_OK;
        default: help(stderr); return EL_EXIT_USAGE;
        }
    }
    if (optind < argc) { fprintf(stderr, "equitylens report: unexpected argument '%s'\n", argv[optind]); return EL_EXIT_USAGE; }
    if (nres && (db || nds)) { fprintf(stderr, "equitylens report: give --result or --db/--dataset, not both\n"); return EL_EXIT_USAGE; }
    if (!nres && !db && !nds) { fprintf(stderr, "equitylens report: give --result FILE or --db/--dataset (see --help)\n"); return EL_EXIT_USAGE; }
    int want_html = 0, want_xlsx = 0, want_pdf = 0;
    {
        char fb[128];
        snprintf(fb, sizeof fb, "%s", format);
        char *save = NULL;
        for (char *t = strtok_r(fb, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (!strcmp(t, "html")) want_html = 1;
            else if (!strcmp(t, "xlsx")) want_xlsx = 1;
            else if (!strcmp(t, "pdf")) want_pdf = 1;
            else { fprintf(stderr, "equitylens report: unknown format '%s' (html, xlsx, pdf)\n", t); return EL_EXIT_USAGE; }
        }
        if (!want_html && !want_xlsx && !want_pdf) { fprintf(stderr, "equitylens report: --format is empty\n"); return EL_EXIT_USAGE; }
    }
    if (disc && el_disclosure_policy_parse(&o.policy, disc, &err) != EL_OK) {
        el_cli_print_error("report", &err);
        return EL_EXIT_USAGE;
    }
    char mbuf[1024];
    const char *mlist[MAX_METRICS];
    if (metrics) {
        if (split_list(metrics, mbuf, sizeof mbuf, mlist, &o.n_metrics, "metrics")) return EL_EXIT_USAGE;
        o.metrics = mlist;
    }

    char lbuf[1024];
    const char *llist[MAX_METRICS];
    if (lenses) {
        if (split_list(lenses, lbuf, sizeof lbuf, llist, &o.n_lenses, "lenses")) return EL_EXIT_USAGE;
        o.lenses = llist;
        if (!o.n_lenses) { fprintf(stderr, "equitylens report: --lenses is empty\n"); return EL_EXIT_USAGE; }
    }
    json_t *docs = json_array();
    int rc = EL_EXIT_OK;
    if (!nres) {
        el_status s2 = from_store(db, dsids, nds, data_dir, cost_per_dna, &o, docs, quiet, &err);
        if (s2 != EL_OK) {
            el_cli_print_error("report", &err);
            json_decref(docs);
            return el_cli_exit_code(s2);
        }
    }
    for (size_t i = 0; i < nres; i++) {
        json_error_t je;
        struct stat sb;
        json_t *d = NULL;
        if (stat(results[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            el_error_at(&err, EL_ERR_IO, results[i], 0, 0, NULL, "is a directory, not a result file");
        } else if (!(d = json_load_file(results[i], 0, &je))) {
            /* jansson says -1 for an unknown position (a file it could not open) */
            el_error_at(&err, EL_ERR_PARSE, results[i], je.line > 0 ? je.line : 0, je.line > 0 && je.column > 0 ? je.column : 0,
                        NULL, "%s", je.text);
        } else if (el_rm_check(d, &err) != EL_OK) {
            snprintf(err.file, sizeof err.file, "%s", results[i]);
            json_decref(d);
            d = NULL;
        } else {
            /* one result per kind: the pack has one section for each */
            const char *kind = json_string_value(json_object_get(json_object_get(d, "dataset"), "kind"));
            for (size_t k = 0; kind && k < i; k++) {
                const char *other = json_string_value(json_object_get(json_object_get(json_array_get(docs, k), "dataset"), "kind"));
                if (other && !strcmp(kind, other)) {
                    el_error_at(&err, EL_ERR_INVALID, results[i], 0, 0, NULL,
                                "a second %s result (the first is %s); give one result per kind", kind, results[k]);
                    json_decref(d);
                    d = NULL;
                    break;
                }
            }
        }
        if (!d) {
            el_cli_print_error("report", &err);
            json_decref(docs);
            return EL_EXIT_FAIL;
        }
        json_array_append_new(docs, d);
    }
    el_report_guard_stats gs;
    el_status st = el_report_guard(docs, &o.policy, &gs, &err);
    if (st == EL_OK) {
        /* with --db the provider/treatment-function filter was applied to the rows */
        el_report_opts fo = o;
        if (!nres) fo.provider = fo.treatment_function = NULL;
        st = el_report_filter(docs, &fo, &err);
    }
    if (st != EL_OK) {
        el_cli_print_error("report", &err);
        json_decref(docs);
        return el_cli_exit_code(st);
    }
    char pol[600];
    el_disclosure_policy_describe(&o.policy, pol, sizeof pol);
    if (!quiet) {
        printf("%s\n", pol);
        printf("disclosure check: %zu counts checked; %zu suppressed, %zu rounded, %zu secondary, %zu values withdrawn%s\n",
               gs.counts_checked, gs.counts_suppressed, gs.counts_rounded, gs.secondary, gs.values_suppressed,
               gs.counts_suppressed + gs.counts_rounded + gs.secondary ? " (the input was not compliant; fixed)" : "");
    }
    if (mkdir_p(outdir) != 0) {
        fprintf(stderr, "equitylens report: error: cannot create %s: %s\n", outdir, strerror(errno));
        json_decref(docs);
        return EL_EXIT_FAIL;
    }
    char path[4096];
    if (want_html || want_pdf) {
        el_strbuf b;
        el_strbuf_init(&b);
        st = el_report_html(docs, &o, &b, &err);
        if (st == EL_OK) {
            snprintf(path, sizeof path, "%s/%s.html", outdir, name);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(el_strbuf_str(&b), 1, b.len, f) != b.len || fclose(f) != 0) {
                el_error_set(&err, EL_ERR_IO, "%s: %s", path, strerror(errno));
                st = EL_ERR_IO;
            } else if (!quiet) {
                printf("wrote %s\n", path);
            }
        }
        el_strbuf_release(&b);
        if (st == EL_OK && want_pdf) {
            char pdf[4096];
            snprintf(pdf, sizeof pdf, "%s/%s.pdf", outdir, name);
            st = el_report_pdf(path, pdf, &err);
            if (st == EL_OK && !quiet) printf("wrote %s\n", pdf);
            if (!want_html) remove(path);
        }
        if (st != EL_OK) { el_cli_print_error("report", &err); rc = el_cli_exit_code(st); }
    }
    if (rc == EL_EXIT_OK && want_xlsx) {
        snprintf(path, sizeof path, "%s/%s.xlsx", outdir, name);
        st = el_report_xlsx(docs, &o, path, &err);
        if (st != EL_OK) { el_cli_print_error("report", &err); rc = el_cli_exit_code(st); }
        else if (!quiet) printf("wrote %s\n", path);
    }
    json_decref(docs);
    return rc;
}
