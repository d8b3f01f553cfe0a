/* cli.h — shared by the files in src/cli only (not part of the library API).
 * Each subcommand lives in src/cli/cmd_<name>.c and exports
 *   int cmd_<name>(int argc, char **argv);   argv[0] is the subcommand name
 * returning a process exit code (EL_EXIT_*). Subcommands print their own
 * --help. Status → exit code mapping happens only here. */
#ifndef EQUITYLENS_CLI_H
#define EQUITYLENS_CLI_H
#include "equitylens/error.h"

enum {
    EL_EXIT_OK = 0,
    EL_EXIT_FAIL = 1,      /* the job ran but failed (bad input, store error) */
    EL_EXIT_USAGE = 2,     /* bad command line */
    EL_EXIT_PARTIAL = 3    /* finished, but some rows were rejected */
};

/* Map a library status to an exit code. */
int el_cli_exit_code(el_status s);
/* Print "equitylens <cmd>: error: <formatted err>" to stderr. */
void el_cli_print_error(const char *cmd, const el_error *err);

int cmd_import(int argc, char **argv);
int cmd_quality(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_datasets(int argc, char **argv);
int cmd_ci(int argc, char **argv);
int cmd_summarise(int argc, char **argv);
int cmd_spc(int argc, char **argv);
int cmd_analyse(int argc, char **argv);
int cmd_dna_job(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);

#endif
