/*
 * sqlite_migrations.c — the SQLite store's migrations table: create, read,
 * list, delete, and the fenced writes of the state and the spec.
 *
 * The spec (spec_json) holds passwords: it is stored and handed back to the
 * caller, and never appears in an error text.
 */
#include "store/sqlite_internal.h"

#include "model/status.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns every read of a migration selects, in the order read_row reads them. */
#define MIGRATION_COLUMNS                                                                          \
    "id, name, spec_json, state_json, status, substatus, active, created, updated, "               \
    "window_start, starts, lease_owner, lease_pid, lease_node, lease_expires, lease_epoch, "       \
    "stale_writes"

/* Reads a row of MIGRATION_COLUMNS into m. */
static void read_row(sqlite3_stmt *s, struct store_migration *m)
{
    *m = (struct store_migration){
        .id = sqlite3_column_int64(s, 0),
        .name = sqlite__column_text(s, 1),
        .spec_json = sqlite__column_text(s, 2),
        .state_json = sqlite__column_text(s, 3),
        .status = sqlite__column_text(s, 4),
        .substatus = sqlite__column_text(s, 5),
        .active = sqlite3_column_int(s, 6) != 0,
        .created = sqlite3_column_double(s, 7),
        .updated = sqlite3_column_double(s, 8),
        .window_start = sqlite3_column_double(s, 9),
        .starts = sqlite3_column_int(s, 10),
        .lease_owner = sqlite__column_text(s, 11),
        .lease_pid = sqlite3_column_int64(s, 12),
        .lease_node = sqlite__column_text(s, 13),
        .lease_expires = sqlite3_column_double(s, 14),
        .lease_epoch = sqlite3_column_int64(s, 15),
        .stale_writes = sqlite3_column_int64(s, 16),
    };
}

static const char sql_create[] =
    "INSERT INTO migrations (name, spec_json, status, substatus, active, created, updated, "
    "window_start) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6)";

enum store_rc sqlite_migration_create(struct store *st, const char *name, const char *spec_json,
                                      double window_start, int64_t *id, char **error)
{
    const char *doing = "creating a migration";
    sqlite3_stmt *s = sqlite__stmt(st, sql_create, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    sqlite__bind_text(s, 2, spec_json);
    sqlite__bind_text(s, 3, mig_status_name(MIG_IN_PROGRESS));
    sqlite__bind_text(s, 4, mig_substatus_name(SUB_PREREQUISITES));
    sqlite3_bind_double(s, 5, time_wall());
    sqlite3_bind_double(s, 6, window_start);
    enum store_rc rc = STORE_OK;
    if (sqlite3_step(s) == SQLITE_DONE) {
        if (id != NULL)
            *id = sqlite3_last_insert_rowid(sqlite__db(st));
    } else if (sqlite3_extended_errcode(sqlite__db(st)) == SQLITE_CONSTRAINT_UNIQUE) {
        rc = STORE_CONFLICT;
    } else {
        rc = sqlite__fail(st, doing, error);
    }
    sqlite3_reset(s);
    return rc;
}

/* Reads the one row s selects into out: STORE_OK, STORE_NOT_FOUND (out zeroed) or STORE_ERROR. */
static enum store_rc get_one(struct store *st, sqlite3_stmt *s, struct store_migration *out,
                             const char *doing, char **error)
{
    *out = (struct store_migration){0};
    int step = sqlite3_step(s);
    enum store_rc rc = STORE_OK;
    if (step == SQLITE_ROW)
        read_row(s, out);
    else if (step == SQLITE_DONE)
        rc = STORE_NOT_FOUND;
    else
        rc = sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    return rc;
}

static const char sql_get[] = "SELECT " MIGRATION_COLUMNS " FROM migrations WHERE name = ?";
static const char sql_get_id[] = "SELECT " MIGRATION_COLUMNS " FROM migrations WHERE id = ?";

enum store_rc sqlite_migration_get(struct store *st, const char *name, struct store_migration *out,
                                   char **error)
{
    char doing[128];
    snprintf(doing, sizeof(doing), "reading migration \"%.64s\"", name ? name : "");
    sqlite3_stmt *s = sqlite__stmt(st, sql_get, doing, error);
    if (s == NULL) {
        *out = (struct store_migration){0};
        return STORE_ERROR;
    }
    sqlite__bind_text(s, 1, name);
    return get_one(st, s, out, doing, error);
}

enum store_rc sqlite_migration_get_id(struct store *st, int64_t id, struct store_migration *out,
                                      char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "reading migration %lld", (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, sql_get_id, doing, error);
    if (s == NULL) {
        *out = (struct store_migration){0};
        return STORE_ERROR;
    }
    sqlite3_bind_int64(s, 1, id);
    return get_one(st, s, out, doing, error);
}

static const char sql_list[] = "SELECT " MIGRATION_COLUMNS " FROM migrations "
                               "WHERE ?1 = 0 OR active = 1 ORDER BY created DESC, id DESC";

enum store_rc sqlite_migration_list(struct store *st, bool active_only,
                                    struct store_migration **out, size_t *n, char **error)
{
    const char *doing = "listing the migrations";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = sqlite__stmt(st, sql_list, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, active_only ? 1 : 0);
    struct store_migration *ms = NULL;
    size_t count = 0, cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            ms = xrealloc(ms, cap * sizeof(*ms));
        }
        read_row(s, &ms[count++]);
    }
    if (step != SQLITE_DONE) {
        enum store_rc rc = sqlite__fail(st, doing, error);
        sqlite3_reset(s);
        store_migration_list_free(ms, count);
        return rc;
    }
    sqlite3_reset(s);
    *out = ms;
    *n = count;
    return STORE_OK;
}

