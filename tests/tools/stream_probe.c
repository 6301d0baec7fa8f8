/*
 * stream_probe — runs one change stream (src/cdc/stream.c with the applier
 * of src/cdc/applier.c) from a source database into a target database, for
 * tests/integration/cdc_stream.sh.
 *
 *   STREAM_PROBE_SOURCE=CONNINFO STREAM_PROBE_TARGET=CONNINFO stream_probe OPTION...
 *
 * Conninfos come from the environment so that passwords stay off command
 * lines (ps, test logs). Options:
 *   --slot NAME            the logical slot (required)
 *   --plugin NAME          pgoutput (default) or test_decoding
 *   --publication LIST     pgoutput's publications (default pgs_pub)
 *   --create               create the slot when it does not exist
 *   --origin NAME          the applier's origin / progress key (default: the slot name)
 *   --progress KIND        auto (default), origin or row
 *   --stop LSN             stop once everything up to LSN is applied
 *   --stop-stdin           read stop requests from stdin, one a line: an LSN, or
 *                          "now" (the source's pg_current_wal_flush_lsn())
 *   --report-ms N          a progress line every N ms (default 500)
 *   --batch-txns N, --batch-ms N   the applier's batch limits
 *   --drop-progress        once the stop is reached, drop the origin or progress row
 *   --max-seconds N        cancel after N seconds (a safety net for tests)
 *   --retry-source N       when the stream fails on the source side, connect again and
 *                          stream again with the same applier, N times at most
 *   --check-confirmed      every 250 ms, check that the slot's confirmed_flush_lsn is
 *                          not past the stream's durable position (prints
 *                          "error invariant ..." when it is)
 * Signals: SIGUSR1 stops at the source's current flush LSN (as "now");
 * SIGINT and SIGTERM cancel.
 *
 * Prints one line per event on stdout: slot, position, streaming, progress,
 * stop, result (outcome, positions, applier counters), and on failure
 * "error sqlstate=... message=...". Exit: 0 stop reached, 3 canceled,
 * 1 the stream failed, 2 setup failed, 64 usage.
 */
#include "cdc/applier.h"
#include "cdc/stream.h"
#include "pg/pgconn.h"
#include "pg/replication.h"
#include "probe_common.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct options {
    const char *slot;
    const char *plugin;
    const char *publication;
    const char *origin;
    enum cdc_progress_kind progress;
    bool create;
    uint64_t stop;
    bool stop_stdin;
    int report_ms;
    int batch_txns;
    int batch_ms;
    bool drop_progress;
    double max_seconds;
    bool check_confirmed;
    int retry_source;
};

static volatile sig_atomic_t got_usr1;
static _Atomic bool cancel_flag;

static void on_cancel(int sig)
{
    (void) sig;
    atomic_store(&cancel_flag, true);
}

static void on_usr1(int sig)
{
    (void) sig;
    got_usr1 = 1;
}

/* The watcher thread: stop requests, progress lines, the time limit. */
struct watcher {
    const struct options *opt;
    const char *source;
    cdc_applier *applier;
    struct cdc_stream_progress *progress;
    _Atomic uint64_t *stop_lsn;
    _Atomic bool done;
    pgconn *side; /* owned by the watcher thread; opened on first "now" */
    char line[128];
    size_t linelen;
    bool stdin_open;
    int checks;     /* --check-confirmed: checks made */
    int violations; /* and failed */
};

static void print_progress(const char *what, const struct cdc_stream_progress *p,
                           const cdc_applier *a)
{
    const struct cdc_applier_stats *st = cdc_applier_stats(a);
    printf("%s", what);
    probe_print_lsn(" received=", atomic_load(&p->received_lsn));
    probe_print_lsn(" durable=", atomic_load(&p->durable_lsn));
    probe_print_lsn(" server=", atomic_load(&p->server_lsn));
    printf(" lag_ms=%lld idle=%d streaming=%d txns=%lld changes=%lld inserts=%lld updates=%lld"
           " deletes=%lld truncates=%lld skipped=%lld batches=%lld\n",
           (long long) (atomic_load(&p->lag_us) / 1000), atomic_load(&p->idle) ? 1 : 0,
           atomic_load(&p->streaming) ? 1 : 0, (long long) atomic_load(&st->txns),
           (long long) atomic_load(&st->changes), (long long) atomic_load(&st->inserts),
           (long long) atomic_load(&st->updates), (long long) atomic_load(&st->deletes),
           (long long) atomic_load(&st->truncates), (long long) atomic_load(&st->skipped),
           (long long) atomic_load(&st->batches));
    fflush(stdout);
}

