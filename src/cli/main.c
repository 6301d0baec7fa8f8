/*
 * main.c — the pgshuttle binary: dispatches the first argument through the
 * command table to one command group's file.
 */
#include "cli/cli.h"
#include "util/log.h"
#include "util/proctitle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"migrate", cmd_migrate, "migrate databases from a source to a target server"},
    {"validate", cmd_validate, "check source, target and databases before migrating"},
    {"verify", cmd_verify, "compare schema and data of databases on source and target"},
    /* the service, and its client commands that talk to it */
    {"serve", cmd_serve, "run the migration service: HTTP API and a worker per migration"},
    {"worker", cmd_worker, "run one migration of serve's store (internal: serve starts it)"},
    {"secret-key", cmd_secret_key, "write a new secret key for the nodes of a shared store"},
    {"create", cmd_create, "ask the server to run a migration"},
    {"list", cmd_list, "list the server's migrations"},
    {"show", cmd_show, "show one migration: properties, status, checks, databases"},
    {"watch", cmd_watch, "follow a migration's progress until it ends or waits for you"},
    {"cutover", cmd_cutover, "cut an online migration over"},
    {"cancel", cmd_cancel, "cancel a migration, or some of its databases"},
    {"confirm-overwrite", cmd_confirm_overwrite, "let a migration drop existing target databases"},
    {"delete", cmd_delete, "cancel a migration if it runs, and remove it"},
    {"nodes", cmd_nodes, "list the service's nodes: state, migrations running, heartbeat"},
    {"node", cmd_node, "drain a node (it takes no new migration) or resume it"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "pgshuttle %s — PostgreSQL migration service\n\nUsage: pgshuttle COMMAND "
            "[OPTIONS]\n\nCommands:\n",
            PGSHUTTLE_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'pgshuttle COMMAND --help' (or -h, or 'pgshuttle help COMMAND') for a "
                 "command's options.\n");
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    /* a worker shows its own title (pgshuttle worker NAME): take the argument area over first */
    if (argc > 1 && strcmp(argv[1], "worker") == 0)
        proctitle_init(argc, argv);
    cli_hide_passwords(argc, argv);
    log_configure(LOG_INFO, stderr, false);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 && argc > 2) {
        /* pgshuttle help COMMAND: the same as pgshuttle COMMAND --help */
        const struct command *c = find_command(argv[2]);
        if (c == NULL) {
            fprintf(stderr, "pgshuttle help: unknown command \"%s\"\n\n", argv[2]);
            usage(stderr);
            return EXIT_USAGE;
        }
        char *help_argv[] = {argv[2], "--help", NULL};
        return c->run(2, help_argv);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("pgshuttle %s\n", PGSHUTTLE_VERSION);
        return EXIT_OK;
    }
    const struct command *c = find_command(argv[1]);
    if (c)
        return c->run(argc - 1, argv + 1);
    fprintf(stderr, "pgshuttle: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
