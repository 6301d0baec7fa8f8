/*
 * report.c — how the engine's files report: status changes, warnings,
 * failures (the first one is the migration's) and pipeline steps, each as an
 * event to the run's sink; and whether the run was canceled. Calls no other
 * engine file, so run.c and the phase files all use it.
 */
#include "engine/internal.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

bool engine_canceled(struct engine_run *run)
{
    return atomic_load(&run->cancel);
}

void engine_set_status(struct engine_run *run, struct db_progress *db, enum mig_status status,
                       enum mig_substatus sub)
{
    if (db) {
        atomic_store(&db->status, status);
        atomic_store(&db->substatus, sub);
    } else {
        atomic_store(&run->status, status);
        atomic_store(&run->substatus, sub);
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
    pthread_mutex_lock(&run_lock);
    bool seen = sl_contains(&run->warnings, msg);
    if (!seen)
        sl_push(&run->warnings, msg);
    pthread_mutex_unlock(&run_lock);
    if (!seen) {
        struct event ev = {.kind = EV_WARNING, .database = database, .message = msg};
        event_emit(run->events, &ev);
    }
    free(msg);
}

/* Records msg as the migration's failure unless one is recorded; true if it was the first. */
static bool record_failure(struct engine_run *run, const char *database, const char *sqlstate,
                           const char *msg)
{
    pthread_mutex_lock(&run_lock);
    bool first = run->error == NULL;
    if (first) {
        run->error = xstrdup(msg);
        run->error_database = xstrdup(database);
        run->error_sqlstate = sqlstate && sqlstate[0] ? xstrdup(sqlstate) : NULL;
    }
    pthread_mutex_unlock(&run_lock);
    return first;
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
