/* fsutil.c — work directory helpers (see fsutil.h). */
#define _XOPEN_SOURCE 700
#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *fs_make_workdir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xasprintf("%s/pgshuttle-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(path) == NULL) {
        log_error("could not create a work directory %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path) == 0 ? 0 : -1;
}

bool fs_remove_tree(const char *path)
{
    if (path == NULL || access(path, F_OK) != 0)
        return true;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}
