/*
 * statedir.c — the state directory's default (see statedir.h).
 */
#include "util/statedir.h"
#include "util/mem.h"

#include <stdlib.h>

static const char *env_set(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

char *state_dir_resolve(const char *given)
{
    if (given && given[0])
        return xstrdup(given);
    const char *v = env_set("PGSHUTTLE_STATE_DIR");
    if (v)
        return xstrdup(v);
    if ((v = env_set("XDG_STATE_HOME")))
        return xasprintf("%s/pgshuttle", v);
    if ((v = env_set("HOME")))
        return xasprintf("%s/.local/state/pgshuttle", v);
    return NULL;
}

char *state_dir_log_path(const char *state_dir, const char *name)
{
    char *safe = xstrdup(name);
    for (char *p = safe; *p; p++)
        if (*p == '/' || (p == safe && *p == '.'))
            *p = '_';
    char *path = xasprintf("%s/logs/%s.log", state_dir, safe);
    free(safe);
    return path;
}
