/*
 * applier.c — applies decoded changes to the target, exactly once (see
 * applier.h): the session, batches of source transactions, the recorded
 * position, and the dispatch of changes.
 *
 * A batch is one target transaction, sent through libpq's pipeline mode:
 *
 *   BEGIN; <statements of whole source transactions>; [SELECT txid_current()];
 *   SELECT pg_replication_origin_xact_setup(end_lsn, commit_ts) | progress row upsert;
 *   sync; (every result read and checked) COMMIT; SELECT <the target's WAL
 *   insert and flush positions>; sync
 *
 * Nothing waits for a statement's result before the next is sent; results
 * are read a few hundred statements behind (src/pg/pipeline.c) and checked
 * then: a failed statement, or an UPDATE/DELETE that found no row, fails the
 * batch, which is rolled back whole. COMMIT goes only after the last result
 * was checked (one more round trip per batch).
 *
 * Commits are asynchronous (synchronous_commit = off), as the built-in apply
 * worker's are: the apply session never waits for the target's WAL to reach
 * disk, which cost it about a tenth of its time under a backlog. A batch is
 * committed (visible, and what duplicates are judged by) when COMMIT
 * returns, and durable once the target's WAL is flushed past the insert
 * position read right after it: only then is it reported to the source.
 * The flush position comes with every commit; cdc_applier_sync waits for the
 * target's WAL writer to flush everything committed, for a quiet stream and
 * a stop (a transaction that only took an xid is not flushed at commit, so
 * a "synchronous" one on the side connection would prove nothing).
 * After a crash of the target the origin (or progress row) rolls back with
 * the data it covers, and the source, never told of it, sends it again.
 *
 * Duplicates after a restart: a source transaction that ends at or before
 * the durable position was applied already. pgoutput's BEGIN carries the
 * commit record's position, so the choice is made at BEGIN (a commit record
 * that starts before the position, which always lies on a record boundary,
 * ends at or before it). test_decoding's BEGIN carries none, so until one
 * transaction past the durable position has been seen, each transaction is
 * kept (copied) until its COMMIT says whether to apply it, up to
 * APPLY_BUFFER_MAX changes: a bigger one is applied as it comes and checked
 * at its COMMIT, where a duplicate fails the batch. The server itself starts
 * past the position asked for, so in practice only the first transaction
 * after a start is kept, and none is a duplicate.
 */
#include "cdc/applier_internal.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH_TXNS    20000
#define DEFAULT_BATCH_CHANGES 200000
#define DEFAULT_BATCH_MS      200
/* Changes of a test_decoding transaction kept until its COMMIT says whether it is a duplicate. */
#define APPLY_BUFFER_MAX 10000

/* µs since 2000-01-01 as text ($n, "0" = unknown) -> timestamptz, or now() when unknown. */
#define TS_FROM_PARAM(n)                                                                           \
    "CASE WHEN $" #n "::pg_catalog.int8 = 0 THEN pg_catalog.now() "                                \
    "ELSE timestamptz '2000-01-01 00:00:00+00' + $" #n                                             \
    "::pg_catalog.int8 * interval '1 microsecond' END"

static const char SQL_XACT_SETUP[] =
    "SELECT pg_catalog.pg_replication_origin_xact_setup($1::pg_catalog.pg_lsn, " TS_FROM_PARAM(
        2) ")";
static const char SQL_PROGRESS_UPSERT[] =
    "INSERT INTO " CDC_PROGRESS_TABLE " AS p (origin, lsn, commit_ts, updated_at) "
    "VALUES ($1, $2::pg_catalog.pg_lsn, "
    "CASE WHEN $3::pg_catalog.int8 = 0 THEN NULL ELSE " TS_FROM_PARAM(
        3) " END, pg_catalog.now()) "
           "ON CONFLICT (origin) DO UPDATE SET lsn = excluded.lsn, "
           "commit_ts = coalesce(excluded.commit_ts, p.commit_ts), updated_at = "
           "excluded.updated_at "
           "WHERE p.lsn < excluded.lsn";

/* ------------------------------------------------------------------ the session */

