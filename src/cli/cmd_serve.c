/*
 * cmd_serve.c — `pgshuttle serve`: the migration service (docs/SERVICE.md),
 * one node of it (docs/NODES.md). Opens (creating or upgrading) the state
 * store — SQLite in the state directory, or a PostgreSQL store several nodes
 * share (--state) — loads or makes the API token (kept in a shared store so
 * every node has the same), serves the HTTP API in background threads and
 * runs the supervisor in the main thread until SIGTERM or SIGINT, which only
 * set a flag: the supervisor then stops its workers cleanly (they resume on
 * another node or at the next start) and the API stops last.
 */
#include "api/api.h"
#include "cli/cli.h"
#include "cli/connection_test.h"
#include "model/migration.h"
#include "pg/conninfo.h"
#include "service/service.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/signals.h"
#include "util/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_LISTEN "127.0.0.1:8432"

static volatile sig_atomic_t stop_requested = 0;

static void on_stop_signal(int sig)
{
    (void) sig;
    stop_requested = 1;
}

enum {
    OPT_S_LISTEN = 2000,
    OPT_S_STATE_DIR,
    OPT_S_MAX_MIGRATIONS,
    OPT_S_TLS_CERT,
    OPT_S_TLS_KEY,
    OPT_S_LEASE_TTL,
    OPT_S_RESTART_MAX,
    OPT_S_RESTART_WINDOW,
    OPT_S_LOG_LEVEL,
    OPT_S_STATE,
    OPT_S_STATE_SCHEMA,
    OPT_S_SECRET_KEY_FILE,
    OPT_S_NODE_NAME,
    OPT_S_ADVERTISE,
    OPT_S_NODE_TIMEOUT,
};

