/* common.c — options shared by the data commands, and usage errors (see cli.h). */
#include "cli/cli.h"
#include "model/migration.h"
#include "pg/conninfo.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proctitle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct option cli_conn_options[] = {
    {"source", required_argument, NULL, OPT_SOURCE},
    {"target", required_argument, NULL, OPT_TARGET},
    {"databases", required_argument, NULL, OPT_DATABASES},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {NULL, 0, NULL, 0},
};

/* The command line, as cli_hide_passwords() saw it: usage errors may quote it. */
static int cmdline_argc;
static char **cmdline_argv;

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *msg = n >= 0 ? xmalloc((size_t) n + 1) : NULL;
    if (msg)
        vsnprintf(msg, (size_t) n + 1, fmt, again);
    va_end(again);
    va_end(ap);
    /* An unknown option or a stray argument is quoted as given: mask what it holds. */
    for (int i = 1; msg && i < cmdline_argc; i++) {
        char *redacted = pgconninfo_redact(msg, cmdline_argv[i]);
        free(msg);
        msg = redacted;
    }
    fprintf(stderr, "pgshuttle %s: %s\nTry 'pgshuttle %s --help'.\n", cmd, msg ? msg : "bad usage",
            cmd);
    free(msg);
    return EXIT_USAGE;
}

static bool conninfo_ok(const char *cmd, const char *which, const char *value)
{
    char *err = NULL;
    if (pgconninfo_valid(value, &err))
        return true;
    cli_usage_error(cmd, "--%s is not a valid connection string: %s", which, err);
    free(err);
    return false;
}

void cli_hide_passwords(int argc, char **argv)
{
    cmdline_argc = argc;
    cmdline_argv = argv;
    strbuf title = STRBUF_INIT;
    bool changed = false;
    for (int i = 0; i < argc; i++) {
        char *shown = pgconninfo_redact(argv[i], argv[i]);
        changed = changed || strcmp(shown, argv[i]) != 0;
        if (i > 0)
            sb_appendc(&title, ' ');
        sb_append(&title, shown);
        free(shown);
    }
    if (changed) {
        proctitle_init(argc, argv);
        proctitle_set(sb_str(&title));
    }
    sb_free(&title);
}

int cli_conn_opt(const char *cmd, int opt, const char *arg, struct cli_conn_opts *o)
{
    switch (opt) {
    case OPT_SOURCE:
        if (!conninfo_ok(cmd, "source", arg))
            return -1;
        free(o->source);
        o->source = xstrdup(arg);
        return 1;
    case OPT_TARGET:
        if (!conninfo_ok(cmd, "target", arg))
            return -1;
        free(o->target);
        o->target = xstrdup(arg);
        return 1;
    case OPT_DATABASES:
        sl_free(&o->databases);
        sl_split(&o->databases, arg, ',');
        return 1;
    case OPT_OUTPUT:
        if (strcmp(arg, "json") == 0)
            o->json = true;
        else if (strcmp(arg, "text") == 0)
            o->json = false;
        else {
            cli_usage_error(cmd, "--output must be text or json, not \"%s\"", arg);
            return -1;
        }
        return 1;
    case OPT_LOG_LEVEL: {
        enum log_level level;
        if (!log_level_parse(arg, &level)) {
            cli_usage_error(cmd, "--log-level must be debug, info, notice, warn or error");
            return -1;
        }
        log_configure(level, NULL, false);
        return 1;
    }
    default:
        return 0;
    }
}

bool cli_conn_check(const char *cmd, const struct cli_conn_opts *o)
{
    if (o->source == NULL) {
        cli_usage_error(cmd, "--source is required");
        return false;
    }
    if (o->target == NULL) {
        cli_usage_error(cmd, "--target is required");
        return false;
    }
    if (o->databases.n == 0) {
        cli_usage_error(cmd, "--databases is required (one or more names, comma-separated)");
        return false;
    }
    for (size_t i = 0; i < o->databases.n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->databases.items[i], o->databases.items[j]) == 0) {
                cli_usage_error(cmd, "database \"%s\" is named twice in --databases",
                                o->databases.items[i]);
                return false;
            }
    return true;
}

void cli_conn_free(struct cli_conn_opts *o)
{
    free(o->source);
    free(o->target);
    sl_free(&o->databases);
}

void cli_conn_move_to_spec(struct cli_conn_opts *o, struct migration_spec *spec)
{
    free(spec->source);
    free(spec->target);
    sl_free(&spec->databases);
    spec->source = o->source;
    spec->target = o->target;
    spec->databases = o->databases;
    o->source = o->target = NULL;
    memset(&o->databases, 0, sizeof(o->databases));
}

struct option *cli_options_merge(const struct option *extra)
{
    size_t n = 0, m = 0;
    while (cli_conn_options[n].name)
        n++;
    while (extra && extra[m].name)
        m++;
    struct option *all = xcalloc(n + m + 1, sizeof(struct option));
    memcpy(all, cli_conn_options, n * sizeof(struct option));
    if (m)
        memcpy(all + n, extra, m * sizeof(struct option));
    return all;
}
