/*
 * state.h — where a migration stands, as plain data a store can save and an
 * API can serve: status and substatus, the failure (the first one recorded)
 * with its database and SQLSTATE, the warnings, the validation results, the
 * source server's type, when it started and finished, and a snapshot of each
 * database's progress.
 *
 * Not locked: the engine keeps its copy under its own lock and hands out
 * copies (engine.h).
 */
#ifndef PGSHUTTLE_MODEL_STATE_H
#define PGSHUTTLE_MODEL_STATE_H

#include "model/check.h"
#include "model/progress_snapshot.h"
#include "model/status.h"
#include "util/buf.h"

struct migration_state {
    enum mig_status status;
    enum mig_substatus substatus;
    char *error;          /* owned: why it failed, NULL otherwise */
    char *error_database; /* owned: where it failed, or NULL */
    char *error_sqlstate; /* owned or NULL */
    strlist warnings;     /* everything the user was warned about, once each */
    struct check_results checks;
    char *source_type;                /* owned: detected or given; NULL before validation */
    double started_wall;              /* wall clock, seconds; 0 = not yet */
    double finished_wall;             /* wall clock, seconds; 0 = not yet */
    struct db_progress_snapshot *dbs; /* owned array */
    size_t ndbs;
};

/* In Progress / Prerequisites, nothing else. */
void migration_state_init(struct migration_state *s);
void migration_state_free(struct migration_state *s);

/* Records the failure unless one is recorded; true if it was the first. */
bool migration_state_fail(struct migration_state *s, const char *database, const char *sqlstate,
                          const char *message);
/* Replaces the failure, whatever it was, with message (no database, no SQLSTATE). */
void migration_state_replace_error(struct migration_state *s, const char *message);
/* Records a warning unless the same text is recorded; true if it was new. */
bool migration_state_warn(struct migration_state *s, const char *message);
/* Takes over checks and source_type (owned), replacing the ones recorded. */
void migration_state_set_checks(struct migration_state *s, struct check_results checks,
                                char *source_type);

/* Copies src into dst (an uninitialised struct) deeply, without the database snapshots. */
void migration_state_copy(struct migration_state *dst, const struct migration_state *src);

#endif
