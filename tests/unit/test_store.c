/*
 * Unit tests: the SQLite state store (src/store) — creating it in an empty
 * directory (modes, schema version), upgrading a version-1 file that holds
 * rows, refusing a newer file and a file that is not a database; the
 * migrations (create, read, list, delete, unique names, the fenced state
 * write), leases (conflict, expiry, renewal, release, starts), events,
 * requests and restarts; two handles writing to one file at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/status.h"
#include "store/store.h"
#include "util/fsutil.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include "sql_embedded.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPEC "{\"properties\":{\"sourceDbServerResourceId\":\"h\",\"password\":\"s3cret\"}}"

/* A fresh private directory under /tmp; the caller removes it (rm_tmp). */
static char *make_tmp(void)
{
    char *dir = xstrdup("/tmp/pgs-test-store.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void rm_tmp(char *dir)
{
    assert_true(fs_remove_tree(dir));
    free(dir);
}

static struct store *open_ok(const char *dir)
{
    char *err = NULL;
    struct store *st = store_open(dir, &err);
    if (st == NULL)
        fail_msg("store_open: %s", err);
    assert_null(err);
    return st;
}

static int file_mode(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (int) (sb.st_mode & 07777);
}

/* A raw SQLite connection to dir/pgshuttle.db (the caller closes it). */
static sqlite3 *raw_open(const char *dir)
{
    char *path = xasprintf("%s/pgshuttle.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    free(path);
    assert_int_equal(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
    return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static int64_t create_ok(struct store *st, const char *name)
{
    int64_t id = 0;
    char *err = NULL;
    assert_int_equal(store_migration_create(st, name, SPEC, 0, &id, &err), STORE_OK);
    assert_null(err);
    assert_true(id > 0);
    return id;
}

/* ---- open, create, upgrade, refuse ----------------------------------- */

static void test_create_in_empty_dir(void **state)
{
    char *tmp = make_tmp();
    char *dir = xasprintf("%s/state/nested", tmp);
    struct store *st = open_ok(dir);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    assert_int_equal(STORE_SCHEMA_VERSION, 2);
    char *path = xasprintf("%s/pgshuttle.db", dir);
    assert_string_equal(store_path(st), path);
    assert_int_equal(file_mode(dir), 0700);
    assert_int_equal(file_mode(path), 0600);
    char *err = NULL;
    assert_true(store_ping(st, &err));
    assert_null(err);
    create_ok(st, "m1");

    /* The WAL files, made while the store is open, are private too. */
    char *wal = xasprintf("%s-wal", path);
    char *shm = xasprintf("%s-shm", path);
    assert_int_equal(file_mode(wal), 0600);
    assert_int_equal(file_mode(shm), 0600);

    sqlite3 *db = raw_open(dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM restarts"), 0);
    sqlite3_close(db);
    store_close(st);

    /* Opening again changes nothing. */
    st = open_ok(dir);
    assert_int_equal(store_schema_version(st), 2);
    struct store_migration m;
    assert_int_equal(store_migration_get(st, "m1", &m, &err), STORE_OK);
    store_migration_free(&m);
    store_close(st);

    free(wal);
    free(shm);
    free(path);
    free(dir);
    rm_tmp(tmp);
}

static void test_upgrade_from_v1(void **state)
{
    char *dir = make_tmp();
    sqlite3 *db = raw_open(dir);
    raw_exec(db, sql_text("store_v1"));
    raw_exec(db, "INSERT INTO migrations (name, spec_json, state_json, status, substatus, active, "
                 "created, updated, window_start, starts, lease_owner, lease_pid, lease_expires) "
                 "VALUES ('old', '{\"a\":1}', '{\"s\":2}', 'In progress', 'Migrating data', 1, "
                 "100.5, 200.5, 50, 3, 'w1', 4242, 300)");
    raw_exec(db, "INSERT INTO events (migration_id, at, kind, json) VALUES "
                 "(1, 101, 'status', '{\"e\":1}'), (1, 102, 'warning', '{\"e\":2}')");
    raw_exec(db, "INSERT INTO requests (migration_id, kind, databases_json, at) "
                 "VALUES (1, 'cutover', '[\"db1\"]', 103)");
    raw_exec(db, "PRAGMA user_version = 1");
    sqlite3_close(db);

    struct store *st = open_ok(dir);
    assert_int_equal(store_schema_version(st), 2);
    char *err = NULL;
    struct store_migration m;
    assert_int_equal(store_migration_get(st, "old", &m, &err), STORE_OK);
    assert_int_equal(m.id, 1);
    assert_string_equal(m.spec_json, "{\"a\":1}");
    assert_string_equal(m.state_json, "{\"s\":2}");
    assert_string_equal(m.substatus, "Migrating data");
    assert_true(m.active);
    assert_true(m.created == 100.5);
    assert_true(m.updated == 200.5);
    assert_true(m.window_start == 50);
    assert_int_equal(m.starts, 3);
    assert_string_equal(m.lease_owner, "w1");
    assert_int_equal(m.lease_pid, 4242);
    assert_null(m.lease_node); /* the column version 2 added */
    assert_true(m.lease_expires == 300);
    store_migration_free(&m);

    struct store_event *evs = NULL;
    size_t n = 0;
    assert_int_equal(store_event_list(st, 1, 0, 0, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(evs[0].kind, "status");
    assert_string_equal(evs[1].json, "{\"e\":2}");
    store_event_list_free(evs, n);

    struct store_request *rs = NULL;
    assert_int_equal(store_request_take(st, 1, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].kind, STORE_REQ_CUTOVER);
    store_request_list_free(rs, n);

    /* The table version 2 added works, and the lease's node is written. */
    assert_int_equal(store_restart_record(st, 1, time_wall(), "exit 1", &err), STORE_OK);
    assert_int_equal(store_lease_acquire(st, 1, "w2", 7, "node-a", 60, &err), STORE_OK);
    assert_int_equal(store_migration_get_id(st, 1, &m, &err), STORE_OK);
    assert_string_equal(m.lease_node, "node-a");
    store_migration_free(&m);
    store_close(st);

    db = raw_open(dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 2);
    sqlite3_close(db);
    rm_tmp(dir);
}

static void test_refuse_newer_version(void **state)
{
    char *dir = make_tmp();
    sqlite3 *db = raw_open(dir);
    raw_exec(db, "CREATE TABLE future (x INTEGER); PRAGMA user_version = 3");
    sqlite3_close(db);

    char *err = NULL;
    assert_null(store_open(dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "version 3"));
    assert_non_null(strstr(err, "(2)"));
    assert_non_null(strstr(err, "pgshuttle.db"));
    free(err);

    /* Left as it was. */
    db = raw_open(dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
    sqlite3_close(db);
    rm_tmp(dir);
}

static void test_refuse_not_a_database(void **state)
{
    char *dir = make_tmp();
    char *path = xasprintf("%s/pgshuttle.db", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database at all\n", f);
    assert_int_equal(fclose(f), 0);

    char *err = NULL;
    assert_null(store_open(dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "not a SQLite database"));
    assert_non_null(strstr(err, path));
    free(err);
    err = NULL;

    /* A SQLite database of someone else's (tables, no version) is refused too. */
    assert_int_equal(unlink(path), 0);
    sqlite3 *db = raw_open(dir);
    raw_exec(db, "CREATE TABLE t (x INTEGER)");
    sqlite3_close(db);
    assert_null(store_open(dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "not a pgshuttle store"));
    free(err);

    free(path);
    rm_tmp(dir);
}

/* ---- migrations ------------------------------------------------------ */

static void test_migrations(void **state)
{
    char *dir = make_tmp();
    struct store *st = open_ok(dir);
    char *err = NULL;
    double before = time_wall();
    int64_t a = 0, b = 0;
    assert_int_equal(store_migration_create(st, "alpha", SPEC, 1234.5, &a, &err), STORE_OK);
    b = create_ok(st, "beta");
    assert_true(b > a);

    assert_int_equal(store_migration_create(st, "alpha", "{}", 0, NULL, &err), STORE_CONFLICT);
    assert_null(err);

    struct store_migration m;
    assert_int_equal(store_migration_get(st, "alpha", &m, &err), STORE_OK);
    assert_int_equal(m.id, a);
    assert_string_equal(m.name, "alpha");
    assert_string_equal(m.spec_json, SPEC);
    assert_null(m.state_json);
    assert_string_equal(m.status, mig_status_name(MIG_IN_PROGRESS));
    assert_string_equal(m.substatus, mig_substatus_name(SUB_PREREQUISITES));
    assert_true(m.active);
    assert_true(m.created >= before && m.created <= time_wall());
    assert_true(m.updated == m.created);
    assert_true(m.window_start == 1234.5);
    assert_int_equal(m.starts, 0);
    assert_null(m.lease_owner);
    assert_int_equal(m.lease_pid, 0);
    assert_null(m.lease_node);
    assert_true(m.lease_expires == 0);
    store_migration_free(&m);

    assert_int_equal(store_migration_get_id(st, b, &m, &err), STORE_OK);
    assert_string_equal(m.name, "beta");
    store_migration_free(&m);
    assert_int_equal(store_migration_get(st, "gamma", &m, &err), STORE_NOT_FOUND);
    assert_null(m.name);
    assert_int_equal(store_migration_get_id(st, 999, &m, &err), STORE_NOT_FOUND);
    assert_null(err);

    /* Newest created first; active_only leaves out a final one. */
    struct store_migration *ms = NULL;
    size_t n = 0;
    assert_int_equal(store_migration_list(st, false, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ms[0].name, "beta");
    assert_string_equal(ms[1].name, "alpha");
    store_migration_list_free(ms, n);
    assert_int_equal(store_migration_set_state(st, b, NULL, "{\"done\":true}",
                                               mig_status_name(MIG_SUCCEEDED),
                                               mig_substatus_name(SUB_COMPLETED), false, &err),
                     STORE_OK);
    assert_int_equal(store_migration_list(st, true, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ms[0].name, "alpha");
    store_migration_list_free(ms, n);

    assert_int_equal(store_migration_set_spec(st, a, "{\"new\":1}", &err), STORE_OK);
    assert_int_equal(store_migration_set_spec(st, 999, "{}", &err), STORE_NOT_FOUND);
    assert_int_equal(store_migration_get_id(st, a, &m, &err), STORE_OK);
    assert_string_equal(m.spec_json, "{\"new\":1}");
    store_migration_free(&m);

    /* Delete takes the events, requests and restarts with it. */
    assert_int_equal(store_event_append(st, a, 1, "status", "{}", &err), STORE_OK);
    assert_int_equal(store_request_add(st, a, STORE_REQ_CANCEL, NULL, &err), STORE_OK);
    assert_int_equal(store_restart_record(st, a, 1, "crash", &err), STORE_OK);
    assert_int_equal(store_migration_delete(st, "alpha", &err), STORE_OK);
    assert_int_equal(store_migration_delete(st, "alpha", &err), STORE_NOT_FOUND);
    assert_int_equal(store_migration_get(st, "alpha", &m, &err), STORE_NOT_FOUND);
    assert_null(err);
    sqlite3 *db = raw_open(dir);
    assert_int_equal(raw_int(db, "SELECT (SELECT count(*) FROM events) + "
                                 "(SELECT count(*) FROM requests) + "
                                 "(SELECT count(*) FROM restarts)"),
                     0);
    sqlite3_close(db);

    /* A deleted migration's id is never given again; its name is free again. */
    int64_t c = create_ok(st, "alpha");
    assert_true(c > b);

    store_close(st);
    rm_tmp(dir);
}

static void test_set_state_fencing(void **state)
{
    char *dir = make_tmp();
    struct store *st = open_ok(dir);
    char *err = NULL;
    int64_t id = create_ok(st, "m");
    const char *run = mig_status_name(MIG_IN_PROGRESS);
    const char *sub = mig_substatus_name(SUB_MIGRATING_DATA);

    /* Nobody holds it: an owner's write is refused, no owner's is taken. */
    assert_int_equal(store_migration_set_state(st, id, "w1", "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_migration_set_state(st, id, NULL, "{\"v\":0}", run, sub, true, &err),
                     STORE_OK);

    assert_int_equal(store_lease_acquire(st, id, "w1", 11, "n", 60, &err), STORE_OK);
    assert_int_equal(store_migration_set_state(st, id, NULL, "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_migration_set_state(st, id, "w2", "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    double t0 = time_wall();
    assert_int_equal(store_migration_set_state(st, id, "w1", "{\"v\":1}", run, sub, true, &err),
                     STORE_OK);
    assert_int_equal(store_migration_set_state(st, 999, "w1", "{}", run, sub, true, &err),
                     STORE_NOT_FOUND);
    assert_int_equal(store_migration_set_state(st, 999, NULL, "{}", run, sub, true, &err),
                     STORE_NOT_FOUND);
    assert_null(err);

    struct store_migration m;
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_string_equal(m.state_json, "{\"v\":1}");
    assert_string_equal(m.substatus, sub);
    assert_true(m.updated >= t0);
    store_migration_free(&m);

    /*
     * An expired lease: the supervisor's write goes through and clears it,
     * so the stalled worker can neither renew nor write any more.
     */
    assert_int_equal(store_lease_acquire(st, id, "w1", 11, "n", 0.05, &err), STORE_OK);
    time_sleep(0.1);
    assert_int_equal(store_migration_set_state(st, id, NULL, "{\"v\":2}",
                                               mig_status_name(MIG_FAILED),
                                               mig_substatus_name(SUB_FAILED), false, &err),
                     STORE_OK);
    assert_int_equal(store_lease_renew(st, id, "w1", 60, &err), STORE_CONFLICT);
    assert_int_equal(store_migration_set_state(st, id, "w1", "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_string_equal(m.state_json, "{\"v\":2}");
    assert_false(m.active);
    assert_null(m.lease_owner);
    store_migration_free(&m);

    store_close(st);
    rm_tmp(dir);
}

/* ---- leases ---------------------------------------------------------- */

static void assert_lease(struct store *st, int64_t id, const char *owner, int starts)
{
    char *err = NULL;
    struct store_migration m;
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    if (owner == NULL) {
        assert_null(m.lease_owner);
        assert_int_equal(m.lease_pid, 0);
        assert_null(m.lease_node);
        assert_true(m.lease_expires == 0);
    } else {
        assert_non_null(m.lease_owner);
        assert_string_equal(m.lease_owner, owner);
    }
    assert_int_equal(m.starts, starts);
    store_migration_free(&m);
}

static void test_leases(void **state)
{
    char *dir = make_tmp();
    struct store *st = open_ok(dir);
    char *err = NULL;
    int64_t id = create_ok(st, "m");

    double t0 = time_wall();
    assert_int_equal(store_lease_acquire(st, id, "w1", 101, "host-1", 60, &err), STORE_OK);
    struct store_migration m;
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_string_equal(m.lease_owner, "w1");
    assert_int_equal(m.lease_pid, 101);
    assert_string_equal(m.lease_node, "host-1");
    assert_true(m.lease_expires >= t0 + 60 && m.lease_expires <= time_wall() + 60);
    assert_int_equal(m.starts, 1);
    double expires = m.lease_expires;
    store_migration_free(&m);

    /* The same owner again is a renewal, not a start; another owner is refused. */
    assert_int_equal(store_lease_acquire(st, id, "w1", 101, "host-1", 60, &err), STORE_OK);
    assert_lease(st, id, "w1", 1);
    assert_int_equal(store_lease_acquire(st, id, "w2", 102, "host-2", 60, &err), STORE_CONFLICT);
    assert_int_equal(store_lease_renew(st, id, "w2", 60, &err), STORE_CONFLICT);
    assert_int_equal(store_lease_release(st, id, "w2", &err), STORE_OK); /* not its: no-op */
    assert_lease(st, id, "w1", 1);

    time_sleep(0.01);
    assert_int_equal(store_lease_renew(st, id, "w1", 120, &err), STORE_OK);
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_true(m.lease_expires > expires);
    store_migration_free(&m);

    assert_int_equal(store_lease_release(st, id, "w1", &err), STORE_OK);
    assert_lease(st, id, NULL, 1);
    assert_int_equal(store_lease_renew(st, id, "w1", 60, &err), STORE_CONFLICT);

    /* A free lease goes to a new holder: one more start. */
    assert_int_equal(store_lease_acquire(st, id, "w2", 102, "host-2", 0.05, &err), STORE_OK);
    assert_lease(st, id, "w2", 2);

    /* Expired but nobody took it: its owner may still renew it. */
    time_sleep(0.1);
    assert_int_equal(store_lease_renew(st, id, "w2", 0.05, &err), STORE_OK);
    assert_int_equal(store_lease_acquire(st, id, "w3", 103, "host-3", 60, &err), STORE_CONFLICT);

    /* Expired: another owner takes it, and the old one has lost it. */
    time_sleep(0.1);
    assert_int_equal(store_lease_acquire(st, id, "w3", 103, "host-3", 60, &err), STORE_OK);
    assert_lease(st, id, "w3", 3);
    assert_int_equal(store_lease_renew(st, id, "w2", 60, &err), STORE_CONFLICT);
    assert_int_equal(store_lease_release(st, id, "w2", &err), STORE_OK);
    assert_lease(st, id, "w3", 3);

    /* No such migration. */
    assert_int_equal(store_lease_acquire(st, 999, "w1", 1, "h", 60, &err), STORE_NOT_FOUND);
    assert_int_equal(store_lease_renew(st, 999, "w1", 60, &err), STORE_NOT_FOUND);
    assert_int_equal(store_lease_release(st, 999, "w1", &err), STORE_OK);
    assert_null(err);

    store_close(st);
    rm_tmp(dir);
}

/* ---- events, requests, restarts -------------------------------------- */

static void test_events(void **state)
{
    char *dir = make_tmp();
    struct store *st = open_ok(dir);
    char *err = NULL;
    int64_t a = create_ok(st, "a");
    int64_t b = create_ok(st, "b");
    for (int i = 0; i < 5; i++) {
        char json[32];
        snprintf(json, sizeof(json), "{\"i\":%d}", i);
        assert_int_equal(
            store_event_append(st, a, 1000 + i, i % 2 ? "warning" : "status", json, &err),
            STORE_OK);
        assert_int_equal(store_event_append(st, b, 2000 + i, "status", "{}", &err), STORE_OK);
    }
    assert_int_equal(store_event_append(st, 999, 1, "status", "{}", &err), STORE_NOT_FOUND);

    struct store_event *evs = NULL;
    size_t n = 0;
    assert_int_equal(store_event_list(st, a, 0, 0, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        char json[32];
        snprintf(json, sizeof(json), "{\"i\":%zu}", i);
        assert_string_equal(evs[i].json, json);
        assert_string_equal(evs[i].kind, i % 2 ? "warning" : "status");
        assert_true(evs[i].at == 1000 + (double) i);
        if (i > 0)
            assert_true(evs[i].seq > evs[i - 1].seq);
    }
    int64_t second = evs[1].seq, fourth = evs[3].seq;
    store_event_list_free(evs, n);

    assert_int_equal(store_event_list(st, a, second, 0, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(evs[0].json, "{\"i\":2}");
    store_event_list_free(evs, n);

    assert_int_equal(store_event_list(st, a, 0, 2, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(evs[1].json, "{\"i\":1}");
    store_event_list_free(evs, n);

    assert_int_equal(store_event_list(st, a, second, 1, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(evs[0].json, "{\"i\":2}");
    store_event_list_free(evs, n);

    assert_int_equal(store_event_list(st, a, fourth + 100, 0, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    store_event_list_free(evs, n);
    assert_int_equal(store_event_list(st, 999, 0, 0, &evs, &n, &err), STORE_NOT_FOUND);
    assert_int_equal(n, 0);
    assert_null(err);

    store_close(st);
    rm_tmp(dir);
}

static void test_requests(void **state)
{
    char *dir = make_tmp();
    struct store *st = open_ok(dir);
    char *err = NULL;
    int64_t id = create_ok(st, "m");
    int64_t other = create_ok(st, "other");

    assert_string_equal(store_request_kind_name(STORE_REQ_CUTOVER), "cutover");
    assert_string_equal(store_request_kind_name(STORE_REQ_CANCEL), "cancel");
    assert_string_equal(store_request_kind_name(STORE_REQ_OVERWRITE), "overwrite");
    assert_string_equal(store_request_kind_name(STORE_REQ_DELETE), "delete");

    double t0 = time_wall();
    assert_int_equal(store_request_add(st, id, STORE_REQ_CUTOVER, "[\"db1\"]", &err), STORE_OK);
    assert_int_equal(store_request_add(st, id, STORE_REQ_CANCEL, NULL, &err), STORE_OK);
    assert_int_equal(store_request_add(st, other, STORE_REQ_DELETE, NULL, &err), STORE_OK);
    assert_int_equal(store_request_add(st, 999, STORE_REQ_CANCEL, NULL, &err), STORE_NOT_FOUND);
    assert_null(err);
    assert_int_equal(store_request_add(st, id, STORE_REQ_COUNT, NULL, &err), STORE_ERROR);
    assert_non_null(err);
    free(err);
    err = NULL;

    struct store_request *rs = NULL;
    size_t n = 0;
    assert_int_equal(store_request_take(st, id, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rs[0].kind, STORE_REQ_CUTOVER);
    assert_string_equal(rs[0].databases_json, "[\"db1\"]");
    assert_true(rs[0].at >= t0);
    assert_int_equal(rs[1].kind, STORE_REQ_CANCEL);
    assert_null(rs[1].databases_json);
    assert_true(rs[1].seq > rs[0].seq);
    store_request_list_free(rs, n);

    /* Taken once. */
    assert_int_equal(store_request_take(st, id, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    store_request_list_free(rs, n);

    assert_int_equal(store_request_add(st, id, STORE_REQ_OVERWRITE, NULL, &err), STORE_OK);
    assert_int_equal(store_request_take(st, id, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].kind, STORE_REQ_OVERWRITE);
    store_request_list_free(rs, n);

    /* all: every request ever made, oldest first, for a restarted worker. */
    assert_int_equal(store_request_add(st, id, STORE_REQ_CUTOVER, NULL, &err), STORE_OK);
    assert_int_equal(store_request_take(st, id, true, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 4);
    assert_int_equal(rs[0].kind, STORE_REQ_CUTOVER);
    assert_int_equal(rs[1].kind, STORE_REQ_CANCEL);
    assert_int_equal(rs[2].kind, STORE_REQ_OVERWRITE);
    assert_int_equal(rs[3].kind, STORE_REQ_CUTOVER);
    store_request_list_free(rs, n);
    assert_int_equal(store_request_take(st, id, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    store_request_list_free(rs, n);

    /* The other migration's request is its own. */
    assert_int_equal(store_request_take(st, other, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].kind, STORE_REQ_DELETE);
    store_request_list_free(rs, n);
    assert_int_equal(store_request_take(st, 999, false, &rs, &n, &err), STORE_NOT_FOUND);
    assert_null(err);

    store_close(st);
    rm_tmp(dir);
}

static void test_restarts(void **state)
{
    char *dir = make_tmp();
    struct store *st = open_ok(dir);
    char *err = NULL;
    int64_t id = create_ok(st, "m");
    int64_t other = create_ok(st, "other");
    double now = time_wall();

    int count = -1;
    assert_int_equal(store_restart_count(st, id, 0, &count, &err), STORE_OK);
    assert_int_equal(count, 0);
    assert_int_equal(store_restart_record(st, id, now - 700, "exit 1", &err), STORE_OK);
    assert_int_equal(store_restart_record(st, id, now - 600, NULL, &err), STORE_OK);
    assert_int_equal(store_restart_record(st, id, now - 5, "killed by signal 9", &err), STORE_OK);
    assert_int_equal(store_restart_record(st, other, now, "exit 2", &err), STORE_OK);
    assert_int_equal(store_restart_record(st, 999, now, "x", &err), STORE_NOT_FOUND);

    assert_int_equal(store_restart_count(st, id, now - 600, &count, &err), STORE_OK);
    assert_int_equal(count, 2); /* at or after since */
    assert_int_equal(store_restart_count(st, id, now - 599, &count, &err), STORE_OK);
    assert_int_equal(count, 1);
    assert_int_equal(store_restart_count(st, id, 0, &count, &err), STORE_OK);
    assert_int_equal(count, 3);
    assert_int_equal(store_restart_count(st, id, now + 1, &count, &err), STORE_OK);
    assert_int_equal(count, 0);
    assert_int_equal(store_restart_count(st, 999, 0, &count, &err), STORE_NOT_FOUND);
    assert_null(err);

    store_close(st);
    rm_tmp(dir);
}

/* ---- two handles ----------------------------------------------------- */

struct writer {
    struct store *st;
    int64_t id;
    enum store_rc append_rc, lease_rc;
    double took;
    char *err;
};

static void *write_from_thread(void *arg)
{
    struct writer *w = arg;
    double t0 = time_now();
    w->append_rc = store_event_append(w->st, w->id, time_wall(), "status", "{\"b\":1}", &w->err);
    if (w->append_rc == STORE_OK)
        w->lease_rc = store_lease_acquire(w->st, w->id, "wb", 2, "h", 60, &w->err);
    w->took = time_now() - t0;
    return NULL;
}

static void test_two_handles(void **state)
{
    char *dir = make_tmp();
    struct store *a = open_ok(dir);
    struct store *b = open_ok(dir);
    char *err = NULL;

    /* What one handle writes, the other reads. */
    int64_t id = create_ok(a, "shared");
    struct store_migration m;
    assert_int_equal(store_migration_get(b, "shared", &m, &err), STORE_OK);
    assert_int_equal(m.id, id);
    store_migration_free(&m);
    assert_int_equal(store_migration_create(b, "shared", SPEC, 0, NULL, &err), STORE_CONFLICT);

    /*
     * A writer holds the file's write lock in an open transaction; b's
     * writes wait for it (busy timeout) instead of failing with SQLITE_BUSY.
     */
    sqlite3 *db = raw_open(dir);
    raw_exec(db, "BEGIN IMMEDIATE");
    raw_exec(db, "INSERT INTO events (migration_id, at, kind, json) "
                 "VALUES (1, 1, 'status', '{\"a\":1}')");
    struct writer w = {.st = b, .id = id};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, write_from_thread, &w), 0);
    time_sleep(0.3);
    raw_exec(db, "COMMIT");
    assert_int_equal(pthread_join(th, NULL), 0);
    sqlite3_close(db);
    if (w.err != NULL)
        fail_msg("writer: %s", w.err);
    assert_int_equal(w.append_rc, STORE_OK);
    assert_int_equal(w.lease_rc, STORE_OK);
    assert_true(w.took >= 0.2);

    /* Both rows are there, in the order they were committed. */
    struct store_event *evs = NULL;
    size_t n = 0;
    assert_int_equal(store_event_list(a, id, 0, 0, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(evs[0].json, "{\"a\":1}");
    assert_string_equal(evs[1].json, "{\"b\":1}");
    store_event_list_free(evs, n);

    /* The lease b took holds against a. */
    assert_int_equal(store_lease_acquire(a, id, "wa", 1, "h", 60, &err), STORE_CONFLICT);
    assert_null(err);

    store_close(b);
    store_close(a);
    rm_tmp(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_in_empty_dir),
        cmocka_unit_test(test_upgrade_from_v1),
        cmocka_unit_test(test_refuse_newer_version),
        cmocka_unit_test(test_refuse_not_a_database),
        cmocka_unit_test(test_migrations),
        cmocka_unit_test(test_set_state_fencing),
        cmocka_unit_test(test_leases),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_restarts),
        cmocka_unit_test(test_two_handles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
