/*
 * stream.c — one database's change stream loop (see stream.h).
 *
 * One thread, one replication connection, one applier. Each turn of the
 * loop reads every message the connection has (up to a burst, so that the
 * timers below are looked at even under a steady flow), decodes each one
 * and hands it to the applier; then it commits the applier's batch if the
 * stream went quiet or the batch is due, sends a status update if one is
 * owed, checks the stop conditions, publishes progress, and waits at most
 * WAIT_MS for more input.
 *
 * Positions, and what may be reported:
 *   - received: the highest XLogData dataStart or walEnd, or keepalive
 *     walEnd, seen (the status update's write position);
 *   - server: the highest walEnd seen. In logical mode the walsender
 *     sends every transaction that commits before a position before it
 *     sends a keepalive at or past that position, so once the stream is
 *     quiet (nothing more to read, nothing open or pending in the applier)
 *     everything before the server's position is durable: it may be
 *     recorded as applied, and compared with the stop position;
 *   - durable: cdc_applier_durable(), the only thing ever reported as
 *     flush (and apply): never a position past an unapplied commit.
 */
#include "cdc/stream.h"
#include "cdc/pgoutput.h"
#include "cdc/test_decoding.h"
#include "pg/quote.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest single wait for input: bounds how late cancel, stop and the timers are seen. */
#define WAIT_MS 100
/* Messages read in a row before the batch, timers and flags are looked at again. */
#define READ_BURST 1000
/* Committed batches are made durable after the stream was quiet this long (at a stop at once). */
#define CDC_SYNC_AFTER_MS 100
/* While a stop position is set and the stream is quiet, ask for the server's position this often. */
#define STOP_PING_MS 200
/*
 * While the applier's pipeline waits on the target, keep_alive answers the
 * source; its few other waits (a catalog lookup, the durability sync) do not.
 * A wait at least this long before a lost source connection is named in the
 * error.
 */
#define LONG_TARGET_WAIT_SECS 1.0

struct stream {
    const struct cdc_stream_config *cfg;
    struct cdc_stream_progress *pr;
    struct cdc_stream_result *res;
    cdc_applier *a;
    pgrepl *repl;
    uint64_t received;   /* highest position received: reported as write */
    uint64_t server;     /* highest walEnd seen */
    int64_t send_time;   /* the server's clock in its last message (µs since 2000) */
    uint64_t reported;   /* flush position of the last status update */
    double last_status; /* time_now() of the last status update */
    double last_ping;    /* of the last status update that asked for a keepalive */
    double last_record;  /* of the last idle position record */
    int64_t open_ts;     /* commit time of the open transaction (pgoutput BEGIN), 0 if unknown */
    double target_wait;  /* seconds the last applier call or read burst took (it may wait on
                            the target) */
    double burst_t0;     /* time_now() when the read burst under way began, else 0: bursts
                            are timed whole, as a clock read per message was a quarter of
                            this process's CPU under a backlog */
    double unsynced_since; /* time_now() since when something committed is not durable, or 0 */
    bool reply_due;      /* a keepalive asked for a reply */
    bool source_broken;  /* the replication connection failed: do not try to end the stream */
    bool target_broken;  /* the applier failed: do not flush */
};

/* ---------------------------------------------------------------- pure helpers */

char *cdc_stream_start_options(enum cdc_plugin plugin, const char *publications)
{
    if (plugin == CDC_PLUGIN_TEST_DECODING)
        return xstrdup(cdc_testdec_start_options());
    strlist names = STRLIST_INIT;
    sl_split(&names, publications ? publications : "", ',');
    char *options = NULL;
    if (names.n == 1) {
        options = cdc_pgoutput_start_options(names.items[0]);
    } else if (names.n > 1) {
        /* publication_names is a list of identifiers: quote each one, join with commas. */
        strbuf list = STRBUF_INIT;
        for (size_t i = 0; i < names.n; i++) {
            if (i)
                sb_appendc(&list, ',');
            pgq_ident(&list, names.items[i]);
        }
        const char *const keys[] = {"proto_version", "publication_names"};
        const char *const values[] = {"1", sb_str(&list)};
        options = pgrepl_options_text(keys, values, 2);
        sb_free(&list);
    }
    sl_free(&names);
    return options;
}

