/*
 * cmd_migrate.c — `pgshuttle migrate`: runs a migration in the foreground,
 * with a live display on a terminal or JSON lines for scripts. SIGINT and
 * SIGTERM cancel it; the handler only sets a flag, which a watcher thread
 * turns into an engine cancel.
 */
#include "cli/cli.h"
#include "cli/output.h"
#include "engine/engine.h"
#include "model/migration.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static volatile sig_atomic_t cancel_signal = 0;
static volatile sig_atomic_t cutover_signal = 0;

static void on_cancel_signal(int sig)
{
    cancel_signal = sig;
}

static void on_cutover_signal(int sig)
{
    (void) sig;
    cutover_signal = 1;
}

struct watcher {
    struct engine_run *run;
    bool read_terminal; /* online, --cutover signal, stdin a terminal: "cutover" + Enter */
    strbuf typed;
    _Atomic bool done;
};

/* Reads what was typed on the terminal; true when a line said "cutover". */
static bool typed_cutover(struct watcher *w)
{
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
        return false;
    char buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n <= 0) {
        w->read_terminal = false; /* end of input: stop looking */
        return false;
    }
    bool found = false;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            sb_appendc(&w->typed, buf[i]);
            continue;
        }
        const char *line = sb_str(&w->typed);
        while (*line == ' ' || *line == '\t')
            line++;
        size_t len = strlen(line);
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r' || line[len - 1] == '\t'))
            len--;
        if (len == 7 && strncasecmp(line, "cutover", 7) == 0)
            found = true;
        else if (len > 0)
            log_warn("type \"cutover\" and Enter to cut over (Ctrl-C cancels)");
        sb_reset(&w->typed);
    }
    return found;
}

static void *watch_signals(void *arg)
{
    struct watcher *w = arg;
    while (!atomic_load(&w->done)) {
        if (cancel_signal) {
            engine_run_cancel(w->run);
            cancel_signal = 0;
        }
        if (cutover_signal) {
            cutover_signal = 0;
            engine_run_request_cutover(w->run);
        }
        if (w->read_terminal && typed_cutover(w))
            engine_run_request_cutover(w->run);
        time_sleep(0.1);
    }
    return NULL;
}

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
};

