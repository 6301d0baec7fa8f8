/*
 * sqlite_nodes.c — the SQLite store's nodes (the `serve` processes sharing
 * the store, by name) and settings (the service's own values, the first
 * writer's kept).
 *
 * SQLite keeps settings as they are, secret or not: the file is private to
 * its host's user (0600).
 */
#include "store/sqlite_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>

#define NODE_COLUMNS                                                                               \
    "name, address, capacity, running, pid, version, started, heartbeat, draining, stopped"

static void read_node(sqlite3_stmt *s, struct store_node *n)
{
    *n = (struct store_node){
        .name = sqlite__column_text(s, 0),
        .address = sqlite__column_text(s, 1),
        .capacity = sqlite3_column_int(s, 2),
        .running = sqlite3_column_int(s, 3),
        .pid = sqlite3_column_int64(s, 4),
        .version = sqlite__column_text(s, 5),
        .started = sqlite3_column_double(s, 6),
        .heartbeat = sqlite3_column_double(s, 7),
        .draining = sqlite3_column_int(s, 8) != 0,
        .stopped = sqlite3_column_int(s, 9) != 0,
    };
}

/* A restart of the same name takes the row's place: started again, not draining, not stopped. */
static const char sql_node_register[] =
    "INSERT INTO nodes (" NODE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 0, 0) "
    "ON CONFLICT (name) DO UPDATE SET address = excluded.address, capacity = excluded.capacity, "
    "running = excluded.running, pid = excluded.pid, version = excluded.version, "
    "started = excluded.started, heartbeat = excluded.heartbeat, draining = 0, stopped = 0";

enum store_rc sqlite_node_register(struct store *st, const struct store_node *node, char **error)
{
    const char *doing = "registering a node";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_register, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, node->name);
    sqlite__bind_text(s, 2, node->address);
    sqlite3_bind_int(s, 3, node->capacity);
    sqlite3_bind_int(s, 4, node->running);
    sqlite3_bind_int64(s, 5, node->pid);
    sqlite__bind_text(s, 6, node->version);
    sqlite3_bind_double(s, 7, time_wall());
    return sqlite__run(st, s, doing, NULL, error);
}

static const char sql_node_heartbeat[] =
    "UPDATE nodes SET heartbeat = ?2, running = ?3 WHERE name = ?1";

enum store_rc sqlite_node_heartbeat(struct store *st, const char *name, int running, char **error)
{
    const char *doing = "writing a node's heartbeat";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_heartbeat, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    sqlite3_bind_double(s, 2, time_wall());
    sqlite3_bind_int(s, 3, running);
    return sqlite__run_one(st, s, doing, error);
}

static const char sql_node_stop[] = "UPDATE nodes SET stopped = 1, running = 0 WHERE name = ?1";

enum store_rc sqlite_node_stop(struct store *st, const char *name, char **error)
{
    const char *doing = "recording a node's stop";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_stop, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    return sqlite__run_one(st, s, doing, error);
}

static const char sql_node_drain[] = "UPDATE nodes SET draining = ?2 WHERE name = ?1";

enum store_rc sqlite_node_set_draining(struct store *st, const char *name, bool draining,
                                       char **error)
{
    const char *doing = "marking a node draining";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_drain, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, draining ? 1 : 0);
    return sqlite__run_one(st, s, doing, error);
}

static const char sql_node_get[] = "SELECT " NODE_COLUMNS " FROM nodes WHERE name = ?1";

enum store_rc sqlite_node_get(struct store *st, const char *name, struct store_node *out,
                              char **error)
{
    const char *doing = "reading a node";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_get, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    int step = sqlite3_step(s);
    enum store_rc rc = STORE_OK;
    if (step == SQLITE_ROW)
        read_node(s, out);
    else if (step == SQLITE_DONE)
        rc = STORE_NOT_FOUND;
    else
        rc = sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    return rc;
}

static const char sql_node_list[] = "SELECT " NODE_COLUMNS " FROM nodes ORDER BY name";

enum store_rc sqlite_node_list(struct store *st, struct store_node **out, size_t *n, char **error)
{
    const char *doing = "listing the nodes";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_list, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    struct store_node *ns = NULL;
    size_t count = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        ns = xrealloc(ns, (count + 1) * sizeof(*ns));
        read_node(s, &ns[count++]);
    }
    enum store_rc rc = step == SQLITE_DONE ? STORE_OK : sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    if (rc != STORE_OK) {
        store_node_list_free(ns, count);
        return rc;
    }
    *out = ns;
    *n = count;
    return STORE_OK;
}

static const char sql_node_revoke[] =
    "UPDATE migrations SET lease_expires = 0 WHERE active = 1 AND lease_owner IS NOT NULL "
    "AND lease_expires > 0 AND lease_node IN (SELECT name FROM nodes WHERE name <> ?1 "
    "AND heartbeat < ?2 AND stopped = 0)";

enum store_rc sqlite_node_revoke_leases(struct store *st, const char *self, double before,
                                        int *revoked, char **error)
{
    const char *doing = "revoking the leases of nodes that stopped heartbeating";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_revoke, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, self);
    sqlite3_bind_double(s, 2, before);
    return sqlite__run(st, s, doing, revoked, error);
}

static const char sql_node_remove[] = "DELETE FROM nodes WHERE name = ?1";

enum store_rc sqlite_node_remove(struct store *st, const char *name, char **error)
{
    const char *doing = "removing a node";
    sqlite3_stmt *s = sqlite__stmt(st, sql_node_remove, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    return sqlite__run_one(st, s, doing, error);
}

/* One statement: the first writer's value stays, and every caller reads what stayed. */
static const char sql_setting[] = "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = value RETURNING value";

enum store_rc sqlite_setting_get_or_put(struct store *st, const char *key, const char *value,
                                        bool secret, char **out, char **error)
{
    char doing[96];
    snprintf(doing, sizeof(doing), "reading setting \"%.48s\"", key);
    sqlite3_stmt *s = sqlite__stmt(st, sql_setting, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, key);
    sqlite__bind_text(s, 2, value);
    enum store_rc rc = STORE_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite__column_text(s, 0);
        if (sqlite3_step(s) != SQLITE_DONE) {
            free(*out);
            *out = NULL;
            rc = sqlite__fail(st, doing, error);
        }
    } else {
        rc = sqlite__fail(st, doing, error);
    }
    sqlite3_reset(s);
    return rc;
}