bool cdc_stream_slot_lost(const char *message)
{
    static const char *const signs[] = {
        "has been invalidated",                          /* the errdetail, 13+ */
        "cannot read from logical replication slot",     /* 13-15: only for an invalidated slot */
        "can no longer get changes from replication slot", /* 16+ */
    };
    if (message == NULL)
        return false;
    for (size_t i = 0; i < sizeof(signs) / sizeof(signs[0]); i++)
        if (strstr(message, signs[i]))
            return true;
    /* The WAL the slot needed was removed under a running stream. */
    return strstr(message, "requested WAL segment") && strstr(message, "has already been removed");
}

/* ---------------------------------------------------------------- errors */

static void set_result(struct stream *s, enum cdc_stream_outcome outcome, const char *sqlstate,
                       char *error)
{
    struct cdc_stream_result *res = s->res;
    if (res->outcome == CDC_STREAM_FAILED) { /* the first failure wins */
        free(error);
        return;
    }
    res->outcome = outcome;
    free(res->error);
    free(res->sqlstate);
    res->error = error;
    res->sqlstate = sqlstate && sqlstate[0] ? xstrdup(sqlstate) : NULL;
}

/* The replication connection failed in what; its error says why. */
static void fail_source(struct stream *s, const char *what)
{
    const char *msg = pgrepl_error_message(s->repl);
    const char *sqlstate = pgrepl_error_sqlstate(s->repl);
    char *error;
    double in_burst = s->burst_t0 > 0 ? time_now() - s->burst_t0 : 0; /* a wait in this burst */
    if (in_burst > s->target_wait)
        s->target_wait = in_burst;
    if (cdc_stream_slot_lost(msg))
        error = xasprintf("source stream: replication slot \"%s\" was invalidated: the source "
                          "removed WAL the slot still needed because it fell more than "
                          "max_slot_wal_keep_size behind; the changes in that WAL are lost and "
                          "the migration must start over (%s)",
                          s->cfg->slot, msg);
    else if (strncmp(sqlstate, "08", 2) == 0 && s->target_wait >= LONG_TARGET_WAIT_SECS)
        /* The walsender ends a stream that has not answered for wal_sender_timeout. */
        error = xasprintf("source stream: %s: %s (the stream had just waited %.1f s for the "
                          "target; the source ends a stream that does not answer for longer "
                          "than its wal_sender_timeout)",
                          what, msg, s->target_wait);
    else
        error = xasprintf("source stream: %s: %s", what, msg);
    s->source_broken = true;
    set_result(s, CDC_STREAM_FAILED, sqlstate, error);
}

/* The stream is unusable for a reason of our own (no server error). */
static void fail_stream(struct stream *s, const char *sqlstate, char *error)
{
    log_error("%s: %s", pgrepl_label(s->repl), error);
    set_result(s, CDC_STREAM_FAILED, sqlstate, error);
}

/* The applier failed (it logged the error); it names the table and the statement. */
static void fail_target(struct stream *s)
{
    s->target_broken = true;
    set_result(s, CDC_STREAM_FAILED, cdc_applier_sqlstate(s->a),
               xasprintf("target: %s", cdc_applier_error(s->a)));
}

/* ---------------------------------------------------------------- positions and progress */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static bool quiet_applier(const struct stream *s)
{
    return cdc_applier_idle(s->a) && !cdc_applier_in_transaction(s->a);
}

static void publish(struct stream *s)
{
    struct cdc_stream_progress *pr = s->pr;
    bool idle = quiet_applier(s);
    int64_t lag = 0;
    if (!idle) {
        int64_t oldest = cdc_applier_oldest_pending_ts(s->a);
        if (oldest == 0)
            oldest = s->open_ts;
        if (oldest && s->send_time > oldest)
            lag = s->send_time - oldest;
    }
    atomic_store(&pr->received_lsn, s->received);
    atomic_store(&pr->durable_lsn, cdc_applier_durable(s->a));
    atomic_store(&pr->server_lsn, s->server);
    atomic_store(&pr->lag_us, lag);
    atomic_store(&pr->idle, idle);
}

