/*
 * worker_sink.c — how a worker reports: the engine's events appended to the
 * store with their time (a database's streaming figures at most one event
 * every STREAM_EVENT_PERIOD seconds: the state carries them live), and a
 * thread writing the engine's state at every status change and at least
 * once a second.
 *
 * The sink is called from any engine thread, maybe while the engine holds
 * a lock of its own, so it never reads the engine's state itself: a status
 * change only wakes the writer thread.
 */
#include "model/event_json.h"
#include "service/internal.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STREAM_EVENT_PERIOD 5.0
#define STATE_WRITE_PERIOD  1.0

/* Whether a streaming event of database is due (and, if it is, counts it as stored). */
static bool stream_event_due(struct worker *w, const char *database)
{
    const char *key = database ? database : "";
    double now = time_now();
    bool due = true;
    pthread_mutex_lock(&w->sink_lock);
    size_t i = 0;
    while (i < w->stream_dbs.n && strcmp(w->stream_dbs.items[i], key) != 0)
        i++;
    if (i == w->stream_dbs.n) {
        sl_push(&w->stream_dbs, key);
        w->stream_last = xrealloc(w->stream_last, w->stream_dbs.n * sizeof(double));
        w->stream_last[i] = now;
    } else if (now - w->stream_last[i] < STREAM_EVENT_PERIOD)
        due = false;
    else
        w->stream_last[i] = now;
    pthread_mutex_unlock(&w->sink_lock);
    return due;
}

static void wake_writer(struct worker *w)
{
    pthread_mutex_lock(&w->wake_lock);
    w->dirty = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->wake_lock);
}

static void emit(void *ctx, const struct event *ev)
{
    struct worker *w = ctx;
    if (ev->kind == EV_STREAMING && !stream_event_due(w, ev->database))
        return;
    char when[64];
    double now = time_wall();
    time_format_iso(now, when, sizeof(when));
    struct event_json_meta meta = {.time = when};
    json_t *doc = event_to_json(ev, &meta);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    char *err = NULL;
    pthread_mutex_lock(&w->store_lock);
    enum store_rc rc =
        store_event_append(w->st, w->id, &w->fence, now, event_kind_name(ev->kind), text, &err);
    pthread_mutex_unlock(&w->store_lock);
    if (rc != STORE_OK) {
        log_warn("could not record a %s event in the store: %s", event_kind_name(ev->kind),
                 err ? err : "no reason given");
        free(err);
    }
    free(text);
    if (ev->kind == EV_STATUS || ev->kind == EV_DATABASE_DONE || ev->kind == EV_ERROR)
        wake_writer(w);
}

struct event_sink worker_sink(struct worker *w)
{
    return (struct event_sink){.emit = emit, .ctx = w};
}

void *worker_state_writer(void *arg)
{
    struct worker *w = arg;
    log_set_context("state");
    while (!atomic_load(&w->finished)) {
        pthread_mutex_lock(&w->wake_lock);
        if (!w->dirty) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += (time_t) STATE_WRITE_PERIOD;
            int rc = 0;
            while (!w->dirty && !atomic_load(&w->finished) && rc != ETIMEDOUT)
                rc = pthread_cond_timedwait(&w->wake, &w->wake_lock, &until);
        }
        w->dirty = false;
        pthread_mutex_unlock(&w->wake_lock);
        if (atomic_load(&w->finished))
            break;
        worker_write_run_state(w);
    }
    return NULL;
}
