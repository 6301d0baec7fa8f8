/*
 * cmd_client_create.c — `pgshuttle create NAME`: asks the service to run a
 * migration (PUT /api/v1/migrations/NAME). Its properties come from the same
 * options as `pgshuttle migrate` (cli/spec_options.c), checked here by the
 * model's rules, or as they are from a JSON file (--properties), which the
 * server checks.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/spec_options.h"
#include "model/migration.h"
#include "model/migration_json.h"
#include "model/utc_time.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_PROPERTIES = OPT_SPEC_LAST,
    OPT_WINDOW_START,
};

static const struct cli_option create_own_options[] = {
    {"window-start", required_argument, OPT_WINDOW_START, "ISO-TIME",
     "start no earlier than this time, e.g. 2026-12-24T22:00:00Z\n"
     "(migrationWindowStartTimeInUtc; default: at once)"},
    {"properties", required_argument, OPT_PROPERTIES, "FILE.json",
     "the properties as the API takes them, instead of the options\n"
     "above: {\"properties\":{...}} or the properties object itself\n"
     "(- reads stdin)"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help create_help = {
    .cmd = "create",
    .synopsis = "NAME --source CONNINFO --target CONNINFO --databases DB[,DB...] [OPTIONS]\n"
                "       pgshuttle create NAME --properties FILE.json",
    .about = "Asks the pgshuttle server (`pgshuttle serve`) to migrate whole databases from the\n"
             "source server to the target server, under the name NAME (a lowercase letter,\n"
             "then lowercase letters, digits and '-'). The server keeps the connection\n"
             "strings, passwords included, in its state store and runs the migration in the\n"
             "background: follow it with `pgshuttle watch NAME`.",
    .notes = "With --output json: the created migration as the server answers it.\n"
             "Exit codes: 0 created, 1 refused by the server (the name exists, a property is\n"
             "wrong), 64 bad usage, 69 no server answered, 77 the server refused the token.",
    .common = CLI_COMMON_CLIENT_CONN,
};

struct create_args {
    struct cli_conn_opts conn;
    struct migration_spec spec;
    const char *properties;   /* borrowed from argv */
    bool any_spec_option;     /* a property given as an option (not with --properties) */
    bool given[SPEC_F_COUNT]; /* the fields an option set: the body has these only */
};

static int create_opt(int opt, const char *arg, void *ctx)
{
    struct create_args *a = ctx;
    if (opt == OPT_PROPERTIES) {
        a->properties = arg;
        return 1;
    }
    if (opt == OPT_WINDOW_START) {
        a->any_spec_option = true;
        if (utc_time_parse(arg, &a->spec.window_start))
            return 1;
        cli_usage_error("create",
                        "--window-start must be a time in UTC such as 2026-12-24T22:00:00Z, not "
                        "\"%s\"",
                        arg);
        return -1;
    }
    int common = cli_conn_opt("create", opt, arg, &a->conn);
    if (common != 0) {
        a->any_spec_option = true;
        return common;
    }
    int rc = spec_option_set("create", SPEC_OPTIONS_CREATE, opt, arg, &a->spec);
    if (rc == -2)
        return 0;
    a->any_spec_option = true;
    a->given[spec_option_field(SPEC_OPTIONS_CREATE, opt)] = true;
    return rc == EXIT_OK ? 1 : -1;
}

/* The request body from the options: {"properties":{...}}; NULL after reporting. */
static json_t *body_from_options(struct create_args *a)
{
    cli_conn_move_to_spec(&a->conn, &a->spec);
    if (cli_spec_check("create", &a->spec) != EXIT_OK)
        return NULL;
    /*
     * The name is the URL's; the server masks the passwords in what it shows.
     * Only the properties given go: the server has the defaults (the number
     * of jobs, for one, is its number of cores, not this machine's). The
     * window (migrationWindowStartTimeInUtc) is no option field: written
     * when set.
     */
    json_t *doc = migration_spec_to_json(&a->spec, SPEC_JSON_WITH_SECRETS, NULL);
    json_object_del(doc, "name");
    a->given[SPEC_F_SOURCE] = a->given[SPEC_F_TARGET] = a->given[SPEC_F_DATABASES] = true;
    json_t *props = json_object_get(doc, "properties");
    for (int f = 0; f < SPEC_F_COUNT; f++)
        if (!a->given[f])
            json_object_del(props,
                            migration_spec_field_name((enum spec_field) f, SPEC_NAMING_JSON));
    return doc;
}

/* The request body from --properties FILE; NULL after reporting. */
static json_t *body_from_file(const char *path, const char *name)
{
    json_error_t jerr;
    json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
                                         : json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        /* jansson's text does not quote the input beyond a few characters; keep the place only. */
        cli_usage_error("create", "--properties %s: not a JSON document (line %d, column %d)", path,
                        jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        cli_usage_error("create", "--properties %s: not a JSON object", path);
        return NULL;
    }
    json_t *given_name = json_object_get(doc, "name");
    if (given_name &&
        (!json_is_string(given_name) || strcmp(json_string_value(given_name), name) != 0)) {
        json_decref(doc);
        cli_usage_error("create", "--properties %s names another migration than %s", path, name);
        return NULL;
    }
    json_object_del(doc, "name");
    if (json_object_get(doc, "properties"))
        return doc;
    json_t *body = json_object();
    json_object_set_new(body, "properties", doc);
    return body;
}

int cmd_create(int argc, char **argv)
{
    struct create_args a = {0};
    migration_spec_init(&a.spec);
    struct client_opts o = {0};
    const char *name = NULL;
    struct cli_option *own = spec_options_table(SPEC_OPTIONS_CREATE, create_own_options);
    struct cli_help help = create_help;
    help.options = own;
    int rc = client_parse(argc, argv, &help, CLIENT_MIGRATION_NAME, &name, &o, create_opt, &a);
    json_t *body = NULL;
    if (rc == EXIT_OK && a.properties && a.any_spec_option)
        rc =
            cli_usage_error("create", "--properties takes the whole migration: give its properties "
                                      "either in the file or as options, not both");
    if (rc == EXIT_OK) {
        body = a.properties ? body_from_file(a.properties, name) : body_from_options(&a);
        if (body == NULL)
            rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK) {
        char *path = xasprintf("/migrations/%s", name);
        json_t *answer = NULL;
        char *raw = NULL;
        rc = client_call("create", &o, "PUT", path, body, &answer, &raw, NULL);
        if (rc == EXIT_OK && o.json)
            printf("%s\n", raw ? raw : "");
        else if (rc == EXIT_OK)
            printf("Created migration %s. Follow it with: pgshuttle watch %s\n", name, name);
        json_decref(answer);
        free(raw);
        free(path);
    }
    json_decref(body);
    free(own);
    client_opts_free(&o);
    cli_conn_free(&a.conn);
    migration_spec_free(&a.spec);
    return rc < 0 ? EXIT_OK : rc;
}
