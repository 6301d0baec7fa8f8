/*
 * routes_migrations.c — the migration resource: list, create (PUT), get,
 * the users' requests (PATCH: cutover, cancel, overwrite confirmation) and
 * DELETE. Requests are recorded in the store for the worker, which takes
 * them within a second (docs/SERVICE.md); the API never talks to a worker.
 *
 * A rejected request writes nothing to the store. No answer, error message
 * or log line carries a connection string unmasked or a password.
 */
#include "api/api_internal.h"
#include "model/migration_json.h"
#include "model/resource_json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/statedir.h"
#include "util/timeutil.h"

#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void api_route_list(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    const char *filter = req->query(req, "filter");
    bool active_only = false;
    if (filter && strcmp(filter, "Active") == 0)
        active_only = true;
    else if (filter && strcmp(filter, "All") != 0) {
        api_answer_error(a, 400, "InvalidParameter", "filter must be Active or All", "filter");
        return;
    }
    const char *view = req->query(req, "view");
    bool grid = view && strcmp(view, "grid") == 0;
    if (view && !grid && strcmp(view, "full") != 0) {
        api_answer_error(a, 400, "InvalidParameter", "view must be full or grid", "view");
        return;
    }
    char *error = NULL;
    struct store *st = api_store_take(ctx, &error);
    struct store_migration *rows = NULL;
    size_t n = 0;
    if (st == NULL || store_migration_list(st, active_only, &rows, &n, &error) != STORE_OK) {
        api_store_give(ctx, st);
        api_answer_store_error(a, error);
        return;
    }
    json_t *value = json_array();
    for (size_t i = 0; i < n; i++) {
        struct api_migration m;
        struct api_answer skipped = {0}; /* a row whose spec cannot be read is left out */
        if (api_migration_read(&rows[i], &m, &skipped)) {
            json_t *r = api_migration_resource(ctx, &m);
            if (grid)
                migration_resource_trim_for_grid(r);
            json_array_append_new(value, r);
            api_migration_free(&m);
        }
        api_answer_free(&skipped);
    }
    store_migration_list_free(rows, n);
    api_store_give(ctx, st);
    api_answer_json(a, 200, json_pack("{s:o}", "value", value));
}

void api_route_get(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    struct api_migration m;
    struct store *st = api_migration_open(ctx, req, &m, a);
    if (st == NULL)
        return;
    api_answer_json(a, 200, api_migration_resource(ctx, &m));
    api_migration_free(&m);
    api_store_give(ctx, st);
}

/* ---- create ------------------------------------------------------------ */

void api_route_create(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    const char *name = req->params[0];
    char *error = NULL;
    if (!migration_name_check(name, &error)) {
        api_answer_invalid(a, error, "name");
        free(error);
        return;
    }
    struct migration_spec spec;
    if (!api_spec_body_read(ctx, req, name, false, &spec, a))
        return;
    json_t *doc = migration_spec_to_json(&spec, SPEC_JSON_WITH_SECRETS, NULL);
    char *spec_json = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    double window = spec.window_start;
    migration_spec_free(&spec);

    struct store *st = api_store_take(ctx, &error);
    int64_t id = 0;
    enum store_rc rc =
        st ? store_migration_create(st, name, spec_json, window, &id, &error) : STORE_ERROR;
    free(spec_json);
    if (rc == STORE_CONFLICT) {
        free(error);
        char *msg = xasprintf("a migration named \"%s\" exists", name);
        api_answer_error(a, 409, "Conflict", msg, "name");
        free(msg);
    } else if (rc != STORE_OK)
        api_answer_store_error(a, error);
    else {
        log_msg(LOG_INFO, "api: created migration %s", name);
        struct api_migration m;
        if (api_migration_load(st, name, &m, a)) {
            api_answer_json(a, 201, api_migration_resource(ctx, &m));
            a->location = xasprintf("/api/v1/migrations/%s", name);
            api_migration_free(&m);
        }
    }
    api_store_give(ctx, st);
}

/* ---- requests: PATCH and DELETE ---------------------------------------- */

/* What a PATCH asks for. */
struct patch {
    enum store_request_kind kind;
    const char *flag; /* the property that asks: triggerCutover, cancel, overwriteDbsInTarget */
    const char *dbs_field; /* the property naming some databases, or NULL */
    json_t *dbs;           /* borrowed: that array, or NULL for the whole migration */
};

static const struct patch patch_kinds[] = {
    {STORE_REQ_CUTOVER, "triggerCutover", "dbsToTriggerCutoverOn", NULL},
    {STORE_REQ_CANCEL, "cancel", "dbsToCancelMigrationOn", NULL},
    {STORE_REQ_OVERWRITE, "overwriteDbsInTarget", NULL, NULL},
};

