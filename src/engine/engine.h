/*
 * engine.h — runs a migration's pipeline and owns its status.
 *
 * The engine strings the phases together (prerequisites, checks, dropping
 * and creating target databases, schema, data, indexes, sequences, final
 * steps) for each database, moves the status and substatus through the
 * product's flow, and reports through an event sink. Progress counters of
 * each database are readable at any time from other threads, and so is the
 * migration's state, through engine_run_state().
 */
#ifndef PGSHUTTLE_ENGINE_ENGINE_H
#define PGSHUTTLE_ENGINE_ENGINE_H

#include "model/check.h"
#include "model/events.h"
#include "model/migration.h"
#include "model/progress.h"
#include "model/state.h"
#include "model/status.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* See engine_run_set_overwrite_hook below. */
struct engine_overwrite_hook {
    bool (*await_overwrite)(void *ctx, const strlist *existing);
    void *ctx;
};

struct engine_run {
    const struct migration_spec *spec;
    const struct event_sink *events;
    _Atomic bool cancel;
    _Atomic bool cutover;     /* online: the user asked to cut over */
    struct db_progress **dbs; /* owned array of owned records, one per database */
    int ndbs;
    /* per database, as dbs: the user asked to cut it over / cancel it on its own */
    _Atomic bool *cutover_db; /* owned array */
    _Atomic bool *cancel_db;  /* owned array */
    _Atomic bool *stop_db;    /* owned array: its work stops (it or the whole migration canceled) */
    struct engine_overwrite_hook overwrite_hook; /* await_overwrite NULL = none */
    strlist overwrite_ok;    /* target databases the user confirmed dropping (the hook) */
    char *toast_compression; /* owned: the method copy sessions use, NULL = the target's default */
    pthread_mutex_t lock;    /* guards state */
    /*
     * Status, substatus, failure, warnings, checks, source type and times
     * (its dbs stay empty: the live figures are in dbs above). started_wall
     * is set by engine_run_new, finished_wall when engine_run_execute
     * returns. The engine's files change it through report.c; other layers
     * read a copy (engine_run_state).
     */
    struct migration_state state;
};

struct engine_run *engine_run_new(const struct migration_spec *spec,
                                  const struct event_sink *events);
void engine_run_free(struct engine_run *run);

/* Runs the whole migration in the calling thread; returns its final status. */
enum mig_status engine_run_execute(struct engine_run *run);

/*
 * A copy of run's state, with a snapshot of each database's progress, into
 * out (any thread; free with migration_state_free).
 */
void engine_run_state(struct engine_run *run, struct migration_state *out);

/* Asks a running migration to stop (any thread; not from a signal handler). */
void engine_run_cancel(struct engine_run *run);
/*
 * Asks an online migration to cut over (any thread; not from a signal
 * handler). A request before every database streams is kept until then.
 */
void engine_run_request_cutover(struct engine_run *run);

/*
 * The same for one database (any thread): an online database cut over on
 * its own completes while the others stream on; one canceled on its own is
 * stopped and cleaned up (slot, publication, target database) while the
 * others go on. false if the migration has no database of that name.
 *
 * A cutover of one database is done once every database streams and it has
 * caught up (a request before is kept); offline it is ignored. A cancel of
 * one skips it if it has not started and stops its copy if it is copying
 * (online and offline). Once every database is canceled the migration is, as
 * by engine_run_cancel. The migration ends Succeeded when every database not
 * canceled by the user succeeded.
 */
bool engine_run_request_cutover_db(struct engine_run *run, const char *database);
bool engine_run_cancel_db(struct engine_run *run, const char *database);

/*
 * Set before engine_run_execute by a caller that can ask its user (the
 * service): when target databases exist and the spec does not overwrite,
 * the engine does not fail the migration but sets Waiting for user action /
 * Waiting for overwrite confirmation and calls await_overwrite(ctx,
 * existing), which blocks until the user answers: true = overwrite them
 * and go on, false = the migration is canceled. NULL (the default, the
 * foreground CLI): such databases fail validation as before.
 */
void engine_run_set_overwrite_hook(struct engine_run *run,
                                   const struct engine_overwrite_hook *hook);

#endif