bool cdc_applier_open(cdc_applier **out, const struct cdc_applier_config *cfg)
{
    cdc_applier *a = xcalloc(1, sizeof(*a));
    *out = a;
    a->cfg = *cfg;
    a->label = xstrdup(cfg->label && cfg->label[0] ? cfg->label : "apply");
    if (a->cfg.batch_max_txns <= 0)
        a->cfg.batch_max_txns = DEFAULT_BATCH_TXNS;
    if (a->cfg.batch_max_changes <= 0)
        a->cfg.batch_max_changes = DEFAULT_BATCH_CHANGES;
    if (a->cfg.batch_max_ms <= 0)
        a->cfg.batch_max_ms = DEFAULT_BATCH_MS;
    if (cfg->origin == NULL || cfg->origin[0] == '\0') {
        apply__fail(a, "22023", "no replication origin name for the applier");
        a->broken = true;
        return false;
    }
    char *catalog_label = xasprintf("%s catalog", a->label);
    bool ok = true;
    if (!pgconn_connect_quiet(&a->conn, cfg->conninfo, a->label))
        ok = apply__conn_fail(a, a->conn, "could not connect to the target");
    else if (!pgconn_connect_quiet(&a->catalog, cfg->conninfo, catalog_label))
        ok = apply__conn_fail(a, a->catalog, "could not connect to the target");
    free(catalog_label);
    ok = ok && apply__setup_session(a, a->conn, true) &&
         apply__setup_session(a, a->catalog, false) && apply__setup_progress(a);
    bool exists = false;
    ok = ok && cdc_applier_read_position(a, &a->durable, &exists);
    a->committed = a->durable;
    if (!ok) {
        a->broken = true;
        return false;
    }
    char lsn[20];
    cdc_lsn_format(a->durable, lsn, sizeof(lsn));
    log_info("%s: applying with the position in %s %s, durable position %s", a->label,
             a->use_origin ? "replication origin" : "progress row of " CDC_PROGRESS_TABLE,
             a->cfg.origin, exists ? lsn : "none yet");
    return true;
}

/* ------------------------------------------------------------------ batches */

static void clear_buffer(cdc_applier *a)
{
    for (int i = 0; i < a->nbuffer; i++)
        cdc_change_reset(&a->buffer[i]);
    a->nbuffer = 0;
}

static void reset_batch(cdc_applier *a)
{
    a->batch_open = false;
    a->batch_txns = a->batch_changes = 0;
    a->batch_end = 0;
    a->batch_end_ts = a->batch_first_ts = 0;
    a->n_inserts = a->n_updates = a->n_deletes = a->n_truncates = a->n_skipped = 0;
    sl_free(&a->truncates);
}

static bool open_batch(cdc_applier *a)
{
    if (a->batch_open)
        return true;
    a->batch_failed = false;
    a->error_locked = false;
    if (!pgpipe_enter(a->conn, 0, apply__on_result, a, &a->pipe) ||
        !pgpipe_set_waiter(a->pipe, &a->waiter)) {
        a->broken = true;
        return apply__conn_fail(a, a->conn, "could not start a batch");
    }
    a->batch_open = true;
    a->batch_t0 = time_now();
    if (!pgpipe_send(a->pipe, "BEGIN", 0, NULL, apply_control_tag(APPLY_CTL_BEGIN, 0))) {
        a->broken = true;
        return apply__conn_fail(a, a->conn, "could not start a batch");
    }
    return true;
}

/* Rolls the open batch back and forgets everything not durable. */
static void abort_batch(cdc_applier *a)
{
    if (a->pipe) {
        /* The rows still waiting in groups were never sent: they are simply forgotten. */
        apply__discard_groups(a);
        bool ok =
            pgpipe_drain(a->pipe) &&
            pgpipe_send(a->pipe, "ROLLBACK", 0, NULL, apply_control_tag(APPLY_CTL_ROLLBACK, 0)) &&
            pgpipe_drain(a->pipe);
        ok = pgpipe_exit(a->pipe) && ok;
        a->pipe = NULL;
        if (!ok) {
            a->broken = true;
            apply__fail(a, pgconn_error_sqlstate(a->conn), "could not roll the batch back: %s",
                        pgconn_error_message(a->conn));
        }
    }
    apply__discard_groups(a);
    reset_batch(a);
    a->in_txn = false;
    a->txn_mode = APPLY_TXN_APPLY;
    a->txn_unverified = false;
    clear_buffer(a);
    a->caught_up = false;
    apply__free_retired(a);
}

