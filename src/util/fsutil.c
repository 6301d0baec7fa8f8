/*
 * fsutil.c — work directory helpers (see fsutil.h).
 *
 * The leftovers of a crashed run (kill -9, a power cut) are found by name in
 * the temp directory and proven dead through their `owner` file before
 * anything is removed: a pid alone proves nothing (pids are reused), a pid
 * whose start time differs, or a boot id that differs, does. Whatever cannot
 * be proven dead stays.
 */
#define _XOPEN_SOURCE 700
#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORKDIR_PREFIX "pgshuttle-"
#define WORKDIR_SUFFIX 6 /* mkdtemp's XXXXXX */
#define OWNER_FILE     "owner"
#define OWNER_HEADER   "pgshuttle work directory owner"

static const char *temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    return tmp && tmp[0] ? tmp : "/tmp";
}

/* Reads up to size-1 bytes of the file at (dirfd, path) into buf, NUL-terminated. */
static bool read_small_file(int dirfd, const char *path, char *buf, size_t size)
{
    int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t len = 0;
    while (len < size - 1) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t) n;
    }
    close(fd);
    buf[len] = '\0';
    return len > 0;
}

/* Reads proc_root/REL (a text file or a symlink's target) into buf, trailing newline cut. */
static void read_proc_text(const char *proc_root, const char *rel, bool link, char *buf,
                           size_t size)
{
    char path[PATH_MAX];
    buf[0] = '\0';
    if (snprintf(path, sizeof(path), "%s/%s", proc_root, rel) >= (int) sizeof(path))
        return;
    if (link) {
        ssize_t n = readlink(path, buf, size - 1);
        buf[n > 0 ? n : 0] = '\0';
    } else if (!read_small_file(AT_FDCWD, path, buf, size))
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

/* The start time (field 22) of a /proc/PID/stat line; the name in field 2 may hold ") ". */
static bool stat_start_time(const char *stat, unsigned long long *start)
{
    const char *p = strrchr(stat, ')');
    if (p == NULL)
        return false;
    p++;
    /* after the name: field 3 (state) is token 0, so field 22 is token 19 */
    for (int field = 3; field < 22; field++) {
        while (*p == ' ')
            p++;
        p += strcspn(p, " ");
    }
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char) *p))
        return false;
    char *end;
    errno = 0;
    *start = strtoull(p, &end, 10);
    return errno == 0 && (*end == ' ' || *end == '\n' || *end == '\0');
}

bool fs_owner_of(const char *proc_root, long pid, struct fs_owner *out)
{
    if (proc_root == NULL)
        proc_root = "/proc";
    memset(out, 0, sizeof(*out));
    out->pid = pid;
    read_proc_text(proc_root, "sys/kernel/random/boot_id", false, out->boot_id,
                   sizeof(out->boot_id));
    char rel[64], stat[1024];
    snprintf(rel, sizeof(rel), "%ld/ns/pid", pid);
    read_proc_text(proc_root, rel, true, out->pid_ns, sizeof(out->pid_ns));
    snprintf(rel, sizeof(rel), "%ld/stat", pid);
    read_proc_text(proc_root, rel, false, stat, sizeof(stat));
    return stat[0] != '\0' && stat_start_time(stat, &out->start);
}

void fs_owner_format(const struct fs_owner *owner, char *buf, size_t size)
{
    snprintf(buf, size, OWNER_HEADER "\npid=%ld\nstart=%llu\nboot=%s\npidns=%s\n", owner->pid,
             owner->start, owner->boot_id, owner->pid_ns);
}

/* Copies value into dst if it is short enough and made of chars in allowed. */
static bool copy_token(char *dst, size_t size, const char *value, const char *allowed)
{
    size_t n = strlen(value);
    if (n >= size || strspn(value, allowed) != n)
        return false;
    memcpy(dst, value, n + 1);
    return true;
}

bool fs_owner_parse(const char *text, struct fs_owner *out)
{
    memset(out, 0, sizeof(*out));
    size_t hlen = strlen(OWNER_HEADER);
    if (strncmp(text, OWNER_HEADER "\n", hlen + 1) != 0)
        return false;
    bool have_pid = false, have_start = false;
    char line[128];
    for (const char *p = text + hlen + 1; *p;) {
        size_t n = strcspn(p, "\n");
        if (n >= sizeof(line))
            return false;
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (p[n] == '\n');
        char *eq = strchr(line, '=');
        if (eq == NULL)
            return false;
        *eq = '\0';
        const char *key = line, *value = eq + 1;
        char *end;
        if (strcmp(key, "pid") == 0 || strcmp(key, "start") == 0) {
            if (!isdigit((unsigned char) value[0]))
                return false;
            errno = 0;
            unsigned long long v = strtoull(value, &end, 10);
            if (errno != 0 || *end != '\0')
                return false;
            if (key[0] == 'p') {
                /* never 0 or negative: kill() would take those for process groups */
                if (v == 0 || v > INT_MAX)
                    return false;
                out->pid = (long) v;
                have_pid = true;
            } else {
                out->start = v;
                have_start = true;
            }
        } else if (strcmp(key, "boot") == 0) {
            if (!copy_token(out->boot_id, sizeof(out->boot_id), value, "0123456789abcdefABCDEF-"))
                return false;
        } else if (strcmp(key, "pidns") == 0) {
            if (!copy_token(out->pid_ns, sizeof(out->pid_ns), value, "pid:[]0123456789"))
                return false;
        } /* other keys: written by a newer version, not needed for the proof */
    }
    return have_pid && have_start;
}

