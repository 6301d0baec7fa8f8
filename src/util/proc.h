/*
 * proc.h — run a child program (pg_dump, pg_restore) and collect its output.
 *
 * Secrets go to children through the environment (env_extra, e.g.
 * PGPASSWORD=...), never through argv, so they stay out of process listings.
 */
#ifndef PGSHUTTLE_UTIL_PROC_H
#define PGSHUTTLE_UTIL_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct proc_result {
    int exit_code; /* exit status, or -1 if killed by a signal */
    int term_signal;
    char *out; /* owned: captured stdout (NULL when stdout went to a file) */
    char *err; /* owned: captured stderr, never NULL after proc_run returned true */
};

/*
 * Runs argv[0] (searched in PATH when it has no slash) with argv, adding the
 * NAME=VALUE strings of env_extra (NULL-terminated, may be NULL) to the
 * environment. stdout goes to stdout_path when not NULL, else is captured.
 * Returns false only when the program could not be started (logged); a
 * non-zero exit is reported in res. Free res with proc_result_free().
 */
bool proc_run(const char *const argv[], const char *const env_extra[], const char *stdout_path,
              struct proc_result *res) __attribute__((warn_unused_result));
void proc_result_free(struct proc_result *res);

/* Kills every child started by proc_run that is still running (for cancel). */
void proc_kill_all(int sig);

#endif
