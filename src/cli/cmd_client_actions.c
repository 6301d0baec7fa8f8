/*
 * cmd_client_actions.c — the client commands that ask the service to act on
 * a migration: `cutover NAME`, `cancel NAME` (both for all its databases or
 * some), `confirm-overwrite NAME` (PATCH /api/v1/migrations/NAME) and
 * `delete NAME` (DELETE). The server records the request; the migration's
 * worker takes it within a second (docs/SERVICE.md, Requests).
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/mem.h"
#include "util/namelist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTION_EXIT_NOTES                                                                          \
    "Exit codes: 0 the server took the request, 1 it refused it (no such migration, or\n"          \
    "its state does not allow it: the message says which state it is in), 64 bad usage,\n"         \
    "69 no server answered, 77 the server refused the token."

static const struct cli_option databases_option[] = {
    {"databases", required_argument, OPT_DATABASES, "DB[,DB...]",
     "only these databases of the migration (default: all of them)"},
    {NULL, 0, 0, NULL, NULL},
};

/* One action: its help, and the PATCH it sends (NULL: a DELETE). */
struct action {
    struct cli_help help;
    const char *flag;   /* the property set true: "triggerCutover", "cancel", ... */
    const char *dbs;    /* the property naming some databases, or NULL if it takes none */
    const char *done;   /* what text output says, before the name (not for delete) */
    bool delete_method; /* DELETE instead of PATCH */
};

static const struct action cutover_action = {
    .help =
        {
            .cmd = "cutover",
            .synopsis = "NAME [--databases DB[,DB...]] [OPTIONS]",
            .about = "Asks an online migration to cut over: once a database has caught up, its\n"
                     "stream stops, sequences are set and the database is ready on the target.",
            .options = databases_option,
            .notes = "With --output json: the server's answer as it is.\n" ACTION_EXIT_NOTES,
            .common = CLI_COMMON_CLIENT,
        },
    .flag = "triggerCutover",
    .dbs = "dbsToTriggerCutoverOn",
    .done = "Cutover requested for",
};

static const struct action cancel_action = {
    .help =
        {
            .cmd = "cancel",
            .synopsis = "NAME [--databases DB[,DB...]] [OPTIONS]",
            .about = "Cancels a migration, or some of its databases: their streams' slots and\n"
                     "publications are dropped on the source, their target databases dropped.",
            .options = databases_option,
            .notes = "With --output json: the server's answer as it is.\n" ACTION_EXIT_NOTES,
            .common = CLI_COMMON_CLIENT,
        },
    .flag = "cancel",
    .dbs = "dbsToCancelMigrationOn",
    .done = "Cancel requested for",
};

static const struct action confirm_action = {
    .help =
        {
            .cmd = "confirm-overwrite",
            .synopsis = "NAME [OPTIONS]",
            .about = "Confirms that a migration waiting for overwrite confirmation may drop the\n"
                     "target databases that already exist, and go on.",
            .notes = "With --output json: the server's answer as it is.\n" ACTION_EXIT_NOTES,
            .common = CLI_COMMON_CLIENT,
        },
    .flag = "overwriteDbsInTarget",
    .done = "Overwrite confirmed for",
};

static const struct action delete_action = {
    .help =
        {
            .cmd = "delete",
            .synopsis = "NAME [OPTIONS]",
            .about = "Removes a migration from the server: cancels it first if it still runs\n"
                     "(as `pgshuttle cancel`), then forgets it, its events and its log.",
            .notes = "With --output json: nothing (the server answers 204, no "
                     "content).\n" ACTION_EXIT_NOTES,
            .common = CLI_COMMON_CLIENT,
        },
    .delete_method = true,
};

struct databases_arg {
    const char *cmd;
    strlist dbs;
};

static int databases_opt(int opt, const char *arg, void *ctx)
{
    struct databases_arg *d = ctx;
    if (opt != OPT_DATABASES)
        return 0;
    char *err = NULL;
    if (!namelist_parse(arg, &d->dbs, &err)) {
        cli_usage_error(d->cmd, "--databases: %s", err);
        free(err);
        return -1;
    }
    return 1;
}

/* {"properties":{flag:true, dbs:[...]}} */
static json_t *patch_body(const struct action *a, const strlist *dbs)
{
    json_t *p = json_object();
    json_object_set_new(p, a->flag, json_true());
    if (a->dbs && dbs->n > 0) {
        json_t *names = json_array();
        for (size_t i = 0; i < dbs->n; i++)
            json_array_append_new(names, json_string(dbs->items[i]));
        json_object_set_new(p, a->dbs, names);
    }
    json_t *body = json_object();
    json_object_set_new(body, "properties", p);
    return body;
}

static int run_action(const struct action *a, int argc, char **argv)
{
    const char *cmd = a->help.cmd;
    struct client_opts o = {0};
    struct databases_arg d = {.cmd = cmd};
    const char *name = NULL;
    int rc = client_parse(argc, argv, &a->help, CLIENT_MIGRATION_NAME, &name, &o,
                          a->dbs ? databases_opt : NULL, &d);
    if (rc == EXIT_OK) {
        char *path = xasprintf("/migrations/%s", name);
        json_t *body = a->delete_method ? NULL : patch_body(a, &d.dbs);
        char *raw = NULL;
        long status = 0;
        rc = client_call(cmd, &o, a->delete_method ? "DELETE" : "PATCH", path, body, NULL, &raw,
                         &status);
        if (rc == EXIT_OK && o.json) {
            if (raw && raw[0])
                printf("%s\n", raw);
        } else if (rc == EXIT_OK) {
            if (a->delete_method && status == 202)
                /* still active: the worker cancels it, then the server removes it */
                printf("Delete requested for %s: it is canceled, then removed. Follow it with: "
                       "pgshuttle watch %s\n",
                       name, name);
            else if (a->delete_method)
                printf("Deleted %s.\n", name);
            else
                printf("%s %s. Follow it with: pgshuttle watch %s\n", a->done, name, name);
        }
        free(raw);
        json_decref(body);
        free(path);
    }
    sl_free(&d.dbs);
    client_opts_free(&o);
    return rc < 0 ? EXIT_OK : rc;
}

int cmd_cutover(int argc, char **argv)
{
    return run_action(&cutover_action, argc, argv);
}

int cmd_cancel(int argc, char **argv)
{
    return run_action(&cancel_action, argc, argv);
}

int cmd_confirm_overwrite(int argc, char **argv)
{
    return run_action(&confirm_action, argc, argv);
}

int cmd_delete(int argc, char **argv)
{
    return run_action(&delete_action, argc, argv);
}
