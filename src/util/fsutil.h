/*
 * fsutil.h — private work directories: create one, remove it with its
 * contents, and remove those that crashed runs left behind.
 *
 * A work directory is $TMPDIR/pgshuttle-XXXXXX (/tmp without TMPDIR), mode
 * 0700, holding the schema archive of one database while it migrates. Its
 * file `owner` names the process that made it: pid, the process's start time
 * (field 22 of /proc/PID/stat), the boot id and the PID namespace, so that a
 * later run can prove that process gone, even when its pid was given to
 * another process since.
 */
#ifndef PGSHUTTLE_UTIL_FSUTIL_H
#define PGSHUTTLE_UTIL_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* The identity of a process, as written into a work directory's `owner` file. */
struct fs_owner {
    long pid;                 /* > 0 */
    unsigned long long start; /* start time in clock ticks after boot; 0: unknown */
    char boot_id[40];         /* /proc/sys/kernel/random/boot_id; "": unknown */
    char pid_ns[48];          /* /proc/PID/ns/pid's target, e.g. pid:[4026531836]; "": unknown */
};

enum fs_owner_state {
    FS_OWNER_ALIVE,   /* the owner runs (or is a zombie not yet reaped) */
    FS_OWNER_DEAD,    /* provably gone: no such pid, another process under it, or a reboot */
    FS_OWNER_UNKNOWN, /* cannot tell (/proc unreadable, another PID namespace): keep */
};

/*
 * Creates a mode-0700 directory $TMPDIR/pgshuttle-XXXXXX with its `owner`
 * file; returns its path (caller frees) or NULL (logged).
 */
char *fs_make_workdir(void) __attribute__((warn_unused_result));
/* Removes path and everything below it, never following symlinks; true if it is gone. */
bool fs_remove_tree(const char *path);

/*
 * Removes the work directories that earlier runs left in tmpdir (NULL:
 * $TMPDIR, else /tmp) whose owner is provably dead, and logs one info line
 * for each. Only directories (not symlinks) named exactly pgshuttle-XXXXXX,
 * owned by this process's effective uid and holding a readable `owner` file
 * are considered; a directory without one (made by a version before the
 * owner file, or by a run that died before writing it) is left alone.
 * proc_root is "/proc" (NULL) or, in tests, a stand-in tree. Returns how
 * many it removed.
 */
int fs_remove_dead_workdirs(const char *tmpdir, const char *proc_root);

/* Reads pid's identity from proc_root (NULL: /proc); false if pid's stat is unreadable. */
bool fs_owner_of(const char *proc_root, long pid, struct fs_owner *out);
/* Writes the text of an owner file into buf (size >= 128 is enough). */
void fs_owner_format(const struct fs_owner *owner, char *buf, size_t size);
/* Parses the text of an owner file; false if it is not one. */
bool fs_owner_parse(const char *text, struct fs_owner *out);
/* Whether the process owner names still runs; proc_root as above. */
enum fs_owner_state fs_owner_state(const char *proc_root, const struct fs_owner *owner);

#endif
