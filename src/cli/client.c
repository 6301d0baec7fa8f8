/*
 * client.c — the client commands' shared part (see client.h): options, the
 * server's address and token, and the API call with its error messages.
 */
#include "cli/client.h"
#include "api/api.h"
#include "cli/http_client.h"
#include "model/migration.h"
#include "util/mem.h"
#include "util/statedir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds: to connect, and for a whole request (the API answers from its store). */
#define CONNECT_TIMEOUT 5.0
#define REQUEST_TIMEOUT 60.0

int client_opt(const char *cmd, int opt, const char *arg, struct client_opts *o)
{
    switch (opt) {
    case OPT_SERVER:
        if (arg[0] == '\0') {
            cli_usage_error(cmd, "--server needs a URL such as http://127.0.0.1:8432");
            return -1;
        }
        free(o->server);
        o->server = xstrdup(arg);
        return 1;
    case OPT_STATE_DIR:
        if (arg[0] == '\0') {
            cli_usage_error(cmd, "--state-dir needs a directory");
            return -1;
        }
        free(o->state_dir);
        o->state_dir = xstrdup(arg);
        return 1;
    case OPT_OUTPUT:
        return cli_output_opt(cmd, arg, &o->json) ? 1 : -1;
    default:
        return 0;
    }
}

void client_opts_free(struct client_opts *o)
{
    free(o->server);
    free(o->state_dir);
    o->server = o->state_dir = NULL;
}

bool client_name_check(const char *cmd, const char *name)
{
    char *err = NULL;
    if (migration_name_check(name, &err))
        return true;
    cli_usage_error(cmd, "\"%s\" is not a migration name (%s)", name, err);
    free(err);
    return false;
}

static const char *server_url(const struct client_opts *o)
{
    if (o->server)
        return o->server;
    const char *env = getenv("PGSHUTTLE_SERVER");
    return env && env[0] ? env : CLIENT_DEFAULT_SERVER;
}

/*
 * The API token (api_token_load: PGSHUTTLE_TOKEN, else the state
 * directory's token file), or NULL with *why saying why not. *where says
 * where it came from, for the messages. The caller frees all three.
 */
static char *token_load(const struct client_opts *o, char **where, char **why)
{
    *where = *why = NULL;
    const char *env = getenv("PGSHUTTLE_TOKEN");
    if (env && env[0]) {
        *where = xstrdup("PGSHUTTLE_TOKEN");
        return xstrdup(env);
    }
    char *dir = state_dir_resolve(o->state_dir);
    if (dir == NULL) {
        *why = xstrdup("no state directory (neither --state-dir, PGSHUTTLE_STATE_DIR, "
                       "XDG_STATE_HOME nor HOME is set)");
        return NULL;
    }
    *where = xasprintf("%s/token", dir);
    char *token = api_token_load(dir, false, why);
    free(dir);
    return token;
}

/* The message of an API error answer ({"error":{"code","message","target"}}), or NULL. */
static const char *api_error_message(const json_t *doc)
{
    const json_t *err = json_object_get(doc, "error");
    const json_t *msg = json_object_get(err, "message");
    return json_is_string(msg) ? json_string_value(msg) : NULL;
}

int client_call(const char *cmd, const struct client_opts *o, const char *method, const char *path,
                const json_t *body, json_t **answer, char **raw, long *status)
{
    if (answer)
        *answer = NULL;
    if (raw)
        *raw = NULL;
    const char *url = server_url(o);
    char *where = NULL, *why = NULL;
    char *token = token_load(o, &where, &why);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    char *full = xasprintf("/api/v1%s", path);
    struct http_response r;
    enum http_outcome how =
        http_request(url, method, full, token, text, CONNECT_TIMEOUT, REQUEST_TIMEOUT, &r);
    free(full);
    free(text);
    free(token);

    int rc = EXIT_OK;
    json_t *doc = NULL;
    if (how == HTTP_NO_SERVER) {
        fprintf(stderr,
                "pgshuttle %s: no pgshuttle server answers at %s: %s; start one with "
                "`pgshuttle serve` (or give --server URL)\n",
                cmd, url, r.error);
        rc = EXIT_NO_SERVER;
    } else if (how == HTTP_FAILED) {
        fprintf(stderr, "pgshuttle %s: request to %s failed: %s\n", cmd, url, r.error);
        rc = EXIT_FAILED;
    } else {
        if (r.body[0])
            doc = json_loads(r.body, 0, NULL);
        if (r.status == 401) {
            if (why)
                fprintf(stderr,
                        "pgshuttle %s: the server at %s wants a token, and there is none (%s); "
                        "set PGSHUTTLE_TOKEN, or --state-dir to the server's state directory\n",
                        cmd, url, why);
            else
                fprintf(stderr,
                        "pgshuttle %s: the server at %s refused the token (from %s): set "
                        "PGSHUTTLE_TOKEN, or --state-dir to the server's state directory\n",
                        cmd, url, where);
            rc = EXIT_TOKEN;
        } else if (r.status < 200 || r.status > 299) {
            const char *msg = api_error_message(doc);
            if (msg)
                fprintf(stderr, "pgshuttle %s: %s\n", cmd, msg);
            else
                fprintf(stderr, "pgshuttle %s: the server at %s answered HTTP %ld\n", cmd, url,
                        r.status);
            rc = EXIT_FAILED;
        } else if (r.body[0] && doc == NULL) {
            fprintf(stderr, "pgshuttle %s: the server at %s answered something that is not JSON\n",
                    cmd, url);
            rc = EXIT_FAILED;
        }
    }
    if (rc == EXIT_OK && answer) {
        *answer = doc;
        doc = NULL;
    }
    if (status)
        *status = r.status;
    if (rc == EXIT_OK && raw) {
        *raw = r.body;
        r.body = NULL;
    }
    json_decref(doc);
    http_response_free(&r);
    free(where);
    free(why);
    return rc;
}