/* The watcher's own connection to the source. */
static bool need_side(struct watcher *w)
{
    if (w->side)
        return true;
    if (pgconn_connect(&w->side, w->source, "probe source side"))
        return true;
    printf("error sqlstate=%s message=watcher: %s\n", pgconn_error_sqlstate(w->side),
           pgconn_error_message(w->side));
    pgconn_close(w->side);
    w->side = NULL;
    return false;
}

/*
 * The slot's confirmed_flush_lsn must never pass what the stream holds
 * durable: read it first, then the published durable position (which the
 * stream publishes before it reports it, and which only grows).
 */
static void check_confirmed(struct watcher *w)
{
    if (!need_side(w))
        return;
    const char *params[] = {w->opt->slot};
    char *value = NULL;
    uint64_t confirmed;
    if (!pgconn_query_value(w->side,
                            "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots"
                            " WHERE slot_name = $1",
                            1, params, &value) ||
        value == NULL || !pgrepl_lsn_parse(value, &confirmed)) {
        free(value);
        return;
    }
    free(value);
    uint64_t durable = atomic_load(&w->progress->durable_lsn);
    /* 0/0: the stream has not started yet and published nothing to compare with. */
    if (durable == 0)
        return;
    w->checks++;
    if (confirmed > durable) {
        w->violations++;
        probe_print_lsn("error invariant: the slot's confirmed_flush_lsn ", confirmed);
        probe_print_lsn(" is past the durable position ", durable);
        putchar('\n');
    }
}

/* The source's current flush position, on the watcher's own connection. */
static bool source_flush_lsn(struct watcher *w, uint64_t *lsn)
{
    if (!need_side(w))
        return false;
    char *value = NULL;
    bool ok = pgconn_query_value(w->side, "SELECT pg_catalog.pg_current_wal_flush_lsn()::text", 0,
                                 NULL, &value) &&
              value && pgrepl_lsn_parse(value, lsn);
    if (!ok)
        printf("error sqlstate=%s message=stop: %s\n", pgconn_error_sqlstate(w->side),
               pgconn_error_message(w->side));
    free(value);
    return ok;
}

static void request_stop(struct watcher *w, uint64_t lsn, const char *how)
{
    atomic_store(w->stop_lsn, lsn);
    probe_print_lsn("stop requested lsn=", lsn);
    printf(" by=%s\n", how);
    fflush(stdout);
}

static void stop_line(struct watcher *w, const char *line)
{
    uint64_t lsn;
    if (strcmp(line, "now") == 0) {
        if (source_flush_lsn(w, &lsn))
            request_stop(w, lsn, "stdin-now");
    } else if (pgrepl_lsn_parse(line, &lsn)) {
        request_stop(w, lsn, "stdin");
    } else if (line[0]) {
        printf("error message=stdin: not an LSN or \"now\": %s\n", line);
    }
}

/* Reads what stdin has without blocking; each complete line is a stop request. */
static void poll_stdin(struct watcher *w)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    while (w->stdin_open && poll(&p, 1, 0) > 0) {
        char c;
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            w->stdin_open = false; /* EOF: the line so far counts */
            c = '\n';
        }
        if (c == '\n' || w->linelen == sizeof(w->line) - 1) {
            w->line[w->linelen] = '\0';
            w->linelen = 0;
            stop_line(w, w->line);
        } else {
            w->line[w->linelen++] = c;
        }
    }
}

static void *watch(void *arg)
{
    struct watcher *w = arg;
    double started = time_now(), last_report = started, last_check = started;
    w->stdin_open = w->opt->stop_stdin;
    while (!atomic_load(&w->done)) {
        if (got_usr1) {
            got_usr1 = 0;
            uint64_t lsn;
            if (source_flush_lsn(w, &lsn))
                request_stop(w, lsn, "signal");
        }
        poll_stdin(w);
        double now = time_now();
        if (w->opt->report_ms > 0 && (now - last_report) * 1000 >= w->opt->report_ms) {
            last_report = now;
            print_progress("progress", w->progress, w->applier);
            if (w->opt->check_confirmed)
                printf("confirmed checks=%d violations=%d\n", w->checks, w->violations);
        }
        if (w->opt->check_confirmed && now - last_check >= 0.25) {
            last_check = now;
            check_confirmed(w);
        }
        if (w->opt->max_seconds > 0 && now - started > w->opt->max_seconds &&
            !atomic_exchange(&cancel_flag, true))
            printf("time limit of %.0f s reached: canceling\n", w->opt->max_seconds);
        time_sleep(0.05);
    }
    pgconn_close(w->side);
    return NULL;
}

