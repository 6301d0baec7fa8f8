/*
 * pg_events.c — the PostgreSQL store: what accumulates under a migration,
 * its events, the users' requests and the workers' restarts.
 *
 * As in SQLite: each row belongs to one migration (ON DELETE CASCADE);
 * adding one to a migration that does not exist answers STORE_NOT_FOUND (a
 * foreign key violation, 23503), as does reading those of one that does not.
 * A worker's event or request poll carries its fence.
 */
#include "store/pg_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs an INSERT under a migration: a missing migration (a foreign key violation) is NOT_FOUND. */
static enum store_rc insert(struct store *st, const char *sql, const struct pg_params *p,
                            const char *doing, char **error)
{
    char state[6];
    char *err = NULL;
    PGresult *r = pg__exec(st, sql, p, doing, state, &err);
    if (r != NULL) {
        PQclear(r);
        return STORE_OK;
    }
    if (strcmp(state, "23503") == 0) {
        free(err);
        return STORE_NOT_FOUND;
    }
    store__give_error(error, err);
    return STORE_ERROR;
}

/* ---- events ---------------------------------------------------------- */

static const char sql_event_add[] =
    "INSERT INTO events (migration_id, at, kind, json) VALUES ($1, $2, $3, $4)";
/* The worker's event: inserted only while its fence holds the lease. */
static const char sql_event_add_fenced[] =
    "INSERT INTO events (migration_id, at, kind, json) SELECT id, $2, $3, $4 FROM migrations "
    "WHERE id = $1 AND lease_owner = $5 AND lease_epoch = $6";

enum store_rc pg_event_append(struct store *st, int64_t id, const struct store_fence *fence,
                              double at, const char *kind, const char *json, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "adding an event to migration %lld", (long long) id);
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_double(&p, at);
    pg__param_text(&p, kind);
    pg__param_text(&p, json);
    if (fence == NULL)
        return insert(st, sql_event_add, &p, doing, error);
    pg__param_text(&p, fence->owner);
    pg__param_int(&p, fence->epoch);
    int changed = 0;
    enum store_rc rc = pg__run(st, sql_event_add_fenced, &p, doing, &changed, error);
    if (rc != STORE_OK || changed > 0)
        return rc;
    return pg__refused(st, id, fence, doing, error);
}

/* LIMIT NULL is none. */
static const char sql_event_list[] = "SELECT seq, at, kind, json FROM events "
                                     "WHERE migration_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

enum store_rc pg_event_list(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                            struct store_event **out, size_t *n, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "reading the events of migration %lld", (long long) id);
    enum store_rc rc = pg__migration_exists(st, id, doing, error);
    if (rc != STORE_OK)
        return rc;
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_int(&p, after_seq);
    if (limit == 0 || limit > INT64_MAX)
        pg__param_text(&p, NULL);
    else
        pg__param_int(&p, (int64_t) limit);
    PGresult *r = pg__exec(st, sql_event_list, &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    size_t count = (size_t) PQntuples(r);
    struct store_event *evs = count > 0 ? xcalloc(count, sizeof(*evs)) : NULL;
    for (size_t i = 0; i < count; i++) {
        evs[i] = (struct store_event){
            .seq = pg__int(r, (int) i, 0),
            .at = pg__double(r, (int) i, 1),
            .kind = pg__text(r, (int) i, 2),
            .json = pg__text(r, (int) i, 3),
        };
    }
    PQclear(r);
    *out = evs;
    *n = count;
    return STORE_OK;
}

/* ---- requests -------------------------------------------------------- */

static const char sql_request_add[] =
    "INSERT INTO requests (migration_id, kind, databases_json, at) VALUES ($1, $2, $3, $4)";

enum store_rc pg_request_add(struct store *st, int64_t id, enum store_request_kind kind,
                             const char *databases_json, char **error)
{
    char doing[80];
    snprintf(doing, sizeof(doing), "recording a %s request for migration %lld",
             store__request_word(kind), (long long) id);
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_text(&p, store__request_word(kind));
    pg__param_text(&p, databases_json);
    pg__param_double(&p, time_wall());
    return insert(st, sql_request_add, &p, doing, error);
}

static const char sql_request_list[] = "SELECT seq, kind, databases_json, at FROM requests "
                                       "WHERE migration_id = $1 AND ($2 OR NOT taken) ORDER BY seq";
static const char sql_request_mark[] =
    "UPDATE requests SET taken = true WHERE migration_id = $1 AND NOT taken AND seq <= $2";