/* A committed batch whose durability is not known yet. */
static void add_pending(cdc_applier *a, uint64_t target_lsn, cdc_lsn source_lsn)
{
    if (a->npending == a->cappending) {
        a->cappending = a->cappending ? 2 * a->cappending : 16;
        a->pending = xrealloc(a->pending, (size_t) a->cappending * sizeof(*a->pending));
    }
    a->pending[a->npending++] = (struct apply_pending){target_lsn, source_lsn};
}

/* The target's WAL is flushed up to flush: the batches it covers are durable. */
static void advance_durable(cdc_applier *a, uint64_t flush)
{
    int n = 0;
    while (n < a->npending && a->pending[n].target_lsn <= flush) {
        if (a->pending[n].source_lsn > a->durable)
            a->durable = a->pending[n].source_lsn;
        n++;
    }
    memmove(a->pending, a->pending + n, (size_t) (a->npending - n) * sizeof(*a->pending));
    a->npending -= n;
}

/*
 * Records the batch's position in the same transaction, commits it and waits
 * for the commit. marker: nothing was applied; the position alone moves.
 */
static bool commit_batch(cdc_applier *a, bool marker)
{
    char lsn[20], ts[24];
    cdc_lsn_format(a->batch_end, lsn, sizeof(lsn));
    snprintf(ts, sizeof(ts), "%" PRId64, a->batch_end_ts);
    bool ok = apply__flush_groups(a);
    if (!ok) {
        /* the connection failed (recorded); a->broken is set */
    } else if (a->use_origin) {
        const char *params[2] = {lsn, ts};
        /* A transaction without an xid writes no commit record, and so no origin position. */
        ok = pgpipe_send(a->pipe, "SELECT pg_catalog.txid_current()", 0, NULL,
                         apply_control_tag(APPLY_CTL_XID, 0)) &&
             pgpipe_send(a->pipe, SQL_XACT_SETUP, 2, params,
                         apply_control_tag(APPLY_CTL_PROGRESS, 0));
    } else {
        const char *params[3] = {a->cfg.origin, lsn, ts};
        ok = pgpipe_send(a->pipe, SQL_PROGRESS_UPSERT, 3, params,
                         apply_control_tag(APPLY_CTL_PROGRESS, 0));
    }
    /* Every result is checked before COMMIT is sent: an UPDATE or DELETE that found no row
       is no error to the server, which would commit it. */
    ok = ok && pgpipe_drain(a->pipe);
    a->wal_seen = false;
    if (ok && !a->batch_failed)
        ok = pgpipe_send(a->pipe, "COMMIT", 0, NULL, apply_control_tag(APPLY_CTL_COMMIT, 0)) &&
             pgpipe_send(a->pipe,
                         "SELECT pg_catalog.pg_current_wal_insert_lsn()::text || ' ' || "
                         "pg_catalog.pg_current_wal_flush_lsn()::text",
                         0, NULL, apply_control_tag(APPLY_CTL_WAL, 0)) &&
             pgpipe_drain(a->pipe);
    if (!ok || a->batch_failed) {
        if (!ok) {
            a->broken = true;
            apply__conn_fail(a, a->conn, "could not commit the batch");
        }
        abort_batch(a);
        return false;
    }
    bool exited = pgpipe_exit(a->pipe);
    a->pipe = NULL;
    /* Committed: visible on the target; durable once its WAL is flushed. */
    a->committed = a->batch_end;
    add_pending(a, a->wal_seen ? a->wal_insert : UINT64_MAX, a->batch_end);
    if (a->wal_seen)
        advance_durable(a, a->wal_flush);
    if (!marker) {
        atomic_fetch_add(&a->stats.txns, a->batch_txns);
        atomic_fetch_add(&a->stats.changes,
                         a->n_inserts + a->n_updates + a->n_deletes + a->n_truncates);
        atomic_fetch_add(&a->stats.inserts, a->n_inserts);
        atomic_fetch_add(&a->stats.updates, a->n_updates);
        atomic_fetch_add(&a->stats.deletes, a->n_deletes);
        atomic_fetch_add(&a->stats.truncates, a->n_truncates);
        atomic_fetch_add(&a->stats.skipped, a->n_skipped);
        atomic_fetch_add(&a->stats.batches, 1);
    }
    if (log_enabled(LOG_DEBUG))
        log_debug("%s: %s committed up to %s (%d transactions, %d statements, %.1f ms)", a->label,
                  marker ? "position" : "batch", lsn, a->batch_txns, a->batch_changes,
                  (time_now() - a->batch_t0) * 1000);
    reset_batch(a);
    apply__free_retired(a);
    if (!exited) {
        a->broken = true;
        return apply__conn_fail(a, a->conn, "could not leave pipeline mode");
    }
    return true;
}