static const struct cli_option migrate_options[] = {
    {"mode", required_argument, OPT_MODE, "offline|online", "default offline"},
    {"type", required_argument, OPT_TYPE, "validate-and-migrate|migrate|validate",
     "default validate-and-migrate: every check first, a Failed one\n"
     "stops before anything moves; migrate: only the essential checks;\n"
     "validate: the checks only"},
    {"overwrite", no_argument, OPT_OVERWRITE, NULL,
     "drop target databases that already exist (not a template: see\n"
     "docs/VALIDATION.md, Target database)"},
    {"jobs", required_argument, OPT_JOBS, "N", "parallel table copies (default: number of cores)"},
    {"index-jobs", required_argument, OPT_INDEX_JOBS, "N",
     "parallel index builds (default: number of cores)"},
    {"split-tables-larger-than", required_argument, OPT_SPLIT, "SIZE",
     "split big tables into parts (e.g. 256MB; 0 = auto, -1 = never)"},
    {"maintenance-work-mem", required_argument, OPT_MWM, "SIZE",
     "for index builds on the target (default 512MB)"},
    {"toast-compression", required_argument, OPT_TOAST, "lz4|pglz|server",
     "how copied values that need compressing are stored (default lz4\n"
     "where the target has it; server: the target's default)"},
    {"source-type", required_argument, OPT_SOURCE_TYPE, "TYPE|auto",
     "what the source is (default auto: detected)"},
    {"plugin", required_argument, OPT_PLUGIN, "pgoutput|test_decoding",
     "online: the logical decoding plugin (default pgoutput)"},
    {"publication", required_argument, OPT_PUBLICATION, "NAME",
     "online, pgoutput: stream through this publication, created\n"
     "beforehand by the tables' owner, instead of creating one (for a\n"
     "source role that owns no table); it must publish every table"},
    {"cutover", required_argument, OPT_CUTOVER, "signal|auto",
     "online: cut over on SIGUSR1 or when `cutover` is typed on the\n"
     "terminal (signal, the default), or as soon as every database has\n"
     "caught up (auto)"},
    {"resume", no_argument, OPT_RESUME, NULL,
     "online: continue the streams of an interrupted run (after a crash\n"
     "or kill) from the position applied on the target"},
    {"replica-identity-full", no_argument, OPT_RI_FULL, NULL,
     "online: give source tables without a primary key or replica\n"
     "identity REPLICA IDENTITY FULL so their updates and deletes stream"},
    {"reconnect-timeout", required_argument, OPT_RECONNECT_TIMEOUT, "DURATION",
     "how long to keep reconnecting to a server that went away\n"
     "(restart, failover, dropped connection) while copying, streaming\n"
     "or cutting over before failing, e.g. 30s, 10min, 1h (default\n"
     "10min; 0 = fail at once)"},
    {"keep-failed", no_argument, OPT_KEEP_FAILED, NULL,
     "keep a failed target database (marked incomplete) instead of\n"
     "dropping it"},
    {"name", required_argument, OPT_NAME, "NAME",
     "the migration's name (default migration-TIMESTAMP)"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help migrate_help = {
    .cmd = "migrate",
    .synopsis = "--source CONNINFO --target CONNINFO --databases DB[,DB...] [OPTIONS]",
    .about = "Migrates whole databases from the source server to the target server: each is\n"
             "created on the target under the same name.",
    .options = migrate_options,
    .notes = "With --output json: one JSON object per line on stdout.\n"
             "Exit codes: 0 succeeded, 1 failed, 2 validation failed, 3 canceled, 64 bad usage.",
};

/*
 * Which field of the spec each option sets: value NULL takes the option's
 * argument, a flag passes its own. The model checks the value (migration.h).
 */
static const struct {
    int opt;
    enum spec_field field;
    const char *value;
} option_fields[] = {
    {OPT_MODE, SPEC_F_MODE, NULL},
    {OPT_TYPE, SPEC_F_TYPE, NULL},
    {OPT_OVERWRITE, SPEC_F_OVERWRITE, "true"},
    {OPT_JOBS, SPEC_F_JOBS, NULL},
    {OPT_INDEX_JOBS, SPEC_F_INDEX_JOBS, NULL},
    {OPT_SPLIT, SPEC_F_SPLIT, NULL},
    {OPT_MWM, SPEC_F_MAINTENANCE_WORK_MEM, NULL},
    {OPT_KEEP_FAILED, SPEC_F_KEEP_FAILED, "true"},
    {OPT_NAME, SPEC_F_NAME, NULL},
    {OPT_PLUGIN, SPEC_F_PLUGIN, NULL},
    {OPT_TOAST, SPEC_F_TOAST_COMPRESSION, NULL},
    {OPT_SOURCE_TYPE, SPEC_F_SOURCE_TYPE, NULL},
    {OPT_CUTOVER, SPEC_F_CUTOVER, NULL},
    {OPT_RESUME, SPEC_F_RESUME, "true"},
    {OPT_RI_FULL, SPEC_F_REPLICA_IDENTITY_FULL, "true"},
    {OPT_RECONNECT_TIMEOUT, SPEC_F_RECONNECT_TIMEOUT, NULL},
    {OPT_PUBLICATION, SPEC_F_PUBLICATION, NULL},
};

/* Sets the field opt stands for: EXIT_OK, EXIT_USAGE after reporting, -2 if opt sets none. */
static int set_option(int opt, const char *arg, struct migration_spec *spec)
{
    for (size_t i = 0; i < sizeof(option_fields) / sizeof(option_fields[0]); i++)
        if (option_fields[i].opt == opt)
            return cli_spec_opt("migrate", spec, option_fields[i].field,
                                option_fields[i].value ? option_fields[i].value : arg);
    return -2;
}

/* Returns EXIT_OK to go on, EXIT_USAGE after an error, or -1 after --help. */
static int parse_args(int argc, char **argv, struct cli_conn_opts *conn,
                      struct migration_spec *spec)
{
    struct option *opts = cli_options_merge(migrate_options);
    int rc = EXIT_OK, opt;
    optind = 1;
    opterr = 0;
    while (rc == EXIT_OK && (opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, opts, NULL)) != -1) {
        int common = cli_conn_opt("migrate", opt, optarg, conn);
        if (common < 0) {
            rc = EXIT_USAGE;
            break;
        }
        if (common > 0)
            continue;
        if (opt == OPT_HELP || opt == 'h') {
            cli_help_print(stdout, &migrate_help);
            rc = -1;
        } else if ((rc = set_option(opt, optarg, spec)) == -2)
            rc = cli_option_error("migrate", opt, argv);
    }
    free(opts);
    if (rc == EXIT_OK && optind < argc)
        rc = cli_usage_error("migrate", "unexpected argument \"%s\"", argv[optind]);
    if (rc == EXIT_OK) {
        cli_conn_move_to_spec(conn, spec);
        rc = cli_spec_check("migrate", spec);
    }
    return rc;
}

int cmd_migrate(int argc, char **argv)
{
    struct cli_conn_opts conn = {0};
    struct migration_spec spec;
    migration_spec_init(&spec);
    int rc = parse_args(argc, argv, &conn, &spec);
    if (rc != EXIT_OK) {
        cli_conn_free(&conn);
        migration_spec_free(&spec);
        return rc < 0 ? EXIT_OK : rc;
    }
    if (spec.name == NULL) {
        char ts[40];
        time_format_iso(time_wall(), ts, sizeof(ts));
        spec.name = xasprintf("migration-%.19s", ts);
    }

    bool read_terminal = spec.mode == MODE_ONLINE && !spec.cutover_auto && isatty(STDIN_FILENO);
    struct cli_output *out = cli_output_new(conn.json, isatty(STDERR_FILENO), read_terminal);
    struct engine_run *run = engine_run_new(&spec, cli_output_sink(out));

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_cancel_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_cutover_signal;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct watcher w = {.run = run, .read_terminal = read_terminal};
    pthread_t watcher;
    pthread_create(&watcher, NULL, watch_signals, &w);

    cli_output_attach(out, run);
    enum mig_status st = engine_run_execute(run);
    cli_output_detach(out);
    atomic_store(&w.done, true);
    pthread_join(watcher, NULL);
    sb_free(&w.typed);
    cli_output_result(out, run);

    rc = mig_status_exit_code(st);
    engine_run_free(run);
    cli_output_free(out);
    cli_conn_free(&conn);
    migration_spec_free(&spec);
    return rc;
}
