/*
 * schema.h — the schema of one database, moved with pg_dump and pg_restore.
 *
 * pg_dump writes a schema-only archive under the copy snapshot into a
 * private work directory; pg_restore replays it in two sections: pre-data
 * before the data, post-data after it. The objects pgshuttle builds itself
 * in parallel (indexes, constraints, foreign keys) are left out of the
 * restore list by their catalog OIDs. Ownership and grants that name roles
 * missing on the target are skipped with a warning; any other restore error
 * fails the step with the server's message and the statement.
 */
#ifndef PGSHUTTLE_COPY_SCHEMA_H
#define PGSHUTTLE_COPY_SCHEMA_H

#include "pg/tools.h"
#include "util/buf.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* A catalog object: pg_class (1259) for indexes, pg_constraint (2606) for constraints. */
struct schema_object_id {
    uint32_t catalog;
    uint32_t oid;
};

struct schema_archive {
    char *path;      /* owned: the pg_dump archive */
    char *list_path; /* owned: the filtered restore list */
    const struct pg_tools *tools;
    strlist missing_roles; /* roles seen missing while restoring */
    /* Comment entries the restore list leaves out too, by how their line starts after the
       OIDs: "COMMENT schema TRIGGER name ON table " (copy/deferred.h). */
    strlist skip_comments;
    char *error; /* owned: why the last step failed (what pg_dump/pg_restore said), or NULL */
    /*
     * Set by the caller after schema_dump: seconds schema_restore waits for a
     * target that went away during a restore before running the section
     * again (0: such a restore fails), and a flag that stops the wait.
     */
    double reconnect_timeout;
    bool target_gave_up;        /* set by schema_restore: the target stayed away past the timeout */
    const _Atomic bool *cancel; /* borrowed or NULL */
};

/* Dumps the schema of the database conninfo names, under snapshot, into workdir. */
bool schema_dump(const struct pg_tools *tools, const char *conninfo, const char *snapshot,
                 const char *workdir, struct schema_archive *out)
    __attribute__((warn_unused_result));

/* Writes the restore list: every archive entry except the skipped objects. */
bool schema_write_list(struct schema_archive *a, const struct schema_object_id *skip, int nskip)
    __attribute__((warn_unused_result));

/*
 * Restores section ("pre-data" or "post-data") into the database conninfo
 * names. When the target went away during it (pg_restore says so, or the
 * target cannot be reached afterwards), waits for it (pg_outage's backoff,
 * up to a->reconnect_timeout) and runs the section again with --clean
 * --if-exists: what the lost run had restored is dropped first, then
 * restored once.
 */
bool schema_restore(struct schema_archive *a, const char *conninfo, const char *section, int jobs)
    __attribute__((warn_unused_result));

/*
 * Classifies one pg_restore error: returns true when it only failed to give
 * an object to (or grant to) a role that does not exist on the target, and
 * then sets *role to that role's name (caller frees).
 */
bool schema_error_is_missing_role(const char *error, const char *command, char **role);

/* Whether pg_restore's (or pg_dump's) stderr says the connection to the server was lost. */
bool schema_error_is_connection_lost(const char *err);

void schema_archive_free(struct schema_archive *a);

#endif
