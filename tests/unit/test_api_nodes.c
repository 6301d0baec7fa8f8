/*
 * Unit tests: the API's view of the service's nodes (src/api/routes_nodes.c,
 * node_view.c): GET /api/v1/nodes with a node in each state (Up, Draining,
 * Down, Stopped), one node, drain and resume (202, 404, the token), the
 * node running a migration in its resource (a live lease only), and the
 * nodes' and stale writes' lines of /metrics.
 *
 * Nodes are registered through the store; a node is made Down by moving its
 * heartbeat back in the SQLite file itself (the store sets it to now).
 */
#define _GNU_SOURCE
#include "api_http.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pgshuttle-test-api-nodes-XXXXXX";

/* ---- setup --------------------------------------------------------------- */

static struct store *open_store(void)
{
    return api_test_store(dir);
}

static void node_register(struct store *st, const char *name, int capacity)
{
    struct store_node n = {.name = (char *) name,
                           .address = "http://127.0.0.1:8432",
                           .capacity = capacity,
                           .running = 1,
                           .pid = 4242,
                           .version = "9.9.9"};
    char *error = NULL;
    if (store_node_register(st, &n, &error) != STORE_OK)
        fail_msg("store_node_register %s: %s", name, error);
}

/* Moves node name's heartbeat seconds back (the store only ever writes now). */
static void heartbeat_back(const char *name, double seconds)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/pgshuttle.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE nodes SET heartbeat = heartbeat - ?1 WHERE name = ?2", -1,
                           &stmt, NULL),
        SQLITE_OK);
    sqlite3_bind_double(stmt, 1, seconds);
    sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

/*
 * Four nodes, one per state: n-up (capacity 4), n-drain (no limit),
 * n-down (its heartbeat a minute old), n-stopped; and we"ird\node, whose
 * name needs escaping in a label.
 */
static int start(void **state)
{
    (void) state;
    api_test_start(dir, NULL);
    char *error = NULL;
    struct store *st = open_store();
    node_register(st, "n-up", 4);
    node_register(st, "n-drain", 0);
    node_register(st, "n-down", 2);
    node_register(st, "n-stopped", 2);
    node_register(st, "we\"ird\\node", 0);
    assert_int_equal(store_node_set_draining(st, "n-drain", true, &error), STORE_OK);
    assert_int_equal(store_node_stop(st, "n-stopped", &error), STORE_OK);
    store_close(st);
    heartbeat_back("n-down", 60);
    return 0;
}

static int stop(void **state)
{
    (void) state;
    return api_test_stop(dir);
}

/* ---- helpers ------------------------------------------------------------- */

/* The node named name in a {"value": [...]} answer (borrowed from doc), or NULL. */
static json_t *node_in(json_t *doc, const char *name)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(doc, "value"), i, n)
    {
        if (strcmp(json_string_value(json_object_get(n, "name")), name) == 0)
            return n;
    }
    return NULL;
}

static const char *state_of(json_t *node)
{
    return json_string_value(json_object_get(node, "state"));
}

/* The answer's text holds line (a whole line, its newline included). */
static void expect_line(const struct reply *r, const char *line)
{
    if (strstr(sb_str(&r->body), line) == NULL)
        fail_msg("no line \"%s\" in\n%s", line, sb_str(&r->body));
}

/* properties.node of migration name (NULL when null). Caller frees. */
static char *node_of(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/migrations/%s", name);
    struct reply r = call("GET", path, NULL);
    expect_status(&r, 200);
    json_t *doc = body_json(&r);
    json_t *node = json_object_get(json_object_get(doc, "properties"), "node");
    assert_non_null(node); /* present, null or not */
    char *out = json_is_string(node) ? strdup(json_string_value(node)) : NULL;
    json_decref(doc);
    reply_free(&r);
    return out;
}

static int64_t migration_id(struct store *st, const char *name)
{
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, name, &m, &error), STORE_OK);
    int64_t id = m.id;
    store_migration_free(&m);
    return id;
}

/* ---- tests --------------------------------------------------------------- */

