/* fsutil.h — private work directories: create one, remove it with its contents. */
#ifndef PGSHUTTLE_UTIL_FSUTIL_H
#define PGSHUTTLE_UTIL_FSUTIL_H

#include <stdbool.h>

/* Creates a mode-0700 directory $TMPDIR/pgshuttle-XXXXXX; returns its path (caller frees) or NULL. */
char *fs_make_workdir(void);
/* Removes path and everything below it; true if it is gone. */
bool fs_remove_tree(const char *path);

#endif
