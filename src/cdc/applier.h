/*
 * applier.h — applies decoded changes (struct cdc_change) to the target
 * database, exactly once.
 *
 * The applier owns one target connection with session_replication_role =
 * replica (no user triggers, no FK checks; cfg->without_replica_role: not,
 * and the target has none yet), in libpq pipeline mode while a
 * batch is open, and a second one for catalog lookups and position reads.
 * It keeps whole source transactions together and batches several of them
 * into one target transaction; each statement is a prepared statement per
 * (relation, operation, column set) with text parameters of type 0 (type
 * OIDs differ between servers). A run of same-shape changes of one table
 * (inserts; updates and deletes found by a key that did not change) goes as
 * one statement with array parameters, sent when the table's next change
 * differs, before a TRUNCATE and before COMMIT: within a batch each table's
 * changes keep their order, but changes of different tables may reach the
 * server in another order than the stream's, which nothing can observe
 * under session_replication_role = replica, except triggers or rules
 * enabled ALWAYS or REPLICA (their tables' changes are kept in stream order
 * with everything). Every result is checked before the batch's COMMIT is
 * sent. Both sessions run with search_path = '' (all names are
 * qualified) and client_encoding = the target database's encoding, which
 * is the source's: values are sent as the decoders received them.
 *
 * Exactly-once: every target transaction records the source position it
 * applied up to (the end_lsn of its last source transaction) atomically
 * with its data: in a replication origin (pg_replication_origin_xact_setup)
 * when the role may use origins, else in a progress row of the table
 * CDC_PROGRESS_TABLE in the same transaction. cdc_applier_durable() is what
 * may be reported to the source as flushed: nothing past it.
 *
 * Relations: pgoutput sends RELATION messages (relid -> schema, name,
 * columns, key flags) and changes by relid; test_decoding names the table
 * and columns in every change. Either way the target table is looked up by
 * (schema, name) in the target catalog (columns, generated and identity
 * columns, replica identity, key columns, types without an equality
 * operator) and cached; a RELATION message replaces the cached entry and
 * its prepared statements (ALTER TABLE mid-stream).
 *
 * What the statements do:
 *  - INSERT names the columns sent (generated columns skipped), with
 *    OVERRIDING SYSTEM VALUE when the table has a GENERATED ALWAYS identity.
 *  - UPDATE sets the new tuple's columns except unchanged-TOAST ones and
 *    generated ones; the row is found by the old key (K), or the old row
 *    (O: REPLICA IDENTITY FULL), or the new tuple's key columns. Updates
 *    that change the key and updates of partitioned tables that move a row
 *    to another partition work (the root is updated on the target).
 *  - DELETE finds the row the same way.
 *  - Without a key (REPLICA IDENTITY FULL, duplicates possible) exactly one
 *    row is touched: WHERE ctid = (SELECT ctid ... WHERE col IS NOT DISTINCT
 *    FROM $n ... LIMIT 1), comparing as text for types without equality.
 *  - An UPDATE or DELETE that finds no row is an error: the target has
 *    diverged and the migration must not carry on silently.
 *  - TRUNCATE: one statement for all listed relations, ONLY, with RESTART
 *    IDENTITY and CASCADE when the source did so.
 *
 * One applier belongs to one thread.
 */
#ifndef PGSHUTTLE_CDC_APPLIER_H
#define PGSHUTTLE_CDC_APPLIER_H

#include "cdc/change.h"
#include "pg/pipeline.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct cdc_applier cdc_applier;

/* Schema and table of the fallback progress rows (dropped by cdc_applier_drop_progress). */
#define CDC_PROGRESS_SCHEMA "pgshuttle_cdc"
#define CDC_PROGRESS_TABLE  "pgshuttle_cdc.applied_position"

enum cdc_progress_kind {
    CDC_PROGRESS_AUTO = 0, /* a replication origin if the role may use one, else a progress row */
    CDC_PROGRESS_ORIGIN,   /* replication origin only: fail if not allowed */
    CDC_PROGRESS_TABLE_ROW /* progress row only (tests the fallback) */
};

