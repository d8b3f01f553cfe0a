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
#include "equitylens/report.h"

static void help(FILE *f)
{
    fprintf(f,
        "usage: equitylens report --result FILE [--result FILE ...] [options]\n"
        "\n"
        "Write the health-inequalities board pack from analysis results (the JSON\n"
        "result model of docs/result-model.md, as written by equitylens analyse\n"
        "--format json). Give one --result per dataset kind (waiting list,\n"
        "appointments, cancer pathways); the pack has a section for each.\n"
        "\n"
        "Disclosure control is applied before anything is written: the results are\n"
        "re-checked against the policy (counts in the suppressed range withheld,\n"
        "counts rounded, no lone suppressed group beside a total) and the policy is\n"
        "printed in every output.\n"
        "\n"
        "options:\n"
        "  --result FILE          an analysis result (JSON); repeatable, at least one\n"
        "  --format LIST          comma-separated: html, xlsx, pdf (default html,xlsx)\n"
        "  --out DIR              output directory (created if missing; default .)\n"
        "  --name NAME            file name stem (default equity-report): NAME.html,\n"
        "                         NAME.xlsx, NAME.pdf\n"
        "  --title TEXT           report title (default \"Health inequalities report\")\n"
        "  --provider CODE        only the results within this provider (the result\n"
        "                         must carry provider_code strata, or have been run on\n"
        "                         that provider)\n"
        "  --treatment-function CODE\n"
        "                         likewise for a treatment function\n"
        "  --metrics LIST         comma-separated metric ids to include (e.g.\n"
        "                         dna_rate,over_18_weeks); default all\n"
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

int cmd_report(int argc, char **argv)
{
    static const struct option lo[] = {
        {"result", required_argument, 0, 'r'}, {"format", required_argument, 0, 'f'},
        {"out", required_argument, 0, 'o'}, {"name", required_argument, 0, 'n'},
        {"title", required_argument, 0, 't'}, {"provider", required_argument, 0, 'p'},
        {"treatment-function", required_argument, 0, 'T'}, {"metrics", required_argument, 0, 'm'},
        {"disclosure", required_argument, 0, 'd'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *results[MAX_RESULTS];
    size_t nres = 0;
    const char *format = "html,xlsx", *outdir = ".", *name = "equity-report", *metrics = NULL, *disc = NULL;
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
        case 'd': disc = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': help(stdout); return EL_EXIT_OK;
        default: help(stderr); return EL_EXIT_USAGE;
        }
    }
    if (optind < argc) { fprintf(stderr, "equitylens report: unexpected argument '%s'\n", argv[optind]); return EL_EXIT_USAGE; }
    if (!nres) { fprintf(stderr, "equitylens report: give at least one --result FILE (see --help)\n"); return EL_EXIT_USAGE; }
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
        snprintf(mbuf, sizeof mbuf, "%s", metrics);
        char *save = NULL;
        for (char *t = strtok_r(mbuf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (o.n_metrics == MAX_METRICS) { fprintf(stderr, "equitylens report: too many metrics\n"); return EL_EXIT_USAGE; }
            mlist[o.n_metrics++] = t;
        }
        o.metrics = mlist;
    }

    json_t *docs = json_array();
    int rc = EL_EXIT_OK;
    for (size_t i = 0; i < nres; i++) {
        json_error_t je;
        json_t *d = json_load_file(results[i], 0, &je);
        if (!d) {
            el_error_at(&err, EL_ERR_PARSE, results[i], je.line, je.column, NULL, "%s", je.text);
            el_cli_print_error("report", &err);
            json_decref(docs);
            return EL_EXIT_FAIL;
        }
        json_array_append_new(docs, d);
    }
    el_report_guard_stats gs;
    el_status st = el_report_guard(docs, &o.policy, &gs, &err);
    if (st == EL_OK) st = el_report_filter(docs, &o, &err);
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