static const struct cli_option serve_options[] = {
    {"listen", required_argument, OPT_S_LISTEN, "HOST:PORT",
     "where the HTTP API listens (default " DEFAULT_LISTEN "; [::1]:PORT\n"
     "for IPv6; port 0 picks a free one)"},
    {"state-dir", required_argument, OPT_S_STATE_DIR, "DIR",
     "the store, the API token and the workers' logs (default\n"
     "$PGSHUTTLE_STATE_DIR, else $XDG_STATE_HOME/pgshuttle, else\n"
     "~/.local/state/pgshuttle); made mode 0700 if missing. With\n"
     "--state, this node's own: the logs and a copy of the token"},
    {"state", required_argument, OPT_S_STATE, "URI",
     "a PostgreSQL store that several nodes share, as a\n"
     "postgresql:// URI (default $PGSHUTTLE_STATE; none: SQLite in\n"
     "the state directory). Prefer a passfile for its password"},
    {"state-schema", required_argument, OPT_S_STATE_SCHEMA, "NAME",
     "the PostgreSQL store's schema (default $PGSHUTTLE_STATE_SCHEMA,\n"
     "else " STORE_PG_SCHEMA_DEFAULT ")"},
    {"secret-key-file", required_argument, OPT_S_SECRET_KEY_FILE, "FILE",
     "the key that seals passwords in a PostgreSQL store, the same\n"
     "file on every node, mode 0600 (default\n"
     "$PGSHUTTLE_SECRET_KEY_FILE; `pgshuttle secret-key FILE` makes one)"},
    {"node-name", required_argument, OPT_S_NODE_NAME, "NAME",
     "this node's name, unique among the store's nodes (default\n"
     "$PGSHUTTLE_NODE_NAME, else the host name)"},
    {"node-timeout", required_argument, OPT_S_NODE_TIMEOUT, "DURATION",
     "a node with no heartbeat for this long loses its leases to the\n"
     "others, even if its workers still run (default 60s)"},
    {"advertise", required_argument, OPT_S_ADVERTISE, "URL",
     "where people reach this node's API and page, for the nodes\n"
     "view (default http(s)://LISTEN)"},
    {"max-migrations", required_argument, OPT_S_MAX_MIGRATIONS, "N",
     "migrations running at once (default 0: no limit); the others\n"
     "wait their turn"},
    {"tls-cert", required_argument, OPT_S_TLS_CERT, "FILE",
     "serve HTTPS with this PEM certificate (with --tls-key)"},
    {"tls-key", required_argument, OPT_S_TLS_KEY, "FILE", "the certificate's PEM private key"},
    {"lease-ttl", required_argument, OPT_S_LEASE_TTL, "DURATION",
     "how long a worker's lease lasts (default 15s; renewed every\n"
     "fifth of it): a dead worker's migration restarts after it"},
    {"restart-max", required_argument, OPT_S_RESTART_MAX, "N",
     "more restarts of a migration's worker than this within\n"
     "--restart-window mark it Failed (default 5)"},
    {"restart-window", required_argument, OPT_S_RESTART_WINDOW, "DURATION",
     "the restart policy's window (default 10min)"},
    {"log-level", required_argument, OPT_S_LOG_LEVEL, "LEVEL",
     "debug, info (default), notice, warn or error"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help serve_help = {
    .cmd = "serve",
    .synopsis = "[--listen HOST:PORT] [--state-dir DIR] [--state URI --secret-key-file FILE] "
                "[--node-name NAME] [--max-migrations N] [--tls-cert FILE --tls-key FILE]",
    .about = "Runs the migration service: the HTTP API (docs/API.md) through which migrations are\n"
             "created, watched, cut over, canceled and deleted (also with `pgshuttle create`,\n"
             "`list`, `show`, ...), and one worker process per migration, restarted if it dies.\n"
             "SIGTERM or SIGINT stops it cleanly: the migrations resume at the next start.",
    .options = serve_options,
    .notes = "Every /api/v1 request needs the token: PGSHUTTLE_TOKEN if set, else DIR/token\n"
             "(made at the first start, mode 0600; with a PostgreSQL store, the one kept in\n"
             "the store, the same on every node). Workers log to DIR/logs/NAME.log.\n"
             "Several nodes: docs/NODES.md.\n"
             "Exit codes: 0 stopped by a signal, 1 could not start, 64 bad usage.",
};

struct serve_opts {
    double lease_ttl;      /* 0 = the default */
    int restart_max;       /* 0 = the default */
    double restart_window; /* 0 = the default */
    const char *listen;
    const char *state_dir;
    int max_migrations;
    const char *tls_cert;
    const char *tls_key;
    const char *state_uri;       /* NULL: SQLite in the state directory */
    const char *state_schema;    /* NULL: the default */
    const char *secret_key_file; /* made absolute before use */
    const char *node_name;       /* NULL: the host name */
    const char *advertise;       /* NULL: from --listen */
    double node_timeout;         /* 0 = the default */
};

/* HOST:PORT with a port of 0-65535 and a host ([IPv6] in brackets); the API resolves the host. */
static bool listen_valid(const char *listen)
{
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || colon[1] == '\0')
        return false;
    if (listen[0] == '[' && colon[-1] != ']')
        return false;
    char *end = NULL;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    return errno == 0 && *end == '\0' && port >= 0 && port <= 65535;
}

/* arg as a whole number from min to INT_MAX into *out; false (*out untouched) if it is not. */
static bool int_arg(const char *arg, long min, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < min || v > INT_MAX)
        return false;
    *out = (int) v;
    return true;
}

/* An option's value, else its environment variable's (empty counts as unset), else NULL. */
static const char *opt_or_env(const char *given, const char *var)
{
    if (given)
        return given;
    const char *env = getenv(var);
    return env && env[0] ? env : NULL;
}

/* Whether name is a node name: 1-63 of letters, digits, '.', '_' and '-'. */
static bool node_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63)
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* The store's and the node's options, with their environment variables. */
static int store_opts(struct serve_opts *o)
{
    o->state_uri = opt_or_env(o->state_uri, "PGSHUTTLE_STATE");
    o->state_schema = opt_or_env(o->state_schema, "PGSHUTTLE_STATE_SCHEMA");
    o->secret_key_file = opt_or_env(o->secret_key_file, "PGSHUTTLE_SECRET_KEY_FILE");
    o->node_name = opt_or_env(o->node_name, "PGSHUTTLE_NODE_NAME");
    if (o->state_uri && !pgconninfo_valid(o->state_uri, NULL))
        return cli_usage_error("serve", "--state must be a PostgreSQL URI (postgresql://USER@HOST:"
                                        "PORT/DB) or connection string");
    if (o->state_schema && o->state_uri == NULL)
        return cli_usage_error("serve", "--state-schema goes with a PostgreSQL store (--state)");
    if (o->node_name && !node_name_valid(o->node_name))
        return cli_usage_error("serve", "--node-name must be 1 to 63 letters, digits, '.', '_' "
                                        "or '-'");
    if (o->advertise && strncmp(o->advertise, "http://", 7) != 0 &&
        strncmp(o->advertise, "https://", 8) != 0)
        return cli_usage_error("serve", "--advertise must be an http:// or https:// URL");
    return EXIT_OK;
}

