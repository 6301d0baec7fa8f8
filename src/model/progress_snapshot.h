/*
 * progress_snapshot.h — a plain copy of one database's progress
 * (progress.h's counters, read once each), which a store can save, an API
 * can serve and a display can draw without touching the live atomics.
 */
#ifndef PGSHUTTLE_MODEL_PROGRESS_SNAPSHOT_H
#define PGSHUTTLE_MODEL_PROGRESS_SNAPSHOT_H

#include "model/progress.h"

struct db_progress_snapshot {
    char *name; /* owned */
    enum mig_status status;
    enum mig_substatus substatus;
    bool planned;
    int tables_total;
    int tables_copying;
    int tables_copied;
    int tables_failed;
    int64_t rows_copied;
    int64_t bytes_copied;
    int64_t bytes_total;
    int64_t bytes_streaming;
    int64_t bytes_sent;
    int large_objects;
    int64_t large_object_bytes;
    int indexes_total;
    int indexes_built;
    int constraints_total;
    int constraints_done;
    int64_t index_ms;
    bool streaming;
    bool caught_up;
    int64_t lag_bytes;
    int64_t lag_ms;
    int64_t changes_applied;
    int64_t txns_applied;
    int64_t inserts_applied;
    int64_t updates_applied;
    int64_t deletes_applied;
    int64_t truncates_applied;
    int64_t incoming_bps;
    int64_t apply_bps;
    int64_t apply_peak_bps;
    int64_t backlog_bytes;
    uint64_t applied_lsn;
    uint64_t source_lsn;
    const char *waiting_for; /* static: "source", "target" or NULL */
    int64_t started_ms;
    int64_t finished_ms;
};

/* Copies p's figures into out (its name too; free with db_progress_snapshot_free). */
void db_progress_snapshot_take(const struct db_progress *p, struct db_progress_snapshot *out);
/* Bytes copied so far for a live figure, as db_progress_bytes_done() tells it. */
int64_t db_progress_snapshot_bytes_done(const struct db_progress_snapshot *s);
/* Frees what out owns and zeroes it. */
void db_progress_snapshot_free(struct db_progress_snapshot *s);
/* The static spelling of a server the stream waits for ("source", "target"), or NULL. */
const char *db_progress_waiting_for_word(const char *text);

#endif
