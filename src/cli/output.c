/*
 * output.c — event sinks for the terminal and for JSON lines, and the live
 * progress display (see output.h).
 */
#include "cli/output.h"
#include "model/event_json.h"
#include "model/progress.h"
#include "model/readiness.h"
#include "model/state_json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_output {
    bool json;
    bool live;
    struct event_sink sink;
    pthread_mutex_t lock;
    struct engine_run *run;
    pthread_t display;
    bool display_running;
    _Atomic bool display_stop;
    int drawn_lines;           /* lines of the display currently on screen */
    bool hinted;               /* the cutover hint was logged */
    bool read_terminal;        /* `cutover` typed on the terminal is read */
    struct rate_meter *meters; /* one per database */
    double *stream_logged;     /* per database: when a streaming line was last logged */
};

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        free(s);
    }
}

static void emit_json(struct cli_output *out, const struct event *ev)
{
    char ts[40];
    time_format_iso(time_wall(), ts, sizeof(ts));
    struct event_json_meta meta = {.time = ts, .pid = (int64_t) getpid()};
    json_t *o = event_to_json(ev, &meta);
    print_json(o);
    json_decref(o);
}

/*
 * "db NAME: " before an event's line, unless the log context of the thread
 * that emits it already names the database (it prints "[db=NAME]").
 */
static void where_prefix(const char *db, char *where, size_t len)
{
    where[0] = '\0';
    if (db == NULL)
        return;
    const char *ctx = log_get_context();
    size_t n = strlen(db);
    if (ctx && strncmp(ctx, "db=", 3) == 0 && strncmp(ctx + 3, db, n) == 0 &&
        (ctx[3 + n] == '\0' || ctx[3 + n] == ' '))
        return;
    snprintf(where, len, "db %s: ", db);
}

/* Once, when the migration starts waiting: how to cut over without a terminal. */
static void log_cutover_hint(const struct cli_output *out)
{
    if (out->run == NULL || out->run->spec->cutover_auto)
        return;
    int pid = (int) getpid();
    log_info("waiting for cutover: run `kill -USR1 %d` to cut over (`kill -TERM %d` cancels)%s",
             pid, pid, out->read_terminal ? "; or type cutover and Enter here" : "");
}

static void emit_text(struct cli_output *out, const struct event *ev)
{
    const char *db = ev->database;
    char where[300];
    where_prefix(db, where, sizeof(where));
    switch (ev->kind) {
    case EV_STATUS:
        if (db == NULL) {
            log_info("status: %s / %s", mig_status_name(ev->status),
                     mig_substatus_name(ev->substatus));
            if (ev->status == MIG_WAITING_FOR_USER && ev->substatus == SUB_WAITING_FOR_CUTOVER &&
                !out->live && !out->hinted) {
                out->hinted = true;
                log_cutover_hint(out);
            }
        }
        break;
    case EV_PHASE:
        log_info("%s%s", where, ev->message);
        break;
    case EV_TABLE_COPIED:
        if (!out->live) {
            char size[32], rows[32];
            progress_format_bytes(ev->bytes, size, sizeof(size));
            progress_format_count(ev->rows, rows, sizeof(rows));
            log_info("%scopied %s: %s rows, %s in %.1fs (%s)", where, ev->object, rows, size,
                     ev->seconds, ev->message ? ev->message : "");
        }
        break;
    case EV_LARGE_OBJECTS_COPIED:
        if (!out->live) {
            char size[32];
            progress_format_bytes(ev->bytes, size, sizeof(size));
            log_info("%scopied %lld large object%s: %s in %.1fs", where, (long long) ev->rows,
                     ev->rows == 1 ? "" : "s", size, ev->seconds);
        }
        break;
    case EV_INDEX_BUILT:
        if (!out->live)
            log_info("%sbuilt %s%s in %.1fs", where, ev->message ? "constraint " : "index ",
                     ev->object, ev->seconds);
        break;
    case EV_WARNING:
        log_warn("%s%s", where, ev->message);
        break;
    case EV_ERROR:
        if (ev->sqlstate && ev->sqlstate[0])
            log_error("%s%s (SQLSTATE %s)", where, ev->message, ev->sqlstate);
        else
            log_error("%s%s", where, ev->message);
        break;
    case EV_CHECK: {
        const char *scope = ev->database ? ev->database : "instance";
        if (ev->check_status == CHECK_FAILED)
            log_error("check failed [%s] %s: %s%s%s", scope, ev->object, ev->message,
                      ev->remediation ? " — to fix: " : "", ev->remediation ? ev->remediation : "");
        else if (ev->check_status == CHECK_WARNING)
            log_warn("check warning [%s] %s: %s%s%s", scope, ev->object, ev->message,
                     ev->remediation ? " — to fix: " : "", ev->remediation ? ev->remediation : "");
        else
            log_info("check passed [%s] %s: %s", scope, ev->object, ev->message);
        break;
    }
    case EV_STREAMING: {
        /* Every 10 s per database in the log; the live display shows it all the time. */
        int i = 0;
        while (i < out->run->ndbs && strcmp(out->run->dbs[i]->name, db) != 0)
            i++;
        double now = time_now();
        if (out->live || i == out->run->ndbs || now - out->stream_logged[i] < 10.0 ||
            ev->waiting_for)
            break;
        out->stream_logged[i] = now;
        char lag[32];
        progress_format_bytes(ev->lag_bytes, lag, sizeof(lag));
        log_info("%sstreaming: lag %.2f s, %s; %lld changes in %lld transactions applied", where,
                 ev->lag_seconds, lag, (long long) ev->changes, (long long) ev->transactions);
        break;
    }
    case EV_DATABASE_DONE: {
        char size[32], rows[32];
        progress_format_bytes(ev->bytes, size, sizeof(size));
        progress_format_count(ev->rows, rows, sizeof(rows));
        log_info("%s%s: %d table%s, %s rows, %s in %.1fs", where, mig_status_name(ev->status),
                 ev->tables, ev->tables == 1 ? "" : "s", rows, size, ev->seconds);
        break;
    }
    default:
        break;
    }
}