/* EXIT_OK to go on, EXIT_USAGE after an error, -1 after --help. */
static int parse_args(int argc, char **argv, struct serve_opts *o)
{
    struct option opts[sizeof(serve_options) / sizeof(serve_options[0])];
    cli_options_own(serve_options, opts);
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, opts, NULL)) != -1) {
        switch (opt) {
        case OPT_S_LISTEN:
            if (!listen_valid(optarg))
                return cli_usage_error("serve",
                                       "--listen must be HOST:PORT (127.0.0.1:8432, [::1]:8432, "
                                       "0.0.0.0:8432; port 0 picks a free one)");
            o->listen = optarg;
            break;
        case OPT_S_STATE_DIR:
            if (optarg[0] == '\0')
                return cli_usage_error("serve", "--state-dir needs a directory");
            o->state_dir = optarg;
            break;
        case OPT_S_MAX_MIGRATIONS:
            if (!int_arg(optarg, 0, &o->max_migrations))
                return cli_usage_error("serve", "--max-migrations must be a number, 0 or more");
            break;
        case OPT_S_TLS_CERT:
            o->tls_cert = optarg;
            break;
        case OPT_S_LEASE_TTL:
            if (!cli_lease_ttl_opt("serve", optarg, &o->lease_ttl))
                return EXIT_USAGE;
            break;
        case OPT_S_RESTART_MAX:
            if (!int_arg(optarg, 1, &o->restart_max))
                return cli_usage_error("serve", "--restart-max must be a number, 1 or more");
            break;
        case OPT_S_RESTART_WINDOW:
            if (!migration_duration_parse(optarg, &o->restart_window) || o->restart_window <= 0)
                return cli_usage_error("serve", "--restart-window must be a duration, e.g. 10min");
            break;
        case OPT_S_TLS_KEY:
            o->tls_key = optarg;
            break;
        case OPT_S_LOG_LEVEL:
            if (!cli_log_level_opt("serve", optarg))
                return EXIT_USAGE;
            break;
        case OPT_S_STATE:
            o->state_uri = optarg;
            break;
        case OPT_S_STATE_SCHEMA:
            o->state_schema = optarg;
            break;
        case OPT_S_SECRET_KEY_FILE:
            o->secret_key_file = optarg;
            break;
        case OPT_S_NODE_NAME:
            o->node_name = optarg;
            break;
        case OPT_S_ADVERTISE:
            o->advertise = optarg;
            break;
        case OPT_S_NODE_TIMEOUT:
            if (!migration_duration_parse(optarg, &o->node_timeout) || o->node_timeout < 2)
                return cli_usage_error("serve", "--node-timeout must be a duration of 2s or more, "
                                                "e.g. 60s");
            break;
        case OPT_HELP:
        case 'h':
            cli_help_print_own(stdout, &serve_help);
            return -1;
        default:
            return cli_option_error("serve", opt, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("serve", "unexpected argument \"%s\"", argv[optind]);
    if ((o->tls_cert == NULL) != (o->tls_key == NULL))
        return cli_usage_error("serve", "--tls-cert and --tls-key go together");
    return store_opts(o);
}

/* Makes dir and its missing parents (the last one mode 0700); false (reported) if it cannot. */
static bool make_state_dir(const char *dir)
{
    char *path = xstrdup(dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "pgshuttle serve: cannot make %s: %s\n", path, strerror(errno));
            free(path);
            return false;
        }
        *p = '/';
    }
    free(path);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "pgshuttle serve: cannot make the state directory %s: %s\n", dir,
                strerror(errno));
        return false;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "pgshuttle serve: the state directory %s is not a directory\n", dir);
        return false;
    }
    if ((sb.st_mode & 0077) != 0 && chmod(dir, 0700) != 0)
        fprintf(stderr, "pgshuttle serve: warning: cannot make %s private (mode 0700): %s\n", dir,
                strerror(errno));
    return true;
}