#define N_PATCH_KINDS (sizeof(patch_kinds) / sizeof(patch_kinds[0]))

/* Reads {"properties": {...}} into p; false with a 400. */
static bool read_patch(const json_t *body, struct patch *p, struct api_answer *a)
{
    const char *key;
    json_t *v, *props = NULL;
    json_object_foreach((json_t *) body, key, v)
    {
        if (strcmp(key, "properties") != 0) {
            char *msg = xasprintf("unknown field \"%s\"", key);
            api_answer_invalid(a, msg, key);
            free(msg);
            return false;
        }
        props = v;
    }
    if (!json_is_object(props)) {
        api_answer_invalid(a,
                           "properties must be an object with triggerCutover, cancel or "
                           "overwriteDbsInTarget",
                           "properties");
        return false;
    }
    int chosen = -1;
    json_t *dbs = NULL;
    const char *dbs_key = NULL;
    json_object_foreach(props, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < N_PATCH_KINDS; i++) {
            if (strcmp(key, patch_kinds[i].flag) == 0) {
                if (!json_is_true(v)) {
                    char *msg = xasprintf("%s must be true", key);
                    api_answer_invalid(a, msg, key);
                    free(msg);
                    return false;
                }
                if (chosen >= 0 && chosen != (int) i) {
                    api_answer_invalid(
                        a,
                        "ask for one of triggerCutover, cancel and overwriteDbsInTarget "
                        "at a time",
                        key);
                    return false;
                }
                chosen = (int) i;
                known = true;
            } else if (patch_kinds[i].dbs_field && strcmp(key, patch_kinds[i].dbs_field) == 0) {
                dbs = v;
                dbs_key = patch_kinds[i].dbs_field;
                known = true;
            }
        }
        if (!known) {
            char *msg = xasprintf("unknown field \"properties.%s\"", key);
            api_answer_invalid(a, msg, key);
            free(msg);
            return false;
        }
    }
    if (chosen < 0) {
        api_answer_invalid(a,
                           "properties must ask for triggerCutover, cancel or overwriteDbsInTarget",
                           "properties");
        return false;
    }
    *p = patch_kinds[chosen];
    if (dbs_key && (p->dbs_field == NULL || strcmp(dbs_key, p->dbs_field) != 0)) {
        char *msg =
            xasprintf("%s goes with %s", dbs_key,
                      strcmp(dbs_key, "dbsToCancelMigrationOn") == 0 ? "cancel" : "triggerCutover");
        api_answer_invalid(a, msg, dbs_key);
        free(msg);
        return false;
    }
    if (dbs && !json_is_array(dbs)) {
        char *msg = xasprintf("%s must be an array of database names", dbs_key);
        api_answer_invalid(a, msg, dbs_key);
        free(msg);
        return false;
    }
    p->dbs = dbs && json_array_size(dbs) > 0 ? dbs : NULL;
    return true;
}

/* Every database of p->dbs is one of the migration's; else a 400 naming the first that is not. */
static bool patch_databases_known(const struct patch *p, const struct migration_spec *spec,
                                  struct api_answer *a)
{
    size_t i;
    json_t *v;
    json_array_foreach(p->dbs, i, v)
    {
        if (!json_is_string(v)) {
            char *msg = xasprintf("%s must be an array of database names", p->dbs_field);
            api_answer_invalid(a, msg, p->dbs_field);
            free(msg);
            return false;
        }
        if (!sl_contains(&spec->databases, json_string_value(v))) {
            char *msg = xasprintf("%s: \"%s\" is not a database of this migration", p->dbs_field,
                                  json_string_value(v));
            api_answer_invalid(a, msg, p->dbs_field);
            free(msg);
            return false;
        }
    }
    return true;
}

/*
 * Whether the migration's state allows the request; else a 409 saying the
 * state. Cutover: an online migration not yet final (a request made before
 * every database streams waits for it, engine.h). Cancel: not final.
 * Overwrite: only while it waits for that confirmation, i.e. Waiting for
 * user action and not Waiting for cutover (the only other wait of that
 * status, docs/SERVICE.md).
 */
