/*
 * repl_probe — drives src/pg/replication.c against a real server, one step
 * per argument, for tests/integration/replication_stream.sh.
 *
 *   REPL_PROBE_CONNINFO=CONNINFO repl_probe STEP...
 *
 * The conninfo comes from the environment so that its password stays off
 * command lines (ps, test logs).
 * Steps (fields after the name are separated by ':'; the last field of sql,
 * query, snapshot-query and start may itself contain ':'):
 *   identify                   IDENTIFY_SYSTEM
 *   create:SLOT:PLUGIN         create a slot; its snapshot stays held
 *   sql:SQL / query:SQL        run SQL on a normal side connection (query prints the value)
 *   snapshot-query:SQL         on a new normal connection, import the held snapshot
 *                              (REPEATABLE READ, SET TRANSACTION SNAPSHOT) and print SQL's value
 *   release                    release the exported snapshot
 *   start:SLOT:LSN[:OPTIONS]   START_REPLICATION (LSN like 0/0)
 *   stream:N:SECS              receive until N XLogData messages or SECS seconds passed;
 *                              answers keepalives that ask for a reply
 *   noreply:SECS               receive for SECS seconds without ever answering
 *   feedback                   report write = flush = apply = the highest dataStart seen
 *   confirmed:SLOT             wait (5 s at most) for the slot's confirmed_flush_lsn to reach
 *                              the reported flush, print it
 *   end                        end the stream cleanly
 *   drop:SLOT / dropsql:SLOT   drop over the replication / a normal connection
 *   sleep:SECS
 *
 * Prints one line per event on stdout. A failing step prints
 * "error step=... sqlstate=... message=..." and exits 2; usage errors exit 64.
 */
#include "pg/pgconn.h"
#include "pg/replication.h"
#include "probe_common.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe {
    const char *conninfo;
    pgrepl *repl; /* owned */
    pgconn *side; /* owned; opened on first use */
    char snapshot[PGREPL_NAME_MAX + 1];
    uint64_t received; /* highest position seen in XLogData */
    uint64_t fed;      /* highest dataStart seen: what feedback reports */
    uint64_t reported; /* the flush position last reported */
};

/* Prints the payload with printable ASCII as is, the rest as \xNN. */
static void print_payload(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) data[i];
        if (c == '\\')
            fputs("\\\\", stdout);
        else if (c >= 0x20 && c < 0x7f)
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

static bool repl_failed(struct probe *p, const char *step)
{
    printf("error step=%s sqlstate=%s message=%s\n", step, pgrepl_error_sqlstate(p->repl),
           pgrepl_error_message(p->repl));
    return false;
}

static bool side_failed(pgconn *c, const char *step)
{
    printf("error step=%s sqlstate=%s message=%s\n", step, pgconn_error_sqlstate(c),
           pgconn_error_message(c));
    return false;
}

static bool need_repl(struct probe *p)
{
    if (p->repl)
        return true;
    if (!pgrepl_connect(&p->repl, p->conninfo, "probe replication"))
        return repl_failed(p, "connect");
    return true;
}

static bool need_side(struct probe *p)
{
    if (p->side)
        return true;
    if (!pgconn_connect(&p->side, p->conninfo, "probe side"))
        return side_failed(p->side, "connect-side");
    return true;
}

static bool step_identify(struct probe *p, char **f, int nf)
{
    struct pgrepl_system sys;
    if (!need_repl(p))
        return false;
    if (!pgrepl_identify_system(p->repl, &sys))
        return repl_failed(p, "identify");
    printf("identify systemid=%llu timeline=%u", (unsigned long long) sys.systemid, sys.timeline);
    probe_print_lsn(" xlogpos=", sys.xlogpos);
    printf(" dbname=%s server_version=%d\n", sys.dbname, pgrepl_server_version(p->repl));
    return true;
}

static bool step_create(struct probe *p, char **f, int nf)
{
    struct pgrepl_slot slot;
    if (nf < 3)
        return false;
    if (!need_repl(p))
        return false;
    if (!pgrepl_create_slot(p->repl, f[1], f[2], &slot))
        return repl_failed(p, "create");
    snprintf(p->snapshot, sizeof(p->snapshot), "%s", slot.snapshot);
    printf("slot name=%s plugin=%s", slot.name, slot.plugin);
    probe_print_lsn(" consistent_point=", slot.consistent_point);
    printf(" snapshot=%s\n", slot.snapshot[0] ? slot.snapshot : "(none)");
    return true;
}