static bool batch_full(const cdc_applier *a)
{
    return a->batch_txns >= a->cfg.batch_max_txns || a->batch_changes >= a->cfg.batch_max_changes ||
           (time_now() - a->batch_t0) * 1000 >= a->cfg.batch_max_ms;
}

double cdc_applier_batch_age_ms(const cdc_applier *a)
{
    return a->batch_open ? (time_now() - a->batch_t0) * 1000 : 0;
}

bool cdc_applier_due(const cdc_applier *a)
{
    return a->batch_open && !a->in_txn && a->batch_txns > 0 && batch_full(a);
}

bool cdc_applier_flush(cdc_applier *a)
{
    if (a->broken) {
        apply__fail(a, "08006", "the target connection is broken");
        return false;
    }
    if (!a->batch_open || a->in_txn || a->batch_txns == 0)
        return true;
    return commit_batch(a, false);
}

bool cdc_applier_record_position(cdc_applier *a, cdc_lsn lsn)
{
    apply__start_operation(a);
    if (a->broken || a->progress_dropped) {
        apply__fail(a, "55000", "the applier can no longer record positions");
        return false;
    }
    if (!cdc_applier_idle(a)) {
        apply__fail(a, "55000", "a position can only be recorded when no change is pending");
        return false;
    }
    if (lsn <= a->committed)
        return true;
    if (!open_batch(a))
        return false;
    a->batch_end = lsn;
    a->batch_end_ts = 0;
    if (!commit_batch(a, true))
        return false;
    /* A position past what was streamed: the next transactions are checked again. */
    a->caught_up = false;
    return true;
}

/* ------------------------------------------------------------------ changes */

/* Deep copy of a change (for a transaction kept until its COMMIT). */
static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static char **dup_strings(char *const *v, int n)
{
    if (v == NULL)
        return NULL;
    char **out = xcalloc(n ? (size_t) n : 1, sizeof(*out));
    for (int i = 0; i < n; i++)
        out[i] = dup_or_null(v[i]);
    return out;
}

static void copy_tuple(struct cdc_tuple *dst, const struct cdc_tuple *src)
{
    dst->ncols = src->ncols;
    dst->values = xcalloc(src->ncols ? (size_t) src->ncols : 1, sizeof(*dst->values));
    for (int i = 0; i < src->ncols && src->values; i++) {
        dst->values[i] = src->values[i];
        if (src->values[i].data) {
            dst->values[i].data = xmalloc((size_t) src->values[i].len + 1);
            memcpy(dst->values[i].data, src->values[i].data, (size_t) src->values[i].len + 1);
        }
    }
    dst->names = dup_strings(src->names, src->ncols);
    dst->types = dup_strings(src->types, src->ncols);
}

