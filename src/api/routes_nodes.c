/*
 * routes_nodes.c — the service's nodes (the `serve` processes sharing the
 * store): their list, one node, and drain / resume (docs/API.md, Nodes).
 *
 * A drain only marks the node in the store; the node's supervisor reads
 * the mark, claims no new migration and hands its running ones over. The
 * drain is done when the node runs none (`running` 0, `migrations` empty):
 * the answer is 202 with the node as it is now, and the caller follows the
 * node's resource, as Azure's long operations are followed.
 */
#include "api/api_internal.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

/*
 * Node names are the nodes' own (a host name by default): one is quoted
 * back in a 404 only when it looks like one, never an arbitrary path.
 */
static bool quotable(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n <= 253 &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n;
}

static void answer_no_node(struct api_answer *a, const char *name)
{
    char *msg = quotable(name) ? xasprintf("no node named \"%s\"", name) : xstrdup("no such node");
    api_answer_error(a, 404, "NotFound", msg, "name");
    free(msg);
}

/* The active migrations (those a node may hold the lease of); false with a 500. */
static bool active_migrations(struct store *st, struct store_migration **ms, size_t *n,
                              struct api_answer *a)
{
    char *error = NULL;
    if (store_migration_list(st, true, ms, n, &error) == STORE_OK)
        return true;
    api_answer_store_error(a, error);
    return false;
}

void api_route_nodes(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    (void) req;
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    struct store_node *nodes = NULL;
    size_t nn = 0, nm = 0;
    struct store_migration *ms = NULL;
    if (st == NULL || store_node_list(st, &nodes, &nn, &error) != STORE_OK) {
        api_store_give(ctx, st);
        api_answer_store_error(a, error);
        return;
    }
    if (active_migrations(st, &ms, &nm, a)) {
        double now = time_wall();
        json_t *value = json_array();
        for (size_t i = 0; i < nn; i++)
            json_array_append_new(value, api_node_to_json(&nodes[i], ms, nm, now));
        api_answer_json(a, 200, json_pack("{s:o}", "value", value));
        store_migration_list_free(ms, nm);
    }
    store_node_list_free(nodes, nn);
    api_store_give(ctx, st);
}

/* Answers status with node name's resource as the store has it now (404 if there is none). */
static void answer_node(struct store *st, const char *name, unsigned status, struct api_answer *a)
{
    struct store_node node;
    char *error = NULL;
    enum store_rc rc = store_node_get(st, name, &node, &error);
    if (rc == STORE_NOT_FOUND) {
        free(error);
        answer_no_node(a, name);
        return;
    }
    if (rc != STORE_OK) {
        api_answer_store_error(a, error);
        return;
    }
    struct store_migration *ms = NULL;
    size_t nm = 0;
    if (active_migrations(st, &ms, &nm, a)) {
        api_answer_json(a, status, api_node_to_json(&node, ms, nm, time_wall()));
        store_migration_list_free(ms, nm);
    }
    store_node_free(&node);
}

void api_route_node(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    if (st == NULL) {
        api_answer_store_error(a, error);
        return;
    }
    answer_node(st, req->params[0], 200, a);
    api_store_give(ctx, st);
}

/* Drain (draining true) or resume: the mark in the store, then 202 with the node. */
static void set_draining(struct api_ctx *ctx, const struct api_request *req, bool draining,
                         struct api_answer *a)
{
    const char *name = req->params[0];
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    enum store_rc rc = st ? store_node_set_draining(st, name, draining, &error) : STORE_ERROR;
    if (rc == STORE_NOT_FOUND) {
        free(error);
        answer_no_node(a, name);
    } else if (rc != STORE_OK)
        api_answer_store_error(a, error);
    else {
        log_msg(LOG_INFO, "api: node %s %s", name, draining ? "drains" : "resumes");
        answer_node(st, name, 202, a);
    }
    api_store_give(ctx, st);
}

void api_route_node_drain(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    set_draining(ctx, req, true, a);
}

void api_route_node_resume(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    set_draining(ctx, req, false, a);
}
