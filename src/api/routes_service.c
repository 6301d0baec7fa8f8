/*
 * routes_service.c — the service's own routes: /healthz (no token: the
 * process answers and the store answers a read), /metrics (Prometheus
 * text, written by one function, metric by metric so each family's samples
 * stay together) and checkNameAvailability (as Azure's).
 *
 * Metrics' names and labels are docs/API.md's; the labels come from a
 * small fixed set (migration, database, mode, option, source_type, state,
 * op, node); none carries a connection string. A node's figures are read
 * as node_view.c reads them for GET /nodes. Each family has its HELP and TYPE
 * once, before its samples; label values are escaped (\\, \", \n).
 */
#include "api/api_internal.h"
#include "model/migration_json.h"
#include "model/source_type.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void api_route_healthz(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    (void) req;
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    if (st && store_ping(st, &error))
        api_answer_json(a, 200, json_pack("{s:s}", "status", "ok"));
    else {
        api_answer_error(a, 503, "StoreUnavailable",
                         error ? error : "the state store does not answer", NULL);
        free(error);
        if (st) {
            store_close(st); /* do not give a failing handle back */
            st = NULL;
        }
    }
    api_store_give(ctx, st);
}

void api_route_name_check(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    const char *name = req->query(req, "name");
    char *error = NULL;
    if (name == NULL) {
        api_answer_error(a, 400, "InvalidParameter", "name is required", "name");
        return;
    }
    if (!migration_name_check(name, &error)) {
        api_answer_json(a, 200,
                        json_pack("{s:b, s:s, s:s}", "nameAvailable", 0, "reason", "Invalid",
                                  "message", error));
        free(error);
        return;
    }
    struct store *st = api_store_take(ctx, &error);
    struct store_migration row;
    enum store_rc rc = st ? store_migration_get(st, name, &row, &error) : STORE_ERROR;
    api_store_give(ctx, st);
    if (rc == STORE_OK) {
        store_migration_free(&row);
        char *msg = xasprintf("a migration named \"%s\" exists", name);
        api_answer_json(a, 200,
                        json_pack("{s:b, s:s, s:s}", "nameAvailable", 0, "reason", "AlreadyExists",
                                  "message", msg));
        free(msg);
    } else if (rc == STORE_NOT_FOUND) {
        free(error);
        api_answer_json(a, 200,
                        json_pack("{s:b, s:n, s:n}", "nameAvailable", 1, "reason", "message"));
    } else
        api_answer_store_error(a, error);
}

/* ---- /metrics ---------------------------------------------------------- */

/* A label value with \, " and newline escaped, as the exposition format wants. */
static void label(strbuf *sb, const char *name, const char *value)
{
    sb_printf(sb, "%s=\"", name);
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\')
            sb_append(sb, "\\\\");
        else if (*p == '"')
            sb_append(sb, "\\\"");
        else if (*p == '\n')
            sb_append(sb, "\\n");
        else
            sb_appendc(sb, *p);
    }
    sb_appendc(sb, '"');
}

