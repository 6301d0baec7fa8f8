/*
 * common.c — options shared by the data commands, --help from the option
 * tables, and usage errors (see cli.h).
 */
#include "cli/cli.h"
#include "model/migration.h"
#include "pg/conninfo.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/namelist.h"
#include "util/proctitle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The command line, as cli_hide_passwords() saw it: usage errors may quote it. */
static int cmdline_argc;
static char **cmdline_argv;

/* The common options --help lists before a command's own ... */
static const struct cli_option conn_options[] = {
    {"source", required_argument, OPT_SOURCE, "CONNINFO",
     "the source server: a libpq URI (postgresql://user@host:port/db)\n"
     "or key=value string; the database it names (default postgres) is\n"
     "only used to connect"},
    {"target", required_argument, OPT_TARGET, "CONNINFO", "the target server, the same way"},
    {"databases", required_argument, OPT_DATABASES, "DB[,DB...]",
     "the databases, comma-separated; a name with a comma goes in double\n"
     "quotes, with \"\" for a double quote inside: --databases '\"a,b\",c'"},
    {"database", required_argument, OPT_DATABASE, "DB",
     "one database, its name taken exactly as given (no splitting, no\n"
     "quotes); repeat it for more; adds to --databases"},
    {NULL, 0, 0, NULL, NULL},
};

