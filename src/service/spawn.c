/*
 * spawn.c — starting a worker process for the supervisor: fork, a session
 * of its own (a Ctrl-C in serve's terminal or the end of serve's session
 * does not reach it: serve stops its workers itself), its log file as
 * stdout and stderr, and exec of this binary as `worker`. Nothing secret
 * goes through argv: the worker reads its spec from the store by id, and a
 * PostgreSQL store's URI (which may hold its password) goes in the
 * environment, which only the same user can read.
 */
#include "service/internal.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

bool service_logs_dir(const char *state_dir)
{
    char *dir = xasprintf("%s/logs", state_dir);
    bool ok = mkdir(dir, 0700) == 0 || errno == EEXIST;
    if (ok && chmod(dir, 0700) != 0)
        ok = false;
    if (!ok)
        log_error("cannot make the log directory %s: %s", dir, strerror(errno));
    free(dir);
    return ok;
}

/*
 * serve's environment without the API token and with PGSHUTTLE_STATE set to
 * state (borrowed strings but *state_var, the caller's to free with the
 * array; state NULL: unset).
 */
static char **worker_environment(const char *state, char **state_var)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = xcalloc(n + 2, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PGSHUTTLE_TOKEN=", 16) != 0 &&
            strncmp(environ[i], "PGSHUTTLE_STATE=", 16) != 0)
            env[k++] = environ[i];
    *state_var = state ? xasprintf("PGSHUTTLE_STATE=%s", state) : NULL;
    if (*state_var)
        env[k++] = *state_var;
    return env;
}

/* Appends name and value to argv (room for them is the caller's). */
static void push_arg(char **argv, size_t *n, const char *name, const char *value)
{
    argv[(*n)++] = (char *) name;
    argv[(*n)++] = (char *) value;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static _Noreturn void exec_worker(const char *exe, char *const argv[], char *const envp[],
                                  int log_fd, long max_fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0 && null_fd != STDIN_FILENO)
        dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    for (int fd = 3; fd < max_fd; fd++)
        close(fd);
    execve(exe, argv, envp);
    static const char msg[] = "pgshuttle worker: exec failed\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void) ignored;
    _exit(127);
}

pid_t service_spawn_worker(const struct service_spawn *sp)
{
    const char *log_path = sp->log_path;
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (log_fd < 0) {
        log_error("cannot open the worker log %s: %s", log_path, strerror(errno));
        return -1;
    }
    if (log_fd <= STDERR_FILENO) {
        /* above stdio, so that the child's dup2 onto 1 and 2 always makes a new descriptor */
        int high = fcntl(log_fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        close(log_fd);
        log_fd = high;
        if (log_fd < 0) {
            log_error("cannot open the worker log %s: %s", log_path, strerror(errno));
            return -1;
        }
    }
    if (fchmod(log_fd, 0600) != 0)
        log_warn("cannot make %s private (mode 0600): %s", log_path, strerror(errno));
    char id_text[32], epoch_text[32], ttl_text[32];
    snprintf(id_text, sizeof(id_text), "%" PRId64, sp->id);
    snprintf(epoch_text, sizeof(epoch_text), "%" PRId64, sp->lease_epoch);
    snprintf(ttl_text, sizeof(ttl_text), "%g", sp->lease_ttl);
    /* the worker logs at serve's level */
    enum log_level level = LOG_DEBUG;
    while (level < LOG_ERROR && !log_enabled(level))
        level++;
    char *argv[24] = {"pgshuttle", "worker"};
    size_t n = 2;
    push_arg(argv, &n, "--state-dir", sp->state_dir);
    push_arg(argv, &n, "--id", id_text);
    push_arg(argv, &n, "--node-name", sp->node);
    push_arg(argv, &n, "--lease-owner", sp->lease_owner);
    push_arg(argv, &n, "--lease-epoch", epoch_text);
    push_arg(argv, &n, "--log-level", log_level_name(level));
    if (sp->lease_ttl > 0)
        push_arg(argv, &n, "--lease-ttl", ttl_text);
    const char *uri = sp->store ? sp->store->uri : NULL;
    if (uri && sp->store->schema)
        push_arg(argv, &n, "--state-schema", sp->store->schema);
    if (uri && sp->store->secret_key_file)
        push_arg(argv, &n, "--secret-key-file", sp->store->secret_key_file);
    argv[n] = NULL;
    const char *exe = sp->exe;
    char *state_var = NULL;
    char **envp = worker_environment(uri, &state_var);
    long max_fd = sysconf(_SC_OPEN_MAX); /* not async-signal-safe: read before fork */
    if (max_fd < 0 || max_fd > 65536)
        max_fd = 65536;
    pid_t pid = fork();
    if (pid == 0)
        exec_worker(exe, argv, envp, log_fd, max_fd);
    int fork_errno = errno;
    free(envp);
    free(state_var);
    close(log_fd);
    if (pid < 0) {
        log_error("cannot start a worker: fork: %s", strerror(fork_errno));
        return -1;
    }
    return pid;
}