/* Standby status update: write = received, flush = apply = durable; ping asks for a keepalive. */
static bool send_status(struct stream *s, bool ping)
{
    uint64_t durable = cdc_applier_durable(s->a);
    /* Published first, so that a reader never sees a confirmed position past durable_lsn. */
    atomic_store(&s->pr->durable_lsn, durable);
    if (!pgrepl_send_status(s->repl, max_u64(s->received, durable), durable, durable, ping)) {
        fail_source(s, "could not send a status update");
        return false;
    }
    s->reported = durable;
    s->last_status = time_now();
    if (ping)
        s->last_ping = s->last_status;
    s->reply_due = false;
    return true;
}

/* ---------------------------------------------------------------- messages */

static bool decode(const struct stream *s, const struct pgrepl_msg *m, struct cdc_change *c,
                   bool *skip, char *err, size_t errlen)
{
    if (s->cfg->plugin == CDC_PLUGIN_TEST_DECODING)
        return cdc_testdec_decode(m->data, m->len, m->data_start, c, skip, err, errlen);
    return cdc_pgoutput_decode((const uint8_t *) m->data, m->len, m->data_start, c, skip, err,
                               errlen);
}

static bool on_xlogdata(struct stream *s, const struct pgrepl_msg *m)
{
    /* Relation messages (and others) come with dataStart 0: max() keeps the position. */
    s->received = max_u64(s->received, max_u64(m->data_start, m->wal_end));
    s->server = max_u64(s->server, m->wal_end);
    s->send_time = m->send_time;

    struct cdc_change c = {0};
    bool skip = false;
    char err[256];
    if (!decode(s, m, &c, &skip, err, sizeof(err))) {
        char at[PGREPL_LSN_BUFSIZE];
        pgrepl_lsn_format(m->data_start, at, sizeof(at));
        fail_stream(s, "XX000",
                    xasprintf("source stream: cannot decode the %s message at %s: %s",
                              s->cfg->plugin == CDC_PLUGIN_TEST_DECODING ? "test_decoding"
                                                                         : "pgoutput",
                              at, err));
        return false;
    }
    if (skip)
        return true;
    if (c.kind == CDC_BEGIN)
        s->open_ts = c.commit_ts;
    bool is_commit = c.kind == CDC_COMMIT;
    bool ok = cdc_applier_apply(s->a, &c);
    cdc_change_reset(&c);
    if (!ok) {
        fail_target(s);
        return false;
    }
    if (is_commit) {
        s->open_ts = 0;
        /* The COMMIT may have committed the batch: tell the source at once. */
        if (cdc_applier_durable(s->a) != s->reported && !send_status(s, false))
            return false;
    }
    return true;
}

static void on_keepalive(struct stream *s, const struct pgrepl_msg *m)
{
    s->received = max_u64(s->received, m->wal_end);
    s->server = max_u64(s->server, m->wal_end);
    s->send_time = m->send_time;
    if (m->reply_requested)
        s->reply_due = true;
}

/*
 * Reads what the connection has, up to READ_BURST messages. *drained: the
 * connection had nothing more. False when the stream failed.
 */
static bool read_messages(struct stream *s, bool *drained)
{
    *drained = false;
    for (int n = 0; n < READ_BURST; n++) {
        struct pgrepl_msg m;
        switch (pgrepl_receive(s->repl, &m)) {
        case PGREPL_NOTHING:
            *drained = true;
            return true;
        case PGREPL_XLOGDATA:
            if (!on_xlogdata(s, &m))
                return false;
            break;
        case PGREPL_KEEPALIVE:
            on_keepalive(s, &m);
            if (m.reply_requested && !send_status(s, false))
                return false;
            break;
        case PGREPL_END:
            s->source_broken = true; /* nothing left to end */
            fail_stream(s, "08006", xstrdup("source stream: the server ended the stream"));
            return false;
        case PGREPL_ERROR:
            fail_source(s, "replication stream failed");
            return false;
        }
    }
    return true;
}

