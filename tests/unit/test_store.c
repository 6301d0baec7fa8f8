/*
 * Unit tests: the state store (src/store), one suite for both backends.
 *
 * Every backend-neutral test runs against SQLite, and again against
 * PostgreSQL when the environment names one: PGSHUTTLE_TEST_STORE_URI (a
 * database the tests may create schemas in) and
 * PGSHUTTLE_TEST_STORE_KEY_FILE (a secret key file, mode 0600); each test
 * gets a fresh state directory or a fresh schema, dropped after it
 * (tests/integration/store_pg.sh runs it so against a throwaway cluster).
 *
 * Neutral: the migrations (create, read, list, delete, unique names, the
 * fenced state write), leases (conflict, expiry, renewal, release, starts),
 * epochs (stale fences refused and counted), claims (max, live and expired
 * leases, two handles claiming at once from two threads), events, requests,
 * restarts, nodes, settings; several handles opening a new store at once
 * and racing for a lease.
 * SQLite only: creating it in an empty directory (modes, schema version),
 * upgrading a version-1 file that holds rows, refusing a newer file and a
 * file that is not a database; two handles writing to one file at once.
 * Without a server: a PostgreSQL store that cannot be reached.
 * PostgreSQL only: secrets sealed in the rows, the key (missing, wrong), a
 * newer schema or someone else's, an odd schema name, a connection killed
 * under the handle.
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

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPEC "{\"properties\":{\"sourceDbServerResourceId\":\"h\",\"password\":\"s3cret\"}}"

/* A fence for a test's call; E1, E2, E3: the epochs of a lease's first three holders. */
#define FENCE(o, e) (&(struct store_fence){.owner = (o), .epoch = (e)})
#define E1          1
#define E2          2
#define E3          3

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

/* ---- the backend under test, and each test's fresh store -------------- */

/* The PostgreSQL store of the environment (NULL uri: SQLite only), set by main. */
static const char *pg_uri;
static const char *pg_key_file;
/* The group running: true while the PostgreSQL group runs. */
static bool on_pg;

/* A test's store: its directory (SQLite) or schema (PostgreSQL). */
struct fx {
    char *dir;
    char *schema;
    struct store_config cfg;
};

/* A raw libpq connection to the test database (the caller finishes it). */
static PGconn *pg_raw(void)
{
    PGconn *c = PQconnectdb(pg_uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connecting to PGSHUTTLE_TEST_STORE_URI: %s", PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages TO warning"));
    return c;
}

/* Runs sql (no parameters) on c: its first value, or NULL (caller frees). */
static char *pg_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

/* sql run with the search path at schema (the caller frees the value). */
static char *pg_schema_value(const char *schema, const char *sql)
{
    PGconn *c = pg_raw();
    char *quoted = PQescapeIdentifier(c, schema, strlen(schema));
    char *set = xasprintf("SET search_path TO %s", quoted);
    PQfreemem(quoted);
    free(pg_value(c, set));
    free(set);
    char *v = pg_value(c, sql);
    PQfinish(c);
    return v;
}

static void pg_drop_schema(const char *schema)
{
    PGconn *c = pg_raw();
    char *quoted = PQescapeIdentifier(c, schema, strlen(schema));
    char *sql = xasprintf("DROP SCHEMA IF EXISTS %s CASCADE", quoted);
    PQfreemem(quoted);
    free(pg_value(c, sql));
    free(sql);
    PQfinish(c);
}

/* A new schema name for a PostgreSQL test (odd: one that needs quoting). */
static char *new_schema(bool odd)
{
    static int seq;
    return xasprintf(odd ? "My \"odd\" schema %d.%d" : "pgs_test_%d_%d", (int) getpid(), ++seq);
}

static int fx_setup(void **state)
{
    struct fx *fx = xcalloc(1, sizeof(*fx));
    if (on_pg) {
        fx->schema = new_schema(false);
        fx->cfg = (struct store_config){
            .uri = pg_uri, .schema = fx->schema, .secret_key_file = pg_key_file};
    } else {
        fx->dir = make_tmp();
        fx->cfg = (struct store_config){.dir = fx->dir};
    }
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *fx = *state;
    if (fx->schema != NULL)
        pg_drop_schema(fx->schema);
    free(fx->schema);
    if (fx->dir != NULL)
        rm_tmp(fx->dir);
    free(fx);
    return 0;
}

static struct store *open_fx(struct fx *fx)
{
    char *err = NULL;
    struct store *st = store_open_config(&fx->cfg, &err);
    if (st == NULL)
        fail_msg("store_open_config: %s", err);
    assert_null(err);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    assert_string_equal(store_kind(st), on_pg ? "postgresql" : "sqlite");
    assert_true(store_is_shared(st) == on_pg);
    return st;
}

/* The first value of sql on the test's store, read around the store (caller frees). */
static char *fx_value(struct fx *fx, const char *sql);

