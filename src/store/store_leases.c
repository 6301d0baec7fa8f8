/*
 * store_leases.c — a migration's lease: the one worker allowed to run it.
 *
 * A lease is (owner, pid, node, expires) on the migration's row. Who holds
 * it: the owner named in lease_owner. A lease past its expiry is no longer
 * live: another owner may take it (store_lease_acquire), and a write of no
 * owner (store_migration_set_state with owner NULL) clears it. Until one of
 * those happens, the owner still holds an expired lease: it may renew it and
 * write the state (a worker a little late to renew carries on; one whose
 * lease went to another stops).
 */
#include "store/internal.h"

#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char sql_lease_read[] =
    "SELECT lease_owner, lease_expires FROM migrations WHERE id = ?";
static const char sql_lease_take[] =
    "UPDATE migrations SET lease_owner = ?1, lease_pid = ?2, lease_node = ?3, "
    "lease_expires = ?4, starts = starts + ?5 WHERE id = ?6";

/* Reads the lease of id: STORE_OK (*same, *live set), STORE_NOT_FOUND or STORE_ERROR. */
static enum store_rc read_lease(struct store *st, int64_t id, const char *owner, double now,
                                bool *same, bool *live, const char *doing, char **error)
{
    sqlite3_stmt *s = store__stmt(st, sql_lease_read, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    int step = sqlite3_step(s);
    enum store_rc rc = STORE_OK;
    if (step == SQLITE_ROW) {
        const char *holder = (const char *) sqlite3_column_text(s, 0);
        *same = holder != NULL && strcmp(holder, owner) == 0;
        *live = holder != NULL && sqlite3_column_double(s, 1) > now;
    } else if (step == SQLITE_DONE) {
        rc = STORE_NOT_FOUND;
    } else {
        rc = store__fail(st, doing, error);
    }
    sqlite3_reset(s);
    return rc;
}

/* Read, decide and write in one BEGIN IMMEDIATE transaction: two takers never both win. */
enum store_rc store_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                                  const char *node, double ttl, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "taking the lease of migration %lld", (long long) id);
    if (owner == NULL)
        return store__fail_msg(st, doing, "no owner given", error);
    enum store_rc rc = store__begin(st, doing, error);
    if (rc != STORE_OK)
        return rc;
    double now = time_wall();
    bool same = false, live = false;
    rc = read_lease(st, id, owner, now, &same, &live, doing, error);
    if (rc != STORE_OK)
        goto done;
    if (live && !same) {
        rc = STORE_CONFLICT;
        goto done;
    }
    sqlite3_stmt *s = store__stmt(st, sql_lease_take, doing, error);
    if (s == NULL) {
        rc = STORE_ERROR;
        goto done;
    }
    store__bind_text(s, 1, owner);
    sqlite3_bind_int64(s, 2, pid);
    store__bind_text(s, 3, node);
    sqlite3_bind_double(s, 4, now + ttl);
    sqlite3_bind_int(s, 5, same ? 0 : 1); /* a new holder is one more start */
    sqlite3_bind_int64(s, 6, id);
    rc = store__run(st, s, doing, NULL, error);
    if (rc == STORE_OK)
        return store__commit(st, doing, error);

done:
    store__rollback(st);
    return rc;
}

static const char sql_lease_renew[] =
    "UPDATE migrations SET lease_expires = ?1 WHERE id = ?2 AND lease_owner = ?3";

enum store_rc store_lease_renew(struct store *st, int64_t id, const char *owner, double ttl,
                                char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "renewing the lease of migration %lld", (long long) id);
    sqlite3_stmt *s = store__stmt(st, sql_lease_renew, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_double(s, 1, time_wall() + ttl);
    sqlite3_bind_int64(s, 2, id);
    store__bind_text(s, 3, owner);
    return store__run_leased(st, s, id, doing, error);
}

static const char sql_lease_release[] =
    "UPDATE migrations SET lease_owner = NULL, lease_pid = 0, lease_node = NULL, "
    "lease_expires = 0 WHERE id = ?1 AND lease_owner = ?2";

/* STORE_OK also when the migration is gone: its owner holds nothing to give up. */
enum store_rc store_lease_release(struct store *st, int64_t id, const char *owner, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "giving up the lease of migration %lld", (long long) id);
    sqlite3_stmt *s = store__stmt(st, sql_lease_release, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    store__bind_text(s, 2, owner);
    return store__run(st, s, doing, NULL, error);
}
