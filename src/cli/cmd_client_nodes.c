/*
 * cmd_client_nodes.c — the client commands on the service's nodes (the
 * `serve` processes sharing one store): `pgshuttle nodes` lists them
 * (GET /api/v1/nodes), `pgshuttle node drain NAME` and `node resume NAME`
 * mark one (POST /api/v1/nodes/NAME/drain|resume). The server only records
 * the mark; the node's supervisor acts on it (docs/API.md, Nodes).
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/client_format.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_EXIT_NOTES CLIENT_EXIT_NOTES_FOR("no such node, ...")

static const struct cli_help nodes_help = {
    .cmd = "nodes",
    .synopsis = "[OPTIONS]",
    .about = "Lists the nodes of the service (the `pgshuttle serve` processes sharing its\n"
             "store): Name, State (Up, Draining, Down: no heartbeat for 10 s, Stopped),\n"
             "Running (migrations), Capacity, Heartbeat age, Address, Version.",
    .notes =
        "With --output json: the server's answer as it is ({\"value\":[...]}).\n" NODE_EXIT_NOTES,
    .common = CLI_COMMON_CLIENT,
};

/* One subcommand of `pgshuttle node`. */
struct node_action {
    struct cli_help help;
    const char *verb; /* the route's last segment: "drain", "resume" */
    const char *done; /* what text output says after the name */
};

static const struct node_action node_actions[] = {
    {
        .help =
            {
                .cmd = "node drain",
                .synopsis = "NAME [OPTIONS]",
                .about =
                    "Drains a node: it takes no new migration, and hands the ones it runs over\n"
                    "to the other nodes. The drain is done when `pgshuttle nodes` shows it\n"
                    "running none; `pgshuttle node resume NAME` undoes it.",
                .notes = "With --output json: the node as the server answers it.\n" NODE_EXIT_NOTES,
                .common = CLI_COMMON_CLIENT,
            },
        .verb = "drain",
        .done = "drains: it takes no new migration and hands its running ones over. Follow it "
                "with: pgshuttle nodes",
    },
    {
        .help =
            {
                .cmd = "node resume",
                .synopsis = "NAME [OPTIONS]",
                .about = "Ends a node's drain: it takes new migrations again.",
                .notes = "With --output json: the node as the server answers it.\n" NODE_EXIT_NOTES,
                .common = CLI_COMMON_CLIENT,
            },
        .verb = "resume",
        .done = "takes new migrations again.",
    },
};

#define N_NODE_ACTIONS (sizeof(node_actions) / sizeof(node_actions[0]))

int cmd_nodes(int argc, char **argv)
{
    struct client_opts o = {0};
    int rc = client_parse(argc, argv, &nodes_help, CLIENT_NO_NAME, NULL, &o, NULL, NULL);
    if (rc == EXIT_OK)
        rc = client_list("nodes", &o, "/nodes", client_nodes_format);
    client_opts_free(&o);
    return rc < 0 ? EXIT_OK : rc;
}

/* name as one path segment: every byte but the unreserved ones as %XX. Caller frees. */
static char *path_segment(const char *name)
{
    static const char unreserved[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-._~";
    strbuf sb = STRBUF_INIT;
    for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
        if (strchr(unreserved, *p))
            sb_appendc(&sb, (char) *p);
        else
            sb_printf(&sb, "%%%02X", *p);
    }
    return sb_steal(&sb);
}

static int run_node_action(const struct node_action *a, int argc, char **argv)
{
    struct client_opts o = {0};
    const char *name = NULL;
    int rc = client_parse(argc, argv, &a->help, CLIENT_NODE_NAME, &name, &o, NULL, NULL);
    if (rc == EXIT_OK) {
        char *segment = path_segment(name);
        char *path = xasprintf("/nodes/%s/%s", segment, a->verb);
        char *raw = NULL;
        rc = client_call(a->help.cmd, &o, "POST", path, NULL, NULL, &raw, NULL);
        if (rc == EXIT_OK && o.json)
            printf("%s\n", raw ? raw : "");
        else if (rc == EXIT_OK)
            printf("Node %s %s\n", name, a->done);
        free(raw);
        free(path);
        free(segment);
    }
    client_opts_free(&o);
    return rc < 0 ? EXIT_OK : rc;
}

static const struct cli_option node_group_options[] = {
    {"help", no_argument, OPT_HELP, NULL,
     "print this help and exit (each subcommand has its own:\n"
     "pgshuttle node drain --help)"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help node_group_help = {
    .cmd = "node",
    .synopsis = "drain|resume NAME [OPTIONS]",
    .about = "Acts on one node of the service:\n"
             "  drain    it takes no new migration and hands its running ones over\n"
             "  resume   it takes new migrations again",
    .options = node_group_options,
};

int cmd_node(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("node", "drain or resume? (pgshuttle node drain|resume NAME)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help_print_own(stdout, &node_group_help);
        return EXIT_OK;
    }
    for (size_t i = 0; i < N_NODE_ACTIONS; i++)
        if (strcmp(argv[1], node_actions[i].verb) == 0)
            return run_node_action(&node_actions[i], argc - 1, argv + 1);
    if (argv[1][0] == '-')
        return cli_usage_error("node", "unknown option \"%s\": drain or resume comes first",
                               argv[1]);
    return cli_usage_error("node", "unknown subcommand \"%s\": drain or resume", argv[1]);
}