/* read_messages, timed as a whole (target_wait; fail_source reads the clock itself). */
static bool read_burst(struct stream *s, bool *drained)
{
    s->burst_t0 = time_now();
    bool ok = read_messages(s, drained);
    s->target_wait = time_now() - s->burst_t0;
    s->burst_t0 = 0;
    return ok;
}

/*
 * While the applier waits on the target (a lock, a slow disk, a big batch's
 * COMMIT): the status update stays due every CDC_STATUS_INTERVAL_MS, or the
 * source would end the stream after wal_sender_timeout and send it all again.
 */
static void keep_alive(void *arg)
{
    struct stream *s = arg;
    if (!s->source_broken && (time_now() - s->last_status) * 1000 >= CDC_STATUS_INTERVAL_MS)
        (void) send_status(s, false); /* a failure is recorded; the loop stops at its next read */
}

/* ---------------------------------------------------------------- the loop */

static bool canceled(const struct stream *s)
{
    return s->cfg->cancel && atomic_load(s->cfg->cancel);
}

static uint64_t stop_position(const struct stream *s)
{
    return s->cfg->stop_lsn ? atomic_load(s->cfg->stop_lsn) : 0;
}

/* Records the server's position as applied (only while quiet); durable then follows it. */
static bool record_server_position(struct stream *s)
{
    double t0 = time_now();
    if (!cdc_applier_record_position(s->a, s->server)) {
        fail_target(s);
        return false;
    }
    s->last_record = time_now();
    s->target_wait = s->last_record - t0;
    return true;
}

/* Runs until stopped; the outcome is in s->res (FAILED with its error set on failure). */
static void loop(struct stream *s)
{
    for (;;) {
        if (canceled(s)) {
            set_result(s, CDC_STREAM_CANCELED, NULL, NULL);
            return;
        }
        bool drained;
        if (!read_burst(s, &drained))
            return;
        publish(s); /* before a commit that may wait on the target: lag shows meanwhile */

        /* Whole source transactions only: the applier cannot commit half of one. */
        double now = time_now();
        /*
         * A quiet stream commits at once, but no more often than every
         * CDC_MIN_BATCH_MS: under a steady load the stream drains between
         * every few transactions, and a commit (with its flush) each time
         * cost the source a tenth of its throughput.
         */
        bool pending = !cdc_applier_in_transaction(s->a) && !cdc_applier_idle(s->a);
        if (pending && ((drained && cdc_applier_batch_age_ms(s->a) >= CDC_MIN_BATCH_MS) ||
                        cdc_applier_due(s->a) || stop_position(s))) {
            if (!cdc_applier_flush(s->a)) {
                fail_target(s);
                return;
            }
            s->target_wait = time_now() - now;
            now = time_now();
        }
        bool quiet = drained && quiet_applier(s);
        /* Committed but not known to be on the target's disk: flush it when the stream is
           quiet for a while, or at a stop (the walwriter usually gets there first). */
        if (cdc_applier_durable(s->a) >= cdc_applier_committed(s->a))
            s->unsynced_since = 0;
        else if (s->unsynced_since == 0)
            s->unsynced_since = now;
        if (quiet && s->unsynced_since &&
            (stop_position(s) || (now - s->unsynced_since) * 1000 >= CDC_SYNC_AFTER_MS)) {
            if (!cdc_applier_sync(s->a)) {
                fail_target(s);
                return;
            }
            s->unsynced_since = 0;
        }
        uint64_t durable = cdc_applier_durable(s->a);
        if (quiet && s->server > cdc_applier_committed(s->a) &&
            (now - s->last_record) * 1000 >= CDC_IDLE_RECORD_MS) {
            if (!record_server_position(s))
                return;
            durable = cdc_applier_durable(s->a);
        }

        uint64_t stop = stop_position(s);
        if (stop && durable >= stop) {
            set_result(s, CDC_STREAM_REACHED, NULL, NULL);
            return;
        }
        if (stop && quiet && s->server >= stop) {
            /* Everything before the server's position is durable: say so on the target too. */
            if (s->server > cdc_applier_committed(s->a) && !record_server_position(s))
                return;
            set_result(s, CDC_STREAM_REACHED, NULL, NULL);
            return;
        }

        /* Status: owed after a commit or a request, due by the clock; ping when quiet. */
        bool ping = quiet && (now - s->last_ping) * 1000 >=
                                 (stop ? STOP_PING_MS : CDC_STATUS_INTERVAL_MS);
        if ((s->reply_due || durable != s->reported || ping ||
             (now - s->last_status) * 1000 >= CDC_STATUS_INTERVAL_MS) &&
            !send_status(s, ping))
            return;

        publish(s);
        int wait_ms = WAIT_MS;
        if (!cdc_applier_in_transaction(s->a) && !cdc_applier_idle(s->a)) {
            double left = CDC_MIN_BATCH_MS - cdc_applier_batch_age_ms(s->a);
            wait_ms = left < 1 ? 1 : left < WAIT_MS ? (int) left + 1 : WAIT_MS;
        }
        if (drained && !pgrepl_wait(s->repl, wait_ms)) {
            fail_source(s, "cannot wait for the replication stream");
            return;
        }
    }
}