/*
 * True when the long option just read was written shorter than its name
 * (getopt_long takes "--database" for "--databases"): scripts must spell
 * options out, so that a new option never changes what an old line means.
 */
static bool abbreviated(char **argv, const struct option *o, const char **written)
{
    const char *token = argv[optind - 1];
    if (o->has_arg == required_argument && optarg == token && optind >= 2)
        token = argv[optind - 2];
    *written = token;
    if (strncmp(token, "--", 2) != 0)
        return false;
    token += 2;
    size_t len = strcspn(token, "=");
    return len != strlen(o->name) || strncmp(token, o->name, len) != 0;
}

int client_parse(int argc, char **argv, const struct cli_help *help, enum client_name name_kind,
                 const char **name, struct client_opts *o,
                 int (*own_opt)(int opt, const char *arg, void *ctx), void *ctx)
{
    struct option *opts = cli_options_merge_for(help->common, help->options);
    int rc = EXIT_OK, opt;
    optind = 1;
    opterr = 0;
    int index = -1;
    while (rc == EXIT_OK &&
           (opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, opts, &index)) != -1) {
        const char *written;
        if (index >= 0 && abbreviated(argv, &opts[index], &written)) {
            rc = cli_usage_error(help->cmd, "unknown option \"%.*s\"", (int) strcspn(written, "="),
                                 written);
            break;
        }
        index = -1;
        int took = client_opt(help->cmd, opt, optarg, o);
        if (took == 0 && (opt == OPT_HELP || opt == 'h')) {
            cli_help_print(stdout, help);
            rc = -1;
            break;
        }
        if (took == 0 && own_opt)
            took = own_opt(opt, optarg, ctx);
        if (took < 0)
            rc = EXIT_USAGE;
        else if (took == 0)
            rc = cli_option_error(help->cmd, opt, argv);
    }
    free(opts);
    if (rc != EXIT_OK)
        return rc;
    if (name_kind != CLIENT_NO_NAME) {
        bool node = name_kind == CLIENT_NODE_NAME;
        if (optind >= argc)
            return cli_usage_error(help->cmd, "which %s? Give its NAME",
                                   node ? "node" : "migration");
        *name = argv[optind++];
        /* a node's name is the node's own choice: the server says whether it knows it */
        if (node && (*name)[0] == '\0')
            return cli_usage_error(help->cmd, "a node's NAME cannot be empty");
        if (!node && !client_name_check(help->cmd, *name))
            return EXIT_USAGE;
    }
    if (optind < argc)
        return cli_usage_error(help->cmd, "unexpected argument \"%s\"", argv[optind]);
    return EXIT_OK;
}

int client_list(const char *cmd, const struct client_opts *o, const char *path,
                char *(*format)(const json_t *value))
{
    json_t *answer = NULL;
    char *raw = NULL;
    int rc = client_call(cmd, o, "GET", path, NULL, &answer, &raw, NULL);
    if (rc == EXIT_OK && o->json) {
        printf("%s\n", raw ? raw : "");
    } else if (rc == EXIT_OK) {
        char *text = format(json_object_get(answer, "value"));
        fputs(text, stdout);
        free(text);
    }
    json_decref(answer);
    free(raw);
    return rc;
}

void client_print_json(const json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text)
        printf("%s\n", text);
    free(text);
}
