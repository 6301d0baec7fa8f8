/*
 * pg_migrations.c — the PostgreSQL store's migrations table: create, read,
 * list, delete, and the fenced writes of the state and the spec.
 *
 * The spec (spec_json) holds passwords: it is stored sealed with the
 * secret key (context "spec"), opened as it is read, and never appears in
 * an error text.
 */
#include "store/pg_internal.h"

#include "model/status.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include "sql_embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_CONTEXT "spec"

/* Row i of r (PG_MIGRATION_COLUMNS) into m, its spec opened: STORE_OK or STORE_ERROR. */
static enum store_rc read_row(struct store *st, const PGresult *r, int i, struct store_migration *m,
                              const char *doing, char **error)
{
    *m = (struct store_migration){
        .id = pg__int(r, i, 0),
        .name = pg__text(r, i, 1),
        .state_json = pg__text(r, i, 3),
        .status = pg__text(r, i, 4),
        .substatus = pg__text(r, i, 5),
        .active = pg__bool(r, i, 6),
        .created = pg__double(r, i, 7),
        .updated = pg__double(r, i, 8),
        .window_start = pg__double(r, i, 9),
        .starts = (int) pg__int(r, i, 10),
        .lease_owner = pg__text(r, i, 11),
        .lease_pid = pg__int(r, i, 12),
        .lease_node = pg__text(r, i, 13),
        .lease_expires = pg__double(r, i, 14),
        .lease_epoch = pg__int(r, i, 15),
        .stale_writes = pg__int(r, i, 16),
    };
    enum store_rc rc =
        pg__unseal(st, PQgetvalue(r, i, 2), SPEC_CONTEXT, &m->spec_json, doing, error);
    if (rc != STORE_OK)
        store_migration_free(m);
    return rc;
}

enum store_rc pg_migration_rows(struct store *st, const PGresult *r, struct store_migration **out,
                                size_t *n, const char *doing, char **error)
{
    size_t count = (size_t) PQntuples(r);
    struct store_migration *ms = count > 0 ? xcalloc(count, sizeof(*ms)) : NULL;
    for (size_t i = 0; i < count; i++) {
        enum store_rc rc = read_row(st, r, (int) i, &ms[i], doing, error);
        if (rc != STORE_OK) {
            store_migration_list_free(ms, i);
            return rc;
        }
    }
    *out = ms;
    *n = count;
    return STORE_OK;
}

static const char sql_create[] =
    "INSERT INTO migrations (name, spec_json, status, substatus, active, created, updated, "
    "window_start) VALUES ($1, $2, $3, $4, true, $5, $5, $6) RETURNING id";

enum store_rc pg_migration_create(struct store *st, const char *name, const char *spec_json,
                                  double window_start, int64_t *id, char **error)
{
    const char *doing = "creating a migration";
    if (name == NULL || spec_json == NULL)
        return pg__fail(st, doing, "no name or spec given", error);
    char *sealed = pg__seal(st, spec_json, SPEC_CONTEXT, doing, error);
    if (sealed == NULL)
        return STORE_ERROR;
    struct pg_params p = {0};
    pg__param_text(&p, name);
    pg__param_text(&p, sealed);
    pg__param_text(&p, mig_status_name(MIG_IN_PROGRESS));
    pg__param_text(&p, mig_substatus_name(SUB_PREREQUISITES));
    pg__param_double(&p, time_wall());
    pg__param_double(&p, window_start);
    char state[6];
    char *err = NULL;
    PGresult *r = pg__exec(st, sql_create, &p, doing, state, &err);
    free(sealed);
    if (r == NULL) {
        bool unique = strcmp(state, "23505") == 0;
        if (!unique)
            store__give_error(error, err);
        else
            free(err);
        return unique ? STORE_CONFLICT : STORE_ERROR;
    }
    if (id != NULL)
        *id = pg__int(r, 0, 0);
    PQclear(r);
    return STORE_OK;
}

/* Reads the one row sql selects with p into out: STORE_OK, STORE_NOT_FOUND (out zeroed),
 * STORE_ERROR. */
