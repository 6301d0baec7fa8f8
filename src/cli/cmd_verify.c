/* cmd_verify.c — placeholder until src/verify lands. */
#include "cli/cli.h"
#include <stdio.h>

int cmd_verify(int argc, char **argv)
{
    fprintf(stderr, "pgshuttle verify: not built yet\n");
    return EXIT_FAILED;
}