static bool patch_allowed(const struct patch *p, const struct api_migration *m,
                          struct api_answer *a)
{
    enum mig_status status;
    enum mig_substatus sub;
    bool have_status = mig_status_parse(m->row.status, &status);
    bool cutover_wait =
        mig_substatus_parse(m->row.substatus, &sub) && sub == SUB_WAITING_FOR_CUTOVER;
    const char *why = NULL;
    if (!m->row.active || (have_status && mig_status_is_final(status)))
        why = "it has ended";
    else if (p->kind == STORE_REQ_CUTOVER && m->spec.mode != MODE_ONLINE)
        why = "an offline migration has no cutover";
    else if (p->kind == STORE_REQ_OVERWRITE &&
             (!have_status || status != MIG_WAITING_FOR_USER || cutover_wait))
        why = "it does not wait for an overwrite confirmation";
    if (why == NULL)
        return true;
    char *msg = xasprintf("%s is not possible: %s (%s: %s / %s)", p->flag, why, m->row.name,
                          m->row.status, m->row.substatus);
    api_answer_error(a, 409, "InvalidState", msg, p->flag);
    free(msg);
    return false;
}

/* Records the overwrite confirmation in the spec too (the worker reads overwriteDbsInTarget). */
static bool spec_set_overwrite(struct store *st, struct api_migration *m, char **error)
{
    m->spec.overwrite = true;
    json_t *doc = migration_spec_to_json(&m->spec, SPEC_JSON_WITH_SECRETS, NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    enum store_rc rc = store_migration_set_spec(st, m->row.id, text, error);
    free(text);
    return rc == STORE_OK;
}

/* Records the request and its event; false with *error. */
static bool record_request(struct store *st, const struct api_migration *m,
                           enum store_request_kind kind, const json_t *dbs, char **error)
{
    char *dbs_json = dbs ? json_dumps(dbs, JSON_COMPACT) : NULL;
    bool ok = store_request_add(st, m->row.id, kind, dbs_json, error) == STORE_OK;
    if (ok) {
        json_t *ev = json_pack("{s:s, s:O}", "request", store_request_kind_name(kind), "databases",
                               dbs ? (json_t *) dbs : json_null());
        char *text = json_dumps(ev, JSON_COMPACT);
        json_decref(ev);
        ok = store_event_append(st, m->row.id, NULL, time_wall(), "request", text, error) ==
             STORE_OK;
        free(text);
    }
    free(dbs_json);
    return ok;
}

void api_route_patch(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    json_t *body;
    struct patch p;
    if (!api_body_json(req, &body, a))
        return;
    struct api_migration m;
    struct store *st = read_patch(body, &p, a) ? api_migration_open(ctx, req, &m, a) : NULL;
    if (st != NULL) {
        char *error = NULL;
        if (patch_databases_known(&p, &m.spec, a) && patch_allowed(&p, &m, a)) {
            bool done = (p.kind != STORE_REQ_OVERWRITE || spec_set_overwrite(st, &m, &error)) &&
                        record_request(st, &m, p.kind, p.dbs, &error);
            if (!done)
                api_answer_store_error(a, error);
            else {
                log_msg(LOG_INFO, "api: %s requested for migration %s",
                        store_request_kind_name(p.kind), m.row.name);
                api_answer_json(a, 202, api_migration_resource(ctx, &m));
            }
        }
        api_migration_free(&m);
        api_store_give(ctx, st);
    }
    json_decref(body);
}

/*
 * DELETE: a migration no worker runs any more (not active) is removed at
 * once (204); an active one gets a delete request (202): its worker cancels
 * it (slots, publications and the target databases it created are dropped)
 * and the supervisor removes it once it is final.
 */
void api_route_delete(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    struct api_migration m;
    struct store *st = api_migration_open(ctx, req, &m, a);
    if (st == NULL)
        return;
    char *error = NULL;
    if (m.row.active) {
        if (record_request(st, &m, STORE_REQ_DELETE, NULL, &error)) {
            log_msg(LOG_INFO, "api: delete requested for active migration %s", m.row.name);
            api_answer_json(a, 202, api_migration_resource(ctx, &m));
        } else
            api_answer_store_error(a, error);
    } else if (store_migration_delete(st, m.row.name, &error) == STORE_OK) {
        /* its worker's log goes with it, as when the supervisor removes one */
        char *log_path = state_dir_log_path(ctx->state_dir, m.row.name);
        if (unlink(log_path) != 0 && errno != ENOENT)
            log_msg(LOG_WARN, "api: cannot remove %s: %s", log_path, strerror(errno));
        free(log_path);
        log_msg(LOG_INFO, "api: deleted migration %s", m.row.name);
        api_answer_text(a, 204, xstrdup(""), "application/json");
    } else
        api_answer_store_error(a, error);
    api_migration_free(&m);
    api_store_give(ctx, st);
}
