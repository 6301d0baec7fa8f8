/*
 * progress.h — live counters of one database's migration, and the
 * arithmetic that turns them into throughput, percentages, an ETA and the
 * change stream's lag.
 *
 * Copy and index threads update the counters with atomic adds; displays and
 * the state store read them whenever they like. No lock is involved.
 *
 * What the figures mean (docs/PROGRESS.md says the same for users):
 *   - tables: the relations that store rows and are copied: ordinary and
 *     unlogged tables, partitions and inheritance children. Partitioned
 *     parents (they hold no rows) and materialized views (refreshed on the
 *     target, not copied) are not tables here; verify counts the same way.
 *   - bytes: a table's size on the source, pg_table_size() (heap and TOAST,
 *     no indexes), read when the copy is planned. bytes_total is their sum;
 *     bytes_copied grows by a table's (or a part's) size when it is copied,
 *     so it ends equal to bytes_total and to the sum of the tables' figures.
 *     What crossed the network (the COPY stream) is bytes_sent, reported
 *     apart. Large objects are counted apart too (their data length).
 *   - rows: rows sent by COPY.
 *   - lag: see the change-stream fields below.
 */
#ifndef PGSHUTTLE_MODEL_PROGRESS_H
#define PGSHUTTLE_MODEL_PROGRESS_H

#include "model/status.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct db_progress {
    char *name;            /* owned: the database name */
    _Atomic int status;    /* enum mig_status */
    _Atomic int substatus; /* enum mig_substatus */
    _Atomic bool planned;  /* the copy is planned: the totals below are known */
    _Atomic int tables_total;
    _Atomic int tables_copying;
    _Atomic int tables_copied;
    _Atomic int tables_failed;
    _Atomic int64_t rows_copied;
    _Atomic int64_t bytes_copied;    /* size on the source of the tables and parts copied */
    _Atomic int64_t bytes_total;     /* size on the source of every table to copy */
    _Atomic int64_t bytes_streaming; /* COPY stream bytes of the parts being copied now */
    _Atomic int64_t bytes_sent;      /* COPY stream bytes of the parts copied */
    _Atomic int large_objects;       /* large objects copied */
    _Atomic int64_t large_object_bytes;
    _Atomic int indexes_total;
    _Atomic int indexes_built;
    _Atomic int constraints_total;
    _Atomic int constraints_done;
    _Atomic int64_t index_ms; /* time index workers spent on indexes and constraints, summed */
    /*
     * online: the change stream (positions are LSNs). The target has reached
     * a position when everything the source wrote up to it is applied and
     * durable, or holds nothing to apply. lag_bytes is the source's position
     * minus the one reached; lag_ms is how long ago the source wrote the
     * oldest WAL not yet reached, or committed the oldest transaction not yet
     * applied, the highest over the last second (so it may stay above 0 for
     * that second once lag_bytes is 0). Neither is measured before the
     * stream starts.
     */
    _Atomic bool streaming;
    _Atomic bool caught_up;
    _Atomic int64_t lag_bytes;
    _Atomic int64_t lag_ms;
    _Atomic int64_t changes_applied;
    _Atomic int64_t txns_applied;
    _Atomic int64_t inserts_applied; /* of changes_applied: inserts, updates, deletes */
    _Atomic int64_t updates_applied;
    _Atomic int64_t deletes_applied;
    _Atomic int64_t truncates_applied; /* TRUNCATEs applied (not in changes_applied's three) */
    _Atomic uint64_t applied_lsn;
    _Atomic uint64_t source_lsn;
    /*
     * online: the rates behind the time until ready for cutover (model/readiness.h), in bytes
     * of the source's WAL per second, smoothed (rate_meter), measured once a second from the
     * moment the database's slot exists. incoming_bps: how fast the source's position grows.
     * apply_bps: how fast the position the target reached grows (streaming only);
     * apply_peak_bps: the highest apply_bps seen on this stream (what it can apply when it has a
     * backlog, as opposed to what it gets once caught up). backlog_bytes: WAL written since the
     * slot's position while the database copies (to apply once its stream starts), then the
     * lag while it streams.
     */
    _Atomic int64_t incoming_bps;
    _Atomic int64_t apply_bps;
    _Atomic int64_t apply_peak_bps;
    _Atomic int64_t backlog_bytes;
    /* online: the server the stream is reconnecting to ("source", "target"; static), or NULL */
    const char *_Atomic waiting_for;
    _Atomic int64_t started_ms;  /* wall clock, ms since epoch; 0 = not yet */
    _Atomic int64_t finished_ms; /* wall clock, ms since epoch; 0 = not yet */
};

/* Returns a zeroed progress record for a database; free with db_progress_free(). */
struct db_progress *db_progress_new(const char *name);
void db_progress_free(struct db_progress *p);
/* The copy starts over: its counters (tables, rows, bytes, indexes, constraints) back to zero. */
void db_progress_restart_copy(struct db_progress *p);

/* Tables waiting for a copy worker. */
int db_progress_tables_queued(const struct db_progress *p);

/*
 * Bytes copied so far for a live display: the tables and parts done, plus
 * the COPY bytes of those in flight as an estimate of their share, never
 * more than bytes_total. Equals bytes_copied once nothing is in flight.
 */
int64_t db_progress_bytes_done(const struct db_progress *p);

/*
 * When the source wrote what it wrote: a few (position, time) samples of
 * the source's WAL position, so the age of the oldest WAL not yet applied
 * can be told from positions alone (as PostgreSQL's own lag tracker does).
 * The oldest sample is kept when the history is full, so the age of a long
 * backlog stays known; samples the target has passed are dropped.
 */
#define LAG_HISTORY_SAMPLES 64
struct lag_history {
    uint64_t lsn[LAG_HISTORY_SAMPLES];
    double at[LAG_HISTORY_SAMPLES]; /* seconds, wall clock */
    int n;
};

/*
 * Records that the source was at lsn at time at (samples in time order); a
 * position already recorded last gets the later time (it was still there).
 */
void lag_history_add(struct lag_history *h, uint64_t lsn, double at);
/*
 * Seconds since the source wrote the oldest WAL beyond reached, at time now:
 * 0 when reached is at or past every sample. Interpolates between samples.
 * Drops the samples no longer needed.
 */
double lag_history_age(struct lag_history *h, uint64_t reached, double now);

/*
 * A throughput meter: an exponentially weighted rate over samples of a
 * growing counter, so a display shows a steady MB/s and a sensible ETA.
 */
struct rate_meter {
    double last_time; /* seconds, monotonic; 0 = no sample yet */
    int64_t last_value;
    double rate; /* units per second, smoothed */
};

void rate_meter_sample(struct rate_meter *m, double now, int64_t value);

/* Fraction done in [0,1]; 0 when total is unknown (<= 0). */
double progress_fraction(int64_t done, int64_t total);
/* Seconds left at rate; negative when unknown (no rate or no total). */
double progress_eta(int64_t done, int64_t total, double rate);
/* Writes a byte count as "0 B", "12.0 kB", "3.4 MB", "1.2 GB" (powers of 1024). */
void progress_format_bytes(int64_t bytes, char *out, size_t outlen);
/* Writes a count grouped by thousands: "2,220,000". */
void progress_format_count(int64_t n, char *out, size_t outlen);

#endif