/*
 * At the end: commit what is complete, tell the source, end the stream. A
 * transaction cut short can never complete on this connection: it is
 * discarded, so the applier is idle when the stream returns.
 */
static void finish(struct stream *s)
{
    if (!s->target_broken && !cdc_applier_in_transaction(s->a) && !cdc_applier_idle(s->a) &&
        !cdc_applier_flush(s->a))
        fail_target(s);
    if (!cdc_applier_idle(s->a))
        cdc_applier_discard(s->a);
    if (!s->target_broken && !cdc_applier_sync(s->a))
        fail_target(s);
    uint64_t durable = cdc_applier_durable(s->a);
    if (!s->source_broken &&
        !pgrepl_end_stream(s->repl, max_u64(s->received, durable), durable, durable))
        /* What is durable stays durable; the slot learns it on the next start. */
        log_warn("%s: the stream did not end cleanly: %s", pgrepl_label(s->repl),
                 pgrepl_error_message(s->repl));
    publish(s);
    atomic_store(&s->pr->streaming, false);
}

void cdc_stream_run(const struct cdc_stream_config *cfg, struct cdc_stream_result *res)
{
    memset(res, 0, sizeof(*res));
    struct cdc_stream_progress local;
    struct stream s = {
        .cfg = cfg,
        .pr = cfg->progress ? cfg->progress : &local,
        .res = res,
        .a = cfg->applier,
        .repl = cfg->repl,
    };
    memset(&local, 0, sizeof(local));
    atomic_store(&s.pr->streaming, false);
    /* What an earlier stream left undone comes again from the server. */
    cdc_applier_discard(s.a);
    uint64_t durable = cdc_applier_durable(s.a);
    s.received = max_u64(cfg->start_lsn, durable);
    s.reported = durable;
    publish(&s);

    char *options = cdc_stream_start_options(cfg->plugin, cfg->publications);
    if (options == NULL) {
        fail_stream(&s, "22023", xstrdup("source stream: no publication to stream from"));
        return;
    }
    bool started = pgrepl_start(s.repl, cfg->slot, cfg->start_lsn, options);
    free(options);
    if (!started) {
        char what[128];
        snprintf(what, sizeof(what), "could not start streaming from slot \"%.63s\"",
                 cfg->slot ? cfg->slot : "");
        fail_source(&s, what);
        return;
    }
    char at[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(cfg->start_lsn, at, sizeof(at));
    log_debug("%s: streaming slot %s from %s", pgrepl_label(s.repl), cfg->slot, at);
    atomic_store(&s.pr->streaming, true);
    if (cfg->on_start)
        cfg->on_start(cfg->on_start_arg);
    s.last_status = s.last_ping = s.last_record = time_now();

    struct pgpipe_waiter waiter = {.tick = keep_alive, .arg = &s, .interval_ms = WAIT_MS};
    cdc_applier_set_waiter(s.a, &waiter);
    loop(&s);
    finish(&s);
    cdc_applier_set_waiter(s.a, NULL);
}

void cdc_stream_result_free(struct cdc_stream_result *res)
{
    if (res == NULL)
        return;
    free(res->error);
    free(res->sqlstate);
    res->error = NULL;
    res->sqlstate = NULL;
}
