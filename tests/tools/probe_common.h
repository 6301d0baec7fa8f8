/*
 * probe_common.h — what the step-driven test probes (repl_probe,
 * applier_probe) share: the start (conninfo from the environment, logging,
 * line-buffered stdout), the loop that runs one step per argument from a
 * table; and printing an LSN, which stream_probe uses too.
 *
 * Header-only (static inline) because tests/CMakeLists.txt builds every
 * tests/tools/NAME.c as a program of its own. Each probe defines its own
 * struct probe; here it is only passed through.
 */
#ifndef PGSHUTTLE_TESTS_PROBE_COMMON_H
#define PGSHUTTLE_TESTS_PROBE_COMMON_H

#include "pg/replication.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe;

/* One step: NAME[:FIELD...], split into at most max_fields fields (at most 4). */
struct probe_step {
    const char *name;
    int max_fields;
    bool (*run)(struct probe *p, char **fields, int nfields);
    bool needs_open; /* refused as a usage error while the probe's is_open says no */
};

#define PROBE_MAX_FIELDS 4

static inline void probe_print_lsn(const char *prefix, uint64_t lsn)
{
    char buf[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(lsn, buf, sizeof(buf));
    printf("%s%s", prefix, buf);
}

/*
 * The conninfo from ENV_CONNINFO, or NULL after a usage line on stderr when
 * it is not set or there are no steps. Logs at LOG_DEBUG when ENV_DEBUG is
 * set, else from level up; stdout is line-buffered.
 */
static inline const char *probe_start(const char *tool, const char *env, int argc,
                                      enum log_level level)
{
    char name[64];
    snprintf(name, sizeof(name), "%s_CONNINFO", env);
    const char *conninfo = getenv(name);
    if (argc < 2 || conninfo == NULL) {
        fprintf(stderr, "usage: %s=... %s STEP... (see the source)\n", name, tool);
        return NULL;
    }
    snprintf(name, sizeof(name), "%s_DEBUG", env);
    log_configure(getenv(name) ? LOG_DEBUG : level, stderr, false);
    setvbuf(stdout, NULL, _IOLBF, 0);
    return conninfo;
}

/* Splits arg in place on ':' into at most max fields (the last keeps any further ':'). */
static inline int probe_split(char *arg, char **fields, int max)
{
    int n = 0;
    fields[n++] = arg;
    while (n < max) {
        char *colon = strchr(fields[n - 1], ':');
        if (colon == NULL)
            break;
        *colon = '\0';
        fields[n++] = colon + 1;
    }
    return n;
}

/*
 * Runs argv[1..] as steps of the table, in order, until one fails. Returns
 * the exit status: 0 all ran, 2 a step failed, 64 an unknown step or one
 * that needs_open before is_open (may be NULL when no step needs it).
 */
static inline int probe_run_steps(const char *tool, int argc, char **argv, struct probe *p,
                                  const struct probe_step *steps, size_t nsteps,
                                  bool (*is_open)(const struct probe *p))
{
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        char *arg = xstrdup(argv[i]);
        size_t namelen = strcspn(arg, ":");
        bool found = false;
        for (size_t k = 0; k < nsteps; k++) {
            if (strlen(steps[k].name) != namelen || strncmp(steps[k].name, arg, namelen) != 0)
                continue;
            found = true;
            char *fields[PROBE_MAX_FIELDS];
            int max =
                steps[k].max_fields < PROBE_MAX_FIELDS ? steps[k].max_fields : PROBE_MAX_FIELDS;
            int nf = probe_split(arg, fields, max);
            if (steps[k].needs_open && !(is_open && is_open(p))) {
                fprintf(stderr, "%s: step %d (%s) must come after open\n", tool, i, steps[k].name);
                rc = 64;
            } else if (!steps[k].run(p, fields, nf)) {
                fprintf(stderr, "%s: step %d (%s) failed\n", tool, i, steps[k].name);
                rc = 2;
            }
            break;
        }
        if (!found) {
            fprintf(stderr, "%s: unknown step \"%s\"\n", tool, argv[i]);
            rc = 64;
        }
        free(arg);
    }
    return rc;
}

#endif