static int usage(const char *msg)
{
    fprintf(stderr, "stream_probe: %s\nusage: STREAM_PROBE_SOURCE=... STREAM_PROBE_TARGET=... "
                    "stream_probe --slot NAME [options] (see the source)\n",
            msg);
    return 64;
}

static bool parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--slot") == 0 && v)
            o->slot = v;
        else if (strcmp(a, "--plugin") == 0 && v)
            o->plugin = v;
        else if (strcmp(a, "--publication") == 0 && v)
            o->publication = v;
        else if (strcmp(a, "--origin") == 0 && v)
            o->origin = v;
        else if (strcmp(a, "--progress") == 0 && v) {
            if (strcmp(v, "auto") == 0)
                o->progress = CDC_PROGRESS_AUTO;
            else if (strcmp(v, "origin") == 0)
                o->progress = CDC_PROGRESS_ORIGIN;
            else if (strcmp(v, "row") == 0)
                o->progress = CDC_PROGRESS_TABLE_ROW;
            else
                return false;
        } else if (strcmp(a, "--stop") == 0 && v) {
            if (!pgrepl_lsn_parse(v, &o->stop))
                return false;
        } else if (strcmp(a, "--report-ms") == 0 && v)
            o->report_ms = atoi(v);
        else if (strcmp(a, "--batch-txns") == 0 && v)
            o->batch_txns = atoi(v);
        else if (strcmp(a, "--batch-ms") == 0 && v)
            o->batch_ms = atoi(v);
        else if (strcmp(a, "--retry-source") == 0 && v)
            o->retry_source = atoi(v);
        else if (strcmp(a, "--max-seconds") == 0 && v)
            o->max_seconds = atof(v);
        else {
            takes = false;
            if (strcmp(a, "--create") == 0)
                o->create = true;
            else if (strcmp(a, "--stop-stdin") == 0)
                o->stop_stdin = true;
            else if (strcmp(a, "--drop-progress") == 0)
                o->drop_progress = true;
            else if (strcmp(a, "--check-confirmed") == 0)
                o->check_confirmed = true;
            else
                return false;
        }
        if (takes)
            i++;
    }
    return o->slot != NULL && (strcmp(o->plugin, "pgoutput") == 0 ||
                               strcmp(o->plugin, "test_decoding") == 0);
}

/* The setup's state, freed by close_all. */
struct setup {
    pgrepl *repl;
    pgconn *side;
    cdc_applier *applier;
};

static int setup_failed(const char *what, const char *sqlstate, const char *message)
{
    printf("error step=%s sqlstate=%s message=%s\n", what, sqlstate ? sqlstate : "",
           message ? message : "");
    return 2;
}

/*
 * The slot: reused (waiting until a killed predecessor's walsender let go
 * of it) or created. *from is where an applier without a recorded position
 * starts: the new slot's consistent point or the existing one's
 * confirmed_flush_lsn; *confirmed the latter (0 for a new slot).
 */