static void family(strbuf *sb, const char *name, const char *type, const char *help)
{
    sb_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{migration="m",database="d"[,extra="v"]} value */
static void db_sample(strbuf *sb, const char *name, const struct api_migration *m,
                      const struct db_progress_snapshot *d, const char *extra,
                      const char *extra_value, double value)
{
    sb_printf(sb, "%s{", name);
    label(sb, "migration", m->row.name);
    sb_appendc(sb, ',');
    label(sb, "database", d->name);
    if (extra) {
        sb_appendc(sb, ',');
        label(sb, extra, extra_value);
    }
    sb_printf(sb, "} %.17g\n", value);
}

/*
 * pgshuttle_cdc_changes_applied_total's op label: the snapshot's counter of
 * each kind of change applied (the one place that lists the operations).
 */
static const struct {
    const char *op;
    size_t offset; /* of an int64_t in struct db_progress_snapshot */
} cdc_ops[] = {
    {"insert", offsetof(struct db_progress_snapshot, inserts_applied)},
    {"update", offsetof(struct db_progress_snapshot, updates_applied)},
    {"delete", offsetof(struct db_progress_snapshot, deletes_applied)},
    {"truncate", offsetof(struct db_progress_snapshot, truncates_applied)},
};

static int64_t cdc_op_count(const struct db_progress_snapshot *d, size_t op)
{
    return *(const int64_t *) ((const char *) d + cdc_ops[op].offset);
}

/* One per-database figure of every migration with a state. */
enum db_figure { FIG_BYTES, FIG_ROWS, FIG_TABLES, FIG_CHANGES, FIG_LAG_SECONDS, FIG_LAG_BYTES };

static void db_family(strbuf *sb, const struct api_migration *ms, size_t n, const char *name,
                      const char *type, const char *help, enum db_figure fig)
{
    family(sb, name, type, help);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; ms[i].has_state && j < ms[i].state.ndbs; j++) {
            const struct db_progress_snapshot *d = &ms[i].state.dbs[j];
            switch (fig) {
            case FIG_BYTES:
                db_sample(sb, name, &ms[i], d, NULL, NULL, (double) d->bytes_copied);
                break;
            case FIG_ROWS:
                db_sample(sb, name, &ms[i], d, NULL, NULL, (double) d->rows_copied);
                break;
            case FIG_TABLES: {
                int queued =
                    d->tables_total - d->tables_copying - d->tables_copied - d->tables_failed;
                db_sample(sb, name, &ms[i], d, "state", "queued", queued > 0 ? queued : 0);
                db_sample(sb, name, &ms[i], d, "state", "copying", d->tables_copying);
                db_sample(sb, name, &ms[i], d, "state", "copied", d->tables_copied);
                db_sample(sb, name, &ms[i], d, "state", "failed", d->tables_failed);
                break;
            }
            case FIG_CHANGES: /* databases of online migrations */
                if (ms[i].spec.mode == MODE_ONLINE || d->streaming || d->changes_applied)
                    for (size_t op = 0; op < sizeof(cdc_ops) / sizeof(cdc_ops[0]); op++)
                        db_sample(sb, name, &ms[i], d, "op", cdc_ops[op].op,
                                  (double) cdc_op_count(d, op));
                break;
            case FIG_LAG_SECONDS:
                if (d->streaming)
                    db_sample(sb, name, &ms[i], d, NULL, NULL, d->lag_ms / 1000.0);
                break;
            case FIG_LAG_BYTES:
                if (d->streaming)
                    db_sample(sb, name, &ms[i], d, NULL, NULL, (double) d->lag_bytes);
                break;
            }
        }
    }
}

/* name{migration="m"} value */
static void migration_sample(strbuf *sb, const char *name, const struct store_migration *row,
                             double value)
{
    sb_printf(sb, "%s{", name);
    label(sb, "migration", row->name);
    sb_printf(sb, "} %.17g\n", value);
}

/* The exposition text of the migrations ms[0..n). */
static char *metrics_text(const struct api_migration *ms, size_t n)
{
    strbuf sb = STRBUF_INIT;
    family(&sb, "pgshuttle_migration_info", "gauge", "A migration and its settings (always 1).");
    for (size_t i = 0; i < n; i++) {
        const char *source_type = source_type_api_word(ms[i].spec.source_type);
        sb_append(&sb, "pgshuttle_migration_info{");
        label(&sb, "migration", ms[i].row.name);
        sb_appendc(&sb, ',');
        label(&sb, "mode", mig_mode_name(ms[i].spec.mode));
        sb_appendc(&sb, ',');
        label(&sb, "option", migration_type_api_word(ms[i].spec.type));
        sb_appendc(&sb, ',');
        label(&sb, "source_type", source_type ? source_type : ms[i].spec.source_type);
        sb_append(&sb, "} 1\n");
    }
    family(&sb, "pgshuttle_migration_state", "gauge",
           "The migration's current status (1 for the current one).");
    for (size_t i = 0; i < n; i++) {
        sb_append(&sb, "pgshuttle_migration_state{");
        label(&sb, "migration", ms[i].row.name);
        sb_appendc(&sb, ',');
        label(&sb, "state", ms[i].row.status);
        sb_append(&sb, "} 1\n");
    }
    db_family(&sb, ms, n, "pgshuttle_copy_bytes_total", "counter",
              "Bytes of table data copied (sizes on the source).", FIG_BYTES);
    db_family(&sb, ms, n, "pgshuttle_copy_rows_total", "counter", "Rows copied.", FIG_ROWS);
    db_family(&sb, ms, n, "pgshuttle_copy_tables", "gauge", "Tables by copy state.", FIG_TABLES);
    db_family(&sb, ms, n, "pgshuttle_cdc_changes_applied_total", "counter",
              "Changes applied on the target by the stream, by operation.", FIG_CHANGES);
    db_family(&sb, ms, n, "pgshuttle_cdc_lag_seconds", "gauge",
              "How far the target is behind the source, in seconds.", FIG_LAG_SECONDS);
    db_family(&sb, ms, n, "pgshuttle_cdc_lag_bytes", "gauge",
              "How far the target is behind the source, in bytes of WAL.", FIG_LAG_BYTES);
    family(&sb, "pgshuttle_worker_restarts_total", "counter",
           "Workers started again for the migration after the first.");
    for (size_t i = 0; i < n; i++)
        migration_sample(&sb, "pgshuttle_worker_restarts_total", &ms[i].row,
                         ms[i].row.starts > 1 ? ms[i].row.starts - 1 : 0);
    family(&sb, "pgshuttle_stale_writes_rejected_total", "counter",
           "Writes the store refused because their worker had lost the migration's lease.");
    for (size_t i = 0; i < n; i++)
        migration_sample(&sb, "pgshuttle_stale_writes_rejected_total", &ms[i].row,
                         (double) ms[i].row.stale_writes);
    return sb_steal(&sb);
}

