/*
 * replication.c — the walsender side of libpq (see replication.h).
 *
 * The protocol, in the parts used here (big-endian integers):
 *   - commands are sent with the simple query protocol (the walsender does
 *     not take the extended one); CREATE_REPLICATION_SLOT and
 *     IDENTIFY_SYSTEM answer with one row, START_REPLICATION switches the
 *     connection to CopyBoth;
 *   - server → client CopyData: 'w' XLogData = dataStart Int64, walEnd Int64,
 *     sendTime Int64, payload (25-byte header); 'k' keepalive = walEnd Int64,
 *     sendTime Int64, replyRequested Byte1 (18 bytes);
 *   - client → server CopyData: 'r' standby status update = write, flush,
 *     apply Int64, clientTime Int64, replyRequested Byte1 (34 bytes);
 *   - either side ends with CopyDone; the server then completes the command.
 * CREATE_REPLICATION_SLOT's exported snapshot lives until the next command
 * on the connection, so this module tracks that state and refuses commands
 * that would end it by accident.
 */
#include "pg/replication.h"
#include "pg/conninfo.h"
#include "util/bigendian.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Settings the built-in subscriber uses, so that text values read back unambiguously. */
#define REPL_SESSION_OPTIONS "-c datestyle=ISO -c intervalstyle=postgres -c extra_float_digits=3"
/* CREATE_REPLICATION_SLOT waiting longer than this gets a notice. */
#define SLOW_COMMAND_NOTICE_SECS 10

#define XLOGDATA_HEADER_LEN 25
#define KEEPALIVE_LEN       18

enum repl_state {
    REPL_IDLE = 0,      /* ready for a command */
    REPL_SNAPSHOT_HELD, /* after CREATE_REPLICATION_SLOT: the next command ends the snapshot */
    REPL_STREAMING,     /* in CopyBoth after START_REPLICATION */
    REPL_BROKEN,        /* the connection is lost or in an unknown protocol state */
};

struct pgrepl {
    pgconn *pc;   /* owned: errors, label, cancel registry */
    PGconn *conn; /* pc's libpq connection; not owned */
    enum repl_state state;
    bool streamed; /* START_REPLICATION ran on this connection */
    char *copybuf; /* owned (PQfreemem): the last CopyData message received */
};

/* ---------------------------------------------------------------- pure helpers */

void pgrepl_lsn_format(uint64_t lsn, char *buf, size_t buflen)
{
    if (buf == NULL || buflen == 0)
        return;
    snprintf(buf, buflen, "%" PRIX32 "/%" PRIX32, (uint32_t) (lsn >> 32), (uint32_t) lsn);
}

static size_t hex_span(const char *s)
{
    return strspn(s, "0123456789abcdefABCDEF");
}

bool pgrepl_lsn_parse(const char *text, uint64_t *out)
{
    if (text == NULL)
        return false;
    size_t hi_len = hex_span(text);
    if (hi_len < 1 || hi_len > 8 || text[hi_len] != '/')
        return false;
    const char *lo = text + hi_len + 1;
    size_t lo_len = hex_span(lo);
    if (lo_len < 1 || lo_len > 8 || lo[lo_len] != '\0')
        return false;
    if (out)
        *out = (uint64_t) strtoull(text, NULL, 16) << 32 | (uint64_t) strtoull(lo, NULL, 16);
    return true;
}

int64_t pgrepl_time_from_unix_us(int64_t unix_us)
{
    return unix_us - PGREPL_EPOCH_OFFSET_SECS * 1000000;
}

int64_t pgrepl_time_to_unix_us(int64_t pg_us)
{
    return pg_us + PGREPL_EPOCH_OFFSET_SECS * 1000000;
}

