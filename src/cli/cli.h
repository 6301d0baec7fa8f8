/*
 * cli.h — what the command-line files share: the command table entries,
 * exit codes, and the options every data command takes.
 */
#ifndef PGSHUTTLE_CLI_CLI_H
#define PGSHUTTLE_CLI_CLI_H

#include "util/buf.h"

#include <getopt.h>
#include <stdbool.h>

#define EXIT_OK         0
#define EXIT_FAILED     1
#define EXIT_VALIDATION 2
#define EXIT_CANCELED   3
#define EXIT_USAGE      64

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

/* --source, --target, --databases, --output, --log-level: taken by migrate, validate, verify. */
struct cli_conn_opts {
    char *source; /* owned */
    char *target; /* owned */
    strlist databases;
    bool json;
};

enum { OPT_SOURCE = 1000, OPT_TARGET, OPT_DATABASES, OPT_OUTPUT, OPT_LOG_LEVEL, OPT_COMMON_LAST };

/* The getopt_long entries for the options above (terminated by a zero entry). */
extern const struct option cli_conn_options[];

/*
 * Takes one getopt result. Returns 1 if it was a common option (consumed),
 * 0 if not, or -1 on a bad value (already reported).
 */
int cli_conn_opt(const char *cmd, int opt, const char *arg, struct cli_conn_opts *o);
/* Checks the required ones are there; returns false after reporting. */
bool cli_conn_check(const char *cmd, const struct cli_conn_opts *o);
void cli_conn_free(struct cli_conn_opts *o);
/* Hands source, target and databases over to spec (o keeps nothing of them). */
struct migration_spec;
void cli_conn_move_to_spec(struct cli_conn_opts *o, struct migration_spec *spec);
/* Builds a long-options array from the common ones plus extra (caller frees). */
struct option *cli_options_merge(const struct option *extra);

int cmd_migrate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_validate(int argc, char **argv);

#endif
