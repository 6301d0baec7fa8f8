/* tools.c — locating pg_dump/pg_restore and their version (see tools.h). */
#include "pg/tools.h"
#include "pg/conninfo.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pgtools_parse_version(const char *out)
{
    const char *p = out ? strstr(out, "(PostgreSQL) ") : NULL;
    if (p == NULL)
        return -1;
    p += strlen("(PostgreSQL) ");
    if (!isdigit((unsigned char) *p))
        return -1;
    return atoi(p);
}

/* Runs DIR/pg_dump --version; returns its major or -1. */
static int probe(const char *pg_dump)
{
    const char *argv[] = {pg_dump, "--version", NULL};
    struct proc_result res;
    if (!proc_run(argv, NULL, NULL, &res))
        return -1;
    int major = res.exit_code == 0 ? pgtools_parse_version(res.out) : -1;
    proc_result_free(&res);
    return major;
}

static bool consider(const char *dir, struct pg_tools *best)
{
    char *dump = dir ? xasprintf("%s/pg_dump", dir) : xstrdup("pg_dump");
    char *restore = dir ? xasprintf("%s/pg_restore", dir) : xstrdup("pg_restore");
    bool usable = (dir == NULL || (access(dump, X_OK) == 0 && access(restore, X_OK) == 0));
    int major = usable ? probe(dump) : -1;
    if (major > best->major) {
        pgtools_free(best);
        best->pg_dump = dump;
        best->pg_restore = restore;
        best->major = major;
        return true;
    }
    free(dump);
    free(restore);
    return false;
}

bool pgtools_find(int min_major, struct pg_tools *out)
{
    memset(out, 0, sizeof(*out));
    out->major = -1;
    const char *env = getenv("PGSHUTTLE_PG_BINDIR");
    if (env && env[0])
        consider(env, out);
    for (int v = 19; v >= 9 && out->major < v; v--) {
        char dir[64];
        snprintf(dir, sizeof(dir), "/usr/lib/postgresql/%d/bin", v);
        if (consider(dir, out))
            break;
    }
    consider(NULL, out);
    if (out->major < 0) {
        log_error("pg_dump and pg_restore were not found: install the PostgreSQL client "
                  "(e.g. apt-get install postgresql-client) or set PGSHUTTLE_PG_BINDIR");
        return false;
    }
    if (out->major < min_major) {
        log_error("pg_dump %d (%s) is older than the source server (PostgreSQL %d) and cannot "
                  "dump it: install postgresql-client-%d or set PGSHUTTLE_PG_BINDIR",
                  out->major, out->pg_dump, min_major, min_major);
        return false;
    }
    log_debug("using %s (PostgreSQL %d)", out->pg_dump, out->major);
    return true;
}

void pgtools_free(struct pg_tools *t)
{
    free(t->pg_dump);
    free(t->pg_restore);
    t->pg_dump = t->pg_restore = NULL;
    t->major = -1;
}

bool pgtools_run(const char *program, const char *const args[], const char *conninfo,
                 const char *stdout_path, struct proc_result *res)
{
    char *connstr = NULL, *password = NULL;
    if (!pgconninfo_split_password(conninfo, &connstr, &password)) {
        log_error("%s: the connection string does not parse", program);
        return false;
    }
    size_t nargs = 0;
    while (args && args[nargs])
        nargs++;
    const char **argv = xcalloc(nargs + 5, sizeof(char *));
    size_t k = 0;
    argv[k++] = program;
    for (size_t i = 0; i < nargs; i++)
        argv[k++] = args[i];
    argv[k++] = "--no-password";
    argv[k++] = "--dbname";
    argv[k++] = connstr;
    argv[k] = NULL;
    char *pwenv = password ? xasprintf("PGPASSWORD=%s", password) : NULL;
    const char *env[] = {pwenv, NULL};
    bool ok = proc_run(argv, pwenv ? env : NULL, stdout_path, res);
    if (password)
        memset(password, 0, strlen(password));
    if (pwenv)
        memset(pwenv, 0, strlen(pwenv));
    free(password);
    free(pwenv);
    free(connstr);
    free(argv);
    return ok;
}