int64_t pgrepl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return pgrepl_time_from_unix_us((int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

bool pgrepl_slot_name_valid(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return false;
    size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
    return n <= PGREPL_NAME_MAX && name[n] == '\0';
}

char *pgrepl_create_slot_command(const char *slot, const char *plugin, int server_version)
{
    if (!pgrepl_slot_name_valid(slot) || !pgrepl_slot_name_valid(plugin))
        return NULL;
    /* Names are checked to need no quoting (the 9.x grammar is the oldest we speak). */
    const char *export_clause = "";
    if (server_version >= 150000)
        export_clause = " (SNAPSHOT 'export')";
    else if (server_version >= 100000)
        export_clause = " EXPORT_SNAPSHOT";
    return xasprintf("CREATE_REPLICATION_SLOT %s LOGICAL %s%s", slot, plugin, export_clause);
}

char *pgrepl_start_command(const char *slot, uint64_t start_lsn, const char *options)
{
    if (!pgrepl_slot_name_valid(slot))
        return NULL;
    char lsn[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(start_lsn, lsn, sizeof(lsn));
    bool has_options = options && options[0];
    return xasprintf("START_REPLICATION SLOT %s LOGICAL %s%s%s", slot, lsn, has_options ? " " : "",
                     has_options ? options : "");
}

/* Appends s between quote characters q, doubling any q inside. */
static void append_quoted(strbuf *sb, const char *s, char q)
{
    sb_appendc(sb, q);
    for (; *s; s++) {
        if (*s == q)
            sb_appendc(sb, q);
        sb_appendc(sb, *s);
    }
    sb_appendc(sb, q);
}

char *pgrepl_options_text(const char *const *names, const char *const *values, int n)
{
    if (n <= 0)
        return xstrdup("");
    strbuf sb = STRBUF_INIT;
    sb_appendc(&sb, '(');
    for (int i = 0; i < n; i++) {
        if (i)
            sb_append(&sb, ", ");
        append_quoted(&sb, names[i], '"');
        if (values && values[i]) {
            sb_appendc(&sb, ' ');
            append_quoted(&sb, values[i], '\'');
        }
    }
    sb_appendc(&sb, ')');
    return sb_steal(&sb);
}

bool pgrepl_parse_message(const char *buf, size_t len, struct pgrepl_msg *out, char *err,
                          size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const unsigned char *p = (const unsigned char *) buf;
    if (buf == NULL || len == 0) {
        snprintf(err, errlen, "empty message in the replication stream");
        return false;
    }
    switch (p[0]) {
    case 'w':
        if (len < XLOGDATA_HEADER_LEN) {
            snprintf(err, errlen, "truncated XLogData message (%zu bytes, header is %d)", len,
                     XLOGDATA_HEADER_LEN);
            return false;
        }
        out->kind = PGREPL_XLOGDATA;
        out->data_start = be_load(p + 1, 8);
        out->wal_end = be_load(p + 9, 8);
        out->send_time = (int64_t) be_load(p + 17, 8);
        out->data = buf + XLOGDATA_HEADER_LEN;
        out->len = len - XLOGDATA_HEADER_LEN;
        return true;
    case 'k':
        if (len != KEEPALIVE_LEN) {
            snprintf(err, errlen, "keepalive message of %zu bytes (expected %d)", len,
                     KEEPALIVE_LEN);
            return false;
        }
        out->kind = PGREPL_KEEPALIVE;
        out->wal_end = be_load(p + 1, 8);
        out->send_time = (int64_t) be_load(p + 9, 8);
        out->reply_requested = p[17] != 0;
        return true;
    default:
        snprintf(err, errlen, "unexpected message type 0x%02x in the replication stream", p[0]);
        return false;
    }
}

void pgrepl_build_status(unsigned char out[PGREPL_STATUS_LEN], uint64_t write, uint64_t flush,
                         uint64_t apply, int64_t client_time, bool reply_requested)
{
    out[0] = 'r';
    be_store(out + 1, write, 8);
    be_store(out + 9, flush, 8);
    be_store(out + 17, apply, 8);
    be_store(out + 25, (uint64_t) client_time, 8);
    out[33] = reply_requested ? 1 : 0;
}

/* ---------------------------------------------------------------- errors and state */

static void fail_with(pgrepl *r, const char *sqlstate, const char *what, const char *msg)
{
    pgconn__set_error(r->pc, sqlstate, msg);
    pgconn__log_failure(r->pc, what);
}

/* A libpq-level failure (no server error): the connection is likely gone. */
static void fail_libpq(pgrepl *r, const char *what)
{
    if (PQstatus(r->conn) != CONNECTION_OK)
        r->state = REPL_BROKEN;
    fail_with(r, "08006", what, PQerrorMessage(r->conn));
}

static const char *state_problem(enum repl_state st)
{
    static const char *const problems[] = {
        [REPL_IDLE] = NULL,
        [REPL_SNAPSHOT_HELD] = "the exported snapshot is still held (release it first)",
        [REPL_STREAMING] = "the connection is streaming (end the stream first)",
        [REPL_BROKEN] = "the connection was lost or left the protocol",
    };
    return problems[st];
}

/* Checks that the connection can take a command; records and logs why not. */
static bool require_idle(pgrepl *r, const char *what)
{
    const char *problem = state_problem(r->state);
    if (problem == NULL)
        return true;
    fail_with(r, "55000", what, problem);
    return false;
}

/*
 * Runs one replication command and returns its first result in *out (the
 * caller clears it), checked to have status want. Any further results are
 * read and dropped, except after a COPY result (the stream follows).
 * slow_notice, if not NULL, is logged once when the command runs longer
 * than SLOW_COMMAND_NOTICE_SECS.
 */
static bool run_command(pgrepl *r, const char *cmd, ExecStatusType want, const char *what,
                        const char *slow_notice, PGresult **out)
{
    *out = NULL;
    log_debug("%s: %s", pgconn_label(r->pc), cmd);
    if (!PQsendQuery(r->conn, cmd)) {
        fail_libpq(r, what);
        return false;
    }
    time_t start = time(NULL);
    bool noticed = false;
    while (PQisBusy(r->conn)) {
        struct pollfd p = {.fd = PQsocket(r->conn), .events = POLLIN};
        if (poll(&p, 1, 1000) < 0 && errno != EINTR) {
            fail_with(r, "08006", what, strerror(errno));
            r->state = REPL_BROKEN;
            return false;
        }
        if (!PQconsumeInput(r->conn)) {
            fail_libpq(r, what);
            return false;
        }
        if (slow_notice && !noticed && time(NULL) - start >= SLOW_COMMAND_NOTICE_SECS) {
            log_notice("%s: %s", pgconn_label(r->pc), slow_notice);
            noticed = true;
        }
    }
    PGresult *res = PQgetResult(r->conn);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool is_copy = st == PGRES_COPY_BOTH || st == PGRES_COPY_OUT || st == PGRES_COPY_IN;
    if (!is_copy) {
        PGresult *extra;
        while ((extra = PQgetResult(r->conn)) != NULL)
            PQclear(extra);
    }
    if (st != want) {
        if (res == NULL || st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR)
            pgconn__set_error_from_result(r->pc, res);
        else {
            char msg[128];
            snprintf(msg, sizeof(msg), "unexpected answer %s (expected %s)", PQresStatus(st),
                     PQresStatus(want));
            pgconn__set_error(r->pc, "08P01", msg);
        }
        pgconn__log_failure(r->pc, what);
        log_debug("%s: failed command: %s", pgconn_label(r->pc), cmd);
        if (PQstatus(r->conn) != CONNECTION_OK || is_copy)
            r->state = REPL_BROKEN;
        PQclear(res);
        return false;
    }
    *out = res;
    return true;
}

/* Copies column name of row 0 into dst ("" if NULL or absent). */
static void copy_field(char *dst, size_t dstlen, const PGresult *res, const char *name)
{
    int col = PQfnumber(res, name);
    const char *v = (col >= 0 && !PQgetisnull(res, 0, col)) ? PQgetvalue(res, 0, col) : "";
    snprintf(dst, dstlen, "%s", v);
}

/* ---------------------------------------------------------------- connection */

static bool connect_repl(pgrepl **out, const char *conninfo, const char *label, bool quiet)
{
    pgrepl *r = xcalloc(1, sizeof(*r));
    *out = r;
    /* Our settings go after the user's so they win; libpq reads PGOPTIONS only if we set none. */
    char *user_options = pgconninfo_get(conninfo, "options");
    if (user_options == NULL && getenv("PGOPTIONS"))
        user_options = xstrdup(getenv("PGOPTIONS"));
    char *options = user_options && user_options[0]
                        ? xasprintf("%s %s", user_options, REPL_SESSION_OPTIONS)
                        : xstrdup(REPL_SESSION_OPTIONS);
    const char *keys[] = {"replication", "options", NULL};
    const char *vals[] = {"database", options, NULL};
    bool ok = pgconn__connect_with(&r->pc, conninfo, label, keys, vals, quiet);
    free(user_options);
    free(options);
    r->conn = r->pc ? pgconn__libpq(r->pc) : NULL;
    if (!ok) {
        r->state = REPL_BROKEN;
        return false;
    }
    if (PQserverVersion(r->conn) < 90400) {
        r->state = REPL_BROKEN;
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "logical replication needs PostgreSQL 9.4 or newer (server is %d)",
                 PQserverVersion(r->conn));
        fail_with(r, "0A000", "cannot stream changes", msg);
        return false;
    }
    return true;
}

bool pgrepl_connect(pgrepl **out, const char *conninfo, const char *label)
{
    return connect_repl(out, conninfo, label, false);
}

bool pgrepl_connect_quiet(pgrepl **out, const char *conninfo, const char *label)
{
    return connect_repl(out, conninfo, label, true);
}

void pgrepl_close(pgrepl *r)
{
    if (r == NULL)
        return;
    if (r->copybuf)
        PQfreemem(r->copybuf);
    pgconn_close(r->pc);
    free(r);
}

const char *pgrepl_label(const pgrepl *r)
{
    return pgconn_label(r->pc);
}

int pgrepl_server_version(const pgrepl *r)
{
    return r->pc ? pgconn_server_version(r->pc) : 0;
}

const char *pgrepl_error_message(const pgrepl *r)
{
    return r->pc ? pgconn_error_message(r->pc) : "out of memory";
}

const char *pgrepl_error_sqlstate(const pgrepl *r)
{
    return r->pc ? pgconn_error_sqlstate(r->pc) : "";
}

/* ---------------------------------------------------------------- commands */

bool pgrepl_identify_system(pgrepl *r, struct pgrepl_system *out)
{
    memset(out, 0, sizeof(*out));
    const char *what = "IDENTIFY_SYSTEM failed";
    PGresult *res;
    if (!require_idle(r, what) ||
        !run_command(r, "IDENTIFY_SYSTEM", PGRES_TUPLES_OK, what, NULL, &res))
        return false;
    char systemid[32], timeline[16], xlogpos[PGREPL_LSN_BUFSIZE + 8];
    copy_field(systemid, sizeof(systemid), res, "systemid");
    copy_field(timeline, sizeof(timeline), res, "timeline");
    copy_field(xlogpos, sizeof(xlogpos), res, "xlogpos");
    copy_field(out->dbname, sizeof(out->dbname), res, "dbname");
    bool one_row = PQntuples(res) == 1;
    PQclear(res);
    if (!one_row || !pgrepl_lsn_parse(xlogpos, &out->xlogpos) || systemid[0] == '\0') {
        fail_with(r, "08P01", what, "unexpected IDENTIFY_SYSTEM result");
        return false;
    }
    out->systemid = strtoull(systemid, NULL, 10);
    out->timeline = (uint32_t) strtoul(timeline, NULL, 10);
    return true;
}

bool pgrepl_create_slot(pgrepl *r, const char *slot, const char *plugin, struct pgrepl_slot *out)
{
    memset(out, 0, sizeof(*out));
    char what[128];
    snprintf(what, sizeof(what), "could not create replication slot \"%.63s\"", slot ? slot : "");
    char *cmd = pgrepl_create_slot_command(slot, plugin, PQserverVersion(r->conn));
    if (cmd == NULL) {
        fail_with(r, "42602", what,
                  pgrepl_slot_name_valid(slot)
                      ? "invalid output plugin name"
                      : "invalid slot name (1 to 63 lower-case letters, digits and _)");
        return false;
    }
    char *notice = xasprintf("creating replication slot \"%s\" is waiting for transactions that "
                             "were running on the source to end (long or idle-in-transaction "
                             "sessions hold it up; see pg_stat_activity)",
                             slot);
    PGresult *res = NULL;
    bool ok = require_idle(r, what) && run_command(r, cmd, PGRES_TUPLES_OK, what, notice, &res);
    free(cmd);
    free(notice);
    if (!ok)
        return false;
    char point[PGREPL_LSN_BUFSIZE + 8];
    copy_field(out->name, sizeof(out->name), res, "slot_name");
    copy_field(point, sizeof(point), res, "consistent_point");
    copy_field(out->snapshot, sizeof(out->snapshot), res, "snapshot_name");
    copy_field(out->plugin, sizeof(out->plugin), res, "output_plugin");
    bool one_row = PQntuples(res) == 1;
    PQclear(res);
    if (!one_row || !pgrepl_lsn_parse(point, &out->consistent_point)) {
        fail_with(r, "08P01", what, "unexpected CREATE_REPLICATION_SLOT result");
        return false;
    }
    if (out->plugin[0] == '\0') /* 9.4 names it too, but do not rely on it */
        snprintf(out->plugin, sizeof(out->plugin), "%s", plugin);
    if (out->snapshot[0])
        r->state = REPL_SNAPSHOT_HELD;
    char lsn[PGREPL_LSN_BUFSIZE];
    pgrepl_lsn_format(out->consistent_point, lsn, sizeof(lsn));
    log_debug("%s: created slot %s (%s) at %s, snapshot %s", pgconn_label(r->pc), out->name,
              out->plugin, lsn, out->snapshot[0] ? out->snapshot : "(none)");
    return true;
}

bool pgrepl_release_snapshot(pgrepl *r)
{
    if (r->state != REPL_SNAPSHOT_HELD)
        return true;
    /* Any command ends the exported snapshot (the walsender clears it first thing). */
    r->state = REPL_IDLE;
    PGresult *res;
    if (!run_command(r, "IDENTIFY_SYSTEM", PGRES_TUPLES_OK, "could not release the snapshot", NULL,
                     &res))
        return false;
    PQclear(res);
    return true;
}

bool pgrepl_drop_slot(pgrepl *r, const char *slot, bool wait)
{
    char what[128];
    snprintf(what, sizeof(what), "could not drop replication slot \"%.63s\"", slot ? slot : "");
    if (!pgrepl_slot_name_valid(slot)) {
        fail_with(r, "42602", what, "invalid slot name");
        return false;
    }
    /* Dropping is an explicit end: the command ends any exported snapshot too. */
    if (r->state == REPL_SNAPSHOT_HELD)
        r->state = REPL_IDLE;
    /* WAIT exists from 10 on; before, an active slot always fails. */
    bool with_wait = wait && PQserverVersion(r->conn) >= 100000;
    char *cmd = xasprintf("DROP_REPLICATION_SLOT %s%s", slot, with_wait ? " WAIT" : "");
    PGresult *res = NULL;
    bool ok = require_idle(r, what) && run_command(r, cmd, PGRES_COMMAND_OK, what, NULL, &res);
    free(cmd);
    PQclear(res);
    return ok;
}

bool pgrepl_drop_slot_sql(pgconn *c, const char *slot, bool missing_ok)
{
    const char *params[] = {slot};
    const char *sql = missing_ok ? "SELECT pg_catalog.pg_drop_replication_slot(slot_name) "
                                   "FROM pg_catalog.pg_replication_slots WHERE slot_name = $1"
                                 : "SELECT pg_catalog.pg_drop_replication_slot($1)";
    pgres *res;
    if (!pgconn_query(c, sql, 1, params, &res))
        return false;
    pgres_free(res);
    return true;
}

bool pgrepl_start(pgrepl *r, const char *slot, uint64_t start_lsn, const char *options)
{
    char what[128];
    snprintf(what, sizeof(what), "could not start streaming from slot \"%.63s\"", slot ? slot : "");
    /*
     * The walsender does not reset its end-of-stream flags for a logical
     * START_REPLICATION (10-18 at least): a second stream on the same
     * connection would end at once. A new connection is needed.
     */
    if (r->streamed && r->state == REPL_IDLE) {
        fail_with(r, "55000", what,
                  "this connection already streamed once; logical streaming needs a new "
                  "replication connection each time");
        return false;
    }
    char *cmd = pgrepl_start_command(slot, start_lsn, options);
    if (cmd == NULL) {
        fail_with(r, "42602", what, "invalid slot name");
        return false;
    }
    PGresult *res = NULL;
    bool ok = require_idle(r, what) && run_command(r, cmd, PGRES_COPY_BOTH, what, NULL, &res);
    free(cmd);
    PQclear(res);
    if (ok) {
        r->state = REPL_STREAMING;
        r->streamed = true;
    }
    return ok;
}

/* ---------------------------------------------------------------- the stream */

static void drop_copybuf(pgrepl *r)
{
    if (r->copybuf) {
        PQfreemem(r->copybuf);
        r->copybuf = NULL;
    }
}

/*
 * Reads the results that follow the end of the copy (PQgetCopyData gave -1).
 * If the server sent CopyDone first, answers with ours. True when the
 * command completed without error.
 */
static bool finish_copy(pgrepl *r, const char *what)
{
    bool ok = true;
    PGresult *res;
    while ((res = PQgetResult(r->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_IN) {
            /* The server ended its side; end ours. */
            if (PQputCopyEnd(r->conn, NULL) != 1 || PQflush(r->conn) != 0) {
                PQclear(res);
                fail_libpq(r, what);
                return false;
            }
        } else if (st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            /* Still data to read: ours ended, the server's not yet; discard until it does. */
            char *buf;
            int n;
            while ((n = PQgetCopyData(r->conn, &buf, 0)) > 0)
                PQfreemem(buf);
            if (n == -2) {
                PQclear(res);
                fail_libpq(r, what);
                return false;
            }
        } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && ok) {
            pgconn__set_error_from_result(r->pc, res);
            pgconn__log_failure(r->pc, what);
            ok = false;
        }
        PQclear(res);
    }
    r->state = PQstatus(r->conn) == CONNECTION_OK ? REPL_IDLE : REPL_BROKEN;
    return ok;
}

enum pgrepl_kind pgrepl_receive(pgrepl *r, struct pgrepl_msg *msg)
{
    const char *what = "replication stream failed";
    memset(msg, 0, sizeof(*msg));
    drop_copybuf(r);
    if (r->state != REPL_STREAMING) {
        fail_with(r, "55000", what,
                  r->state == REPL_IDLE ? "the connection is not streaming"
                                        : state_problem(r->state));
        return msg->kind = PGREPL_ERROR;
    }
    char *buf = NULL;
    int n = PQgetCopyData(r->conn, &buf, 1);
    if (n == 0) {
        if (!PQconsumeInput(r->conn)) {
            fail_libpq(r, what);
            return msg->kind = PGREPL_ERROR;
        }
        n = PQgetCopyData(r->conn, &buf, 1);
        if (n == 0)
            return msg->kind = PGREPL_NOTHING;
    }
    if (n == -1)
        return msg->kind = finish_copy(r, what) ? PGREPL_END : PGREPL_ERROR;
    if (n < 0) {
        fail_libpq(r, what);
        return msg->kind = PGREPL_ERROR;
    }
    r->copybuf = buf;
    char err[160];
    if (!pgrepl_parse_message(buf, (size_t) n, msg, err, sizeof(err))) {
        r->state = REPL_BROKEN;
        fail_with(r, "08P01", what, err);
        memset(msg, 0, sizeof(*msg));
        return msg->kind = PGREPL_ERROR;
    }
    return msg->kind;
}

int pgrepl_socket(const pgrepl *r)
{
    return r->conn ? PQsocket(r->conn) : -1;
}

bool pgrepl_wait(pgrepl *r, int timeout_ms)
{
    struct pollfd p = {.fd = pgrepl_socket(r), .events = POLLIN};
    if (p.fd < 0) {
        fail_with(r, "08006", "cannot wait for the replication stream", "no connection");
        return false;
    }
    if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR) {
        fail_with(r, "08006", "cannot wait for the replication stream", strerror(errno));
        return false;
    }
    return true;
}

bool pgrepl_send_status(pgrepl *r, uint64_t write, uint64_t flush, uint64_t apply,
                        bool reply_requested)
{
    const char *what = "could not send a status update";
    if (r->state != REPL_STREAMING) {
        fail_with(r, "55000", what, "the connection is not streaming");
        return false;
    }
    unsigned char msg[PGREPL_STATUS_LEN];
    pgrepl_build_status(msg, write, flush, apply, pgrepl_now(), reply_requested);
    if (PQputCopyData(r->conn, (const char *) msg, (int) sizeof(msg)) != 1 ||
        PQflush(r->conn) != 0) {
        fail_libpq(r, what);
        return false;
    }
    if (log_enabled(LOG_DEBUG)) {
        char w[PGREPL_LSN_BUFSIZE], f[PGREPL_LSN_BUFSIZE], a[PGREPL_LSN_BUFSIZE];
        pgrepl_lsn_format(write, w, sizeof(w));
        pgrepl_lsn_format(flush, f, sizeof(f));
        pgrepl_lsn_format(apply, a, sizeof(a));
        log_debug("%s: status update write %s flush %s apply %s", pgconn_label(r->pc), w, f, a);
    }
    return true;
}

bool pgrepl_end_stream(pgrepl *r, uint64_t write, uint64_t flush, uint64_t apply)
{
    const char *what = "could not end the replication stream";
    drop_copybuf(r);
    if (r->state == REPL_IDLE)
        return true;
    if (r->state != REPL_STREAMING) {
        fail_with(r, "55000", what, state_problem(r->state));
        return false;
    }
    if (!pgrepl_send_status(r, write, flush, apply, false))
        return false;
    if (PQputCopyEnd(r->conn, NULL) != 1 || PQflush(r->conn) != 0) {
        fail_libpq(r, what);
        return false;
    }
    /* The walsender stops sending XLogData once it reads our CopyDone: this ends quickly. */
    return finish_copy(r, what);
}