static int prepare_slot(struct setup *su, const struct options *o, uint64_t *from,
                        uint64_t *confirmed)
{
    const char *params[] = {o->slot};
    double deadline = time_now() + 20;
    *confirmed = 0;
    for (;;) {
        pgres *r;
        if (!pgconn_query(su->side,
                          "SELECT plugin, confirmed_flush_lsn::text AS confirmed, active"
                          " FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
                          1, params, &r))
            return setup_failed("slot", pgconn_error_sqlstate(su->side),
                                pgconn_error_message(su->side));
        if (pgres_ntuples(r) == 0) {
            pgres_free(r);
            break;
        }
        bool active = pgres_get_bool(r, 0, "active");
        const char *plugin = pgres_getn(r, 0, "plugin");
        const char *lsn = pgres_getn(r, 0, "confirmed"); /* NULL once invalidated (some versions) */
        bool same_plugin = plugin && strcmp(plugin, o->plugin) == 0;
        if (lsn == NULL || !pgrepl_lsn_parse(lsn, confirmed))
            *confirmed = 0;
        pgres_free(r);
        if (!same_plugin)
            return setup_failed("slot", NULL, "the slot exists with another plugin");
        if (!active) {
            *from = *confirmed;
            printf("slot reused name=%s", o->slot);
            probe_print_lsn(" confirmed_flush=", *confirmed);
            putchar('\n');
            return 0;
        }
        if (time_now() > deadline)
            return setup_failed("slot", "55006", "the slot stays active");
        time_sleep(0.2);
    }
    if (!o->create)
        return setup_failed("slot", "42704", "the slot does not exist (use --create)");
    struct pgrepl_slot slot;
    if (!pgrepl_create_slot(su->repl, o->slot, o->plugin, &slot) ||
        !pgrepl_release_snapshot(su->repl))
        return setup_failed("create", pgrepl_error_sqlstate(su->repl),
                            pgrepl_error_message(su->repl));
    *from = slot.consistent_point;
    printf("slot created name=%s", slot.name);
    probe_print_lsn(" consistent_point=", slot.consistent_point);
    putchar('\n');
    return 0;
}

/* Opens the applier (retrying while a killed predecessor's target session holds the origin). */
static int open_applier(struct setup *su, const struct options *o, const char *target)
{
    struct cdc_applier_config cfg = {
        .conninfo = target,
        .label = "probe apply",
        .origin = o->origin ? o->origin : o->slot,
        .progress = o->progress,
        .batch_max_txns = o->batch_txns,
        .batch_max_ms = o->batch_ms,
    };
    double deadline = time_now() + 20;
    for (;;) {
        if (cdc_applier_open(&su->applier, &cfg))
            return 0;
        bool busy = strcmp(cdc_applier_sqlstate(su->applier), "55006") == 0;
        if (!busy || time_now() > deadline)
            return setup_failed("applier", cdc_applier_sqlstate(su->applier),
                                cdc_applier_error(su->applier));
        cdc_applier_close(su->applier);
        su->applier = NULL;
        time_sleep(0.2);
    }
}

static void close_all(struct setup *su)
{
    if (su->applier)
        cdc_applier_close(su->applier);
    pgrepl_close(su->repl);
    pgconn_close(su->side);
}

