/*
 * report.c — how the engine's files report: status changes, warnings,
 * failures (the first one is the migration's) and pipeline steps, each as an
 * event to the run's sink, recorded in the run's state under its lock; and
 * whether the run was canceled or failed. Calls no other engine file, so
 * run.c and the phase files all use it.
 */
#include "engine/internal.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

bool engine_canceled(struct engine_run *run)
{
    return atomic_load(&run->cancel);
}

int engine_db_index(const struct engine_run *run, const struct db_progress *db)
{
    for (int i = 0; db && i < run->ndbs; i++)
        if (run->dbs[i] == db)
            return i;
    return -1;
}

bool engine_db_canceled(struct engine_run *run, const struct db_progress *db)
{
    int i = engine_db_index(run, db);
    return atomic_load(&run->cancel) || (i >= 0 && atomic_load(&run->stop_db[i]));
}

bool engine_db_canceled_alone(struct engine_run *run, const struct db_progress *db)
{
    int i = engine_db_index(run, db);
    return i >= 0 && atomic_load(&run->cancel_db[i]) && !atomic_load(&run->cancel);
}

const _Atomic bool *engine_db_stop_flag(struct engine_run *run, const struct db_progress *db)
{
    int i = engine_db_index(run, db);
    return i >= 0 ? &run->stop_db[i] : &run->cancel;
}

void engine_db_skip_canceled(struct engine_run *run, struct db_progress *db)
{
    log_info("db=%s: canceled by the user before it started: skipped", db->name);
    int64_t now = (int64_t) (time_wall() * 1000);
    atomic_store(&db->started_ms, now);
    atomic_store(&db->finished_ms, now);
    engine_set_status(run, db, MIG_CANCELED, (enum mig_substatus) atomic_load(&db->substatus));
}

void engine_set_status(struct engine_run *run, struct db_progress *db, enum mig_status status,
                       enum mig_substatus sub)
{
    if (db) {
        atomic_store(&db->status, status);
        atomic_store(&db->substatus, sub);
    } else {
        pthread_mutex_lock(&run->lock);
        run->state.status = status;
        run->state.substatus = sub;
        pthread_mutex_unlock(&run->lock);
    }
    struct event ev = {
        .kind = EV_STATUS, .database = db ? db->name : NULL, .status = status, .substatus = sub};
    event_emit(run->events, &ev);
}

static char *vformat(const char *fmt, va_list ap)
{
    char buf[4096];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    return xstrdup(buf);
}

void engine_warn(struct engine_run *run, const char *database, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&run->lock);
    bool fresh = migration_state_warn(&run->state, msg);
    pthread_mutex_unlock(&run->lock);
    if (fresh) {
        struct event ev = {.kind = EV_WARNING, .database = database, .message = msg};
        event_emit(run->events, &ev);
    }
    free(msg);
}

/* Records msg as the migration's failure unless one is recorded; true if it was the first. */
static bool record_failure(struct engine_run *run, const char *database, const char *sqlstate,
                           const char *msg)
{
    pthread_mutex_lock(&run->lock);
    bool first = migration_state_fail(&run->state, database, sqlstate, msg);
    pthread_mutex_unlock(&run->lock);
    return first;
}

bool engine_failed(struct engine_run *run)
{
    pthread_mutex_lock(&run->lock);
    bool failed = run->state.error != NULL;
    pthread_mutex_unlock(&run->lock);
    return failed;
}

void engine_replace_failure(struct engine_run *run, const char *message)
{
    pthread_mutex_lock(&run->lock);
    migration_state_replace_error(&run->state, message);
    pthread_mutex_unlock(&run->lock);
}

void engine_set_checks(struct engine_run *run, struct check_results checks, char *source_type)
{
    pthread_mutex_lock(&run->lock);
    migration_state_set_checks(&run->state, checks, source_type);
    pthread_mutex_unlock(&run->lock);
}

enum mig_substatus engine_finished(struct engine_run *run)
{
    pthread_mutex_lock(&run->lock);
    run->state.finished_wall = time_wall();
    enum mig_substatus sub = run->state.substatus;
    pthread_mutex_unlock(&run->lock);
    return sub;
}

void engine_fail(struct engine_run *run, const char *database, const char *sqlstate,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    if (record_failure(run, database, sqlstate, msg)) {
        struct event ev = {
            .kind = EV_ERROR, .database = database, .message = msg, .sqlstate = sqlstate};
        event_emit(run->events, &ev);
    }
    free(msg);
}

void engine_fail_reported(struct engine_run *run, const char *database, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    record_failure(run, database, NULL, msg);
    free(msg);
}

void engine_phase(struct engine_run *run, const char *database, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    struct event ev = {.kind = EV_PHASE, .database = database, .message = msg};
    event_emit(run->events, &ev);
    free(msg);
}
