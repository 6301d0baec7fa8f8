/*
 * client.h — what the service's client commands (cmd_client_*.c) share:
 * their options (--server, --state-dir, --output), where the server and its
 * token are, and one call to the API that turns every way it can go wrong
 * into a message and an exit code (docs/CLI.md, Client commands).
 */
#ifndef PGSHUTTLE_CLI_CLIENT_H
#define PGSHUTTLE_CLI_CLIENT_H

#include "cli/cli.h"

#include <jansson.h>
#include <stdbool.h>

/* The exit codes a client command's --help ends with; refusals: what the server may refuse. */
#define CLIENT_EXIT_NOTES_FOR(refusals)                                                            \
    "Exit codes: 0 ok, 1 refused by the server (" refusals "), 64 bad usage,\n"                    \
    "69 no server answered, 77 the server refused the token."

/* The server when neither --server nor PGSHUTTLE_SERVER says. */
#define CLIENT_DEFAULT_SERVER "http://127.0.0.1:8432"

struct client_opts {
    char *server;    /* owned: --server, or NULL */
    char *state_dir; /* owned: --state-dir, or NULL */
    bool json;       /* --output json */
};

/*
 * Takes one getopt result: 1 if it was --server, --state-dir or --output
 * (consumed), 0 if not, -1 on a bad value (reported as cmd's usage error).
 */
int client_opt(const char *cmd, int opt, const char *arg, struct client_opts *o);
void client_opts_free(struct client_opts *o);

/*
 * Checks a migration's name by the model's rule (migration_name_check:
 * ^[a-z][a-z0-9-]{0,62}$); false after reporting a usage error as cmd's.
 */
bool client_name_check(const char *cmd, const char *name);

/*
 * Sends method path (under /api/v1) with body (borrowed, or NULL) to the
 * server. On an answer with a 2xx status, returns EXIT_OK with *answer the
 * parsed JSON (new reference; NULL when the body is empty) and *raw the body
 * as sent (caller frees; NULL if raw is NULL), and *status the HTTP status
 * (if status is not NULL). Otherwise it prints why on
 * stderr and returns EXIT_NO_SERVER (nothing answers), EXIT_TOKEN (401) or
 * EXIT_FAILED (the API's error message, or what else went wrong).
 */
int client_call(const char *cmd, const struct client_opts *o, const char *method, const char *path,
                const json_t *body, json_t **answer, char **raw, long *status);

/* The NAME a client command takes after its options, if any. */
enum client_name {
    CLIENT_NO_NAME = 0,
    CLIENT_MIGRATION_NAME, /* checked by the model's rule */
    CLIENT_NODE_NAME,      /* any non-empty name (the nodes name themselves) */
};

/*
 * Parses a client command's arguments: the shared client options, a NAME
 * of name_kind (stored into *name, borrowed from argv), and the command's own
 * options through own_opt (may be NULL): it returns 1 if it took opt, 0 if
 * not, -1 after reporting. Returns EXIT_OK, EXIT_USAGE after reporting, or
 * -1 after printing --help.
 */
int client_parse(int argc, char **argv, const struct cli_help *help, enum client_name name_kind,
                 const char **name, struct client_opts *o,
                 int (*own_opt)(int opt, const char *arg, void *ctx), void *ctx);

/*
 * GET path (a list: {"value": [...]}) and print it: the answer as it came
 * with --output json, else format(value)'s text (a new string). Returns
 * client_call's exit code.
 */
int client_list(const char *cmd, const struct client_opts *o, const char *path,
                char *(*format)(const json_t *value));

/* Prints a JSON document on stdout as it came (indented), with a newline. */
void client_print_json(const json_t *doc);

#endif