static int run(const struct options *o, const char *source, const char *target)
{
    struct setup su = {0};
    int rc;
    if (!pgconn_connect(&su.side, source, "probe source side")) {
        rc = setup_failed("connect", pgconn_error_sqlstate(su.side),
                          pgconn_error_message(su.side));
        close_all(&su);
        return rc;
    }
    if (!pgrepl_connect(&su.repl, source, "probe source stream")) {
        rc = setup_failed("connect", pgrepl_error_sqlstate(su.repl),
                          pgrepl_error_message(su.repl));
        close_all(&su);
        return rc;
    }
    uint64_t from = 0, confirmed = 0;
    if ((rc = prepare_slot(&su, o, &from, &confirmed)) != 0 ||
        (rc = open_applier(&su, o, target)) != 0) {
        close_all(&su);
        return rc;
    }
    uint64_t pos = 0;
    bool exists = false;
    if (!cdc_applier_read_position(su.applier, &pos, &exists) ||
        (!exists && !cdc_applier_record_position(su.applier, from))) {
        rc = setup_failed("position", cdc_applier_sqlstate(su.applier),
                          cdc_applier_error(su.applier));
        close_all(&su);
        return rc;
    }
    printf("position %s", exists ? "recorded" : "initial");
    probe_print_lsn(" lsn=", exists ? pos : from);
    probe_print_lsn(" durable=", cdc_applier_durable(su.applier));
    printf(" store=%s\n", cdc_applier_uses_origin(su.applier) ? "origin" : "row");
    if (exists && confirmed > pos) {
        /* Never expected: flush is only ever reported up to the durable position. */
        probe_print_lsn("error message=changes lost: the slot's confirmed_flush_lsn ", confirmed);
        probe_print_lsn(" is past the applied position ", pos);
        putchar('\n');
        close_all(&su);
        return 2;
    }
    pgconn_close(su.side); /* the watcher opens its own */
    su.side = NULL;

    struct cdc_stream_progress progress;
    memset(&progress, 0, sizeof(progress));
    atomic_store(&progress.durable_lsn, cdc_applier_durable(su.applier));
    _Atomic uint64_t stop_lsn = o->stop;
    struct watcher w = {.opt = o,
                        .source = source,
                        .applier = su.applier,
                        .progress = &progress,
                        .stop_lsn = &stop_lsn};
    atomic_store(&w.done, false);
    pthread_t watcher;
    if (pthread_create(&watcher, NULL, watch, &w) != 0) {
        close_all(&su);
        return setup_failed("thread", NULL, strerror(errno));
    }

    struct cdc_stream_config cfg = {
        .repl = su.repl,
        .slot = o->slot,
        .plugin = strcmp(o->plugin, "test_decoding") == 0 ? CDC_PLUGIN_TEST_DECODING
                                                          : CDC_PLUGIN_PGOUTPUT,
        .publications = o->publication,
        .applier = su.applier,
        .start_lsn = cdc_applier_durable(su.applier),
        .cancel = &cancel_flag,
        .stop_lsn = &stop_lsn,
        .progress = &progress,
    };
    struct cdc_stream_result res;
    double t0 = time_now();
    for (int attempt = 1;; attempt++) {
        probe_print_lsn("streaming start=", cfg.start_lsn);
        putchar('\n');
        fflush(stdout);
        cdc_stream_run(&cfg, &res);
        if (res.outcome != CDC_STREAM_FAILED || attempt > o->retry_source || res.error == NULL ||
            strncmp(res.error, "source stream:", 14) != 0)
            break;
        /* Again with the same applier on a new connection, as the engine does after a loss. */
        print_progress("stream lost", &progress, su.applier);
        printf("retry attempt=%d after: %s\n", attempt, res.error);
        cdc_stream_result_free(&res);
        pgrepl_close(su.repl);
        time_sleep(0.5); /* the walsender that held the slot needs a moment to exit */
        if (!pgrepl_connect(&su.repl, source, "probe source stream")) {
            res.outcome = CDC_STREAM_FAILED;
            res.error = xasprintf("source stream: %s", pgrepl_error_message(su.repl));
            res.sqlstate = xstrdup(pgrepl_error_sqlstate(su.repl));
            break;
        }
        cfg.repl = su.repl;
        cfg.start_lsn = cdc_applier_durable(su.applier);
    }
    double secs = time_now() - t0;
    atomic_store(&w.done, true);
    pthread_join(watcher, NULL);

    static const char *const outcomes[] = {"reached", "canceled", "failed"};
    static const int codes[] = {0, 3, 1};
    char what[64];
    snprintf(what, sizeof(what), "result outcome=%s secs=%.1f", outcomes[res.outcome], secs);
    print_progress(what, &progress, su.applier);
    if (o->check_confirmed)
        printf("confirmed checks=%d violations=%d\n", w.checks, w.violations);
    if (res.outcome == CDC_STREAM_FAILED)
        printf("error sqlstate=%s message=%s\n", res.sqlstate ? res.sqlstate : "",
               res.error ? res.error : "");
    rc = codes[res.outcome];
    if (res.outcome == CDC_STREAM_REACHED && o->drop_progress) {
        if (cdc_applier_drop_progress(su.applier)) {
            printf("progress dropped\n");
        } else {
            rc = 1;
            printf("error step=drop-progress sqlstate=%s message=%s\n",
                   cdc_applier_sqlstate(su.applier), cdc_applier_error(su.applier));
        }
    }
    cdc_stream_result_free(&res);
    close_all(&su);
    return rc;
}

int main(int argc, char **argv)
{
    const char *source = getenv("STREAM_PROBE_SOURCE");
    const char *target = getenv("STREAM_PROBE_TARGET");
    struct options o = {.plugin = "pgoutput", .publication = "pgs_pub", .report_ms = 500};
    if (source == NULL || target == NULL)
        return usage("STREAM_PROBE_SOURCE and STREAM_PROBE_TARGET must be set");
    if (!parse_args(argc, argv, &o))
        return usage("bad arguments");
    log_configure(getenv("STREAM_PROBE_DEBUG") ? LOG_DEBUG : LOG_INFO, stderr, false);
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_cancel;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    return run(&o, source, target);
}
