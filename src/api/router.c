/*
 * router.c — the route table: method, path pattern ("{}" is one path
 * segment, %XX-decoded, handed to the handler as a param), handler, and
 * whether the bearer token is required. A path that matches no pattern is
 * 404; one that matches with another method is 405 with Allow. Every route
 * but /healthz and the page (/ and /assets/NAME) asks for the token first,
 * so that without it nothing tells which paths exist.
 */
#include "api/api_internal.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static const struct route {
    const char *method;
    const char *pattern;
    api_handler handler;
    bool open; /* no token needed */
} routes[] = {
    {"GET", "/api/v1/migrations", api_route_list, false},
    {"GET", "/api/v1/migrations/{}", api_route_get, false},
    {"PUT", "/api/v1/migrations/{}", api_route_create, false},
    {"PATCH", "/api/v1/migrations/{}", api_route_patch, false},
    {"DELETE", "/api/v1/migrations/{}", api_route_delete, false},
    {"GET", "/api/v1/migrations/{}/events", api_route_events, false},
    {"GET", "/api/v1/migrations/{}/log", api_route_log, false},
    {"GET", "/api/v1/migrations/{}/lag", api_route_lag, false},
    {"GET", "/api/v1/migrations/{}/tables", api_route_tables, false},
    {"GET", "/api/v1/checkNameAvailability", api_route_name_check, false},
    {"POST", "/api/v1/testConnection", api_route_test_connection, false},
    {"GET", "/api/v1/nodes", api_route_nodes, false},
    {"GET", "/api/v1/nodes/{}", api_route_node, false},
    {"POST", "/api/v1/nodes/{}/drain", api_route_node_drain, false},
    {"POST", "/api/v1/nodes/{}/resume", api_route_node_resume, false},
    {"GET", "/api/v1/metrics", api_route_metrics, false},
    {"GET", "/metrics", api_route_metrics, false},
    {"GET", "/api/v1/healthz", api_route_healthz, true},
    {"GET", "/healthz", api_route_healthz, true},
    {"GET", "/", api_route_page, true},
    {"HEAD", "/", api_route_page, true},
    {"GET", "/assets/{}", api_route_asset, true},
    {"HEAD", "/assets/{}", api_route_asset, true},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/*
 * Whether path matches pattern; the captured segments (decoded) go to
 * params when it does (caller frees them). A segment that does not decode
 * matches nothing.
 */
static bool match(const char *pattern, const char *path, char **params)
{
    size_t np = 0;
    bool ok = true;
    while (ok && *pattern && *path) {
        if (*pattern != '/' || *path != '/') {
            ok = false;
            break;
        }
        pattern++;
        path++;
        size_t plen = strcspn(pattern, "/"), len = strcspn(path, "/");
        if (plen == 2 && strncmp(pattern, "{}", 2) == 0) {
            char *seg = len ? api_url_decode(path, len, false) : NULL;
            if (seg == NULL || np >= API_MAX_PARAMS) {
                free(seg);
                ok = false;
                break;
            }
            params[np++] = seg;
        } else if (plen != len || strncmp(pattern, path, len) != 0)
            ok = false;
        pattern += plen;
        path += len;
    }
    ok = ok && *pattern == '\0' && *path == '\0';
    if (!ok)
        for (size_t i = 0; i < np; i++) {
            free(params[i]);
            params[i] = NULL;
        }
    return ok;
}

void api_dispatch(struct api_ctx *ctx, struct api_request *req, struct api_answer *a)
{
    char *scratch[API_MAX_PARAMS] = {0};
    bool open = false;
    for (size_t i = 0; i < N_ROUTES; i++)
        if (routes[i].open && match(routes[i].pattern, req->path, scratch)) {
            open = true;
            for (size_t k = 0; k < API_MAX_PARAMS; k++) {
                free(scratch[k]);
                scratch[k] = NULL;
            }
        }
    if (!open && !api_auth_ok(req->authorization, ctx->token)) {
        api_answer_error(a, 401, "Unauthorized",
                         "a valid bearer token is required (Authorization: Bearer TOKEN)", NULL);
        a->www_authenticate = true;
        return;
    }
    strbuf allow = STRBUF_INIT;
    for (size_t i = 0; i < N_ROUTES; i++) {
        char *params[API_MAX_PARAMS] = {0};
        if (!match(routes[i].pattern, req->path, params))
            continue;
        if (strcmp(routes[i].method, req->method) == 0) {
            memcpy(req->params, params, sizeof(params));
            sb_free(&allow);
            routes[i].handler(ctx, req, a);
            return;
        }
        for (size_t k = 0; k < API_MAX_PARAMS; k++)
            free(params[k]);
        if (allow.len)
            sb_append(&allow, ", ");
        sb_append(&allow, routes[i].method);
    }
    if (allow.len == 0) {
        sb_free(&allow);
        api_answer_error(a, 404, "NotFound", "no such route", NULL);
        return;
    }
    char *msg = xasprintf("%s is not allowed here (allowed: %s)", req->method, sb_str(&allow));
    api_answer_error(a, 405, "MethodNotAllowed", msg, NULL);
    free(msg);
    a->allow = sb_steal(&allow);
}