static void copy_change(struct cdc_change *dst, const struct cdc_change *src)
{
    *dst = *src;
    dst->relation = NULL;
    if (src->relation) {
        const struct cdc_relation *r = src->relation;
        struct cdc_relation *c = xcalloc(1, sizeof(*c));
        *c = *r;
        c->schema = dup_or_null(r->schema);
        c->name = dup_or_null(r->name);
        c->columns = xcalloc(r->ncols ? (size_t) r->ncols : 1, sizeof(*c->columns));
        for (int i = 0; i < r->ncols; i++) {
            c->columns[i] = r->columns[i];
            c->columns[i].name = dup_or_null(r->columns[i].name);
            c->columns[i].type_name = dup_or_null(r->columns[i].type_name);
        }
        dst->relation = c;
    }
    dst->schema = dup_or_null(src->schema);
    dst->table = dup_or_null(src->table);
    copy_tuple(&dst->old_tuple, &src->old_tuple);
    copy_tuple(&dst->new_tuple, &src->new_tuple);
    dst->relids = NULL;
    if (src->relids) {
        dst->relids = xcalloc(src->nrelids ? (size_t) src->nrelids : 1, sizeof(*dst->relids));
        memcpy(dst->relids, src->relids, (size_t) src->nrelids * sizeof(*dst->relids));
    }
    dst->qualified = dup_strings(src->qualified, src->nrelids);
}

static void buffer_push(cdc_applier *a, const struct cdc_change *c)
{
    if (a->nbuffer == a->capbuffer) {
        a->capbuffer = a->capbuffer ? a->capbuffer * 2 : 16;
        a->buffer = xrealloc(a->buffer, (size_t) a->capbuffer * sizeof(*a->buffer));
    }
    copy_change(&a->buffer[a->nbuffer++], c);
}

/* What the target holds or will hold once the open batch commits. */
static cdc_lsn applied_upto(const cdc_applier *a)
{
    return a->batch_open && a->batch_txns > 0 && a->batch_end > a->committed ? a->batch_end
                                                                             : a->committed;
}

/* The source transaction ended: it belongs to the batch now. */
static bool end_txn(cdc_applier *a, const struct cdc_change *c)
{
    a->in_txn = false;
    a->caught_up = true;
    a->batch_txns++;
    a->batch_end = c->end_lsn;
    a->batch_end_ts = c->commit_ts ? c->commit_ts : a->txn_ts;
    if (a->batch_first_ts == 0)
        a->batch_first_ts = a->batch_end_ts;
    if (batch_full(a))
        return commit_batch(a, false);
    return true;
}

static bool apply_direct(cdc_applier *a, const struct cdc_change *c)
{
    if (c->kind == CDC_RELATION)
        return apply__relation(a, c->relation);
    return apply__change(a, c);
}

/* Applies what was kept of the open transaction (it is no duplicate) and goes on directly. */
static bool replay_buffer(cdc_applier *a)
{
    a->txn_mode = APPLY_TXN_APPLY;
    if (!open_batch(a))
        return false;
    for (int i = 0; i < a->nbuffer; i++)
        if (!apply_direct(a, &a->buffer[i]))
            return false;
    clear_buffer(a);
    return true;
}

/* The COMMIT of a transaction that was kept: apply it now, or drop it as already applied. */
static bool finish_buffered(cdc_applier *a, const struct cdc_change *c)
{
    if (c->end_lsn <= applied_upto(a)) {
        char lsn[20];
        cdc_lsn_format(c->end_lsn, lsn, sizeof(lsn));
        log_debug("%s: skipping the transaction ending at %s: already applied", a->label, lsn);
        bool ok = true;
        /* Its relation metadata still holds for what follows. */
        for (int i = 0; i < a->nbuffer && ok; i++)
            if (a->buffer[i].kind == CDC_RELATION)
                ok = apply__relation(a, a->buffer[i].relation);
        clear_buffer(a);
        a->in_txn = false;
        a->txn_mode = APPLY_TXN_APPLY;
        return ok;
    }
    return replay_buffer(a) && end_txn(a, c);
}

