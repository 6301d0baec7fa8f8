/*
 * worker.c — `pgshuttle worker --state-dir DIR --id N`, started by serve's
 * supervisor for one migration (docs/SERVICE.md, Processes): reads the
 * migration by id from the store (its spec holds the passwords: they never
 * come through argv or the environment), takes its lease, decides how to
 * start from the state a previous worker left (restart.c), applies the
 * requests already made, waits for the migration window, runs the engine
 * with the store as its sink, writes the final state and gives the lease up.
 *
 * Threads: the lease renewal (lease.c), the request poller (requests.c, also
 * the one that acts on SIGTERM), the state writer (worker_sink.c) and the
 * engine's own. The exit code is the migration's (mig_status_exit_code).
 */
#include "model/migration_json.h"
#include "pg/conninfo.h"
#include "service/internal.h"
#include "service/service.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proctitle.h"
#include "util/signals.h"
#include "util/timeutil.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double lease_ttl = SERVICE_LEASE_TTL;

void service_worker_set_lease_ttl(double ttl)
{
    lease_ttl = ttl > 0 ? ttl : SERVICE_LEASE_TTL;
}

static void on_stop_signal(int sig)
{
    worker_stop_signal = sig;
}

static void worker_free(struct worker *w)
{
    if (w->st)
        store_close(w->st);
    free(w->name);
    free(w->owner);
    free(w->node);
    free(w->state_dir);
    sl_free(&w->stream_dbs);
    for (size_t i = 0; i < w->nended; i++)
        db_progress_snapshot_free(&w->ended_dbs[i]);
    free(w->ended_dbs);
    free(w->stream_last);
    pthread_mutex_destroy(&w->store_lock);
    pthread_mutex_destroy(&w->wake_lock);
    pthread_mutex_destroy(&w->sink_lock);
    pthread_cond_destroy(&w->wake);
}

static void log_spec(const struct migration_spec *spec)
{
    char *src = pgconninfo_mask(spec->source);
    char *dst = pgconninfo_mask(spec->target);
    char *dbs = sl_join(&spec->databases, ", ");
    log_info("%s %s migration of %s from %s to %s", mig_mode_word(spec->mode),
             mig_type_word(spec->type), dbs, src, dst);
    free(src);
    free(dst);
    free(dbs);
}

/*
 * The migration window: until window_start (wall clock), In progress /
 * Waiting for the migration window, still honouring a cancel. false if
 * canceled while waiting.
 */
static bool wait_for_window(struct worker *w, double window_start)
{
    if (window_start <= time_wall())
        return true;
    char when[64];
    time_format_iso(window_start, when, sizeof(when));
    log_notice("waiting for the migration window, which opens at %s", when);
    struct migration_state s;
    migration_state_init(&s);
    s.substatus = SUB_WAITING_FOR_WINDOW;
    worker_write_state(w, &s);
    struct event ev = {.kind = EV_STATUS, .status = s.status, .substatus = s.substatus};
    struct event_sink sink = worker_sink(w);
    event_emit(&sink, &ev);
    double last_write = time_now();
    while (time_wall() < window_start && !atomic_load(&w->run->cancel)) {
        time_sleep(0.2);
        if (time_now() - last_write >= 1.0) {
            worker_write_state(w, &s); /* the store sees a worker that lives */
            last_write = time_now();
        }
    }
    bool canceled = atomic_load(&w->run->cancel);
    if (canceled) {
        s.status = MIG_CANCELED;
        s.substatus = SUB_COMPLETED;
        s.finished_wall = time_wall();
        worker_write_state(w, &s);
        ev.status = s.status;
        ev.substatus = s.substatus;
        event_emit(&sink, &ev);
        log_notice("canceled before the migration window opened: nothing was done");
    }
    migration_state_free(&s);
    return !canceled;
}

/* Reads the migration and takes its lease: true to run it, false to exit with *code. */
static bool take_migration(struct worker *w, struct store_migration *m, int *code)
{
    char *err = NULL;
    *code = EXIT_FAILURE;
    enum store_rc rc = store_migration_get_id(w->st, w->id, m, &err);
    if (rc == STORE_NOT_FOUND) {
        log_error("no migration with id %lld in the store", (long long) w->id);
        return false;
    }
    if (rc != STORE_OK) {
        log_error("cannot read migration %lld: %s", (long long) w->id, err ? err : "");
        free(err);
        return false;
    }
    w->name = xstrdup(m->name);
    log_set_context(w->name);
    if (!m->active) {
        log_notice("the migration is %s already: nothing to do", m->status);
        *code = EXIT_SUCCESS;
        return false;
    }
    rc = store_lease_acquire(w->st, w->id, w->owner, (int64_t) getpid(), w->node, w->lease_ttl,
                             &w->fence.epoch, &err);
    w->fence.owner = w->owner;
    if (rc == STORE_CONFLICT) {
        log_notice("another worker holds the lease (%s, pid %lld): it runs this migration",
                   m->lease_owner ? m->lease_owner : "?", (long long) m->lease_pid);
        *code = EXIT_SUCCESS;
        return false;
    }
    if (rc != STORE_OK) {
        log_error("cannot take the lease: %s", err ? err : "");
        free(err);
        return false;
    }
    return true;
}

