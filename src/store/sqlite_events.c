/*
 * sqlite_events.c — the SQLite store: what accumulates under a migration,
 * its events (the history the API serves), the users' requests (API →
 * worker) and the workers' restarts (the supervisor's restart policy).
 *
 * Each row belongs to one migration (ON DELETE CASCADE); adding one to a
 * migration that does not exist answers STORE_NOT_FOUND, as does reading
 * those of one that does not. A worker's event and its request poll carry
 * its fence: refused (and counted) once the lease went to another holder.
 */
#include "store/sqlite_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs an INSERT under migration id (bound by the caller): a missing migration is NOT_FOUND. */
static enum store_rc insert(struct store *st, sqlite3_stmt *s, const char *doing, char **error)
{
    enum store_rc rc = STORE_OK;
    if (sqlite3_step(s) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(sqlite__db(st)) == SQLITE_CONSTRAINT_FOREIGNKEY)
            rc = STORE_NOT_FOUND;
        else
            rc = sqlite__fail(st, doing, error);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- events ---------------------------------------------------------- */

static const char sql_event_add[] =
    "INSERT INTO events (migration_id, at, kind, json) VALUES (?1, ?2, ?3, ?4)";
/* The worker's event: inserted only while its fence holds the lease. */
static const char sql_event_add_fenced[] =
    "INSERT INTO events (migration_id, at, kind, json) SELECT id, ?2, ?3, ?4 FROM migrations "
    "WHERE id = ?1 AND lease_owner = ?5 AND lease_epoch = ?6";

enum store_rc sqlite_event_append(struct store *st, int64_t id, const struct store_fence *fence,
                                  double at, const char *kind, const char *json, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "adding an event to migration %lld", (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, fence ? sql_event_add_fenced : sql_event_add, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, at);
    sqlite__bind_text(s, 3, kind);
    sqlite__bind_text(s, 4, json);
    if (fence == NULL)
        return insert(st, s, doing, error);
    sqlite__bind_text(s, 5, fence->owner);
    sqlite3_bind_int64(s, 6, fence->epoch);
    return sqlite__run_leased(st, s, id, fence, doing, error);
}

/* A negative LIMIT is none in SQLite. */
static const char sql_event_list[] = "SELECT seq, at, kind, json FROM events "
                                     "WHERE migration_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

enum store_rc sqlite_event_list(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                                struct store_event **out, size_t *n, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "reading the events of migration %lld", (long long) id);
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    enum store_rc rc = sqlite__stmt_under(st, id, sql_event_list, doing, &s, error);
    if (rc != STORE_OK)
        return rc;
    sqlite3_bind_int64(s, 2, after_seq);
    sqlite3_bind_int64(s, 3, limit == 0 || limit > INT64_MAX ? -1 : (int64_t) limit);
    struct store_event *evs = NULL;
    size_t count = 0, cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            evs = xrealloc(evs, cap * sizeof(*evs));
        }
        evs[count++] = (struct store_event){
            .seq = sqlite3_column_int64(s, 0),
            .at = sqlite3_column_double(s, 1),
            .kind = sqlite__column_text(s, 2),
            .json = sqlite__column_text(s, 3),
        };
    }
    if (step != SQLITE_DONE) {
        rc = sqlite__fail(st, doing, error);
        sqlite3_reset(s);
        store_event_list_free(evs, count);
        return rc;
    }
    sqlite3_reset(s);
    *out = evs;
    *n = count;
    return STORE_OK;
}

/* ---- requests -------------------------------------------------------- */

static const char sql_request_add[] =
    "INSERT INTO requests (migration_id, kind, databases_json, at) VALUES (?1, ?2, ?3, ?4)";

