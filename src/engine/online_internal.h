/*
 * online_internal.h — what the online migration's files share: one
 * database's stream state (online.c sets it up, streams and cuts over) and
 * the monitor that measures every stream's lag (online_monitor.c).
 */
#ifndef PGSHUTTLE_ENGINE_ONLINE_INTERNAL_H
#define PGSHUTTLE_ENGINE_ONLINE_INTERNAL_H

#include "cdc/applier.h"
#include "cdc/stream.h"
#include "engine/dbjob.h"
#include "model/progress.h"
#include "pg/outage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The most a change may have waited over a monitor round for its database to count as caught up. */
#define CAUGHT_UP_LAG_US 2000000

struct online_db {
    struct engine_run *run;
    struct db_job job;
    bool begun;         /* job holds resources (dbjob_begin ran) */
    char *name;         /* owned: the stream's name (slot, publications, origin) */
    char *publications; /* owned: pgoutput's publication_names, NULL for test_decoding */
    enum cdc_plugin plugin;
    struct cdc_table_set tables;
    strlist table_names; /* quoted names of every streamed table */
    strlist insert_only; /* those published for inserts only */
    strlist undo;        /* the source's replica identities to restore at the end (source.h) */
    pgconn *src;         /* plain connection to the source database */
    pgrepl *repl;
    cdc_applier *applier;
    bool source_objects; /* slot and publications may exist on the source: drop them at the end */
    bool trigger_less;   /* the target role may not SET session_replication_role (online.c) */
    uint64_t start_lsn;
    /* The slot's position while the database copies (0 otherwise): the observer measures its
       backlog (online_rates.c). */
    _Atomic uint64_t copy_lsn;
    pthread_t thread;
    bool thread_started;
    _Atomic bool stop; /* stop streaming now (cancel or failure) */
    _Atomic uint64_t stop_lsn;
    _Atomic bool stream_done;
    struct cdc_stream_progress sp;
    struct cdc_stream_result res;
    uint64_t prev_source_lsn;      /* the source's position at the previous monitor round */
    int64_t lag_peak_us;           /* the highest commit-to-apply lag seen since the last report */
    struct lag_history written;    /* when the source wrote what (for the lag in seconds) */
    struct rate_meter apply_meter; /* the position reached (the observer's: online_rates.c) */
    /* Outages while streaming (--reconnect-timeout): src's is the observer's, the others the
       stream thread's. */
    struct pg_outage src_outage;
    struct pg_outage repl_outage;
    struct pg_outage apply_outage;
    _Atomic int waiting_for; /* the stream thread reconnects to: 0, WAIT_SOURCE or WAIT_TARGET */
    /* Cut over or canceled on its own (online_observer_detach first): */
    _Atomic bool detach;   /* the observer is to leave it alone */
    _Atomic bool detached; /* and does: the engine's thread may use its source connection */
    bool finished;         /* done with (dbjob_end ran): the engine's thread only */
};

enum { WAIT_NONE = 0, WAIT_SOURCE, WAIT_TARGET };

/*
 * The observer: a thread that measures each database's lag once a second
 * from the moment its stream starts (while the next databases still copy)
 * until the cutover, so no stream shows figures nobody measured. Between
 * start_database() and the cutover, only it uses a database's plain source
 * connection. It runs from the start of the run: on a connection of its own
 * it measures the incoming rate and the backlog of the database that copies
 * (online_rates.c).
 */
struct observer {
    struct engine_run *run;
    struct online_db *ods;
    int n;
    _Atomic int started;        /* ods[0 .. started) stream */
    _Atomic uint64_t rounds;    /* rounds that observed every database */
    _Atomic bool all_caught_up; /* as of the last such round (databases detached count as such) */
    bool waiting;               /* the monitor set Waiting for cutover (the engine's thread) */
    _Atomic bool stop;
    pthread_t thread;
    bool running;
    /* The incoming rate (online_rates.c): the observer's own source connection and meter. */
    char *rates_conninfo; /* owned */
    pgconn *rates_src;
    double rates_retry_at;
    struct rate_meter incoming;
};

/* The stream thread's body (online_stream.c): arg is the struct online_db. */
void *online_stream_main(void *arg);

/*
 * online_cleanup.c. od->src, opened afresh if it was lost, waiting through
 * outage o (woken by a cancel when cancelable); false when the source cannot
 * be reached (o->reason says why).
 */
bool online_source_ready(struct online_db *od, struct pg_outage *o, bool cancelable);
/* Drops the slot, publications and origin, best effort, every failure logged. */
bool online_drop_stream_objects(struct online_db *od);
/* The source's replica identities as they were before the migration (after a failure or cancel). */
void online_restore_identities(struct online_db *od);

/*
 * Starts the observer (before the first copy): it measures the incoming
 * rate through its own connection to src_conninfo (a source database) and
 * the backlog of the database that copies, and each database's lag once it
 * streams.
 */
void online_observer_start(struct observer *ob, const char *src_conninfo);
/* Database i streams: the observer measures it from now on. */
void online_observer_add(struct observer *ob, int i);
/* Stops the observer: the caller uses the databases' source connections again. */
void online_observer_stop(struct observer *ob);
/*
 * The observer stops measuring database i (cut over or canceled on its own):
 * returns once it no longer uses its source connection.
 */
void online_observer_detach(struct observer *ob, int i);

enum monitor_outcome {
    MONITOR_CUTOVER, /* cut over every database still streaming */
    MONITOR_STOP,    /* a cancel of the migration, or a failure */
    MONITOR_REQUEST, /* a database is to be cut over or canceled on its own (online_db_request) */
    MONITOR_DONE,    /* no database streams any more: each was cut over or canceled on its own */
};
/* Streams until one of the outcomes above. */
enum monitor_outcome online_monitor(struct engine_run *run, struct observer *ob);
enum db_request { DB_REQUEST_NONE = 0, DB_REQUEST_CUTOVER, DB_REQUEST_CANCEL };
/* What the user asked for database i that can be done now. */
enum db_request online_db_request(struct engine_run *run, struct observer *ob, int i);

/* online_rates.c: the observer's part in the rates of model/readiness.h. */
void online_rates_start(struct observer *ob, const char *src_conninfo);
/* A round: the source's position, the incoming rate, the backlog of the databases that copy. */
void online_rates_round(struct observer *ob);
/* A stream reached position reached: its apply rate. */
void online_rates_applied(struct online_db *od, uint64_t reached);
/* Closes the observer's source connection. */
void online_rates_stop(struct observer *ob);

/* online_roles.c */
/*
 * --publication: checks that the publication the tables' owner created
 * publishes every change of every table in od->tables, and makes it
 * pgoutput's publication_names; false (the migration failed) when not.
 */
bool online_use_publication(struct online_db *od) __attribute__((warn_unused_result));
/*
 * Whether the target role may SET session_replication_role; if not, the
 * trigger-less path (od->trigger_less, od->job.deferred), said once per
 * run (*told). False when the check failed.
 */
bool online_choose_apply_path(struct online_db *od, bool *told) __attribute__((warn_unused_result));

#endif