/* A spec the store holds but this build cannot read: the migration fails for good. */
static int fail_unreadable_spec(struct worker *w, const char *why)
{
    char *msg = xasprintf("the migration's stored properties cannot be read: %s", why);
    log_error("%s", msg);
    struct migration_state s;
    migration_state_init(&s);
    s.status = MIG_FAILED;
    s.substatus = SUB_FAILED;
    s.finished_wall = time_wall();
    migration_state_fail(&s, NULL, NULL, msg);
    worker_note(w, EV_ERROR, msg);
    worker_write_state(w, &s);
    migration_state_free(&s);
    free(msg);
    return mig_status_exit_code(MIG_FAILED);
}

static void install_signals(void)
{
    signals_on_stop(on_stop_signal);
    signals_handle(SIGPIPE, SIG_IGN);
    signals_handle(SIGHUP, SIG_IGN);
}

/* Ends the threads: wakes the writer, then joins every one that started. */
static void stop_threads(struct worker *w, pthread_t *threads, const bool *started, int n)
{
    pthread_mutex_lock(&w->wake_lock);
    atomic_store(&w->finished, true);
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->wake_lock);
    for (int i = 0; i < n; i++)
        if (started[i])
            pthread_join(threads[i], NULL);
}

/* Runs the migration with the lease held and the spec read; returns its final status. */
static enum mig_status run_migration(struct worker *w, struct migration_spec *spec,
                                     const struct store_migration *m)
{
    enum { T_LEASE, T_POLLER, T_WRITER, T_COUNT };
    pthread_t threads[T_COUNT];
    bool started[T_COUNT] = {false};

    struct event_sink sink = worker_sink(w);
    w->run = engine_run_new(spec, &sink);
    struct engine_overwrite_hook hook = worker_overwrite_hook(w);
    engine_run_set_overwrite_hook(w->run, &hook);
    /* a restarted worker applies every request ever made again (cutover, cancel) */
    worker_requests_apply(w, true);

    enum mig_status status = MIG_FAILED;
    started[T_LEASE] = worker_lease_start(w, &threads[T_LEASE]);
    if (!started[T_LEASE])
        goto out;
    started[T_POLLER] = pthread_create(&threads[T_POLLER], NULL, worker_requests_poller, w) == 0;
    if (!started[T_POLLER]) {
        log_error("cannot start the request thread");
        goto out;
    }
    if (!wait_for_window(w, m->window_start)) {
        status = MIG_CANCELED;
        goto out;
    }
    started[T_WRITER] = pthread_create(&threads[T_WRITER], NULL, worker_state_writer, w) == 0;
    if (!started[T_WRITER]) {
        log_error("cannot start the state thread");
        goto out;
    }
    status = engine_run_execute(w->run);
    log_set_context(w->name);
    stop_threads(w, threads, started, T_COUNT);
    worker_write_run_state(w);
    log_info("the migration ended: %s", mig_status_name(status));
    engine_run_free(w->run);
    w->run = NULL;
    return status;
out:
    stop_threads(w, threads, started, T_COUNT);
    engine_run_free(w->run);
    w->run = NULL;
    return status;
}

int service_worker_main(const char *state_dir, int64_t id)
{
    struct worker w;
    memset(&w, 0, sizeof(w));
    w.id = id;
    w.lease_ttl = lease_ttl;
    w.state_dir = xstrdup(state_dir);
    pthread_mutex_init(&w.store_lock, NULL);
    pthread_mutex_init(&w.wake_lock, NULL);
    pthread_mutex_init(&w.sink_lock, NULL);
    pthread_cond_init(&w.wake, NULL);
    char host[HOST_NAME_MAX + 1] = "localhost";
    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "localhost");
    host[HOST_NAME_MAX] = '\0';
    w.node = xstrdup(host);
    w.owner = worker_lease_owner(host);
    install_signals();

    char *err = NULL;
    w.st = store_open(state_dir, &err);
    if (w.st == NULL) {
        log_error("cannot open the store in %s: %s", state_dir, err ? err : "no reason given");
        free(err);
        worker_free(&w);
        return EXIT_FAILURE;
    }
    struct store_migration m;
    memset(&m, 0, sizeof(m));
    int code = EXIT_FAILURE;
    if (!take_migration(&w, &m, &code)) {
        store_migration_free(&m);
        worker_free(&w);
        return code;
    }
    char *title = xasprintf("pgshuttle worker %s", w.name);
    proctitle_set(title);
    free(title);
    log_info("worker pid %ld holds the lease of migration %lld (%s), start %d", (long) getpid(),
             (long long) w.id, w.name, m.starts + 1);

    struct migration_spec spec;
    if (!migration_spec_from_json_text(m.spec_json, &spec, &err)) {
        code = fail_unreadable_spec(&w, err ? err : "no reason given");
        free(err);
    } else {
        strlist ended = STRLIST_INIT;
        size_t spec_databases_before = spec.databases.n;
        enum worker_restart_mode mode = worker_restart_mode(&spec, m.state_json, &ended);
        if (m.state_json)
            log_notice("a previous worker stopped: %s", worker_restart_mode_name(mode));
        worker_restart_apply(&spec, mode, &ended);
        if (spec.databases.n < spec_databases_before)
            w.nended = worker_restart_ended_snapshots(m.state_json, &ended, &w.ended_dbs);
        sl_free(&ended);
        log_spec(&spec);
        code = mig_status_exit_code(run_migration(&w, &spec, &m));
        migration_spec_free(&spec);
    }
    if (store_lease_release(w.st, w.id, &w.fence, &err) != STORE_OK) {
        log_warn("could not give the lease up: %s", err ? err : "no reason given");
        free(err);
    }
    store_migration_free(&m);
    worker_free(&w);
    return code;
}