/* The requests r holds into *out: STORE_OK, or STORE_ERROR for a kind this build does not know. */
static enum store_rc read_requests(struct store *st, const PGresult *r, struct store_request **out,
                                   size_t *n, const char *doing, char **error)
{
    size_t count = (size_t) PQntuples(r);
    struct store_request *rs = count > 0 ? xcalloc(count, sizeof(*rs)) : NULL;
    for (size_t i = 0; i < count; i++) {
        enum store_request_kind kind;
        const char *word = PQgetvalue(r, (int) i, 1);
        if (!store__request_kind_parse(word, &kind)) {
            char *msg = xasprintf("request %s has an unknown kind \"%.32s\"",
                                  PQgetvalue(r, (int) i, 0), word);
            pg__fail(st, doing, msg, error);
            free(msg);
            store_request_list_free(rs, i);
            return STORE_ERROR;
        }
        rs[i] = (struct store_request){
            .seq = pg__int(r, (int) i, 0),
            .kind = kind,
            .databases_json = pg__text(r, (int) i, 2),
            .at = pg__double(r, (int) i, 3),
        };
    }
    *out = rs;
    *n = count;
    return STORE_OK;
}

/* In the caller's transaction, the migration's row locked: read, then mark taken. */
static enum store_rc take_locked(struct store *st, int64_t id, bool all, struct store_request **out,
                                 size_t *n, const char *doing, char **error)
{
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_bool(&p, all);
    PGresult *r = pg__exec(st, sql_request_list, &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = read_requests(st, r, out, n, doing, error);
    PQclear(r);
    if (rc != STORE_OK || *n == 0)
        return rc;
    struct pg_params m = {0};
    pg__param_int(&m, id);
    pg__param_int(&m, (*out)[*n - 1].seq);
    rc = pg__run(st, sql_request_mark, &m, doing, NULL, error);
    if (rc != STORE_OK) {
        store_request_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* $2 NULL: no fence to check. */
static const char sql_request_pending[] =
    "SELECT $2::text IS NULL OR (lease_owner = $2 AND lease_epoch = $3::bigint), "
    "EXISTS (SELECT 1 FROM requests WHERE migration_id = $1 AND NOT taken) "
    "FROM migrations WHERE id = $1";

/*
 * A worker polls twice a second and nearly always finds nothing: a plain
 * read says so without the row lock, whose commit would flush the WAL.
 * true (*rc set) when that settles the poll: nothing to take (STORE_OK),
 * no such migration; false when there is something to take, or the fence
 * does not hold (the locked path refuses and counts it).
 */
static bool nothing_pending(struct store *st, int64_t id, const struct store_fence *fence,
                            const char *doing, enum store_rc *rc, char **error)
{
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_text(&p, fence ? fence->owner : NULL);
    pg__param_int(&p, fence ? fence->epoch : 0);
    PGresult *r = pg__exec(st, sql_request_pending, &p, doing, NULL, error);
    if (r == NULL) {
        *rc = STORE_ERROR;
        return true;
    }
    bool settled = true;
    if (PQntuples(r) == 0)
        *rc = STORE_NOT_FOUND;
    else if (pg__bool(r, 0, 0) && !pg__bool(r, 0, 1))
        *rc = STORE_OK;
    else
        settled = false;
    PQclear(r);
    return settled;
}

/*
 * One transaction holding the migration's row (FOR UPDATE): two takers
 * never both take a request, and a fence that no longer holds the lease
 * takes nothing (counted once the transaction is over). A poll with
 * nothing to take reads only (nothing_pending).
 */
enum store_rc pg_request_take(struct store *st, int64_t id, const struct store_fence *fence,
                              bool all, struct store_request **out, size_t *n, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "taking the requests of migration %lld", (long long) id);
    *out = NULL;
    *n = 0;
    enum store_rc rc = STORE_OK;
    if (!all && nothing_pending(st, id, fence, doing, &rc, error))
        return rc;
    rc = pg__begin(st, doing, error);
    if (rc != STORE_OK)
        return rc;
    rc = pg__lock_migration(st, id, fence, doing, error);
    if (rc == STORE_OK)
        rc = take_locked(st, id, all, out, n, doing, error);
    if (rc == STORE_OK)
        rc = pg__commit(st, doing, error);
    else
        pg__rollback(st);
    if (rc != STORE_OK) {
        store_request_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc == STORE_CONFLICT ? pg__count_stale(st, id, doing, error) : rc;
}

/* ---- restarts -------------------------------------------------------- */

static const char sql_restart_add[] =
    "INSERT INTO restarts (migration_id, at, reason) VALUES ($1, $2, $3)";

enum store_rc pg_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "recording a restart of migration %lld", (long long) id);
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_double(&p, at);
    pg__param_text(&p, reason);
    return insert(st, sql_restart_add, &p, doing, error);
}

static const char sql_restart_count[] =
    "SELECT count(*) FROM restarts WHERE migration_id = $1 AND at >= $2";

enum store_rc pg_restart_count(struct store *st, int64_t id, double since, int *count, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "counting the restarts of migration %lld", (long long) id);
    enum store_rc rc = pg__migration_exists(st, id, doing, error);
    if (rc != STORE_OK)
        return rc;
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_double(&p, since);
    PGresult *r = pg__exec(st, sql_restart_count, &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    *count = (int) pg__int(r, 0, 0);
    PQclear(r);
    return STORE_OK;
}