static enum store_rc get_one(struct store *st, const char *sql, const struct pg_params *p,
                             struct store_migration *out, const char *doing, char **error)
{
    *out = (struct store_migration){0};
    PGresult *r = pg__exec(st, sql, p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = PQntuples(r) == 0 ? STORE_NOT_FOUND : read_row(st, r, 0, out, doing, error);
    PQclear(r);
    return rc;
}

static const char sql_get[] = "SELECT " PG_MIGRATION_COLUMNS " FROM migrations WHERE name = $1";
static const char sql_get_id[] = "SELECT " PG_MIGRATION_COLUMNS " FROM migrations WHERE id = $1";

enum store_rc pg_migration_get(struct store *st, const char *name, struct store_migration *out,
                               char **error)
{
    char doing[128];
    snprintf(doing, sizeof(doing), "reading migration \"%.64s\"", name ? name : "");
    struct pg_params p = {0};
    pg__param_text(&p, name);
    return get_one(st, sql_get, &p, out, doing, error);
}

enum store_rc pg_migration_get_id(struct store *st, int64_t id, struct store_migration *out,
                                  char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "reading migration %lld", (long long) id);
    struct pg_params p = {0};
    pg__param_int(&p, id);
    return get_one(st, sql_get_id, &p, out, doing, error);
}

static const char sql_list[] = "SELECT " PG_MIGRATION_COLUMNS " FROM migrations "
                               "WHERE NOT $1 OR active ORDER BY created DESC, id DESC";

enum store_rc pg_migration_list(struct store *st, bool active_only, struct store_migration **out,
                                size_t *n, char **error)
{
    const char *doing = "listing the migrations";
    struct pg_params p = {0};
    pg__param_bool(&p, active_only);
    PGresult *r = pg__exec(st, sql_list, &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = pg_migration_rows(st, r, out, n, doing, error);
    PQclear(r);
    return rc;
}

/* One statement: its events, requests and restarts go with it (ON DELETE CASCADE). */
enum store_rc pg_migration_delete(struct store *st, const char *name, char **error)
{
    char doing[128];
    snprintf(doing, sizeof(doing), "deleting migration \"%.64s\"", name ? name : "");
    struct pg_params p = {0};
    pg__param_text(&p, name);
    int changed = 0;
    enum store_rc rc =
        pg__run(st, "DELETE FROM migrations WHERE name = $1", &p, doing, &changed, error);
    return rc == STORE_OK && changed == 0 ? STORE_NOT_FOUND : rc;
}

enum store_rc pg_migration_set_state(struct store *st, int64_t id, const struct store_fence *fence,
                                     const char *state_json, const char *status,
                                     const char *substatus, bool active, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "writing the state of migration %lld", (long long) id);
    struct pg_params p = {0};
    pg__param_text(&p, state_json);
    pg__param_text(&p, status);
    pg__param_text(&p, substatus);
    pg__param_bool(&p, active);
    pg__param_double(&p, time_wall());
    pg__param_int(&p, id);
    if (fence != NULL) {
        pg__param_text(&p, fence->owner);
        pg__param_int(&p, fence->epoch);
    }
    const char *sql = sql_text(fence ? "store_pg_set_state_fenced" : "store_pg_set_state_free");
    int changed = 0;
    enum store_rc rc = pg__run(st, sql, &p, doing, &changed, error);
    if (rc != STORE_OK || changed > 0)
        return rc;
    return pg__refused(st, id, fence, doing, error);
}

enum store_rc pg_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                    char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "writing the spec of migration %lld", (long long) id);
    char *sealed = pg__seal(st, spec_json, SPEC_CONTEXT, doing, error);
    if (sealed == NULL)
        return STORE_ERROR;
    struct pg_params p = {0};
    pg__param_text(&p, sealed);
    pg__param_int(&p, id);
    int changed = 0;
    enum store_rc rc = pg__run(st, "UPDATE migrations SET spec_json = $1 WHERE id = $2", &p, doing,
                               &changed, error);
    free(sealed);
    return rc == STORE_OK && changed == 0 ? STORE_NOT_FOUND : rc;
}