/* A change inside a transaction, as its mode says. */
static bool txn_change(cdc_applier *a, const struct cdc_change *c)
{
    switch (a->txn_mode) {
    case APPLY_TXN_SKIP:
        /* Relation metadata holds for what follows; the changes were applied before. */
        return c->kind == CDC_RELATION ? apply__relation(a, c->relation) : true;
    case APPLY_TXN_BUFFER:
        if (a->nbuffer < APPLY_BUFFER_MAX) {
            buffer_push(a, c);
            return true;
        }
        /*
         * Too big to keep: the server never sends a transaction it was told is applied, so
         * apply it now and check at its COMMIT (where a duplicate fails the batch instead
         * of applying it twice).
         */
        a->txn_unverified = true;
        if (!replay_buffer(a))
            return false;
        return apply_direct(a, c);
    case APPLY_TXN_APPLY:
    default:
        return apply_direct(a, c);
    }
}

/* Fails the applier (XX000): "the transaction ending at END_LSN " then why; false. */
static bool fail_txn(cdc_applier *a, const struct cdc_change *c, const char *why)
{
    char lsn[20];
    cdc_lsn_format(c->end_lsn, lsn, sizeof(lsn));
    apply__fail(a, "XX000", "the transaction ending at %s %s", lsn, why);
    return false;
}

static bool txn_commit(cdc_applier *a, const struct cdc_change *c)
{
    char lsn[20];
    switch (a->txn_mode) {
    case APPLY_TXN_SKIP:
        a->in_txn = false;
        a->txn_mode = APPLY_TXN_APPLY;
        if (c->end_lsn > applied_upto(a))
            return fail_txn(a, c,
                            "began before the applied position but ends after it: its changes "
                            "were skipped");
        cdc_lsn_format(c->end_lsn, lsn, sizeof(lsn));
        log_debug("%s: skipped the transaction ending at %s: already applied", a->label, lsn);
        return true;
    case APPLY_TXN_BUFFER:
        return finish_buffered(a, c);
    case APPLY_TXN_APPLY:
    default:
        if (a->txn_unverified && c->end_lsn <= applied_upto(a))
            return fail_txn(a, c,
                            "was applied before: it is rolled back (stream again from the "
                            "durable position)");
        a->txn_unverified = false;
        return end_txn(a, c);
    }
}

static bool dispatch(cdc_applier *a, const struct cdc_change *c)
{
    switch (c->kind) {
    case CDC_BEGIN: {
        if (a->in_txn) {
            apply__fail(a, "XX000", "BEGIN inside a source transaction (its COMMIT is missing)");
            return false;
        }
        a->in_txn = true;
        a->txn_ts = c->commit_ts;
        a->txn_unverified = false;
        /* pgoutput knows where the transaction commits; test_decoding tells at COMMIT. */
        if (c->final_lsn != 0)
            a->txn_mode = c->final_lsn < applied_upto(a) ? APPLY_TXN_SKIP : APPLY_TXN_APPLY;
        else
            a->txn_mode = a->caught_up ? APPLY_TXN_APPLY : APPLY_TXN_BUFFER;
        return a->txn_mode != APPLY_TXN_APPLY || open_batch(a);
    }
    case CDC_COMMIT:
        if (!a->in_txn) {
            apply__fail(a, "XX000", "COMMIT without a BEGIN");
            return false;
        }
        if (c->end_lsn == 0) {
            apply__fail(a, "XX000", "COMMIT without an end position");
            return false;
        }
        return txn_commit(a, c);
    case CDC_RELATION:
        return a->in_txn ? txn_change(a, c) : apply__relation(a, c->relation);
    case CDC_INSERT:
    case CDC_UPDATE:
    case CDC_DELETE:
    case CDC_TRUNCATE:
        if (!a->in_txn) {
            apply__fail(a, "XX000", "%s outside a source transaction", cdc_kind_name(c->kind));
            return false;
        }
        return txn_change(a, c);
    default:
        apply__fail(a, "XX000", "unknown change kind %d", (int) c->kind);
        return false;
    }
}

bool cdc_applier_apply(cdc_applier *a, const struct cdc_change *c)
{
    if (a->broken || a->progress_dropped) {
        apply__fail(a, "55000", "the applier cannot apply changes any more (%s)",
                    a->broken ? "its connection failed" : "its progress was dropped");
        return false;
    }
    if (!a->batch_open)
        apply__start_operation(a);
    if (dispatch(a, c) && !a->batch_failed)
        return true;
    abort_batch(a);
    return false;
}