static bool step_sql(struct probe *p, char **f, int nf)
{
    if (nf < 2 || !need_side(p))
        return false;
    if (!pgconn_exec(p->side, f[1]))
        return side_failed(p->side, "sql");
    printf("sql ok\n");
    return true;
}

static bool step_query(struct probe *p, char **f, int nf)
{
    char *value;
    if (nf < 2 || !need_side(p))
        return false;
    if (!pgconn_query_value(p->side, f[1], 0, NULL, &value))
        return side_failed(p->side, "query");
    printf("query %s\n", value ? value : "(null)");
    free(value);
    return true;
}

static bool step_snapshot_query(struct probe *p, char **f, int nf)
{
    if (nf < 2)
        return false;
    /* A snapshot name is hex digits and dashes; check before it goes into a statement. */
    if (p->snapshot[0] == '\0' ||
        p->snapshot[strspn(p->snapshot, "0123456789ABCDEFabcdef-")] != '\0') {
        printf("error step=snapshot-query message=no usable snapshot name \"%s\"\n", p->snapshot);
        return false;
    }
    pgconn *c;
    if (!pgconn_connect(&c, p->conninfo, "probe snapshot")) {
        side_failed(c, "snapshot-query");
        pgconn_close(c);
        return false;
    }
    char *begin = xasprintf("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                            "SET TRANSACTION SNAPSHOT '%s'",
                            p->snapshot);
    char *value = NULL;
    bool ok = pgconn_exec(c, begin) && pgconn_query_value(c, f[1], 0, NULL, &value) &&
              pgconn_exec(c, "COMMIT");
    free(begin);
    if (ok)
        printf("snapshot-query %s\n", value ? value : "(null)");
    else
        side_failed(c, "snapshot-query");
    free(value);
    pgconn_close(c);
    return ok;
}

static bool step_release(struct probe *p, char **f, int nf)
{
    if (!need_repl(p))
        return false;
    if (!pgrepl_release_snapshot(p->repl))
        return repl_failed(p, "release");
    printf("release ok\n");
    return true;
}

static bool step_start(struct probe *p, char **f, int nf)
{
    uint64_t lsn;
    if (nf < 3 || !pgrepl_lsn_parse(f[2], &lsn))
        return false;
    if (!need_repl(p))
        return false;
    if (!pgrepl_start(p->repl, f[1], lsn, nf > 3 ? f[3] : NULL))
        return repl_failed(p, "start");
    printf("start ok\n");
    return true;
}

/* Receives for up to secs seconds or until want XLogData messages; answers keepalives if asked. */
static bool receive_loop(struct probe *p, int want, double secs, bool answer, const char *step)
{
    double deadline = time_now() + secs;
    int data = 0, keepalives = 0, requested = 0, replies = 0;
    double started = time_now();
    while ((want <= 0 || data < want) && time_now() < deadline) {
        struct pgrepl_msg m;
        switch (pgrepl_receive(p->repl, &m)) {
        case PGREPL_NOTHING: {
            int ms = (int) ((deadline - time_now()) * 1000) + 1;
            if (!pgrepl_wait(p->repl, ms > 0 ? ms : 0))
                return repl_failed(p, step);
            break;
        }
        case PGREPL_XLOGDATA:
            data++;
            if (m.data_start > p->fed)
                p->fed = m.data_start;
            if (m.data_start > p->received)
                p->received = m.data_start;
            probe_print_lsn("data start=", m.data_start);
            probe_print_lsn(" end=", m.wal_end);
            printf(" payload=");
            print_payload(m.data, m.len);
            putchar('\n');
            break;
        case PGREPL_KEEPALIVE:
            keepalives++;
            probe_print_lsn("keepalive end=", m.wal_end);
            printf(" reply_requested=%d\n", m.reply_requested);
            if (m.reply_requested) {
                requested++;
                if (answer) {
                    if (!pgrepl_send_status(p->repl, p->received, p->reported, p->reported, false))
                        return repl_failed(p, step);
                    replies++;
                }
            }
            break;
        case PGREPL_END:
            printf("stream ended by the server\n");
            return false;
        case PGREPL_ERROR:
            printf("lost after %.1fs\n", time_now() - started);
            return repl_failed(p, step);
        }
        fflush(stdout);
    }
    printf("%s done data=%d keepalives=%d reply_requested=%d replies=%d\n", step, data, keepalives,
           requested, replies);
    return true;
}

