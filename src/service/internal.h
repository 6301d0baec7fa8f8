/*
 * internal.h — what the worker's files share (docs/SERVICE.md, Processes).
 *
 * The files use each other one way only, top to bottom:
 *   worker.c      service_worker_main: lease, spec, restart mode, window, run
 *   requests.c    the request poller and the overwrite hook
 *   worker_sink.c the event sink and the state writer thread
 *   lease.c       the lease thread
 *   worker_io.c   the locked store handle: state writes, service events, stop
 *   restart.c     how a restarted worker starts again (pure: spec and state)
 * The supervisor (supervisor.c over spawn.c) shares nothing with them but
 * the store; spawn.c's functions are at the end.
 */
#ifndef PGSHUTTLE_SERVICE_INTERNAL_H
#define PGSHUTTLE_SERVICE_INTERNAL_H

#include "engine/engine.h"
#include "model/migration.h"
#include "model/state.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct worker {
    int64_t id;
    char *name;               /* owned: the migration's name */
    char *owner;              /* owned: the lease owner, "NODE:PID:random" or the node's claim's */
    int64_t epoch;            /* the lease's epoch once taken (the claim's before) */
    struct store_fence fence; /* owner and epoch: carried by every write to the store */
    char *node;               /* owned: the node that runs it */
    const struct store_config *store_cfg; /* where the store is (the caller's) */
    double lease_ttl;                     /* seconds; renewed every fifth of it */
    /* owned: the last snapshots of the databases that ended before a restart (restart.c),
       kept in the state written */
    struct db_progress_snapshot *ended_dbs;
    size_t nended;
    pthread_mutex_t store_lock;
    struct store *st;       /* owned; guarded by store_lock (sink, writer, poller, main) */
    struct engine_run *run; /* owned by worker.c; set before any thread starts */
    _Atomic bool finished;  /* the engine returned: the threads end */
    /* the state writer (worker_sink.c) */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake; /* signaled at each status change */
    bool dirty;          /* guarded by wake_lock: a status changed since the last write */
    /* the overwrite wait (requests.c) */
    _Atomic bool overwrite_confirmed;
    /* EV_STREAMING kept at most one per database every 5 s (worker_sink.c, its own lock) */
    pthread_mutex_t sink_lock;
    strlist stream_dbs;  /* databases that streamed an event */
    double *stream_last; /* owned: monotonic time of each one's last stored event */
};

/* Set by the worker's SIGTERM/SIGINT handler: a clean stop of serve. */
extern volatile sig_atomic_t worker_stop_signal;
/* Set by SIGUSR1: the node drains; hand the migration over at the next safe point. */
extern volatile sig_atomic_t worker_handover_signal;

/* ---- worker_io.c --------------------------------------------------- */

/*
 * Writes state as the migration's state (status, substatus, active unless
 * final) under the lease. A lost lease ends the process at once
 * (worker_lease_lost). false if the store failed (logged).
 */
bool worker_write_state(struct worker *w, const struct migration_state *state);
/* The engine's state now, written as above. */
bool worker_write_run_state(struct worker *w);
/* Appends a service event (an EV_WARNING or EV_ERROR line, with its time) for people. */
void worker_note(struct worker *w, enum event_kind kind, const char *message);
/* Another worker owns the migration now: stop at once, touching nothing. */
_Noreturn void worker_lease_lost(const char *why);
/*
 * A clean stop, without canceling: the event (why, for people), the lease
 * given up, exit. The next holder resumes the migration.
 */
_Noreturn void worker_stop_cleanly(struct worker *w, const char *why);

/* ---- lease.c --------------------------------------------------------- */

/* A new lease owner, "NODE:PID:random" (caller frees). */
char *worker_lease_owner(const char *node);
/* Starts the thread that renews the lease every SERVICE_LEASE_RENEW s (its own store handle). */
bool worker_lease_start(struct worker *w, pthread_t *thread);

/* ---- worker_sink.c --------------------------------------------------- */

