/*
 * stream.h — one database's change stream: reads the logical replication
 * slot, decodes (pgoutput or test_decoding), hands every change to the
 * applier, and tells the source what is durably applied.
 *
 * The loop, in one thread:
 *   - START_REPLICATION from the applier's durable position (the slot's
 *     consistent point after the initial copy; the recorded position after
 *     a restart);
 *   - read every message available without blocking, decode it, apply it;
 *     commit the applier's batch when it is due or the stream goes idle;
 *   - standby status updates: write = last received position, flush = apply
 *     = cdc_applier_durable(); at once when the server asks (keepalive with
 *     replyRequested), after each target commit, and at least every
 *     CDC_STATUS_INTERVAL_MS; when idle, also ask for a keepalive so the
 *     server's position is known;
 *   - when idle (no open or pending transaction) and a keepalive moved the
 *     server's position past the durable one, record that position
 *     (cdc_applier_record_position, at most every CDC_IDLE_RECORD_MS) so the
 *     slot's confirmed_flush follows an idle source;
 *   - stop: when *stop_lsn is set (cutover) and everything up to it is
 *     applied (durable position >= stop_lsn, or nothing pending and the
 *     server's position >= stop_lsn), or on *cancel, or on an error.
 *
 * Lag is published in struct cdc_stream_progress for displays and the
 * engine: seconds = the last server send time minus the commit time of the
 * oldest transaction received but not yet durable (0 when none pending).
 */
#ifndef PGSHUTTLE_CDC_STREAM_H
#define PGSHUTTLE_CDC_STREAM_H

#include "cdc/applier.h"
#include "pg/replication.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define CDC_STATUS_INTERVAL_MS 1000
#define CDC_IDLE_RECORD_MS 2000
/* A quiet stream's batch commits once it is this old (lag bound it adds under load). */
#define CDC_MIN_BATCH_MS 20

enum cdc_plugin { CDC_PLUGIN_PGOUTPUT = 0, CDC_PLUGIN_TEST_DECODING };

/* Written by the stream thread, read by anyone. Positions are LSNs. */
struct cdc_stream_progress {
    _Atomic uint64_t received_lsn; /* highest position received (XLogData or keepalive) */
    _Atomic uint64_t durable_lsn;  /* applied and durable on the target: reported as flush */
    _Atomic uint64_t server_lsn;   /* the server's position from its last message (walEnd) */
    _Atomic int64_t lag_us;        /* see above; 0 when caught up */
    _Atomic bool streaming;        /* START_REPLICATION succeeded and the loop runs */
    _Atomic bool idle;             /* nothing received-but-not-durable right now */
};

struct cdc_stream_config {
    /* An open replication connection to the source database: not streaming
       yet and not holding a snapshot (pgrepl_release_snapshot first). The
       stream uses it and leaves it idle (stream ended) or broken; the caller
       closes it. */
    pgrepl *repl;
    const char *slot;
    enum cdc_plugin plugin;
    /* pgoutput: publication names separated by commas, e.g. "p1,p2" (each
       quoted as needed by cdc_stream_start_options; a name cannot hold a comma) */
    const char *publications;
    cdc_applier *applier;
    /* Where to start: normally cdc_applier_durable(applier). */
    cdc_lsn start_lsn;
    const _Atomic bool *cancel;
    /* 0 = stream on; else stop once everything up to this LSN is applied. */
    const _Atomic uint64_t *stop_lsn;
    struct cdc_stream_progress *progress; /* may be NULL */
    /* Called (in the stream's thread) once START_REPLICATION succeeded; may be NULL. */
    void (*on_start)(void *arg);
    void *on_start_arg;
};

enum cdc_stream_outcome {
    CDC_STREAM_REACHED = 0, /* *stop_lsn reached: everything up to it is durable */
    CDC_STREAM_CANCELED,
    CDC_STREAM_FAILED
};

struct cdc_stream_result {
    enum cdc_stream_outcome outcome;
    char *error;    /* owned: what failed (FAILED), naming the side: source stream or target */
    char *sqlstate; /* owned or NULL */
};

/*
 * Runs the stream until it reaches *stop_lsn, is canceled or fails. The
 * stream is ended cleanly (final status update with the durable position,
 * CopyDone) when the connection still works. Free the result's strings with
 * cdc_stream_result_free.
 *
 * The applier may come from an earlier stream that failed: what it holds
 * that is not durable is discarded first (cdc_applier_discard), since the
 * server sends it again. At the end, complete transactions are committed
 * and a transaction cut short is discarded: the applier is idle on return
 * (unless it broke), so a new stream can follow on a new replication
 * connection with start_lsn = cdc_applier_durable().
 */
void cdc_stream_run(const struct cdc_stream_config *cfg, struct cdc_stream_result *res);
void cdc_stream_result_free(struct cdc_stream_result *res);

/* ---- pure helpers (unit-tested) ---- */

/*
 * The START_REPLICATION option list for plugin: test_decoding's fixed one;
 * for pgoutput protocol version 1 and publications (split on commas, spaces
 * around names trimmed, each name quoted as an identifier where needed).
 * NULL when pgoutput has no publication name. The caller frees.
 */
char *cdc_stream_start_options(enum cdc_plugin plugin, const char *publications);
/*
 * True when a server error message (with its detail) says the slot was
 * invalidated (13+: it fell more than max_slot_wal_keep_size behind) or the
 * WAL it needed is gone: the changes are lost, the migration must restart.
 */
bool cdc_stream_slot_lost(const char *message);

#endif
