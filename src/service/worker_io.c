/*
 * worker_io.c — the worker's writes to the store through its one shared
 * handle (under store_lock): the state under the lease, the service's own
 * events, and the two ways a worker ends without finishing: a lost lease
 * (at once, touching nothing) and a clean stop of serve (lease given up,
 * nothing canceled, so the next start resumes).
 */
#include "model/event_json.h"
#include "model/state_json.h"
#include "service/internal.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proc.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

volatile sig_atomic_t worker_stop_signal = 0;

_Noreturn void worker_lease_lost(const char *why)
{
    log_error("lost the lease (%s): another worker runs this migration now; stopping at once", why);
    /* our pg_dump/pg_restore must not go on writing into what the new worker owns */
    proc_kill_all(SIGKILL);
    _exit(EXIT_FAILURE);
}

bool worker_write_state(struct worker *w, const struct migration_state *state)
{
    json_t *doc = migration_state_to_json(state, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    char *err = NULL;
    pthread_mutex_lock(&w->store_lock);
    enum store_rc rc = store_migration_set_state(
        w->st, w->id, &w->fence, text, mig_status_name(state->status),
        mig_substatus_name(state->substatus), !mig_status_is_final(state->status), &err);
    pthread_mutex_unlock(&w->store_lock);
    free(text);
    if (rc == STORE_CONFLICT)
        worker_lease_lost("the store refused the state");
    if (rc != STORE_OK) {
        log_warn("could not write the state to the store: %s", err ? err : "no reason given");
        free(err);
        return false;
    }
    return true;
}

bool worker_write_run_state(struct worker *w)
{
    struct migration_state s;
    engine_run_state(w->run, &s);
    if (w->nended > 0) {
        /* the databases that ended before a restart keep their place in the state */
        s.dbs = xrealloc(s.dbs, (s.ndbs + w->nended) * sizeof(*s.dbs));
        for (size_t i = 0; i < w->nended; i++) {
            s.dbs[s.ndbs] = w->ended_dbs[i];
            s.dbs[s.ndbs++].name = xstrdup(w->ended_dbs[i].name);
        }
    }
    bool ok = worker_write_state(w, &s);
    migration_state_free(&s);
    return ok;
}

void worker_note(struct worker *w, enum event_kind kind, const char *message)
{
    double now = time_wall();
    char *text = event_message_json(kind, message, now);
    char *err = NULL;
    pthread_mutex_lock(&w->store_lock);
    enum store_rc rc =
        store_event_append(w->st, w->id, &w->fence, now, event_kind_name(kind), text, &err);
    pthread_mutex_unlock(&w->store_lock);
    if (rc != STORE_OK) {
        log_warn("could not record an event in the store: %s", err ? err : "no reason given");
        free(err);
    }
    free(text);
}

_Noreturn void worker_stop_cleanly(struct worker *w)
{
    log_notice("stopped by the service (signal %d); the migration resumes at the next start",
               (int) worker_stop_signal);
    worker_note(w, EV_WARNING, "stopped by the service; resumes at the next start");
    char *err = NULL;
    pthread_mutex_lock(&w->store_lock);
    if (store_lease_release(w->st, w->id, &w->fence, &err) != STORE_OK) {
        log_warn("could not give the lease up: %s", err ? err : "no reason given");
        free(err);
    }
    /* keep the store locked: nothing else writes once the lease is given up */
    proc_kill_all(SIGTERM);
    _exit(EXIT_SUCCESS);
}