enum fs_owner_state fs_owner_state(const char *proc_root, const struct fs_owner *owner)
{
    if (proc_root == NULL)
        proc_root = "/proc";
    if (owner->pid <= 0 || owner->pid > INT_MAX)
        return FS_OWNER_UNKNOWN;
    char boot[sizeof(owner->boot_id)], pid_ns[sizeof(owner->pid_ns)];
    read_proc_text(proc_root, "sys/kernel/random/boot_id", false, boot, sizeof(boot));
    read_proc_text(proc_root, "self/ns/pid", true, pid_ns, sizeof(pid_ns));
    if (owner->boot_id[0] && boot[0] && strcmp(owner->boot_id, boot) != 0)
        return FS_OWNER_DEAD; /* the machine restarted since */
    /* Another PID namespace (a container sharing the temp dir): its pids are not ours to look up.
     */
    if (owner->pid_ns[0] && pid_ns[0] && strcmp(owner->pid_ns, pid_ns) != 0)
        return FS_OWNER_UNKNOWN;
    if (kill((pid_t) owner->pid, 0) != 0 && errno == ESRCH)
        return FS_OWNER_DEAD;
    struct fs_owner now;
    if (!fs_owner_of(proc_root, owner->pid, &now)) {
        /* gone between kill() and reading its stat, or /proc cannot tell */
        if (kill((pid_t) owner->pid, 0) != 0 && errno == ESRCH)
            return FS_OWNER_DEAD;
        return FS_OWNER_UNKNOWN;
    }
    if (owner->start == 0 || now.start == 0)
        return FS_OWNER_UNKNOWN;
    return now.start == owner->start ? FS_OWNER_ALIVE : FS_OWNER_DEAD;
}

/* Writes the owner file of a new work directory: temp file, then rename, so it is whole or absent.
 */
static bool write_owner(const char *dir)
{
    struct fs_owner self;
    if (!fs_owner_of(NULL, (long) getpid(), &self))
        self.start = 0; /* no /proc: a later run can still tell the pid is gone */
    char text[256];
    fs_owner_format(&self, text, sizeof(text));
    char *tmp = xasprintf("%s/" OWNER_FILE ".tmp", dir);
    char *final = xasprintf("%s/" OWNER_FILE, dir);
    bool ok = false;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        size_t len = strlen(text);
        ok = write(fd, text, len) == (ssize_t) len;
        ok = close(fd) == 0 && ok;
        ok = ok && rename(tmp, final) == 0;
    }
    if (!ok) {
        log_error("could not write %s: %s", final, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(final);
    return ok;
}

char *fs_make_workdir(void)
{
    char *path = xasprintf("%s/" WORKDIR_PREFIX "XXXXXX", temp_dir());
    if (mkdtemp(path) == NULL) {
        log_error("could not create a work directory %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    if (!write_owner(path)) {
        fs_remove_tree(path);
        free(path);
        return NULL;
    }
    return path;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    /* a concurrent run removing the same leftover got there first */
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

bool fs_remove_tree(const char *path)
{
    struct stat st;
    if (path == NULL || lstat(path, &st) != 0)
        return true;
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return lstat(path, &st) != 0 && errno == ENOENT;
}

/* pgshuttle-XXXXXX exactly, XXXXXX being what mkdtemp puts there (letters and digits). */
static bool is_workdir_name(const char *name)
{
    size_t plen = strlen(WORKDIR_PREFIX);
    if (strncmp(name, WORKDIR_PREFIX, plen) != 0 || strlen(name) != plen + WORKDIR_SUFFIX)
        return false;
    for (const char *p = name + plen; *p; p++)
        if (!isalnum((unsigned char) *p))
            return false;
    return true;
}

/* Reads the owner of the directory tmpfd/name if it is one of ours; false if it is not. */
static bool workdir_owner(int tmpfd, const char *name, struct fs_owner *owner)
{
    struct stat st, st2;
    if (fstatat(tmpfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != geteuid())
        return false;
    int dfd = openat(tmpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return false;
    char text[512];
    bool ok = fstat(dfd, &st2) == 0 && st2.st_dev == st.st_dev && st2.st_ino == st.st_ino &&
              fstatat(dfd, OWNER_FILE, &st2, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st2.st_mode) &&
              st2.st_uid == st.st_uid && read_small_file(dfd, OWNER_FILE, text, sizeof(text)) &&
              fs_owner_parse(text, owner);
    close(dfd);
    return ok;
}

int fs_remove_dead_workdirs(const char *tmpdir, const char *proc_root)
{
    if (tmpdir == NULL)
        tmpdir = temp_dir();
    DIR *dir = opendir(tmpdir);
    if (dir == NULL) {
        log_debug("cannot look for leftover work directories in %s: %s", tmpdir, strerror(errno));
        return 0;
    }
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        struct fs_owner owner;
        if (!is_workdir_name(de->d_name) || !workdir_owner(dirfd(dir), de->d_name, &owner))
            continue;
        if (fs_owner_state(proc_root, &owner) != FS_OWNER_DEAD)
            continue;
        char *path = xasprintf("%s/%s", tmpdir, de->d_name);
        if (fs_remove_tree(path)) {
            log_info("removed the work directory %s left by an earlier run (its process, pid "
                     "%ld, has ended)",
                     path, owner.pid);
            removed++;
        } else
            log_warn("could not remove the work directory %s left by an earlier run (its "
                     "process, pid %ld, has ended): %s",
                     path, owner.pid, strerror(errno));
        free(path);
    }
    closedir(dir);
    return removed;
}