/* One figure of every node (node_view.c says what a state is). */
enum node_figure { NODE_UP, NODE_RUNNING, NODE_CAPACITY, NODE_HEARTBEAT_AGE, NODE_DRAINING };

static void node_family(strbuf *sb, const struct store_node *nodes, size_t n, double now,
                        const char *name, const char *help, enum node_figure fig)
{
    family(sb, name, "gauge", help);
    for (size_t i = 0; i < n; i++) {
        enum api_node_state state = api_node_state(&nodes[i], now);
        double value = 0;
        switch (fig) {
        case NODE_UP:
            value = state == API_NODE_UP || state == API_NODE_DRAINING;
            break;
        case NODE_RUNNING:
            value = nodes[i].running;
            break;
        case NODE_CAPACITY: /* no limit: no sample, rather than a 0 read as "takes nothing" */
            if (nodes[i].capacity <= 0)
                continue;
            value = nodes[i].capacity;
            break;
        case NODE_HEARTBEAT_AGE:
            value = api_node_heartbeat_age(&nodes[i], now);
            break;
        case NODE_DRAINING:
            value = nodes[i].draining;
            break;
        }
        sb_printf(sb, "%s{", name);
        label(sb, "node", nodes[i].name);
        sb_printf(sb, "} %.17g\n", value);
    }
}

/* The exposition text of the nodes[0..n) at now. */
static char *node_metrics_text(const struct store_node *nodes, size_t n, double now)
{
    strbuf sb = STRBUF_INIT;
    node_family(&sb, nodes, n, now, "pgshuttle_node_up",
                "Whether the node beats (1), or is down or stopped (0).", NODE_UP);
    node_family(&sb, nodes, n, now, "pgshuttle_node_running_migrations",
                "Migrations the node runs, as of its last heartbeat.", NODE_RUNNING);
    node_family(&sb, nodes, n, now, "pgshuttle_node_capacity",
                "Migrations the node runs at most (no sample: no limit).", NODE_CAPACITY);
    node_family(&sb, nodes, n, now, "pgshuttle_node_heartbeat_age_seconds",
                "Seconds since the node's last heartbeat.", NODE_HEARTBEAT_AGE);
    node_family(&sb, nodes, n, now, "pgshuttle_node_draining",
                "Whether the node drains (1): it takes no new migration.", NODE_DRAINING);
    return sb_steal(&sb);
}

void api_route_metrics(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    (void) req;
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    struct store_migration *rows = NULL;
    struct store_node *nodes = NULL;
    size_t n = 0, nn = 0;
    if (st == NULL || store_migration_list(st, false, &rows, &n, &error) != STORE_OK ||
        store_node_list(st, &nodes, &nn, &error) != STORE_OK) {
        store_migration_list_free(rows, n);
        api_store_give(ctx, st);
        api_answer_store_error(a, error);
        return;
    }
    struct api_migration *ms = xcalloc(n ? n : 1, sizeof(*ms));
    size_t loaded = 0;
    for (size_t i = 0; i < n; i++) {
        struct api_answer skipped = {0};
        if (api_migration_read(&rows[i], &ms[loaded], &skipped))
            loaded++;
        api_answer_free(&skipped);
    }
    store_migration_list_free(rows, n);
    api_store_give(ctx, st);
    char *text = metrics_text(ms, loaded);
    char *node_text = node_metrics_text(nodes, nn, time_wall());
    for (size_t i = 0; i < loaded; i++)
        api_migration_free(&ms[i]);
    free(ms);
    store_node_list_free(nodes, nn);
    api_answer_text(a, 200, xasprintf("%s%s", text, node_text),
                    "text/plain; version=0.0.4; charset=utf-8");
    free(text);
    free(node_text);
}