/*
 * The token every node of a shared store answers to: PGSHUTTLE_TOKEN if
 * set, else the one kept in the store (sealed), which the first node put
 * there (its own DIR/token); a node whose DIR/token differs takes the
 * store's, and keeps a copy in DIR/token for the CLI on its host. The
 * token of a SQLite store is DIR/token's. NULL (reported) if it cannot.
 */
static char *service_token(struct store *st, const char *dir)
{
    char *err = NULL;
    char *local = api_token_load(dir, true, &err);
    if (local == NULL) {
        fprintf(stderr, "pgshuttle serve: no API token: %s\n", err ? err : "no reason given");
        free(err);
        return NULL;
    }
    const char *env = getenv("PGSHUTTLE_TOKEN");
    if (!store_is_shared(st) || (env && env[0]))
        return local;
    char *shared = NULL;
    if (store_setting_get_or_put(st, "api_token", local, true, &shared, &err) != STORE_OK) {
        fprintf(stderr, "pgshuttle serve: cannot read the API token from the store: %s\n",
                err ? err : "no reason given");
        free(err);
        free(local);
        return NULL;
    }
    if (strcmp(shared, local) != 0 && !api_token_save(dir, shared, &err)) {
        log_warn("cannot keep a copy of the service's token in %s/token: %s", dir,
                 err ? err : "no reason given");
        free(err);
    }
    free(local);
    return shared;
}

/*
 * Opens the store once, creating or upgrading it, and reads the token: a
 * clear error if it cannot. NULL if it cannot; the token (caller frees).
 */
static char *check_store(const struct store_config *cfg, const char *dir)
{
    char *err = NULL;
    struct store *st = store_open_config(cfg, &err);
    if (st == NULL) {
        fprintf(stderr, "pgshuttle serve: cannot open the state store: %s\n",
                err ? err : "no reason given");
        free(err);
        return NULL;
    }
    log_info("state store %s (schema version %d)", store_path(st), store_schema_version(st));
    char *token = service_token(st, dir);
    store_close(st);
    return token;
}

/*
 * One serve per state directory: an exclusive lock on DIR/serve.lock (with
 * serve's pid in it), which the kernel drops when serve ends, even by kill
 * -9. Returns the descriptor to keep open, or -1 (reported).
 */
static int lock_state_dir(const char *dir)
{
    char *path = xasprintf("%s/serve.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fprintf(stderr, "pgshuttle serve: cannot open %s: %s\n", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        fprintf(stderr, "pgshuttle serve: another serve (pid %s) runs on %s\n", pid[0] ? pid : "?",
                dir);
        close(fd);
        free(path);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof(pid), "%ld\n", (long) getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t) len, 0) != len)
        log_warn("cannot write serve's pid into %s: %s", path, strerror(errno));
    free(path);
    return fd;
}

/* Whether host (of HOST:PORT) only listens on this machine. */
static bool loopback_host(const char *listen)
{
    static const char *const local[] = {"127.", "[::1]", "::1", "localhost"};
    for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
        if (strncmp(listen, local[i], strlen(local[i])) == 0)
            return true;
    return false;
}

/* The HOST of HOST:PORT (brackets of an IPv6 address kept; caller frees). */
static char *listen_host(const char *listen)
{
    const char *colon = strrchr(listen, ':');
    if (colon == NULL)
        return xstrdup(listen);
    return xasprintf("%.*s", (int) (colon - listen), listen);
}

/* This binary, to start workers with. */
static char *self_exe(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return xstrdup("/proc/self/exe");
    buf[n] = '\0';
    return xstrdup(buf);
}

static char *conninfo_with_password(const char *conninfo, const char *password)
{
    return pgconninfo_set(conninfo, "password", password);
}

static void install_signals(void)
{
    signals_on_stop(on_stop_signal);
    signals_handle(SIGPIPE, SIG_IGN);
}

/*
 * The monitoring page's address on stderr. The link with the token in its
 * fragment only on a terminal: stderr may go to journald, where the token
 * must not be kept.
 */
static void print_page_address(const char *scheme, const char *host, int port, const char *dir,
                               const char *token)
{
    fprintf(stderr, "pgshuttle serve: the page: %s://%s:%d/\n", scheme, host, port);
    const char *env = getenv("PGSHUTTLE_TOKEN");
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "pgshuttle serve: open it with the token: %s://%s:%d/#token=%s\n", scheme,
                host, port, token);
    else if (env && env[0])
        fprintf(stderr, "pgshuttle serve: the page asks for the token: PGSHUTTLE_TOKEN\n");
    else
        fprintf(stderr, "pgshuttle serve: the page asks for the token: it is in %s/token\n", dir);
}