static bool step_stream(struct probe *p, char **f, int nf)
{
    if (nf < 3 || p->repl == NULL)
        return false;
    return receive_loop(p, atoi(f[1]), atof(f[2]), true, "stream");
}

static bool step_noreply(struct probe *p, char **f, int nf)
{
    if (nf < 2 || p->repl == NULL)
        return false;
    return receive_loop(p, 0, atof(f[1]), false, "noreply");
}

static bool step_feedback(struct probe *p, char **f, int nf)
{
    if (p->repl == NULL)
        return false;
    if (!pgrepl_send_status(p->repl, p->received, p->fed, p->fed, false))
        return repl_failed(p, "feedback");
    p->reported = p->fed;
    probe_print_lsn("feedback flush=", p->fed);
    putchar('\n');
    return true;
}

static bool step_confirmed(struct probe *p, char **f, int nf)
{
    if (nf < 2 || !need_side(p))
        return false;
    const char *params[] = {f[1]};
    double deadline = time_now() + 5;
    char *value = NULL;
    for (;;) {
        free(value);
        if (!pgconn_query_value(
                p->side,
                "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots"
                " WHERE slot_name = $1",
                1, params, &value))
            return side_failed(p->side, "confirmed");
        uint64_t lsn = 0;
        if ((value && pgrepl_lsn_parse(value, &lsn) && lsn >= p->reported) || time_now() > deadline)
            break;
        time_sleep(0.1);
    }
    printf("confirmed_flush %s\n", value ? value : "(null)");
    free(value);
    return true;
}

static bool step_end(struct probe *p, char **f, int nf)
{
    if (p->repl == NULL)
        return false;
    if (!pgrepl_end_stream(p->repl, p->received, p->reported, p->reported))
        return repl_failed(p, "end");
    printf("end ok\n");
    return true;
}

static bool step_drop(struct probe *p, char **f, int nf)
{
    if (nf < 2 || !need_repl(p))
        return false;
    if (!pgrepl_drop_slot(p->repl, f[1], true))
        return repl_failed(p, "drop");
    printf("drop ok\n");
    return true;
}

static bool step_dropsql(struct probe *p, char **f, int nf)
{
    if (nf < 2 || !need_side(p))
        return false;
    if (!pgrepl_drop_slot_sql(p->side, f[1], false))
        return side_failed(p->side, "dropsql");
    printf("dropsql ok\n");
    return true;
}

static bool step_sleep(struct probe *p, char **f, int nf)
{
    if (nf < 2)
        return false;
    time_sleep(atof(f[1]));
    return true;
}

static const struct probe_step steps[] = {
    {"identify", 1, step_identify, false},
    {"create", 3, step_create, false},
    {"sql", 2, step_sql, false},
    {"query", 2, step_query, false},
    {"snapshot-query", 2, step_snapshot_query, false},
    {"release", 1, step_release, false},
    {"start", 4, step_start, false},
    {"stream", 3, step_stream, false},
    {"noreply", 2, step_noreply, false},
    {"feedback", 1, step_feedback, false},
    {"confirmed", 2, step_confirmed, false},
    {"end", 1, step_end, false},
    {"drop", 2, step_drop, false},
    {"dropsql", 2, step_dropsql, false},
    {"sleep", 2, step_sleep, false},
};

int main(int argc, char **argv)
{
    const char *conninfo = probe_start("repl_probe", "REPL_PROBE", argc, LOG_INFO);
    if (conninfo == NULL)
        return 64;
    struct probe p = {.conninfo = conninfo};
    int rc = probe_run_steps("repl_probe", argc, argv, &p, steps, sizeof(steps) / sizeof(steps[0]),
                             NULL);
    pgrepl_close(p.repl);
    pgconn_close(p.side);
    return rc;
}