enum store_rc sqlite_request_add(struct store *st, int64_t id, enum store_request_kind kind,
                                 const char *databases_json, char **error)
{
    char doing[80];
    snprintf(doing, sizeof(doing), "recording a %s request for migration %lld",
             store__request_word(kind), (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, sql_request_add, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite__bind_text(s, 2, store__request_word(kind));
    sqlite__bind_text(s, 3, databases_json);
    sqlite3_bind_double(s, 4, time_wall());
    return insert(st, s, doing, error);
}

static const char sql_request_list[] = "SELECT seq, kind, databases_json, at FROM requests "
                                       "WHERE migration_id = ?1 AND (?2 OR taken = 0) ORDER BY seq";
static const char sql_request_mark[] =
    "UPDATE requests SET taken = 1 WHERE migration_id = ?1 AND taken = 0 AND seq <= ?2";

/* Reads the requests into *out; the caller's transaction makes read and mark one step. */
static enum store_rc read_requests(struct store *st, int64_t id, bool all,
                                   struct store_request **out, size_t *n, const char *doing,
                                   char **error)
{
    sqlite3_stmt *s = sqlite__stmt(st, sql_request_list, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, all ? 1 : 0);
    struct store_request *rs = NULL;
    size_t count = 0, cap = 0;
    enum store_rc rc = STORE_OK;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        enum store_request_kind kind;
        const char *word = (const char *) sqlite3_column_text(s, 1);
        if (!store__request_kind_parse(word, &kind)) {
            char *msg = xasprintf("request %lld has an unknown kind \"%.32s\"",
                                  (long long) sqlite3_column_int64(s, 0), word ? word : "");
            rc = sqlite__fail_msg(st, doing, msg, error);
            free(msg);
            break;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 4;
            rs = xrealloc(rs, cap * sizeof(*rs));
        }
        rs[count++] = (struct store_request){
            .seq = sqlite3_column_int64(s, 0),
            .kind = kind,
            .databases_json = sqlite__column_text(s, 2),
            .at = sqlite3_column_double(s, 3),
        };
    }
    if (rc == STORE_OK && step != SQLITE_DONE)
        rc = sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    if (rc != STORE_OK) {
        store_request_list_free(rs, count);
        return rc;
    }
    *out = rs;
    *n = count;
    return STORE_OK;
}

/*
 * Read and mark in one BEGIN IMMEDIATE transaction; a fence that no longer
 * holds the lease takes nothing, and is counted once the transaction is over.
 */
enum store_rc sqlite_request_take(struct store *st, int64_t id, const struct store_fence *fence,
                                  bool all, struct store_request **out, size_t *n, char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "taking the requests of migration %lld", (long long) id);
    *out = NULL;
    *n = 0;
    enum store_rc rc = sqlite__begin(st, doing, error);
    if (rc != STORE_OK)
        return rc;
    struct store_request *rs = NULL;
    size_t count = 0;
    if (fence != NULL)
        rc = sqlite__check_fence(st, id, fence, doing, error);
    else
        rc = sqlite__migration_exists(st, id, doing, error);
    if (rc == STORE_OK)
        rc = read_requests(st, id, all, &rs, &count, doing, error);
    if (rc == STORE_OK && count > 0) {
        sqlite3_stmt *s = sqlite__stmt(st, sql_request_mark, doing, error);
        if (s == NULL) {
            rc = STORE_ERROR;
        } else {
            sqlite3_bind_int64(s, 1, id);
            sqlite3_bind_int64(s, 2, rs[count - 1].seq);
            rc = sqlite__run(st, s, doing, NULL, error);
        }
    }
    if (rc == STORE_OK)
        rc = sqlite__commit(st, doing, error);
    else
        sqlite__rollback(st);
    if (rc != STORE_OK) {
        store_request_list_free(rs, count);
        return rc == STORE_CONFLICT ? sqlite__count_stale(st, id, doing, error) : rc;
    }
    *out = rs;
    *n = count;
    return STORE_OK;
}

/* ---- restarts -------------------------------------------------------- */

static const char sql_restart_add[] =
    "INSERT INTO restarts (migration_id, at, reason) VALUES (?1, ?2, ?3)";

enum store_rc sqlite_restart_record(struct store *st, int64_t id, double at, const char *reason,
                                    char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "recording a restart of migration %lld", (long long) id);
    sqlite3_stmt *s = sqlite__stmt(st, sql_restart_add, doing, error);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, at);
    sqlite__bind_text(s, 3, reason);
    return insert(st, s, doing, error);
}

static const char sql_restart_count[] =
    "SELECT count(*) FROM restarts WHERE migration_id = ?1 AND at >= ?2";

enum store_rc sqlite_restart_count(struct store *st, int64_t id, double since, int *count,
                                   char **error)
{
    char doing[64];
    snprintf(doing, sizeof(doing), "counting the restarts of migration %lld", (long long) id);
    *count = 0;
    sqlite3_stmt *s = NULL;
    enum store_rc rc = sqlite__stmt_under(st, id, sql_restart_count, doing, &s, error);
    if (rc != STORE_OK)
        return rc;
    sqlite3_bind_double(s, 2, since);
    if (sqlite3_step(s) == SQLITE_ROW)
        *count = sqlite3_column_int(s, 0);
    else
        rc = sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    return rc;
}