/* The address this node's API answers at, for the nodes view (caller frees). */
static char *node_address(const struct serve_opts *o, const char *scheme, const char *host,
                          int port)
{
    if (o->advertise)
        return xstrdup(o->advertise);
    bool any = strcmp(host, "0.0.0.0") == 0 || strcmp(host, "[::]") == 0 || host[0] == '\0';
    if (!any)
        return xasprintf("%s://%s:%d", scheme, host, port);
    char *me = service_host_name();
    char *out = xasprintf("%s://%s:%d", scheme, me, port);
    free(me);
    return out;
}

static int serve(const struct serve_opts *o, const char *dir, const struct store_config *store,
                 char *token)
{
    char *err = NULL;
    char *node = o->node_name ? xstrdup(o->node_name) : service_host_name();
    struct api_config acfg = {
        .listen = o->listen,
        .state_dir = dir,
        .node = node,
        .store = store,
        .token = token,
        .tls_cert = o->tls_cert,
        .tls_key = o->tls_key,
        .conninfo = {.mask = pgconninfo_mask,
                     .check = pgconninfo_valid,
                     .with_password = conninfo_with_password},
        .connection_test = connection_test_run,
    };
    install_signals();
    struct api_server *srv = api_start(&acfg, &err);
    if (srv == NULL) {
        fprintf(stderr, "pgshuttle serve: cannot serve the API on %s: %s\n", o->listen,
                err ? err : "no reason given");
        free(err);
        free(token);
        free(node);
        return EXIT_FAILED;
    }
    char *host = listen_host(o->listen);
    const char *scheme = o->tls_cert ? "https" : "http";
    fprintf(stderr, "pgshuttle serve: listening on %s://%s:%d, state in %s\n", scheme, host,
            api_port(srv), dir);
    print_page_address(scheme, host, api_port(srv), dir, token);
    char *address = node_address(o, scheme, host, api_port(srv));
    fprintf(stderr, "pgshuttle serve: node %s at %s\n", node, address);
    free(host);
    if (!loopback_host(o->listen) && o->tls_cert == NULL)
        log_warn("listening on %s without TLS: the token and the connection strings' passwords "
                 "cross the network in clear text (use --tls-cert and --tls-key)",
                 o->listen);

    char *exe = self_exe();
    struct service_config cfg = {
        .state_dir = dir,
        .store = store,
        .node = node,
        .address = address,
        .exe = exe,
        .max_migrations = o->max_migrations,
        .lease_ttl = o->lease_ttl,
        .restart_max = o->restart_max,
        .restart_window = o->restart_window,
        .node_timeout = o->node_timeout,
    };
    int rc = service_supervise(&cfg, &stop_requested);
    api_stop(srv);
    log_info("pgshuttle serve stopped");
    free(exe);
    free(node);
    free(address);
    free(token);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_opts o = {.listen = DEFAULT_LISTEN};
    int rc = parse_args(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    char *dir = state_dir_resolve(o.state_dir);
    if (dir == NULL) {
        fprintf(stderr, "pgshuttle serve: no state directory: give --state-dir (HOME, "
                        "XDG_STATE_HOME and PGSHUTTLE_STATE_DIR are all unset)\n");
        return EXIT_USAGE;
    }
    if (!make_state_dir(dir)) {
        free(dir);
        return EXIT_FAILED;
    }
    /* workers get it in argv and serve may be started from anywhere: an absolute path */
    char *abs = realpath(dir, NULL);
    if (abs) {
        free(dir);
        dir = abs;
    }
    /* workers get it in argv and may start elsewhere than serve's directory: an absolute path */
    char *key_file = o.secret_key_file ? realpath(o.secret_key_file, NULL) : NULL;
    struct store_config store = {
        .dir = dir,
        .uri = o.state_uri,
        .schema = o.state_schema,
        .secret_key_file = key_file ? key_file : o.secret_key_file,
    };
    int lock_fd = lock_state_dir(dir);
    char *token = lock_fd >= 0 ? check_store(&store, dir) : NULL;
    rc = token ? serve(&o, dir, &store, token) : EXIT_FAILED;
    if (lock_fd >= 0)
        close(lock_fd);
    free(key_file);
    free(dir);
    return rc;
}
