/*
 * internal.h — what the engine's own files share: status changes, warnings,
 * failures, and the per-database pipelines. Not for other layers.
 */
#ifndef PGSHUTTLE_ENGINE_INTERNAL_H
#define PGSHUTTLE_ENGINE_INTERNAL_H

#include "engine/engine.h"
#include "pg/tools.h"

/* report.c */
/* Moves the migration (db == NULL) or one database to status/substatus and reports it. */
void engine_set_status(struct engine_run *run, struct db_progress *db, enum mig_status status,
                       enum mig_substatus sub);
/* Reports a warning (recorded once per distinct text). */
void engine_warn(struct engine_run *run, const char *database, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records the migration's failure (the first one wins) and reports it. */
void engine_fail(struct engine_run *run, const char *database, const char *sqlstate,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Records the migration's failure without reporting it again: an event
 * already did (a failed check). The summary at the end shows it.
 */
void engine_fail_reported(struct engine_run *run, const char *database, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Announces a pipeline step. */
void engine_phase(struct engine_run *run, const char *database, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool engine_canceled(struct engine_run *run);
/* The index of db in run->dbs (-1 if not there). */
int engine_db_index(const struct engine_run *run, const struct db_progress *db);
/* db's work is to stop: it or the whole migration was canceled. */
bool engine_db_canceled(struct engine_run *run, const struct db_progress *db);
/* db was canceled on its own (engine_run_cancel_db), the migration was not. */
bool engine_db_canceled_alone(struct engine_run *run, const struct db_progress *db);
/* The flag db's copy workers watch: set when engine_db_canceled becomes true. */
const _Atomic bool *engine_db_stop_flag(struct engine_run *run, const struct db_progress *db);
/* A database canceled on its own before it started: Canceled, nothing done. */
void engine_db_skip_canceled(struct engine_run *run, struct db_progress *db);
/* True once the migration's failure is recorded. */
bool engine_failed(struct engine_run *run);
/* Replaces the recorded failure, whatever it was, with message (no database, no SQLSTATE). */
void engine_replace_failure(struct engine_run *run, const char *message);
/* Records the validation results and the source's type (both taken over). */
void engine_set_checks(struct engine_run *run, struct check_results checks, char *source_type);
/* Records that the run finished (now); returns the migration's substatus. */
enum mig_substatus engine_finished(struct engine_run *run);

/* conninfo.c */
/* The conninfo of the server's maintenance database (the conninfo's own, else postgres); caller
 * frees. */
char *engine_admin_conninfo(const char *conninfo);
/* The conninfo of database db on that server; caller frees. */
char *engine_db_conninfo(const char *conninfo, const char *db);

/* The phases, which run.c strings together. */
/* preflight.c: checks that must pass before anything moves; false when one failed (already
 * reported). */
bool engine_preflight(struct engine_run *run, struct pg_tools *tools);

/* online.c: migrates every database online: copy, stream, cutover (or cancel); returns the outcome.
 */
enum mig_status engine_online_run(struct engine_run *run, const struct pg_tools *tools);

/* offline.c: migrates one database offline: create, schema, data, indexes, finish. */
bool engine_offline_database(struct engine_run *run, struct db_progress *db,
                             const struct pg_tools *tools);

#endif