/* The engine's sink: each event appended to the store, a status change wakes the writer. */
struct event_sink worker_sink(struct worker *w);
/* The thread writing the engine's state at each status change and at least once a second. */
void *worker_state_writer(void *arg);

/* ---- requests.c ------------------------------------------------------ */

/* Takes the requests (all: every one ever made) and applies them to the run. */
void worker_requests_apply(struct worker *w, bool all);
/* The thread polling requests every 0.5 s and watching for a stop signal. */
void *worker_requests_poller(void *arg);
/* The hook that makes an existing target database wait for the user. */
struct engine_overwrite_hook worker_overwrite_hook(struct worker *w);

/* ---- fence.c ---------------------------------------------------------- */

/*
 * Names this process's sessions (and those of its pg_dump and pg_restore)
 * after the migration and the lease's epoch, through PGAPPNAME:
 * "pgshuttle mID eEPOCH", so that a later holder can find them.
 */
void worker_tag_sessions(const struct worker *w);
/*
 * Ends, on the source and on the target, the sessions of earlier holders of
 * this migration's lease (a worker paused or cut off while its lease ran
 * out): their open transactions roll back and a replication slot they held
 * is free. Best effort: a server it cannot reach is logged and left (the
 * engine's own retries meet it).
 */
void worker_fence_stale_sessions(const struct worker *w, const struct migration_spec *spec);

/* ---- handover.c ------------------------------------------------------- */

/* Whether the run is at a point where another node can take it over: no copy running. */
bool worker_at_safe_point(struct worker *w);

/* ---- restart.c ------------------------------------------------------- */

enum worker_restart_mode {
    RESTART_FRESH = 0, /* nothing was created yet: start as is */
    RESTART_OVERWRITE, /* it had started creating target databases: start over on them */
    RESTART_RESUME,    /* online, every database streamed: continue the streams */
};

/*
 * How to start again from state_json (NULL: never ran); the databases that
 * ended on their own (cut over, canceled) are pushed to ended.
 */
enum worker_restart_mode worker_restart_mode(const struct migration_spec *spec,
                                             const char *state_json, strlist *ended);
/* The same from a state already read. */
enum worker_restart_mode worker_restart_mode_of(const struct migration_spec *spec,
                                                const struct migration_state *s, strlist *ended);
/*
 * The last snapshots in state_json of the databases named in ended (into
 * *out, caller frees each with db_progress_snapshot_free and the array);
 * returns how many.
 */
size_t worker_restart_ended_snapshots(const char *state_json, const strlist *ended,
                                      struct db_progress_snapshot **out);
/* A few words for the log. */
const char *worker_restart_mode_name(enum worker_restart_mode mode);
/* Changes spec for mode (overwrite or resume), leaving out the ended databases (unless all). */
void worker_restart_apply(struct migration_spec *spec, enum worker_restart_mode mode,
                          const strlist *ended);

/* ---- spawn.c (the supervisor's) -------------------------------------- */

/* DIR/logs, made mode 0700 if missing; false (logged) if it cannot be. */
bool service_logs_dir(const char *state_dir);
/* What a worker is started with (all the caller's). */
struct service_spawn {
    const char *exe;
    const char *state_dir;
    const struct store_config *store;
    const char *node;
    int64_t id;
    const char *lease_owner; /* the lease the node claimed for it */
    int64_t lease_epoch;
    double lease_ttl; /* 0 = the default */
    const char *log_path;
};

/*
 * Starts `EXE worker --state-dir DIR --id ID --node-name NAME --lease-owner
 * OWNER --lease-epoch N --log-level L` (serve's level; --lease-ttl when lease_ttl > 0;
 * a PostgreSQL store's --state-schema and --secret-key-file) in a session
 * of its own, stdout and stderr appended to log_path (mode 0600), stdin
 * /dev/null, no other descriptor of serve, and serve's environment without
 * PGSHUTTLE_TOKEN, with PGSHUTTLE_STATE set to a PostgreSQL store's URI
 * (it may hold the store's password: never in argv) or unset. Returns its
 * pid, or -1 (logged).
 */
pid_t service_spawn_worker(const struct service_spawn *sp);

#endif
