/*
 * sqlite_leases.c — the SQLite store's leases: the one worker allowed to
 * run a migration, fenced by its epoch; a node's claim of free migrations.
 *
 * A lease is (owner, pid, node, expires, epoch) on the migration's row. Who
 * holds it: the owner named in lease_owner, in the holding lease_epoch
 * names. A lease past its expiry is no longer live: another owner may take
 * it (acquire, claim), and a write with no fence
 * (sqlite_migration_set_state) clears it. Until one of those happens, the
 * holder still holds an expired lease: it may renew it and write (a worker
 * a little late to renew carries on; one whose lease went to another stops).
 *
 * Taking a lease is one UPDATE whose WHERE says who may take it: read,
 * decide and write are one statement, so two takers never both win.
 */
#include "store/sqlite_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * ?1 owner, ?2 pid, ?3 node, ?4 now, ?5 expires, ?6 id. A new holder
 * (anyone but the owner in lease_owner) is one more start and one more
 * epoch; the owner renewing keeps its epoch. SET reads the row as it was.
 */
static const char sql_lease_take[] =
    "UPDATE migrations SET "
    "starts = starts + (lease_owner IS NOT ?1), lease_epoch = lease_epoch + (lease_owner IS NOT "
    "?1), "
    "lease_owner = ?1, lease_pid = ?2, lease_node = ?3, lease_expires = ?5 "
    "WHERE id = ?6 AND (lease_owner IS NULL OR lease_owner = ?1 OR lease_expires <= ?4) "
    "RETURNING lease_epoch";

/* Runs sql_lease_take for id: STORE_OK (*epoch set), STORE_CONFLICT, STORE_NOT_FOUND, STORE_ERROR.
 */
static enum store_rc take(struct store *st, int64_t id, const char *owner, int64_t pid,
                          const char *node, double ttl, int64_t *epoch, const char *doing,
                          char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql_lease_take, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    double now = time_wall();
    sqlite__bind_text(s, 1, owner);
    sqlite3_bind_int64(s, 2, pid);
    sqlite__bind_text(s, 3, node);
    sqlite3_bind_double(s, 4, now);
    sqlite3_bind_double(s, 5, now + ttl);
    sqlite3_bind_int64(s, 6, id);
    int step = sqlite3_step(s);
    enum store_rc rc = STORE_OK;
    if (step == SQLITE_ROW) {
        if (epoch != NULL)
            *epoch = sqlite3_column_int64(s, 0);
        step = sqlite3_step(s);
    } else if (step == SQLITE_DONE) {
        rc = STORE_NOT_FOUND;
    }
    if (step != SQLITE_DONE)
        rc = sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    if (rc == STORE_NOT_FOUND) {
        /* Nothing taken: no such migration, or another owner's live lease. */
        rc = sqlite__migration_exists(st, id, doing, error);
        if (rc == STORE_OK)
            rc = STORE_CONFLICT;
    }
    return rc;
}

enum store_rc sqlite_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                                   const char *node, double ttl, int64_t *epoch, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "taking the lease of migration %lld", (long long) id);
    return take(st, id, owner, pid, node, ttl, epoch, doing, error);
}

static const char sql_claimable[] =
    "SELECT id FROM migrations WHERE active = 1 AND (lease_owner IS NULL OR lease_expires <= ?1) "
    "ORDER BY created, id LIMIT ?2";

/* The ids of up to max claimable migrations, oldest first, into *ids (caller frees). */
static enum store_rc claimable(struct store *st, size_t max, int64_t **ids, size_t *n,
                               const char *doing, char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql_claimable, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_double(s, 1, time_wall());
    sqlite3_bind_int64(s, 2, max > INT64_MAX ? INT64_MAX : (int64_t) max);
    *ids = NULL;
    *n = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        *ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
        (*ids)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    enum store_rc rc = step == SQLITE_DONE ? STORE_OK : sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    return rc;
}

/* In one BEGIN IMMEDIATE transaction: another process's claim waits for it, then sees its takes. */
enum store_rc sqlite_lease_claim(struct store *st, const char *node, const char *owner, double ttl,
                                 size_t max, struct store_migration **out, size_t *n, char **error)
{
    const char *doing = "claiming migrations";
    enum store_rc rc = sqlite__begin(st, doing, error);
    if (rc != STORE_OK)
        return rc;
    int64_t *ids = NULL;
    size_t count = 0;
    rc = claimable(st, max, &ids, &count, doing, error);
    struct store_migration *ms = count > 0 ? xcalloc(count, sizeof(*ms)) : NULL;
    size_t got = 0;
    for (size_t i = 0; rc == STORE_OK && i < count; i++) {
        rc = take(st, ids[i], owner, 0, node, ttl, NULL, doing, error);
        if (rc == STORE_OK)
            rc = sqlite_migration_get_id(st, ids[i], &ms[got], error);
        if (rc == STORE_OK)
            got++;
    }
    free(ids);
    if (rc == STORE_OK)
        rc = sqlite__commit(st, doing, error);
    else
        sqlite__rollback(st);
    if (rc != STORE_OK) {
        store_migration_list_free(ms, got);
        return rc == STORE_ERROR ? rc : sqlite__fail_msg(st, doing, "a claimed row changed", error);
    }
    *out = ms;
    *n = got;
    return STORE_OK;
}

/* A revoked lease (expiry 0: its node stopped heartbeating) does not renew. */
static const char sql_lease_renew[] =
    "UPDATE migrations SET lease_expires = ?1 "
    "WHERE id = ?2 AND lease_owner = ?3 AND lease_epoch = ?4 AND lease_expires > 0";

enum store_rc sqlite_lease_renew(struct store *st, int64_t id, const struct store_fence *fence,
                                 double ttl, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "renewing the lease of migration %lld", (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, sql_lease_renew, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_double(s, 1, time_wall() + ttl);
    sqlite3_bind_int64(s, 2, id);
    sqlite__bind_text(s, 3, fence->owner);
    sqlite3_bind_int64(s, 4, fence->epoch);
    return sqlite__run_leased(st, s, id, fence, doing, error);
}

/* The epoch stays: the next holder's is one more. */
static const char sql_lease_release[] =
    "UPDATE migrations SET lease_owner = NULL, lease_pid = 0, lease_node = NULL, "
    "lease_expires = 0 WHERE id = ?1 AND lease_owner = ?2 AND lease_epoch = ?3";

/* STORE_OK also when the migration is gone or fence holds nothing: nothing to give up. */
enum store_rc sqlite_lease_release(struct store *st, int64_t id, const struct store_fence *fence,
                                   char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "giving up the lease of migration %lld", (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, sql_lease_release, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite__bind_text(s, 2, fence->owner);
    sqlite3_bind_int64(s, 3, fence->epoch);
    return sqlite__run(st, s, doing, NULL, error);
}
