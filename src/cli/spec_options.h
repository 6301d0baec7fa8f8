/*
 * spec_options.h — the options that set a migration's properties, in one
 * table shared by `pgshuttle migrate` (runs it here) and `pgshuttle create`
 * (hands it to the service): each option's getopt entry, its --help text and
 * the spec field it sets through the model's rules (migration.h).
 */
#ifndef PGSHUTTLE_CLI_SPEC_OPTIONS_H
#define PGSHUTTLE_CLI_SPEC_OPTIONS_H

#include "cli/cli.h"
#include "model/migration.h"

#include <stdbool.h>

enum {
    OPT_MODE = OPT_COMMON_LAST,
    OPT_TYPE,
    OPT_OVERWRITE,
    OPT_JOBS,
    OPT_INDEX_JOBS,
    OPT_SPLIT,
    OPT_MWM,
    OPT_KEEP_FAILED,
    OPT_NAME,
    OPT_PLUGIN,
    OPT_TOAST,
    OPT_SOURCE_TYPE,
    OPT_CUTOVER,
    OPT_RESUME,
    OPT_RI_FULL,
    OPT_RECONNECT_TIMEOUT,
    OPT_PUBLICATION,
    OPT_SPEC_LAST /* a command's own options start here */
};

/* Which command the table is for: some options only make sense in one of them. */
enum spec_options_for { SPEC_OPTIONS_MIGRATE = 0, SPEC_OPTIONS_CREATE };

/*
 * The spec options cmd takes, ended by a NULL name, followed by extra (may
 * be NULL); the caller frees the array (not the strings, which are static).
 */
struct cli_option *spec_options_table(enum spec_options_for cmd, const struct cli_option *extra);

/*
 * Sets the spec field opt stands for from arg (a flag passes its own value):
 * EXIT_OK, EXIT_USAGE after reporting the model's message as cmd's, or -2 if
 * opt is not a spec option of the table for which.
 */
int spec_option_set(const char *cmd, enum spec_options_for which, int opt, const char *arg,
                    struct migration_spec *spec);

/* The spec field opt sets in the table for which, or -1 if none. */
int spec_option_field(enum spec_options_for which, int opt);

#endif
