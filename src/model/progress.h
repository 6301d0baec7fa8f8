/*
 * progress.h — live counters of one database's migration, and the
 * arithmetic that turns them into throughput, percentages and an ETA.
 *
 * Copy and index threads update the counters with atomic adds; displays and
 * the state store read them whenever they like. No lock is involved.
 */
#ifndef PGSHUTTLE_MODEL_PROGRESS_H
#define PGSHUTTLE_MODEL_PROGRESS_H

#include "model/status.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct db_progress {
    char *name; /* owned: the database name */
    _Atomic int status;    /* enum mig_status */
    _Atomic int substatus; /* enum mig_substatus */
    _Atomic int tables_total;
    _Atomic int tables_copying;
    _Atomic int tables_copied;
    _Atomic int tables_failed;
    _Atomic int64_t rows_copied;
    _Atomic int64_t bytes_copied; /* COPY stream bytes so far */
    _Atomic int64_t bytes_total;  /* estimate: the source tables' on-disk size */
    _Atomic int indexes_total;
    _Atomic int indexes_built;
    _Atomic int constraints_total;
    _Atomic int constraints_done;
    /* online: the change stream (positions are LSNs) */
    _Atomic bool streaming;
    _Atomic bool caught_up;
    _Atomic int64_t lag_bytes; /* source position - the slot's confirmed flush */
    _Atomic int64_t lag_ms;
    _Atomic int64_t changes_applied;
    _Atomic int64_t txns_applied;
    _Atomic uint64_t applied_lsn;
    _Atomic uint64_t source_lsn;
    _Atomic int64_t started_ms;  /* wall clock, ms since epoch; 0 = not yet */
    _Atomic int64_t finished_ms; /* wall clock, ms since epoch; 0 = not yet */
};

/* Returns a zeroed progress record for a database; free with db_progress_free(). */
struct db_progress *db_progress_new(const char *name);
void db_progress_free(struct db_progress *p);

/* Tables waiting for a copy worker. */
int db_progress_tables_queued(const struct db_progress *p);

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

#endif
