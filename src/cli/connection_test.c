/*
 * connection_test.c — the API's connection test (see connection_test.h):
 * the validate module's instance checks on the two servers of a spec, with
 * each connection's connect_timeout capped, and the results' texts
 * redacted of the passwords (the checks already leave them out; this makes
 * sure of it for an answer that goes to a browser).
 */
#include "cli/connection_test.h"
#include "pg/conninfo.h"
#include "util/mem.h"
#include "validate/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * conninfo with its connect_timeout at most CONNECTION_TEST_CONNECT_TIMEOUT
 * (absent, 0 = forever, or larger: set to the cap). A copy; NULL if it does
 * not parse (the checks then say so).
 */
static char *bounded(const char *conninfo)
{
    char *given = pgconninfo_get(conninfo, "connect_timeout");
    long seconds = given ? strtol(given, NULL, 10) : 0;
    free(given);
    if (seconds > 0 && seconds <= CONNECTION_TEST_CONNECT_TIMEOUT)
        return xstrdup(conninfo);
    char cap[16];
    snprintf(cap, sizeof(cap), "%d", CONNECTION_TEST_CONNECT_TIMEOUT);
    return pgconninfo_set(conninfo, "connect_timeout", cap);
}

/* *text with the passwords of both connection strings replaced (in place, reallocated). */
static void redact(char **text, const struct migration_spec *spec)
{
    if (*text == NULL)
        return;
    const char *conninfos[2] = {spec->source, spec->target};
    for (int i = 0; i < 2; i++) {
        if (conninfos[i] == NULL)
            continue;
        char *clean = pgconninfo_redact(*text, conninfos[i]);
        free(*text);
        *text = clean;
    }
}

void connection_test_run(const struct migration_spec *spec, struct check_results *results)
{
    struct migration_spec probe = *spec; /* a shallow copy with bounded connection strings */
    char *source = bounded(spec->source), *target = bounded(spec->target);
    probe.source = source ? source : spec->source;
    probe.target = target ? target : spec->target;
    struct validate_report rep;
    validate_run_instance(&probe, NULL, &rep);
    for (size_t i = 0; i < rep.results.n; i++) {
        redact(&rep.results.items[i].message, spec);
        redact(&rep.results.items[i].remediation, spec);
    }
    *results = rep.results;
    memset(&rep.results, 0, sizeof(rep.results));
    validate_report_free(&rep);
    free(source);
    free(target);
}