static void sink_emit(void *ctx, const struct event *ev)
{
    struct cli_output *out = ctx;
    if (out->json) {
        pthread_mutex_lock(&out->lock);
        emit_json(out, ev);
        pthread_mutex_unlock(&out->lock);
    } else
        emit_text(out, ev); /* the log has its own lock */
}

/* ---- live display ------------------------------------------------------ */

static void format_db_line(struct cli_output *out, int i, strbuf *sb)
{
    struct db_progress *p = out->run->dbs[i];
    int st = atomic_load(&p->status), sub = atomic_load(&p->substatus);
    sb_printf(sb, "  %-20.20s ", p->name);
    if (atomic_load(&p->started_ms) == 0) {
        sb_append(sb, "waiting");
        return;
    }
    if (atomic_load(&p->streaming) && st != MIG_SUCCEEDED && st != MIG_FAILED &&
        st != MIG_CANCELED) {
        char lag[32];
        progress_format_bytes(atomic_load(&p->lag_bytes), lag, sizeof(lag));
        const char *waiting = atomic_load(&p->waiting_for);
        if (waiting) {
            sb_printf(sb, "%s | reconnecting to the %s | %lld changes in %lld transactions applied",
                      mig_substatus_name((enum mig_substatus) sub), waiting,
                      (long long) atomic_load(&p->changes_applied),
                      (long long) atomic_load(&p->txns_applied));
            return;
        }
        sb_printf(sb, "%s | streaming: lag %.2f s, %s | %lld changes in %lld transactions applied",
                  mig_substatus_name((enum mig_substatus) sub),
                  (double) atomic_load(&p->lag_ms) / 1000.0, lag,
                  (long long) atomic_load(&p->changes_applied),
                  (long long) atomic_load(&p->txns_applied));
        return;
    }
    if (st != MIG_IN_PROGRESS) {
        char dur[32], size[32], rows[32];
        int64_t finished = atomic_load(&p->finished_ms);
        time_format_duration(finished ? (double) (finished - atomic_load(&p->started_ms)) / 1000.0
                                      : 0,
                             dur, sizeof(dur));
        progress_format_bytes(atomic_load(&p->bytes_copied), size, sizeof(size));
        progress_format_count(atomic_load(&p->rows_copied), rows, sizeof(rows));
        sb_printf(sb, "%s in %s | tables %d | %s rows | %s", mig_status_name((enum mig_status) st),
                  dur, atomic_load(&p->tables_copied), rows, size);
        return;
    }
    if (!atomic_load(&p->planned)) {
        /* Nothing counted yet: the schema is being copied and the tables listed. */
        sb_append(sb, mig_substatus_name((enum mig_substatus) sub));
        sb_append(sb, " | preparing the copy");
        return;
    }
    int64_t done = db_progress_bytes_done(p), total = atomic_load(&p->bytes_total);
    rate_meter_sample(&out->meters[i], time_now(), done);
    char dbytes[32], tbytes[32], rate[32], eta[32], rows[32];
    progress_format_count(atomic_load(&p->rows_copied), rows, sizeof(rows));
    progress_format_bytes(done, dbytes, sizeof(dbytes));
    progress_format_bytes(total, tbytes, sizeof(tbytes));
    progress_format_bytes((int64_t) out->meters[i].rate, rate, sizeof(rate));
    time_format_duration(progress_eta(done, total, out->meters[i].rate), eta, sizeof(eta));
    sb_printf(sb,
              "%s | tables %d/%d (%d copying, %d queued) | %s rows | %s / %s | %s/s | "
              "ETA %s | indexes %d/%d",
              mig_substatus_name((enum mig_substatus) sub), atomic_load(&p->tables_copied),
              atomic_load(&p->tables_total), atomic_load(&p->tables_copying),
              db_progress_tables_queued(p), rows, dbytes, tbytes, rate,
              atomic_load(&p->tables_copied) == atomic_load(&p->tables_total) ? "-" : eta,
              atomic_load(&p->indexes_built), atomic_load(&p->indexes_total));
}

