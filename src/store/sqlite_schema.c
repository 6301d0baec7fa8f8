/*
 * sqlite_schema.c — the SQLite store's schema and its upgrade steps.
 *
 * The schema version lives in PRAGMA user_version. Step N (sql/store_vN.sql)
 * takes a file from version N-1 to N; an empty file runs every step from 1.
 * Each step runs in its own BEGIN IMMEDIATE transaction that also sets
 * user_version, after reading the version again inside it: two processes
 * opening an old file at once upgrade it once.
 */
#include "store/sqlite_internal.h"

#include "util/mem.h"

#include "sql_embedded.h"

#include <stdio.h>
#include <stdlib.h>

/* steps[i] takes the schema from version i to i + 1. */
static const char *const steps[] = {"store_v1", "store_v2", "store_v3"};
_Static_assert(sizeof(steps) / sizeof(steps[0]) == STORE_SCHEMA_VERSION,
               "one sql/store_vN.sql step per schema version");

static bool read_version(sqlite3 *db, int *version, char **msg)
{
    sqlite3_stmt *s = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *version = sqlite3_column_int(s, 0);
        ok = true;
    } else {
        *msg = xstrdup(sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    return ok;
}

/* Whether an unversioned file holds tables already (someone else's database). */
static bool has_tables(sqlite3 *db, bool *any, char **msg)
{
    sqlite3_stmt *s = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master LIMIT 1", -1, &s, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            *any = rc == SQLITE_ROW;
            ok = true;
        }
    }
    if (!ok)
        *msg = xstrdup(sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return ok;
}

static void rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Runs step `from` -> from + 1 unless another process did it first; *now gets the version. */
static bool run_step(sqlite3 *db, int from, int *now, char **msg)
{
    char *err = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    int version = 0;
    if (!read_version(db, &version, msg)) {
        rollback(db);
        return false;
    }
    if (version != from) {
        /* Another process upgraded it meanwhile. */
        *now = version;
        rollback(db);
        return true;
    }
    if (from == 0) {
        bool any = false;
        if (!has_tables(db, &any, msg)) {
            rollback(db);
            return false;
        }
        if (any) {
            *msg = xstrdup("not a pgshuttle store (a SQLite database with other tables and no "
                           "schema version)");
            rollback(db);
            return false;
        }
    }
    if (sqlite3_exec(db, sql_text(steps[from]), NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    /* PRAGMA takes no parameters: the value is this build's own integer. */
    char pragma[48];
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", from + 1);
    if (sqlite3_exec(db, pragma, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    *now = from + 1;
    return true;

fail:
    *msg = xstrdup(err != NULL ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    rollback(db);
    return false;
}

bool sqlite_schema_upgrade(sqlite3 *db, int *version, char **msg)
{
    int v = 0;
    if (!read_version(db, &v, msg))
        return false;
    if (v > STORE_SCHEMA_VERSION) {
        *msg = xasprintf("its schema version %d is newer than this pgshuttle's (%d): "
                         "use a newer pgshuttle",
                         v, STORE_SCHEMA_VERSION);
        return false;
    }
    if (v < 0) {
        *msg = xasprintf("its schema version %d is not one pgshuttle writes", v);
        return false;
    }
    while (v < STORE_SCHEMA_VERSION) {
        int from = v;
        if (!run_step(db, from, &v, msg)) {
            char *why = *msg;
            *msg = xasprintf("upgrading the schema from version %d to %d: %s", from, from + 1, why);
            free(why);
            return false;
        }
        if (v > STORE_SCHEMA_VERSION) {
            *msg = xasprintf("its schema version %d is newer than this pgshuttle's (%d): "
                             "use a newer pgshuttle",
                             v, STORE_SCHEMA_VERSION);
            return false;
        }
    }
    *version = v;
    return true;
}
