/*
 * token.c — the API's bearer token (api_token_load): PGSHUTTLE_TOKEN when
 * set, else DIR/token, made at the first start from 32 bytes of
 * /dev/urandom written as 64 hex digits, mode 0600 (created with O_EXCL,
 * so two starts never write different tokens over each other); and the
 * copy a node of a shared store keeps of the store's token (api_token_save).
 */
#include "api/api.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_BYTES 32

/* The token file's text without its trailing newline and spaces; NULL with *error. */
static char *read_token(const char *path, char **error)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        *error = xasprintf("cannot read the API token %s: %s", path, strerror(errno));
        return NULL;
    }
    char buf[512];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n == 0) {
        *error = xasprintf("the API token file %s is empty", path);
        return NULL;
    }
    return xstrdup(buf);
}

static bool random_hex(char *out, char **error)
{
    unsigned char bytes[TOKEN_BYTES];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    while (fd >= 0 && got < sizeof(bytes)) {
        ssize_t r = read(fd, bytes + got, sizeof(bytes) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t) r;
    }
    if (fd >= 0)
        close(fd);
    if (got < sizeof(bytes)) {
        *error = xstrdup("cannot read 32 random bytes from /dev/urandom for the API token");
        return false;
    }
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return true;
}

/* Writes a new token to path (which must not exist); false with *error, EEXIST in *exists. */
static bool create_token(const char *path, bool *exists, char **error)
{
    char hex[2 * TOKEN_BYTES + 1];
    if (!random_hex(hex, error))
        return false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *exists = errno == EEXIST;
        if (!*exists)
            *error = xasprintf("cannot create the API token %s: %s", path, strerror(errno));
        return false;
    }
    char line[sizeof(hex) + 1];
    int len = snprintf(line, sizeof(line), "%s\n", hex);
    bool ok = write(fd, line, (size_t) len) == len && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        unlink(path);
        *error = xasprintf("cannot write the API token %s: %s", path, strerror(saved));
    }
    return ok;
}

bool api_token_save(const char *state_dir, const char *token, char **error)
{
    char *path = xasprintf("%s/token", state_dir);
    char *tmp = xasprintf("%s/token.new", state_dir);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0 && fchmod(fd, 0600) == 0;
    if (ok) {
        char *line = xasprintf("%s\n", token);
        size_t len = strlen(line);
        ok = write(fd, line, len) == (ssize_t) len && fsync(fd) == 0;
        free(line);
    }
    int saved = errno;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        *error = xasprintf("cannot write the API token %s: %s", path, strerror(saved));
    }
    free(tmp);
    free(path);
    return ok;
}

char *api_token_load(const char *state_dir, bool create, char **error)
{
    const char *env = getenv("PGSHUTTLE_TOKEN");
    if (env && env[0])
        return xstrdup(env);
    if (create && mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
        *error = xasprintf("cannot create the state directory %s: %s", state_dir, strerror(errno));
        return NULL;
    }
    char *path = xasprintf("%s/token", state_dir);
    char *token = NULL;
    if (access(path, F_OK) != 0 && create) {
        bool exists = false;
        if (!create_token(path, &exists, error) && !exists) {
            free(path);
            return NULL;
        }
    }
    if (access(path, F_OK) != 0 && !create)
        *error = xasprintf("no API token: set PGSHUTTLE_TOKEN or start pgshuttle serve once "
                           "to create %s",
                           path);
    else
        token = read_token(path, error);
    free(path);
    return token;
}