static void test_list(void **state)
{
    (void) state;
    struct reply r = call("GET", "/api/v1/nodes", NULL);
    expect_status(&r, 200);
    json_t *doc = body_json(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "value")), 5);
    json_t *up = node_in(doc, "n-up");
    assert_non_null(up);
    assert_string_equal(state_of(up), "Up");
    assert_int_equal(json_integer_value(json_object_get(up, "capacity")), 4);
    assert_int_equal(json_integer_value(json_object_get(up, "running")), 1);
    assert_int_equal(json_integer_value(json_object_get(up, "pid")), 4242);
    assert_string_equal(json_string_value(json_object_get(up, "version")), "9.9.9");
    assert_string_equal(json_string_value(json_object_get(up, "address")), "http://127.0.0.1:8432");
    assert_true(json_is_string(json_object_get(up, "startedOn")));
    assert_true(json_is_string(json_object_get(up, "lastHeartbeat")));
    assert_true(json_number_value(json_object_get(up, "heartbeatAgeSeconds")) < 5);
    assert_true(json_is_array(json_object_get(up, "migrations")));
    json_t *drain = node_in(doc, "n-drain");
    assert_string_equal(state_of(drain), "Draining");
    assert_true(json_is_null(json_object_get(drain, "capacity"))); /* 0: no limit */
    assert_true(json_is_true(json_object_get(drain, "draining")));
    json_t *down = node_in(doc, "n-down");
    assert_string_equal(state_of(down), "Down");
    assert_true(json_number_value(json_object_get(down, "heartbeatAgeSeconds")) >= 59);
    json_t *stopped = node_in(doc, "n-stopped");
    assert_string_equal(state_of(stopped), "Stopped");
    assert_int_equal(json_integer_value(json_object_get(stopped, "running")), 0);
    json_decref(doc);
    reply_free(&r);

    r = call("GET", "/api/v1/nodes/n-down", NULL);
    expect_status(&r, 200);
    doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "n-down");
    assert_string_equal(state_of(doc), "Down");
    json_decref(doc);
    reply_free(&r);
    expect_error(call("GET", "/api/v1/nodes/nowhere", NULL), 404, "no node named \"nowhere\"");
}

static void test_drain_resume(void **state)
{
    (void) state;
    struct reply r = call("POST", "/api/v1/nodes/n-up/drain", NULL);
    expect_status(&r, 202);
    json_t *doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "n-up");
    assert_string_equal(state_of(doc), "Draining");
    json_decref(doc);
    reply_free(&r);
    struct store *st = open_store();
    struct store_node n;
    char *error = NULL;
    assert_int_equal(store_node_get(st, "n-up", &n, &error), STORE_OK);
    assert_true(n.draining);
    store_node_free(&n);

    r = call("POST", "/api/v1/nodes/n-up/resume", NULL);
    expect_status(&r, 202);
    doc = body_json(&r);
    assert_string_equal(state_of(doc), "Up");
    json_decref(doc);
    reply_free(&r);
    assert_int_equal(store_node_get(st, "n-up", &n, &error), STORE_OK);
    assert_false(n.draining);
    store_node_free(&n);
    store_close(st);

    /* a Down node may be marked too: it drains once it is back */
    r = call("POST", "/api/v1/nodes/n-down/drain", NULL);
    expect_status(&r, 202);
    doc = body_json(&r);
    assert_string_equal(state_of(doc), "Down");
    assert_true(json_is_true(json_object_get(doc, "draining")));
    json_decref(doc);
    reply_free(&r);

    /* the migrations' error shape; a name that is no node name is not quoted back */
    r = call("POST", "/api/v1/nodes/nowhere/drain", NULL);
    expect_status(&r, 404);
    doc = body_json(&r);
    json_t *err = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), "NotFound");
    assert_string_equal(json_string_value(json_object_get(err, "message")),
                        "no node named \"nowhere\"");
    assert_string_equal(json_string_value(json_object_get(err, "target")), "name");
    json_decref(doc);
    reply_free(&r);
    expect_error(call("POST", "/api/v1/nodes/a%20b%3Cc/resume", NULL), 404, "no such node");

    /* hostile names: a quote that would break a query, a path out, a NUL, a very long one */
    const char *hostile[] = {"/api/v1/nodes/n-up'%20OR%20'1'%3D'1/drain",
                             "/api/v1/nodes/..%2F..%2Fn-up/drain", "/api/v1/nodes/n-up%00/drain"};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        r = call("POST", hostile[i], NULL);
        assert_true(r.status == 404 || r.status == 400);
        reply_free(&r);
    }
    char long_path[5200];
    int len = snprintf(long_path, sizeof(long_path), "/api/v1/nodes/");
    memset(long_path + len, 'n', 5000);
    snprintf(long_path + len + 5000, sizeof(long_path) - (size_t) len - 5000, "/drain");
    r = call("POST", long_path, NULL);
    if (!(r.status == 404 || r.status == 400 || r.status == 414))
        fail_msg("a 5000-character node name: HTTP %ld", r.status);
    reply_free(&r);
    /* none of them touched the node they name */
    r = call("GET", "/api/v1/nodes/n-up", NULL);
    expect_status(&r, 200);
    doc = body_json(&r);
    assert_string_equal(state_of(doc), "Up");
    json_decref(doc);
    reply_free(&r);

    expect_error(call_n("POST", "/api/v1/nodes/n-up/drain", NULL, NULL, NULL, 0), 401, "token");
    expect_error(call_n("GET", "/api/v1/nodes", "wrong", NULL, NULL, 0), 401, "token");
    r = call("GET", "/api/v1/nodes/n-up/drain", NULL);
    expect_status(&r, 405);
    assert_non_null(strcasestr(sb_str(&r.headers), "Allow: POST"));
    reply_free(&r);
}

