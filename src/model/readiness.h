/*
 * readiness.h — the time until an online migration is ready for cutover:
 * for each database and for the migration (every database caught up), from
 * the databases' progress snapshots alone (a pure function: a store, an API
 * or a display gets the same answer from the same snapshots).
 *
 * The method (docs/PROGRESS.md says the same for users); rates are bytes of
 * the source's WAL per second unless said otherwise (progress.h):
 *
 *   - A database that streams: caught up, 0; else lag_bytes / (apply -
 *     incoming) while the lag shrinks (apply_bps > incoming_bps); unknown
 *     ("not converging") when it does not. The trend is incoming - apply
 *     (negative: shrinking).
 *   - A database that copies: copy + post-copy + catch-up seconds.
 *     copy: the bytes left at the copy's average rate since the database
 *     started (the resource's etaSeconds rate). post-copy: the indexes and
 *     constraints not built yet, at the average time the built ones took
 *     (index_ms / built), as if none were built while the copy goes on (so
 *     it errs long when many remain; nothing is added before the first is
 *     built, erring short). catch-up: the backlog when the copy ends
 *     (backlog_bytes now + incoming_bps x the seconds above) / (apply -
 *     incoming), where apply is the highest apply rate an earlier database
 *     of the run reached (apply_peak_bps), else READINESS_APPLY_PER_COPY_BYTE
 *     x the copy rate. Unknown before the copy is planned or has a rate, or
 *     when that apply rate does not exceed the incoming rate.
 *   - A database queued behind the copy: copies run one after another, so
 *     its copy starts when the ones before it end; with its size unknown
 *     (it is only known once its copy is planned) its time is unknown.
 *   - The migration: the longest of its databases' times; unknown when one
 *     is. Databases that ended (cut over, canceled, failed) do not count;
 *     when none is left the figure is unknown.
 *
 * Limits: rates are those measured so far (a workload that changes pace
 * changes the answer); WAL bytes are not all changes of the database (WAL
 * of other databases, full-page images) but both rates count the same
 * bytes, so their difference is what the lag does.
 */
#ifndef PGSHUTTLE_MODEL_READINESS_H
#define PGSHUTTLE_MODEL_READINESS_H

#include "model/progress_snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Before any stream of the run was measured: WAL bytes a stream applies per
 * second for each table byte per second the copy writes. Measured on the
 * development machine (2 cores, PostgreSQL 15, source and target on it,
 * pgbench TPC-B writes at 300 transactions per second, --jobs 1) by
 * tests/integration/online_readiness.sh, which prints the stream's apply
 * rate while catching up and the copy's rate: 0.84, 0.93 and 1.23 in three runs.
 * Workload-dependent: WAL of full-page images goes through fast per byte,
 * small changes more slowly (docs/PROGRESS.md).
 */
#define READINESS_APPLY_PER_COPY_BYTE 0.8

struct readiness_db {
    bool known;         /* eta_seconds holds a figure */
    double eta_seconds; /* until the database is caught up (0: it is) */
    bool trend_known;   /* streaming with a measured apply rate */
    double trend_bps;   /* incoming - apply: negative, the lag shrinks */
};

/*
 * Fills out[0..n) for the snapshots dbs[0..n) (in the order the databases
 * are copied), as of wall-clock time now (seconds). Returns the
 * migration's seconds until every database is caught up, or a negative
 * number when unknown.
 */
double readiness_estimate(const struct db_progress_snapshot *dbs, size_t n, double now,
                          struct readiness_db *out);

#endif
