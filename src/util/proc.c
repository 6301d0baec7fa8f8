/* proc.c — running child programs with captured output (see proc.h). */
#include "util/proc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_CHILDREN 64
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t children[MAX_CHILDREN];

static void child_track(pid_t pid, bool add)
{
    pthread_mutex_lock(&children_lock);
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (add && children[i] == 0) {
            children[i] = pid;
            break;
        }
        if (!add && children[i] == pid) {
            children[i] = 0;
            break;
        }
    }
    pthread_mutex_unlock(&children_lock);
}

void proc_kill_all(int sig)
{
    pthread_mutex_lock(&children_lock);
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] > 0)
            kill(children[i], sig);
    pthread_mutex_unlock(&children_lock);
}

/* Builds environ + extra, where extra entries replace same-named ones. */
static char **build_env(const char *const env_extra[])
{
    size_t n = 0, extra = 0;
    while (environ[n])
        n++;
    while (env_extra && env_extra[extra])
        extra++;
    char **env = xcalloc(n + extra + 1, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < extra; j++) {
            const char *eq = strchr(env_extra[j], '=');
            size_t len = eq ? (size_t) (eq - env_extra[j]) + 1 : strlen(env_extra[j]);
            if (strncmp(environ[i], env_extra[j], len) == 0)
                replaced = true;
        }
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < extra; j++)
        env[k++] = (char *) env_extra[j];
    env[k] = NULL;
    return env;
}

static void drain(int fd, strbuf *into, bool *open)
{
    char buf[8192];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r > 0)
        sb_appendn(into, buf, (size_t) r);
    else if (r == 0 || (errno != EINTR && errno != EAGAIN))
        *open = false;
}

bool proc_run(const char *const argv[], const char *const env_extra[], const char *stdout_path,
              struct proc_result *res)
{
    memset(res, 0, sizeof(*res));
    int errpipe[2], outpipe[2] = {-1, -1};
    if (pipe(errpipe) != 0 || (stdout_path == NULL && pipe(outpipe) != 0)) {
        log_error("could not create a pipe for %s: %s", argv[0], strerror(errno));
        return false;
    }

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, errpipe[1], 2);
    posix_spawn_file_actions_addclose(&fa, errpipe[0]);
    if (stdout_path) {
        posix_spawn_file_actions_addopen(&fa, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    } else {
        posix_spawn_file_actions_adddup2(&fa, outpipe[1], 1);
        posix_spawn_file_actions_addclose(&fa, outpipe[0]);
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);

    char **env = build_env(env_extra);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *) argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(errpipe[1]);
    if (outpipe[1] >= 0)
        close(outpipe[1]);
    if (rc != 0) {
        log_error("could not run %s: %s", argv[0], strerror(rc));
        close(errpipe[0]);
        if (outpipe[0] >= 0)
            close(outpipe[0]);
        return false;
    }
    child_track(pid, true);

    strbuf out = STRBUF_INIT, err = STRBUF_INIT;
    bool err_open = true, out_open = outpipe[0] >= 0;
    while (err_open || out_open) {
        struct pollfd fds[2];
        int nfds = 0;
        if (err_open)
            fds[nfds++] = (struct pollfd){.fd = errpipe[0], .events = POLLIN};
        if (out_open)
            fds[nfds++] = (struct pollfd){.fd = outpipe[0], .events = POLLIN};
        if (poll(fds, (nfds_t) nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < nfds; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (fds[i].fd == errpipe[0])
                drain(errpipe[0], &err, &err_open);
            else
                drain(outpipe[0], &out, &out_open);
        }
    }
    close(errpipe[0]);
    if (outpipe[0] >= 0)
        close(outpipe[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    child_track(pid, false);
    if (WIFEXITED(status))
        res->exit_code = WEXITSTATUS(status);
    else {
        res->exit_code = -1;
        res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    res->err = sb_steal(&err);
    res->out = stdout_path ? (sb_free(&out), NULL) : sb_steal(&out);
    return true;
}

void proc_result_free(struct proc_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}
