/*
 * store_front.c — the public store_ functions: opening the backend a
 * config names, and passing every other call to the handle's backend
 * (internal.h, struct store_ops). What both backends would check alike
 * (a request kind, a lease owner) is checked here once.
 */
#include "store/internal.h"

#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>

struct store *store_open_config(const struct store_config *cfg, char **error)
{
    if (cfg == NULL) {
        store__give_error(error, xstrdup("store: no store configuration given"));
        return NULL;
    }
    if (cfg->uri != NULL)
        return pg_store_open(cfg, error);
    return sqlite_store_open(cfg->dir, error);
}

struct store *store_open(const char *dir, char **error)
{
    struct store_config cfg = {.dir = dir};
    return store_open_config(&cfg, error);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

int store_schema_version(struct store *st)
{
    return st->version;
}

const char *store_path(const struct store *st)
{
    return st->path;
}

const char *store_kind(const struct store *st)
{
    return st->ops->kind;
}

bool store_is_shared(const struct store *st)
{
    return st->ops->shared;
}

/* Whether the backend can take a call now (a broken connection is made again first). */
static bool ready(struct store *st, char **error)
{
    return st->ops->ready == NULL || st->ops->ready(st, error);
}

bool store_ping(struct store *st, char **error)
{
    return ready(st, error) && st->ops->ping(st, error);
}

/* STORE_ERROR with "store: DOING: MSG (PATH)" for an argument the caller got wrong. */
static enum store_rc refuse(struct store *st, const char *doing, const char *msg, char **error)
{
    store__give_error(error, xasprintf("store: %s: %s (%s)", doing, msg, st->path));
    return STORE_ERROR;
}

/* ---- migrations ------------------------------------------------------ */

enum store_rc store_migration_create(struct store *st, const char *name, const char *spec_json,
                                     double window_start, int64_t *id, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_create(st, name, spec_json, window_start, id, error);
}

enum store_rc store_migration_get(struct store *st, const char *name, struct store_migration *out,
                                  char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_get(st, name, out, error);
}

enum store_rc store_migration_get_id(struct store *st, int64_t id, struct store_migration *out,
                                     char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_get_id(st, id, out, error);
}

enum store_rc store_migration_list(struct store *st, bool active_only, struct store_migration **out,
                                   size_t *n, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_list(st, active_only, out, n, error);
}

enum store_rc store_migration_delete(struct store *st, const char *name, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_delete(st, name, error);
}

enum store_rc store_migration_set_state(struct store *st, int64_t id,
                                        const struct store_fence *fence, const char *state_json,
                                        const char *status, const char *substatus, bool active,
                                        char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_set_state(st, id, fence, state_json, status, substatus, active,
                                        error);
}

enum store_rc store_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                       char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->migration_set_spec(st, id, spec_json, error);
}

/* ---- leases ---------------------------------------------------------- */

enum store_rc store_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                                  const char *node, double ttl, int64_t *epoch, char **error)
{
    if (owner == NULL)
        return refuse(st, "taking a lease", "no owner given", error);
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->lease_acquire(st, id, owner, pid, node, ttl, epoch, error);
}

enum store_rc store_lease_claim(struct store *st, const char *node, const char *owner, double ttl,
                                size_t max, struct store_migration **out, size_t *n, char **error)
{
    *out = NULL;
    *n = 0;
    if (owner == NULL)
        return refuse(st, "claiming migrations", "no owner given", error);
    if (max == 0)
        return STORE_OK;
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->lease_claim(st, node, owner, ttl, max, out, n, error);
}

enum store_rc store_lease_renew(struct store *st, int64_t id, const struct store_fence *fence,
                                double ttl, char **error)
{
    if (fence == NULL || fence->owner == NULL)
        return refuse(st, "renewing a lease", "no fence given", error);
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->lease_renew(st, id, fence, ttl, error);
}

enum store_rc store_lease_release(struct store *st, int64_t id, const struct store_fence *fence,
                                  char **error)
{
    if (fence == NULL || fence->owner == NULL)
        return refuse(st, "giving up a lease", "no fence given", error);
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->lease_release(st, id, fence, error);
}

/* ---- events, requests, restarts -------------------------------------- */

enum store_rc store_event_append(struct store *st, int64_t id, const struct store_fence *fence,
                                 double at, const char *kind, const char *json, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->event_append(st, id, fence, at, kind, json, error);
}

enum store_rc store_event_list(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                               struct store_event **out, size_t *n, char **error)
{
    *out = NULL;
    *n = 0;
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->event_list(st, id, after_seq, limit, out, n, error);
}

const char *store_request_kind_name(enum store_request_kind k)
{
    const char *word = store__request_word(k);
    return word != NULL ? word : "unknown";
}

enum store_rc store_request_add(struct store *st, int64_t id, enum store_request_kind kind,
                                const char *databases_json, char **error)
{
    if (store__request_word(kind) == NULL)
        return refuse(st, "recording a request", "no such request kind", error);
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->request_add(st, id, kind, databases_json, error);
}

enum store_rc store_request_take(struct store *st, int64_t id, const struct store_fence *fence,
                                 bool all, struct store_request **out, size_t *n, char **error)
{
    *out = NULL;
    *n = 0;
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->request_take(st, id, fence, all, out, n, error);
}

enum store_rc store_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                   char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->restart_record(st, id, at, reason, error);
}

enum store_rc store_restart_count(struct store *st, int64_t id, double since, int *count,
                                  char **error)
{
    *count = 0;
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->restart_count(st, id, since, count, error);
}

/* ---- nodes, settings ------------------------------------------------- */

enum store_rc store_node_register(struct store *st, const struct store_node *node, char **error)
{
    if (node == NULL || node->name == NULL)
        return refuse(st, "registering a node", "no node name given", error);
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_register(st, node, error);
}

enum store_rc store_node_heartbeat(struct store *st, const char *name, int running, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_heartbeat(st, name, running, error);
}

enum store_rc store_node_stop(struct store *st, const char *name, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_stop(st, name, error);
}

enum store_rc store_node_set_draining(struct store *st, const char *name, bool draining,
                                      char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_set_draining(st, name, draining, error);
}

enum store_rc store_node_get(struct store *st, const char *name, struct store_node *out,
                             char **error)
{
    *out = (struct store_node){0};
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_get(st, name, out, error);
}

enum store_rc store_node_list(struct store *st, struct store_node **out, size_t *n, char **error)
{
    *out = NULL;
    *n = 0;
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_list(st, out, n, error);
}

enum store_rc store_node_remove(struct store *st, const char *name, char **error)
{
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->node_remove(st, name, error);
}

enum store_rc store_node_revoke_leases(struct store *st, const char *self, double before,
                                       int *revoked, char **error)
{
    int n = 0;
    enum store_rc rc =
        ready(st, error) ? st->ops->node_revoke_leases(st, self, before, &n, error) : STORE_ERROR;
    if (revoked != NULL)
        *revoked = rc == STORE_OK ? n : 0;
    return rc;
}

enum store_rc store_setting_get_or_put(struct store *st, const char *key, const char *value,
                                       bool secret, char **out, char **error)
{
    *out = NULL;
    if (key == NULL || value == NULL)
        return refuse(st, "reading a setting", "no key or value given", error);
    if (!ready(st, error))
        return STORE_ERROR;
    return st->ops->setting_get_or_put(st, key, value, secret, out, error);
}
