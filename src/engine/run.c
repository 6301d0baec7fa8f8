/*
 * run.c — a migration run: its life (new, cancel, cutover request, free) and
 * the top-level order of phases (see engine.h). Status changes, warnings and
 * failures are reported through report.c.
 */
#include "engine/internal.h"
#include "pg/pgconn.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proc.h"
#include "util/timeutil.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct engine_run *engine_run_new(const struct migration_spec *spec,
                                  const struct event_sink *events)
{
    struct engine_run *run = xcalloc(1, sizeof(*run));
    run->spec = spec;
    run->events = events;
    run->ndbs = (int) spec->databases.n;
    run->dbs = xcalloc((size_t) run->ndbs + 1, sizeof(struct db_progress *));
    for (int i = 0; i < run->ndbs; i++)
        run->dbs[i] = db_progress_new(spec->databases.items[i]);
    run->cutover_db = xcalloc((size_t) run->ndbs + 1, sizeof(*run->cutover_db));
    run->cancel_db = xcalloc((size_t) run->ndbs + 1, sizeof(*run->cancel_db));
    run->stop_db = xcalloc((size_t) run->ndbs + 1, sizeof(*run->stop_db));
    pthread_mutex_init(&run->lock, NULL);
    migration_state_init(&run->state);
    run->state.started_wall = time_wall(); /* a display may show the elapsed time from now on */
    return run;
}

void engine_run_free(struct engine_run *run)
{
    if (run == NULL)
        return;
    for (int i = 0; i < run->ndbs; i++)
        db_progress_free(run->dbs[i]);
    free(run->dbs);
    free(run->cutover_db);
    free(run->cancel_db);
    free(run->stop_db);
    free(run->toast_compression);
    sl_free(&run->overwrite_ok);
    migration_state_free(&run->state);
    pthread_mutex_destroy(&run->lock);
    free(run);
}

void engine_run_cancel(struct engine_run *run)
{
    for (int i = 0; i < run->ndbs; i++)
        atomic_store(&run->stop_db[i], true);
    if (atomic_exchange(&run->cancel, true))
        return;
    log_warn("cancel requested: stopping");
    pgconn_cancel_all();
    proc_kill_all(SIGTERM);
}

void engine_run_request_cutover(struct engine_run *run)
{
    if (run->spec->mode != MODE_ONLINE) {
        log_warn("cutover applies to online migrations only: ignored");
        return;
    }
    if (!atomic_exchange(&run->cutover, true))
        log_info("cutover requested");
}

/* The index of database name in run, or -1. */
static int find_database(const struct engine_run *run, const char *name)
{
    for (int i = 0; name && i < run->ndbs; i++)
        if (strcmp(run->dbs[i]->name, name) == 0)
            return i;
    return -1;
}

static bool all_flagged(_Atomic bool *flags, int n)
{
    for (int i = 0; i < n; i++)
        if (!atomic_load(&flags[i]))
            return false;
    return true;
}

bool engine_run_request_cutover_db(struct engine_run *run, const char *database)
{
    int i = find_database(run, database);
    if (i < 0)
        return false;
    if (run->spec->mode != MODE_ONLINE) {
        log_warn("cutover applies to online migrations only: ignored");
        return true;
    }
    /* The monitor cuts it over once it streams and has caught up (online.c). */
    if (!atomic_exchange(&run->cutover_db[i], true))
        log_info("cutover of %s requested", database);
    return true;
}

bool engine_run_cancel_db(struct engine_run *run, const char *database)
{
    int i = find_database(run, database);
    if (i < 0)
        return false;
    if (mig_status_is_final((enum mig_status) atomic_load(&run->dbs[i]->status))) {
        log_info("cancel of %s requested: it has finished already, ignored", database);
        return true;
    }
    if (!atomic_exchange(&run->cancel_db[i], true))
        log_warn("cancel of %s requested: stopping it", database);
    atomic_store(&run->stop_db[i], true);
    /* Every database canceled: the migration is, as by engine_run_cancel. */
    if (all_flagged(run->cancel_db, run->ndbs))
        engine_run_cancel(run);
    return true;
}

void engine_run_set_overwrite_hook(struct engine_run *run, const struct engine_overwrite_hook *hook)
{
    if (hook)
        run->overwrite_hook = *hook;
    else
        run->overwrite_hook = (struct engine_overwrite_hook){0};
}

/* Marks every database not yet finished with the migration's final status. */
static void finish_databases(struct engine_run *run, enum mig_status status)
{
    for (int i = 0; i < run->ndbs; i++) {
        struct db_progress *db = run->dbs[i];
        int st = atomic_load(&db->status);
        if (st == MIG_SUCCEEDED || st == MIG_FAILED || st == MIG_CANCELED)
            continue;
        enum mig_substatus sub = status == MIG_SUCCEEDED ? SUB_COMPLETED : SUB_FAILED;
        engine_set_status(run, db, status, sub);
    }
}

enum mig_status engine_run_execute(struct engine_run *run)
{
    const struct migration_spec *spec = run->spec;
    engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_PREREQUISITES);
    /* What runs killed earlier (kill -9, a crash) left in the temp directory goes first. */
    if (spec->type != TYPE_VALIDATE)
        fs_remove_dead_workdirs(NULL, NULL);

    struct pg_tools tools = {0};
    enum mig_status final = MIG_SUCCEEDED;
    /* A resumed migration was validated when it started; its target databases exist by design. */
    bool checks_ok = spec->resume || engine_preflight(run, &tools);
    if (spec->resume)
        log_info("resuming an interrupted online migration: validation ran when it started");
    if (engine_canceled(run))
        final = MIG_CANCELED;
    else if (!checks_ok)
        final = spec->type == TYPE_MIGRATE ? MIG_FAILED : MIG_VALIDATION_FAILED;
    else if (spec->type != TYPE_VALIDATE && spec->mode == MODE_ONLINE)
        final = engine_online_run(run, &tools);
    else if (spec->type != TYPE_VALIDATE) {
        for (int i = 0; final == MIG_SUCCEEDED && i < run->ndbs; i++) {
            /* A database canceled on its own is skipped, or stopped and cleaned up. */
            if (engine_db_canceled_alone(run, run->dbs[i])) {
                engine_db_skip_canceled(run, run->dbs[i]);
                continue;
            }
            if (!engine_offline_database(run, run->dbs[i], &tools) &&
                !engine_db_canceled_alone(run, run->dbs[i]))
                final = engine_canceled(run) ? MIG_CANCELED : MIG_FAILED;
        }
    }
    pgtools_free(&tools);

    if (final != MIG_SUCCEEDED && engine_canceled(run)) {
        /* What failed after the cancel request failed because of it. */
        final = MIG_CANCELED;
        engine_replace_failure(run, "canceled by the user");
    }
    finish_databases(run, final);
    enum mig_substatus sub = engine_finished(run);
    if (final == MIG_SUCCEEDED)
        sub = SUB_COMPLETED;
    else if (final != MIG_CANCELED)
        sub = SUB_FAILED;
    engine_set_status(run, NULL, final, sub);
    return final;
}
