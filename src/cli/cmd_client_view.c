/*
 * cmd_client_view.c — the client commands that look: `pgshuttle list` (the
 * grid), `show NAME` (everything about one migration) and `watch NAME`
 * (its progress, redrawn every second until it ends or waits for the user).
 * They only read (GET); the text comes from cli/client_format.c.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/client_format.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/signals.h"
#include "util/timeutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum { OPT_FILTER = OPT_COMMON_LAST };

static const struct cli_option list_options[] = {
    {"filter", required_argument, OPT_FILTER, "Active|All",
     "Active: the migrations still running or waiting for the user;\n"
     "All (default): every migration the server keeps"},
    {NULL, 0, 0, NULL, NULL},
};

#define CLIENT_EXIT_NOTES CLIENT_EXIT_NOTES_FOR("no such migration, ...")

static const struct cli_help list_help = {
    .cmd = "list",
    .synopsis = "[--filter Active|All] [OPTIONS]",
    .about = "Lists the migrations of the pgshuttle server, newest start first: Name, Status,\n"
             "Migration mode, Migration type, Source server (host:port), Source server type,\n"
             "Databases, Duration, Start time, Node (the node running it).",
    .options = list_options,
    .notes =
        "With --output json: the server's answer as it is ({\"value\":[...]}).\n" CLIENT_EXIT_NOTES,
    .common = CLI_COMMON_CLIENT,
};

static const struct cli_help show_help = {
    .cmd = "show",
    .synopsis = "NAME [OPTIONS]",
    .about = "Shows one migration: its properties (connection strings as host:port), status\n"
             "and substatus, error, validation details and each database's progress.",
    .notes =
        "With --output json: the migration resource as the server answers it.\n" CLIENT_EXIT_NOTES,
    .common = CLI_COMMON_CLIENT,
};

static const struct cli_help watch_help = {
    .cmd = "watch",
    .synopsis = "NAME [OPTIONS]",
    .about = "Follows one migration: asks the server every second and redraws its progress\n"
             "(on a terminal; otherwise a line whenever it changes) until the migration ends\n"
             "or waits for the user (cutover, overwrite confirmation). Ctrl-C stops watching;\n"
             "the migration goes on.",
    .notes = "With --output json: one line of the resource's JSON per change.\n"
             "Exit codes: 0 succeeded or waiting for the user, 1 failed (or refused by the\n"
             "server), 2 validation failed, 3 canceled, 64 bad usage, 69 no server answered,\n"
             "77 the server refused the token.",
    .common = CLI_COMMON_CLIENT,
};

static int list_opt(int opt, const char *arg, void *ctx)
{
    const char **filter = ctx;
    if (opt != OPT_FILTER)
        return 0;
    if (strcasecmp(arg, "active") == 0)
        *filter = "Active";
    else if (strcasecmp(arg, "all") == 0)
        *filter = "All";
    else {
        cli_usage_error("list", "--filter must be Active or All, not \"%s\"", arg);
        return -1;
    }
    return 1;
}

int cmd_list(int argc, char **argv)
{
    struct client_opts o = {0};
    const char *filter = "All";
    int rc = client_parse(argc, argv, &list_help, CLIENT_NO_NAME, NULL, &o, list_opt, &filter);
    if (rc == EXIT_OK) {
        char *path = xasprintf("/migrations?filter=%s", filter);
        rc = client_list("list", &o, path, client_grid_format);
        free(path);
    }
    client_opts_free(&o);
    return rc < 0 ? EXIT_OK : rc;
}

/* GET /migrations/NAME: EXIT_OK with *answer and *raw (caller frees), or an exit code. */
static int get_one(const char *cmd, const struct client_opts *o, const char *name, json_t **answer,
                   char **raw)
{
    char *path = xasprintf("/migrations/%s", name);
    int rc = client_call(cmd, o, "GET", path, NULL, answer, raw, NULL);
    free(path);
    return rc;
}