/* Online: " | ready for cutover in ~T" (model/readiness.h) when the time is known. */
static void append_readiness(struct cli_output *out, strbuf *sb)
{
    int n = out->run->ndbs;
    struct db_progress_snapshot *snaps = xcalloc((size_t) n + 1, sizeof(*snaps));
    struct readiness_db *ready = xcalloc((size_t) n + 1, sizeof(*ready));
    for (int i = 0; i < n; i++)
        db_progress_snapshot_take(out->run->dbs[i], &snaps[i]);
    double eta = readiness_estimate(snaps, (size_t) n, time_wall(), ready);
    if (eta > 0) {
        char t[32];
        time_format_duration(eta, t, sizeof(t));
        sb_printf(sb, " | ready for cutover in ~%s", t);
    }
    for (int i = 0; i < n; i++)
        db_progress_snapshot_free(&snaps[i]);
    free(snaps);
    free(ready);
}

/* Erases the display; the caller holds out->lock. */
static void clear_display(struct cli_output *out)
{
    for (int i = 0; i < out->drawn_lines; i++)
        fputs("\033[1A\033[2K", stderr);
    out->drawn_lines = 0;
}

static void draw_display(struct cli_output *out)
{
    strbuf sb = STRBUF_INIT;
    struct migration_state st;
    engine_run_state(out->run, &st);
    char elapsed[32];
    time_format_duration(st.started_wall > 0 ? time_wall() - st.started_wall : 0, elapsed,
                         sizeof(elapsed));
    sb_printf(&sb, "pgshuttle %s migration: %s / %s (elapsed %s)",
              mig_mode_word(out->run->spec->mode), mig_status_name(st.status),
              mig_substatus_name(st.substatus), elapsed);
    if (out->run->spec->mode == MODE_ONLINE && st.status == MIG_IN_PROGRESS)
        append_readiness(out, &sb);
    sb_appendc(&sb, '\n');
    for (int i = 0; i < out->run->ndbs; i++) {
        format_db_line(out, i, &sb);
        sb_appendc(&sb, '\n');
    }
    out->drawn_lines = out->run->ndbs + 1;
    if (st.status == MIG_WAITING_FOR_USER && !out->run->spec->cutover_auto) {
        if (out->read_terminal)
            sb_printf(&sb,
                      "Type cutover and Enter (or kill -USR1 %d) to cut over; Ctrl-C cancels.\n",
                      (int) getpid());
        else
            sb_printf(&sb, "Run kill -USR1 %d to cut over; kill -TERM %d cancels.\n",
                      (int) getpid(), (int) getpid());
        out->drawn_lines++;
    }
    fputs(sb_str(&sb), stderr);
    fflush(stderr);
    sb_free(&sb);
    migration_state_free(&st);
}

/* Log lines go above the display: erase it, print, redraw. Called under the log lock. */
static void live_log_writer(enum log_level level, const char *line, void *ctx)
{
    struct cli_output *out = ctx;
    pthread_mutex_lock(&out->lock);
    clear_display(out);
    fprintf(stderr, "%s\n", line);
    if (out->run && out->display_running)
        draw_display(out);
    pthread_mutex_unlock(&out->lock);
}

