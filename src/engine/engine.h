/*
 * engine.h — runs a migration's pipeline and owns its status.
 *
 * The engine strings the phases together (prerequisites, checks, dropping
 * and creating target databases, schema, data, indexes, sequences, final
 * steps) for each database, moves the status and substatus through the
 * product's flow, and reports through an event sink. Progress counters of
 * each database are readable at any time from other threads.
 */
#ifndef PGSHUTTLE_ENGINE_ENGINE_H
#define PGSHUTTLE_ENGINE_ENGINE_H

#include "model/check.h"
#include "model/events.h"
#include "model/migration.h"
#include "model/progress.h"
#include "model/status.h"
#include "util/buf.h"

#include <stdatomic.h>
#include <stdbool.h>

struct engine_run {
    const struct migration_spec *spec;
    const struct event_sink *events;
    _Atomic bool cancel;
    _Atomic bool cutover;     /* online: the user asked to cut over */
    _Atomic int status;       /* enum mig_status */
    _Atomic int substatus;    /* enum mig_substatus */
    struct db_progress **dbs; /* owned array of owned records, one per database */
    int ndbs;
    char *error;             /* owned: why it failed, NULL otherwise */
    char *error_database;    /* owned: where it failed, or NULL */
    char *error_sqlstate;    /* owned or NULL */
    strlist warnings;        /* everything the user was warned about */
    char *toast_compression; /* owned: the method copy sessions use, NULL = the target's default */
    struct check_results checks; /* validation results */
    char *source_type;           /* owned: detected or given; NULL before validation */
    double started_wall;         /* wall clock, set by engine_run_new */
    double finished_wall;        /* wall clock, set when engine_run_execute returns */
};

struct engine_run *engine_run_new(const struct migration_spec *spec,
                                  const struct event_sink *events);
void engine_run_free(struct engine_run *run);

/* Runs the whole migration in the calling thread; returns its final status. */
enum mig_status engine_run_execute(struct engine_run *run);

/* Asks a running migration to stop (any thread; not from a signal handler). */
void engine_run_cancel(struct engine_run *run);
/*
 * Asks an online migration to cut over (any thread; not from a signal
 * handler). A request before every database streams is kept until then.
 */
void engine_run_request_cutover(struct engine_run *run);

#endif
