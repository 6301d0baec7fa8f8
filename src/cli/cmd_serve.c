/*
 * cmd_serve.c — `pgshuttle serve`: the migration service (docs/SERVICE.md).
 * Opens (creating or upgrading) the state store, loads or makes the API
 * token, serves the HTTP API in background threads and runs the supervisor
 * in the main thread until SIGTERM or SIGINT, which only set a flag: the
 * supervisor then stops its workers cleanly (they resume at the next start)
 * and the API stops last.
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
};

static const struct cli_option serve_options[] = {
    {"listen", required_argument, OPT_S_LISTEN, "HOST:PORT",
     "where the HTTP API listens (default " DEFAULT_LISTEN "; [::1]:PORT\n"
     "for IPv6; port 0 picks a free one)"},
    {"state-dir", required_argument, OPT_S_STATE_DIR, "DIR",
     "the store, the API token and the workers' logs (default\n"
     "$PGSHUTTLE_STATE_DIR, else $XDG_STATE_HOME/pgshuttle, else\n"
     "~/.local/state/pgshuttle); made mode 0700 if missing"},
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
    .synopsis = "[--listen HOST:PORT] [--state-dir DIR] [--max-migrations N] [--tls-cert FILE "
                "--tls-key FILE]",
    .about = "Runs the migration service: the HTTP API (docs/API.md) through which migrations are\n"
             "created, watched, cut over, canceled and deleted (also with `pgshuttle create`,\n"
             "`list`, `show`, ...), and one worker process per migration, restarted if it dies.\n"
             "SIGTERM or SIGINT stops it cleanly: the migrations resume at the next start.",
    .options = serve_options,
    .notes = "Every /api/v1 request needs the token: PGSHUTTLE_TOKEN if set, else DIR/token\n"
             "(made at the first start, mode 0600). Workers log to DIR/logs/NAME.log.\n"
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
    return EXIT_OK;
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

/* Opens the store once, creating or upgrading it: a clear error if it cannot. */
static bool check_store(const char *dir)
{
    char *err = NULL;
    struct store *st = store_open(dir, &err);
    if (st == NULL) {
        fprintf(stderr, "pgshuttle serve: cannot open the state store in %s: %s\n", dir,
                err ? err : "no reason given");
        free(err);
        return false;
    }
    log_info("state store %s (schema version %d)", store_path(st), store_schema_version(st));
    store_close(st);
    return true;
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

static int serve(const struct serve_opts *o, const char *dir)
{
    char *err = NULL;
    char *token = api_token_load(dir, true, &err);
    if (token == NULL) {
        fprintf(stderr, "pgshuttle serve: no API token: %s\n", err ? err : "no reason given");
        free(err);
        return EXIT_FAILED;
    }
    struct api_config acfg = {
        .listen = o->listen,
        .state_dir = dir,
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
        return EXIT_FAILED;
    }
    char *host = listen_host(o->listen);
    fprintf(stderr, "pgshuttle serve: listening on %s://%s:%d, state in %s\n",
            o->tls_cert ? "https" : "http", host, api_port(srv), dir);
    print_page_address(o->tls_cert ? "https" : "http", host, api_port(srv), dir, token);
    free(host);
    if (!loopback_host(o->listen) && o->tls_cert == NULL)
        log_warn("listening on %s without TLS: the token and the connection strings' passwords "
                 "cross the network in clear text (use --tls-cert and --tls-key)",
                 o->listen);

    char *exe = self_exe();
    struct service_config cfg = {
        .state_dir = dir,
        .exe = exe,
        .max_migrations = o->max_migrations,
        .lease_ttl = o->lease_ttl,
        .restart_max = o->restart_max,
        .restart_window = o->restart_window,
    };
    int rc = service_supervise(&cfg, &stop_requested);
    api_stop(srv);
    log_info("pgshuttle serve stopped");
    free(exe);
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
    int lock_fd = lock_state_dir(dir);
    rc = lock_fd >= 0 && check_store(dir) ? serve(&o, dir) : EXIT_FAILED;
    if (lock_fd >= 0)
        close(lock_fd);
    free(dir);
    return rc;
}
