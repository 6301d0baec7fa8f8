/*
 * routes_common.c — what several handlers need: a migration loaded from the
 * store with its spec and state read (404 when there is none), its resource
 * (with the node running it), and a request body read as JSON.
 */
#include "api/api_internal.h"
#include "model/migration_json.h"
#include "model/resource_json.h"
#include "model/state_json.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void api_answer_store_error(struct api_answer *a, char *error)
{
    api_answer_error(a, 500, "StoreError", error ? error : "the state store failed", NULL);
    free(error);
}

bool api_migration_read(struct store_migration *row, struct api_migration *m, struct api_answer *a)
{
    memset(m, 0, sizeof(*m));
    m->row = *row;
    memset(row, 0, sizeof(*row));
    char *error = NULL;
    if (!migration_spec_from_json_text(m->row.spec_json, &m->spec, &error)) {
        char *msg = xasprintf("the stored spec of \"%s\" cannot be read: %s", m->row.name, error);
        free(error);
        api_answer_error(a, 500, "StoreError", msg, NULL);
        free(msg);
        store_migration_free(&m->row);
        return false;
    }
    if (m->row.state_json) {
        json_t *doc = json_loads(m->row.state_json, 0, NULL);
        m->has_state = doc && migration_state_from_json(doc, &m->state, &error);
        json_decref(doc);
        /* a state this build cannot read: the migration is served without figures */
        free(error);
    }
    return true;
}

bool api_migration_load(struct store *st, const char *name, struct api_migration *m,
                        struct api_answer *a)
{
    memset(m, 0, sizeof(*m));
    char *error = NULL;
    char *rule = NULL;
    bool valid = migration_name_check(name, &rule);
    free(rule);
    struct store_migration row;
    enum store_rc rc = valid ? store_migration_get(st, name, &row, &error) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND) {
        free(error);
        /* a name outside the rule is not quoted back: it may be anything */
        char *msg =
            !valid ? xstrdup("no such migration") : xasprintf("no migration named \"%s\"", name);
        api_answer_error(a, 404, "NotFound", msg, "name");
        free(msg);
        return false;
    }
    if (rc != STORE_OK) {
        api_answer_store_error(a, error);
        return false;
    }
    return api_migration_read(&row, m, a);
}

struct store *api_migration_open(struct api_ctx *ctx, const struct api_request *req,
                                 struct api_migration *m, struct api_answer *a)
{
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    if (st == NULL) {
        api_answer_store_error(a, error);
        return NULL;
    }
    if (!api_migration_load(st, req->params[0], m, a)) {
        api_store_give(ctx, st);
        return NULL;
    }
    return st;
}

void api_migration_free(struct api_migration *m)
{
    if (m->has_state)
        migration_state_free(&m->state);
    migration_spec_free(&m->spec);
    store_migration_free(&m->row);
    memset(m, 0, sizeof(*m));
}

json_t *api_migration_resource(struct api_ctx *ctx, const struct api_migration *m)
{
    struct resource_times times = {.created = m->row.created, .updated = m->row.updated};
    json_t *doc = migration_resource_to_json(m->row.name, &m->spec, m->has_state ? &m->state : NULL,
                                             &times, ctx->conninfo.mask);
    /* the model knows no store, hence no lease: the node is the API's to add */
    const char *node = api_migration_node(&m->row, time_wall());
    json_object_set_new(json_object_get(doc, "properties"), "node",
                        node ? json_string(node) : json_null());
    return doc;
}

/* true for "application/json", with parameters (charset) allowed after a ';'. */
static bool is_json_type(const char *type)
{
    static const char json[] = "application/json";
    if (type == NULL || strncasecmp(type, json, sizeof(json) - 1) != 0)
        return false;
    char next = type[sizeof(json) - 1];
    return next == '\0' || next == ';' || next == ' ';
}

bool api_body_json(const struct api_request *req, json_t **doc, struct api_answer *a)
{
    *doc = NULL;
    if (!is_json_type(req->content_type)) {
        api_answer_error(a, 415, "UnsupportedMediaType",
                         "the request body must be JSON (Content-Type: application/json)", NULL);
        return false;
    }
    json_error_t jerr;
    *doc = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (*doc == NULL) {
        /* jansson quotes the text "near" the fault, which may be part of a password: cut it */
        char *near = strstr(jerr.text, " near '");
        if (near)
            *near = '\0';
        char *msg = xasprintf("the request body is not valid JSON: %s (line %d, column %d)",
                              jerr.text, jerr.line, jerr.column);
        api_answer_error(a, 400, "InvalidJson", msg, NULL);
        free(msg);
        return false;
    }
    if (!json_is_object(*doc)) {
        json_decref(*doc);
        *doc = NULL;
        api_answer_error(a, 400, "InvalidJson", "the request body must be a JSON object", NULL);
        return false;
    }
    return true;
}
