/*
 * proctitle.h — rewriting the process title: the command line that ps,
 * pgrep -f and /proc/PID/cmdline show (Linux).
 *
 * The kernel shows the memory the arguments were passed in. proctitle_init()
 * moves the arguments out of it (argv then points at copies), after which
 * proctitle_set() can write any title there, longer or shorter than the
 * original command line, without the padding showing.
 */
#ifndef PGSHUTTLE_UTIL_PROCTITLE_H
#define PGSHUTTLE_UTIL_PROCTITLE_H

#include <stdbool.h>

/*
 * Copies argv[0..argc) to the heap and points argv (and glibc's
 * program_invocation_name) at the copies, which live as long as the process.
 * Call it first thing in main, before anything keeps a pointer into argv.
 */
void proctitle_init(int argc, char **argv);

/*
 * Shows title as the command line; a title longer than the room (the original
 * arguments and, if needed, the environment strings after them, which are
 * moved out too) is cut. Returns false if proctitle_init() found no room.
 */
bool proctitle_set(const char *title);

#endif