struct cdc_applier_config {
    const char *conninfo; /* the target database (may hold a password: never logged) */
    const char *label;    /* for log lines, e.g. "apply db=x" */
    /* Replication origin name and progress-row key: identifies this stream. */
    const char *origin;
    enum cdc_progress_kind progress;
    /*
     * Tables whose changes are applied, as pgq_qualified() spells them
     * ("public.t", "\"Odd\".\"T\""); NULL = every table a change names.
     * Changes to other tables are skipped (test_decoding sends every table).
     */
    const strlist *tables;
    /*
     * Tables published for inserts only (no key and no REPLICA IDENTITY
     * FULL): their updates and deletes are skipped and counted, not errors
     * (test_decoding sends them; pgoutput does not). Same spelling as tables.
     */
    const strlist *insert_only;
    /* Batch limits: a target transaction commits when one is reached (0 = default). */
    int batch_max_txns;    /* source transactions per target transaction (default 20000) */
    int batch_max_changes; /* changes per target transaction (default 200000; one source
                              transaction is never split, so it may exceed this) */
    int batch_max_ms;      /* age of the batch's first change (default 200) */
    /*
     * Apply without session_replication_role = replica, for a role that may
     * not set it: then user triggers, rules and foreign keys would fire, so
     * the target must have none of them while changes are applied (the
     * engine creates them at cutover: copy/deferred.h).
     */
    bool without_replica_role;
};

/* Counters for progress displays (read from other threads). */
struct cdc_applier_stats {
    _Atomic int64_t txns;    /* source transactions applied (durable) */
    _Atomic int64_t changes; /* inserts + updates + deletes + truncates applied (durable) */
    _Atomic int64_t inserts;
    _Atomic int64_t updates;
    _Atomic int64_t deletes;
    _Atomic int64_t truncates;
    _Atomic int64_t skipped; /* changes to tables not migrated, or not applicable (insert-only) */
    _Atomic int64_t batches; /* target commits */
    /* array parameters of grouped statements sent (committed or not), and those in binary */
    _Atomic int64_t arrays;
    _Atomic int64_t binary_arrays;
};

/*
 * Connects to the target, sets the session up (session_replication_role =
 * replica, synchronous_commit = on, the pgshuttle session defaults),
 * decides between origin and progress row (cfg->progress), creates the
 * origin and sets it up for this session (or creates the progress table),
 * and reads the durable position. *out is set even on failure (read the
 * error, then close).
 */
bool cdc_applier_open(cdc_applier **out, const struct cdc_applier_config *cfg)
    __attribute__((warn_unused_result));
/* Rolls back a batch not committed (nothing past cdc_applier_durable()), closes, frees. */
void cdc_applier_close(cdc_applier *a);
/*
 * Opens both target sessions again after a lost connection (same
 * configuration) and takes the durable position from the target (what
 * survived a crash there): the caller starts a new stream from
 * cdc_applier_durable(). Statistics are kept. False while the target cannot
 * be reached (quiet: cdc_applier_error says why) or on another failure.
 */
bool cdc_applier_reconnect(cdc_applier *a) __attribute__((warn_unused_result));
/* Whether the applier failed because a target connection was lost (restart, terminated). */
bool cdc_applier_lost(cdc_applier *a);
/*
 * What to do while a batch waits on the target (answer the source, which
 * ends a stream that stays silent for wal_sender_timeout): used from the
 * next batch on; NULL for nothing. Its tick runs inside cdc_applier calls
 * and must not call the applier.
 */
void cdc_applier_set_waiter(cdc_applier *a, const struct pgpipe_waiter *w);

const char *cdc_applier_error(const cdc_applier *a);    /* "" if none */
const char *cdc_applier_sqlstate(const cdc_applier *a); /* "" if none */
const struct cdc_applier_stats *cdc_applier_stats(const cdc_applier *a);
/*
 * True once a session of this applier set its progress up (an origin or
 * the progress table may exist): before that, there is nothing to drop.
 */
bool cdc_applier_has_progress(const cdc_applier *a);
/* True when the position lives in a replication origin (else a progress row). */
bool cdc_applier_uses_origin(const cdc_applier *a);
/* True when the apply session compresses full-page images in the target's WAL (lz4). */
bool cdc_applier_compresses_wal(const cdc_applier *a);

