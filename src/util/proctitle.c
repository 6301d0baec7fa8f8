/*
 * proctitle.c — the process title (see proctitle.h).
 *
 * Linux shows /proc/PID/cmdline from the memory the arguments were passed in
 * (fs/proc/base.c, get_mm_cmdline): as it is, NULs between arguments and all,
 * when the last byte of the argument area is NUL; when that byte is not NUL
 * (a program rewrote its title, as setproctitle(3) does), only up to the
 * first NUL, which may lie beyond the arguments, in the environment strings
 * that follow them. So a title is written as one string ending in a NUL, the
 * rest of the area is cleared and its last byte set to a space: what shows is
 * the title alone, and neither its padding nor the length of what it
 * replaced. PostgreSQL's ps_status.c and setproctitle(3) work the same way.
 */
#define _GNU_SOURCE /* program_invocation_name */
#include "util/proctitle.h"
#include "util/mem.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern char **environ;

static char *area;        /* where argv[0] was; NULL until proctitle_init() */
static size_t arg_room;   /* bytes of the argument strings, NULs included */
static size_t env_room;   /* bytes of the environment strings taken over after them */
static bool env_claimed;  /* the environment strings were moved out (once) */
static char **arg_copies; /* owned: the copies argv points at, for the process's life */

void proctitle_init(int argc, char **argv)
{
    if (area || argc < 1 || argv[0] == NULL)
        return;
    char *start = argv[0];
    char *end = start + strlen(start) + 1;
    int n = 1;
    while (n < argc && argv[n] == end)
        end += strlen(argv[n++]) + 1;
#ifdef __GLIBC__
    /* glibc points these into argv[0] (error messages use them). */
    char *name = program_invocation_name, *short_name = program_invocation_short_name;
#endif
    arg_copies = xcalloc((size_t) n, sizeof(char *));
    for (int i = 0; i < n; i++)
        argv[i] = arg_copies[i] = xstrdup(argv[i]);
#ifdef __GLIBC__
    uintptr_t len0 = strlen(argv[0]);
    if ((uintptr_t) name - (uintptr_t) start <= len0)
        program_invocation_name = argv[0] + ((uintptr_t) name - (uintptr_t) start);
    if ((uintptr_t) short_name - (uintptr_t) start <= len0)
        program_invocation_short_name = argv[0] + ((uintptr_t) short_name - (uintptr_t) start);
#endif
    area = start;
    arg_room = (size_t) (end - start);
}

/*
 * Moves the environment strings that directly follow the arguments to the
 * heap (environ then points at copies) and returns how many bytes that frees.
 */
static size_t claim_environment(void)
{
    env_claimed = true;
    if (environ == NULL)
        return 0;
    size_t count = 0;
    while (environ[count])
        count++;
    char **copy = xcalloc(count + 1, sizeof(char *));
    memcpy(copy, environ, count * sizeof(char *));
    /* Take the strings in memory order, whatever their order in environ. */
    char *end = area + arg_room;
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < count; i++)
            if (copy[i] == end) {
                end += strlen(end) + 1;
                copy[i] = xstrdup(copy[i]);
                grew = true;
            }
    }
    environ = copy;
    return (size_t) (end - (area + arg_room));
}

bool proctitle_set(const char *title)
{
    if (area == NULL || arg_room < 2)
        return false;
    size_t n = strlen(title);
    if (n + 1 > arg_room && !env_claimed)
        env_room = claim_environment();
    if (n + 1 > arg_room + env_room)
        n = arg_room + env_room - 1;
    memmove(area, title, n);
    area[n] = '\0';
    if (n + 1 < arg_room) {
        memset(area + n + 1, 0, arg_room - n - 1);
        area[arg_room - 1] = ' ';
    }
    return true;
}