static const char sql_delete[] = "DELETE FROM migrations WHERE name = ?";

enum store_rc sqlite_migration_delete(struct store *st, const char *name, char **error)
{
    char doing[128];
    snprintf(doing, sizeof(doing), "deleting migration \"%.64s\"", name ? name : "");
    sqlite3_stmt *s = sqlite__stmt(st, sql_delete, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, name);
    return sqlite__run_one(st, s, doing, error);
}

/*
 * The holder's write: only while lease_owner and lease_epoch are the
 * fence's (its lease may have just expired: as long as nobody took it over,
 * the holder still holds it, the same rule as store_lease_renew).
 */
static const char sql_set_state_owner[] =
    "UPDATE migrations SET state_json = ?1, status = ?2, substatus = ?3, active = ?4, "
    "updated = ?5 WHERE id = ?6 AND lease_owner = ?7 AND lease_epoch = ?8";
/*
 * The write of no owner (supervisor, API): only without a live lease. It
 * also clears an expired lease, so that a stalled worker that comes back
 * finds its lease gone (renew and set_state answer STORE_CONFLICT) instead
 * of writing over the supervisor's verdict.
 */
static const char sql_set_state_free[] =
    "UPDATE migrations SET state_json = ?1, status = ?2, substatus = ?3, active = ?4, "
    "updated = ?5, lease_owner = NULL, lease_pid = 0, lease_node = NULL, lease_expires = 0 "
    "WHERE id = ?6 AND (lease_owner IS NULL OR lease_expires <= ?5)";

enum store_rc sqlite_migration_set_state(struct store *st, int64_t id,
                                         const struct store_fence *fence, const char *state_json,
                                         const char *status, const char *substatus, bool active,
                                         char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "writing the state of migration %lld", (long long) id);
    sqlite3_stmt *s =
        sqlite__stmt(st, fence ? sql_set_state_owner : sql_set_state_free, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, state_json);
    sqlite__bind_text(s, 2, status);
    sqlite__bind_text(s, 3, substatus);
    sqlite3_bind_int(s, 4, active ? 1 : 0);
    sqlite3_bind_double(s, 5, time_wall());
    sqlite3_bind_int64(s, 6, id);
    if (fence != NULL) {
        sqlite__bind_text(s, 7, fence->owner);
        sqlite3_bind_int64(s, 8, fence->epoch);
    }
    return sqlite__run_leased(st, s, id, fence, doing, error);
}

static const char sql_set_spec[] = "UPDATE migrations SET spec_json = ?1 WHERE id = ?2";

enum store_rc sqlite_migration_set_spec(struct store *st, int64_t id, const char *spec_json,
                                        char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "writing the spec of migration %lld", (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, sql_set_spec, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite__bind_text(s, 1, spec_json);
    sqlite3_bind_int64(s, 2, id);
    return sqlite__run_one(st, s, doing, error);
}