/*
 * The position recorded for this stream on the target, durably: *exists is
 * false when none was ever recorded (no origin / no row).
 */
bool cdc_applier_read_position(cdc_applier *a, cdc_lsn *pos, bool *exists)
    __attribute__((warn_unused_result));
/*
 * Records lsn as applied without applying anything, in its own durable
 * transaction: once after the initial copy (the slot's consistent point),
 * and when the stream was idle and the source's position moved (keepalive
 * walEnd), so confirmed_flush may advance. Creates the origin or progress
 * row when missing. Only when nothing is pending (see cdc_applier_idle);
 * never moves the position backwards.
 */
bool cdc_applier_record_position(cdc_applier *a, cdc_lsn lsn) __attribute__((warn_unused_result));

/*
 * Takes one change in stream order. The caller keeps ownership of c (the
 * applier copies what it needs). BEGIN opens a source transaction (and a
 * target batch if none is open); INSERT/UPDATE/DELETE/TRUNCATE are queued
 * in the pipeline; COMMIT ends the source transaction and commits the batch
 * when a limit is reached; RELATION replaces cached metadata. A source
 * transaction whose end_lsn is at or before the durable position is
 * skipped whole (already applied before a restart). pgoutput's BEGIN says
 * where the transaction commits; test_decoding's does not, so until one
 * transaction past the durable position has been seen (after open, discard
 * or record_position), each is kept in memory until its COMMIT decides (up
 * to 10,000 changes; a bigger one is applied as it comes, and if its COMMIT
 * shows a duplicate after all, the batch fails and is rolled back).
 *
 * False on error (the target batch is rolled back; nothing past
 * cdc_applier_durable() was applied): the error names the table, the
 * operation and the server's message.
 */
bool cdc_applier_apply(cdc_applier *a, const struct cdc_change *c)
    __attribute__((warn_unused_result));
/*
 * Commits the open batch if it holds complete source transactions (none
 * open): call when the stream goes idle or the batch's age limit passed
 * (cdc_applier_due). Waits until the commit is durable.
 */
bool cdc_applier_flush(cdc_applier *a) __attribute__((warn_unused_result));
/* How long the open batch has been open, in ms (0 when none is). */
double cdc_applier_batch_age_ms(const cdc_applier *a);
/* True when the batch should be committed now (age or size limit reached). */
bool cdc_applier_due(const cdc_applier *a);

/*
 * Rolls back everything received but not durable (the open batch, a source
 * transaction cut short) and forgets that the stream was past the durable
 * position: call before streaming again from cdc_applier_durable() on a new
 * replication connection, so that what the server sends again is neither
 * applied twice nor taken for a duplicate. Idle appliers are unaffected.
 */
void cdc_applier_discard(cdc_applier *a);

/*
 * End LSN of the last source transaction durably committed on the target (or
 * recorded): its commit is flushed to the target's WAL. The only position
 * ever reported to the source.
 */
cdc_lsn cdc_applier_durable(const cdc_applier *a);
/* The same for what is committed (visible) on the target, durable or not yet. */
cdc_lsn cdc_applier_committed(const cdc_applier *a);
/*
 * Makes everything committed durable now (one synchronous commit on the side
 * connection, which flushes the target's WAL): for a quiet stream and at a stop.
 */
bool cdc_applier_sync(cdc_applier *a) __attribute__((warn_unused_result));
/* True inside a source transaction (BEGIN seen, COMMIT not yet). */
bool cdc_applier_in_transaction(const cdc_applier *a);
/* True when nothing is received-but-not-durable (no open transaction, empty batch). */
bool cdc_applier_idle(const cdc_applier *a);
/*
 * Commit time of the oldest source transaction received but not yet
 * durable (0 if none or unknown): for lag in seconds.
 */
int64_t cdc_applier_oldest_pending_ts(const cdc_applier *a);

/*
 * At cutover or after a cancel, once the stream is over: drops the
 * replication origin, or the progress row and its table and schema when
 * no other stream uses them. Missing ones are fine.
 */
bool cdc_applier_drop_progress(cdc_applier *a) __attribute__((warn_unused_result));

#endif