/* ------------------------------------------------------------------ the rest of the API */

void cdc_applier_discard(cdc_applier *a)
{
    if (a->batch_open || a->in_txn)
        log_debug("%s: discarding what is not durable", a->label);
    /* Errors of statements thrown away are not reported (a broken connection still shows). */
    a->error_locked = true;
    abort_batch(a);
}

void cdc_applier_set_waiter(cdc_applier *a, const struct pgpipe_waiter *w)
{
    a->waiter = w ? *w : (struct pgpipe_waiter){0};
}

/*
 * Forgets everything not durable after a lost connection, and closes both
 * sessions (cdc_applier_reconnect opens them anew).
 */
void apply__forget_unflushed(cdc_applier *a)
{
    if (a->pipe) {
        a->error_locked = true;
        abort_batch(a);
    }
    a->error_locked = false;
    apply__discard_groups(a);
    reset_batch(a);
    clear_buffer(a);
    a->in_txn = false;
    a->txn_mode = APPLY_TXN_APPLY;
    a->txn_unverified = false;
    a->caught_up = false;
    apply__free_caches(a);
    pgconn_close(a->conn);
    pgconn_close(a->catalog);
    a->conn = a->catalog = NULL;
    a->npending = 0;
    a->wal_seen = false;
    a->origin_set_up = false;
    a->progress_dropped = false;
    a->broken = true;
    sb_reset(&a->error);
    a->sqlstate[0] = '\0';
}

/*
 * After a lost connection: both sessions anew, with the same configuration,
 * and the position that survived on the target (a crash rolls back what
 * was committed but not flushed). Everything not durable is forgotten; the
 * statements are prepared again on first use.
 */
bool cdc_applier_reconnect(cdc_applier *a)
{
    apply__forget_unflushed(a);
    char *catalog_label = xasprintf("%s catalog", a->label);
    pgconn *failed = NULL;
    if (!pgconn_connect_quiet(&a->conn, a->cfg.conninfo, a->label))
        failed = a->conn;
    else if (!pgconn_connect_quiet(&a->catalog, a->cfg.conninfo, catalog_label))
        failed = a->catalog;
    free(catalog_label);
    if (failed) {
        /* Quietly: the caller retries and logs the outage once. */
        sb_append(&a->error, pgconn_error_message(failed));
        snprintf(a->sqlstate, sizeof(a->sqlstate), "08006");
        return false;
    }
    bool exists = false;
    cdc_lsn pos = 0;
    if (!apply__setup_session(a, a->conn, true) || !apply__setup_session(a, a->catalog, false) ||
        !apply__setup_progress(a) || !cdc_applier_read_position(a, &pos, &exists))
        return false;
    a->broken = false;
    char was[20], now[20];
    cdc_lsn_format(a->durable, was, sizeof(was));
    cdc_lsn_format(pos, now, sizeof(now));
    if (pos < a->durable)
        log_warn("%s: the target kept the changes up to %s only (it had reported %s durable): "
                 "the source sends the rest again",
                 a->label, now, was);
    else
        log_info("%s: reconnected; the target holds the changes up to %s", a->label, now);
    a->durable = a->committed = pos;
    return true;
}

void cdc_applier_close(cdc_applier *a)
{
    if (a == NULL)
        return;
    if (a->pipe) {
        /* A batch not committed is rolled back; its statements' errors no longer matter. */
        a->error_locked = true;
        abort_batch(a);
    }
    clear_buffer(a);
    free(a->buffer);
    apply__free_caches(a);
    pgconn_close(a->conn);
    pgconn_close(a->catalog);
    free(a->newv);
    free(a->oldv);
    free(a->params);
    free(a->key);
    free(a->array_off);
    free(a->array_len);
    free(a->array_fmt);
    free(a->column_vals);
    free(a->open_groups);
    free(a->expect);
    free(a->pending);
    sb_free(&a->arrays);
    sb_free(&a->sql);
    sb_free(&a->error);
    sl_free(&a->truncates);
    free(a->label);
    free(a);
}
