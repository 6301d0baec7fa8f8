/*
 * cmd_secret_key.c — `pgshuttle secret-key FILE`: writes a new secret key
 * (util/seal.h), the one every node of a shared PostgreSQL store reads with
 * --secret-key-file to seal and open the store's secrets (docs/NODES.md).
 * It never overwrites a file: a store's secrets sealed with a lost key are
 * lost with it.
 */
#include "cli/cli.h"
#include "util/seal.h"

#include <stdio.h>
#include <stdlib.h>

static const struct cli_option secret_key_options[] = {
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help secret_key_help = {
    .cmd = "secret-key",
    .synopsis = "FILE",
    .about = "Writes a new random secret key (32 bytes as 64 hexadecimal digits) to FILE,\n"
             "created with mode 0600; an existing FILE is never overwritten. The nodes of\n"
             "a shared PostgreSQL store seal the store's secrets (connection passwords,\n"
             "the API token) with it: give every node the same file with\n"
             "--secret-key-file FILE, and keep a copy (without it, those secrets are lost).",
    .options = secret_key_options,
    .notes = "Exit codes: 0 written, 1 not written (FILE exists, or cannot be created),\n"
             "64 bad usage.",
};

int cmd_secret_key(int argc, char **argv)
{
    struct option opts[sizeof(secret_key_options) / sizeof(secret_key_options[0])];
    cli_options_own(secret_key_options, opts);
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, opts, NULL)) != -1) {
        switch (opt) {
        case OPT_HELP:
        case 'h':
            cli_help_print_own(stdout, &secret_key_help);
            return EXIT_OK;
        default:
            return cli_option_error("secret-key", opt, argv);
        }
    }
    if (optind == argc)
        return cli_usage_error("secret-key", "the key file is missing: pgshuttle secret-key FILE");
    if (argc - optind > 1)
        return cli_usage_error("secret-key", "unexpected argument \"%s\"", argv[optind + 1]);
    const char *path = argv[optind];
    char *error = NULL;
    if (!seal_key_generate(path, &error)) {
        fprintf(stderr, "pgshuttle secret-key: %s\n", error);
        free(error);
        return EXIT_FAILED;
    }
    printf("wrote a new secret key to %s (mode 0600): give every node --secret-key-file %s\n", path,
           path);
    return EXIT_OK;
}
