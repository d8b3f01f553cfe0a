/* cmd_dna_job.c — placeholder until its owner lands the real subcommand. */
#include <stdio.h>
#include "equitylens/cli.h"
int cmd_dna_job(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "equitylens %s: not built yet\n", argv[0]);
    return EL_EXIT_FAIL;
}