static void test_migration_node(void **state)
{
    (void) state;
    struct reply r = call("PUT", "/api/v1/migrations/m1", CREATE_BODY(""));
    expect_status(&r, 201);
    json_t *doc = body_json(&r);
    assert_true(json_is_null(json_object_get(json_object_get(doc, "properties"), "node")));
    json_decref(doc);
    reply_free(&r);

    struct store *st = open_store();
    int64_t id = migration_id(st, "m1"), epoch = 0;
    char *error = NULL;
    assert_int_equal(store_lease_acquire(st, id, "n-up:1", 1, "n-up", 60, &epoch, &error),
                     STORE_OK);
    char *node = node_of("m1");
    assert_non_null(node);
    assert_string_equal(node, "n-up");
    free(node);
    /* the grid's view has it too, and the node lists what it runs */
    r = call("GET", "/api/v1/migrations?view=grid", NULL);
    expect_status(&r, 200);
    doc = body_json(&r);
    json_t *row = json_array_get(json_object_get(doc, "value"), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(row, "properties"), "node")), "n-up");
    json_decref(doc);
    reply_free(&r);
    r = call("GET", "/api/v1/nodes", NULL);
    doc = body_json(&r);
    json_t *runs = json_object_get(node_in(doc, "n-up"), "migrations");
    assert_int_equal(json_array_size(runs), 1);
    assert_string_equal(json_string_value(json_array_get(runs, 0)), "m1");
    assert_int_equal(json_array_size(json_object_get(node_in(doc, "n-drain"), "migrations")), 0);
    json_decref(doc);
    reply_free(&r);

    /* released: no node runs it */
    struct store_fence fence = {.owner = "n-up:1", .epoch = epoch};
    assert_int_equal(store_lease_release(st, id, &fence, &error), STORE_OK);
    assert_null(node_of("m1"));
    /* a lease that ran out names no node either: the migration waits for a claim */
    assert_int_equal(store_lease_acquire(st, id, "n-drain:1", 1, "n-drain", 0.2, &epoch, &error),
                     STORE_OK);
    usleep(400 * 1000);
    assert_null(node_of("m1"));
    store_close(st);
}

static void test_metrics(void **state)
{
    (void) state;
    /* a stale write: n-drain's worker lost m1's lease (it ran out) to n-up's, then writes */
    struct store *st = open_store();
    int64_t id = migration_id(st, "m1"), epoch = 0;
    char *error = NULL;
    struct store_migration m;
    assert_int_equal(store_migration_get(st, "m1", &m, &error), STORE_OK);
    struct store_fence stale = {.owner = "n-drain:1", .epoch = m.lease_epoch};
    store_migration_free(&m);
    assert_int_equal(store_lease_acquire(st, id, "n-up:2", 2, "n-up", 60, &epoch, &error),
                     STORE_OK);
    assert_int_equal(store_event_append(st, id, &stale, 1796634000, "progress", "{}", &error),
                     STORE_CONFLICT);
    free(error);
    store_close(st);

    struct reply r = call("GET", "/metrics", NULL);
    expect_status(&r, 200);
    expect_line(&r, "# TYPE pgshuttle_node_up gauge\n");
    expect_line(&r, "pgshuttle_node_up{node=\"n-up\"} 1\n");
    expect_line(&r, "pgshuttle_node_up{node=\"n-down\"} 0\n");
    expect_line(&r, "pgshuttle_node_up{node=\"n-stopped\"} 0\n");
    expect_line(&r, "pgshuttle_node_up{node=\"we\\\"ird\\\\node\"} 1\n");
    expect_line(&r, "pgshuttle_node_running_migrations{node=\"n-up\"} 1\n");
    expect_line(&r, "pgshuttle_node_capacity{node=\"n-up\"} 4\n");
    expect_line(&r, "pgshuttle_node_draining{node=\"n-drain\"} 1\n");
    expect_line(&r, "pgshuttle_node_draining{node=\"n-up\"} 0\n");
    expect_line(&r, "pgshuttle_node_heartbeat_age_seconds{node=\"n-down\"} ");
    expect_line(&r, "# TYPE pgshuttle_stale_writes_rejected_total counter\n");
    expect_line(&r, "pgshuttle_stale_writes_rejected_total{migration=\"m1\"} 1\n");
    /* no limit: no capacity sample, rather than a 0 */
    assert_null(strstr(sb_str(&r.body), "pgshuttle_node_capacity{node=\"n-drain\"}"));
    reply_free(&r);
}

/* Last: nothing any answer said holds the password. */
static void test_no_password_anywhere(void **state)
{
    (void) state;
    assert_null(strstr(sb_str(&everything), PASSWORD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_drain_resume),
        cmocka_unit_test(test_migration_node),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_no_password_anywhere),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