static void *display_main(void *arg)
{
    struct cli_output *out = arg;
    while (!atomic_load(&out->display_stop)) {
        pthread_mutex_lock(&out->lock);
        clear_display(out);
        draw_display(out);
        pthread_mutex_unlock(&out->lock);
        time_sleep(0.25);
    }
    return NULL;
}

struct cli_output *cli_output_new(bool json, bool live, bool reads_terminal)
{
    struct cli_output *out = xcalloc(1, sizeof(*out));
    out->json = json;
    out->live = live && !json;
    out->read_terminal = reads_terminal;
    out->sink.emit = sink_emit;
    out->sink.ctx = out;
    pthread_mutex_init(&out->lock, NULL);
    return out;
}

const struct event_sink *cli_output_sink(struct cli_output *out)
{
    return &out->sink;
}

void cli_output_attach(struct cli_output *out, struct engine_run *run)
{
    out->run = run;
    out->meters = xcalloc((size_t) run->ndbs + 1, sizeof(struct rate_meter));
    out->stream_logged = xcalloc((size_t) run->ndbs + 1, sizeof(double));
    if (!out->live)
        return;
    /* Only warnings and errors interrupt the display; the display shows the rest. */
    log_configure(LOG_WARN, stderr, false);
    log_set_writer(live_log_writer, out);
    out->display_running = true;
    pthread_create(&out->display, NULL, display_main, out);
}

void cli_output_detach(struct cli_output *out)
{
    if (!out->display_running)
        return;
    atomic_store(&out->display_stop, true);
    pthread_join(out->display, NULL);
    pthread_mutex_lock(&out->lock);
    out->display_running = false;
    clear_display(out);
    draw_display(out);
    out->drawn_lines = 0;
    pthread_mutex_unlock(&out->lock);
    log_set_writer(NULL, NULL);
    log_configure(LOG_INFO, stderr, false);
}

/* The "result" line: the state's result form after "event". */
static void print_result_json(struct cli_output *out, const struct engine_run *run,
                              const struct migration_state *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string("result"));
    json_t *state = migration_state_to_json(
        st, run->spec->mode == MODE_ONLINE ? SNAPSHOT_JSON_RESULT_ONLINE : SNAPSHOT_JSON_RESULT);
    json_object_update(o, state);
    json_decref(state);
    pthread_mutex_lock(&out->lock);
    print_json(o);
    pthread_mutex_unlock(&out->lock);
    json_decref(o);
}

/* The summary for people, on stderr. */
static void print_result_text(const struct migration_state *st)
{
    char dur[32];
    time_format_duration(st->finished_wall - st->started_wall, dur, sizeof(dur));
    int64_t rows = 0, bytes = 0;
    int tables = 0;
    for (size_t i = 0; i < st->ndbs; i++) {
        tables += st->dbs[i].tables_copied;
        rows += st->dbs[i].rows_copied;
        bytes += st->dbs[i].bytes_copied;
    }
    char size[32], nrows[32];
    progress_format_bytes(bytes, size, sizeof(size));
    progress_format_count(rows, nrows, sizeof(nrows));
    int ndbs = (int) st->ndbs;
    if (tables == 0)
        fprintf(stderr, "%s after %s", mig_status_name(st->status), dur);
    else
        fprintf(stderr, "%s: %d database%s, %d table%s, %s rows, %s in %s",
                mig_status_name(st->status), ndbs, ndbs == 1 ? "" : "s", tables,
                tables == 1 ? "" : "s", nrows, size, dur);
    fputc('\n', stderr);
    if (st->error)
        fprintf(stderr, "error%s%s: %s\n", st->error_database ? " in database " : "",
                st->error_database ? st->error_database : "", st->error);
    if (st->warnings.n)
        fprintf(stderr, "%zu warning(s) above.\n", st->warnings.n);
}

void cli_output_result(struct cli_output *out, struct engine_run *run)
{
    struct migration_state st;
    engine_run_state(run, &st);
    if (out->json)
        print_result_json(out, run, &st);
    else
        print_result_text(&st);
    migration_state_free(&st);
}

void cli_output_free(struct cli_output *out)
{
    if (out == NULL)
        return;
    pthread_mutex_destroy(&out->lock);
    free(out->meters);
    free(out->stream_logged);
    free(out);
}