int cmd_show(int argc, char **argv)
{
    struct client_opts o = {0};
    const char *name = NULL;
    int rc = client_parse(argc, argv, &show_help, CLIENT_MIGRATION_NAME, &name, &o, NULL, NULL);
    if (rc == EXIT_OK) {
        json_t *answer = NULL;
        char *raw = NULL;
        rc = get_one("show", &o, name, &answer, &raw);
        if (rc == EXIT_OK && o.json) {
            printf("%s\n", raw ? raw : "");
        } else if (rc == EXIT_OK) {
            char *text = client_show_format(answer);
            fputs(text, stdout);
            free(text);
        }
        json_decref(answer);
        free(raw);
    }
    client_opts_free(&o);
    return rc < 0 ? EXIT_OK : rc;
}

static volatile sig_atomic_t stop_watching = 0;

static void on_stop(int sig)
{
    stop_watching = sig;
}

/*
 * text with each line cut to cols characters (UTF-8), so that none wraps on
 * the terminal and redrawing over the lines counted stays in place. Caller frees.
 */
static char *clip_lines(const char *text, int cols)
{
    strbuf sb = STRBUF_INIT;
    int col = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            col = 0;
            sb_appendc(&sb, '\n');
            continue;
        }
        bool starts_char = ((unsigned char) *p & 0xC0) != 0x80;
        if (starts_char)
            col++;
        if (cols <= 0 || col < cols)
            sb_appendc(&sb, *p);
    }
    return sb_steal(&sb);
}

static int terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* How many lines text has (each ends with '\n'). */
static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

int cmd_watch(int argc, char **argv)
{
    struct client_opts o = {0};
    const char *name = NULL;
    int rc = client_parse(argc, argv, &watch_help, CLIENT_MIGRATION_NAME, &name, &o, NULL, NULL);
    if (rc != EXIT_OK) {
        client_opts_free(&o);
        return rc < 0 ? EXIT_OK : rc;
    }
    signals_on_stop(on_stop);
    bool terminal = !o.json && isatty(STDOUT_FILENO);
    char *shown = NULL; /* the text last printed */
    int drawn = 0;      /* lines of it on the terminal, to redraw over */
    for (;;) {
        json_t *answer = NULL;
        char *raw = NULL;
        rc = get_one("watch", &o, name, &answer, &raw);
        if (rc != EXIT_OK)
            break;
        int done = client_watch_exit(answer);
        enum mig_status st = MIG_IN_PROGRESS;
        bool waits = client_resource_status(answer, &st) && st == MIG_WAITING_FOR_USER;
        char *text;
        if (o.json) {
            /* one line per change: the server's JSON on a single line */
            char *compact = json_dumps(answer, JSON_COMPACT | JSON_PRESERVE_ORDER);
            text = xasprintf("%s\n", compact ? compact : "{}");
            free(compact);
        } else {
            text = client_progress_format(answer);
        }
        if (terminal) {
            /* Back to the first line drawn last time, clear down, draw again. */
            char *clipped = clip_lines(text, terminal_columns());
            if (drawn > 0)
                printf("\033[%dA", drawn);
            printf("\033[J%s", clipped);
            drawn = count_lines(clipped);
            free(clipped);
        } else if (shown == NULL || strcmp(shown, text) != 0) {
            fputs(text, stdout);
        }
        fflush(stdout);
        free(shown);
        shown = text;
        json_decref(answer);
        free(raw);
        if (done >= 0) {
            rc = done;
            if (!o.json && waits)
                fprintf(stderr,
                        "%s waits for you: `pgshuttle cutover %s` when it waits for cutover, "
                        "`pgshuttle confirm-overwrite %s` to drop the target databases that "
                        "exist, `pgshuttle cancel %s` to give up\n",
                        name, name, name, name);
            break;
        }
        for (int i = 0; i < 10 && !stop_watching; i++)
            time_sleep(0.1);
        if (stop_watching) {
            rc = 130; /* like a shell's Ctrl-C: the migration goes on */
            break;
        }
    }
    free(shown);
    client_opts_free(&o);
    return rc;
}
