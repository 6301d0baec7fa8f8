/*
 * cmd_migrate.c — `pgshuttle migrate`: runs a migration in the foreground,
 * with a live display on a terminal or JSON lines for scripts. SIGINT and
 * SIGTERM cancel it; the handler only sets a flag, which a watcher thread
 * turns into an engine cancel.
 */
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/spec_options.h"
#include "engine/engine.h"
#include "model/migration.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/signals.h"
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

static const struct cli_help migrate_help = {
    .cmd = "migrate",
    .synopsis = "--source CONNINFO --target CONNINFO --databases DB[,DB...] [OPTIONS]",
    .about = "Migrates whole databases from the source server to the target server: each is\n"
             "created on the target under the same name.",
    .options = NULL, /* the spec options: spec_options_table() */
    .notes = "With --output json: one JSON object per line on stdout.\n"
             "Exit codes: 0 succeeded, 1 failed, 2 validation failed, 3 canceled, 64 bad usage.",
};

/* Returns EXIT_OK to go on, EXIT_USAGE after an error, or -1 after --help. */
static int parse_args(int argc, char **argv, struct cli_conn_opts *conn,
                      struct migration_spec *spec)
{
    struct cli_option *own = spec_options_table(SPEC_OPTIONS_MIGRATE, NULL);
    struct cli_help help = migrate_help;
    help.options = own;
    struct option *opts = cli_options_merge(own);
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
            cli_help_print(stdout, &help);
            rc = -1;
        } else if ((rc = spec_option_set("migrate", SPEC_OPTIONS_MIGRATE, opt, optarg, spec)) == -2)
            rc = cli_option_error("migrate", opt, argv);
    }
    free(opts);
    free(own);
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

    signals_on_stop(on_cancel_signal);
    signals_handle(SIGUSR1, on_cutover_signal);
    signals_handle(SIGPIPE, SIG_IGN);
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
