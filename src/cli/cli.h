/*
 * cli.h — what the command-line files share: the command table entries,
 * exit codes, the options every data command takes, and the option tables
 * that getopt_long and --help both read, so that every option a command
 * accepts is described in its --help.
 */
#ifndef PGSHUTTLE_CLI_CLI_H
#define PGSHUTTLE_CLI_CLI_H

#include "model/migration.h"
#include "util/buf.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#define EXIT_OK         0
#define EXIT_FAILED     1
#define EXIT_VALIDATION 2
#define EXIT_CANCELED   3
#define EXIT_USAGE      64
#define EXIT_NO_SERVER  69 /* client commands: no server answered (EX_UNAVAILABLE) */
#define EXIT_TOKEN      77 /* client commands: the server refused the token (EX_NOPERM) */

/*
 * If any argument holds a password (pgconninfo_redact), shows the command
 * line with each one replaced by ***** as the process title (ps, pgrep -f,
 * /proc/PID/cmdline), which then gives away neither the password nor its
 * length. argv then points at copies (proctitle_init); call it first in main.
 * Also keeps argv for cli_usage_error().
 */
void cli_hide_passwords(int argc, char **argv);

/*
 * Prints "pgshuttle CMD: message" and a hint to stderr; returns EXIT_USAGE.
 * The message is redacted against every argument (it may quote one).
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One long option: what getopt_long needs, and its entry in --help. */
struct cli_option {
    const char *name; /* without the leading "--" */
    int has_arg;      /* no_argument or required_argument */
    int val;          /* what getopt_long returns for it */
    const char *arg;  /* the value's placeholder in --help, NULL for a flag */
    const char *help; /* what it does; '\n' starts another line */
};

/*
 * Which shared options a command takes besides its own: the data commands'
 * (--source, --target, --databases, --database, --output, --log-level), the
 * client commands' (--server, --state-dir, --output), or both (create).
 */
enum cli_common {
    CLI_COMMON_DATA = 0,
    CLI_COMMON_CLIENT,
    CLI_COMMON_CLIENT_CONN,
};

/* What `pgshuttle CMD --help` prints: usage, what the command does, options, notes. */
struct cli_help {
    const char *cmd;                  /* "migrate" */
    const char *synopsis;             /* after "Usage: pgshuttle CMD " */
    const char *about;                /* a paragraph: what the command does */
    const struct cli_option *options; /* the command's own, ended by a NULL name */
    const char *notes;                /* after the options (exit codes, ...), or NULL */
    enum cli_common common;           /* the shared options it lists (default: the data ones) */
};

/*
 * Prints the help: usage, about, the common connection and database options
 * (unless a client command's), the command's own, then --output, --log-level
 * and --help (a client command: --server, --state-dir, --output, --help),
 * then the notes.
 */
void cli_help_print(FILE *out, const struct cli_help *h);
/* The same for a command that takes none of the shared options (serve, worker): its own only. */
void cli_help_print_own(FILE *out, const struct cli_help *h);

/*
 * The getopt short options every data command takes (-h), with a leading
 * ':' so that a missing value is told apart from an unknown option.
 */
#define CLI_SHORT_OPTIONS ":h"

/*
 * Reports a getopt result the command does not handle: a missing value
 * (':'), an unknown option, or an option this command does not take.
 * Returns EXIT_USAGE.
 */
int cli_option_error(const char *cmd, int opt, char **argv);

/*
 * --source, --target, --databases, --database, --output, --log-level, --help:
 * taken by migrate, validate, verify.
 */
struct cli_conn_opts {
    char *source; /* owned */
    char *target; /* owned */
    strlist databases;
    bool json;
};

enum {
    OPT_SOURCE = 1000,
    OPT_TARGET,
    OPT_DATABASES,
    OPT_DATABASE,
    OPT_OUTPUT,
    OPT_LOG_LEVEL,
    OPT_HELP, /* handled by each command, like -h */
    OPT_SERVER,
    OPT_STATE_DIR,
    OPT_COMMON_LAST
};

/*
 * Takes one getopt result. Returns 1 if it was a common option (consumed),
 * 0 if not (also for --help and -h, which the command prints), or -1 on a
 * bad value (already reported).
 */
int cli_conn_opt(const char *cmd, int opt, const char *arg, struct cli_conn_opts *o);
/* Checks them (migration_endpoints_check); returns false after reporting. */
bool cli_conn_check(const char *cmd, const struct cli_conn_opts *o);
void cli_conn_free(struct cli_conn_opts *o);
/* Hands source, target and databases over to spec (o keeps nothing of them). */
void cli_conn_move_to_spec(struct cli_conn_opts *o, struct migration_spec *spec);
/*
 * Sets a field of spec from an option's value through the model's rules
 * (migration_spec_set): EXIT_OK, or EXIT_USAGE after reporting the model's
 * message. Flags pass "true".
 */
int cli_spec_opt(const char *cmd, struct migration_spec *spec, enum spec_field f,
                 const char *value);
/*
 * The rules across options (migration_spec_check), once source, target and
 * databases are in spec: EXIT_OK, or EXIT_USAGE after reporting.
 */
int cli_spec_check(const char *cmd, const struct migration_spec *spec);
/* --output text|json into *json; false (reported) if it is neither. */
bool cli_output_opt(const char *cmd, const char *arg, bool *json);
/* --log-level LEVEL, applied at once; false (reported) if it names no level. */
bool cli_log_level_opt(const char *cmd, const char *arg);
/* --lease-ttl DURATION of 1s or more into *ttl; false (reported) if it is not. */
bool cli_lease_ttl_opt(const char *cmd, const char *arg, double *ttl);
/*
 * Fills out, which has room for every option of own and the end, with the
 * getopt_long array of a command that takes only its own options.
 */
void cli_options_own(const struct cli_option *own, struct option *out);
/* The getopt_long array for the data commands' common options plus extra (caller frees). */
struct option *cli_options_merge(const struct cli_option *extra);
/* The same for the shared options common names (caller frees). */
struct option *cli_options_merge_for(enum cli_common common, const struct cli_option *extra);

int cmd_migrate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_validate(int argc, char **argv);
/* The service's client commands (cmd_client_*.c). */
int cmd_create(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_cutover(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_confirm_overwrite(int argc, char **argv);
int cmd_nodes(int argc, char **argv);
int cmd_node(int argc, char **argv);
/* The service: `serve` and the worker it starts (cmd_serve.c, cmd_worker.c). */
int cmd_serve(int argc, char **argv);
int cmd_worker(int argc, char **argv);
/* The nodes of a shared store: their secret key (cmd_secret_key.c). */
int cmd_secret_key(int argc, char **argv);

#endif
