/*
 * pg_nodes.c — the PostgreSQL store's nodes (the `serve` processes sharing
 * the store, by name) and settings (the service's own values, the first
 * writer's kept).
 *
 * A secret setting (the API token) is stored sealed with the secret key,
 * its context "setting:KEY" (a sealed value moved to another key does not
 * open), and opened as it is read.
 */
#include "store/pg_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include "sql_embedded.h"

#include <stdio.h>
#include <stdlib.h>

#define NODE_COLUMNS                                                                               \
    "name, address, capacity, running, pid, version, started, heartbeat, draining, stopped"

static struct store_node read_node(const PGresult *r, int i)
{
    return (struct store_node){
        .name = pg__text(r, i, 0),
        .address = pg__text(r, i, 1),
        .capacity = (int) pg__int(r, i, 2),
        .running = (int) pg__int(r, i, 3),
        .pid = pg__int(r, i, 4),
        .version = pg__text(r, i, 5),
        .started = pg__double(r, i, 6),
        .heartbeat = pg__double(r, i, 7),
        .draining = pg__bool(r, i, 8),
        .stopped = pg__bool(r, i, 9),
    };
}

enum store_rc pg_node_register(struct store *st, const struct store_node *node, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, node->name);
    pg__param_text(&p, node->address);
    pg__param_int(&p, node->capacity);
    pg__param_int(&p, node->running);
    pg__param_int(&p, node->pid);
    pg__param_text(&p, node->version);
    pg__param_double(&p, time_wall());
    return pg__run(st, sql_text("store_pg_node_register"), &p, "registering a node", NULL, error);
}

/* Runs an UPDATE or DELETE of node name's row (with p): STORE_NOT_FOUND if there is none. */
static enum store_rc change_node(struct store *st, const char *sql, const struct pg_params *p,
                                 const char *doing, char **error)
{
    int changed = 0;
    enum store_rc rc = pg__run(st, sql, p, doing, &changed, error);
    return rc == STORE_OK && changed == 0 ? STORE_NOT_FOUND : rc;
}

enum store_rc pg_node_heartbeat(struct store *st, const char *name, int running, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, name);
    pg__param_double(&p, time_wall());
    pg__param_int(&p, running);
    return change_node(st, "UPDATE nodes SET heartbeat = $2, running = $3 WHERE name = $1", &p,
                       "writing a node's heartbeat", error);
}

enum store_rc pg_node_stop(struct store *st, const char *name, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, name);
    return change_node(st, "UPDATE nodes SET stopped = true, running = 0 WHERE name = $1", &p,
                       "recording a node's stop", error);
}

enum store_rc pg_node_set_draining(struct store *st, const char *name, bool draining, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, name);
    pg__param_bool(&p, draining);
    return change_node(st, "UPDATE nodes SET draining = $2 WHERE name = $1", &p,
                       "marking a node draining", error);
}

enum store_rc pg_node_remove(struct store *st, const char *name, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, name);
    return change_node(st, "DELETE FROM nodes WHERE name = $1", &p, "removing a node", error);
}

static const char sql_node_revoke[] =
    "UPDATE migrations SET lease_expires = 0 WHERE active AND lease_owner IS NOT NULL "
    "AND lease_expires > 0 AND lease_node IN (SELECT name FROM nodes WHERE name <> $1 "
    "AND heartbeat < $2 AND NOT stopped)";

enum store_rc pg_node_revoke_leases(struct store *st, const char *self, double before, int *revoked,
                                    char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, self);
    pg__param_double(&p, before);
    return pg__run(st, sql_node_revoke, &p,
                   "revoking the leases of nodes that stopped heartbeating", revoked, error);
}

enum store_rc pg_node_get(struct store *st, const char *name, struct store_node *out, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, name);
    PGresult *r = pg__exec(st, "SELECT " NODE_COLUMNS " FROM nodes WHERE name = $1", &p,
                           "reading a node", NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = PQntuples(r) > 0 ? STORE_OK : STORE_NOT_FOUND;
    if (rc == STORE_OK)
        *out = read_node(r, 0);
    PQclear(r);
    return rc;
}

enum store_rc pg_node_list(struct store *st, struct store_node **out, size_t *n, char **error)
{
    PGresult *r = pg__exec(st, "SELECT " NODE_COLUMNS " FROM nodes ORDER BY name", NULL,
                           "listing the nodes", NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    size_t count = (size_t) PQntuples(r);
    struct store_node *ns = count > 0 ? xcalloc(count, sizeof(*ns)) : NULL;
    for (size_t i = 0; i < count; i++)
        ns[i] = read_node(r, (int) i);
    PQclear(r);
    *out = ns;
    *n = count;
    return STORE_OK;
}

/* One statement: the first writer's value stays (its row locked), and every caller reads it. */
static const char sql_setting[] = "INSERT INTO settings (key, value) VALUES ($1, $2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = settings.value "
                                  "RETURNING value";

enum store_rc pg_setting_get_or_put(struct store *st, const char *key, const char *value,
                                    bool secret, char **out, char **error)
{
    char doing[96];
    snprintf(doing, sizeof(doing), "reading setting \"%.48s\"", key);
    char *context = xasprintf("setting:%s", key);
    char *stored = secret ? pg__seal(st, value, context, doing, error) : xstrdup(value);
    enum store_rc rc = STORE_ERROR;
    if (stored != NULL) {
        struct pg_params p = {0};
        pg__param_text(&p, key);
        pg__param_text(&p, stored);
        PGresult *r = pg__exec(st, sql_setting, &p, doing, NULL, error);
        if (r != NULL && secret) {
            rc = pg__unseal(st, PQgetvalue(r, 0, 0), context, out, doing, error);
        } else if (r != NULL) {
            *out = pg__text(r, 0, 0);
            rc = STORE_OK;
        }
        PQclear(r);
    }
    free(stored);
    free(context);
    return rc;
}
