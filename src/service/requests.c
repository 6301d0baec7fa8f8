/*
 * requests.c — the users' requests, as the API recorded them in the store
 * (docs/SERVICE.md, Requests), turned into calls on the engine run: cutover
 * and cancel of the whole migration or of some databases, an overwrite
 * confirmation ending the wait of the overwrite hook, and delete (a cancel:
 * the supervisor removes the migration once it is final). A thread polls
 * every half second and watches for a stop of serve in between.
 */
#include "service/internal.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdlib.h>

#define POLL_PERIOD 0.5

/* Calls one_db for each name of the JSON array text; false if it is not an array of strings. */
static bool each_database(struct worker *w, const struct store_request *rq,
                          bool (*one_db)(struct engine_run *, const char *))
{
    json_error_t jerr;
    json_t *arr = json_loads(rq->databases_json, 0, &jerr);
    if (!json_is_array(arr)) {
        log_warn("request %lld (%s): the databases are not a JSON array; ignored",
                 (long long) rq->seq, store_request_kind_name(rq->kind));
        json_decref(arr);
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *db = json_string_value(v);
        if (db == NULL)
            log_warn("request %lld (%s): a database name that is not a string; ignored",
                     (long long) rq->seq, store_request_kind_name(rq->kind));
        else if (!one_db(w->run, db))
            log_warn("request %lld (%s): the migration has no database \"%s\"; ignored",
                     (long long) rq->seq, store_request_kind_name(rq->kind), db);
    }
    json_decref(arr);
    return true;
}

static void apply_one(struct worker *w, const struct store_request *rq)
{
    const char *what = rq->databases_json ? rq->databases_json : "the whole migration";
    log_info("request %lld: %s of %s", (long long) rq->seq, store_request_kind_name(rq->kind),
             what);
    switch (rq->kind) {
    case STORE_REQ_CUTOVER:
        if (rq->databases_json)
            each_database(w, rq, engine_run_request_cutover_db);
        else
            engine_run_request_cutover(w->run);
        break;
    case STORE_REQ_CANCEL:
    case STORE_REQ_DELETE:
        if (rq->databases_json && rq->kind == STORE_REQ_CANCEL)
            each_database(w, rq, engine_run_cancel_db);
        else
            engine_run_cancel(w->run);
        break;
    case STORE_REQ_OVERWRITE:
        atomic_store(&w->overwrite_confirmed, true);
        break;
    default:
        log_warn("request %lld: unknown kind %d; ignored", (long long) rq->seq, (int) rq->kind);
        break;
    }
}

void worker_requests_apply(struct worker *w, bool all)
{
    struct store_request *rs = NULL;
    size_t n = 0;
    char *err = NULL;
    pthread_mutex_lock(&w->store_lock);
    enum store_rc rc = store_request_take(w->st, w->id, &w->fence, all, &rs, &n, &err);
    pthread_mutex_unlock(&w->store_lock);
    if (rc != STORE_OK) {
        log_warn("could not read the requests from the store: %s", err ? err : "no reason given");
        free(err);
        return;
    }
    for (size_t i = 0; i < n; i++)
        apply_one(w, &rs[i]);
    store_request_list_free(rs, n);
}

void *worker_requests_poller(void *arg)
{
    struct worker *w = arg;
    log_set_context("requests");
    double next = time_now() + POLL_PERIOD;
    while (!atomic_load(&w->finished)) {
        if (worker_stop_signal)
            worker_stop_cleanly(w);
        if (time_now() >= next) {
            worker_requests_apply(w, false);
            next = time_now() + POLL_PERIOD;
        }
        time_sleep(0.1);
    }
    return NULL;
}

/*
 * The engine found target databases that exist: wait for the user. The
 * engine has set Waiting for user action / Waiting for overwrite
 * confirmation; an overwrite request (the API also set overwriteDbsInTarget
 * in the spec) goes on, a cancel ends the migration.
 */
static bool await_overwrite(void *ctx, const strlist *existing)
{
    struct worker *w = ctx;
    char *names = sl_join(existing, ", ");
    log_notice("target database(s) %s exist: waiting for the user to confirm overwriting them "
               "(overwriteDbsInTarget) or to cancel",
               names);
    free(names);
    while (!atomic_load(&w->overwrite_confirmed) && !atomic_load(&w->run->cancel))
        time_sleep(0.1);
    bool go = atomic_load(&w->overwrite_confirmed) && !atomic_load(&w->run->cancel);
    log_notice(go ? "overwrite confirmed: going on" : "canceled while waiting for confirmation");
    return go;
}

struct engine_overwrite_hook worker_overwrite_hook(struct worker *w)
{
    return (struct engine_overwrite_hook){.await_overwrite = await_overwrite, .ctx = w};
}
