/*
 * validate.h — checking, before anything moves, everything that would make
 * a migration fail or lose data, and saying what to do about it.
 *
 * Checks live in one registry (registry.c): a name, a scope (instance or
 * database), the modes it applies to, whether the pipeline needs it even
 * without validation (essential), and a function. Instance checks run once
 * for source and target; database checks once per chosen database.
 */
#ifndef PGSHUTTLE_VALIDATE_VALIDATE_H
#define PGSHUTTLE_VALIDATE_VALIDATE_H

#include "model/check.h"
#include "model/events.h"
#include "model/migration.h"
#include "pg/tools.h"

#include <stdbool.h>

struct validate_report {
    struct check_results results;
    char *source_type;  /* owned: detected (auto) or as given, e.g. "AWS RDS" */
    int source_version; /* server_version_num, 0 if unreachable */
    int target_version;
    struct pg_tools tools; /* pg_dump/pg_restore found (major -1 if none) */
    /*
     * validate_run_asking with ask_overwrite: the chosen databases that exist
     * on the target (their check is a Warning: the user is asked to confirm
     * dropping them first).
     */
    strlist existing;
};

/*
 * Runs the checks that apply to spec's mode: all of them, or with
 * essential_only just those the pipeline cannot start without. Each result
 * is also sent to events as it is known. Returns false when any check Failed.
 */
bool validate_run(const struct migration_spec *spec, bool essential_only,
                  const struct event_sink *events, struct validate_report *rep);
/*
 * The same; with ask_overwrite (a caller that can ask its user, spec not
 * overwriting), a target database that exists is checked as with --overwrite
 * but its existence is a Warning, and its name is in rep->existing.
 */
bool validate_run_asking(const struct migration_spec *spec, bool essential_only, bool ask_overwrite,
                         const struct event_sink *events, struct validate_report *rep);
/*
 * Only the instance checks of spec's mode (connectivity, versions, client
 * tools, the online prerequisites, privileges, server parameters): what a
 * "test connection" asks. A few of them look into spec's databases (the
 * source role's read privileges, the extensions' libraries); with none
 * chosen they check the servers alone. Returns false when any check Failed.
 */
bool validate_run_instance(const struct migration_spec *spec, const struct event_sink *events,
                           struct validate_report *rep);
void validate_report_free(struct validate_report *rep);

#endif
