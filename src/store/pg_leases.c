/*
 * pg_leases.c — the PostgreSQL store's leases: the one worker allowed to
 * run a migration, fenced by its epoch; a node's claim of free migrations.
 *
 * The rules are store.h's (and sqlite_leases.c's): a lease past its expiry
 * stays its holder's until another owner takes it or a write with no fence
 * clears it. Taking one is a single UPDATE (sql/store_pg_acquire.sql) whose
 * row lock decides between concurrent takers; a claim is one transaction
 * of a SKIP LOCKED update (sql/store_pg_claim.sql) and the read of the rows
 * it took.
 */
#include "store/pg_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include "sql_embedded.h"

#include <stdio.h>
#include <stdlib.h>

enum store_rc pg_lease_acquire(struct store *st, int64_t id, const char *owner, int64_t pid,
                               const char *node, double ttl, int64_t *epoch, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "taking the lease of migration %lld", (long long) id);
    double now = time_wall();
    struct pg_params p = {0};
    pg__param_text(&p, owner);
    pg__param_int(&p, pid);
    pg__param_text(&p, node);
    pg__param_double(&p, now);
    pg__param_double(&p, now + ttl);
    pg__param_int(&p, id);
    PGresult *r = pg__exec(st, sql_text("store_pg_acquire"), &p, doing, NULL, error);
    if (r == NULL)
        return STORE_ERROR;
    bool taken = PQntuples(r) > 0;
    if (taken && epoch != NULL)
        *epoch = pg__int(r, 0, 0);
    PQclear(r);
    if (taken)
        return STORE_OK;
    /* Nothing taken: no such migration, or another owner's live lease (not a stale write). */
    return pg__refused(st, id, NULL, doing, error);
}

/* The ids r returned, as a PostgreSQL array literal "{1,2,3}" (caller frees). */
static char *id_array(const PGresult *r)
{
    size_t cap = 3 + 21 * (size_t) PQntuples(r), len = 0;
    char *text = xmalloc(cap);
    text[len++] = '{';
    for (int i = 0; i < PQntuples(r); i++)
        len += (size_t) snprintf(text + len, cap - len, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
    snprintf(text + len, cap - len, "}");
    return text;
}

static const char sql_claimed[] = "SELECT " PG_MIGRATION_COLUMNS " FROM migrations "
                                  "WHERE id = ANY ($1::bigint[]) ORDER BY created, id";

/* In the claim's transaction: the rows it took, oldest first. */
static enum store_rc read_claimed(struct store *st, const PGresult *taken,
                                  struct store_migration **out, size_t *n, const char *doing,
                                  char **error)
{
    char *ids = id_array(taken);
    struct pg_params p = {0};
    pg__param_text(&p, ids);
    PGresult *r = pg__exec(st, sql_claimed, &p, doing, NULL, error);
    free(ids);
    if (r == NULL)
        return STORE_ERROR;
    enum store_rc rc = pg_migration_rows(st, r, out, n, doing, error);
    PQclear(r);
    return rc;
}

enum store_rc pg_lease_claim(struct store *st, const char *node, const char *owner, double ttl,
                             size_t max, struct store_migration **out, size_t *n, char **error)
{
    const char *doing = "claiming migrations";
    double now = time_wall();
    struct pg_params p = {0};
    pg__param_text(&p, owner);
    pg__param_text(&p, node);
    pg__param_double(&p, now);
    pg__param_double(&p, now + ttl);
    pg__param_int(&p, max > INT64_MAX ? INT64_MAX : (int64_t) max);
    enum store_rc rc = pg__begin(st, doing, error);
    if (rc != STORE_OK)
        return rc;
    PGresult *taken = pg__exec(st, sql_text("store_pg_claim"), &p, doing, NULL, error);
    if (taken == NULL) {
        pg__rollback(st);
        return STORE_ERROR;
    }
    rc = PQntuples(taken) > 0 ? read_claimed(st, taken, out, n, doing, error) : STORE_OK;
    PQclear(taken);
    if (rc == STORE_OK)
        rc = pg__commit(st, doing, error);
    else
        pg__rollback(st);
    if (rc != STORE_OK) {
        store_migration_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* A revoked lease (expiry 0: its node stopped heartbeating) does not renew. */
static const char sql_renew[] =
    "UPDATE migrations SET lease_expires = $1 "
    "WHERE id = $2 AND lease_owner = $3 AND lease_epoch = $4 AND lease_expires > 0";

enum store_rc pg_lease_renew(struct store *st, int64_t id, const struct store_fence *fence,
                             double ttl, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "renewing the lease of migration %lld", (long long) id);
    struct pg_params p = {0};
    pg__param_double(&p, time_wall() + ttl);
    pg__param_int(&p, id);
    pg__param_text(&p, fence->owner);
    pg__param_int(&p, fence->epoch);
    int changed = 0;
    enum store_rc rc = pg__run(st, sql_renew, &p, doing, &changed, error);
    if (rc != STORE_OK || changed > 0)
        return rc;
    return pg__refused(st, id, fence, doing, error);
}

/* The epoch stays: the next holder's is one more. */
static const char sql_release[] =
    "UPDATE migrations SET lease_owner = NULL, lease_pid = 0, lease_node = NULL, "
    "lease_expires = 0 WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3";

/* STORE_OK also when the migration is gone or fence holds nothing: nothing to give up. */
enum store_rc pg_lease_release(struct store *st, int64_t id, const struct store_fence *fence,
                               char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "giving up the lease of migration %lld", (long long) id);
    struct pg_params p = {0};
    pg__param_int(&p, id);
    pg__param_text(&p, fence->owner);
    pg__param_int(&p, fence->epoch);
    return pg__run(st, sql_release, &p, doing, NULL, error);
}