/* ... and after them. */
static const struct cli_option general_options[] = {
    {"output", required_argument, OPT_OUTPUT, "text|json", "text (default) or json on stdout"},
    {"log-level", required_argument, OPT_LOG_LEVEL, "LEVEL",
     "debug, info (default), notice, warn or error"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {NULL, 0, 0, NULL, NULL},
};

/* The client commands' (they talk to `pgshuttle serve`). */
static const struct cli_option client_options[] = {
    {"server", required_argument, OPT_SERVER, "URL",
     "the server's address (default $PGSHUTTLE_SERVER, else\n"
     "http://127.0.0.1:8432)"},
    {"state-dir", required_argument, OPT_STATE_DIR, "DIR",
     "the server's state directory, to read its API token from when\n"
     "PGSHUTTLE_TOKEN is not set (default $PGSHUTTLE_STATE_DIR, else\n"
     "$XDG_STATE_HOME/pgshuttle, else ~/.local/state/pgshuttle)"},
    {"output", required_argument, OPT_OUTPUT, "text|json",
     "text (default), or json: the server's answer as it is"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {NULL, 0, 0, NULL, NULL},
};

/* Where a description starts in --help. */
#define HELP_COLUMN 30

static void print_options(FILE *out, const struct cli_option *opts)
{
    for (const struct cli_option *o = opts; o->name; o++) {
        char left[128];
        int n = snprintf(left, sizeof(left), "  %s--%s%s%s", o->val == OPT_HELP ? "-h, " : "",
                         o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fputs(left, out);
        if (n >= HELP_COLUMN - 1) {
            fputc('\n', out);
            n = 0;
        }
        fprintf(out, "%*s", HELP_COLUMN - n, "");
        for (const char *h = o->help; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "%*s", HELP_COLUMN, "");
        }
        fputc('\n', out);
    }
}

void cli_help_print(FILE *out, const struct cli_help *h)
{
    fprintf(out, "Usage: pgshuttle %s %s\n\n%s\n\n", h->cmd, h->synopsis, h->about);
    if (h->common != CLI_COMMON_CLIENT)
        print_options(out, conn_options);
    if (h->options)
        print_options(out, h->options);
    print_options(out, h->common == CLI_COMMON_DATA ? general_options : client_options);
    if (h->notes)
        fprintf(out, "\n%s\n", h->notes);
}

void cli_help_print_own(FILE *out, const struct cli_help *h)
{
    fprintf(out, "Usage: pgshuttle %s %s\n\n%s\n\n", h->cmd, h->synopsis, h->about);
    print_options(out, h->options);
    if (h->notes)
        fprintf(out, "\n%s\n", h->notes);
}

int cli_option_error(const char *cmd, int opt, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (opt == ':')
        return cli_usage_error(cmd, "%s needs a value", arg);
    if (opt == '?' && optopt > 0 && optopt < 256)
        return cli_usage_error(cmd, "unknown option \"-%c\"", optopt);
    if (opt == '?' && optopt >= OPT_SOURCE)
        return cli_usage_error(cmd, "%s: this option takes no value", arg);
    return cli_usage_error(cmd, "unknown option \"%s\"", arg);
}

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

bool cli_output_opt(const char *cmd, const char *arg, bool *json)
{
    if (strcmp(arg, "json") == 0)
        *json = true;
    else if (strcmp(arg, "text") == 0)
        *json = false;
    else {
        cli_usage_error(cmd, "--output must be text or json, not \"%s\"", arg);
        return false;
    }
    return true;
}

bool cli_log_level_opt(const char *cmd, const char *arg)
{
    enum log_level level;
    if (!log_level_parse(arg, &level)) {
        cli_usage_error(cmd, "--log-level must be debug, info, notice, warn or error");
        return false;
    }
    log_configure(level, NULL, false);
    return true;
}

bool cli_lease_ttl_opt(const char *cmd, const char *arg, double *ttl)
{
    if (migration_duration_parse(arg, ttl) && *ttl >= 1.0)
        return true;
    cli_usage_error(cmd, "--lease-ttl must be a duration of 1s or more");
    return false;
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
    case OPT_DATABASES: {
        char *err = NULL;
        if (!namelist_parse(arg, &o->databases, &err)) {
            cli_usage_error(cmd,
                            "--databases: %s. A name with a comma goes in double quotes "
                            "(--databases '\"a,b\",c'), or give it with --database NAME",
                            err);
            free(err);
            return -1;
        }
        return 1;
    }
    case OPT_DATABASE:
        if (arg[0] == '\0') {
            cli_usage_error(cmd, "--database needs a database name, not an empty string");
            return -1;
        }
        sl_push(&o->databases, arg);
        return 1;
    case OPT_OUTPUT:
        return cli_output_opt(cmd, arg, &o->json) ? 1 : -1;
    case OPT_LOG_LEVEL:
        return cli_log_level_opt(cmd, arg) ? 1 : -1;
    default:
        return 0;
    }
}

bool cli_conn_check(const char *cmd, const struct cli_conn_opts *o)
{
    char *err = NULL;
    if (migration_endpoints_check(o->source, o->target, &o->databases, SPEC_NAMING_OPTION, &err))
        return true;
    cli_usage_error(cmd, "%s", err);
    free(err);
    return false;
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

static size_t add_options(struct option *all, size_t n, const struct cli_option *opts)
{
    for (const struct cli_option *o = opts; o && o->name; o++)
        all[n++] = (struct option){o->name, o->has_arg, NULL, o->val};
    return n;
}

void cli_options_own(const struct cli_option *own, struct option *out)
{
    out[add_options(out, 0, own)] = (struct option){NULL, 0, NULL, 0};
}

struct option *cli_options_merge(const struct cli_option *extra)
{
    return cli_options_merge_for(CLI_COMMON_DATA, extra);
}

struct option *cli_options_merge_for(enum cli_common common, const struct cli_option *extra)
{
    size_t count = 1;
    const struct cli_option *tables[] = {common == CLI_COMMON_CLIENT ? NULL : conn_options, extra,
                                         common == CLI_COMMON_DATA ? general_options
                                                                   : client_options};
    for (size_t t = 0; t < 3; t++)
        for (const struct cli_option *o = tables[t]; o && o->name; o++)
            count++;
    struct option *all = xcalloc(count, sizeof(struct option));
    size_t n = 0;
    for (size_t t = 0; t < 3; t++)
        n = add_options(all, n, tables[t]);
    return all;
}

int cli_spec_opt(const char *cmd, struct migration_spec *spec, enum spec_field f, const char *value)
{
    char *err = NULL;
    if (migration_spec_set(spec, f, value, SPEC_NAMING_OPTION, &err))
        return EXIT_OK;
    int rc = cli_usage_error(cmd, "%s", err);
    free(err);
    return rc;
}

int cli_spec_check(const char *cmd, const struct migration_spec *spec)
{
    char *err = NULL;
    if (migration_spec_check(spec, SPEC_NAMING_OPTION, &err))
        return EXIT_OK;
    int rc = cli_usage_error(cmd, "%s", err);
    free(err);
    return rc;
}
