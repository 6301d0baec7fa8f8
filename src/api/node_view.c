/*
 * node_view.c — a node of the service as the API shows it (docs/API.md,
 * Nodes): its state, read from its row and the age of its heartbeat, its
 * JSON, and which node runs a migration. The nodes' list, the migration
 * resource and /metrics all read them here, so the three never disagree
 * on whether a node is Down or runs a migration.
 */
#include "api/api_internal.h"

#include <math.h>
#include <string.h>

static const char *const state_names[] = {
    [API_NODE_UP] = "Up",
    [API_NODE_DRAINING] = "Draining",
    [API_NODE_DOWN] = "Down",
    [API_NODE_STOPPED] = "Stopped",
};

const char *api_node_state_name(enum api_node_state s)
{
    return state_names[s];
}

double api_node_heartbeat_age(const struct store_node *n, double now)
{
    /* a heartbeat "in the future" is another host's clock a little ahead: as good as fresh */
    return n->heartbeat < now ? now - n->heartbeat : 0.0;
}

/*
 * A clean stop wins over everything; a node that stopped beating is Down
 * whether it was draining or not (it drains nothing any more).
 */
enum api_node_state api_node_state(const struct store_node *n, double now)
{
    if (n->stopped)
        return API_NODE_STOPPED;
    if (api_node_heartbeat_age(n, now) > API_NODE_DOWN_AFTER)
        return API_NODE_DOWN;
    return n->draining ? API_NODE_DRAINING : API_NODE_UP;
}

const char *api_migration_node(const struct store_migration *m, double now)
{
    /* an expired lease names the node that had it: the migration waits for a claim now */
    return m->lease_node && m->lease_expires > now ? m->lease_node : NULL;
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *api_node_to_json(const struct store_node *node, const struct store_migration *ms, size_t n,
                         double now)
{
    json_t *names = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *runner = api_migration_node(&ms[i], now);
        if (runner && strcmp(runner, node->name) == 0)
            json_array_append_new(names, json_string(ms[i].name));
    }
    /* whole seconds: heartbeats come every second, a fraction would be noise (and 0.1 has no exact
     * double) */
    json_int_t age = (json_int_t) floor(api_node_heartbeat_age(node, now));
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(node->name));
    json_object_set_new(o, "address", string_or_null(node->address));
    json_object_set_new(o, "capacity",
                        node->capacity > 0 ? json_integer(node->capacity) : json_null());
    json_object_set_new(o, "running", json_integer(node->running));
    json_object_set_new(o, "pid", json_integer(node->pid));
    json_object_set_new(o, "version", string_or_null(node->version));
    json_object_set_new(o, "startedOn", api_time_json(node->started));
    json_object_set_new(o, "lastHeartbeat", api_time_json(node->heartbeat));
    json_object_set_new(o, "heartbeatAgeSeconds", json_integer(age));
    json_object_set_new(o, "state", json_string(api_node_state_name(api_node_state(node, now))));
    json_object_set_new(o, "draining", json_boolean(node->draining));
    json_object_set_new(o, "migrations", names);
    return o;
}
