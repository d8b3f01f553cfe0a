/* main.c — the equitylens command: dispatch to one cmd_*.c per subcommand. */
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "equitylens/cli.h"

#ifndef EL_VERSION
#define EL_VERSION "0.1.0"
#endif

typedef struct { const char *name; int (*fn)(int, char **); const char *summary; } command;

/* Keep in the order a user meets them; docs/user-guide.md lists the same. */
static const command commands[] = {
    {"synth",     cmd_synth,     "write a synthetic extract with known injected inequalities"},
    {"import",    cmd_import,    "import an extract into the store (mapping, enrichment, rejects)"},
    {"datasets",  cmd_datasets,  "list imported dataset versions"},
    {"quality",   cmd_quality,   "data-quality report: completeness, validity, LSOA match, dates"},
    {"analyse",   cmd_analyse,   "equity analysis: metrics by every lens, gaps, adjusted gaps, trends"},
    {"dna-job",   cmd_dna_job,   "fast DNA rates by IMD quintile / ethnic group straight from a CSV"},
    {"report",    cmd_report,    "board pack: HTML, XLSX and PDF"},
    {"ci",        cmd_ci,        "confidence intervals, DSR, ISR, quantiles, funnels, SII/RII (aggregated data)"},
    {"summarise", cmd_summarise, "WHO summary measures of inequality (HEAT / healthequal input)"},
    {"spc",       cmd_spc,       "statistical process control (Making Data Count XmR charts)"},
    {"serve",     cmd_serve,     "web application: dashboard, API, accounts"},
    {"user",      cmd_user,      "manage web accounts: add, list, disable, reset"},
};

static void usage(FILE *f)
{
    fprintf(f, "equitylens %s — find, act on and evaluate health inequalities\n\n"
               "usage: equitylens <command> [options]   (equitylens <command> --help)\n\ncommands:\n",
            EL_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nDocumentation: docs/user-guide.md. Licence: GPL-3.0-or-later.\n");
}

int el_cli_exit_code(el_status s)
{
    switch (s) {
    case EL_OK: return EL_EXIT_OK;
    case EL_ERR_INVALID: case EL_ERR_PARSE: case EL_ERR_RANGE: case EL_ERR_NOTFOUND:
    case EL_ERR_EXISTS: case EL_ERR_IO: case EL_ERR_DB: case EL_ERR_PERM:
    case EL_ERR_NOMEM: case EL_ERR_INTERNAL: return EL_EXIT_FAIL;
    }
    return EL_EXIT_FAIL;
}

void el_cli_print_error(const char *cmd, const el_error *err)
{
    char buf[1200];
    el_error_format(err, buf, sizeof buf);
    fprintf(stderr, "equitylens %s: error: %s\n", cmd, buf);
}

int main(int argc, char **argv)
{
    /* GSL's default handler abort()s on a domain error; the library checks
     * every GSL status itself and reports a clear error instead. */
    gsl_set_error_handler_off();
    if (argc < 2) { usage(stderr); return EL_EXIT_USAGE; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EL_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) { printf("equitylens %s\n", EL_VERSION); return EL_EXIT_OK; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "equitylens: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EL_EXIT_USAGE;
}
