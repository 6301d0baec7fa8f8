/*
 * events.h — what the pipeline tells the outside world as it runs.
 *
 * The engine and the copy stages emit events through a sink; the CLI turns
 * them into terminal output or JSON lines, the service into state-store rows.
 * A sink's emit function may be called from any thread and must lock itself.
 */
#ifndef PGSHUTTLE_MODEL_EVENTS_H
#define PGSHUTTLE_MODEL_EVENTS_H

#include "model/status.h"

#include <stdint.h>

enum event_kind {
    EV_STATUS = 0,    /* status/substatus of the migration or of one database */
    EV_PHASE,         /* a pipeline step starts (message says which) */
    EV_TABLE_COPIED,  /* object = table; rows, bytes (its size on the source), seconds */
    EV_INDEX_BUILT,   /* object = index; seconds */
    EV_WARNING,       /* something the user should know; nothing failed */
    EV_ERROR,         /* something failed: message says what and why */
    EV_DATABASE_DONE, /* one database finished (status says how) */
    EV_CHECK,         /* a validation check's result: object = check name, database = scope */
    EV_STREAMING,     /* online: a database's stream (lag, changes applied, positions) */
    EV_LARGE_OBJECTS_COPIED, /* rows = large objects, bytes = their data, seconds */
    /*
     * Per table, for a table list: every table of a database when its copy is planned (again
     * when a copy starts over), when its first part starts, when its copy failed. object = the
     * table as in EV_TABLE_COPIED; bytes = its size on the source (queued, started); failed:
     * message and sqlstate.
     */
    EV_TABLE_QUEUED,
    EV_TABLE_STARTED,
    EV_TABLE_FAILED,
    EV_KIND_COUNT
};

struct event {
    enum event_kind kind;
    const char *database; /* NULL for the whole migration */
    const char *object;   /* table, index, ... or NULL */
    const char *message;  /* NULL or text for people */
    const char *sqlstate; /* NULL or the server's SQLSTATE for errors */
    enum mig_status status;
    enum mig_substatus substatus;
    enum check_status check_status; /* EV_CHECK */
    const char *remediation;        /* EV_CHECK: or NULL */
    int64_t rows;
    int64_t bytes;      /* sizes on the source (see progress.h) */
    int64_t bytes_sent; /* EV_DATABASE_DONE: COPY stream bytes */
    int tables;         /* EV_DATABASE_DONE: tables copied */
    double seconds;
    /* EV_STREAMING */
    int64_t lag_bytes;
    double lag_seconds;
    int64_t changes;
    int64_t transactions;
    uint64_t applied_lsn;
    uint64_t source_lsn;
    const char
        *waiting_for; /* not owned: "source" or "target" while reconnecting to it, else NULL */
};

struct event_sink {
    void (*emit)(void *ctx, const struct event *ev);
    void *ctx;
};

/* Sends ev to sink; a NULL sink or emit function drops it. */
void event_emit(const struct event_sink *sink, const struct event *ev);
const char *event_kind_name(enum event_kind k);

#endif