static int64_t fx_int(struct fx *fx, const char *sql)
{
    char *v = fx_value(fx, sql);
    assert_non_null(v);
    int64_t n = strtoll(v, NULL, 10);
    free(v);
    return n;
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

static char *fx_value(struct fx *fx, const char *sql)
{
    if (fx->schema != NULL)
        return pg_schema_value(fx->schema, sql);
    sqlite3 *db = raw_open(fx->dir);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *v = (const char *) sqlite3_column_text(s, 0);
    char *out = v ? xstrdup(v) : NULL;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
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
    assert_int_equal(STORE_SCHEMA_VERSION, 3);
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
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM restarts"), 0);
    sqlite3_close(db);
    store_close(st);

    /* Opening again changes nothing. */
    st = open_ok(dir);
    assert_int_equal(store_schema_version(st), 3);
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
    assert_int_equal(store_schema_version(st), 3);
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
    assert_int_equal(m.lease_epoch, 0); /* the columns version 3 added */
    assert_int_equal(m.stale_writes, 0);
    store_migration_free(&m);

    struct store_event *evs = NULL;
    size_t n = 0;
    assert_int_equal(store_event_list(st, 1, 0, 0, &evs, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(evs[0].kind, "status");
    assert_string_equal(evs[1].json, "{\"e\":2}");
    store_event_list_free(evs, n);

    struct store_request *rs = NULL;
    assert_int_equal(store_request_take(st, 1, NULL, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].kind, STORE_REQ_CUTOVER);
    store_request_list_free(rs, n);

    /* The table version 2 added works, and the lease's node is written. */
    assert_int_equal(store_restart_record(st, 1, time_wall(), "exit 1", &err), STORE_OK);
    int64_t epoch = 0;
    assert_int_equal(store_lease_acquire(st, 1, "w2", 7, "node-a", 60, &epoch, &err), STORE_OK);
    assert_int_equal(epoch, 1);
    assert_int_equal(store_migration_get_id(st, 1, &m, &err), STORE_OK);
    assert_string_equal(m.lease_node, "node-a");
    assert_int_equal(m.starts, 4);
    store_migration_free(&m);
    store_close(st);

    db = raw_open(dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
    sqlite3_close(db);
    rm_tmp(dir);
}

/* A step that fails leaves the file at the version before it, nothing of the step applied. */
static void test_failed_step_rolls_back(void **state)
{
    char *dir = make_tmp();
    sqlite3 *db = raw_open(dir);
    raw_exec(db, sql_text("store_v1"));
    raw_exec(db, "CREATE TABLE restarts (x INTEGER)"); /* step 2 creates it: it fails */
    raw_exec(db, "PRAGMA user_version = 1");
    sqlite3_close(db);

    char *err = NULL;
    assert_null(store_open(dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "from version 1 to 2"));
    assert_non_null(strstr(err, "restarts"));
    free(err);

    db = raw_open(dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_table_info('migrations') "
                                 "WHERE name = 'lease_node'"),
                     0);
    sqlite3_close(db);
    rm_tmp(dir);
}

static void test_refuse_newer_version(void **state)
{
    char *dir = make_tmp();
    sqlite3 *db = raw_open(dir);
    raw_exec(db, "CREATE TABLE future (x INTEGER); PRAGMA user_version = 4");
    sqlite3_close(db);

    char *err = NULL;
    assert_null(store_open(dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "version 4"));
    assert_non_null(strstr(err, "(3)"));
    assert_non_null(strstr(err, "pgshuttle.db"));
    free(err);

    /* Left as it was. */
    db = raw_open(dir);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 4);
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
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
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
    assert_int_equal(store_event_append(st, a, NULL, 1, "status", "{}", &err), STORE_OK);
    assert_int_equal(store_request_add(st, a, STORE_REQ_CANCEL, NULL, &err), STORE_OK);
    assert_int_equal(store_restart_record(st, a, 1, "crash", &err), STORE_OK);
    assert_int_equal(store_migration_delete(st, "alpha", &err), STORE_OK);
    assert_int_equal(store_migration_delete(st, "alpha", &err), STORE_NOT_FOUND);
    assert_int_equal(store_migration_get(st, "alpha", &m, &err), STORE_NOT_FOUND);
    assert_null(err);
    assert_int_equal(fx_int(fx, "SELECT (SELECT count(*) FROM events) + "
                                "(SELECT count(*) FROM requests) + "
                                "(SELECT count(*) FROM restarts)"),
                     0);

    /* A failed write's error never carries the spec (it holds passwords). */
    assert_int_equal(store_migration_create(st, NULL, SPEC, 0, NULL, &err), STORE_ERROR);
    assert_non_null(err);
    assert_non_null(strstr(err, "creating a migration"));
    assert_null(strstr(err, "s3cret"));
    free(err);
    err = NULL;

    /* A deleted migration's id is never given again; its name is free again. */
    int64_t c = create_ok(st, "alpha");
    assert_true(c > b);

    store_close(st);
}

static void test_set_state_fencing(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    int64_t id = create_ok(st, "m");
    const char *run = mig_status_name(MIG_IN_PROGRESS);
    const char *sub = mig_substatus_name(SUB_MIGRATING_DATA);

    /* Nobody holds it: an owner's write is refused, no owner's is taken. */
    assert_int_equal(store_migration_set_state(st, id, FENCE("w1", E1), "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_migration_set_state(st, id, NULL, "{\"v\":0}", run, sub, true, &err),
                     STORE_OK);

    assert_int_equal(store_lease_acquire(st, id, "w1", 11, "n", 60, NULL, &err), STORE_OK);
    assert_int_equal(store_migration_set_state(st, id, NULL, "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_migration_set_state(st, id, FENCE("w2", E2), "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    double t0 = time_wall();
    assert_int_equal(
        store_migration_set_state(st, id, FENCE("w1", E1), "{\"v\":1}", run, sub, true, &err),
        STORE_OK);
    assert_int_equal(
        store_migration_set_state(st, 999, FENCE("w1", E1), "{}", run, sub, true, &err),
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
    assert_int_equal(store_lease_acquire(st, id, "w1", 11, "n", 0.05, NULL, &err), STORE_OK);
    time_sleep(0.1);
    assert_int_equal(store_migration_set_state(st, id, NULL, "{\"v\":2}",
                                               mig_status_name(MIG_FAILED),
                                               mig_substatus_name(SUB_FAILED), false, &err),
                     STORE_OK);
    assert_int_equal(store_lease_renew(st, id, FENCE("w1", E1), 60, &err), STORE_CONFLICT);
    assert_int_equal(store_migration_set_state(st, id, FENCE("w1", E1), "{}", run, sub, true, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_string_equal(m.state_json, "{\"v\":2}");
    assert_false(m.active);
    assert_null(m.lease_owner);
    store_migration_free(&m);

    store_close(st);
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
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    int64_t id = create_ok(st, "m");

    double t0 = time_wall();
    assert_int_equal(store_lease_acquire(st, id, "w1", 101, "host-1", 60, NULL, &err), STORE_OK);
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
    assert_int_equal(store_lease_acquire(st, id, "w1", 101, "host-1", 60, NULL, &err), STORE_OK);
    assert_lease(st, id, "w1", 1);
    assert_int_equal(store_lease_acquire(st, id, "w2", 102, "host-2", 60, NULL, &err),
                     STORE_CONFLICT);
    assert_int_equal(store_lease_renew(st, id, FENCE("w2", E2), 60, &err), STORE_CONFLICT);
    assert_int_equal(store_lease_release(st, id, FENCE("w2", E2), &err),
                     STORE_OK); /* not its: no-op */
    assert_lease(st, id, "w1", 1);

    time_sleep(0.01);
    assert_int_equal(store_lease_renew(st, id, FENCE("w1", E1), 120, &err), STORE_OK);
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_true(m.lease_expires > expires);
    store_migration_free(&m);

    assert_int_equal(store_lease_release(st, id, FENCE("w1", E1), &err), STORE_OK);
    assert_lease(st, id, NULL, 1);
    assert_int_equal(store_lease_renew(st, id, FENCE("w1", E1), 60, &err), STORE_CONFLICT);

    /* A free lease goes to a new holder: one more start. */
    assert_int_equal(store_lease_acquire(st, id, "w2", 102, "host-2", 0.05, NULL, &err), STORE_OK);
    assert_lease(st, id, "w2", 2);

    /* Expired but nobody took it: its owner may still renew it. */
    time_sleep(0.1);
    assert_int_equal(store_lease_renew(st, id, FENCE("w2", E2), 0.05, &err), STORE_OK);
    assert_int_equal(store_lease_acquire(st, id, "w3", 103, "host-3", 60, NULL, &err),
                     STORE_CONFLICT);

    /* Expired: another owner takes it, and the old one has lost it. */
    time_sleep(0.1);
    assert_int_equal(store_lease_acquire(st, id, "w3", 103, "host-3", 60, NULL, &err), STORE_OK);
    assert_lease(st, id, "w3", 3);
    assert_int_equal(store_lease_renew(st, id, FENCE("w2", E2), 60, &err), STORE_CONFLICT);
    assert_int_equal(store_lease_release(st, id, FENCE("w2", E2), &err), STORE_OK);
    assert_lease(st, id, "w3", 3);

    /* No such migration. */
    assert_int_equal(store_lease_acquire(st, 999, "w1", 1, "h", 60, NULL, &err), STORE_NOT_FOUND);
    assert_int_equal(store_lease_renew(st, 999, FENCE("w1", E1), 60, &err), STORE_NOT_FOUND);
    assert_int_equal(store_lease_release(st, 999, FENCE("w1", E1), &err), STORE_OK);
    assert_null(err);

    store_close(st);
}

/* ---- events, requests, restarts -------------------------------------- */

static void test_events(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    int64_t a = create_ok(st, "a");
    int64_t b = create_ok(st, "b");
    for (int i = 0; i < 5; i++) {
        char json[32];
        snprintf(json, sizeof(json), "{\"i\":%d}", i);
        assert_int_equal(
            store_event_append(st, a, NULL, 1000 + i, i % 2 ? "warning" : "status", json, &err),
            STORE_OK);
        assert_int_equal(store_event_append(st, b, NULL, 2000 + i, "status", "{}", &err), STORE_OK);
    }
    assert_int_equal(store_event_append(st, 999, NULL, 1, "status", "{}", &err), STORE_NOT_FOUND);

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
}

static void test_requests(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
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
    assert_int_equal(store_request_take(st, id, NULL, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rs[0].kind, STORE_REQ_CUTOVER);
    assert_string_equal(rs[0].databases_json, "[\"db1\"]");
    assert_true(rs[0].at >= t0);
    assert_int_equal(rs[1].kind, STORE_REQ_CANCEL);
    assert_null(rs[1].databases_json);
    assert_true(rs[1].seq > rs[0].seq);
    store_request_list_free(rs, n);

    /* Taken once. */
    assert_int_equal(store_request_take(st, id, NULL, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    store_request_list_free(rs, n);

    assert_int_equal(store_request_add(st, id, STORE_REQ_OVERWRITE, NULL, &err), STORE_OK);
    assert_int_equal(store_request_take(st, id, NULL, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].kind, STORE_REQ_OVERWRITE);
    store_request_list_free(rs, n);

    /* all: every request ever made, oldest first, for a restarted worker. */
    assert_int_equal(store_request_add(st, id, STORE_REQ_CUTOVER, NULL, &err), STORE_OK);
    assert_int_equal(store_request_take(st, id, NULL, true, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 4);
    assert_int_equal(rs[0].kind, STORE_REQ_CUTOVER);
    assert_int_equal(rs[1].kind, STORE_REQ_CANCEL);
    assert_int_equal(rs[2].kind, STORE_REQ_OVERWRITE);
    assert_int_equal(rs[3].kind, STORE_REQ_CUTOVER);
    store_request_list_free(rs, n);
    assert_int_equal(store_request_take(st, id, NULL, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    store_request_list_free(rs, n);

    /* The other migration's request is its own. */
    assert_int_equal(store_request_take(st, other, NULL, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].kind, STORE_REQ_DELETE);
    store_request_list_free(rs, n);
    assert_int_equal(store_request_take(st, 999, NULL, false, &rs, &n, &err), STORE_NOT_FOUND);
    assert_null(err);

    store_close(st);
}

static void test_restarts(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
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
    w->append_rc =
        store_event_append(w->st, w->id, NULL, time_wall(), "status", "{\"b\":1}", &w->err);
    if (w->append_rc == STORE_OK)
        w->lease_rc = store_lease_acquire(w->st, w->id, "wb", 2, "h", 60, NULL, &w->err);
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
    assert_int_equal(store_lease_acquire(a, id, "wa", 1, "h", 60, NULL, &err), STORE_CONFLICT);
    assert_null(err);

    store_close(b);
    store_close(a);
    rm_tmp(dir);
}

/* Several processes' worth of handles opening a new store at once, then racing for a lease. */
#define RACERS 4

struct racer {
    const struct store_config *cfg;
    struct store *st;
    int64_t id;
    char owner[16];
    enum store_rc rc;
    char *err;
};

static void *open_from_thread(void *arg)
{
    struct racer *r = arg;
    r->st = store_open_config(r->cfg, &r->err);
    return NULL;
}

static void *acquire_from_thread(void *arg)
{
    struct racer *r = arg;
    r->rc = store_lease_acquire(r->st, r->id, r->owner, 1, "h", 60, NULL, &r->err);
    return NULL;
}

/* For PostgreSQL: several nodes starting on an empty schema, one upgrade. */
static void test_concurrent_open_and_acquire(void **state)
{
    struct fx *fx = *state;
    mode_t mask = umask(022);
    umask(mask);
    struct racer rs[RACERS];
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
        rs[i] = (struct racer){.cfg = &fx->cfg};
        snprintf(rs[i].owner, sizeof(rs[i].owner), "w%d", i);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, open_from_thread, &rs[i]), 0);
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < RACERS; i++) {
        if (rs[i].st == NULL)
            fail_msg("store_open %d: %s", i, rs[i].err);
        assert_int_equal(store_schema_version(rs[i].st), STORE_SCHEMA_VERSION);
    }
    /* Each open set back the umask it found: the process's is unchanged. */
    mode_t after = umask(mask);
    assert_int_equal(after, mask);

    int64_t id = create_ok(rs[0].st, "contested");
    for (int i = 0; i < RACERS; i++) {
        rs[i].id = id;
        assert_int_equal(pthread_create(&th[i], NULL, acquire_from_thread, &rs[i]), 0);
    }
    int won = 0;
    for (int i = 0; i < RACERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        if (rs[i].err != NULL)
            fail_msg("store_lease_acquire %d: %s", i, rs[i].err);
        assert_true(rs[i].rc == STORE_OK || rs[i].rc == STORE_CONFLICT);
        won += rs[i].rc == STORE_OK;
    }
    assert_int_equal(won, 1);
    char *err = NULL;
    struct store_migration m;
    assert_int_equal(store_migration_get_id(rs[1].st, id, &m, &err), STORE_OK);
    assert_int_equal(m.starts, 1);
    store_migration_free(&m);

    for (int i = 0; i < RACERS; i++)
        store_close(rs[i].st);
}

/* ---- epochs, claims -------------------------------------------------- */

/* The migration's row, read again (the caller frees it). */
static struct store_migration get_ok(struct store *st, int64_t id)
{
    char *err = NULL;
    struct store_migration m;
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_null(err);
    return m;
}

static void test_epochs(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    int64_t id = create_ok(st, "m");
    const char *run = mig_status_name(MIG_IN_PROGRESS);
    const char *sub = mig_substatus_name(SUB_MIGRATING_DATA);

    /* A new holder is one more epoch; the same owner again keeps it. */
    int64_t epoch = -1;
    assert_int_equal(store_lease_acquire(st, id, "w1", 11, "n1", 60, &epoch, &err), STORE_OK);
    assert_int_equal(epoch, 1);
    assert_int_equal(store_lease_acquire(st, id, "w1", 12, "n2", 60, &epoch, &err), STORE_OK);
    assert_int_equal(epoch, 1);
    struct store_migration m = get_ok(st, id);
    assert_int_equal(m.lease_epoch, 1);
    assert_int_equal(m.lease_pid, 12);
    assert_string_equal(m.lease_node, "n2");
    assert_int_equal(m.starts, 1);
    store_migration_free(&m);
    assert_int_equal(store_lease_release(st, id, FENCE("w1", 1), &err), STORE_OK);
    assert_int_equal(store_lease_acquire(st, id, "w2", 21, "n1", 60, &epoch, &err), STORE_OK);
    assert_int_equal(epoch, 2);
    assert_int_equal(store_request_add(st, id, STORE_REQ_CUTOVER, NULL, &err), STORE_OK);

    /*
     * The old holder's writes, and those of the right owner with an old
     * epoch (a worker restarted under the same owner name), are refused and
     * counted; nothing of them is written.
     */
    const struct store_fence *stale[] = {FENCE("w1", 1), FENCE("w2", 1)};
    for (size_t i = 0; i < 2; i++) {
        const struct store_fence *f = stale[i];
        assert_int_equal(store_lease_renew(st, id, f, 600, &err), STORE_CONFLICT);
        assert_int_equal(
            store_migration_set_state(st, id, f, "{\"stale\":1}", run, sub, true, &err),
            STORE_CONFLICT);
        assert_int_equal(store_event_append(st, id, f, 1, "status", "{}", &err), STORE_CONFLICT);
        struct store_request *rs = NULL;
        size_t n = 9;
        assert_int_equal(store_request_take(st, id, f, false, &rs, &n, &err), STORE_CONFLICT);
        assert_int_equal(n, 0);
        assert_null(rs);
        /* Giving up a lease one does not hold is a no-op. */
        assert_int_equal(store_lease_release(st, id, f, &err), STORE_OK);
    }
    assert_null(err);
    m = get_ok(st, id);
    assert_null(m.state_json);
    assert_string_equal(m.lease_owner, "w2");
    assert_int_equal(m.lease_epoch, 2);
    assert_true(m.lease_expires < time_wall() + 61);
    assert_int_equal(m.stale_writes, 8);
    store_migration_free(&m);
    assert_int_equal(fx_int(fx, "SELECT count(*) FROM events"), 0);

    /* The holder's writes go through, and are not counted. */
    const struct store_fence *f = FENCE("w2", 2);
    assert_int_equal(store_lease_renew(st, id, f, 60, &err), STORE_OK);
    assert_int_equal(store_migration_set_state(st, id, f, "{\"v\":1}", run, sub, true, &err),
                     STORE_OK);
    assert_int_equal(store_event_append(st, id, f, 1, "status", "{}", &err), STORE_OK);
    struct store_request *rs = NULL;
    size_t n = 0;
    assert_int_equal(store_request_take(st, id, f, false, &rs, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    store_request_list_free(rs, n);
    m = get_ok(st, id);
    assert_string_equal(m.state_json, "{\"v\":1}");
    assert_int_equal(m.stale_writes, 8);
    store_migration_free(&m);

    /* A fence on a migration that is not there: not found, not a conflict. */
    assert_int_equal(store_event_append(st, 999, f, 1, "status", "{}", &err), STORE_NOT_FOUND);
    assert_int_equal(store_request_take(st, 999, f, false, &rs, &n, &err), STORE_NOT_FOUND);
    assert_null(err);
    store_close(st);
}

static void test_claim(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        char name[8];
        snprintf(name, sizeof(name), "m%d", i);
        ids[i] = create_ok(st, name);
        time_sleep(0.002); /* distinct creation times */
    }
    /* m1: a live lease; m2: an expired one; m3: final; m0, m2, m4 claimable. */
    assert_int_equal(store_lease_acquire(st, ids[1], "other", 5, "n9", 60, NULL, &err), STORE_OK);
    assert_int_equal(store_lease_acquire(st, ids[2], "old", 6, "n9", 0.05, NULL, &err), STORE_OK);
    assert_int_equal(store_migration_set_state(st, ids[3], NULL, "{}",
                                               mig_status_name(MIG_SUCCEEDED),
                                               mig_substatus_name(SUB_COMPLETED), false, &err),
                     STORE_OK);
    time_sleep(0.1);

    struct store_migration *ms = NULL;
    size_t n = 0;
    double t0 = time_wall();
    assert_int_equal(store_lease_claim(st, "n1", "c1", 60, 1, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].id, ids[0]);
    assert_string_equal(ms[0].name, "m0");
    assert_string_equal(ms[0].spec_json, SPEC);
    assert_string_equal(ms[0].lease_owner, "c1");
    assert_string_equal(ms[0].lease_node, "n1");
    assert_int_equal(ms[0].lease_pid, 0);
    assert_true(ms[0].lease_expires >= t0 + 60);
    assert_int_equal(ms[0].lease_epoch, 1);
    assert_int_equal(ms[0].starts, 1);
    store_migration_list_free(ms, n);

    assert_int_equal(store_lease_claim(st, "n1", "c1", 60, 10, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ms[0].id, ids[2]); /* the expired lease, taken from "old" */
    assert_string_equal(ms[0].lease_owner, "c1");
    assert_int_equal(ms[0].lease_epoch, 2);
    assert_int_equal(ms[0].starts, 2);
    assert_int_equal(ms[1].id, ids[4]);
    store_migration_list_free(ms, n);

    assert_int_equal(store_lease_claim(st, "n1", "c1", 60, 10, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    assert_null(ms);
    assert_int_equal(store_lease_claim(st, "n1", "c1", 60, 0, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 0);
    assert_null(err);

    /* The old holder of m2 has lost it. */
    assert_int_equal(store_lease_renew(st, ids[2], FENCE("old", 1), 60, &err), STORE_CONFLICT);
    store_close(st);
}

#define CLAIMABLE 24

struct claimer {
    struct store *st;
    const char *owner;
    int64_t got[CLAIMABLE];
    size_t n;
    char *err;
};

/* Claims 3 at a time until nothing is left. */
static void *claim_from_thread(void *arg)
{
    struct claimer *c = arg;
    for (;;) {
        struct store_migration *ms = NULL;
        size_t n = 0;
        if (store_lease_claim(c->st, "n", c->owner, 60, 3, &ms, &n, &c->err) != STORE_OK)
            return NULL;
        for (size_t i = 0; i < n && c->n < CLAIMABLE; i++)
            c->got[c->n++] = ms[i].id;
        store_migration_list_free(ms, n);
        if (n == 0)
            return NULL;
    }
}

static void test_claim_concurrent(void **state)
{
    struct fx *fx = *state;
    struct store *a = open_fx(fx);
    struct store *b = open_fx(fx);
    int64_t ids[CLAIMABLE];
    for (int i = 0; i < CLAIMABLE; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%02d", i);
        ids[i] = create_ok(a, name);
    }
    struct claimer cs[2] = {{.st = a, .owner = "ca"}, {.st = b, .owner = "cb"}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, claim_from_thread, &cs[i]), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        if (cs[i].err != NULL)
            fail_msg("claim %d: %s", i, cs[i].err);
    }
    /* Together all of them, each once, and each held by its claimer. */
    assert_int_equal(cs[0].n + cs[1].n, CLAIMABLE);
    for (int i = 0; i < CLAIMABLE; i++) {
        int seen = 0;
        const char *by = NULL;
        for (int c = 0; c < 2; c++) {
            for (size_t k = 0; k < cs[c].n; k++) {
                if (cs[c].got[k] == ids[i]) {
                    seen++;
                    by = cs[c].owner;
                }
            }
        }
        assert_int_equal(seen, 1);
        struct store_migration m = get_ok(a, ids[i]);
        assert_string_equal(m.lease_owner, by);
        assert_int_equal(m.lease_epoch, 1);
        assert_int_equal(m.starts, 1);
        store_migration_free(&m);
    }
    store_close(b);
    store_close(a);
}

/* ---- nodes, settings ------------------------------------------------- */

static struct store_node node_ok(struct store *st, const char *name)
{
    char *err = NULL;
    struct store_node n;
    assert_int_equal(store_node_get(st, name, &n, &err), STORE_OK);
    assert_null(err);
    return n;
}

static void test_nodes(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    double t0 = time_wall();
    struct store_node n1 = {
        .name = "n1", .address = "http://h1:8080", .capacity = 4, .pid = 111, .version = "0.1.0"};
    assert_int_equal(store_node_register(st, &n1, &err), STORE_OK);
    struct store_node got = node_ok(st, "n1");
    assert_string_equal(got.name, "n1");
    assert_string_equal(got.address, "http://h1:8080");
    assert_int_equal(got.capacity, 4);
    assert_int_equal(got.running, 0);
    assert_int_equal(got.pid, 111);
    assert_string_equal(got.version, "0.1.0");
    assert_true(got.started >= t0 && got.heartbeat == got.started);
    assert_false(got.draining);
    assert_false(got.stopped);
    double started = got.started;
    store_node_free(&got);

    time_sleep(0.01);
    assert_int_equal(store_node_heartbeat(st, "n1", 3, &err), STORE_OK);
    got = node_ok(st, "n1");
    assert_int_equal(got.running, 3);
    assert_true(got.heartbeat > started);
    store_node_free(&got);

    assert_int_equal(store_node_set_draining(st, "n1", true, &err), STORE_OK);
    got = node_ok(st, "n1");
    assert_true(got.draining);
    store_node_free(&got);
    assert_int_equal(store_node_stop(st, "n1", &err), STORE_OK);
    got = node_ok(st, "n1");
    assert_true(got.stopped);
    assert_int_equal(got.running, 0);
    store_node_free(&got);

    /* No such node. */
    assert_int_equal(store_node_heartbeat(st, "nope", 1, &err), STORE_NOT_FOUND);
    assert_int_equal(store_node_set_draining(st, "nope", true, &err), STORE_NOT_FOUND);
    assert_int_equal(store_node_stop(st, "nope", &err), STORE_NOT_FOUND);
    assert_int_equal(store_node_get(st, "nope", &got, &err), STORE_NOT_FOUND);
    assert_null(got.name);

    /* A restart of n1 takes its row's place; the list is by name. */
    struct store_node n0 = {.name = "n0", .pid = 100};
    struct store_node n2 = {.name = "n2", .capacity = 1, .pid = 222};
    assert_int_equal(store_node_register(st, &n2, &err), STORE_OK);
    assert_int_equal(store_node_register(st, &n0, &err), STORE_OK);
    n1.pid = 112;
    assert_int_equal(store_node_register(st, &n1, &err), STORE_OK);
    struct store_node *ns = NULL;
    size_t n = 0;
    assert_int_equal(store_node_list(st, &ns, &n, &err), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(ns[0].name, "n0");
    assert_null(ns[0].address);
    assert_null(ns[0].version);
    assert_string_equal(ns[1].name, "n1");
    assert_int_equal(ns[1].pid, 112);
    assert_false(ns[1].draining);
    assert_false(ns[1].stopped);
    assert_true(ns[1].started > started);
    assert_string_equal(ns[2].name, "n2");
    store_node_list_free(ns, n);

    assert_int_equal(store_node_remove(st, "n1", &err), STORE_OK);
    assert_int_equal(store_node_remove(st, "n1", &err), STORE_NOT_FOUND);
    assert_int_equal(store_node_get(st, "n1", &got, &err), STORE_NOT_FOUND);
    assert_null(err);
    store_close(st);
}

/*
 * A node whose heartbeat is older than the cut loses its leases: they run
 * out at once, do not renew, and the next claim takes them; a node that
 * stopped cleanly, a fresh one and the caller's own are left alone.
 */
static void test_revoke_silent_node(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    struct store_node a = {.name = "a", .pid = 1}, b = {.name = "b", .pid = 2};
    assert_int_equal(store_node_register(st, &a, &err), STORE_OK);
    assert_int_equal(store_node_register(st, &b, &err), STORE_OK);
    int64_t ma = create_ok(st, "on-a"), mb = create_ok(st, "on-b");
    int64_t ea = 0, eb = 0;
    assert_int_equal(store_lease_acquire(st, ma, "wa", 10, "a", 60, &ea, &err), STORE_OK);
    assert_int_equal(store_lease_acquire(st, mb, "wb", 20, "b", 60, &eb, &err), STORE_OK);
    int revoked = -1;
    /* both heartbeats are newer than a cut in the past: nothing */
    assert_int_equal(store_node_revoke_leases(st, "b", time_wall() - 60, &revoked, &err), STORE_OK);
    assert_int_equal(revoked, 0);
    /* b asks with a cut after both heartbeats: a's lease goes, b's own stays */
    time_sleep(0.01);
    assert_int_equal(store_node_revoke_leases(st, "b", time_wall(), &revoked, &err), STORE_OK);
    assert_int_equal(revoked, 1);
    struct store_migration m = get_ok(st, ma);
    assert_true(m.lease_expires <= 0);
    assert_string_equal(m.lease_owner, "wa"); /* still the holder until a claim */
    store_migration_free(&m);
    struct store_fence fa = {.owner = "wa", .epoch = ea};
    assert_int_equal(store_lease_renew(st, ma, &fa, 60, &err), STORE_CONFLICT);
    free(err);
    err = NULL;
    m = get_ok(st, mb);
    assert_true(m.lease_expires > time_wall());
    store_migration_free(&m);
    struct store_migration *ms = NULL;
    size_t n = 0;
    assert_int_equal(store_lease_claim(st, "b", "claim-b", 60, 10, &ms, &n, &err), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].id, ma);
    assert_int_equal(ms[0].lease_epoch, ea + 1);
    store_migration_list_free(ms, n);
    /* a node that stopped cleanly is not revoked (it gave its leases up itself) */
    assert_int_equal(store_node_stop(st, "b", &err), STORE_OK);
    assert_int_equal(store_node_revoke_leases(st, "a", time_wall() + 1, &revoked, &err), STORE_OK);
    assert_int_equal(revoked, 0);
    assert_null(err);
    store_close(st);
}

static void test_settings(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    char *err = NULL;
    char *out = NULL;
    assert_int_equal(store_setting_get_or_put(st, "api_token", "first-token", true, &out, &err),
                     STORE_OK);
    assert_string_equal(out, "first-token");
    free(out);
    assert_int_equal(store_setting_get_or_put(st, "api_token", "second", true, &out, &err),
                     STORE_OK);
    assert_string_equal(out, "first-token");
    free(out);
    assert_int_equal(store_setting_get_or_put(st, "plain", "v1", false, &out, &err), STORE_OK);
    assert_string_equal(out, "v1");
    free(out);
    assert_null(err);

    /* Another handle (another node) reads the first value too. */
    struct store *other = open_fx(fx);
    assert_int_equal(store_setting_get_or_put(other, "api_token", "x", true, &out, &err), STORE_OK);
    assert_string_equal(out, "first-token");
    free(out);
    store_close(other);

    /* A shared store keeps secrets sealed: the rows hold neither token nor password. */
    create_ok(st, "m");
    char *token = fx_value(fx, "SELECT value FROM settings WHERE key = 'api_token'");
    char *plain = fx_value(fx, "SELECT value FROM settings WHERE key = 'plain'");
    char *spec = fx_value(fx, "SELECT spec_json FROM migrations WHERE name = 'm'");
    if (on_pg) {
        assert_true(strncmp(token, "pgs1:", 5) == 0);
        assert_null(strstr(token, "first-token"));
        assert_true(strncmp(spec, "pgs1:", 5) == 0);
        assert_null(strstr(spec, "s3cret"));
    } else {
        assert_string_equal(token, "first-token");
        assert_string_equal(spec, SPEC);
    }
    assert_string_equal(plain, "v1");
    free(token);
    free(plain);
    free(spec);
    store_close(st);
}

/* ---- PostgreSQL only ------------------------------------------------- */

/* Opening cfg fails with an error that holds want (and no password). */
static void assert_refused(const struct store_config *cfg, const char *want)
{
    char *err = NULL;
    struct store *st = store_open_config(cfg, &err);
    if (st != NULL)
        fail_msg("opened, expected: %s", want);
    assert_non_null(err);
    if (strstr(err, want) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err, want);
    free(err);
}

/* A new key file of 64 random hex digits, mode 0600, in dir (caller frees the path). */
static char *other_key_file(const char *dir)
{
    char *path = xasprintf("%s/other.key", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    srand((unsigned) getpid());
    for (int i = 0; i < 64; i++)
        fputc("0123456789abcdef"[rand() % 16], f);
    fputc('\n', f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0600), 0);
    return path;
}

static void test_pg_key(void **state)
{
    struct fx *fx = *state;
    store_close(open_fx(fx));

    struct store_config cfg = fx->cfg;
    cfg.secret_key_file = NULL;
    assert_refused(&cfg, "give --secret-key-file FILE");

    char *tmp = make_tmp();
    char *path = other_key_file(tmp);
    cfg.secret_key_file = path;
    assert_refused(&cfg, "is not the key this store's secrets were sealed with");
    free(path);
    rm_tmp(tmp);
}

static void test_pg_refuse(void **state)
{
    struct fx *fx = *state;
    store_close(open_fx(fx));
    free(pg_schema_value(fx->schema, "UPDATE schema_version SET version = version + 1"));
    assert_refused(&fx->cfg, "newer than this pgshuttle's");

    /* Someone else's tables and no schema_version. */
    free(pg_schema_value(fx->schema, "DROP TABLE schema_version"));
    assert_refused(&fx->cfg, "not a pgshuttle store");
}

static void test_pg_odd_schema(void **state)
{
    struct fx *fx = *state;
    pg_drop_schema(fx->schema);
    free(fx->schema);
    fx->schema = new_schema(true);
    fx->cfg.schema = fx->schema;
    struct store *st = open_fx(fx);
    create_ok(st, "m");
    assert_int_equal(fx_int(fx, "SELECT count(*) FROM migrations"), 1);
    /* Where it is, with no password. */
    const char *path = store_path(st);
    assert_true(strncmp(path, "postgresql://", 13) == 0);
    char *tail = xasprintf(" schema %s", fx->schema);
    assert_non_null(strstr(path, tail));
    free(tail);
    assert_null(strstr(path, "password"));
    store_close(st);
}

/* The server ends the handle's connection: one call may fail, the next works again. */
static void test_pg_reconnect(void **state)
{
    struct fx *fx = *state;
    struct store *st = open_fx(fx);
    int64_t id = create_ok(st, "m");
    PGconn *c = pg_raw();
    char *killed = pg_value(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name = 'pgshuttle store'");
    PQfinish(c);
    assert_string_equal(killed, "1");
    free(killed);
    time_sleep(0.2);
    char *err = NULL;
    struct store_migration m;
    enum store_rc rc = store_migration_get_id(st, id, &m, &err);
    if (rc == STORE_OK) {
        store_migration_free(&m);
    } else {
        assert_int_equal(rc, STORE_ERROR);
        assert_non_null(err);
        assert_non_null(strstr(err, "postgresql://"));
        free(err);
        err = NULL;
    }
    assert_true(store_ping(st, &err));
    assert_int_equal(store_migration_get_id(st, id, &m, &err), STORE_OK);
    assert_string_equal(m.spec_json, SPEC);
    store_migration_free(&m);
    assert_null(err);
    store_close(st);
}

/*
 * No server needed: a PostgreSQL store that cannot be reached is refused
 * with the place it tried (user, host, port, database), never the URI's
 * password.
 */
static void test_pg_unreachable(void **state)
{
    char *tmp = make_tmp();
    char *key = other_key_file(tmp);
    struct store_config cfg = {.uri = "postgresql://alice:pw-Secret-42@127.0.0.1:1/appdb",
                               .schema = "s",
                               .secret_key_file = key};
    char *err = NULL;
    assert_null(store_open_config(&cfg, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "store: postgresql://alice@127.0.0.1:1/appdb schema s: "
                                "cannot connect: "));
    assert_null(strstr(err, "pw-Secret-42"));
    free(err);
    err = NULL;

    /* A key file that is not one is refused before any connection. */
    cfg.secret_key_file = tmp;
    assert_null(store_open_config(&cfg, &err));
    assert_non_null(err);
    assert_null(strstr(err, "pw-Secret-42"));
    free(err);
    free(key);
    rm_tmp(tmp);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest local[] = {
        cmocka_unit_test(test_create_in_empty_dir),    cmocka_unit_test(test_upgrade_from_v1),
        cmocka_unit_test(test_failed_step_rolls_back), cmocka_unit_test(test_refuse_newer_version),
        cmocka_unit_test(test_refuse_not_a_database),  cmocka_unit_test(test_two_handles),
        cmocka_unit_test(test_pg_unreachable),
    };
    const struct CMUnitTest neutral[] = {
        FX(test_migrations),
        FX(test_set_state_fencing),
        FX(test_leases),
        FX(test_epochs),
        FX(test_claim),
        FX(test_claim_concurrent),
        FX(test_events),
        FX(test_requests),
        FX(test_restarts),
        FX(test_nodes),
        FX(test_settings),
        FX(test_concurrent_open_and_acquire),
        FX(test_revoke_silent_node),
    };
    const struct CMUnitTest pg_only[] = {
        FX(test_pg_key),
        FX(test_pg_refuse),
        FX(test_pg_odd_schema),
        FX(test_pg_reconnect),
    };
    int failed = cmocka_run_group_tests_name("local", local, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite", neutral, NULL, NULL);
    pg_uri = getenv("PGSHUTTLE_TEST_STORE_URI");
    pg_key_file = getenv("PGSHUTTLE_TEST_STORE_KEY_FILE");
    if (pg_uri == NULL || pg_uri[0] == '\0') {
        printf("PostgreSQL store tests skipped: PGSHUTTLE_TEST_STORE_URI is not set\n");
        return failed;
    }
    on_pg = true;
    failed += cmocka_run_group_tests_name("postgresql", neutral, NULL, NULL);
    failed += cmocka_run_group_tests_name("postgresql only", pg_only, NULL, NULL);
    return failed;
}
