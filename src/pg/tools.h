/*
 * tools.h — finding the PostgreSQL client programs (pg_dump, pg_restore).
 *
 * pg_dump must be at least as new as the server it dumps; pgshuttle picks
 * the newest installed pair: $PGSHUTTLE_PG_BINDIR, then Debian's
 * /usr/lib/postgresql/N/bin, then PATH.
 */
#ifndef PGSHUTTLE_PG_TOOLS_H
#define PGSHUTTLE_PG_TOOLS_H

#include "util/proc.h"

#include <stdbool.h>

struct pg_tools {
    char *pg_dump;    /* owned: path */
    char *pg_restore; /* owned: path */
    int major;        /* their major version, e.g. 15 */
};

/*
 * Finds the newest pg_dump/pg_restore pair. Fails (logging what to install)
 * when none is found or the newest is older than min_major.
 */
bool pgtools_find(int min_major, struct pg_tools *out) __attribute__((warn_unused_result));
void pgtools_free(struct pg_tools *t);

/*
 * Runs a PostgreSQL client program: program, then args (NULL-terminated),
 * then --no-password --dbname=CONNINFO-WITHOUT-PASSWORD; the password goes
 * in PGPASSWORD, never on the command line. stdout goes to stdout_path, or
 * is captured when NULL. Returns false when the connection string does not
 * parse or the program cannot start (logged); an exit status is in res.
 */
bool pgtools_run(const char *program, const char *const args[], const char *conninfo,
                 const char *stdout_path, struct proc_result *res)
    __attribute__((warn_unused_result));
/* Parses "pg_dump (PostgreSQL) 15.18 (Debian ...)" into 15; 9.6 into 9; -1 if unparsable. */
int pgtools_parse_version(const char *version_output);

#endif
