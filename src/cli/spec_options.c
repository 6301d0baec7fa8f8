/*
 * spec_options.c — the spec options of migrate and create (see
 * spec_options.h): one table says the option, its help for each command,
 * and the field it sets.
 */
#include "cli/spec_options.h"
#include "util/mem.h"

#include <string.h>

/*
 * One option: its getopt/--help entry, its help when create's differs
 * (create_help; "" = not taken by create), and the field it sets (value
 * NULL takes the option's argument, a flag passes its own).
 */
static const struct {
    struct cli_option opt;
    const char *create_help;
    enum spec_field field;
    const char *value;
} spec_opts[] = {
    {{"mode", required_argument, OPT_MODE, "offline|online", "default offline"},
     NULL,
     SPEC_F_MODE,
     NULL},
    {{"type", required_argument, OPT_TYPE, "validate-and-migrate|migrate|validate",
      "default validate-and-migrate: every check first, a Failed one\n"
      "stops before anything moves; migrate: only the essential checks;\n"
      "validate: the checks only"},
     NULL,
     SPEC_F_TYPE,
     NULL},
    {{"overwrite", no_argument, OPT_OVERWRITE, NULL,
      "drop target databases that already exist (not a template: see\n"
      "docs/VALIDATION.md, Target database)"},
     "drop target databases that already exist; without it the\n"
     "migration waits for `pgshuttle confirm-overwrite NAME` when one does",
     SPEC_F_OVERWRITE,
     "true"},
    {{"jobs", required_argument, OPT_JOBS, "N", "parallel table copies (default: number of cores)"},
     NULL,
     SPEC_F_JOBS,
     NULL},
    {{"index-jobs", required_argument, OPT_INDEX_JOBS, "N",
      "parallel index builds (default: number of cores)"},
     NULL,
     SPEC_F_INDEX_JOBS,
     NULL},
    {{"split-tables-larger-than", required_argument, OPT_SPLIT, "SIZE",
      "split big tables into parts (e.g. 256MB; 0 = auto, -1 = never)"},
     NULL,
     SPEC_F_SPLIT,
     NULL},
    {{"maintenance-work-mem", required_argument, OPT_MWM, "SIZE",
      "for index builds on the target (default 512MB)"},
     NULL,
     SPEC_F_MAINTENANCE_WORK_MEM,
     NULL},
    {{"toast-compression", required_argument, OPT_TOAST, "lz4|pglz|server",
      "how copied values that need compressing are stored (default lz4\n"
      "where the target has it; server: the target's default)"},
     NULL,
     SPEC_F_TOAST_COMPRESSION,
     NULL},
    {{"source-type", required_argument, OPT_SOURCE_TYPE, "TYPE|auto",
      "what the source is (default auto: detected)"},
     NULL,
     SPEC_F_SOURCE_TYPE,
     NULL},
    {{"plugin", required_argument, OPT_PLUGIN, "pgoutput|test_decoding",
      "online: the logical decoding plugin (default pgoutput)"},
     NULL,
     SPEC_F_PLUGIN,
     NULL},
    {{"publication", required_argument, OPT_PUBLICATION, "NAME",
      "online, pgoutput: stream through this publication, created\n"
      "beforehand by the tables' owner, instead of creating one (for a\n"
      "source role that owns no table); it must publish every table"},
     NULL,
     SPEC_F_PUBLICATION,
     NULL},
    {{"cutover", required_argument, OPT_CUTOVER, "signal|auto",
      "online: cut over on SIGUSR1 or when `cutover` is typed on the\n"
      "terminal (signal, the default), or as soon as every database has\n"
      "caught up (auto)"},
     "online: cut over on `pgshuttle cutover NAME` (signal, the\n"
     "default), or as soon as every database has caught up (auto)",
     SPEC_F_CUTOVER,
     NULL},
    {{"resume", no_argument, OPT_RESUME, NULL,
      "online: continue the streams of an interrupted run (after a crash\n"
      "or kill) from the position applied on the target"},
     "",
     SPEC_F_RESUME,
     "true"},
    {{"replica-identity-full", no_argument, OPT_RI_FULL, NULL,
      "online: give source tables without a primary key or replica\n"
      "identity REPLICA IDENTITY FULL so their updates and deletes stream"},
     NULL,
     SPEC_F_REPLICA_IDENTITY_FULL,
     "true"},
    {{"reconnect-timeout", required_argument, OPT_RECONNECT_TIMEOUT, "DURATION",
      "how long to keep reconnecting to a server that went away\n"
      "(restart, failover, dropped connection) while copying, streaming\n"
      "or cutting over before failing, e.g. 30s, 10min, 1h (default\n"
      "10min; 0 = fail at once)"},
     NULL,
     SPEC_F_RECONNECT_TIMEOUT,
     NULL},
    {{"keep-failed", no_argument, OPT_KEEP_FAILED, NULL,
      "keep a failed target database (marked incomplete) instead of\n"
      "dropping it"},
     NULL,
     SPEC_F_KEEP_FAILED,
     "true"},
    {{"name", required_argument, OPT_NAME, "NAME",
      "the migration's name (default migration-TIMESTAMP)"},
     "",
     SPEC_F_NAME,
     NULL},
};

#define N_SPEC_OPTS (sizeof(spec_opts) / sizeof(spec_opts[0]))

static bool taken_by(size_t i, enum spec_options_for cmd)
{
    return cmd == SPEC_OPTIONS_MIGRATE || spec_opts[i].create_help == NULL ||
           spec_opts[i].create_help[0] != '\0';
}

struct cli_option *spec_options_table(enum spec_options_for cmd, const struct cli_option *extra)
{
    size_t n_extra = 0;
    for (const struct cli_option *o = extra; o && o->name; o++)
        n_extra++;
    struct cli_option *all = xcalloc(N_SPEC_OPTS + n_extra + 1, sizeof(*all));
    size_t n = 0;
    for (size_t i = 0; i < N_SPEC_OPTS; i++) {
        if (!taken_by(i, cmd))
            continue;
        all[n] = spec_opts[i].opt;
        if (cmd == SPEC_OPTIONS_CREATE && spec_opts[i].create_help)
            all[n].help = spec_opts[i].create_help;
        n++;
    }
    for (size_t i = 0; i < n_extra; i++)
        all[n++] = extra[i];
    return all; /* xcalloc left the terminator zeroed */
}

int spec_option_set(const char *cmd, enum spec_options_for which, int opt, const char *arg,
                    struct migration_spec *spec)
{
    for (size_t i = 0; i < N_SPEC_OPTS; i++)
        if (spec_opts[i].opt.val == opt && taken_by(i, which))
            return cli_spec_opt(cmd, spec, spec_opts[i].field,
                                spec_opts[i].value ? spec_opts[i].value : arg);
    return -2;
}

int spec_option_field(enum spec_options_for which, int opt)
{
    for (size_t i = 0; i < N_SPEC_OPTS; i++)
        if (spec_opts[i].opt.val == opt && taken_by(i, which))
            return (int) spec_opts[i].field;
    return -1;
}
